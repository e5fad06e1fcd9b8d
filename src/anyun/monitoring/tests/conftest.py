"""A small ward: a woman with a pregnancy, her care team, the department's duty list and head."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from anyun.accounts.models import Role, User
from anyun.core.worker import make_worker
from anyun.monitoring import services
from anyun.monitoring.services import ReadingInput


@dataclass
class Ward:
    woman: User
    responsible: User  # on her care team
    duty_first: User  # first on the duty list (not on her team)
    duty_second: User
    head: User  # department head (assigned the team)
    outsider: User  # a clinician with no link to her
    other_woman: User


@pytest.fixture
def ward(make_woman: Any, make_clinician: Any) -> Ward:
    from anyun.careteam.services import care_team_assign
    from anyun.staff.models import Department, DutyShift

    woman = make_woman(pregnant_weeks=30)
    head = make_clinician(head=True)
    responsible = make_clinician()
    duty_first, duty_second = make_clinician(), make_clinician()
    care_team_assign(actor=head, woman=woman, member=responsible, responsible=True)
    department = Department.objects.get(code="OB")
    now = timezone.now()
    for position, member in enumerate((duty_first, duty_second), start=1):
        DutyShift.objects.create(
            department=department,
            member=member,
            position=position,
            starts_at=now - dt.timedelta(hours=1),
            ends_at=now + dt.timedelta(hours=12),
        )
    return Ward(
        woman=woman,
        responsible=responsible,
        duty_first=duty_first,
        duty_second=duty_second,
        head=head,
        outsider=make_clinician(),
        other_woman=make_woman(pregnant_weeks=20),
    )


ROUTE_TASK = "anyun.monitoring.tasks.alarms_route"


def route_alarms() -> int:
    """What the queue worker does once a check-in has committed: run the alarm-routing jobs
    it wrote (only those: notification deliveries stay queued). Returns how many ran."""
    worker = make_worker()
    jobs = list(DBTaskResult.objects.ready().filter(task_path=ROUTE_TASK).order_by("enqueued_at"))
    for job in jobs:
        job.claim(worker.worker_id)
        worker.run_task(job)
    return len(jobs)


@pytest.fixture
def record(ward: Ward) -> Callable[..., services.RecordResult]:
    """The woman records readings (kwargs of ReadingInput, or a list of them); the queue
    worker then routes the alarms raised (the result's alarms are read again after)."""

    def run(
        *items: dict[str, Any], key: str = "", confirm: bool = False, woman: User | None = None
    ) -> services.RecordResult:
        who = woman or ward.woman
        result = services.readings_record(
            actor=who,
            woman=who,
            items=[
                ReadingInput(
                    **{k: (Decimal(str(v)) if k == "value" else v) for k, v in item.items()}
                )
                for item in items
            ],
            idempotency_key=key,
            confirm=confirm,
        )
        route_alarms()
        for alarm in result.alarms:
            alarm.refresh_from_db()
        return result

    return run


def bp(systolic: int, diastolic: int, **extra: Any) -> dict[str, Any]:
    return {"kind": "blood_pressure", "systolic": systolic, "diastolic": diastolic, **extra}


def ago(**delta: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


ROLE = Role
