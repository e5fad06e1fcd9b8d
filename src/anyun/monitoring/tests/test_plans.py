"""IMP-3b: the clinician's recording instructions, reminders at those times, adherence."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from anyun.core.errors import DomainError, NotFound
from anyun.monitoring import selectors, services
from anyun.monitoring.tests.conftest import Ward, bp
from anyun.notify.models import Notification

pytestmark = pytest.mark.django_db


def test_plan_reminds_at_its_times_once_and_not_after_a_reading(
    ward: Ward, record: Any, time_machine: Any, tomorrow: dt.datetime
) -> None:
    day = tomorrow
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
    ward: Ward, record: Any, time_machine: Any, tomorrow: dt.datetime
) -> None:
    day = tomorrow.replace(hour=6)
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


def test_reminders_respect_the_weeks_of_the_plan(
    ward: Ward, time_machine: Any, tomorrow: dt.datetime
) -> None:
    day = tomorrow.replace(hour=7)
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


def test_withdrawn_consent_stops_instructions_and_reminders(
    ward: Ward, time_machine: Any, tomorrow: dt.datetime
) -> None:
    from anyun.consent.models import ConsentSignature
    from anyun.consent.services import consent_withdraw
    from anyun.core.errors import PermissionDenied

    day = tomorrow.replace(hour=7)
    time_machine.move_to(day, tick=False)
    services.plan_set(actor=ward.responsible, woman=ward.woman, kind="weight", times=["08:00"])
    signature = ConsentSignature.objects.filter(user=ward.woman).first()
    consent_withdraw(user=ward.woman, signature_public_id=signature.public_id, reason="")
    with pytest.raises(PermissionDenied):
        services.plan_set(
            actor=ward.responsible, woman=ward.woman, kind="blood_pressure", times=["08:00"]
        )
    time_machine.move_to(day.replace(hour=8, minute=1), tick=False)
    assert services.reminders_send_due() == 0
    assert not Notification.objects.filter(kind="monitoring_reminder").exists()


def test_the_reminder_sweep_reads_in_a_fixed_number_of_queries(
    ward: Ward,
    make_woman: Any,
    time_machine: Any,
    tomorrow: dt.datetime,
    django_assert_num_queries: Any,
) -> None:
    """Set-based: however many plans are due, the sweep reads plans, consent and readings once
    each (the consent versions in force are held in the process; here every due time is
    already answered, so nothing is written)."""
    from decimal import Decimal

    from anyun.careteam.services import care_team_assign
    from anyun.monitoring.services import ReadingInput, readings_record

    day = tomorrow.replace(hour=7)
    time_machine.move_to(day, tick=False)
    for _ in range(5):
        woman = make_woman(pregnant_weeks=25)
        care_team_assign(actor=ward.head, woman=woman, member=ward.responsible)
        services.plan_set(
            actor=ward.responsible, woman=woman, kind="weight", times=["08:00", "21:00"]
        )
        time_machine.move_to(day.replace(minute=30), tick=False)
        readings_record(
            actor=woman, woman=woman, items=[ReadingInput(kind="weight", value=Decimal("60"))]
        )
        time_machine.move_to(day, tick=False)
    time_machine.move_to(day.replace(hour=8, minute=1), tick=False)
    with django_assert_num_queries(3):
        assert services.reminders_send_due() == 0
