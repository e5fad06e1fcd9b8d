"""The periodic-job scheduler: APScheduler triggers that only enqueue tasks, under a lease.

Every app process may run a scheduler (the ASGI lifespan starts one). When a job fires, each
process tries to take that job's `SchedulerLease` row with one conditional UPDATE; exactly one
wins the tick and enqueues the task in the same transaction. The lease lasts half the job's
period, so it has expired again before the next tick.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task

from anyun.core.models import SchedulerLease
from anyun.core.periodic import PERIODIC_JOBS, PeriodicJob

logger = logging.getLogger("anyun.scheduler")

# A firing later than this after its tick is skipped (another process will have fired it);
# kept below the shortest lease so a late firing can never take a second lease for one tick.
MISFIRE_GRACE_SECONDS = 20
MIN_LEASE = timedelta(seconds=1)


def default_holder() -> str:
    return f"{socket.gethostname()[:60]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def lease_acquire(*, name: str, holder: str, ttl: timedelta, now: datetime | None = None) -> bool:
    """Take the lease `name` for `ttl` if it is free (expired). True if this caller got it.

    One conditional UPDATE decides: concurrent callers serialise on the row, and the loser's
    WHERE no longer matches once the winner has moved `expires_at` forward.
    """
    now = now or timezone.now()
    SchedulerLease.objects.get_or_create(name=name, defaults={"expires_at": now})
    taken = SchedulerLease.objects.filter(name=name, expires_at__lte=now).update(
        holder=holder, expires_at=now + ttl
    )
    return taken == 1


def make_trigger(spec: dict[str, object]) -> BaseTrigger:
    """An APScheduler trigger from a `PERIODIC_JOBS` entry ({"trigger": "cron", ...})."""
    options = dict(spec)
    kind = options.pop("trigger", "cron")
    tz = ZoneInfo(settings.TIME_ZONE)
    if kind == "cron":
        return CronTrigger(timezone=tz, **options)  # type: ignore[arg-type]
    if kind == "interval":
        return IntervalTrigger(timezone=tz, **options)  # type: ignore[arg-type]
    raise ValueError(f"Unknown trigger kind {kind!r}")


def lease_ttl(trigger: BaseTrigger, now: datetime | None = None) -> timedelta:
    """Half the trigger's period around `now`: long enough to cover clock skew and late
    firings of the same tick, short enough to have expired by the next tick."""
    now = now or timezone.now()
    first = trigger.get_next_fire_time(None, now)
    if first is None:
        return MIN_LEASE
    second = trigger.get_next_fire_time(first, first + timedelta(seconds=1))
    if second is None:
        return MIN_LEASE
    return max((second - first) / 2, MIN_LEASE)


def fire_periodic(job: PeriodicJob, *, holder: str, ttl: timedelta) -> bool:
    """Enqueue `job`'s task if this process wins the tick's lease. True if it enqueued.

    The task is imported here, at fire time: a missing module is logged, never raised.
    """
    try:
        task = import_string(job.task_path)
    except ImportError:
        logger.exception("Periodic job %s: cannot import %s", job.name, job.task_path)
        return False
    if not isinstance(task, Task):
        logger.error("Periodic job %s: %s is not a task", job.name, job.task_path)
        return False
    with transaction.atomic():
        if not lease_acquire(name=job.name, holder=holder, ttl=ttl):
            return False
        task.enqueue()
    logger.info("Periodic job %s enqueued %s", job.name, job.task_path)
    return True


def _fire_and_close(job: PeriodicJob, holder: str, ttl: timedelta) -> bool:
    try:
        return fire_periodic(job, holder=holder, ttl=ttl)
    finally:
        connections.close_all()


class PeriodicScheduler:
    """An AsyncIOScheduler on the server's event loop firing `PERIODIC_JOBS`."""

    def __init__(
        self, jobs: Iterable[PeriodicJob] | None = None, *, holder: str | None = None
    ) -> None:
        self.jobs = list(PERIODIC_JOBS if jobs is None else jobs)
        self.holder = holder or default_holder()
        self.scheduler = AsyncIOScheduler(timezone=ZoneInfo(settings.TIME_ZONE))
        for job in self.jobs:
            trigger = make_trigger(job.trigger)
            self.scheduler.add_job(
                self._fire,
                trigger=trigger,
                args=(job, trigger),
                id=job.name,
                name=job.name,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=MISFIRE_GRACE_SECONDS,
                replace_existing=True,
            )

    async def _fire(self, job: PeriodicJob, trigger: BaseTrigger) -> None:
        try:
            await sync_to_async(_fire_and_close, thread_sensitive=False)(
                job, self.holder, lease_ttl(trigger)
            )
        except Exception:
            # Keep the scheduler alive; the next tick tries again.
            logger.exception("Periodic job %s failed to fire", job.name)

    @property
    def running(self) -> bool:
        return bool(self.scheduler.running)

    def start(self) -> None:
        """Start on the running event loop."""
        self.scheduler.start()

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
