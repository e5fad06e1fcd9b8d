"""Every kind of notification the apps send is shown in words, never as its code."""

from __future__ import annotations

import ast
import pathlib

import pytest
from django.utils import translation

import anyun
from anyun.notify.kinds import KIND_LABELS, kind_label
from anyun.staff.services import NOTIFICATION_KIND_CREDENTIAL_EXPIRY

SOURCE = pathlib.Path(anyun.__file__).parent


def _sent_kinds() -> set[str]:
    kinds: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "notification_send":
                kinds |= {
                    k.value.value
                    for k in node.keywords
                    if k.arg == "kind"
                    and isinstance(k.value, ast.Constant)
                    and isinstance(k.value.value, str)
                }
            # Helpers that pass the kind on: kind="..." given to any call in monitoring.
            if (
                isinstance(node, ast.keyword)
                and node.arg == "kind"
                and "services" in path.parts
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                kinds.add(node.value.value)
    return kinds


def test_every_kind_sent_has_a_label() -> None:
    kinds = _sent_kinds() | {NOTIFICATION_KIND_CREDENTIAL_EXPIRY, "login_code", "security"}
    assert {"alarm", "monitoring_reminder", "care_team"} <= kinds  # the scan sees the calls
    signs = {"blood_pressure", "glucose", "weight", "fundal_height", "abdominal_circumference"}
    signs |= {"fetal_movements", "symptom_report", "fetal_heart_rate", "temperature", "pulse"}
    assert kinds - signs - KIND_LABELS.keys() == set()


@pytest.mark.parametrize(
    ("code", "text"),
    [("alarm", "预警"), ("monitoring_reminder", "监测提醒"), ("unknown_kind", "其他消息")],
)
def test_kinds_in_chinese(code: str, text: str) -> None:
    with translation.override("zh-hans"):
        assert kind_label(code) == text
