"""Queue tasks of core: thin, idempotent."""

from __future__ import annotations

from django_tasks import task

from anyun.core.job_retention import jobs_purge_finished


@task()
def jobs_purge() -> int:
    """Daily sweep: delete finished queue jobs past their retention."""
    return jobs_purge_finished()
