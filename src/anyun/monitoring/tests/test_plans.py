"""IMP-3b: the clinician's recording instructions, reminders at those times, adherence."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from anyun.core.errors import DomainError, NotFound
from anyun.monitoring import selectors, services
from anyun.monitoring.tests.conftest import Ward, bp
from anyun.notify.models import Notification

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_plan_reminds_at_its_times_once_and_not_after_a_reading(
    ward: Ward, record: Any, time_machine: Any
) -> None:
    day = dt.datetime(2026, 12, 1, tzinfo=SHANGHAI)
    time_machine.move_to(day.replace(hour=7), tick=False)
    plan = services.plan_set(
        actor=ward.responsible,
        woman=ward.woman,
        kind="blood_pressure",
        times=["08:00", " 20:00"],
        note="Seated, after 5 minutes' rest",
    )
    assert plan.times == ["08:00", "20:00"]
    assert services.reminders_send_due() == 0  # 07:00: nothing due yet
    time_machine.move_to(day.replace(hour=8, minute=5), tick=False)
    services.reminders_send_due()
    services.reminders_send_due()  # a second sweep sends nothing new
    reminders = Notification.objects.filter(kind="monitoring_reminder", recipient=ward.woman)
    assert reminders.count() == 1
    assert reminders.get().body == "Seated, after 5 minutes' rest"
    # She records at 19:30; the 20:00 reminder is not sent.
    time_machine.move_to(day.replace(hour=19, minute=30), tick=False)
    record(bp(118, 75))
    time_machine.move_to(day.replace(hour=20, minute=10), tick=False)
    services.reminders_send_due()
    assert reminders.count() == 1


def test_adherence_counts_the_times_with_a_reading(
    ward: Ward, record: Any, time_machine: Any
) -> None:
    day = dt.datetime(2026, 12, 1, 6, 0, tzinfo=SHANGHAI)
    time_machine.move_to(day, tick=False)
    plan = services.plan_set(
        actor=ward.responsible, woman=ward.woman, kind="blood_pressure", times=["08:00", "20:00"]
    )
    time_machine.move_to(day.replace(hour=8, minute=30), tick=False)
    record(bp(118, 75))
    time_machine.move_to(day + dt.timedelta(days=1, hours=15), tick=False)  # next day 21:00
    record(bp(117, 74))  # within two hours of 20:00 on day 2
    adherence = selectors.adherence_of(plan)
    assert (adherence.expected, adherence.done, adherence.percent) == (4, 2, 50)


def test_plan_needs_valid_times_and_her_team(ward: Ward) -> None:
    with pytest.raises(DomainError) as err:
        services.plan_set(actor=ward.responsible, woman=ward.woman, kind="weight", times=["25:00"])
    assert err.value.code == "time_invalid"
    with pytest.raises(NotFound):
        services.plan_set(actor=ward.outsider, woman=ward.woman, kind="weight", times=["08:00"])
    with pytest.raises(NotFound):
        services.plan_set(actor=ward.woman, woman=ward.woman, kind="weight", times=["08:00"])


def test_reminders_respect_the_weeks_of_the_plan(ward: Ward, time_machine: Any) -> None:
    day = dt.datetime(2026, 12, 1, 7, 0, tzinfo=SHANGHAI)
    time_machine.move_to(day, tick=False)
    # She is at 30 weeks; movements from 32 weeks.
    services.plan_set(
        actor=ward.responsible,
        woman=ward.woman,
        kind="fetal_movements",
        times=["09:00"],
        from_ga_weeks=32,
    )
    time_machine.move_to(day.replace(hour=9, minute=1), tick=False)
    assert services.reminders_send_due() == 0
