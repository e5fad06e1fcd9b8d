"""Scheduling at scale on PostgreSQL (a benchmark, never a timed test).

    .venv/bin/python -m tests.bench.schedule [--women 100000] [--appointments 1000000]

In its own database (`anyun_bench_schedule`, made afresh and dropped afterwards unless
`--keep`): one department, `--clinicians` clinicians, `--women` women and `--appointments`
booked appointments spread over the next 30 days (rows cloned from ones made by the real
services and inserted with `bulk_create`; the reminder times computed by the service's own
function). Then it measures:

- the reminder sweep (`scheduling.services.reminders_send_due`, as the periodic job runs it):
  the first sweep, and every sweep until no reminder is due, with the reminders queued per
  second and the statements per sweep; the statement that finds the due ones alone, with
  PostgreSQL's plan;
- the clinician's day (`/scheduling/clinic/` through Django's test client with a verified
  staff session): time per render (median, p95) and statements per render.

Results print as markdown and go to `var/bench/schedule.md`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.bench.harness import ROOT, Postgres, bench_env, module_json

RESULTS = ROOT / "var" / "bench" / "schedule.md"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/anyun_bench_schedule"
DAYS = 30


def _fill(*, women: int, appointments: int, clinicians: int, batch: int = 20_000) -> dict[str, Any]:
    """The world: real rows made by the services, then clones of them in bulk."""
    import random

    from django.db import connection, transaction
    from django.utils import timezone

    from anyun.accounts.models import Role, User, WomanProfile
    from anyun.scheduling import selectors
    from anyun.scheduling.models import Appointment, owner_key
    from anyun.scheduling.services import _reminder_times
    from anyun.staff.models import ClinicianProfile
    from tests.bench.world import _clinician, _clone, _woman

    began = time.perf_counter()
    head = _clinician(0, head=True)
    staff = [head] + [_clinician(n, head=False, recorder=head) for n in range(1, clinicians)]
    template = _woman(1, head=head, clinician=staff[0], weeks=20)
    profile = WomanProfile.objects.get(user=template)
    made = 1
    while made < women:
        count = min(batch, women - made)
        with transaction.atomic():
            users = User.objects.bulk_create(
                _clone(
                    template,
                    username=f"bw-{made + i}",
                    phone=f"137{made + i:08d}",
                    phone_index=f"bench-{made + i}",
                )
                for i in range(count)
            )
            WomanProfile.objects.bulk_create(
                _clone(profile, user_id=u.pk, national_id_index=None, real_name=f"测试{i}")
                for i, u in enumerate(users)
            )
        made += count
    woman_ids = list(User.objects.filter(role=Role.WOMAN).values_list("pk", flat=True))
    department = staff[0].clinician_profile.department
    # Slots of 30 minutes, 08:00-18:00, every day of the next 30 days, one woman each: a
    # clinician's full month is 600 appointments, so the rest of the clinicians needed to hold
    # `appointments` are cloned from the measured one (rows only: they never sign in).
    today = selectors.local_today()
    zone = selectors.zone()
    slots = [
        datetime.combine(today + timedelta(days=d), datetime.min.time(), tzinfo=zone)
        + timedelta(hours=8, minutes=30 * s)
        for d in range(1, DAYS + 1)
        for s in range(20)
    ]
    needed = -(-appointments // len(slots))
    measured = staff[1 if len(staff) > 1 else 0]
    extra = max(needed - len(staff), 0)
    with transaction.atomic():
        users = User.objects.bulk_create(
            _clone(measured, username=f"bench_clone{n}", phone_index=None) for n in range(extra)
        )
        ClinicianProfile.objects.bulk_create(
            _clone(measured.clinician_profile, user_id=u.pk, is_department_head=False)
            for u in users
        )
    profiles = [u.clinician_profile for u in staff] + list(
        ClinicianProfile.objects.filter(user__username__startswith="bench_clone")
    )
    per_slot = 1
    rng = random.Random(2026)
    booked_at = timezone.now() - timedelta(days=2)
    written = 0
    rows: list[Appointment] = []
    reminder_cache: dict[datetime, tuple[datetime | None, ...]] = {}
    for starts_at in slots:
        # Distinct women within a slot (one appointment at a time each), a different mix each.
        offset, within = rng.randrange(len(woman_ids)), 0
        reminders = reminder_cache.setdefault(starts_at, _reminder_times(starts_at, booked_at))
        for profile_ in profiles:
            for seat in range(1, per_slot + 1):
                if written >= appointments:
                    break
                rows.append(
                    Appointment(
                        woman_id=woman_ids[(offset + within) % len(woman_ids)],
                        department=department,
                        clinician=profile_,
                        owner_key=owner_key(department_id=department.pk, clinician_id=profile_.pk),
                        starts_at=starts_at,
                        ends_at=starts_at + timedelta(minutes=30),
                        seat=seat,
                        booked_at=booked_at,
                        remind_day_before_at=reminders[0],
                        remind_same_day_at=reminders[1],
                    )
                )
                written += 1
                within += 1
        if len(rows) >= batch:
            Appointment.objects.bulk_create(rows, batch_size=5000)
            rows = []
    Appointment.objects.bulk_create(rows, batch_size=5000)
    filled = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "women": User.objects.filter(role=Role.WOMAN).count(),
        "appointments": Appointment.objects.count(),
        "clinicians": len(profiles),
        "clinicians_signed_in": len(staff),
        "fill_seconds": round(filled - began, 1),
        "analyze_seconds": round(time.perf_counter() - filled, 1),
        "clinician": measured.username,
    }


class _Counter:
    """Counts the statements sent (Django's query log is bounded at 9,000 entries)."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.n += 1
        return execute(sql, params, many, context)


def _sweeps(now: datetime) -> dict[str, Any]:
    from django.db import connection

    from anyun.scheduling.models import Appointment, AppointmentStatus
    from anyun.scheduling.services import reminders_send_due

    due_filter = {
        "status": AppointmentStatus.BOOKED,
        "starts_at__gt": now,
        "remind_day_before_at__lte": now,
        "day_before_sent_at__isnull": True,
    }
    due = Appointment.objects.filter(**due_filter).count()
    find = Appointment.objects.filter(**due_filter).order_by("remind_day_before_at")[:500]
    sql, params = find.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS OFF, TIMING ON) {sql}", params)
        plan = [row[0] for row in cursor.fetchall()]
    sweeps: list[dict[str, Any]] = []
    began = time.perf_counter()
    while True:
        counted = _Counter()
        t0 = time.perf_counter()
        with connection.execute_wrapper(counted):
            sent = reminders_send_due(now=now)
        sweeps.append({"sent": sent, "seconds": time.perf_counter() - t0, "statements": counted.n})
        if sent == 0:
            break
    total = time.perf_counter() - began
    queued = sum(s["sent"] for s in sweeps)
    return {
        "due": due,
        "queued": queued,
        "sweeps": len(sweeps),
        "first_sweep_seconds": round(sweeps[0]["seconds"], 3),
        "first_sweep_sent": sweeps[0]["sent"],
        "first_sweep_statements": sweeps[0]["statements"],
        "empty_sweep_seconds": round(sweeps[-1]["seconds"], 4),
        "empty_sweep_statements": sweeps[-1]["statements"],
        "total_seconds": round(total, 2),
        "reminders_per_second": round(queued / total, 1) if total else None,
        "find_plan": plan,
    }


def _day_list(username: str, now: datetime, renders: int) -> dict[str, Any]:
    import time_machine
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from anyun.accounts.models import User
    from tests.bench.world import _staff_session

    user = User.objects.get(username=username)
    client = Client()
    times: list[float] = []
    statements: list[int] = []
    appointments = 0
    with time_machine.travel(now, tick=True):
        # Signed in at the travelled time: a session made at the real time may be past its
        # absolute limit by then.
        client.cookies[settings.SESSION_COOKIE_NAME] = _staff_session(user)
        for _ in range(renders + 1):
            counted = _Counter()
            t0 = time.perf_counter()
            with connection.execute_wrapper(counted):
                response = client.get("/scheduling/clinic/", HTTP_HOST="127.0.0.1")
            elapsed = time.perf_counter() - t0
            if response.status_code != 200:
                raise RuntimeError(f"the day list answered {response.status_code}")
            times.append(elapsed)
            statements.append(counted.n)
            appointments = response.content.decode().count('data-testid="today-appointment"')
    warm = sorted(times[1:])  # the first render warms the caches
    return {
        "renders": renders,
        "median_ms": round(statistics.median(warm) * 1000, 1),
        "p95_ms": round(warm[max(0, int(len(warm) * 0.95) - 1)] * 1000, 1),
        "cold_ms": round(times[0] * 1000, 1),
        "statements": statements[-1],
        "appointments_on_page": appointments,
    }


def inner(args: argparse.Namespace) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anyun.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from anyun.scheduling import selectors

    world = _fill(women=args.women, appointments=args.appointments, clinicians=args.clinicians)
    # "Now": the evening before the first booked day, after the day-before reminder time, so
    # the reminders of tomorrow's appointments are the due ones.
    tomorrow = selectors.local_today() + timedelta(days=1)
    first_day = datetime.combine(tomorrow, datetime.min.time(), tzinfo=selectors.zone())
    evening = first_day - timedelta(hours=1)
    sweep = _sweeps(evening)
    # The clinician's day: the first booked day, at 10:00.
    day = _day_list(world["clinician"], first_day + timedelta(hours=10), args.renders)
    return {
        "server": connection.cursor().connection.info.server_version,
        "world": world,
        "sweep": sweep,
        "day": day,
        "at": timezone.now().isoformat(),
    }


def _markdown(result: dict[str, Any]) -> str:
    w, s, d = result["world"], result["sweep"], result["day"]
    lines = [
        "# Scheduling at scale (PostgreSQL)",
        "",
        f"{w['women']:,} women, {w['appointments']:,} booked appointments over the next "
        f"{DAYS} days (one woman per 30-minute slot, 08:00-18:00), {w['clinicians']:,} clinicians "
        f"({w['clinicians_signed_in']} made by the services, the rest cloned rows; filled in "
        f"{w['fill_seconds']} s).",
        "",
        "## Reminder sweep (the day-before reminders of tomorrow's appointments)",
        "",
        "| | |",
        "|---|---|",
        f"| due | {s['due']:,} |",
        f"| queued (each once, with its notification) | {s['queued']:,} |",
        f"| sweeps until none was due | {s['sweeps']} |",
        f"| first sweep | {s['first_sweep_seconds']} s for {s['first_sweep_sent']} reminders, "
        f"{s['first_sweep_statements']} statements "
        f"({s['first_sweep_statements'] / max(s['first_sweep_sent'], 1):.1f} per reminder) |",
        f"| a sweep with nothing due | {s['empty_sweep_seconds'] * 1000:.1f} ms, "
        f"{s['empty_sweep_statements']} statements |",
        f"| all due reminders queued | {s['total_seconds']} s "
        f"({s['reminders_per_second']} reminders/s) |",
        "",
        "The statement that finds the due ones (PostgreSQL's plan):",
        "",
        "```",
        *s["find_plan"],
        "```",
        "",
        "## The clinician's day (`/scheduling/clinic/`)",
        "",
        "| | |",
        "|---|---|",
        f"| appointments on the page | {d['appointments_on_page']} |",
        f"| render, median / p95 ({d['renders']} warm renders) | {d['median_ms']} / "
        f"{d['p95_ms']} ms |",
        f"| first (cold) render | {d['cold_ms']} ms |",
        f"| statements per render | {d['statements']} |",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.bench.schedule")
    p.add_argument("mode", nargs="?", default="outer", choices=["outer", "inner"])
    p.add_argument("--pg-url", default=os.environ.get("ANYUN_BENCH_SCHEDULE_PG_URL", DEFAULT_URL))
    p.add_argument("--women", type=int, default=100_000)
    p.add_argument("--appointments", type=int, default=1_000_000)
    p.add_argument("--clinicians", type=int, default=3, help="made by the services")
    p.add_argument("--renders", type=int, default=20)
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = p.parse_args(argv)
    if args.mode == "inner":
        sys.stdout.write(json.dumps(inner(args), default=str) + "\n")
        return 0
    pg = Postgres(args.pg_url)
    why = pg.unavailable()
    if why:
        print(f"PostgreSQL unavailable: {why}", file=sys.stderr)
        return 2
    pg.recreate()
    try:
        with tempfile.TemporaryDirectory(prefix="anyun-bench-schedule-") as var:
            env = bench_env(
                Path(var), args.pg_url, argparse.Namespace(debug=False, worker_interval=None)
            )
            import subprocess

            subprocess.run(
                [sys.executable, "-m", "django", "migrate", "-v", "0"],
                cwd=ROOT,
                env=env,
                check=True,
                timeout=600,
            )
            result = module_json(
                "tests.bench.schedule",
                env,
                "inner",
                f"--women={args.women}",
                f"--appointments={args.appointments}",
                f"--clinicians={args.clinicians}",
                f"--renders={args.renders}",
                timeout=3600,
            )
    finally:
        if not args.keep:
            pg.drop()
    text = _markdown(result)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
