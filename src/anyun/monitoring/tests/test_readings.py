"""FA-3, FB-9, FIN-1: recording readings, grading them (DOMAIN.md s.5) and raising alarms."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from anyun.audit.models import AuditEvent
from anyun.core.errors import DomainError, NotFound, PermissionDenied
from anyun.monitoring import services
from anyun.monitoring.models import Alarm, AlarmEvent, Reading
from anyun.monitoring.tests.conftest import Ward, ago, bp
from anyun.notify.models import Delivery, Notification

pytestmark = pytest.mark.django_db


def test_severe_bp_raises_an_urgent_alarm_routed_to_her_responsible_clinician(
    ward: Ward, record: Any
) -> None:
    """bp_severe: SBP >= 160 or DBP >= 110, 妊娠期高血压疾病诊治指南 2020 [S]."""
    before = timezone.now()
    result = record(bp(165, 112))
    (alarm,) = result.alarms
    assert (alarm.grade, alarm.rule, alarm.action) == ("urgent", "bp_severe", "seek_care_now")
    assert alarm.confidence == "S" and "2020" in alarm.source
    assert alarm.assigned_to == ward.responsible
    assert alarm.escalate_at is not None
    assert (
        before + dt.timedelta(minutes=15)
        <= alarm.escalate_at
        <= timezone.now() + dt.timedelta(minutes=15)
    )
    note = Notification.objects.get(kind="alarm", recipient=ward.responsible)
    assert note.link == f"/clinic/alarms/{alarm.public_id}/"
    assert note.payload["grade"] == "urgent"
    assert sorted(Delivery.objects.filter(notification=note).values_list("channel", flat=True)) == [
        "in_app",
        "push",
    ]
    assert list(AlarmEvent.objects.filter(alarm=alarm).values_list("kind", "recipient")) == [
        ("raised", None),
        ("notified", ward.responsible.pk),
    ]
    assert (
        AuditEvent.objects.filter(
            action="create", object_type="readings", subject=ward.woman
        ).count()
        == 1
    )


@pytest.mark.parametrize(
    ("systolic", "diastolic", "rule"),
    [
        (139, 89, None),
        (140, 89, "bp_high_first"),
        (140, 90, "bp_high_first"),
        (159, 109, "bp_high_first"),
        (160, 110, "bp_severe"),
    ],
)
def test_bp_thresholds(
    ward: Ward, record: Any, systolic: int, diastolic: int, rule: str | None
) -> None:
    """妊娠期高血压疾病诊治指南 2020 [S]: 140/90 high (first reading asks for a repeat), 160/110 severe."""
    result = record(bp(systolic, diastolic))
    assert [a.rule for a in result.alarms] == ([rule] if rule else [])


def test_a_first_high_reading_asks_for_a_repeat_and_a_second_confirms(
    ward: Ward, record: Any
) -> None:
    first = record(bp(146, 94, measured_at=ago(hours=5)))
    (alarm,) = first.alarms
    assert (alarm.grade, alarm.action, alarm.confirmation) == (
        "attention",
        "repeat_bp_4h",
        "unconfirmed",
    )
    assert alarm.assigned_to == ward.responsible  # a first high reading reaches a clinician
    second = record(bp(148, 95))
    (confirmed,) = second.alarms
    assert confirmed.pk == alarm.pk  # the same alarm, confirmed on repeat, not a second one
    assert (confirmed.grade, confirmed.rule, confirmed.confirmation) == (
        "attention",
        "bp_high_confirmed",
        "confirmed",
    )
    assert confirmed.repeat_reading == second.readings[0]
    assert [f["rule"] for f in confirmed.findings] == ["bp_high_confirmed", "bp_high_first"]
    assert confirmed.escalate_at is None  # only urgent alarms escalate
    assert Alarm.objects.count() == 1
    assert Notification.objects.filter(kind="alarm", recipient=ward.responsible).count() == 1


def test_high_bp_with_headache_is_urgent_at_once(ward: Ward, record: Any) -> None:
    """A high pressure with headache is urgent (2020 guideline [S]); the headache is also a red flag (AIM [V])."""
    result = record(bp(142, 91, symptoms=["headache"]))
    (alarm,) = result.alarms
    assert alarm.grade == "urgent"
    assert [f["rule"] for f in alarm.findings] == ["bp_high_with_symptoms", "red_flag_headache"]


def test_a_symptom_reported_without_any_measurement_raises_the_alarm(
    ward: Ward, record: Any
) -> None:
    result = record({"kind": "symptom_report", "symptoms": ["bleeding"]})
    assert [(a.rule, a.grade, a.assigned_to) for a in result.alarms] == [
        ("red_flag_bleeding", "urgent", ward.responsible)
    ]


def test_red_flags_count_whichever_reading_carries_them(ward: Ward, record: Any) -> None:
    result = record(
        {"kind": "weight", "value": 70},
        {"kind": "temperature", "value": 36.8, "symptoms": ["bleeding"]},
    )
    assert [(a.rule, a.reading.kind) for a in result.alarms] == [
        ("red_flag_bleeding", "temperature")
    ]


def test_a_red_flag_symptom_is_urgent_whatever_the_values(ward: Ward, record: Any) -> None:
    """DOMAIN.md s.6, AIM Urgent Maternal Warning Signs [V]: bleeding -> seek care now."""
    result = record({"kind": "weight", "value": 60, "symptoms": ["bleeding"]})
    assert [(a.rule, a.grade, a.action) for a in result.alarms] == [
        ("red_flag_bleeding", "urgent", "seek_care_now")
    ]


def test_a_morning_check_in_stores_several_readings_at_once(ward: Ward, record: Any) -> None:
    result = record(
        bp(118, 76),
        {"kind": "weight", "value": 61.5},
        {"kind": "glucose", "value": 4.9, "glucose_context": "fasting"},
        {"kind": "fetal_movements", "value": 12, "movement_period": "one_hour_count"},
    )
    assert [r.kind for r in result.readings] == [
        "blood_pressure",
        "weight",
        "glucose",
        "fetal_movements",
    ]
    assert len({r.batch for r in result.readings}) == 1
    assert result.alarms == []
    assert result.readings[0].ga_days == 30 * 7


def test_the_same_submission_twice_is_stored_once(ward: Ward, record: Any) -> None:
    first = record(bp(165, 112), {"kind": "weight", "value": 60}, key="phone-123")
    again = record(bp(165, 112), {"kind": "weight", "value": 60}, key="phone-123")
    assert again.replayed and not first.replayed
    assert Reading.objects.filter(woman=ward.woman).count() == 2
    assert Alarm.objects.count() == 1
    assert [a.pk for a in again.alarms] == [a.pk for a in first.alarms]
    assert Notification.objects.filter(kind="alarm").count() == 1


def test_the_same_key_from_another_woman_is_another_submission(ward: Ward, record: Any) -> None:
    record(bp(120, 80), key="k1")
    record(bp(120, 80), key="k1", woman=ward.other_woman)
    assert Reading.objects.count() == 2


@pytest.mark.parametrize(
    ("item", "code", "field"),
    [
        (bp(320, 80), "systolic_range", "items.0.systolic"),
        (bp(120, 130), "diastolic_not_below_systolic", "items.0.diastolic"),
        (
            {"kind": "glucose", "value": 45, "glucose_context": "fasting"},
            "glucose_range",
            "items.0.value",
        ),
        ({"kind": "glucose", "value": 5}, "glucose_context_missing", "items.0.glucose_context"),
        ({"kind": "fetal_heart_rate", "value": 260}, "fetal_heart_rate_range", "items.0.value"),
        ({"kind": "temperature", "value": 46}, "temperature_range", "items.0.value"),
        ({"kind": "sleep", "value": 1}, "sign_unknown", "items.0.kind"),
    ],
)
def test_impossible_values_are_refused_naming_the_field(
    ward: Ward, record: Any, item: dict[str, Any], code: str, field: str
) -> None:
    with pytest.raises(DomainError) as err:
        record(item)
    assert (err.value.code, err.value.field) == (code, field)
    assert str(err.value.message)
    assert not Reading.objects.exists()


def test_one_bad_value_refuses_the_whole_check_in(ward: Ward, record: Any) -> None:
    with pytest.raises(DomainError) as err:
        record({"kind": "weight", "value": 60}, bp(320, 80))
    assert err.value.field == "items.1.systolic"
    assert not Reading.objects.exists()


def test_implausible_values_need_confirmation(ward: Ward, record: Any) -> None:
    with pytest.raises(services.ConfirmationRequired) as err:
        record({"kind": "fetal_heart_rate", "value": 85})
    assert [(i.index, i.field, i.code) for i in err.value.items] == [
        (0, "value", "fetal_heart_rate_implausible")
    ]
    assert not Reading.objects.exists()
    result = record({"kind": "fetal_heart_rate", "value": 85}, confirm=True)
    assert result.readings[0].confirmed_implausible
    assert [a.rule for a in result.alarms] == ["fhr_very_low"]


def test_time_of_measurement_cannot_be_in_the_future(ward: Ward, record: Any) -> None:
    with pytest.raises(DomainError) as err:
        record(bp(120, 80, measured_at=timezone.now() + dt.timedelta(hours=1)))
    assert (err.value.code, err.value.field) == ("measured_in_future", "items.0.measured_at")


def test_only_she_records_home_readings(ward: Ward) -> None:
    with pytest.raises(PermissionDenied):
        services.readings_record(
            actor=ward.other_woman, woman=ward.woman, items=[services.ReadingInput(**bp(120, 80))]
        )
    assert not Reading.objects.exists()


def test_clinic_measurements_by_her_team_feed_the_same_rules(ward: Ward) -> None:
    """SFH below P10 on three consecutive measurements -> ultrasound (INTERGROWTH-21st [V], rule [P])."""
    for days_ago, cm in ((28, 22.0), (14, 23.0), (0, 24.5)):
        result = services.readings_record(
            actor=ward.responsible,
            woman=ward.woman,
            source="clinic",
            items=[
                services.ReadingInput(
                    kind="fundal_height", value=cm, measured_at=ago(days=days_ago)
                )
            ],
            confirm=True,
        )
    assert result.readings[0].source == "clinic"
    assert "sfh_low_repeated" in [a.rule for a in result.alarms]


def test_a_clinician_outside_her_team_cannot_record_for_her(ward: Ward) -> None:
    with pytest.raises(NotFound):
        services.readings_record(
            actor=ward.outsider,
            woman=ward.woman,
            source="clinic",
            items=[services.ReadingInput(**bp(120, 80))],
        )
    assert not Reading.objects.exists()


def test_without_a_care_team_the_on_duty_clinician_gets_the_alarm_and_access(
    ward: Ward, record: Any
) -> None:
    from anyun.careteam.selectors import can_see_woman

    assert not can_see_woman(ward.duty_first, ward.other_woman)
    result = record(bp(170, 100), woman=ward.other_woman)
    (alarm,) = result.alarms
    assert alarm.assigned_to == ward.duty_first
    assert can_see_woman(ward.duty_first, ward.other_woman)
