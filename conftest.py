"""Fixtures shared by every test: a small hospital world built through the product's services.

Time: a test means the same on every day it runs. A test that needs a wall-clock time travels
forward to it (`tomorrow`), after its world was built, never back before it; fixed dates that
the clock judges (birth dates, LMPs, expiry dates) are relative to today. `ANYUN_TEST_SHIFT_DAYS`
moves the whole run's clock that many days ahead (CI runs the suite once so), which makes a
date-bound test fail the day it is written rather than months later.
"""

from __future__ import annotations

import importlib
import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.apps import apps as django_apps
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from anyun.accounts import services as accounts
from anyun.accounts.models import Role, User
from anyun.clinical.national_id import national_id_check_character
from anyun.core import crypto

PASSWORD = "Anyun-Test-Pass-1"
_seq = itertools.count(1)
SHIFT_DAYS = int(os.environ.get("ANYUN_TEST_SHIFT_DAYS") or 0)
_shifted: list[time_machine.travel] = []


# Tables whose rows a database trigger keeps (the append-only audit trail): emptied by TRUNCATE.
_KEPT_BY_TRIGGER = frozenset({"audit_auditevent"})


def _flush_by_delete(
    self: Any,
    style: Any,
    tables: Any,
    *,
    reset_sequences: bool = False,
    allow_cascade: bool = False,
) -> list[str]:
    """PostgreSQL's flush after a transactional test, by DELETE instead of one TRUNCATE.

    TRUNCATE gives each of the ~85 tables new files: 1 to 3 s a test on a 2-core machine,
    against under 0.1 s for deleting the few rows a test writes. Django's foreign
    keys on PostgreSQL are deferred, so the order of the deletes does not matter within the
    flush's transaction.
    """
    if reset_sequences or allow_cascade:
        return _truncate_flush(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    quoted = [(table, self.quote_name(table)) for table in tables]
    return [
        # Names from Django's own table list, quoted by the backend.
        f"TRUNCATE {name};" if table in _KEPT_BY_TRIGGER else f"DELETE FROM {name};"  # noqa: S608
        for table, name in quoted
    ]


_truncate_flush = PostgresOperations.sql_flush


def pytest_configure(config: pytest.Config) -> None:
    """Start the run-wide clock shift before collection, so import-time dates move too; flush
    PostgreSQL by DELETE (`_flush_by_delete`)."""
    PostgresOperations.sql_flush = _flush_by_delete  # type: ignore[method-assign]
    if SHIFT_DAYS and not _shifted:
        travel = time_machine.travel(timedelta(days=SHIFT_DAYS), tick=True)
        travel.start()
        _shifted.append(travel)


def pytest_unconfigure(config: pytest.Config) -> None:
    while _shifted:
        _shifted.pop().stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    if SHIFT_DAYS:
        return f"clock shifted {SHIFT_DAYS} days ahead: today is {timezone.localdate()}"
    return None


@pytest.fixture
def tomorrow() -> datetime:
    """Midnight (the server's time zone) of the day after today.

    A test that needs a wall-clock time travels here (`tomorrow.replace(hour=7)`): after the
    fixtures were built, whatever day the suite runs on.
    """
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(
        days=1
    )


def years_ago(years: int, *, days: int = 0) -> str:
    """The YYYYMMDD birth date of someone `years` old today (plus `days` older)."""
    today = timezone.localdate()
    try:
        birthday = today.replace(year=today.year - years)
    except ValueError:  # 29 February in a year without one
        birthday = today.replace(year=today.year - years, day=28)
    return (birthday - timedelta(days=days)).strftime("%Y%m%d")


def valid_national_id(birth: str | None = None, sequence: int = 2, region: str = "110105") -> str:
    """A GB 11643 number for a woman (even 17th digit) born on `birth` (YYYYMMDD; default: 30
    years and 100 days before today)."""
    first17 = f"{region}{birth or years_ago(30, days=100)}{sequence:03d}"
    return first17 + national_id_check_character(first17)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate-limit counters and sign-in locks live in the cache: none carries over."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Hashing strength is not under test; PBKDF2's cost would dominate the suite."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    def make(role: str = Role.CLINICIAN, username: str | None = None, **extra: Any) -> User:
        n = next(_seq)
        username = username or f"{role}{n}"
        extra.setdefault("display_name", f"{role.title()} {n}")
        return User.objects.create_user(username, password=PASSWORD, role=role, **extra)

    return make


@pytest.fixture
def make_staff(db: Any) -> Callable[..., User]:
    """A staff account with its TOTP device, created by the real service."""

    def make(role: str = Role.CLINICIAN, username: str | None = None) -> User:
        n = next(_seq)
        user, _device = accounts.staff_create(
            username=username or f"{role}{n}",
            password=PASSWORD,
            role=role,
            display_name=f"{role.title()} {n}",
        )
        return user

    return make


@pytest.fixture
def make_clinician(make_staff: Callable[..., User]) -> Callable[..., User]:
    """A clinician (or nurse) with a department profile and, unless told, all four credentials."""
    from anyun.staff import services as staff
    from anyun.staff.models import CredentialKind, Title

    def make(
        role: str = Role.CLINICIAN, *, head: bool = False, missing: tuple[str, ...] = ()
    ) -> User:
        user = make_staff(role)
        hospital = staff.hospital_ensure(code="TEST", name="Test Hospital")
        department = hospital.departments.filter(code="OB").first() or staff.department_create(
            hospital=hospital, name="Obstetrics", code="OB"
        )
        profile = staff.clinician_profile_upsert(
            user=user,
            department=department,
            title={Role.CLINICIAN: Title.ATTENDING_PHYSICIAN, Role.NURSE: Title.NURSE}.get(
                role, Title.PHARMACIST
            ),
            specialty="Obstetrics",
            introduction="",
            is_listed=True,
            is_department_head=head,
        )
        today = timezone.localdate()
        for kind in CredentialKind:
            if kind in missing:
                continue
            if role == Role.NURSE and kind == CredentialKind.PRACTISING_CERTIFICATE:
                continue
            number = (
                f"{110110000000000 + next(_seq)}"
                if kind == CredentialKind.PRACTISING_CERTIFICATE
                else f"N-{next(_seq)}"
            )
            staff.credential_record(
                profile=profile,
                kind=kind,
                number=number,
                issuer="Health Commission",
                valid_from=today - timedelta(days=365),
                valid_until=today + timedelta(days=365),
                recorded_by=user,
            )
        return user

    return make


@pytest.fixture
def make_woman(db: Any) -> Callable[..., User]:
    """A woman: verified and consented unless told otherwise, optionally with a pregnancy."""
    from anyun.consent.services import consent_sign, documents_current
    from anyun.pregnancy.services import PregnancyInput, pregnancy_open

    # Transactional tests flush every table afterwards, migration data included: make sure the
    # consent documents the data migration publishes are there.
    importlib.import_module("anyun.consent.migrations.0002_initial_documents").publish(
        django_apps, None
    )

    def make(
        *, verified: bool = True, consented: bool = True, pregnant_weeks: int | None = None
    ) -> User:
        n = next(_seq)
        phone = f"139{n:08d}"
        user = accounts._woman_create(phone=phone, phone_index=crypto.blind_index(phone))
        if verified:
            accounts.woman_identity_verify(
                user=user,
                data=accounts.IdentityInput(
                    real_name=f"测试{chr(0x4E00 + n % 20_000)}",  # inside the CJK block names take
                    national_id=valid_national_id(sequence=2 * n % 1000),
                ),
            )
        if consented:
            for doc in documents_current():
                consent_sign(user=user, document_public_id=doc.public_id)
        if pregnant_weeks is not None:
            pregnancy_open(
                actor=user,
                woman=user,
                data=PregnancyInput(
                    lmp=timezone.localdate() - timedelta(weeks=pregnant_weeks),
                    height_cm=Decimal("160"),
                    pre_pregnancy_weight_kg=Decimal("55"),
                ),
            )
        user.refresh_from_db()
        return user

    return make


def staff_client(user: User) -> Client:
    """A test client signed in as `user` with the second factor verified."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


def woman_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@dataclass
class World:
    """One woman with a pregnancy and a report, and a person of every other kind around her."""

    woman: User
    other_woman: User
    inside: User  # a clinician on her care team
    outside: User  # a clinician not on it
    head: User  # the department head who assigned the team
    pharmacist: User
    quality: User
    auditor: User


@pytest.fixture
def world(make_woman: Any, make_clinician: Any, make_staff: Any) -> World:
    from anyun.careteam.services import care_team_assign

    woman = make_woman(pregnant_weeks=20)
    other = make_woman(pregnant_weeks=12)
    head = make_clinician(head=True)
    inside = make_clinician()
    outside = make_clinician()
    care_team_assign(actor=head, woman=woman, member=inside, responsible=True)
    return World(
        woman=woman,
        other_woman=other,
        inside=inside,
        outside=outside,
        head=head,
        pharmacist=make_clinician(Role.PHARMACIST),
        quality=make_staff(Role.QUALITY_MANAGER),
        auditor=make_staff(Role.AUDIT_ADMIN),
    )
