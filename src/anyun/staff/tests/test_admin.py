"""Back office: the admin pages render and apply the same credential checks as the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import staff_client
from django.test import Client
from django.urls import reverse

from anyun.accounts.models import Role, User
from anyun.staff.models import ClinicianProfile, Credential, CredentialKind, Title
from anyun.staff.tests.conftest import EXECUTABLE, pdf_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(make_staff: Callable[..., User]) -> tuple[Client, User]:
    """The system administrator, signed in with both factors (the back office asks for both)."""
    admin_user = make_staff(Role.SYSTEM_ADMIN)
    client = staff_client(admin_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client, admin_user


def _post(client: Client, user: User, department: Any, credential: dict[str, Any]) -> Any:
    data = {
        "user": user.pk,
        "department": department.pk,
        "title": Title.ATTENDING_PHYSICIAN,
        "specialty": "Obstetrics",
        "introduction": "",
        "is_listed": "on",
        "credentials-TOTAL_FORMS": "1",
        "credentials-INITIAL_FORMS": "0",
        "credentials-MIN_NUM_FORMS": "0",
        "credentials-MAX_NUM_FORMS": "1000",
        **{f"credentials-0-{k}": v for k, v in credential.items()},
    }
    return client.post(reverse("admin:staff_clinicianprofile_add"), data)


CREDENTIAL = {
    "kind": CredentialKind.PRACTISING_CERTIFICATE,
    "number": "110440100012345",
    "issuer": "Guangdong Health Commission",
    "valid_from": "2020-01-01",
    "valid_until": "",
}


def test_admin_pages_render(
    admin_client: tuple[Client, User], make_profile: Any, give_all: Any
) -> None:
    client, _admin = admin_client
    profile = make_profile()
    give_all(profile, until=None)
    for name in ("hospital", "department", "clinicianprofile"):
        assert client.get(reverse(f"admin:staff_{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:staff_{name}_add")).status_code == 200
    change = client.get(reverse("admin:staff_clinicianprofile_change", args=[profile.pk]))
    assert change.status_code == 200
    assert "110440100" in change.content.decode()


def test_admin_records_credentials_with_the_recorder(
    admin_client: tuple[Client, User], make_user: Callable[..., User], obstetrics: Any
) -> None:
    client, admin_user = admin_client
    doctor = make_user(Role.CLINICIAN)

    response = _post(
        client,
        doctor,
        obstetrics,
        {**CREDENTIAL, "scan": upload("scan.pdf", pdf_bytes(), "application/pdf")},
    )

    assert response.status_code == 302
    credential = Credential.objects.get()
    assert credential.profile.user == doctor
    assert credential.recorded_by == admin_user
    assert credential.number == "110440100012345"


@pytest.mark.parametrize(
    ("credential", "error"),
    [
        (
            {**CREDENTIAL, "number": "12345"},
            "A practising certificate number has exactly 15 digits.",
        ),
        (
            {**CREDENTIAL, "scan": upload("scan.pdf", EXECUTABLE, "application/pdf")},
            "This file type is not accepted.",
        ),
    ],
)
def test_admin_refuses_what_the_services_refuse(
    credential: dict[str, Any],
    error: str,
    admin_client: tuple[Client, User],
    make_user: Callable[..., User],
    obstetrics: Any,
) -> None:
    client, _admin = admin_client

    response = _post(client, make_user(Role.CLINICIAN), obstetrics, credential)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert ClinicianProfile.objects.count() == 0
    assert Credential.objects.count() == 0
