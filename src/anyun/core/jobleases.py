"""Leases on running queue jobs: how the queue finds the jobs of workers that died.

django-tasks-db marks a job RUNNING when a worker claims it and never looks at it again, so a
worker killed mid-job (kill -9, a power cut) would leave it RUNNING for ever. Here:

- When django-tasks-db's worker starts a job (its `task_started` signal, sent in every process
  that works the queue: the embedded worker and `anyun db_worker` alike), the job's `JobLease`
  is taken for one lease period (`ANYUN_JOB_LEASE_SECONDS`, default 15). A thread of the
  process renews it every third of a period while the job runs; `task_finished` removes it.
- A job is lost when it is RUNNING, started more than one lease period ago, and holds no
  unexpired lease. The first period after the claim vouches for a job whose lease is not
  written yet.
- `jobs_reclaim_lost` puts lost jobs back on the queue: READY again, with the same id and
  arguments, so whatever points at the job (a delivery's `job_id`) still does. Tasks are safe
  to run twice; a job whose work was done before its worker died finds nothing left to do.
  A job lost `MAX_LOST_RUNS` times (each run killed its worker) is failed instead.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.dispatch import receiver
from django.utils import timezone
from django_tasks.base import TaskResult, TaskResultStatus
from django_tasks.signals import task_finished, task_started
from django_tasks_db.backend import TaskResult as DatabaseTaskResult
from django_tasks_db.models import DBTaskResult

from anyun.core.models import JobLease

logger = logging.getLogger("anyun.worker")

DEFAULT_LEASE_SECONDS = 15.0
MAX_LOST_RUNS = 3
RECLAIM_BATCH = 100


class JobLost(Exception):
    """The error recorded on a job given up after its worker died `MAX_LOST_RUNS` times."""


def lease_duration() -> timedelta:
    """ANYUN_JOB_LEASE_SECONDS: how long a job's worker may stay silent before it counts as dead."""
    seconds = float(getattr(settings, "ANYUN_JOB_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))
    return timedelta(seconds=seconds)


def renew_interval() -> float:
    """Seconds between renewals: a third of the lease, so two renewals may fail in a row."""
    return lease_duration().total_seconds() / 3


def job_vouched_for(now: datetime) -> Q:
    """Q on DBTaskResult: its worker vouches for it now (started within one lease period, or
    holding an unexpired lease). Meaningful for RUNNING jobs."""
    return Q(started_at__gt=now - lease_duration()) | Q(
        Exists(JobLease.objects.filter(job_id=OuterRef("id"), expires_at__gt=now))
    )


def jobs_lost(now: datetime | None = None) -> QuerySet[DBTaskResult]:
    """RUNNING jobs no live worker vouches for."""
    now = now or timezone.now()
    return DBTaskResult.objects.filter(
        Q(status=TaskResultStatus.RUNNING) & ~job_vouched_for(now)
    ).order_by()


def job_lease_take(*, job_id: UUID, worker_id: str, now: datetime | None = None) -> None:
    """Take (or take over) the lease of `job_id` for one lease period. One statement."""
    now = now or timezone.now()
    JobLease.objects.bulk_create(
        [JobLease(job_id=job_id, worker_id=worker_id[:64], expires_at=now + lease_duration())],
        update_conflicts=True,
        unique_fields=["job_id"],
        update_fields=["worker_id", "expires_at"],
    )


def job_leases_renew(*, job_ids: list[UUID], now: datetime | None = None) -> int:
    """Extend the leases of `job_ids` by one lease period from now. Returns how many.

    A lease that is gone was taken from a worker that fell silent for too long; it is not
    taken back (its job may be running elsewhere by now).
    """
    now = now or timezone.now()
    return JobLease.objects.filter(job_id__in=job_ids).update(expires_at=now + lease_duration())


def job_lease_release(*, job_id: UUID) -> None:
    JobLease.objects.filter(job_id=job_id).delete()


def jobs_reclaim_lost(*, now: datetime | None = None) -> int:
    """Put every lost job back on the queue (at most RECLAIM_BATCH per call). Returns how many.

    Reads first without a lock (the usual answer is none, and on SQLite a transaction would
    take the write lock); then, in one transaction, re-checks the candidates under row locks
    (SKIP LOCKED where the database has it), so concurrent callers reclaim each job once.
    Expired leases are removed in the same transaction.
    """
    now = now or timezone.now()
    candidates = list(jobs_lost(now).values_list("id", flat=True)[:RECLAIM_BATCH])
    if not candidates:
        return 0
    with transaction.atomic():
        lost = list(
            jobs_lost(now)
            .select_for_update(skip_locked=True)
            .filter(id__in=candidates)
            .only("id", "task_path", "worker_ids")
        )
        requeue = [job.id for job in lost if len(job.worker_ids) < MAX_LOST_RUNS]
        give_up = [job.id for job in lost if len(job.worker_ids) >= MAX_LOST_RUNS]
        DBTaskResult.objects.filter(id__in=requeue).update(
            status=TaskResultStatus.READY, started_at=None
        )
        DBTaskResult.objects.filter(id__in=give_up).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            return_value=None,
            exception_class_path=f"{JobLost.__module__}.{JobLost.__qualname__}",
            traceback=(
                f"{JobLost.__qualname__}: the worker running this job stopped "
                f"{MAX_LOST_RUNS} times before it finished; it is not run again.\n"
            ),
        )
        JobLease.objects.filter(
            Q(job_id__in=[job.id for job in lost]) | Q(expires_at__lte=now)
        ).delete()
    for job in lost:
        logger.warning(
            "Job %s (%s) was left running by worker %s, which stopped; %s.",
            job.id,
            job.task_path,
            job.worker_ids[-1] if job.worker_ids else "?",
            "queued again" if job.id in requeue else "given up",
        )
    return len(lost)


class _LeaseRenewer:
    """Renews the leases of the jobs this process is running.

    From a daemon thread of its own, because the worker's thread is busy running the job; it
    dies with the process, which is the point: a dead process renews nothing. Each job is
    remembered with the thread that runs it.
    """

    def __init__(self) -> None:
        self._held: dict[UUID, int] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def hold(self, job_id: UUID) -> None:
        with self._lock:
            self._held[job_id] = threading.get_ident()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="anyun-job-leases", daemon=True
                )
                self._thread.start()

    def drop(self, job_id: UUID) -> None:
        with self._lock:
            self._held.pop(job_id, None)

    def drop_this_thread(self) -> None:
        here = threading.get_ident()
        with self._lock:
            for job_id in [job for job, thread in self._held.items() if thread == here]:
                del self._held[job_id]

    def held(self) -> list[UUID]:
        with self._lock:
            return list(self._held)

    def renew(self) -> int:
        job_ids = self.held()
        return job_leases_renew(job_ids=job_ids) if job_ids else 0

    def _run(self) -> None:
        while True:
            time.sleep(renew_interval())
            if not self.held():
                continue
            try:
                self.renew()
            except DatabaseError:
                logger.exception("Could not renew the leases of running jobs; trying again.")
            finally:
                connections.close_all()  # this thread's connections only


renewer = _LeaseRenewer()


def leases_stop_renewing_here() -> None:
    """Stop renewing the leases of jobs started in this thread: its worker run has ended, and
    a job it left unfinished (the run broke off) must be found lost, not vouched for."""
    renewer.drop_this_thread()


def _job_id(task_result: TaskResult[Any]) -> UUID | None:
    if not isinstance(task_result, DatabaseTaskResult):
        return None  # another backend: no job row to vouch for
    return UUID(task_result.id)


@receiver(task_started, dispatch_uid="anyun.core.jobleases.take")
def _job_started(sender: Any, task_result: TaskResult[Any], **kwargs: Any) -> None:
    job_id = _job_id(task_result)
    if job_id is None or not task_result.worker_ids:
        return
    worker_id = task_result.worker_ids[-1]
    try:
        with transaction.atomic():
            job_lease_take(job_id=job_id, worker_id=worker_id)
    except DatabaseError:
        # The job runs all the same; a raised error here would fail it. Its start time vouches
        # for it for one lease period, the renewals (if the database is back) after that.
        logger.exception("Could not take the lease of job %s.", job_id)
    renewer.hold(job_id)


@receiver(task_finished, dispatch_uid="anyun.core.jobleases.release")
def _job_finished(sender: Any, task_result: TaskResult[Any], **kwargs: Any) -> None:
    job_id = _job_id(task_result)
    if job_id is None:
        return
    renewer.drop(job_id)
    try:
        with transaction.atomic():
            job_lease_release(job_id=job_id)
    except DatabaseError:
        # Harmless: the job is no longer RUNNING, and the lease expires on its own.
        logger.exception("Could not release the lease of job %s.", job_id)
