"""The Django side of the benchmark, run in a subprocess with the bench environment
(DJANGO_SETTINGS_MODULE, ANYUN_VAR_DIR, DATABASE_URL set by the harness):

    python -m tests.bench.world setup OUT.json --women 50 --clinicians 4 --weeks 30
    python -m tests.bench.world drain --since EPOCH --timeout 120
    python -m tests.bench.world stats
    python -m tests.bench.world charts --renders 5

`setup` migrates the (fresh) database and builds the world through the product's services;
`drain` waits until no queue job is due; `stats` counts the rows the run left behind;
`charts` times the pregnancy chart of the woman with the most readings: the screen SVG and the
printed A4 PDF (WeasyPrint, CJK text embedded), each rendered `--renders` times after one
warm-up render.
Each command prints one JSON object as the last line of its standard output.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

PASSWORD = "Bench-Pass-2026-x"


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anyun.settings")
    import django

    django.setup()


def _national_id(sequence: int) -> str:
    """A woman's number; she was born on 15 June 30 years ago (29 or 30 today)."""
    from django.utils import timezone

    from anyun.clinical.national_id import national_id_check_character

    birth = date(timezone.localdate().year - 30, 6, 15)
    first17 = f"110105{birth:%Y%m%d}{sequence:03d}"
    return first17 + national_id_check_character(first17)


def _clinician(n: int, *, head: bool, recorder: Any = None) -> Any:
    """A clinician with a department profile and every credential, valid for a year."""
    from django.utils import timezone

    from anyun.accounts import services as accounts
    from anyun.accounts.models import Role
    from anyun.staff import services as staff
    from anyun.staff.models import CredentialKind, Title

    user, _device = accounts.staff_create(
        username=f"bench_dr{n}",
        password=PASSWORD,
        role=Role.CLINICIAN,
        display_name=f"Bench Doctor {n}",
    )
    hospital = staff.hospital_ensure(code="BENCH", name="Bench Hospital")
    department = hospital.departments.filter(code="OB").first() or staff.department_create(
        hospital=hospital, name="Obstetrics", code="OB"
    )
    profile = staff.clinician_profile_upsert(
        user=user,
        department=department,
        title=Title.ATTENDING_PHYSICIAN,
        specialty="Obstetrics",
        introduction="",
        is_listed=True,
        is_department_head=head,
    )
    today = timezone.localdate()
    for i, kind in enumerate(CredentialKind):
        number = (
            f"{110110000000000 + n}"
            if kind == CredentialKind.PRACTISING_CERTIFICATE
            else f"B-{n}-{i}"
        )
        staff.credential_record(
            profile=profile,
            kind=kind,
            number=number,
            issuer="Health Commission",
            valid_from=today - timedelta(days=365),
            valid_until=today + timedelta(days=365),
            recorded_by=recorder or user,
        )
    return user


def _woman(n: int, *, head: Any, clinician: Any, weeks: int) -> Any:
    """A woman: verified, every current consent signed, responsible clinician, pregnancy."""
    from django.utils import timezone

    from anyun.accounts import services as accounts
    from anyun.careteam.services import care_team_assign
    from anyun.consent.services import consent_sign, documents_current
    from anyun.core import crypto
    from anyun.pregnancy.services import PregnancyInput, pregnancy_open

    phone = f"139{n:08d}"
    # As the demo and the test fixtures do: the phone sign-in itself needs an SMS code.
    woman = accounts._woman_create(phone=phone, phone_index=crypto.blind_index(phone))
    accounts.woman_identity_verify(
        user=woman,
        data=accounts.IdentityInput(
            real_name=f"测试{chr(0x4E00 + n)}", national_id=_national_id(2 * n)
        ),
    )
    for doc in documents_current():
        consent_sign(user=woman, document_public_id=doc.public_id)
    care_team_assign(actor=head, woman=woman, member=clinician, responsible=True)
    pregnancy_open(
        actor=woman,
        woman=woman,
        data=PregnancyInput(
            lmp=timezone.localdate() - timedelta(weeks=weeks, days=n % 7),
            height_cm=Decimal("160") + n % 10,
            pre_pregnancy_weight_kg=Decimal("55") + n % 8,
        ),
    )
    return woman


def _staff_session(user: Any) -> str:
    """A signed-in session with the second factor verified, as the staff sign-in leaves it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    store.create()
    return str(store.session_key)


def setup(out: Path, *, women: int, clinicians: int, weeks: int) -> dict[str, Any]:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django_tasks_db.models import DBTaskResult

    from anyun.accounts.services import api_token_issue

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrated = time.perf_counter()
    with transaction.atomic():
        head = _clinician(1, head=True)
        doctors = [head] + [
            _clinician(n, head=False, recorder=head) for n in range(2, 1 + clinicians)
        ]
        rows = []
        for n in range(1, women + 1):
            index = (n - 1) % len(doctors)
            woman = _woman(n, head=head, clinician=doctors[index], weeks=weeks)
            rows.append(
                {
                    "id": str(woman.public_id),
                    "token": api_token_issue(user=woman),
                    "clinician": index,
                }
            )
        watcher = doctors[0]
        world = {
            "vendor": connection.vendor,
            "database": str(settings.DATABASES["default"]["NAME"]),
            "debug": settings.DEBUG,
            "worker_interval": settings.ANYUN_WORKER_INTERVAL,
            "embedded_worker": settings.ANYUN_EMBEDDED_WORKER,
            "session_cookie": settings.SESSION_COOKIE_NAME,
            "task_table": DBTaskResult._meta.db_table,
            "women": rows,
            "clinicians": [{"username": d.username, "id": str(d.public_id)} for d in doctors],
            "watcher": {
                "clinician": 0,
                "username": watcher.username,
                "session_key": _staff_session(watcher),
                "women": [i for i, row in enumerate(rows) if row["clinician"] == 0],
            },
        }
    world["migrate_seconds"] = round(migrated - started, 2)
    world["build_seconds"] = round(time.perf_counter() - migrated, 2)
    out.write_text(json.dumps(world, indent=1))
    return {"ok": True, "out": str(out)}


def _due_jobs() -> int:
    """Jobs ready to run now (django-tasks-db's own test) or running."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().count() + DBTaskResult.objects.running().count()


def drain(*, since: float, timeout: float) -> dict[str, Any]:
    """Wait (bounded) until no job is due; seconds counted from `since` (epoch)."""
    from django.db import close_old_connections

    deadline = time.monotonic() + timeout
    due = -1
    polls = 0
    while time.monotonic() < deadline:
        due = _due_jobs()
        polls += 1
        if due == 0:
            # Drained at the first look: the true time is at most this (process start-up).
            return {
                "drained": True,
                "seconds": round(time.time() - since, 2),
                "at_most": polls == 1,
            }
        close_old_connections()
        time.sleep(0.1)
    return {"drained": False, "seconds": round(time.time() - since, 2), "due": due}


def stats() -> dict[str, Any]:
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from anyun.monitoring.models import Alarm, Reading
    from anyun.notify.models import Delivery, Notification

    def by(qs: Any, field: str) -> dict[str, int]:
        return {str(r[field]): r["n"] for r in qs.values(field).annotate(n=Count("pk"))}

    failed = list(
        DBTaskResult.objects.filter(status="FAILED").values_list(
            "task_path", "exception_class_path"
        )[:5]
    )
    return {
        "readings": Reading.objects.count(),
        "alarms": by(Alarm.objects.all(), "grade"),
        "notifications": by(Notification.objects.all(), "kind"),
        "deliveries": by(Delivery.objects.all(), "state"),
        "jobs": by(DBTaskResult.objects.all(), "status"),
        "failed_jobs": [list(f) for f in failed],
    }


def charts(*, renders: int) -> dict[str, Any]:
    import statistics

    from django.db.models import Count
    from django.utils import timezone, translation

    from anyun.monitoring import selectors
    from anyun.monitoring.chart_print import render_chart_pdf
    from anyun.monitoring.charts import render_chart_svg
    from anyun.monitoring.views import chart_labels
    from anyun.pregnancy.models import Pregnancy

    pregnancy = Pregnancy.objects.annotate(n=Count("readings")).order_by("-n", "pk").first()
    if pregnancy is None:
        return {"error": "no pregnancy"}

    def timed(render: Any) -> tuple[float, int]:
        render()  # warm-up: fonts and templates loaded once per process
        seconds = []
        size = 0
        for _ in range(renders):
            began = time.perf_counter()
            size = len(render())
            seconds.append(time.perf_counter() - began)
        return round(1000 * statistics.median(seconds), 1), size

    with translation.override("zh-hans"):
        data = selectors.chart_data_for(pregnancy, labels=chart_labels())
        header = selectors.chart_print_header_for(pregnancy, printed_at=timezone.now())
        svg_ms, svg_bytes = timed(lambda: render_chart_svg(data).encode())
        pdf_ms, pdf_bytes = timed(lambda: render_chart_pdf(data, header))
    return {
        "readings": pregnancy.n,  # type: ignore[attr-defined]
        "renders": renders,
        "svg_median_ms": svg_ms,
        "svg_bytes": svg_bytes,
        "pdf_median_ms": pdf_ms,
        "pdf_bytes": pdf_bytes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.world")
    sub = parser.add_subparsers(dest="command", required=True)
    p_setup = sub.add_parser("setup")
    p_setup.add_argument("out", type=Path)
    p_setup.add_argument("--women", type=int, default=50)
    p_setup.add_argument("--clinicians", type=int, default=4)
    p_setup.add_argument("--weeks", type=int, default=30)
    p_drain = sub.add_parser("drain")
    p_drain.add_argument("--since", type=float, required=True)
    p_drain.add_argument("--timeout", type=float, default=120)
    sub.add_parser("stats")
    p_charts = sub.add_parser("charts")
    p_charts.add_argument("--renders", type=int, default=5)
    args = parser.parse_args(argv)
    _django()
    if args.command == "setup":
        result = setup(args.out, women=args.women, clinicians=args.clinicians, weeks=args.weeks)
    elif args.command == "drain":
        result = drain(since=args.since, timeout=args.timeout)
    elif args.command == "charts":
        result = charts(renders=args.renders)
    else:
        result = stats()
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
