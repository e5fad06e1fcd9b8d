"""`anyun db_worker`: django-tasks-db's worker that also puts back the jobs of dead workers.

Each process of a scaled-out installation reclaims, every few seconds, the jobs whose lease
has lapsed (`core.jobleases`), so a restarted worker alone picks up what a killed one left
RUNNING, whether or not an app server runs beside it.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from anyun.core.jobleases import jobs_reclaim_lost, renew_interval

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
            super().handle(*args, **options)
        finally:
            stop.set()


def _reclaim_until(stop: threading.Event) -> None:
    while not stop.wait(renew_interval()):
        try:
            jobs_reclaim_lost()
        except Exception:
            logger.exception("Lost-job reclaim failed; the next round tries again.")
        finally:
            connections.close_all()  # this thread's own connections
