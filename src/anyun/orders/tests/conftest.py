"""A woman of 20 weeks graded at her first visit, her responsible clinician, a nurse on her
team, a clinician outside it, a pharmacist, and another woman of 26 weeks on the same team."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from anyun.accounts.models import Role, User
from anyun.assessment.services import GradingInput, grading_record
from anyun.careteam.services import care_team_assign
from anyun.orders import services
from anyun.orders.models import LabOrder, Report
from anyun.pregnancy.selectors import current_pregnancy_of


@dataclass
class World:
    clinician: User
    head: User
    nurse: User
    outsider: User
    pharmacist: User
    woman: User
    other_woman: User


def graded(woman: User, clinician: User) -> None:
    pregnancy = current_pregnancy_of(woman)
    assert pregnancy is not None
    grading_record(
        actor=clinician,
        pregnancy=pregnancy,
        data=GradingInput(answers={}, entered={}, diagnoses=[], note="first visit"),
    )


@pytest.fixture
def world(make_clinician: Callable[..., User], make_woman: Callable[..., User]) -> World:
    head = make_clinician(head=True)
    clinician = make_clinician()
    nurse = make_clinician(Role.NURSE)
    outsider = make_clinician()
    pharmacist = make_clinician(Role.PHARMACIST)
    woman = make_woman(pregnant_weeks=20)
    other = make_woman(pregnant_weeks=26)
    for w in (woman, other):
        care_team_assign(actor=head, woman=w, member=clinician, responsible=True)
        care_team_assign(actor=head, woman=w, member=nurse)
        graded(w, clinician)
    return World(clinician, head, nurse, outsider, pharmacist, woman, other)


def order(world: World, *tests: str, woman: User | None = None, **kw: Any) -> LabOrder:
    return services.order_create(
        actor=world.clinician,
        woman_id=(woman or world.woman).public_id,
        tests=list(tests) or ["fbc"],
        reason=kw.pop("reason", "First-visit tests"),
        **kw,
    )


def report(world: World, lab_order: LabOrder, *values: services.ValueInput, **kw: Any) -> Report:
    actor = kw.pop("actor", world.nurse)
    found, _created = services.report_record(
        actor=actor,
        order_id=lab_order.public_id,
        data=services.ReportInput(values=list(values), **kw),
    )
    return found


def v(code: str, value: float | str, **kw: Any) -> services.ValueInput:
    if isinstance(value, str):
        return services.ValueInput(code, text=value, **kw)
    return services.ValueInput(code, number=float(value), **kw)


def next_weekday_morning(hour: int = 8, minute: int = 30) -> datetime:
    day = timezone.localdate() + timedelta(days=1)
    while day.weekday() == 6:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, datetime.min.time())).replace(
        hour=hour, minute=minute
    )
