"""Two reminder sweeps at the same moment on PostgreSQL: every due reminder is sent once."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from anyun.notify.models import Notification
from anyun.scheduling import services
from anyun.scheduling.tests.conftest import Clinic, at, book, days_after, seen_in_person

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="SQLite serialises writers; the race needs concurrent transactions",
    ),
]


def test_two_sweeps_at_once_send_each_reminder_once(
    clinic: Clinic, make_woman: Any, time_machine: Any, tomorrow: datetime, monkeypatch: Any
) -> None:
    monkeypatch.setattr(services, "SWEEP_BATCH", 2)
    time_machine.move_to(at(tomorrow, 8), tick=False)
    day = days_after(tomorrow, 2)
    book(clinic, clinic.woman, at(day, 9))
    book(clinic, clinic.other_woman, at(day, 14), clinician=None)
    for hour in (14, 15, 15):
        woman = seen_in_person(make_woman(pregnant_weeks=28), head=clinic.head, visit=clinic.visit)
        book(clinic, woman, at(day, hour), clinician=None)
    time_machine.move_to(at(days_after(tomorrow, 1), 18), tick=False)

    barrier = threading.Barrier(2)
    counts: list[int] = []

    def sweep() -> None:
        barrier.wait()
        try:
            counts.append(services.reminders_send_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(counts) == 5
    reminders = Notification.objects.filter(kind="appointment_reminder")
    assert reminders.count() == 5
    assert reminders.values("recipient").distinct().count() == 5
