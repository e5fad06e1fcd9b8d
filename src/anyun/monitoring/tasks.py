"""Queue tasks of home monitoring: thin, idempotent, safe to run twice."""

from __future__ import annotations

from django_tasks import task

from anyun.monitoring import services


@task()
def alarms_route(alarm_ids: list[int]) -> int:
    """Route newly raised alarms (enqueued in the transaction that raised them)."""
    return services.alarms_route(alarm_ids=alarm_ids)


@task()
def alarms_route_stale() -> int:
    """Route the alarms whose routing job failed or never ran (every minute)."""
    return services.alarms_route_stale()


@task()
def alarms_escalate_due() -> int:
    return services.alarms_escalate_due()


@task()
def reminders_send_due() -> int:
    return services.reminders_send_due()
