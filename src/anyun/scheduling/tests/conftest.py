"""A department whose clinician and the department itself consult online every day."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from anyun.accounts.models import User
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


@pytest.fixture
def clinic(make_clinician: Callable[..., User], make_woman: Callable[..., User]) -> Clinic:
    head = make_clinician(head=True)
    clinician = make_clinician()
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
        woman=make_woman(pregnant_weeks=20),
        other_woman=make_woman(pregnant_weeks=24),
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
