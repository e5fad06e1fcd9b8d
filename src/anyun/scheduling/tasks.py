"""Queue tasks of scheduling: thin, idempotent, safe to run twice."""

from __future__ import annotations

from django_tasks import task

from anyun.scheduling import services


@task()
def reminders_send_due() -> int:
    return services.reminders_send_due()


@task()
def queue_expire_due() -> int:
    return services.queue_expire_due()


@task()
def no_shows_mark() -> int:
    return services.no_shows_mark()
