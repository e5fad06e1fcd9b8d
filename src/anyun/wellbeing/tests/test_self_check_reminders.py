"""Her health self-assessment is reminded every ANYUN_SELF_CHECK_REMINDER_DAYS days (default
7) since her last one, or since her pregnancy was recorded: once per period, through the notify
outbox, only while she is pregnant and consented. Time only travels forward."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from anyun.consent.models import ConsentSignature
from anyun.consent.services import consent_withdraw
from anyun.core.periodic import PERIODIC_JOBS
from anyun.notify.models import Notification
from anyun.wellbeing import services

pytestmark = pytest.mark.django_db


def _reminders(woman: Any) -> list[Notification]:
    return list(Notification.objects.filter(recipient=woman, kind="self_check_due").order_by("id"))


def _forward(time_machine: Any, start: dt.datetime, days: int) -> None:
    time_machine.move_to(start + dt.timedelta(days=days), tick=False)


def _check_in(woman: Any) -> None:
    services.self_assessment_submit(
        actor=woman, woman=woman, data=services.SelfAssessmentInput(sleep_hours=None)
    )


def test_a_week_after_her_pregnancy_is_recorded_she_is_reminded_once(
    make_woman: Any, time_machine: Any
) -> None:
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    woman = make_woman(pregnant_weeks=20)
    _forward(time_machine, start, 6)
    assert services.self_check_reminders_send_due() == 0
    _forward(time_machine, start, 7)
    assert services.self_check_reminders_send_due() == 1
    (reminder,) = _reminders(woman)
    assert reminder.link == "/wellbeing/check/"
    assert reminder.deliveries.exists()
    assert services.self_check_reminders_send_due() == 0  # the same period: not again
    _forward(time_machine, start, 14)  # still not done: the next week asks again
    assert services.self_check_reminders_send_due() == 1
    assert len(_reminders(woman)) == 2


def test_her_self_assessment_restarts_the_week(make_woman: Any, time_machine: Any) -> None:
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    woman = make_woman(pregnant_weeks=20)
    _forward(time_machine, start, 5)
    _check_in(woman)
    _forward(time_machine, start, 7)
    assert services.self_check_reminders_send_due() == 0
    _forward(time_machine, start, 12)
    assert services.self_check_reminders_send_due() == 1
    assert len(_reminders(woman)) == 1


def test_not_pregnant_or_not_consented_or_turned_off_no_reminder(
    make_woman: Any, time_machine: Any, settings: Any
) -> None:
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    make_woman()  # not pregnant
    unsigned = make_woman(pregnant_weeks=20)
    signature = ConsentSignature.objects.filter(user=unsigned).first()
    assert signature is not None
    consent_withdraw(user=unsigned, signature_public_id=signature.public_id, reason="Moving")
    _forward(time_machine, start, 8)
    assert services.self_check_reminders_send_due() == 0
    assert not _reminders(unsigned)
    settings.ANYUN_SELF_CHECK_REMINDER_DAYS = 0
    make_woman(pregnant_weeks=20)
    _forward(time_machine, start, 30)
    assert services.self_check_reminders_send_due() == 0
    assert not Notification.objects.filter(kind="self_check_due").exists()


def test_the_sweep_runs_daily() -> None:
    (job,) = [j for j in PERIODIC_JOBS if j.name == "wellbeing.self_check_reminders_send_due"]
    assert job.trigger == {"trigger": "cron", "hour": 9, "minute": 30}
    assert job.task_path == "anyun.wellbeing.tasks.self_check_reminders_send_due"


def test_in_batches_each_woman_once_and_not_a_closed_account(
    make_woman: Any, time_machine: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(services, "SWEEP_BATCH", 2)
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    women = [make_woman(pregnant_weeks=20) for _ in range(5)]
    closed = women.pop()
    closed.is_active = False
    closed.save(update_fields=["is_active"])
    _forward(time_machine, start, 7)
    assert services.self_check_reminders_send_due() == 4
    assert all(len(_reminders(w)) == 1 for w in women)
    assert not _reminders(closed)
    assert services.self_check_reminders_send_due() == 0
