"""Clinical values as people read them: decimals per sign, units, labels - never a raw code."""

from __future__ import annotations

import ast
import pathlib
from decimal import Decimal
from typing import Any

import pytest
from conftest import staff_client, woman_client
from django.utils import translation

from anyun.clinical import alarms as alarm_rules
from anyun.clinical import red_flags
from anyun.monitoring import display
from anyun.monitoring.models import Alarm, Reading
from anyun.monitoring.tests.conftest import Ward, bp


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (Decimal("4E+1"), 1, "40"),
        (Decimal("1.9E+2"), 0, "190"),
        (Decimal("63.50"), 2, "63.5"),
        (Decimal("5.35"), 1, "5.4"),  # half up, not banker's
        (Decimal("0.00"), 2, "0"),
        (36.6, 1, "36.6"),
        (Decimal("-0.004"), 2, "0"),
    ],
)
def test_numbers_have_no_exponent_and_no_trailing_zeros(
    value: Any, decimals: int, text: str
) -> None:
    assert display.number(value, decimals) == text


def test_each_sign_has_its_unit_in_chinese_and_english() -> None:
    with translation.override("zh-hans"):
        assert display.sign_value("fetal_heart_rate", value=Decimal("1.9E+2")) == "190 次/分"
        assert display.sign_value("fundal_height", value=Decimal("4E+1")) == "40 cm"
        assert display.sign_value("weight", value=Decimal("63.50")) == "63.5 kg"
        assert display.sign_value("glucose", value=Decimal("5.30")) == "5.3 mmol/L"
        assert display.sign_value("blood_pressure", systolic=165, diastolic=112) == "165/112 mmHg"
        assert (
            display.sign_value("symptom_report", symptoms=["headache", "bleeding"])
            == "头痛持续不缓解或加重、阴道出血"
        )
    with translation.override("en"):
        assert display.sign_value("pulse", value=Decimal("88.00")) == "88 bpm"
        assert display.sign_value("temperature", value=Decimal("37.50")) == "37.5 °C"


def _finding_value_keys() -> set[str]:
    """Every key a clinical rule puts in a finding's values (dict literals in the rules)."""
    keys: set[str] = set()
    for module in (alarm_rules, red_flags):
        tree = ast.parse(pathlib.Path(module.__file__ or "").read_text())
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef) or not (
                function.name.startswith("_grade") or function.name == "grade_symptoms"
            ):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Dict):
                    keys |= {
                        k.value
                        for k in node.keys
                        if isinstance(k, ast.Constant) and isinstance(k.value, str)
                    }
    return keys


def test_every_value_a_rule_reports_has_a_label() -> None:
    keys = _finding_value_keys()
    assert {"systolic_limit", "fhr_bpm", "weekly_range_kg"} <= keys  # the scan sees the rules
    assert keys - display.VALUE_FIELDS.keys() == set()


def test_a_findings_values_read_as_words_with_units() -> None:
    values = {
        "systolic": 165,
        "diastolic": 112,
        "systolic_limit": 160,
        "diastolic_limit": 110,
        "symptoms": ["headache"],
        "previous_measured_at": "2026-03-01T02:30:00+00:00",
    }
    with translation.override("zh-hans"):
        rows = dict(display.finding_values(values, "blood_pressure"))
    assert rows["收缩压"] == "165 mmHg"
    assert rows["收缩压界值"] == "160 mmHg"
    assert rows["症状"] == "头痛持续不缓解或加重"
    assert rows["上次测量时间"] == "2026-03-01 10:30"  # Asia/Shanghai, not UTC
    with translation.override("zh-hans"):
        fhr = dict(display.finding_values({"fhr_bpm": 190, "limit": 160}, "fetal_heart_rate"))
        weight = dict(
            display.finding_values(
                {"weekly_range_kg": [0.22, 0.37], "bmi_category": "overweight", "ga": "30+2"},
                "weight",
            )
        )
    assert fhr == {"胎心率": "190 次/分", "界值": "160 次/分"}
    assert weight["推荐每周增重"] == "0.22–0.37 kg"
    assert weight["孕前 BMI"] == "超重"
    assert weight["孕周"] == "30 周 2 天"


@pytest.mark.django_db
def test_clinical_pages_show_values_with_units_and_labels_not_codes(
    ward: Ward, record: Any
) -> None:
    record(bp(165, 112, symptoms=["headache"]))
    record({"kind": "fetal_heart_rate", "value": 190})
    record({"kind": "fundal_height", "value": 40})
    assert Reading.objects.filter(kind="fundal_height").get().value == Decimal("40.00")
    clinic = staff_client(ward.responsible)
    clinic.cookies["django_language"] = "zh-hans"
    worklist = clinic.get("/clinic/alarms/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "190 次/分" in worklist
    assert "E+" not in worklist
    overview = clinic.get(
        f"/clinic/patients/{ward.woman.public_id}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "40 cm" in overview and "E+" not in overview and "40.00" not in overview
    alarm = Alarm.objects.filter(reading__kind="blood_pressure").order_by("-grade_rank").first()
    assert alarm is not None
    detail = clinic.get(
        f"/clinic/alarms/{alarm.public_id}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    for code in ("bp_severe", "systolic=", "systolic_limit", "headache"):
        assert code not in detail.split("<body", 1)[1], code
    assert "收缩压界值 160 mmHg" in detail
    her = woman_client(ward.woman)
    home = her.get("/monitoring/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "190 次/分" in home and "E+" not in home
