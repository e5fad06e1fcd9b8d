"""Finished queue jobs are deleted after their retention (successful 7 days, failed 30, by
default); waiting jobs are never touched; the sweep is a periodic job."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from anyun.core.job_retention import jobs_purge_finished
from anyun.core.periodic import PERIODIC_JOBS
from anyun.core.worker import enqueue, make_worker

pytestmark = pytest.mark.django_db(transaction=True)


@task()
def succeeds() -> int:
    return 1


@task()
def fails() -> int:
    raise RuntimeError("this job fails on purpose")


def _run_waiting() -> None:
    worker = make_worker()
    for job in list(DBTaskResult.objects.ready()):
        job.claim(worker.worker_id)
        worker.run_task(job)


def test_finished_jobs_go_after_their_retention_and_waiting_ones_stay(time_machine: Any) -> None:
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    done, failed = enqueue(succeeds), enqueue(fails)
    _run_waiting()
    waiting = enqueue(succeeds, run_after=start + timedelta(days=365))
    statuses = dict(DBTaskResult.objects.values_list("id", "status"))
    assert (statuses[done], statuses[failed], statuses[waiting]) == (
        TaskResultStatus.SUCCESSFUL,
        TaskResultStatus.FAILED,
        TaskResultStatus.READY,
    )

    time_machine.move_to(start + timedelta(days=6), tick=False)
    assert jobs_purge_finished() == 0
    time_machine.move_to(start + timedelta(days=8), tick=False)
    assert jobs_purge_finished() == 1
    assert set(DBTaskResult.objects.values_list("id", flat=True)) == {failed, waiting}
    time_machine.move_to(start + timedelta(days=31), tick=False)
    assert jobs_purge_finished() == 1
    assert list(DBTaskResult.objects.values_list("id", flat=True)) == [waiting]


def test_the_purge_runs_daily() -> None:
    (job,) = [j for j in PERIODIC_JOBS if j.task_path == "anyun.core.tasks.jobs_purge"]
    assert job.trigger == {"trigger": "cron", "hour": 3, "minute": 45}
