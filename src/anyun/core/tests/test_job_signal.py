"""Queue workers woken at once: on PostgreSQL `enqueue` NOTIFYs in the enqueuing transaction
(delivered when it commits, never when it rolls back) and `anyun db_worker` waits with LISTEN
between rounds; elsewhere the poll interval alone. `run_listening` runs every job due, then
waits, until told to stop. `priority` orders the queue."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from anyun.core.worker import JobSignal, enqueue, make_worker, run_listening
from anyun.monitoring.tasks import alarms_route_stale

ON_POSTGRES = connection.vendor == "postgresql"


@pytest.mark.django_db(transaction=True)
def test_a_committed_job_wakes_a_listening_worker_and_a_rolled_back_one_does_not() -> None:
    assert JobSignal.available() is ON_POSTGRES
    if not ON_POSTGRES:
        # SQLite: no NOTIFY is written; the embedded worker is woken in-process on commit.
        with CaptureQueriesContext(connection) as captured, transaction.atomic():
            enqueue(alarms_route_stale)
        assert not any("pg_notify" in q["sql"] for q in captured.captured_queries)
        return
    signal = JobSignal()
    try:
        assert signal.wait(0.05) is False  # nothing yet
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue(alarms_route_stale)
            raise RuntimeError("rolled back")
        assert signal.wait(0.2) is False
        with transaction.atomic():
            enqueue(alarms_route_stale)
            assert signal.wait(0.05) is False  # not before the commit
        assert signal.wait(2.0) is True
        assert signal.wait(0.05) is False  # one wake-up per commit
    finally:
        signal.close()


@pytest.mark.django_db(transaction=True)
def test_a_job_due_later_notifies_no_one() -> None:
    with CaptureQueriesContext(connection) as captured:
        enqueue(alarms_route_stale, run_after=timezone.now() + dt.timedelta(minutes=5))
    assert not any("pg_notify" in q["sql"] for q in captured.captured_queries)


class _Signal:
    """Stands in for JobSignal: records the waits; the second one stops the worker."""

    def __init__(self, worker: Any) -> None:
        self.worker = worker
        self.waits: list[float] = []
        self.closed = False

    def wait(self, timeout: float) -> bool:
        self.waits.append(timeout)
        if len(self.waits) == 1:
            enqueue(alarms_route_stale)  # a job committed while it waits
            return True
        self.worker.running = False
        return False

    def close(self) -> None:
        self.closed = True


@pytest.mark.django_db(transaction=True)
def test_run_listening_runs_the_jobs_due_then_waits_until_stopped() -> None:
    first = enqueue(alarms_route_stale)
    worker = make_worker()
    signal = _Signal(worker)
    run_listening(worker, interval=1.5, signal=signal)  # type: ignore[arg-type]
    assert signal.waits == [1.5, 1.5]
    assert signal.closed
    jobs = DBTaskResult.objects.filter(task_path="anyun.monitoring.tasks.alarms_route_stale")
    assert jobs.count() == 2
    assert set(jobs.values_list("status", flat=True)) == {TaskResultStatus.SUCCESSFUL}
    assert str(first) in {str(j.id) for j in jobs}


@pytest.mark.django_db
def test_priority_orders_the_queue() -> None:
    low = enqueue(alarms_route_stale)
    high = enqueue(alarms_route_stale, priority=50)
    assert low is not None and high is not None
    assert DBTaskResult.objects.get(id=high).priority == 50
    assert DBTaskResult.objects.get(id=low).priority == 0
    assert str(DBTaskResult.objects.ready().first().id) == str(high)  # type: ignore[union-attr]
