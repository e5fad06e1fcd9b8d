"""Jobs left RUNNING by a worker that died (kill -9 mid-job) go back on the queue as soon as
that worker's lease runs out, and their work is done exactly once.

A dead worker is played by hand: django-tasks-db's own `claim` marks its job RUNNING under a
worker id that never renews anything again (optionally after taking the job's lease, as a real
worker does when the job starts). Committed data: the embedded worker runs in a thread.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from asgiref.sync import async_to_sync
from django.core.management import call_command
from django.db import transaction
from django_tasks import TaskContext, task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from anyun.accounts.models import Role, User
from anyun.asgi import Lifespan
from anyun.cli import ALIASES
from anyun.core.jobleases import (
    MAX_LOST_RUNS,
    job_lease_take,
    job_leases_renew,
    jobs_reclaim_lost,
    lease_duration,
    renew_interval,
    renewer,
)
from anyun.core.models import JobLease
from anyun.core.worker import EmbeddedWorker, LostJobReclaimer, make_worker
from anyun.notify import adapters, services
from anyun.notify.models import Channel, Delivery, DeliveryState

pytestmark = pytest.mark.django_db(transaction=True)

DEAD = "host-a-4242-dead0000"
LIVE = "host-b-4343-live0000"


class WorkerKilled(BaseException):
    """Stands for kill -9: nothing after it runs, not even the worker's own error handling."""


@task(takes_context=True)
def lease_seen_by_job(context: TaskContext) -> list[str]:
    """Reports the lease its own job holds while it runs."""
    lease = JobLease.objects.get(job_id=context.task_result.id)
    return [str(lease.job_id), lease.worker_id]


@pytest.fixture
def woman(make_user: Callable[..., User]) -> User:
    return make_user(Role.WOMAN)


@pytest.fixture
def t0(woman: User, tomorrow: datetime) -> datetime:
    """The moment the alarm is raised: tomorrow morning, after the world was built."""
    return tomorrow.replace(hour=7)


@pytest.fixture
def pushes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids of the deliveries pushed, in order (the push channel records, sends nothing)."""
    sent: list[int] = []

    def push(delivery: Delivery) -> str:
        sent.append(delivery.pk)
        return ""

    monkeypatch.setitem(adapters.ADAPTERS, Channel.PUSH, push)
    return sent


@pytest.fixture
def keep_signal_handlers() -> Iterator[None]:
    """`db_worker` installs SIGINT/SIGTERM handlers; give the test process its own back."""
    signals = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    saved = {s: signal.getsignal(s) for s in signals}
    yield
    for s, handler in saved.items():
        signal.signal(s, handler)


def raise_alarm(woman: User) -> Delivery:
    with transaction.atomic():
        notification = services.notification_send(
            recipient=woman,
            kind="alarm",
            title="Blood pressure 172/114",
            body="Urgent: call the patient.",
            channels=("push",),
        )
    return notification.deliveries.get()


def job_of(delivery: Delivery) -> DBTaskResult:
    delivery.refresh_from_db()
    assert delivery.job_id is not None
    return DBTaskResult.objects.get(id=delivery.job_id)


def claimed_by(worker_id: str, job: DBTaskResult, *, lease: bool) -> DBTaskResult:
    job.claim(worker_id)
    if lease:
        job_lease_take(job_id=job.id, worker_id=worker_id)
    return job


def embedded_rounds(count: int) -> None:
    """A freshly started embedded worker runs `count` rounds."""
    worker = EmbeddedWorker(interval=0)

    async def run() -> None:
        for _ in range(count):
            await worker.run_round()

    async_to_sync(run)()


def status_of(job: DBTaskResult) -> str:
    job.refresh_from_db()
    return str(job.status)


@pytest.mark.parametrize("lease", [True, False], ids=["lease-ran-out", "no-lease-taken"])
def test_alarm_left_running_by_a_killed_worker_is_pushed_once_after_one_lease(
    woman: User, t0: datetime, pushes: list[int], time_machine: Any, lease: bool
) -> None:
    time_machine.move_to(t0, tick=False)
    delivery = raise_alarm(woman)
    job = claimed_by(DEAD, job_of(delivery), lease=lease)

    # The restarted server's worker starts while the dead worker's lease still runs.
    time_machine.move_to(t0 + lease_duration() - timedelta(seconds=1), tick=False)
    embedded_rounds(2)
    assert (status_of(job), pushes) == (TaskResultStatus.RUNNING, [])

    # Seconds later, not 15 minutes: the next round puts the job back and runs it.
    time_machine.move_to(t0 + lease_duration() + timedelta(seconds=1), tick=False)
    embedded_rounds(1)

    job.refresh_from_db()
    delivery.refresh_from_db()
    assert pushes == [delivery.pk]
    assert (job.status, job.return_value) == (TaskResultStatus.SUCCESSFUL, "sent")
    assert job.worker_ids == [DEAD, make_worker().worker_id]
    assert (delivery.state, delivery.attempts, delivery.job_id) == (
        DeliveryState.SENT,
        1,
        UUID(str(job.id)),
    )
    assert list(JobLease.objects.all()) == []

    time_machine.move_to(t0 + timedelta(minutes=20), tick=False)
    embedded_rounds(2)
    assert pushes == [delivery.pk]
    assert DBTaskResult.objects.count() == 1


def test_attempt_in_flight_when_the_worker_died_is_taken_over_not_after_five_minutes(
    woman: User, t0: datetime, pushes: list[int], time_machine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    time_machine.move_to(t0, tick=False)
    delivery = raise_alarm(woman)
    job = claimed_by(DEAD, job_of(delivery), lease=True)

    def killed(delivery: Delivery) -> str:
        raise WorkerKilled

    with monkeypatch.context() as dying:
        dying.setitem(adapters.ADAPTERS, Channel.PUSH, killed)
        with pytest.raises(WorkerKilled):
            services.delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.next_attempt_at) == (
        1,
        t0 + timedelta(seconds=services.CLAIM_SECONDS),
    )

    time_machine.move_to(t0 + lease_duration() + timedelta(seconds=1), tick=False)
    embedded_rounds(1)

    delivery.refresh_from_db()
    assert pushes == [delivery.pk]
    assert (delivery.state, delivery.attempts) == (DeliveryState.SENT, 2)
    assert status_of(job) == TaskResultStatus.SUCCESSFUL


def test_alarm_pushed_before_its_worker_died_is_not_pushed_again(
    woman: User, t0: datetime, pushes: list[int], time_machine: Any
) -> None:
    time_machine.move_to(t0, tick=False)
    delivery = raise_alarm(woman)
    job = claimed_by(DEAD, job_of(delivery), lease=True)
    # The dead worker did the work and recorded it, then died before marking its job done.
    assert services.delivery_attempt(delivery_id=delivery.pk) == "sent"
    assert pushes == [delivery.pk]

    time_machine.move_to(t0 + lease_duration() + timedelta(seconds=1), tick=False)
    embedded_rounds(2)

    job.refresh_from_db()
    delivery.refresh_from_db()
    assert pushes == [delivery.pk]
    assert (job.status, job.return_value) == (TaskResultStatus.SUCCESSFUL, "skipped")
    assert (delivery.state, delivery.attempts) == (DeliveryState.SENT, 1)


def test_round_broken_off_mid_job_stops_vouching_for_it(
    woman: User, t0: datetime, pushes: list[int], time_machine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    time_machine.move_to(t0, tick=False)
    delivery = raise_alarm(woman)

    def database_gone(self: DBTaskResult, *args: Any) -> None:
        raise RuntimeError("database went away")

    with monkeypatch.context() as broken:
        broken.setattr(DBTaskResult, "set_successful", database_gone)
        broken.setattr(DBTaskResult, "set_failed", database_gone)
        embedded_rounds(1)  # pushes, then cannot record the job's end: the round breaks off
    job = job_of(delivery)
    assert (status_of(job), pushes, renewer.held()) == (
        TaskResultStatus.RUNNING,
        [delivery.pk],
        [],
    )
    assert list(JobLease.objects.values_list("job_id", flat=True)) == [job.id]

    time_machine.move_to(t0 + lease_duration() + timedelta(seconds=1), tick=False)
    embedded_rounds(1)

    job.refresh_from_db()
    assert (job.status, job.return_value, pushes) == (
        TaskResultStatus.SUCCESSFUL,
        "skipped",
        [delivery.pk],
    )


def test_job_running_under_a_live_worker_is_left_alone(
    woman: User, t0: datetime, pushes: list[int], time_machine: Any
) -> None:
    time_machine.move_to(t0, tick=False)
    delivery = raise_alarm(woman)
    job = claimed_by(LIVE, job_of(delivery), lease=True)

    # An hour on, the live worker still renews its lease every few seconds.
    time_machine.move_to(t0 + timedelta(hours=1), tick=False)
    assert job_leases_renew(job_ids=[job.id]) == 1
    time_machine.move_to(t0 + timedelta(hours=1, seconds=renew_interval()), tick=False)
    embedded_rounds(2)

    job.refresh_from_db()
    assert (job.status, job.worker_ids, pushes) == (TaskResultStatus.RUNNING, [LIVE], [])
    assert jobs_reclaim_lost() == 0
    # The redelivery sweep sees the job as live too, so it queues no second one.
    assert services.deliveries_redeliver_due() == 0
    assert list(DBTaskResult.objects.values_list("id", flat=True)) == [job.id]


def test_finished_jobs_are_never_reclaimed(
    woman: User, t0: datetime, pushes: list[int], time_machine: Any
) -> None:
    time_machine.move_to(t0, tick=False)
    delivery = raise_alarm(woman)
    embedded_rounds(1)
    failed = job_of(raise_alarm(woman))
    claimed_by(DEAD, failed, lease=False)
    failed.set_failed(RuntimeError("provider down"))
    sent_job = job_of(delivery)
    pushed = list(pushes)

    time_machine.move_to(t0 + timedelta(hours=2), tick=False)
    assert jobs_reclaim_lost() == 0
    embedded_rounds(1)

    assert (status_of(sent_job), status_of(failed)) == (
        TaskResultStatus.SUCCESSFUL,
        TaskResultStatus.FAILED,
    )
    assert pushes == pushed == [delivery.pk]


def test_redelivery_sweep_counts_a_lost_job_as_lost_after_one_lease(
    woman: User, t0: datetime, time_machine: Any
) -> None:
    time_machine.move_to(t0, tick=False)
    delivery = raise_alarm(woman)
    lost = claimed_by(DEAD, job_of(delivery), lease=True)

    time_machine.move_to(t0 + lease_duration() - timedelta(seconds=1), tick=False)
    assert services.deliveries_redeliver_due() == 0

    time_machine.move_to(t0 + lease_duration() + timedelta(seconds=1), tick=False)
    assert services.deliveries_redeliver_due() == 1
    assert job_of(delivery).id != lost.id


def test_job_that_keeps_killing_its_worker_is_failed_and_the_sweep_queues_a_fresh_one(
    woman: User, t0: datetime, pushes: list[int], time_machine: Any
) -> None:
    time_machine.move_to(t0, tick=False)
    delivery = raise_alarm(woman)
    job = job_of(delivery)
    for run in range(1, MAX_LOST_RUNS + 1):
        claimed_by(f"{DEAD}-{run}", job, lease=True)
        time_machine.move_to(t0 + run * (lease_duration() + timedelta(seconds=1)), tick=False)
        assert jobs_reclaim_lost() == 1
        job.refresh_from_db()
        assert job.status == (
            TaskResultStatus.READY if run < MAX_LOST_RUNS else TaskResultStatus.FAILED
        )
    assert job.exception_class_path == "anyun.core.jobleases.JobLost"
    assert list(JobLease.objects.all()) == []

    assert services.deliveries_redeliver_due() == 1
    embedded_rounds(1)

    delivery.refresh_from_db()
    assert pushes == [delivery.pk]
    assert delivery.state == DeliveryState.SENT
    assert status_of(job_of(delivery)) == TaskResultStatus.SUCCESSFUL


def test_renewed_lease_keeps_a_long_job_its_own_until_renewals_stop(
    woman: User, t0: datetime, time_machine: Any
) -> None:
    time_machine.move_to(t0, tick=False)
    job = claimed_by(LIVE, job_of(raise_alarm(woman)), lease=True)
    renewer.hold(job.id)
    try:
        for second in range(5, 61, 5):
            time_machine.move_to(t0 + timedelta(seconds=second), tick=False)
            assert renewer.renew() == 1
            assert jobs_reclaim_lost() == 0
    finally:
        renewer.drop(job.id)
    assert renewer.renew() == 0

    time_machine.move_to(t0 + timedelta(seconds=60) + lease_duration(), tick=False)
    assert jobs_reclaim_lost() == 1
    assert status_of(job) == TaskResultStatus.READY


def test_lease_length_follows_the_setting(settings: Any) -> None:
    settings.ANYUN_JOB_LEASE_SECONDS = 6
    assert (lease_duration(), renew_interval()) == (timedelta(seconds=6), 2.0)


@pytest.mark.usefixtures("keep_signal_handlers")
def test_db_worker_process_holds_the_lease_while_the_job_runs_and_releases_it() -> None:
    with transaction.atomic():
        result = lease_seen_by_job.enqueue()

    call_command(
        "db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0
    )

    job = DBTaskResult.objects.get(id=result.id)
    assert job.status == TaskResultStatus.SUCCESSFUL
    assert job.return_value == [str(job.id), job.worker_ids[-1]]
    assert list(JobLease.objects.all()) == []
    assert renewer.held() == []


def test_app_server_without_embedded_worker_reclaims_at_startup(
    woman: User, t0: datetime, pushes: list[int], time_machine: Any
) -> None:
    time_machine.move_to(t0, tick=False)
    delivery = raise_alarm(woman)
    job = claimed_by(DEAD, job_of(delivery), lease=True)
    time_machine.move_to(t0 + lease_duration() + timedelta(seconds=1), tick=False)

    async def start_and_stop() -> tuple[list[str], bool, bool]:
        lifespan = Lifespan(embedded_worker=False, scheduler=False)
        inbox: asyncio.Queue[Any] = asyncio.Queue()
        outbox: asyncio.Queue[Any] = asyncio.Queue()
        server = asyncio.create_task(lifespan({"type": "lifespan"}, inbox.get, outbox.put))
        await inbox.put({"type": "lifespan.startup"})
        replies = [(await outbox.get())["type"]]
        started = isinstance(lifespan.reclaimer, LostJobReclaimer) and lifespan.worker is None
        await inbox.put({"type": "lifespan.shutdown"})
        replies.append((await outbox.get())["type"])
        await server
        return replies, started, lifespan.reclaimer is None

    replies, started, stopped = async_to_sync(start_and_stop)()

    assert replies == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert (started, stopped) == (True, True)
    job.refresh_from_db()
    assert (job.status, job.worker_ids) == (TaskResultStatus.READY, [DEAD])
    assert pushes == []  # the separate workers run it


def test_reclaimer_round_puts_back_only_lost_jobs(
    woman: User, t0: datetime, time_machine: Any
) -> None:
    time_machine.move_to(t0, tick=False)
    lost = claimed_by(DEAD, job_of(raise_alarm(woman)), lease=True)
    live = claimed_by(LIVE, job_of(raise_alarm(woman)), lease=True)
    time_machine.move_to(t0 + lease_duration() + timedelta(seconds=1), tick=False)
    job_leases_renew(job_ids=[live.id])

    reclaimer = LostJobReclaimer(interval=0)
    async_to_sync(reclaimer.run_round)()
    async_to_sync(reclaimer.run_round)()

    assert (status_of(lost), status_of(live)) == (TaskResultStatus.READY, TaskResultStatus.RUNNING)
    assert list(JobLease.objects.values_list("job_id", flat=True)) == [live.id]


def test_anyun_db_worker_alone_reclaims_what_a_killed_worker_left(
    woman: User, t0: datetime, pushes: list[int], time_machine: Any
) -> None:
    """`anyun db_worker` (our command, not django-tasks-db's bare one) puts the lost job back
    and runs it, with no app server beside it."""

    assert ALIASES["db_worker"] == "anyun_db_worker"
    time_machine.move_to(t0, tick=False)
    delivery = raise_alarm(woman)
    job = claimed_by(DEAD, job_of(delivery), lease=True)
    time_machine.move_to(t0 + lease_duration() + timedelta(seconds=1), tick=False)
    call_command(
        "anyun_db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0
    )
    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL
    delivery.refresh_from_db()
    assert delivery.state == "sent"
