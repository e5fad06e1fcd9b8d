"""The hospital's validated wording loads from the files ANYUN_SCALE_WORDING_FILES names,
without a code change; the scoring never changes with it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import woman_client
from django.core.exceptions import ImproperlyConfigured

from anyun.monitoring.tests.conftest import Ward
from anyun.wellbeing import services
from anyun.wellbeing.models import Screening
from anyun.wellbeing.wording import wording_current, wording_files_check

pytestmark = pytest.mark.django_db


def _gad7_file(path: Path, prompt: str = "医院文本") -> Path:
    items = [
        {"number": n, "prompt": f"{prompt} {n}", "options": ["甲", "乙", "丙", "丁"]}
        for n in range(1, 8)
    ]
    body = {
        "instrument": "gad7",
        "languages": {
            "zh-Hans": {"title": "医院 GAD-7", "instructions": "医院说明", "items": items}
        },
    }
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_hospital_wording_is_shown_and_recorded(
    ward: Ward, settings: Any, tmp_path: Path
) -> None:
    settings.ANYUN_SCALE_WORDING_FILES = [str(_gad7_file(tmp_path / "gad7.json"))]
    wording = wording_current("gad7", "zh-hans")
    assert (wording.text.title, wording.text.demonstration) == ("医院 GAD-7", False)
    page = woman_client(ward.woman).get("/wellbeing/screen/gad7/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert "医院文本 3" in html and 'data-testid="demo-wording"' not in html
    # English has no hospital text: ours, marked for demonstration.
    assert wording_current("gad7", "en").text.demonstration is True
    # EPDS has no file: ours.
    assert wording_current("epds", "zh-hans").text.demonstration is True
    services.screening_submit(
        actor=ward.woman,
        woman=ward.woman,
        instrument="gad7",
        answers={n: 3 for n in range(1, 8)},
        language="zh-hans",
    )
    s = Screening.objects.get()
    assert (s.wording_demonstration, s.wording_source, s.wording_version) == (
        False,
        "gad7.json",
        wording.version,
    )
    assert s.total == 21  # the text changes nothing in the scoring


def test_a_changed_file_is_read_again(settings: Any, tmp_path: Path) -> None:
    path = _gad7_file(tmp_path / "gad7.json")
    settings.ANYUN_SCALE_WORDING_FILES = [str(path)]
    first = wording_current("gad7", "zh-hans")
    _gad7_file(path, prompt="第二版")
    stat = path.stat()
    os.utime(path, (stat.st_atime, stat.st_mtime + 5))
    second = wording_current("gad7", "zh-hans")
    assert second.text.items[0].prompt == "第二版 1"
    assert second.version != first.version


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        json.dumps({"instrument": "gad7", "languages": {"zh-Hans": {"title": "x"}}}),
        json.dumps({"instrument": "bdi", "languages": {}}),
    ],
)
def test_a_file_that_does_not_fit_its_scale_refuses_to_start(
    settings: Any, tmp_path: Path, content: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    settings.ANYUN_SCALE_WORDING_FILES = [str(path)]
    with pytest.raises(ImproperlyConfigured, match="bad.json"):
        wording_files_check()


def test_a_missing_file_refuses_to_start(settings: Any, tmp_path: Path) -> None:
    settings.ANYUN_SCALE_WORDING_FILES = [str(tmp_path / "absent.json")]
    with pytest.raises(ImproperlyConfigured, match="absent.json"):
        wording_files_check()
