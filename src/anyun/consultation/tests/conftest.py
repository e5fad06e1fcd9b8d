"""A department with a clinician on duty, a woman in the live queue, and the consultation the
clinician opens by accepting her."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from anyun.accounts.models import User
from anyun.consultation.models import Consultation
from anyun.scheduling import services as scheduling
from anyun.scheduling.models import QueueEntry
from anyun.scheduling.tests.conftest import clinic, seen_in_person

__all__ = ["clinic"]  # the scheduling tests' department with schedules, for appointments
from anyun.staff.models import Department
from anyun.staff.selectors import department_heads


@dataclass
class Room:
    department: Department
    head: User
    clinician: User
    woman: User
    other_woman: User
    outsider: User  # a clinician of the department who did not receive her
    entry: QueueEntry
    consultation: Consultation


@pytest.fixture
def queued(
    make_clinician: Callable[..., User], make_woman: Callable[..., User]
) -> Callable[..., tuple[User, QueueEntry]]:
    head = make_clinician(head=True)
    visit = make_clinician()  # her in-person visits' clinician

    def make(woman: User | None = None) -> tuple[User, QueueEntry]:
        clinician = make_clinician()
        woman = seen_in_person(woman or make_woman(pregnant_weeks=24), head=head, visit=visit)
        entry = scheduling.queue_join(
            woman=woman, department=clinician.clinician_profile.department
        )
        return clinician, entry

    return make


def accept(clinician: User, entry: QueueEntry) -> Consultation:
    scheduling.queue_accept(actor=clinician, entry_id=entry.public_id)
    return Consultation.objects.get(queue_entry=entry)


@pytest.fixture
def room(
    make_clinician: Callable[..., User],
    make_woman: Callable[..., User],
    queued: Callable[..., tuple[User, QueueEntry]],
) -> Room:
    clinician, entry = queued()
    consultation = accept(clinician, entry)
    department = clinician.clinician_profile.department
    return Room(
        department=department,
        head=department_heads(department=department)[0],
        clinician=clinician,
        woman=entry.woman,
        other_woman=make_woman(pregnant_weeks=20),
        outsider=make_clinician(),
        entry=entry,
        consultation=consultation,
    )
