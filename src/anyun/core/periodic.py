"""The periodic jobs: what the scheduler enqueues, and when.

Each entry is (name, APScheduler trigger keyword arguments, dotted path of a django-tasks task).
A firing only enqueues the task; the work happens in a queue worker. Paths are imported when
the job fires, so an entry whose app is not there yet logs an error instead of stopping the
scheduler. Prefer cron triggers: they fire on the wall clock, so every process ticks together
and the lease lets exactly one of them enqueue.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class PeriodicJob(NamedTuple):
    name: str
    trigger: dict[str, Any]
    task_path: str


PERIODIC_JOBS: list[PeriodicJob] = [
    PeriodicJob(
        "notify.redeliver_due",
        {"trigger": "cron", "minute": "*"},
        "anyun.notify.tasks.redeliver_due",
    ),
    PeriodicJob(
        "staff.credential_expiry_warnings",
        {"trigger": "cron", "hour": 7, "minute": 0},
        "anyun.staff.tasks.credential_expiry_warnings",
    ),
    PeriodicJob(
        "monitoring.alarms_route_stale",
        {"trigger": "cron", "minute": "*"},
        "anyun.monitoring.tasks.alarms_route_stale",
    ),
    PeriodicJob(
        "monitoring.alarms_escalate_due",
        {"trigger": "cron", "minute": "*"},
        "anyun.monitoring.tasks.alarms_escalate_due",
    ),
    PeriodicJob(
        "monitoring.reminders_send_due",
        {"trigger": "cron", "minute": "*/5"},
        "anyun.monitoring.tasks.reminders_send_due",
    ),
    PeriodicJob(
        "scheduling.reminders_send_due",
        {"trigger": "cron", "minute": "*/5"},
        "anyun.scheduling.tasks.reminders_send_due",
    ),
    PeriodicJob(
        "scheduling.queue_expire_due",
        {"trigger": "cron", "minute": "*"},
        "anyun.scheduling.tasks.queue_expire_due",
    ),
    PeriodicJob(
        "scheduling.no_shows_mark",
        {"trigger": "cron", "minute": "*/5"},
        "anyun.scheduling.tasks.no_shows_mark",
    ),
    PeriodicJob(
        "consultation.record_deadlines_sweep",
        {"trigger": "cron", "minute": "*/5"},
        "anyun.consultation.tasks.record_deadlines_sweep",
    ),
    PeriodicJob(
        "wellbeing.screening_reminders_send_due",
        {"trigger": "cron", "hour": 9, "minute": 0},
        "anyun.wellbeing.tasks.screening_reminders_send_due",
    ),
    PeriodicJob(
        "wellbeing.self_check_reminders_send_due",
        {"trigger": "cron", "hour": 9, "minute": 30},
        "anyun.wellbeing.tasks.self_check_reminders_send_due",
    ),
    PeriodicJob(
        "prescribing.prescriptions_expire_due",
        {"trigger": "cron", "minute": "*/5"},
        "anyun.prescribing.tasks.prescriptions_expire_due",
    ),
    PeriodicJob(
        "billing.orders_expire_due",
        {"trigger": "cron", "minute": "*"},
        "anyun.billing.tasks.orders_expire_due",
    ),
    PeriodicJob(
        "delivery.deliveries_alert_late",
        {"trigger": "cron", "minute": "*/5"},
        "anyun.delivery.tasks.deliveries_alert_late",
    ),
    PeriodicJob(
        "accounts.sessions_clear_expired",
        {"trigger": "cron", "hour": 3, "minute": 30},
        "anyun.accounts.tasks.sessions_clear_expired",
    ),
    PeriodicJob(
        "core.jobs_purge",
        {"trigger": "cron", "hour": 3, "minute": 45},
        "anyun.core.tasks.jobs_purge",
    ),
]
