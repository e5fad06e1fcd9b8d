"""Assessment reads."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from anyun.assessment.models import ClinicalTask, TaskStatus


def tasks_open_for(woman: Any) -> QuerySet[ClinicalTask]:
    """Her open clinical tasks, soonest due first."""
    return ClinicalTask.objects.filter(woman=woman, status=TaskStatus.OPEN).select_related(
        "assigned_to"
    )


def tasks_open_assigned_to(user: Any) -> QuerySet[ClinicalTask]:
    """The open tasks a clinician has to do, soonest due first."""
    return ClinicalTask.objects.filter(assigned_to=user, status=TaskStatus.OPEN).select_related(
        "woman"
    )
