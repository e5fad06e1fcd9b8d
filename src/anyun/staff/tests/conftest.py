"""Staff test world: a hospital, two departments, and helpers that go through the services."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from anyun.accounts.models import Role, User
from anyun.staff.models import ClinicianProfile, CredentialKind, Department, Title
from anyun.staff.services import (
    clinician_profile_upsert,
    credential_record,
    department_create,
    hospital_ensure,
)

PRACTISING_NUMBER = "110440100012345"
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 512


def png_bytes(size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 60, 120)).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def hospital(db: Any) -> Any:
    return hospital_ensure(code="H001", name="Anyun Maternity Hospital")


@pytest.fixture
def obstetrics(hospital: Any) -> Department:
    return department_create(hospital=hospital, name="Obstetrics", code="OB")


@pytest.fixture
def pharmacy(hospital: Any) -> Department:
    return department_create(hospital=hospital, name="Pharmacy", code="PH")


@pytest.fixture
def recorder(make_user: Callable[..., User]) -> User:
    return make_user(Role.SYSTEM_ADMIN, display_name="Records Office")


@pytest.fixture
def make_profile(
    make_user: Callable[..., User], obstetrics: Department
) -> Callable[..., ClinicianProfile]:
    def make(
        role: str = Role.CLINICIAN,
        *,
        name: str | None = None,
        department: Department | None = None,
        title: str = Title.ATTENDING_PHYSICIAN,
        specialty: str = "High-risk pregnancy",
        introduction: str = "Twenty years of obstetric practice.",
        is_listed: bool = True,
        is_department_head: bool = False,
    ) -> ClinicianProfile:
        extra = {"display_name": name} if name else {}
        user = make_user(role, **extra)
        return clinician_profile_upsert(
            user=user,
            department=department or obstetrics,
            title=title,
            specialty=specialty,
            introduction=introduction,
            is_listed=is_listed,
            is_department_head=is_department_head,
        )

    return make


NUMBERS: dict[str, str] = {
    CredentialKind.PRACTISING_CERTIFICATE: PRACTISING_NUMBER,
    CredentialKind.HOSPITAL_REGISTRATION: "REG-2024-0007",
    CredentialKind.MCH_CERTIFICATE: "MCH-GD-2023-118",
    CredentialKind.INTERNET_ADMISSION: "NET-2024-0031",
}


@pytest.fixture
def give(recorder: User) -> Callable[..., Any]:
    """Record a credential of `kind` valid from a year ago until `until` (None = no expiry)."""

    _counter = iter(range(1, 10_000))

    def record(
        profile: ClinicianProfile,
        kind: str,
        *,
        until: date | None,
        start: date | None = None,
        number: str | None = None,
    ) -> Any:
        start = start or date(2020, 1, 1)
        if number is None:
            number = NUMBERS[kind]
            if kind == CredentialKind.PRACTISING_CERTIFICATE:
                number = f"{110440100000000 + profile.pk:015d}"
            else:
                number = f"{number}-{profile.pk}-{next(_counter)}"
        return credential_record(
            profile=profile,
            kind=kind,
            number=number,
            issuer="Guangdong Health Commission",
            valid_from=start,
            valid_until=until,
            recorded_by=recorder,
        )

    return record


@pytest.fixture
def give_all(give: Callable[..., Any]) -> Callable[..., None]:
    def record_all(profile: ClinicianProfile, *, until: date | None, skip: str = "") -> None:
        for kind in CredentialKind.values:
            if kind != skip:
                give(profile, kind, until=until)

    return record_all


def days_from(day: date, n: int) -> date:
    return day + timedelta(days=n)
