"""Queue tasks of the consultation: thin, idempotent, safe to run twice."""

from __future__ import annotations

from django_tasks import task

from anyun.consultation import services


@task()
def record_deadlines_sweep() -> list[int]:
    warned, overdue = services.record_deadlines_sweep()
    return [warned, overdue]
