"""Queue tasks of the notify app: thin, idempotent, they call a service."""

from __future__ import annotations

from django_tasks import task

from anyun.notify import services


@task()
def deliver(delivery_id: int) -> str:
    """Attempt one delivery (retries re-enqueue this task with a later run_after)."""
    return services.delivery_attempt(delivery_id=delivery_id)


@task()
def redeliver_due() -> int:
    """Sweep: queue open deliveries that are due and have lost their job."""
    return services.deliveries_redeliver_due()
