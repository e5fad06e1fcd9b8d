"""Staff services: validation of credentials and uploads, idempotent set-up, profiles."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from anyun.accounts.models import Role, User
from anyun.core.errors import DomainError
from anyun.staff.models import ClinicianProfile, Credential, CredentialKind, Department, Title
from anyun.staff.services import (
    clinician_profile_upsert,
    credential_record,
    department_create,
    hospital_ensure,
    photo_set,
)
from anyun.staff.tests.conftest import EXECUTABLE, PRACTISING_NUMBER, pdf_bytes, png_bytes, upload

K = CredentialKind
pytestmark = pytest.mark.django_db


def record(profile: ClinicianProfile, recorder: User, **overrides: Any) -> Credential:
    values: dict[str, Any] = {
        "profile": profile,
        "kind": K.PRACTISING_CERTIFICATE,
        "number": PRACTISING_NUMBER,
        "issuer": "Guangzhou Health Commission",
        "valid_from": date(2020, 1, 1),
        "valid_until": None,
        "recorded_by": recorder,
    }
    values.update(overrides)
    return credential_record(**values)


# --- set-up --------------------------------------------------------------------------------


def test_hospital_ensure_is_idempotent_and_updates_the_name() -> None:
    first = hospital_ensure(code="H9", name="Old name")
    second = hospital_ensure(code="H9", name="New name")

    assert second.pk == first.pk
    second.refresh_from_db()
    assert second.name == "New name"


def test_department_code_is_unique_per_hospital(obstetrics: Department) -> None:
    with pytest.raises(DomainError) as caught:
        department_create(hospital=obstetrics.hospital, name="Obstetrics II", code="OB")
    assert (caught.value.code, caught.value.field) == ("department_exists", "code")

    other = hospital_ensure(code="H2", name="Branch")
    assert department_create(hospital=other, name="Obstetrics", code="OB").hospital == other


# --- profiles ------------------------------------------------------------------------------


def test_profile_only_for_clinicians_nurses_and_pharmacists(
    make_user: Callable[..., User], obstetrics: Department
) -> None:
    for role in (Role.WOMAN, Role.QUALITY_MANAGER, Role.SYSTEM_ADMIN):
        with pytest.raises(DomainError) as caught:
            clinician_profile_upsert(
                user=make_user(role),
                department=obstetrics,
                title=Title.CHIEF_PHYSICIAN,
                specialty="",
                introduction="",
            )
        assert (caught.value.code, caught.value.field) == ("role_not_practising", "user")
    assert ClinicianProfile.objects.count() == 0


def test_profile_title_must_be_known(make_user: Callable[..., User], obstetrics: Any) -> None:
    with pytest.raises(DomainError) as caught:
        clinician_profile_upsert(
            user=make_user(Role.CLINICIAN),
            department=obstetrics,
            title="surgeon general",
            specialty="",
            introduction="",
        )
    assert (caught.value.code, caught.value.field) == ("title_invalid", "title")


def test_profile_upsert_updates_in_place(make_profile: Any, obstetrics: Department) -> None:
    profile = make_profile(title=Title.RESIDENT_PHYSICIAN)
    again = clinician_profile_upsert(
        user=profile.user,
        department=obstetrics,
        title=Title.ATTENDING_PHYSICIAN,
        specialty=" Fetal medicine ",
        introduction="",
        is_listed=False,
    )

    assert again.pk == profile.pk
    assert ClinicianProfile.objects.count() == 1
    assert (again.title, again.specialty, again.is_listed) == (
        Title.ATTENDING_PHYSICIAN,
        "Fetal medicine",
        False,
    )


# --- practising certificate numbers ------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "11044010001234",  # 14 digits
        "1104401000123456",  # 16 digits
        "11044010001234X",
        "110-440-100-012-345",
    ],
)
def test_practising_number_must_be_15_digits(
    number: str, make_profile: Any, recorder: User
) -> None:
    profile = make_profile()
    with pytest.raises(DomainError) as caught:
        record(profile, recorder, number=number)

    assert (caught.value.code, caught.value.field) == ("practising_number_invalid", "number")
    assert Credential.objects.count() == 0


def test_practising_number_in_full_width_digits_is_the_ascii_number(
    make_profile: Any, recorder: User
) -> None:
    credential = record(make_profile(), recorder, number="１１０４４０１０００１２３４５")
    assert credential.number == "110440100012345"


def test_practising_number_spaces_are_removed(make_profile: Any, recorder: User) -> None:
    credential = record(make_profile(), recorder, number=" 11044 01000 12345 ")
    assert credential.number == PRACTISING_NUMBER


def test_other_credentials_take_free_text_numbers(make_profile: Any, recorder: User) -> None:
    credential = record(make_profile(), recorder, kind=K.MCH_CERTIFICATE, number="粤母婴 2023-118")
    assert credential.number == "粤母婴2023-118"


def test_practising_number_belongs_to_one_clinician(make_profile: Any, recorder: User) -> None:
    first = make_profile()
    record(first, recorder)
    # The same doctor may re-record it on renewal.
    record(first, recorder, valid_from=date(2024, 1, 1))

    with pytest.raises(DomainError) as caught:
        record(make_profile(), recorder)
    assert (caught.value.code, caught.value.field) == ("practising_number_taken", "number")
    assert Credential.objects.count() == 2


def test_recording_the_same_credential_twice_is_refused(make_profile: Any, recorder: User) -> None:
    profile = make_profile()
    record(profile, recorder)
    with pytest.raises(DomainError) as caught:
        record(profile, recorder)
    assert caught.value.code == "credential_duplicate"
    assert Credential.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"kind": "driving_licence"}, "credential_kind_invalid", "kind"),
        ({"number": "  "}, "credential_number_required", "number"),
        ({"issuer": " "}, "credential_issuer_required", "issuer"),
        ({"valid_until": date(2019, 12, 31)}, "credential_dates_invalid", "valid_until"),
    ],
)
def test_credential_validation(
    overrides: dict[str, Any], code: str, field: str, make_profile: Any, recorder: User
) -> None:
    with pytest.raises(DomainError) as caught:
        record(make_profile(), recorder, **overrides)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert Credential.objects.count() == 0


def test_valid_until_equal_to_valid_from_is_one_valid_day(
    make_profile: Any, recorder: User
) -> None:
    credential = record(make_profile(), recorder, valid_until=date(2020, 1, 1))
    assert credential.is_valid_on(date(2020, 1, 1)) is True
    assert credential.is_valid_on(date(2020, 1, 2)) is False


# --- scans ---------------------------------------------------------------------------------


def test_executable_scan_is_refused(make_profile: Any, recorder: User) -> None:
    scan = upload("certificate.pdf", EXECUTABLE, "application/pdf")
    with pytest.raises(DomainError) as caught:
        record(make_profile(), recorder, scan=scan)

    assert (caught.value.code, caught.value.field) == ("upload_type", "scan")
    assert Credential.objects.count() == 0
    assert not (Path(settings.MEDIA_ROOT) / "staff").exists()


def test_pdf_and_image_scans_are_stored_under_their_real_type(
    make_profile: Any, recorder: User
) -> None:
    profile = make_profile()
    pdf = record(profile, recorder, scan=upload("scan.exe", pdf_bytes()))
    image = record(
        profile,
        recorder,
        kind=K.MCH_CERTIFICATE,
        number="MCH-1",
        scan=upload("scan.pdf", png_bytes()),
    )

    assert pdf.scan.name.startswith("staff/credentials/")
    assert pdf.scan.name.endswith("/scan.pdf")
    assert image.scan.name.endswith("/scan.png")
    assert pdf.scan.read() == pdf_bytes()


# --- photos --------------------------------------------------------------------------------


def test_photo_set_checks_content_and_replaces_the_old_file(
    make_profile: Any, django_capture_on_commit_callbacks: Any
) -> None:
    profile = make_profile()
    with django_capture_on_commit_callbacks(execute=True):
        photo_set(profile=profile, photo=upload("me.jpg", png_bytes()))
    first = profile.photo.name
    assert first.endswith("/photo.png")
    assert profile.photo.storage.exists(first)

    with django_capture_on_commit_callbacks(execute=True):
        photo_set(profile=profile, photo=upload("me2.png", png_bytes((16, 16))))
    profile.refresh_from_db()
    assert profile.photo.name != first
    assert profile.photo.storage.exists(profile.photo.name)
    assert not profile.photo.storage.exists(first)

    with django_capture_on_commit_callbacks(execute=True):
        photo_set(profile=profile, photo=None)
    profile.refresh_from_db()
    assert not profile.photo


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (EXECUTABLE, "upload_type"),
        (pdf_bytes(), "upload_type"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "upload_corrupt"),
    ],
)
def test_photo_must_be_a_real_image(content: bytes, code: str, make_profile: Any) -> None:
    profile = make_profile()
    with pytest.raises(DomainError) as caught:
        photo_set(profile=profile, photo=upload("me.png", content, "image/png"))

    assert (caught.value.code, caught.value.field) == (code, "photo")
    profile.refresh_from_db()
    assert not profile.photo
