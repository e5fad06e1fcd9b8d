"""The Django side of the fault test, run in a subprocess with the run's environment
(DJANGO_SETTINGS_MODULE, ANYUN_VAR_DIR, DATABASE_URL set by the harness):

    python -m tests.fault.probe snapshot
    python -m tests.fault.probe verify SENT.json --kill-at EPOCH --restart-at EPOCH \\
        --until EPOCH --bound 30 --pending-at-kill 12,13

`snapshot` is taken while every process of the app is dead: what the kill left open.
`verify` waits (until --until at the latest) for every urgent alarm's deliveries to be sent
and for no job to be due or running, then compares the database with what the client sent
(SENT.json, written by the harness). Each prints one JSON object as its last stdout line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

MAX_LISTED = 10


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anyun.settings")
    import django

    django.setup()


def _by(qs: Any, field: str) -> dict[str, int]:
    from django.db.models import Count

    return {str(r[field]): r["n"] for r in qs.order_by().values(field).annotate(n=Count("pk"))}


def _urgent_deliveries() -> Any:
    """Deliveries of the notifications that tell a clinician of an urgent alarm."""
    from anyun.notify.models import Delivery

    return Delivery.objects.filter(
        notification__kind="alarm", notification__payload__grade="urgent"
    )


def snapshot() -> dict[str, Any]:
    from django_tasks_db.models import DBTaskResult

    from anyun.monitoring.models import Alarm, Reading
    from anyun.notify.models import OPEN_STATES, Delivery

    open_urgent = sorted(
        _urgent_deliveries().filter(state__in=OPEN_STATES).values_list("pk", flat=True)
    )
    return {
        "taken_at": time.time(),
        "readings": Reading.objects.count(),
        "alarms": _by(Alarm.objects.all(), "grade"),
        "deliveries": _by(Delivery.objects.all(), "state"),
        "deliveries_open": Delivery.objects.filter(state__in=OPEN_STATES).count(),
        "urgent_deliveries": _urgent_deliveries().count(),
        "urgent_deliveries_open": open_urgent,
        "jobs": _by(DBTaskResult.objects.all(), "status"),
    }


# --- verify ---------------------------------------------------------------------------------


def _progress() -> dict[str, int]:
    from django_tasks_db.models import DBTaskResult

    from anyun.notify.models import OPEN_STATES

    return {
        "urgent_deliveries_open": _urgent_deliveries().filter(state__in=OPEN_STATES).count(),
        "jobs_running": DBTaskResult.objects.running().count(),
        "jobs_due": DBTaskResult.objects.ready().count(),
    }


def _wait_settled(until: float) -> dict[str, Any]:
    """Poll until nothing urgent is open and no job is due or running, or `until`."""
    from django.db import close_old_connections

    began = time.time()
    while True:
        progress = _progress()
        settled = not any(progress.values())
        if settled or time.time() >= until:
            return {**progress, "settled": settled, "waited_seconds": round(time.time() - began, 2)}
        close_old_connections()
        time.sleep(0.25)


def _check_readings(sent: list[dict[str, Any]]) -> dict[str, Any]:
    """Each submission's readings against its idempotency key (and woman)."""
    from anyun.monitoring.models import Reading

    stored: Counter[tuple[str, str]] = Counter(
        (key, str(woman))
        for key, woman in Reading.objects.values_list("idempotency_key", "woman__public_id")
    )
    known = {(s["key"], s["woman"]) for s in sent}
    out: dict[str, Any] = {
        "submissions": len(sent),
        "submissions_acked": 0,
        "readings_sent": 0,
        "readings_acked": 0,
        "readings_acked_stored_once": 0,
        "readings_acked_missing": 0,
        "readings_over": 0,
        "readings_unacked_stored": 0,
        "readings_stray": sum(n for k, n in stored.items() if k not in known),
        "readings_stored": sum(stored.values()),
        "missing_keys": [],
    }
    for s in sent:
        n, items = stored[(s["key"], s["woman"])], s["items"]
        out["readings_sent"] += items
        out["readings_over"] += max(0, n - items)
        if s["acked"]:
            out["submissions_acked"] += 1
            out["readings_acked"] += items
            out["readings_acked_stored_once"] += items if n == items else 0
            out["readings_acked_missing"] += max(0, items - n)
            if n < items and len(out["missing_keys"]) < MAX_LISTED:
                out["missing_keys"].append(s["key"])
        else:
            out["readings_unacked_stored"] += n
    out["duplicates"] = out["readings_over"] + out["readings_stray"]
    return out


def _clinical(r: Any) -> Any:
    """A stored reading as the pure rules read it (the product's own conversion)."""
    from anyun.monitoring.services import reading_for_rules

    return reading_for_rules(r)


def _check_alarms() -> dict[str, Any]:
    """Grade every stored reading again with `anyun.clinical.alarms` and the thresholds in
    force, over her whole stored history; compare with the alarms the product raised."""
    from django.db.models import Q

    from anyun.clinical import alarms as rules
    from anyun.clinical.anthropometry import BmiCategory
    from anyun.clinical.dating import GestationalAge
    from anyun.monitoring.models import Alarm, Reading
    from anyun.monitoring.selectors import thresholds_current
    from anyun.pregnancy.selectors import pregnancy_summary

    thresholds = thresholds_current()
    readings = list(Reading.objects.select_related("pregnancy").order_by("measured_at", "pk"))
    by_woman: dict[int, list[Any]] = defaultdict(list)
    for r in readings:
        by_woman[r.woman_id].append(r)
    bmi: dict[int, Any] = {}
    expected: Counter[tuple[int, str]] = Counter()
    expected_urgent = 0
    for rows in by_woman.values():
        history = [_clinical(r) for r in rows]  # the rules use only what came before each
        for r in rows:
            if r.pregnancy_id not in bmi:
                category = pregnancy_summary(r.pregnancy).bmi_category
                bmi[r.pregnancy_id] = BmiCategory(category) if category else None
            weight = r.pregnancy.pre_pregnancy_weight_kg
            findings = rules.evaluate(
                _clinical(r),
                history=history,
                ga=GestationalAge(r.ga_days) if r.ga_days is not None else None,
                bmi_category=bmi[r.pregnancy_id],
                pre_pregnancy_weight_kg=float(weight) if weight else None,
                thresholds=thresholds,
            )
            for f in findings:
                expected[(r.pk, f.rule)] += 1
                expected_urgent += f.grade.value == "urgent"
    # One alarm per grade per check-in lists every finding with the reading it came from.
    pk_of = {str(public_id): pk for pk, public_id in Reading.objects.values_list("pk", "public_id")}
    raised: Counter[tuple[int, str]] = Counter()
    raised_urgent = 0
    for found in Alarm.objects.values_list("findings", flat=True):
        for row in found:
            raised[(pk_of[row["reading"]], row["rule"])] += 1
            raised_urgent += row["grade"] == "urgent"
    missing = expected - raised
    unexpected = raised - expected
    severe_bp = Reading.objects.filter(kind="blood_pressure").filter(
        Q(systolic__gte=thresholds.bp_systolic_severe)
        | Q(diastolic__gte=thresholds.bp_diastolic_severe)
    )
    return {
        "expected": sum(expected.values()),
        "raised": sum(raised.values()),
        "expected_urgent": expected_urgent,
        "raised_urgent": raised_urgent,
        "raised_by_grade": _by(Alarm.objects.all(), "grade"),
        "severe_bp_readings": severe_bp.count(),
        "bp_severe_alarms": Alarm.objects.filter(rule="bp_severe").count(),
        "missing": sum(missing.values()),
        "missing_listed": [f"reading {pk}: {rule}" for pk, rule in list(missing)[:MAX_LISTED]],
        "unexpected": sum(unexpected.values()),
        "unexpected_listed": [
            f"reading {pk}: {rule}" for pk, rule in list(unexpected)[:MAX_LISTED]
        ],
        "duplicate_alarms": sum(n - 1 for n in raised.values() if n > 1),
    }


def _check_deliveries(
    *, kill_at: float, restart_at: float, bound: float, pending_at_kill: set[int]
) -> dict[str, Any]:
    """Every urgent alarm's notification deliveries: sent, and in time.

    In time: sent before the kill; or, for one that was open at the kill, within `bound`
    seconds of the restart; or, for one created after the restart, of its creation.
    """
    from anyun.monitoring.models import Alarm
    from anyun.notify.models import DeliveryState, Notification

    deliveries: dict[str, list[Any]] = defaultdict(list)
    for n in Notification.objects.filter(kind="alarm").prefetch_related("deliveries"):
        deliveries[str(n.payload.get("alarm"))].extend(n.deliveries.all())
    out: dict[str, Any] = {
        "urgent_alarms": 0,
        "urgent_alarms_unrouted": 0,
        "deliveries": 0,
        "sent": 0,
        "not_sent": {},
        "late": 0,
        "late_listed": [],
        "pending_at_kill": len(pending_at_kill),
        "pending_at_kill_sent": 0,
        "restart_to_last_pending_sent_s": None,
        "max_wait_after_restart_s": None,
        "by_channel": {},
    }
    restart_to_last: float | None = None
    max_wait: float | None = None
    for public_id in Alarm.objects.filter(grade="urgent").values_list("public_id", flat=True):
        out["urgent_alarms"] += 1
        rows = deliveries.get(str(public_id), [])
        if not rows:
            out["urgent_alarms_unrouted"] += 1
            continue
        for d in rows:
            out["deliveries"] += 1
            out["by_channel"][d.channel] = out["by_channel"].get(d.channel, 0) + 1
            if d.state != DeliveryState.SENT or d.sent_at is None:
                out["not_sent"][d.state] = out["not_sent"].get(d.state, 0) + 1
                continue
            out["sent"] += 1
            sent, created = d.sent_at.timestamp(), d.created_at.timestamp()
            if d.pk in pending_at_kill:
                out["pending_at_kill_sent"] += 1
                restart_to_last = max(restart_to_last or 0.0, sent - restart_at)
            if sent <= kill_at:
                continue
            wait = sent - max(created, restart_at)
            max_wait = max(max_wait or 0.0, wait)
            if wait > bound:
                out["late"] += 1
                if len(out["late_listed"]) < MAX_LISTED:
                    out["late_listed"].append(f"delivery {d.pk} ({d.channel}): {wait:.1f} s")
    if restart_to_last is not None:
        out["restart_to_last_pending_sent_s"] = round(restart_to_last, 2)
    if max_wait is not None:
        out["max_wait_after_restart_s"] = round(max_wait, 2)
    return out


def _check_jobs() -> dict[str, Any]:
    from django_tasks_db.models import DBTaskResult

    failed = list(
        DBTaskResult.objects.filter(status="FAILED").values_list(
            "task_path", "exception_class_path"
        )[:MAX_LISTED]
    )
    return {
        "by_status": _by(DBTaskResult.objects.all(), "status"),
        "running": DBTaskResult.objects.running().count(),
        "failed_listed": [list(f) for f in failed],
        # Run by more than one worker: put back on the queue after its worker was killed.
        "run_again": sum(
            1 for ids in DBTaskResult.objects.values_list("worker_ids", flat=True) if len(ids) > 1
        ),
    }


def verify(
    sent_path: Path,
    *,
    kill_at: float,
    restart_at: float,
    until: float,
    bound: float,
    pending_at_kill: set[int],
) -> dict[str, Any]:
    sent = json.loads(sent_path.read_text())
    settle = _wait_settled(until)
    return {
        "settle": settle,
        "readings": _check_readings(sent),
        "alarms": _check_alarms(),
        "deliveries": _check_deliveries(
            kill_at=kill_at, restart_at=restart_at, bound=bound, pending_at_kill=pending_at_kill
        ),
        "jobs": _check_jobs(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fault.probe")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("snapshot")
    p_verify = sub.add_parser("verify")
    p_verify.add_argument("sent", type=Path)
    p_verify.add_argument("--kill-at", type=float, required=True)
    p_verify.add_argument("--restart-at", type=float, required=True)
    p_verify.add_argument("--until", type=float, required=True)
    p_verify.add_argument("--bound", type=float, default=30.0)
    p_verify.add_argument("--pending-at-kill", default="", help="comma-separated delivery ids")
    args = parser.parse_args(argv)
    _django()
    if args.command == "snapshot":
        result = snapshot()
    else:
        result = verify(
            args.sent,
            kill_at=args.kill_at,
            restart_at=args.restart_at,
            until=args.until,
            bound=args.bound,
            pending_at_kill={int(x) for x in args.pending_at_kill.split(",") if x},
        )
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
