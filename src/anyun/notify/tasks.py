"""Queue tasks of the notify app: thin, idempotent, they call the delivery code."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from django_tasks import TaskContext, task

from anyun.core.worker import enqueue
from anyun.notify import delivery as outbox
from anyun.notify.models import Delivery


def delivery_enqueue(delivery: Delivery, *, run_after: datetime | None = None) -> None:
    """Queue an attempt (now, or at `run_after`) and remember its job on the delivery; in the
    caller's transaction."""
    delivery.job_id = enqueue(deliver, run_after=run_after, delivery_id=delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(job_id=delivery.job_id)


def deliveries_enqueue(deliveries: Sequence[Delivery]) -> None:
    """Queue one job that attempts these deliveries in turn (due now) and remember it on each
    of them: two statements, in the caller's transaction."""
    ids = [d.pk for d in deliveries]
    job_id = enqueue(deliver_many, delivery_ids=ids)
    Delivery.objects.filter(pk__in=ids).update(job_id=job_id)
    for delivery in deliveries:
        delivery.job_id = job_id


@task(takes_context=True)
def deliver(context: TaskContext, delivery_id: int) -> str:
    """Attempt one delivery (retries re-enqueue this task with a later run_after).

    A second run of the same job means its first worker died (the job was put back on the
    queue); that run may take over an attempt the dead worker had claimed.
    """
    resuming = UUID(context.task_result.id) if context.attempt > 1 else None
    return outbox.delivery_attempt(
        delivery_id=delivery_id, resuming_job=resuming, requeue=delivery_enqueue
    )


@task(takes_context=True)
def deliver_many(context: TaskContext, delivery_ids: list[int]) -> int:
    """Attempt a batch of deliveries (queued together by `deliveries_enqueue`); each failure
    is retried on its own job. Returns how many were sent."""
    return outbox.deliveries_attempt_job(
        delivery_ids=delivery_ids,
        job_id=UUID(context.task_result.id),
        resuming=context.attempt > 1,
        requeue=delivery_enqueue,
    )


@task()
def redeliver_due() -> int:
    """Sweep: queue open deliveries that are due and have lost their job."""
    return outbox.deliveries_redeliver_due(requeue=delivery_enqueue)
