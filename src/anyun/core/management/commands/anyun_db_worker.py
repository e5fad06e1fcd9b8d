"""`anyun db_worker`: django-tasks-db's worker that also puts back the jobs of dead workers.

Each process of a scaled-out installation reclaims, every few seconds, the jobs whose lease
has lapsed (`core.jobleases`), so a restarted worker alone picks up what a killed one left
RUNNING, whether or not an app server runs beside it. On PostgreSQL it waits for work with
LISTEN: a job committed anywhere starts at once (`anyun.core.worker.run_listening`).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from anyun.core.jobleases import jobs_reclaim_lost, renew_interval
from anyun.core.worker import JobSignal, run_listening

logger = logging.getLogger("anyun.worker")


class Command(DbWorkerCommand):
    help = DbWorkerCommand.help + " Jobs left running by dead workers are put back on the queue."

    def handle(self, *args: Any, **options: Any) -> None:
        jobs_reclaim_lost()  # what the last crash left, before the first task
        stop = threading.Event()
        if not options.get("batch"):
            threading.Thread(
                target=_reclaim_until, args=(stop,), name="anyun-reclaimer", daemon=True
            ).start()
        try:
            if options.get("batch") or options.get("reload") or not JobSignal.available():
                super().handle(*args, **options)
            else:
                self._handle_listening(**options)
        finally:
            stop.set()

    def _handle_listening(self, **options: Any) -> None:
        """PostgreSQL: the same worker, woken by NOTIFY when a job is committed
        (`anyun.core.worker.run_listening`); `--interval` is the fallback poll."""
        self.configure_logging(options["verbosity"])
        queues = options["exclude_queues"]
        worker = Worker(
            queue_names=options["queue_name"].split(","),
            interval=0,
            batch=True,
            backend_name=options["backend_name"],
            startup_delay=False,
            max_tasks=None,
            worker_id=options["worker_id"],
            excluded_queue_names=queues.split(",") if queues else [],
        )
        worker.configure_signals()
        run_listening(worker, interval=options["interval"])


def _reclaim_until(stop: threading.Event) -> None:
    while not stop.wait(renew_interval()):
        try:
            jobs_reclaim_lost()
        except Exception:
            logger.exception("Lost-job reclaim failed; the next round tries again.")
        finally:
            connections.close_all()  # this thread's own connections
