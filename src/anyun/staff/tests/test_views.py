"""Public pages: directory, profile, photo and licence lookup, as an anonymous visitor sees them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from anyun.accounts.models import Role, User
from anyun.staff.models import CredentialKind, Title
from anyun.staff.services import credential_record, photo_set
from anyun.staff.tests.conftest import pdf_bytes, png_bytes, upload

K = CredentialKind
pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def li_hua(make_profile: Any, give_all: Any, give: Any) -> Any:
    profile = make_profile(
        name="Li Hua",
        title=Title.CHIEF_PHYSICIAN,
        specialty="Hypertensive disorders of pregnancy",
        introduction="Leads the high-risk pregnancy clinic.",
        is_department_head=True,
    )
    give_all(profile, until=timezone.localdate() + timedelta(days=400), skip=K.MCH_CERTIFICATE)
    return profile


def test_directory_shows_listed_clinicians_to_anonymous_visitors(
    visitor: Client, li_hua: Any, make_profile: Any, pharmacy: Any
) -> None:
    make_profile(Role.PHARMACIST, name="Wang Fang", title=Title.PHARMACIST, department=pharmacy)
    make_profile(name="Hidden Doctor", is_listed=False)

    response = visitor.get(reverse("staff:directory"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Our clinicians" in page
    assert "Li Hua" in page
    assert "Chief physician" in page
    assert "Hypertensive disorders of pregnancy" in page
    assert "Head of department" in page
    assert "Wang Fang" in page
    assert "Hidden Doctor" not in page
    assert reverse("staff:profile", args=[li_hua.public_id]) in page
    assert f'<option value="{pharmacy.public_id}">Pharmacy</option>' in page


def test_directory_filters_by_department_and_search(
    visitor: Client, li_hua: Any, make_profile: Any, pharmacy: Any
) -> None:
    make_profile(Role.PHARMACIST, name="Wang Fang", title=Title.PHARMACIST, department=pharmacy)

    by_department = visitor.get(reverse("staff:directory"), {"department": pharmacy.public_id})
    by_text = visitor.get(reverse("staff:directory"), {"q": "hypertensive"})
    nothing = visitor.get(reverse("staff:directory"), {"q": "dermatology"})
    bad_department = visitor.get(reverse("staff:directory"), {"department": "not-a-uuid"})

    assert "Wang Fang" in by_department.content.decode()
    assert "Li Hua" not in by_department.content.decode()
    assert "Li Hua" in by_text.content.decode()
    assert "Wang Fang" not in by_text.content.decode()
    for response in (nothing, bad_department):
        assert response.status_code == 200
        assert "No clinicians match your search." in response.content.decode()


def test_profile_shows_introduction_and_credential_status(
    visitor: Client, li_hua: Any, give: Any
) -> None:
    give(li_hua, K.MCH_CERTIFICATE, until=timezone.localdate() + timedelta(days=10))
    practising = li_hua.credentials.get(kind=K.PRACTISING_CERTIFICATE).number
    registration = li_hua.credentials.get(kind=K.HOSPITAL_REGISTRATION).number

    response = visitor.get(reverse("staff:profile", args=[li_hua.public_id]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Li Hua" in page
    assert "Leads the high-risk pregnancy clinic." in page
    assert "Practising certificate" in page
    assert practising in page
    assert registration not in page
    assert registration[:2] + "*" in page
    assert "Guangdong Health Commission" in page
    assert 'staff-status-expiring_soon">Expires soon</span>' in page
    assert page.count('staff-status-valid">Valid</span>') == 3


def test_profile_never_links_credential_scans(visitor: Client, li_hua: Any, recorder: User) -> None:
    credential = credential_record(
        profile=li_hua,
        kind=K.MCH_CERTIFICATE,
        number="MCH-77",
        issuer="Guangdong Health Commission",
        valid_from=timezone.localdate(),
        valid_until=None,
        scan=upload("scan.pdf", pdf_bytes()),
        recorded_by=recorder,
    )

    page = visitor.get(reverse("staff:profile", args=[li_hua.public_id])).content.decode()

    assert credential.scan.name not in page
    assert "/media/" not in page


def test_unlisted_or_unknown_profile_is_404(visitor: Client, make_profile: Any) -> None:
    hidden = make_profile(name="Hidden Doctor", is_listed=False)

    assert visitor.get(reverse("staff:profile", args=[hidden.public_id])).status_code == 404
    assert visitor.get(reverse("staff:profile", args=[uuid.uuid4()])).status_code == 404


def test_photo_of_a_listed_profile_is_served(visitor: Client, li_hua: Any) -> None:
    photo_set(profile=li_hua, photo=upload("me.jpg", png_bytes()))

    response = visitor.get(reverse("staff:photo", args=[li_hua.public_id]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.getvalue() == png_bytes()
    page = visitor.get(reverse("staff:directory")).content.decode()
    assert reverse("staff:photo", args=[li_hua.public_id]) in page


def test_photo_of_an_unlisted_profile_is_404(visitor: Client, make_profile: Any) -> None:
    hidden = make_profile(name="Hidden Doctor", is_listed=False)
    photo_set(profile=hidden, photo=upload("me.png", png_bytes()))
    no_photo = make_profile(name="No Photo")

    assert visitor.get(reverse("staff:photo", args=[hidden.public_id])).status_code == 404
    assert visitor.get(reverse("staff:photo", args=[no_photo.public_id])).status_code == 404
    assert visitor.get(reverse("staff:photo", args=[uuid.uuid4()])).status_code == 404


def test_lookup_empty_state(visitor: Client) -> None:
    response = visitor.get(reverse("staff:lookup"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Electronic licence lookup" in page
    assert "Enter a name or a certificate number" in page


def test_lookup_without_result_says_so(visitor: Client, li_hua: Any) -> None:
    response = visitor.get(reverse("staff:lookup"), {"q": "<b>Nobody</b>"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "No clinician of this hospital matches" in page
    assert "&lt;b&gt;Nobody&lt;/b&gt;" in page
    assert "<b>Nobody</b>" not in page


def test_lookup_by_number_and_by_name(visitor: Client, li_hua: Any, make_profile: Any) -> None:
    make_profile(name="Li Na")
    number = li_hua.credentials.get(kind=K.PRACTISING_CERTIFICATE).number

    by_number = visitor.get(reverse("staff:lookup"), {"q": number}).content.decode()
    by_name = visitor.get(reverse("staff:lookup"), {"q": "Li"}).content.decode()

    assert "Li Hua" in by_number
    assert "Li Na" not in by_number
    assert number in by_number
    assert 'staff-status-valid">Valid</span>' in by_number
    assert "Li Hua" in by_name
    assert "Li Na" in by_name


@pytest.mark.parametrize("role", [Role.WOMAN, Role.CLINICIAN, Role.SYSTEM_ADMIN])
def test_pages_render_for_signed_in_users_too(
    role: str, make_user: Callable[..., User], li_hua: Any
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_user(role))
    for url in (
        reverse("staff:directory"),
        reverse("staff:profile", args=[li_hua.public_id]),
        reverse("staff:lookup") + "?q=Li",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "Li Hua" in response.content.decode()


def test_credential_warnings_partial(make_profile: Any, give: Any) -> None:
    from django.template.loader import render_to_string
    from django.utils import translation

    from anyun.staff.selectors import credential_warnings_for

    profile = make_profile()
    give(profile, K.MCH_CERTIFICATE, until=timezone.localdate() + timedelta(days=3))
    with translation.override("en"):
        html = render_to_string(
            "staff/_credential_warnings.html",
            {"credential_warnings": credential_warnings_for(profile.user)},
        )
        empty = render_to_string("staff/_credential_warnings.html", {"credential_warnings": []})

    assert "Your credentials need attention" in html
    assert "Maternal and child health technology assessment certificate" in html
    assert empty.strip() == ""
