"""Queue tasks of the notify app: thin, idempotent, they call a service."""

from __future__ import annotations

from uuid import UUID

from django_tasks import TaskContext, task

from anyun.notify import services


@task(takes_context=True)
def deliver(context: TaskContext, delivery_id: int) -> str:
    """Attempt one delivery (retries re-enqueue this task with a later run_after).

    A second run of the same job means its first worker died (the job was put back on the
    queue); that run may take over an attempt the dead worker had claimed.
    """
    resuming = UUID(context.task_result.id) if context.attempt > 1 else None
    return services.delivery_attempt(delivery_id=delivery_id, resuming_job=resuming)


@task()
def redeliver_due() -> int:
    """Sweep: queue open deliveries that are due and have lost their job."""
    return services.deliveries_redeliver_due()
