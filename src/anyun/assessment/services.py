"""Assessment use cases. Clinical tasks: opened once per key, closed with an outcome."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anyun.accounts.models import User
from anyun.assessment.models import TASK_REASON_MAX_LENGTH, ClinicalTask, TaskStatus
from anyun.assessment.task_kinds import KIND_LABELS
from anyun.audit.services import audit_record
from anyun.careteam.selectors import responsible_of
from anyun.core.errors import DomainError
from anyun.core.inputs import text_within


def task_open(
    *,
    woman: User,
    kind: str,
    key: str,
    reason: str = "",
    details: dict[str, Any] | None = None,
    due_on: dt.date | None = None,
    assigned_to: User | None = None,
    opened_by: User | None = None,
) -> ClinicalTask:
    """Open a task for her (assigned to her responsible clinician unless told otherwise), or
    return the task already open under the same key: calling twice opens one task."""
    if kind not in KIND_LABELS:
        raise ValueError(f"unregistered clinical task kind {kind!r}")
    open_task = ClinicalTask.objects.filter(woman=woman, key=key, status=TaskStatus.OPEN).first()
    if open_task is not None:
        return open_task
    try:
        with transaction.atomic():
            task = ClinicalTask.objects.create(
                woman=woman,
                kind=kind,
                key=key,
                reason=text_within(reason, TASK_REASON_MAX_LENGTH, field="reason"),
                details=details or {},
                due_on=due_on,
                assigned_to=assigned_to or responsible_of(woman),
                opened_by=opened_by,
            )
    except IntegrityError:  # opened at the same moment by another request
        return ClinicalTask.objects.get(woman=woman, key=key, status=TaskStatus.OPEN)
    audit_record(
        actor=opened_by,
        action="task_open",
        object_type="clinical_task",
        object_id=task.public_id,
        subject=woman,
        detail={"kind": kind, "key": key},
    )
    return task


@transaction.atomic
def task_close(
    *,
    actor: User,
    task: ClinicalTask,
    outcome: str,
    cancelled: bool = False,
    request: Any = None,
) -> ClinicalTask:
    """Close an open task with what was done (or why it no longer applies)."""
    task = ClinicalTask.objects.select_for_update().get(pk=task.pk)
    if task.status != TaskStatus.OPEN:
        raise DomainError("task_closed", _("This task is already closed."))
    task.outcome = text_within(outcome, TASK_REASON_MAX_LENGTH, field="outcome")
    task.status = TaskStatus.CANCELLED if cancelled else TaskStatus.DONE
    task.closed_at = timezone.now()
    task.closed_by = actor
    task.save(update_fields=("outcome", "status", "closed_at", "closed_by", "updated_at"))
    audit_record(
        actor=actor,
        action="task_close",
        object_type="clinical_task",
        object_id=task.public_id,
        subject=task.woman,
        request=request,
        detail={"kind": task.kind, "status": task.status},
    )
    return task
