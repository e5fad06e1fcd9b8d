"""Glucose self-monitoring targets are those of known GDM/PGDM (DOMAIN.md s.5): a woman
without the diagnosis who records a glucose value above them raises no alarm; with an open
GDM or PGDM diagnosis of her current pregnancy she gets the attention alarm. The urgent
bounds (hypoglycaemia, very high) apply to every woman. Whether she has the diagnosis is read
in the same statement as her token and readiness (the query budget holds)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from anyun.accounts.services import api_token_issue
from anyun.careteam.services import care_team_assign
from anyun.clinical.risk_tables import Diagnosis
from anyun.monitoring import services
from anyun.monitoring.models import Alarm
from anyun.monitoring.selectors import sign_history_rows, trend_for
from anyun.monitoring.tests.conftest import Ward
from anyun.pregnancy.selectors import current_pregnancy_of, woman_gate
from anyun.pregnancy.services import diagnoses_set, diagnosis_end

pytestmark = pytest.mark.django_db

FASTING_5_6 = {"kind": "glucose", "value": "5.6", "glucose_context": "fasting"}


def _diagnose(ward: Ward, code: str) -> None:
    pregnancy = current_pregnancy_of(ward.woman)
    assert pregnancy is not None
    diagnoses_set(actor=ward.responsible, pregnancy=pregnancy, codes=[code])


def test_without_the_diagnosis_a_fasting_5_6_raises_no_alarm(
    ward: Ward, record: Callable[..., services.RecordResult]
) -> None:
    result = record(FASTING_5_6)
    assert result.alarms == []
    assert result.highest_grade is None
    assert not Alarm.objects.filter(woman=ward.woman).exists()


@pytest.mark.parametrize("code", [Diagnosis.GDM, Diagnosis.PGDM])
def test_with_gdm_or_pgdm_a_fasting_5_6_raises_the_attention_alarm(
    ward: Ward, record: Callable[..., services.RecordResult], code: str
) -> None:
    _diagnose(ward, code)
    result = record(FASTING_5_6)
    (alarm,) = result.alarms
    assert (alarm.rule, alarm.grade, alarm.action) == (
        "glucose_above_target",
        "attention",
        "contact_clinician_24h",
    )
    assert alarm.values["limit"] == 5.3
    assert alarm.assigned_to == ward.responsible  # routed like any attention alarm


def test_another_diagnosis_or_an_ended_one_is_not_diabetes(
    ward: Ward, record: Callable[..., services.RecordResult]
) -> None:
    _diagnose(ward, Diagnosis.CHRONIC_HYPERTENSION)
    assert record(FASTING_5_6).alarms == []
    _diagnose(ward, Diagnosis.GDM)
    pregnancy = current_pregnancy_of(ward.woman)
    assert pregnancy is not None
    assert woman_gate(ward.woman).diabetes is True
    diagnosis_end(actor=ward.responsible, pregnancy=pregnancy, code=Diagnosis.GDM)
    assert woman_gate(ward.woman).diabetes is False
    assert record(FASTING_5_6).alarms == []


def test_another_womans_diagnosis_does_not_count(
    ward: Ward, record: Callable[..., services.RecordResult]
) -> None:
    other = current_pregnancy_of(ward.other_woman)
    assert other is not None
    care_team_assign(actor=ward.head, woman=ward.other_woman, member=ward.responsible)
    diagnoses_set(actor=ward.responsible, pregnancy=other, codes=[Diagnosis.GDM])
    assert woman_gate(ward.other_woman).diabetes is True
    assert woman_gate(ward.woman).diabetes is False
    assert record(FASTING_5_6).alarms == []


@pytest.mark.parametrize(("value", "rule"), [("3.1", "glucose_low"), ("11.2", "glucose_very_high")])
def test_the_urgent_bounds_apply_to_every_woman(
    ward: Ward, record: Callable[..., services.RecordResult], value: str, rule: str
) -> None:
    (alarm,) = record({"kind": "glucose", "value": value, "glucose_context": "random"}).alarms
    assert (alarm.rule, alarm.grade) == (rule, "urgent")


def _submit(api: Client, items: list[dict[str, Any]]) -> Any:
    return api.post(
        "/api/v1/monitoring/readings",
        {"items": items},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )


def test_over_the_api_the_diagnosis_is_read_with_the_token(ward: Ward) -> None:
    """The gate read carries 'has diabetes': the attention alarm costs no extra statement
    for the look-up (the same budget as any other routed reading)."""
    api = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=ward.woman)}")
    assert _submit(api, [{"kind": "pulse", "value": 80}]).status_code == 201  # warm
    plain = _submit(api, [FASTING_5_6])
    assert (plain.status_code, plain.json()["alarms"]) == (201, [])
    _diagnose(ward, Diagnosis.GDM)
    assert _submit(api, [{"kind": "pulse", "value": 80}]).status_code == 201  # warm again
    with CaptureQueriesContext(connection) as captured:
        diagnosed = _submit(api, [FASTING_5_6])
    assert diagnosed.status_code == 201
    assert diagnosed.json()["highest_grade"] == "attention"
    assert [a["rule"] for a in diagnosed.json()["alarms"]] == ["glucose_above_target"]
    with CaptureQueriesContext(connection) as plain_captured:
        normal = _submit(api, [{"kind": "glucose", "value": "5.0", "glucose_context": "fasting"}])
    assert (normal.status_code, normal.json()["alarms"]) == (201, [])
    # The routed reading adds only the alarm, its event and the job to a normal one (and on
    # PostgreSQL the NOTIFY that wakes the queue workers).
    woken = 1 if connection.vendor == "postgresql" else 0
    assert len(captured.captured_queries) == len(plain_captured.captured_queries) + 3 + woken


def test_the_glucose_chart_draws_the_targets_only_with_the_diagnosis(
    ward: Ward, record: Callable[..., services.RecordResult]
) -> None:
    readings = record(FASTING_5_6).readings
    assert trend_for(ward.woman, kind="glucose", readings=readings).lines == []
    assert [row.reading for row in sign_history_rows(readings)] == readings
    assert [row.flag for row in sign_history_rows(readings)] == [None]
    _diagnose(ward, Diagnosis.GDM)
    lines = trend_for(ward.woman, kind="glucose", readings=readings).lines
    assert [value for value, _label in lines] == [5.3, 6.7, 7.8]
    (row,) = sign_history_rows(readings)
    assert row.flag is not None and row.flag.code == "high"
