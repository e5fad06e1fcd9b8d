"""The task queue and the scheduler on the configured database (SQLite, or PostgreSQL via
DATABASE_URL): the job row is an outbox, a committed job runs exactly once, the scheduler's
lease lets exactly one process fire a tick, and the ASGI lifespan runs both in-process."""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import Client
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from anyun.accounts.models import Role, User
from anyun.core.models import SchedulerLease
from anyun.core.periodic import PERIODIC_JOBS, PeriodicJob
from anyun.core.scheduler import (
    PeriodicScheduler,
    fire_periodic,
    lease_acquire,
    lease_ttl,
    make_trigger,
)
from anyun.core.worker import embedded_worker_enabled, enqueue, task_named

# Passed as `now` to functions that take the time as an argument; never travelled to.
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)

RUNS: list[str] = []


@task()
def record_run(label: str) -> str:
    RUNS.append(label)
    return label


@pytest.fixture(autouse=True)
def _fresh_runs() -> Iterator[None]:
    RUNS.clear()
    yield
    RUNS.clear()


@pytest.fixture
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def keep_signal_handlers() -> Iterator[None]:
    """`manage db_worker` installs SIGINT/SIGTERM handlers; give the test process its own back."""
    signals = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    saved = {s: signal.getsignal(s) for s in signals}
    yield
    for s, handler in saved.items():
        signal.signal(s, handler)


def db_worker() -> None:
    call_command(
        "db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0
    )


# --- the queue is an outbox ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("keep_signal_handlers")
def test_rolled_back_job_never_runs_and_committed_job_runs_exactly_once() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        record_run.enqueue(label="rolled back")
        raise RuntimeError("the use case failed")
    with transaction.atomic():
        committed = record_run.enqueue(label="committed")

    db_worker()
    db_worker()

    assert RUNS == ["committed"]
    assert [(str(i), s) for i, s in DBTaskResult.objects.values_list("id", "status")] == [
        (committed.id, TaskResultStatus.SUCCESSFUL)
    ]


@pytest.mark.django_db
def test_a_job_enqueued_by_its_path_is_the_same_job_as_by_its_task() -> None:
    with transaction.atomic():
        by_task = enqueue(record_run, label="by task")
        by_path = enqueue("tests.test_task_queue.record_run", label="by path")
    rows = {row.id: row for row in DBTaskResult.objects.all()}
    assert {rows[by_task].task_path, rows[by_path].task_path} == {
        "tests.test_task_queue.record_run"
    }
    assert rows[by_path].args_kwargs["kwargs"] == {"label": "by path"}
    assert task_named("tests.test_task_queue.record_run") is record_run
    with pytest.raises(TypeError):
        task_named("tests.test_task_queue.db_worker")  # a function, not a task
    with pytest.raises(ImportError):
        task_named("tests.test_task_queue.no_such_task")


# --- the scheduler's lease -------------------------------------------------------------------


@pytest.mark.django_db
def test_lease_goes_to_one_holder_until_it_expires() -> None:
    ttl = timedelta(seconds=30)

    assert lease_acquire(name="sweep", holder="a", ttl=ttl, now=T0) is True
    assert lease_acquire(name="sweep", holder="b", ttl=ttl, now=T0) is False
    assert lease_acquire(name="sweep", holder="a", ttl=ttl, now=T0 + timedelta(seconds=29)) is False
    assert lease_acquire(name="other", holder="b", ttl=ttl, now=T0) is True
    assert lease_acquire(name="sweep", holder="b", ttl=ttl, now=T0 + timedelta(seconds=30)) is True

    lease = SchedulerLease.objects.get(name="sweep")
    assert (lease.holder, lease.expires_at) == ("b", T0 + timedelta(seconds=60))


@pytest.mark.django_db(transaction=True)
def test_concurrent_processes_one_wins_the_lease() -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs a server database")
    contenders = 4
    barrier = threading.Barrier(contenders)
    wins: list[str] = []
    errors: list[BaseException] = []

    def contend(holder: str) -> None:
        try:
            barrier.wait(timeout=5)
            if lease_acquire(name="race", holder=holder, ttl=timedelta(seconds=30), now=T0):
                wins.append(holder)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=contend, args=(f"p{i}",)) for i in range(contenders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)

    assert errors == []
    assert len(wins) == 1
    assert SchedulerLease.objects.get(name="race").holder == wins[0]


@pytest.mark.django_db
def test_a_tick_enqueues_once_across_processes_and_again_next_tick(
    time_machine: Any, tomorrow: datetime
) -> None:
    job = PeriodicJob("test.record", {"trigger": "cron", "minute": "*"}, f"{__name__}.record_run")
    tick = tomorrow.replace(hour=9)
    ttl = lease_ttl(make_trigger(job.trigger), now=tick)
    assert ttl == timedelta(seconds=30)

    time_machine.move_to(tick + timedelta(milliseconds=20), tick=False)
    fired = [fire_periodic(job, holder=h, ttl=ttl) for h in ("p1", "p2", "p3")]
    time_machine.move_to(tick + timedelta(minutes=1, milliseconds=500), tick=False)
    fired_next = [fire_periodic(job, holder=h, ttl=ttl) for h in ("p2", "p1", "p3")]

    assert fired == [True, False, False]
    assert fired_next == [True, False, False]
    assert DBTaskResult.objects.filter(task_path=f"{__name__}.record_run").count() == 2


@pytest.mark.django_db
def test_a_missing_or_wrong_task_path_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    missing = PeriodicJob("test.missing", {"minute": "*"}, "anyun.nowhere.tasks.sweep")
    not_a_task = PeriodicJob("test.wrong", {"minute": "*"}, "anyun.core.scheduler.lease_ttl")

    assert fire_periodic(missing, holder="p1", ttl=timedelta(seconds=30)) is False
    assert fire_periodic(not_a_task, holder="p1", ttl=timedelta(seconds=30)) is False

    assert "cannot import anyun.nowhere.tasks.sweep" in caplog.text
    assert "anyun.core.scheduler.lease_ttl is not a task" in caplog.text
    assert SchedulerLease.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


@pytest.mark.parametrize(
    ("spec", "ttl"),
    [
        ({"trigger": "cron", "minute": "*"}, timedelta(seconds=30)),
        ({"trigger": "cron", "hour": 7, "minute": 0}, timedelta(hours=12)),
        ({"trigger": "interval", "seconds": 10}, timedelta(seconds=5)),
    ],
)
def test_lease_lasts_half_the_period(spec: dict[str, Any], ttl: timedelta) -> None:
    assert lease_ttl(make_trigger(spec), now=T0) == ttl


def test_periodic_list_has_the_redelivery_sweep_every_minute() -> None:
    assert (
        PeriodicJob(
            "notify.redeliver_due",
            {"trigger": "cron", "minute": "*"},
            "anyun.notify.tasks.redeliver_due",
        )
        in PERIODIC_JOBS
    )
    assert len({job.name for job in PERIODIC_JOBS}) == len(PERIODIC_JOBS)


def test_scheduler_starts_and_stops_on_the_event_loop() -> None:
    async def scenario() -> tuple[list[str], bool, bool]:
        scheduler = PeriodicScheduler()
        scheduler.start()
        ids = sorted(job.id for job in scheduler.scheduler.get_jobs())
        running = scheduler.running
        scheduler.stop()
        await asyncio.sleep(0)  # AsyncIOScheduler shuts down on its next loop turn
        return ids, running, scheduler.running

    ids, running, after = async_to_sync(scenario)()

    assert ids == sorted(job.name for job in PERIODIC_JOBS)
    assert (running, after) == (True, False)


# --- embedded mode ---------------------------------------------------------------------------


def test_embedded_worker_follows_the_setting(settings: Any) -> None:
    settings.ANYUN_EMBEDDED_WORKER = False
    assert embedded_worker_enabled() is False
    settings.ANYUN_EMBEDDED_WORKER = True
    assert embedded_worker_enabled() is True


def test_embedded_http_app_serves_static_files() -> None:
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from anyun.asgi import http_app

    assert isinstance(http_app, ASGIStaticFilesHandler)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fast_passwords")
def test_lifespan_runs_the_worker_in_process_and_its_push_reaches_the_socket(
    make_user: Callable[..., User], settings: Any
) -> None:
    from anyun.asgi import Lifespan, application
    from anyun.notify import services
    from anyun.notify.tests.wsclient import FeedClient

    # Rounds only when woken: the commit of the job wakes the worker, well before 60 s.
    settings.ANYUN_WORKER_INTERVAL = 60
    woman = make_user(Role.WOMAN)
    client = Client()
    client.force_login(woman)
    headers = [
        (b"origin", b"http://testserver"),
        (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
    ]

    def notify() -> None:
        with transaction.atomic():
            services.notification_send(recipient=woman, kind="alarm", title="Hi", body="there")

    async def scenario() -> tuple[list[str], dict[str, Any], bool]:
        # A job that never fires: on SQLite's shared in-memory test database a write from
        # another thread at the wrong moment fails with "table is locked" instead of waiting.
        never = PeriodicJob("test.never", {"trigger": "cron", "year": 2999}, "x.y")
        lifespan = Lifespan(embedded_worker=True, jobs=[never])
        inbox: asyncio.Queue[Any] = asyncio.Queue()
        outbox: asyncio.Queue[Any] = asyncio.Queue()
        server = asyncio.create_task(lifespan({"type": "lifespan"}, inbox.get, outbox.put))
        await inbox.put({"type": "lifespan.startup"})
        replies = [(await outbox.get())["type"]]
        assert lifespan.worker is not None and lifespan.scheduler is not None
        assert lifespan.scheduler.running
        await lifespan.worker.wait_rounds(1)  # the first round found nothing; now it waits

        feed = FeedClient(application, "/ws/feed/", headers)
        assert (await feed.connect())[0]
        await sync_to_async(notify)()
        message = await feed.receive_json_from(timeout=10)
        await feed.disconnect()

        await inbox.put({"type": "lifespan.shutdown"})
        replies.append((await outbox.get())["type"])
        await server
        return replies, message, lifespan.worker is None and lifespan.scheduler is None

    replies, message, stopped = async_to_sync(scenario)()

    assert replies == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert (message["type"], message["title"], message["unread"]) == ("notification", "Hi", 1)
    assert stopped
    assert set(woman.notifications.get().deliveries.values_list("state", flat=True)) == {"sent"}
