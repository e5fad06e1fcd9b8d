"""The Django side of the benchmark, run in a subprocess with the bench environment
(DJANGO_SETTINGS_MODULE, ANYUN_VAR_DIR, DATABASE_URL set by the harness):

    python -m tests.bench.world setup OUT.json --women 50 --clinicians 4 --weeks 30
    python -m tests.bench.world drain --since EPOCH --timeout 120
    python -m tests.bench.world stats
    python -m tests.bench.world charts --renders 5
    python -m tests.bench.world statements WORLD.json
    python -m tests.bench.world pages WORLD.json --renders 5
    python -m tests.bench.world scale WORLD.json --women 100000 --readings 1000000
    python -m tests.bench.world chat OUT.json --pairs 250 --clinicians 5

`setup` migrates the (fresh) database and builds the world through the product's services;
`drain` waits until no queue job is due; `stats` counts the rows the run left behind;
`charts` times the pregnancy chart of the woman with the most readings: the screen SVG and the
printed A4 PDF (WeasyPrint, CJK text embedded), each rendered `--renders` times after one
warm-up render;
`statements` sends one request of each type (a normal reading, an urgent reading, a 5- and a
20-reading check-in) in-process through Django's test client and counts its SQL statements,
warm (after one earlier reading of the same woman, as on a running server);
`pages` times the clinician's patient list, alarm worklist and a patient overview (median of
`--renders` after one warm-up, statements per page) for the world's first clinician;
`scale` fills the database fast (bulk inserts of rows cloned from the world's own, through
the product's models, so encrypted fields are encrypted by the product's field) to the given
numbers of women and readings, with about 1% of the readings raising an open alarm.
`chat` opens consultations for the chat benchmark (`tests.bench.chat`), see `chat_world`.
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


# --- statements per request -----------------------------------------------------------------


def statement_items() -> dict[str, list[dict[str, Any]]]:
    """The bodies `statements` sends (also used by the bare baseline's own count)."""
    normal = [
        {"kind": "blood_pressure", "systolic": 118, "diastolic": 76, "pulse": 80},
        {"kind": "glucose", "value": "4.6", "glucose_context": "fasting"},
        {"kind": "weight", "value": "64.2"},
        {"kind": "fetal_heart_rate", "value": "140"},
        {"kind": "temperature", "value": "36.6"},
    ]
    return {
        "normal": normal[:1],
        "urgent": [{"kind": "blood_pressure", "systolic": 165, "diastolic": 112}],
        "checkin5": normal,
        "checkin20": normal * 4,
    }


def statements(world_path: Path) -> dict[str, Any]:
    """SQL statements of one request of each type, in-process (Django's test client, the same
    middleware and database), each by a different woman of the world."""
    import uuid

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()  # lets the test client's host in; nothing else of the product
    world = json.loads(world_path.read_text())
    client = Client()
    out: dict[str, Any] = {}
    for n, (name, items) in enumerate(statement_items().items()):
        token = world["women"][(n + 1) % len(world["women"])]["token"]
        # Warm, as a server is after its first requests: one earlier reading of hers (the
        # process then holds the consent versions, thresholds and the compiled gate read, and
        # her token's last use is fresh), so the count is that of every later request.
        warm = client.post(
            "/api/v1/monitoring/readings",
            data=json.dumps({"items": [{"kind": "pulse", "value": 80}]}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
        )
        if warm.status_code != 201:
            raise RuntimeError(f"{name} warm-up: {warm.status_code} {warm.content[:300]!r}")
        with CaptureQueriesContext(connection) as captured, _Transactions() as transactions:
            response = client.post(
                "/api/v1/monitoring/readings",
                data=json.dumps({"items": items}),
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
            )
        if response.status_code != 201:
            raise RuntimeError(f"{name}: {response.status_code} {response.content[:300]!r}")
        out[name] = {
            "statements": len(captured.captured_queries),
            "transactions": transactions.count,
        }
    return out


class _Transactions:
    """Counts the transactions a request commits on the default connection: each commit of
    an atomic block, and each statement run in autocommit mode outside any atomic block."""

    def __init__(self) -> None:
        self.count = 0

    def __enter__(self) -> _Transactions:
        from django.db import connection

        self._connection = connection
        self._commit = connection.commit

        def commit() -> None:
            self.count += 1
            self._commit()

        def execute(run: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            if connection.get_autocommit() and not connection.in_atomic_block:
                self.count += 1
            return run(sql, params, many, context)

        connection.commit = commit  # type: ignore[method-assign]
        self._wrapper = connection.execute_wrapper(execute)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._wrapper.__exit__(None, None, None)
        del self._connection.commit  # the class's method again


# --- clinician pages, and the database at scale ---------------------------------------------


def pages(world_path: Path, *, renders: int) -> dict[str, Any]:
    """Median time and statements of the clinician's pages, for the world's first clinician
    (zh-Hans, a fresh signed-in session), in-process through Django's test client."""
    import statistics

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from anyun.accounts.models import User
    from anyun.careteam.models import CareTeamMember
    from anyun.monitoring.models import Alarm, Reading

    setup_test_environment()
    world = json.loads(world_path.read_text())
    watcher = User.objects.get(username=world["watcher"]["username"])
    patient = (
        CareTeamMember.objects.filter(member=watcher, is_responsible=True, ended_at__isnull=True)
        .order_by("-pk")
        .values_list("woman__public_id", flat=True)
        .first()
    )
    client = Client(headers={"Accept-Language": "zh-hans"})
    client.cookies[settings.SESSION_COOKIE_NAME] = _staff_session(watcher)
    urls = {"patient_list": "/clinic/", "worklist": "/clinic/alarms/"}
    if patient is not None:
        urls["overview"] = f"/clinic/patients/{patient}/"
    out: dict[str, Any] = {
        "renders": renders,
        "women": User.objects.filter(role="woman").count(),
        "readings": Reading.objects.count(),
        "alarms": Alarm.objects.count(),
        "vendor": connection.vendor,
    }
    for name, url in urls.items():
        seconds = []
        queries = 0
        for n in range(renders + 1):
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - began
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code} {response.content[:300]!r}")
            if n:  # the first is the warm-up
                seconds.append(elapsed)
                queries = len(captured.captured_queries)
        out[name] = {"median_ms": round(1000 * statistics.median(seconds), 1), "queries": queries}
    return out


def _clone(obj: Any, **changes: Any) -> Any:
    """A new unsaved row of obj's model with obj's field values, a fresh public id, `changes`."""
    import uuid

    model = type(obj)
    values = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}
    values.pop(model._meta.pk.attname)
    if "public_id" in values:
        values["public_id"] = uuid.uuid4()
    values.update(changes)
    return model(**values)


def scale(world_path: Path, *, women: int, readings: int, batch: int = 2000) -> dict[str, Any]:
    """Add women (verified, consented, a responsible clinician of the world, a current
    pregnancy) and readings until the database holds `women` women and `readings` readings;
    about 1% of the added readings carry an open alarm cloned from one the load raised.
    Rows are cloned from the world's own and inserted with `bulk_create`, a batch of women
    with their readings per transaction; ANALYZE at the end."""
    import random
    import uuid

    from django.db import connection, transaction
    from django.utils import timezone

    from anyun.accounts.models import Role, User, WomanProfile
    from anyun.careteam.models import CareTeamMember
    from anyun.clinical.national_id import national_id_check_character
    from anyun.consent.models import ConsentSignature
    from anyun.core import crypto
    from anyun.monitoring.models import Alarm, AlarmStatus, Reading
    from anyun.pregnancy.models import Pregnancy

    began = time.perf_counter()
    world = json.loads(world_path.read_text())
    rng = random.Random(2026)
    first = User.objects.get(public_id=world["women"][0]["id"])
    t_user = first
    t_profile = WomanProfile.objects.get(user=first)
    t_signatures = list(ConsentSignature.objects.filter(user=first, withdrawn_at__isnull=True))
    t_member = CareTeamMember.objects.get(woman=first, is_responsible=True, ended_at__isnull=True)
    t_pregnancy = Pregnancy.objects.get(woman=first, status="current")
    clinicians = list(
        User.objects.filter(username__in=[c["username"] for c in world["clinicians"]])
    )
    clinicians.sort(key=lambda u: [c["username"] for c in world["clinicians"]].index(u.username))
    t_readings = list(Reading.objects.filter(alarms__isnull=True).order_by("pk")[:200])
    t_alarms = list(
        Alarm.objects.filter(grade__in=["attention", "urgent"]).select_related("reading")[:50]
    )
    if not t_readings:
        raise RuntimeError("scale needs the load's readings to clone")
    have_women = User.objects.filter(role=Role.WOMAN).count()
    have_readings = Reading.objects.count()
    add_women = max(0, women - have_women)
    add_readings = max(0, readings - have_readings)
    if add_women == 0:
        raise RuntimeError("scale needs women to add the readings to")
    now = timezone.now()
    today = timezone.localdate()
    birth0 = date(today.year - 30, 1, 1)
    added = {"women": 0, "readings": 0, "alarms": 0}
    for start in range(0, add_women, batch):
        count = min(batch, add_women - start)
        share = add_readings * (start + count) // add_women - add_readings * start // add_women
        with transaction.atomic():
            users = []
            profiles = []
            for k in range(start, start + count):
                phone = f"136{k:08d}"
                users.append(
                    _clone(
                        t_user,
                        username=f"s-{k:08d}",
                        phone=phone,
                        phone_index=crypto.blind_index(phone),
                        date_joined=now,
                    )
                )
                birth = birth0 + timedelta(days=k // 1000)
                first17 = f"310115{birth:%Y%m%d}{k % 1000:03d}"
                number = first17 + national_id_check_character(first17)
                profiles.append(
                    _clone(
                        t_profile,
                        real_name=f"规模{chr(0x4E00 + k % 20000)}{chr(0x4E00 + k // 20000)}",
                        national_id=number,
                        national_id_index=crypto.blind_index(number),
                        birth_date=birth,
                    )
                )
            User.objects.bulk_create(users)
            for user, profile in zip(users, profiles, strict=True):
                profile.user_id = user.pk
            WomanProfile.objects.bulk_create(profiles)
            ConsentSignature.objects.bulk_create(
                [_clone(s, user_id=u.pk) for u in users for s in t_signatures]
            )
            owners = [clinicians[(start + i) % len(clinicians)] for i in range(count)]
            CareTeamMember.objects.bulk_create(
                [
                    _clone(t_member, woman_id=u.pk, member_id=o.pk)
                    for u, o in zip(users, owners, strict=True)
                ]
            )
            pregnancies = []
            for u in users:
                shift = timedelta(days=rng.randint(-70, 56))
                pregnancies.append(
                    _clone(
                        t_pregnancy,
                        woman_id=u.pk,
                        lmp=t_pregnancy.lmp and t_pregnancy.lmp + shift,
                        edd=t_pregnancy.edd + shift,
                        lmp_edd=t_pregnancy.lmp_edd and t_pregnancy.lmp_edd + shift,
                        created_by_id=u.pk,
                        updated_by_id=u.pk,
                    )
                )
            Pregnancy.objects.bulk_create(pregnancies)
            rows = []
            alarm_rows = []
            for r in range(share):
                i = r % count
                u, p, owner = users[i], pregnancies[i], owners[i]
                at = now - timedelta(minutes=rng.randint(1, 60 * 24 * 70))
                ga = (at.date() - (p.edd - timedelta(days=280))).days
                fields = dict(
                    woman_id=u.pk,
                    pregnancy_id=p.pk,
                    measured_at=at,
                    ga_days=max(0, ga),
                    batch=uuid.uuid4(),
                    idempotency_key="",
                    recorded_by_id=u.pk,
                )
                if t_alarms and rng.random() < 0.01:
                    alarm = t_alarms[rng.randrange(len(t_alarms))]
                    reading = _clone(alarm.reading, **fields)
                    rows.append(reading)
                    alarm_rows.append((alarm, reading, u, owner))
                else:
                    rows.append(_clone(t_readings[rng.randrange(len(t_readings))], **fields))
            Reading.objects.bulk_create(rows, batch_size=5000)
            alarms = []
            for alarm, reading, u, owner in alarm_rows:
                findings = [
                    {**f, "reading": str(reading.public_id)} if isinstance(f, dict) else f
                    for f in (alarm.findings or [])
                ]
                alarms.append(
                    _clone(
                        alarm,
                        woman_id=u.pk,
                        reading_id=reading.pk,
                        findings=findings,
                        status=AlarmStatus.OPEN,
                        assigned_to_id=owner.pk,
                        acknowledged_by_id=None,
                        acknowledged_at=None,
                        closed_by_id=None,
                        closed_at=None,
                        escalate_at=None,
                    )
                )
            Alarm.objects.bulk_create(alarms, batch_size=5000)
        added["women"] += count
        added["readings"] += len(rows)
        added["alarms"] += len(alarms)
    analyzed = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "added": added,
        "women": User.objects.filter(role=Role.WOMAN).count(),
        "readings": Reading.objects.count(),
        "alarms": Alarm.objects.count(),
        "fill_seconds": round(analyzed - began, 1),
        "analyze_seconds": round(time.perf_counter() - analyzed, 1),
    }


# --- consultation chat ----------------------------------------------------------------------


def _woman_session(user: Any) -> str:
    """A signed-in session of hers, as the phone sign-in leaves it (no second factor)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return str(store.session_key)


def chat_world(*, pairs: int, clinicians: int, weeks: int = 24) -> dict[str, Any]:
    """Migrate, then open `pairs` consultations through the product's services: each woman is
    graded in person by the head (so online care is open to her), joins the department's live
    queue, and one of `clinicians` clinicians accepts her. One session per woman and one per
    clinician (each clinician's sockets share it), with the session cookie's name."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    from anyun.assessment.services import GradingInput, grading_record
    from anyun.consultation.models import Consultation
    from anyun.pregnancy.selectors import current_pregnancy_of
    from anyun.scheduling import services as scheduling

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrated = time.perf_counter()
    with transaction.atomic():
        head = _clinician(1, head=True)
        doctors = [_clinician(n, head=False, recorder=head) for n in range(2, 2 + clinicians)]
        department = head.clinician_profile.department
        sessions = [_staff_session(d) for d in doctors]
        rows = []
        for n in range(1, pairs + 1):
            woman = _woman(n, head=head, clinician=head, weeks=weeks)
            pregnancy = current_pregnancy_of(woman)
            grading_record(
                actor=head,
                pregnancy=pregnancy,
                data=GradingInput(answers={}, entered={}, diagnoses=[], note="first visit"),
            )
            entry = scheduling.queue_join(woman=woman, department=department)
            index = (n - 1) % len(doctors)
            scheduling.queue_accept(actor=doctors[index], entry_id=entry.public_id)
            consultation = Consultation.objects.get(queue_entry=entry)
            rows.append(
                {
                    "consultation": str(consultation.public_id),
                    "woman_session": _woman_session(woman),
                    "clinician": index,
                }
            )
    return {
        "vendor": connection.vendor,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "clinician_sessions": sessions,
        "pairs": rows,
        "migrate_seconds": round(migrated - started, 2),
        "build_seconds": round(time.perf_counter() - migrated, 2),
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
    p_statements = sub.add_parser("statements")
    p_statements.add_argument("world", type=Path)
    p_pages = sub.add_parser("pages")
    p_pages.add_argument("world", type=Path)
    p_pages.add_argument("--renders", type=int, default=5)
    p_scale = sub.add_parser("scale")
    p_scale.add_argument("world", type=Path)
    p_scale.add_argument("--women", type=int, required=True)
    p_scale.add_argument("--readings", type=int, required=True)
    p_chat = sub.add_parser("chat")
    p_chat.add_argument("out", type=Path)
    p_chat.add_argument("--pairs", type=int, default=250)
    p_chat.add_argument("--clinicians", type=int, default=5)
    args = parser.parse_args(argv)
    _django()
    if args.command == "setup":
        result = setup(args.out, women=args.women, clinicians=args.clinicians, weeks=args.weeks)
    elif args.command == "drain":
        result = drain(since=args.since, timeout=args.timeout)
    elif args.command == "charts":
        result = charts(renders=args.renders)
    elif args.command == "statements":
        result = statements(args.world)
    elif args.command == "pages":
        result = pages(args.world, renders=args.renders)
    elif args.command == "scale":
        result = scale(args.world, women=args.women, readings=args.readings)
    elif args.command == "chat":
        world = chat_world(pairs=args.pairs, clinicians=args.clinicians)
        args.out.write_text(json.dumps(world, indent=1))
        result = {"ok": True, "out": str(args.out), "pairs": len(world["pairs"])}
    else:
        result = stats()
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
