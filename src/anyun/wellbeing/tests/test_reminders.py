"""Due screenings (once per trimester, 42 days after a birth) and repeats are reminded through
the notify outbox by the daily sweep, once each. Time only travels forward."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from anyun.monitoring.tests.conftest import Ward
from anyun.notify.models import Notification
from anyun.pregnancy.selectors import current_pregnancy_of
from anyun.pregnancy.services import pregnancy_close
from anyun.wellbeing import services
from anyun.wellbeing.tests.helpers import epds

pytestmark = pytest.mark.django_db


def _due(woman: Any) -> list[Notification]:
    return list(Notification.objects.filter(recipient=woman, kind="screening_due"))


def _screen(woman: Any, points: list[int]) -> Any:
    return services.screening_submit(
        actor=woman, woman=woman, instrument="epds", answers=epds(points)
    )


def test_a_woman_never_screened_is_reminded_once_per_window(ward: Ward) -> None:
    assert services.screening_reminders_send_due() >= 1
    (reminder,) = _due(ward.woman)  # 30 weeks: the third trimester's
    assert reminder.link == "/wellbeing/"
    assert reminder.payload == {"window": "third_trimester"}
    assert reminder.deliveries.exists()
    services.screening_reminders_send_due()
    assert len(_due(ward.woman)) == 1


def test_a_screening_done_in_the_window_ends_the_reminders(ward: Ward) -> None:
    _screen(ward.woman, [0] * 10)
    _screen(ward.other_woman, [0] * 10)
    assert services.screening_reminders_send_due() == 0
    assert not _due(ward.woman)


def test_the_next_trimester_asks_again(make_woman: Any, time_machine: Any) -> None:
    woman = make_woman(pregnant_weeks=12)
    _screen(woman, [0] * 10)
    assert services.screening_reminders_send_due() == 0
    # Forward three weeks: 15 weeks, the second trimester's window is open.
    time_machine.move_to(timezone.now() + dt.timedelta(weeks=3), tick=False)
    assert services.screening_reminders_send_due() == 1
    (reminder,) = _due(woman)
    assert reminder.payload == {"window": "second_trimester"}


def test_42_days_after_the_birth_she_is_reminded(make_woman: Any, time_machine: Any) -> None:
    woman = make_woman(pregnant_weeks=38)
    _screen(woman, [0] * 10)  # her third-trimester screening
    pregnancy = current_pregnancy_of(woman)
    assert pregnancy is not None
    start = timezone.now()
    time_machine.move_to(start + dt.timedelta(days=7), tick=False)  # she gives birth
    pregnancy_close(
        actor=woman, pregnancy=pregnancy, ended_on=timezone.localdate(), outcome="term_birth"
    )
    time_machine.move_to(start + dt.timedelta(days=7 + 41), tick=False)
    assert services.screening_reminders_send_due() == 0  # day 41: not yet
    time_machine.move_to(start + dt.timedelta(days=7 + 42), tick=False)
    assert services.screening_reminders_send_due() == 1
    (reminder,) = _due(woman)
    assert reminder.payload == {"window": "postpartum_42_days"}


def test_a_repeat_is_reminded_once_when_it_comes_due(ward: Ward, time_machine: Any) -> None:
    _screen(ward.woman, [2, 2, 2, 1, 1, 1, 1, 1, 0, 0])  # 11: repeat in 2-4 weeks
    start = timezone.now()
    services.screening_reminders_send_due()
    assert not Notification.objects.filter(kind="screening_repeat").exists()
    time_machine.move_to(start + dt.timedelta(days=13), tick=False)
    services.screening_reminders_send_due()
    assert not Notification.objects.filter(kind="screening_repeat").exists()
    time_machine.move_to(start + dt.timedelta(days=14), tick=False)
    services.screening_reminders_send_due()
    (reminder,) = Notification.objects.filter(kind="screening_repeat")
    assert (reminder.recipient, reminder.link) == (ward.woman, "/wellbeing/screen/epds/")
    time_machine.move_to(start + dt.timedelta(days=15), tick=False)
    services.screening_reminders_send_due()
    assert Notification.objects.filter(kind="screening_repeat").count() == 1


def test_the_sweep_reads_in_a_fixed_number_of_queries(
    make_woman: Any, django_assert_max_num_queries: Any
) -> None:
    for weeks in (8, 20, 30):
        make_woman(pregnant_weeks=weeks)
    services.screening_reminders_send_due()  # all reminded: the second run only reads
    with django_assert_max_num_queries(8):
        services.screening_reminders_send_due()
