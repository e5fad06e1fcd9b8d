"""FB-9 alarm handling: acknowledge, close with what was done, escalate when unanswered."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from anyun.core.errors import DomainError, NotFound
from anyun.monitoring import services
from anyun.monitoring.models import AlarmEvent
from anyun.monitoring.tests.conftest import Ward, bp
from anyun.notify.models import Notification

pytestmark = pytest.mark.django_db


def _urgent(record: Any) -> Any:
    (alarm,) = record(bp(165, 112)).alarms
    return alarm


def test_unacknowledged_urgent_alarm_escalates_along_the_duty_list_then_to_the_head(
    ward: Ward, record: Any, time_machine: Any
) -> None:
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    alarm = _urgent(record)
    assert alarm.assigned_to == ward.responsible
    # Not yet due: nothing moves.
    time_machine.move_to(start + dt.timedelta(minutes=14, seconds=59), tick=False)
    assert services.alarms_escalate_due() == 0
    # 15 minutes: the first person on duty.
    time_machine.move_to(start + dt.timedelta(minutes=15), tick=False)
    assert services.alarms_escalate_due() == 1
    alarm.refresh_from_db()
    assert (alarm.assigned_to, alarm.escalation_level) == (ward.duty_first, 1)
    assert alarm.escalate_at == start + dt.timedelta(minutes=30)
    assert Notification.objects.filter(kind="alarm", recipient=ward.duty_first).count() == 1
    # Running the sweep again at the same moment changes nothing (safe to run twice).
    assert services.alarms_escalate_due() == 0
    # 30 and 45 minutes: the second on duty, then the department head.
    time_machine.move_to(start + dt.timedelta(minutes=30), tick=False)
    services.alarms_escalate_due()
    time_machine.move_to(start + dt.timedelta(minutes=45), tick=False)
    services.alarms_escalate_due()
    alarm.refresh_from_db()
    assert (alarm.assigned_to, alarm.escalation_level) == (ward.head, 3)
    # Nobody further: the clock stops, the alarm stays with the head.
    time_machine.move_to(start + dt.timedelta(minutes=60), tick=False)
    services.alarms_escalate_due()
    alarm.refresh_from_db()
    assert (alarm.assigned_to, alarm.escalate_at) == (ward.head, None)
    steps = list(AlarmEvent.objects.filter(alarm=alarm).values_list("kind", "recipient", "at"))
    assert [(k, r) for k, r, _at in steps] == [
        ("raised", None),
        ("notified", ward.responsible.pk),
        ("escalated", ward.duty_first.pk),
        ("escalated", ward.duty_second.pk),
        ("escalated", ward.head.pk),
        ("escalated", None),
    ]
    assert [at - start for _k, _r, at in steps[2:5]] == [
        dt.timedelta(minutes=m) for m in (15, 30, 45)
    ]


def test_acknowledgement_stops_escalation(ward: Ward, record: Any, time_machine: Any) -> None:
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    alarm = _urgent(record)
    time_machine.move_to(start + dt.timedelta(minutes=3), tick=False)
    acknowledged = services.alarm_acknowledge(
        actor=ward.responsible, alarm_public_id=alarm.public_id
    )
    assert (acknowledged.status, acknowledged.acknowledged_by, acknowledged.escalate_at) == (
        "acknowledged",
        ward.responsible,
        None,
    )
    assert acknowledged.acknowledged_at == start + dt.timedelta(minutes=3)
    time_machine.move_to(start + dt.timedelta(minutes=20), tick=False)
    assert services.alarms_escalate_due() == 0
    acknowledged.refresh_from_db()
    assert acknowledged.assigned_to == ward.responsible


def test_escalation_minutes_are_configurable(
    ward: Ward, record: Any, settings: Any, time_machine: Any
) -> None:
    settings.ANYUN_ALARM_ESCALATION_MINUTES = 5
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    alarm = _urgent(record)
    time_machine.move_to(start + dt.timedelta(minutes=5), tick=False)
    assert services.alarms_escalate_due() == 1
    alarm.refresh_from_db()
    assert alarm.assigned_to == ward.duty_first


def test_closing_records_what_was_done(ward: Ward, record: Any) -> None:
    alarm = _urgent(record)
    closed = services.alarm_close(
        actor=ward.responsible,
        alarm_public_id=alarm.public_id,
        outcome="in_person",
        note="Told her to come to the delivery suite",
    )
    assert (closed.status, closed.outcome, closed.closed_by) == (
        "closed",
        "in_person",
        ward.responsible,
    )
    assert closed.acknowledged_by == ward.responsible  # closing an open alarm acknowledges it
    kinds = list(AlarmEvent.objects.filter(alarm=alarm).values_list("kind", flat=True))
    assert kinds[-3:] == ["acknowledged", "closed", "woman_told"]
    with pytest.raises(DomainError) as err:
        services.alarm_close(
            actor=ward.responsible, alarm_public_id=alarm.public_id, outcome="called"
        )
    assert err.value.code == "alarm_closed"


def test_no_action_needs_a_reason(ward: Ward, record: Any) -> None:
    alarm = _urgent(record)
    with pytest.raises(DomainError) as err:
        services.alarm_close(
            actor=ward.responsible, alarm_public_id=alarm.public_id, outcome="no_action"
        )
    assert (err.value.code, err.value.field) == ("reason_required", "note")
    alarm.refresh_from_db()
    assert alarm.status == "open"


def test_only_her_team_or_the_person_it_was_given_to_can_handle_it(ward: Ward, record: Any) -> None:
    alarm = _urgent(record)
    for outsider in (ward.outsider,):
        with pytest.raises(NotFound):
            services.alarm_acknowledge(actor=outsider, alarm_public_id=alarm.public_id)
    with pytest.raises(NotFound):
        services.alarm_acknowledge(actor=ward.woman, alarm_public_id=alarm.public_id)
    alarm.refresh_from_db()
    assert alarm.status == "open"


def test_a_clinician_without_internet_admission_cannot_handle_alarms(
    ward: Ward, record: Any, make_clinician: Any
) -> None:
    from anyun.careteam.services import care_team_assign

    unqualified = make_clinician(missing=("internet_admission",))
    care_team_assign(actor=ward.head, woman=ward.woman, member=unqualified)
    alarm = _urgent(record)
    assert alarm.assigned_to == ward.responsible  # the chain skips people who may not practise
    with pytest.raises(DomainError) as err:
        services.alarm_acknowledge(actor=unqualified, alarm_public_id=alarm.public_id)
    assert err.value.code == "credential_invalid"
