"""Two women booking the last seat of a slot at the same moment: exactly one wins."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from anyun.core.errors import DomainError
from anyun.scheduling import services
from anyun.scheduling.models import Appointment, AppointmentStatus
from anyun.scheduling.tests.conftest import Clinic, at, seen_in_person

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="SQLite serialises writers; the race needs concurrent transactions",
    ),
]


def _race(clinic: Clinic, women: list[Any], start: datetime, clinician: Any) -> list[str]:
    barrier = threading.Barrier(len(women))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(woman: Any) -> None:
        barrier.wait()
        try:
            services.appointment_book(
                woman=woman, department=clinic.department, clinician=clinician, starts_at=start
            )
            result = "booked"
        except DomainError as exc:
            result = exc.code
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(w,)) for w in women]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_two_women_one_seat_exactly_one_wins(clinic: Clinic, tomorrow: datetime) -> None:
    start = at(tomorrow, 9)
    outcomes = _race(clinic, [clinic.woman, clinic.other_woman], start, clinic.profile)
    assert outcomes == ["booked", "slot_full"]
    assert Appointment.objects.filter(starts_at=start, status=AppointmentStatus.BOOKED).count() == 1


def test_three_women_two_seats_two_win(clinic: Clinic, make_woman: Any, tomorrow: datetime) -> None:
    start = at(tomorrow, 14)
    women = [
        clinic.woman,
        clinic.other_woman,
        seen_in_person(make_woman(pregnant_weeks=30), head=clinic.head, visit=clinic.visit),
    ]
    outcomes = _race(clinic, women, start, None)
    assert outcomes == ["booked", "booked", "slot_full"]
    seats = sorted(Appointment.objects.filter(starts_at=start).values_list("seat", flat=True))
    assert seats == [1, 2]
