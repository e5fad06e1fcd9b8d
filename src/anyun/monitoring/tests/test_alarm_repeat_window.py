"""A repeat blood pressure joins only a first high one inside the confirmation window; a
confirming or graver finding always reaches a clinician; symptoms of the whole check-in
count for the blood pressure; a normal repeat shows its outcome, not the old instruction."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from anyun.clinical.alarm_thresholds import DEFAULT_POLICY, DEFAULT_THRESHOLDS
from anyun.monitoring import services
from anyun.monitoring.messages import NORMAL_REPEAT_TEXT, action_text
from anyun.monitoring.models import Alarm
from anyun.monitoring.services import readings as readings_service
from anyun.monitoring.tests.conftest import Ward, ago, bp
from anyun.notify.models import Notification

pytestmark = pytest.mark.django_db


def _told(ward: Ward) -> int:
    return Notification.objects.filter(kind="alarm", recipient=ward.responsible).count()


def test_an_old_advice_first_high_does_not_swallow_a_confirmed_one(
    ward: Ward, record: Any, monkeypatch: Any
) -> None:
    advice = dataclasses.replace(DEFAULT_POLICY, first_high_bp_grade="advice")
    monkeypatch.setattr(readings_service, "grading_settings", lambda: (DEFAULT_THRESHOLDS, advice))
    (old,) = record(bp(150, 95, measured_at=ago(days=10))).alarms
    (first,) = record(bp(150, 95, measured_at=ago(hours=5))).alarms
    assert first.pk != old.pk and first.rule == "bp_high_first"
    (confirmed,) = record(bp(150, 96)).alarms
    assert confirmed.pk == first.pk
    assert (confirmed.grade, confirmed.status, confirmed.confirmation) == (
        "attention",
        "open",
        "confirmed",
    )
    assert confirmed.assigned_to == ward.responsible
    assert _told(ward) == 1
    old.refresh_from_db()
    assert ([f["rule"] for f in old.findings], old.grade) == (["bp_high_first"], "advice")


def test_an_old_acknowledged_first_high_does_not_swallow_a_confirmed_one(
    ward: Ward, record: Any
) -> None:
    (old,) = record(bp(150, 95, measured_at=ago(days=10))).alarms
    services.alarm_acknowledge(actor=ward.responsible, alarm_public_id=old.public_id)
    (first,) = record(bp(150, 95, measured_at=ago(hours=5))).alarms
    assert first.pk != old.pk
    (confirmed,) = record(bp(150, 96)).alarms
    assert (confirmed.pk, confirmed.grade, confirmed.confirmation) == (
        first.pk,
        "attention",
        "confirmed",
    )
    assert confirmed.assigned_to == ward.responsible
    assert _told(ward) == 2  # the old alarm, then the new first high
    old.refresh_from_db()
    assert [f["rule"] for f in old.findings] == ["bp_high_first"]


def test_a_confirming_repeat_of_an_acknowledged_alarm_reaches_a_clinician_again(
    ward: Ward, record: Any
) -> None:
    (first,) = record(bp(150, 95, measured_at=ago(hours=5))).alarms
    services.alarm_acknowledge(actor=ward.responsible, alarm_public_id=first.public_id)
    assert _told(ward) == 1
    (alarm,) = record(bp(150, 96)).alarms
    assert (alarm.grade, alarm.status, alarm.rule) == ("attention", "open", "bp_high_confirmed")
    assert alarm.assigned_to == ward.responsible
    assert _told(ward) == 2
    first.refresh_from_db()
    assert (first.status, first.confirmation) == ("acknowledged", "confirmed")


def test_a_repeat_eight_days_later_raises_its_own_first_high_alarm(ward: Ward, record: Any) -> None:
    (old,) = record(bp(150, 95, measured_at=ago(days=8))).alarms
    (new,) = record(bp(150, 95)).alarms
    assert new.pk != old.pk
    assert (new.rule, new.confirmation, new.grade) == ("bp_high_first", "unconfirmed", "attention")
    old.refresh_from_db()
    assert [f["rule"] for f in old.findings] == ["bp_high_first"]
    assert Alarm.objects.count() == 2


def test_warning_symptoms_reported_beside_the_bp_make_it_urgent(ward: Ward, record: Any) -> None:
    result = record(bp(150, 95), {"kind": "symptom_report", "symptoms": ["epigastric_pain"]})
    alarm = result.alarms[0]
    assert alarm.grade == "urgent"
    rules = [f["rule"] for f in alarm.findings]
    assert "bp_high_with_symptoms" in rules and "bp_high_first" not in rules
    row = next(f for f in alarm.findings if f["rule"] == "bp_high_with_symptoms")
    assert row["values"]["symptoms"] == ["epigastric_pain"]
    assert row["reading"] == str(result.readings[0].public_id)
    assert result.readings[0].symptoms == []  # what she recorded is not rewritten
    assert result.highest_grade == "urgent"


def test_a_normal_repeat_shows_its_outcome_not_the_old_instruction(ward: Ward, record: Any) -> None:
    from conftest import woman_client

    from anyun.accounts.services import api_token_issue

    record(bp(150, 95, measured_at=ago(hours=5)))
    api = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=ward.woman)}")
    body = {"items": [bp(122, 78)]}
    response = api.post("/api/v1/monitoring/readings", body, content_type="application/json")
    assert response.status_code == 201
    data = response.json()
    assert data["highest_grade"] is None
    (alarm,) = data["alarms"]
    assert alarm["confirmation"] == "normal_on_repeat"
    batch = Alarm.objects.get().repeat_reading.batch
    html = woman_client(ward.woman).get(f"/monitoring/checkins/{batch}/").content.decode()
    with translation.override("zh-hans"):
        old = str(action_text("repeat_bp_4h"))
        outcome = str(NORMAL_REPEAT_TEXT)
    assert old not in html
    assert outcome in html
    assert 'data-testid="alarm-repeat-outcome"' in html
