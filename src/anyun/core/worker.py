"""The task queue (django-tasks with the django-tasks-db backend), seen from our code.

- `enqueue` writes a job in the caller's transaction when the queue lives in the database (the
  job row is the outbox: a rolled-back transaction leaves no job), else after commit.
- `job_is_live` is the set-based "is a job still coming for this row?" test sweeps use.
- `run_jobs_once` runs django-tasks-db's own worker in batch mode (tests, the embedded worker).
- On PostgreSQL, `anyun db_worker` waits for work with LISTEN (`JobSignal`, `run_listening`):
  `enqueue` NOTIFYs in the enqueuing transaction, so a committed job starts at once rather
  than after the poll interval, which stays as the fallback (and for jobs due later).
- `EmbeddedWorker` repeats that inside the ASGI server's event loop when no separate
  `manage db_worker` processes run (the embedded default, where the in-memory channel layer
  cannot reach other processes).
- Every round of the embedded worker first puts back on the queue the jobs of workers that
  died (`anyun.core.jobleases`); when separate workers run the queue, the app server's
  `LostJobReclaimer` does that every few seconds instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import secrets
import socket
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task, TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from anyun.core.jobleases import (
    job_vouched_for,
    jobs_reclaim_lost,
    leases_stop_renewing_here,
    renew_interval,
)

logger = logging.getLogger("anyun.worker")

DEFAULT_EMBEDDED_INTERVAL = 1.0
# PostgreSQL NOTIFY channel: a committed job wakes the listening workers (`JobSignal`).
JOBS_CHANNEL = "anyun_jobs"
# Told apart from a worker that died before in the same container (same host name and pid).
_PROCESS_TOKEN = secrets.token_hex(4)


@functools.cache
def task_named(path: str) -> Task[Any, Any]:
    """The task at the dotted `path` ("anyun.<app>.tasks.<name>"): how a service enqueues a
    job of its app's tasks module without importing it (a tasks module imports the services
    it runs; the services name the job, as the periodic schedule does)."""
    found = import_string(path)
    if not isinstance(found, Task):
        raise TypeError(f"{path} is not a task")
    return found


def enqueue(
    task: Task[Any, Any] | str,
    *,
    run_after: datetime | None = None,
    priority: int | None = None,
    **kwargs: Any,
) -> UUID | None:
    """Enqueue `task(**kwargs)`; return the job id when the backend gives one now.

    Database backend: the job row is written in the current transaction, so it exists only if
    the transaction commits; a job due now wakes the workers at commit (the embedded one in
    this process; on PostgreSQL every `anyun db_worker` through NOTIFY, one statement).
    Any other backend: enqueued on commit (id unknown, None). `priority` (-100..100, default
    0): workers take higher first. `task` may be given by its dotted path (`task_named`).
    """
    if isinstance(task, str):
        task = task_named(task)
    if run_after is not None:
        task = task.using(run_after=run_after)
    if priority is not None:
        task = task.using(priority=priority)
    if isinstance(task.get_backend(), DatabaseBackend):
        job_id = UUID(task.enqueue(**kwargs).id)
        if run_after is None:
            # Start the next round at commit, not after the poll interval (a pushed alarm
            # reaches the clinician in tens of milliseconds).
            transaction.on_commit(_wake_embedded_worker)
            _notify_listening_workers()
        return job_id
    transaction.on_commit(lambda: task.enqueue(**kwargs))
    return None


def _notify_listening_workers() -> None:
    """PostgreSQL: NOTIFY on JOBS_CHANNEL in the current transaction (delivered when it
    commits, dropped if it rolls back), so `anyun db_worker` processes waiting for work
    (`JobSignal`) start at once instead of after their poll interval."""
    connection = connections[DBTaskResult.objects.db]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, '')", [JOBS_CHANNEL])


class JobSignal:
    """A PostgreSQL connection of its own LISTENing on JOBS_CHANNEL: `wait` returns as soon as
    a committed transaction enqueued a job (or after `timeout`, the poll interval)."""

    def __init__(self, using: str = "default") -> None:
        settings_dict = connections[using].settings_dict
        params = {
            "dbname": settings_dict["NAME"],
            "user": settings_dict.get("USER") or None,
            "password": settings_dict.get("PASSWORD") or None,
            "host": settings_dict.get("HOST") or None,
            "port": settings_dict.get("PORT") or None,
        }
        self._conn = psycopg.connect(
            autocommit=True, **{k: v for k, v in params.items() if v is not None}
        )
        self._conn.execute(f"LISTEN {JOBS_CHANNEL}")

    @staticmethod
    def available(using: str = "default") -> bool:
        return connections[using].vendor == "postgresql"

    def wait(self, timeout: float) -> bool:
        """True when woken by a notification, False after `timeout` seconds without one."""
        woken = False
        for _notice in self._conn.notifies(timeout=timeout, stop_after=1):
            woken = True
        # Several commits at once: one wake-up is enough for all of them.
        for _notice in self._conn.notifies(timeout=0):
            pass
        return woken

    def close(self) -> None:
        self._conn.close()


def run_listening(worker: Worker, *, interval: float, signal: JobSignal | None = None) -> None:
    """`anyun db_worker` on PostgreSQL: django-tasks-db's worker in batch mode (every job due,
    highest priority first), then a wait for the next NOTIFY (at most `interval` seconds, for
    jobs that become due later), until the worker is told to stop (SIGTERM/SIGINT)."""
    listening = signal or JobSignal(DBTaskResult.objects.db)
    quiet = logging.getLogger("django_tasks_db")
    try:
        while worker.running:
            worker.run()
            # Each round logs its start and end; after the first, only warnings.
            quiet.setLevel(max(quiet.getEffectiveLevel(), logging.WARNING))
            if not worker.running:
                break
            close_old_connections()
            listening.wait(interval)
    finally:
        listening.close()


_embedded: tuple[EmbeddedWorker, asyncio.AbstractEventLoop] | None = None


def _wake_embedded_worker() -> None:
    if _embedded is not None:
        worker, loop = _embedded
        with contextlib.suppress(RuntimeError):  # the loop has closed: nothing to wake
            loop.call_soon_threadsafe(worker.wake)


def job_is_live(job_id: OuterRef | str = "job_id") -> Exists:
    """Exists(): the job named by `job_id` (an outer column) is waiting, or running under a
    worker that vouches for it (`anyun.core.jobleases`: a lease renewed every few seconds).

    Use as `.filter(~job_is_live())` to find rows whose job was lost, failed or never written.
    """
    ref = job_id if isinstance(job_id, OuterRef) else OuterRef(job_id)
    return Exists(
        DBTaskResult.objects.filter(id=ref).filter(
            Q(status=TaskResultStatus.READY)
            | (Q(status=TaskResultStatus.RUNNING) & job_vouched_for(timezone.now()))
        )
    )


def _worker_id() -> str:
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{_PROCESS_TOKEN}"[:64]


def make_worker(*, max_tasks: int | None = None, interval: float = 0) -> Worker:
    """django-tasks-db's worker in batch mode over every queue of the default backend."""
    return Worker(
        queue_names=["*"],
        interval=interval,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=_worker_id(),
        excluded_queue_names=[],
    )


def run_jobs_once(*, max_tasks: int | None = None) -> None:
    """Run every job that is ready now, then return. Installs no signal handlers."""
    make_worker(max_tasks=max_tasks).run()


def embedded_worker_enabled() -> bool:
    """ANYUN_EMBEDDED_WORKER (settings), default on when there is no Redis."""
    return bool(settings.ANYUN_EMBEDDED_WORKER)


def embedded_worker_interval() -> float:
    return float(settings.ANYUN_WORKER_INTERVAL)


class EmbeddedWorker:
    """The queue worker inside the ASGI server process (embedded mode).

    Each round puts lost jobs back on the queue (so the first round after a restart finds the
    jobs the killed process left RUNNING as soon as their leases run out), then runs
    django-tasks-db's worker in batch mode in a thread of its own (`thread_sensitive=False`),
    then waits `interval` seconds. A task that pushes with
    `async_to_sync(channel_layer.group_send)` from that thread runs the send on this event
    loop, so the in-memory channel layer reaches the sockets this process holds.
    """

    def __init__(self, *, interval: float | None = None) -> None:
        self.interval = embedded_worker_interval() if interval is None else interval
        self.rounds = 0
        self._current: Worker | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._wake: asyncio.Event | None = None
        self._round_done: asyncio.Condition | None = None

    def start(self) -> None:
        """Start the loop on the running event loop."""
        self._wake = asyncio.Event()
        self._round_done = asyncio.Condition()
        self._stopping = False
        loop = asyncio.get_running_loop()
        self._task = loop.create_task(self._run_forever(), name="anyun-embedded-worker")
        global _embedded  # noqa: PLW0603 - one embedded worker per process, woken on commit
        _embedded = (self, loop)

    def wake(self) -> None:
        """Start the next round now instead of after the interval."""
        if self._wake is not None:
            self._wake.set()

    async def wait_rounds(self, count: int) -> None:
        """Wait until at least `count` rounds have finished since start (tests, tooling)."""
        assert self._round_done is not None, "start() first"
        async with self._round_done:
            await self._round_done.wait_for(lambda: self.rounds >= count)

    async def stop(self, *, timeout: float = 30) -> None:
        """Finish the job in hand (up to `timeout` seconds), then stop."""
        self._stopping = True
        global _embedded  # noqa: PLW0603
        if _embedded is not None and _embedded[0] is self:
            _embedded = None
        if self._current is not None:
            self._current.running = False
        self.wake()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout)
        except TimeoutError:
            logger.warning("Embedded worker did not stop within %ss; cancelling.", timeout)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None

    async def _run_forever(self) -> None:
        assert self._wake is not None
        while not self._stopping:
            await self.run_round()
            if self._stopping:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()

    async def run_round(self) -> None:
        worker = make_worker()
        self._current = worker
        try:
            await sync_to_async(self._run_batch, thread_sensitive=False)(worker)
        except Exception:
            # A database hiccup must not end the loop; the next round tries again.
            logger.exception("Embedded worker round failed.")
        finally:
            self._current = None
        self.rounds += 1
        if self._round_done is not None:
            async with self._round_done:
                self._round_done.notify_all()

    @staticmethod
    def _run_batch(worker: Worker) -> None:
        try:
            close_old_connections()
            _reclaim_lost_jobs()
            worker.run()
        finally:
            # A round cut short mid-job must not keep vouching for that job.
            leases_stop_renewing_here()
            # The thread pool's threads outlive the round; leave no connection open in them.
            connections.close_all()


def _reclaim_lost_jobs() -> None:
    try:
        jobs_reclaim_lost()
    except DatabaseError:
        # The ready jobs still run; the next round sweeps again.
        logger.exception("Could not put lost jobs back on the queue.")


def _reclaim_and_close() -> None:
    try:
        jobs_reclaim_lost()
    finally:
        connections.close_all()


class LostJobReclaimer:
    """Puts lost jobs back on the queue every few seconds, on the app server's event loop.

    For a server whose queue is worked by separate `anyun db_worker` processes (the embedded
    worker does this in its own rounds): whichever process outlives a dead worker, or starts
    after it, finds that worker's jobs once their leases run out. Several servers may run one:
    each job is reclaimed once (`jobs_reclaim_lost` locks what it changes).
    """

    def __init__(self, *, interval: float | None = None) -> None:
        self.interval = renew_interval() if interval is None else interval
        self.rounds = 0
        self._task: asyncio.Task[None] | None = None
        self._stop: asyncio.Event | None = None

    def start(self) -> None:
        """Start on the running event loop; the first sweep runs at once."""
        self._stop = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(
            self._run_forever(), name="anyun-lost-job-reclaimer"
        )

    async def stop(self) -> None:
        if self._stop is not None:
            self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def run_round(self) -> None:
        try:
            await sync_to_async(_reclaim_and_close, thread_sensitive=False)()
        except Exception:
            # Whatever went wrong, the loop must go on; the next round sweeps again.
            logger.exception("Lost-job reclaimer round failed.")
        self.rounds += 1

    async def _run_forever(self) -> None:
        assert self._stop is not None
        while True:
            await self.run_round()  # the first sweep even if stopped at once: startup reclaims
            if self._stop.is_set():
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.interval)
