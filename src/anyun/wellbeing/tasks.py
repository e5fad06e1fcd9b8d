"""Queue tasks of wellbeing: thin, idempotent, safe to run twice."""

from __future__ import annotations

from django_tasks import task

from anyun.wellbeing import services


@task()
def screening_reminders_send_due() -> int:
    """Remind women whose scheduled or repeat screening is due (daily)."""
    return services.screening_reminders_send_due()


@task()
def self_check_reminders_send_due() -> int:
    """Remind pregnant women whose health self-assessment is due (daily)."""
    return services.self_check_reminders_send_due()
