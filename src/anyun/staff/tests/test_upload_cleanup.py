"""A photo or a certificate scan whose row is not stored leaves no file behind."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from anyun.core.errors import DomainError
from anyun.staff import services
from anyun.staff.models import ClinicianProfile, Credential, CredentialKind

pytestmark = pytest.mark.django_db


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return SimpleUploadedFile("x.png", buffer.getvalue(), content_type="image/png")


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_photo_whose_save_fails_leaves_no_file(
    make_profile: Any, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = make_profile()

    def fail(self: Any, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(ClinicianProfile, "save", fail)
    with pytest.raises(RuntimeError):
        services.photo_set(profile=profile, photo=_png())
    assert _files(media) == []


def test_a_scan_whose_credential_is_refused_leaves_no_file(
    make_profile: Any, recorder: Any, media: Path
) -> None:
    profile = make_profile()
    values: dict[str, Any] = {
        "profile": profile,
        "kind": CredentialKind.HOSPITAL_REGISTRATION,
        "number": "REG-1",
        "issuer": "Hospital",
        "valid_from": date(2020, 1, 1),
        "valid_until": None,
        "recorded_by": recorder,
    }
    services.credential_record(**values, scan=_png())
    assert len(_files(media)) == 1
    with pytest.raises(DomainError):  # the same credential again: refused
        services.credential_record(**values, scan=_png())
    assert len(_files(media)) == 1
    assert Credential.objects.count() == 1
