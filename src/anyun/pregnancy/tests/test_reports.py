"""Exam report uploads: a failed insert leaves no file behind; limits refused, not cut."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from anyun.core.errors import DomainError
from anyun.pregnancy import services
from anyun.pregnancy.models import ExamReport
from anyun.pregnancy.selectors import current_pregnancy_of

pytestmark = pytest.mark.django_db


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return SimpleUploadedFile("scan.png", buffer.getvalue(), content_type="image/png")


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_an_upload_whose_insert_fails_leaves_no_file(
    make_woman: Any, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.MEDIA_ROOT = tmp_path
    woman = make_woman(pregnant_weeks=20)
    pregnancy = current_pregnancy_of(woman)

    def fail(**kwargs: Any) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "_audit_upload", fail)
    with pytest.raises(RuntimeError):
        services.report_upload(actor=woman, pregnancy=pregnancy, upload=_png(), title="B超")
    assert not ExamReport.objects.exists()
    assert _files(tmp_path) == []


def test_a_stored_upload_keeps_its_file(make_woman: Any, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    woman = make_woman(pregnant_weeks=20)
    report = services.report_upload(
        actor=woman, pregnancy=current_pregnancy_of(woman), upload=_png(), title="B超"
    )
    assert [p.name for p in _files(tmp_path)] == [Path(report.file.name).name]


def test_a_title_past_the_limit_is_refused_not_cut(make_woman: Any) -> None:
    woman = make_woman(pregnant_weeks=20)
    with pytest.raises(DomainError) as err:
        services.report_upload(
            actor=woman, pregnancy=current_pregnancy_of(woman), upload=_png(), title="超" * 201
        )
    assert (err.value.code, err.value.field) == ("text_too_long", "title")
    assert not ExamReport.objects.exists()
