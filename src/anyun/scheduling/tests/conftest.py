"""A department whose clinician and the department itself consult online every day."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from anyun.accounts.models import User
from anyun.assessment.services import GradingInput, grading_record
from anyun.careteam.services import care_team_assign
from anyun.pregnancy.selectors import current_pregnancy_of
from anyun.scheduling import services
from anyun.staff.models import ClinicianProfile, Department


@dataclass
class Clinic:
    department: Department
    head: User
    clinician: User
    profile: ClinicianProfile
    woman: User
    other_woman: User
    visit: User


def seen_in_person(woman: User, *, head: User, visit: User) -> User:
    """Her first in-person visit: `visit` (put on her team by the head) grades her green, so
    online care is open to her (follow-up only, DOMAIN section 9)."""
    care_team_assign(actor=head, woman=woman, member=visit, responsible=True)
    pregnancy = current_pregnancy_of(woman)
    assert pregnancy is not None
    grading_record(
        actor=visit,
        pregnancy=pregnancy,
        data=GradingInput(answers={}, entered={}, diagnoses=[], note="first visit"),
    )
    return woman


@pytest.fixture
def clinic(make_clinician: Callable[..., User], make_woman: Callable[..., User]) -> Clinic:
    head = make_clinician(head=True)
    clinician = make_clinician()
    visit = make_clinician()  # the clinician of her in-person visits, not of the online ones
    profile = clinician.clinician_profile
    department = profile.department
    for weekday in range(7):
        # Her clinician: 09:00-11:00, 30-minute slots, one woman each.
        services.schedule_rule_add(
            actor=clinician,
            department=department,
            clinician=profile,
            weekday=weekday,
            start=time(9),
            end=time(11),
            slot_minutes=30,
            capacity=1,
        )
        # The department: 14:00-16:00, 60-minute slots, two women each.
        services.schedule_rule_add(
            actor=head,
            department=department,
            clinician=None,
            weekday=weekday,
            start=time(14),
            end=time(16),
            slot_minutes=60,
            capacity=2,
        )
    return Clinic(
        department=department,
        head=head,
        clinician=clinician,
        profile=profile,
        woman=seen_in_person(make_woman(pregnant_weeks=20), head=head, visit=visit),
        other_woman=seen_in_person(make_woman(pregnant_weeks=24), head=head, visit=visit),
        visit=visit,
    )


def at(day: datetime, hour: int, minute: int = 0) -> datetime:
    """`day` (a local midnight) at hour:minute, local time."""
    return timezone.localtime(day).replace(hour=hour, minute=minute, second=0, microsecond=0)


def days_after(day: datetime, n: int) -> datetime:
    return day + timedelta(days=n)


def book(clinic: Clinic, woman: User, starts_at: datetime, **kwargs: Any) -> Any:
    appointment, _created = services.appointment_book(
        woman=woman,
        department=clinic.department,
        clinician=kwargs.pop("clinician", clinic.profile),
        starts_at=starts_at,
        **kwargs,
    )
    return appointment
