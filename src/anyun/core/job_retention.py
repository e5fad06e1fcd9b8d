"""Finished queue jobs are not kept for ever: the job table is also the queue every worker
polls, and a check-in writes a job row, so without a purge it grows by the day."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

PURGE_BATCH = 5_000


def jobs_purge_finished() -> int:
    """Delete successful jobs finished more than ANYUN_JOB_RETENTION_DAYS ago and failed ones
    past ANYUN_FAILED_JOB_RETENTION_DAYS, in batches (short statements, no long lock). Waiting
    and running jobs are never touched. Returns how many rows went."""
    now = timezone.now()
    cutoffs = (
        (TaskResultStatus.SUCCESSFUL, now - timedelta(days=settings.ANYUN_JOB_RETENTION_DAYS)),
        (TaskResultStatus.FAILED, now - timedelta(days=settings.ANYUN_FAILED_JOB_RETENTION_DAYS)),
    )
    total = 0
    for status, before in cutoffs:
        while True:
            batch = list(
                DBTaskResult.objects.filter(status=status, finished_at__lt=before).values_list(
                    "pk", flat=True
                )[:PURGE_BATCH]
            )
            if not batch:
                break
            total += DBTaskResult.objects.filter(pk__in=batch).delete()[0]
    return total
