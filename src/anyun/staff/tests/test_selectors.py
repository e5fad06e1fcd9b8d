"""STAFF-1..3: the online-practice check, expiry warnings, directory and licence lookup."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from anyun.accounts.models import Role, User
from anyun.core.errors import PermissionDenied
from anyun.staff.models import CredentialKind, Title
from anyun.staff.selectors import (
    CredentialStatus,
    can_practise_online,
    clinician_for,
    credential_warnings_for,
    credentials_expiring,
    directory,
    licence_lookup,
    mask_number,
    practice_blockers,
    practising_online,
    require_online_practice,
)

K = CredentialKind
ALL_KINDS = [
    K.PRACTISING_CERTIFICATE,
    K.HOSPITAL_REGISTRATION,
    K.MCH_CERTIFICATE,
    K.INTERNET_ADMISSION,
]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fixed_day(time_machine: Any, tomorrow: datetime) -> None:
    """09:00 tomorrow, before the test's world is built: one day all through the test."""
    time_machine.move_to(tomorrow.replace(hour=9), tick=False)


@pytest.fixture
def today(tomorrow: datetime) -> date:
    return tomorrow.date()


def codes(user: User, on: date) -> list[str]:
    return [b.code for b in practice_blockers(user, on=on)]


# --- can_practise_online -------------------------------------------------------------------


def test_clinician_with_all_four_valid_may_practise(
    make_profile: Any, give_all: Any, today: date
) -> None:
    profile = make_profile()
    give_all(profile, until=today + timedelta(days=365))

    assert practice_blockers(profile.user, on=today) == []
    assert can_practise_online(profile.user, on=today) is True
    require_online_practice(profile.user, on=today)  # does not raise


def test_credentials_without_expiry_count_as_valid(
    make_profile: Any, give_all: Any, today: date
) -> None:
    profile = make_profile()
    give_all(profile, until=None)

    far = today + timedelta(days=75 * 365)
    assert can_practise_online(profile.user, on=far) is True


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_each_missing_credential_blocks_a_clinician(
    kind: str, make_profile: Any, give_all: Any, today: date
) -> None:
    profile = make_profile()
    give_all(profile, until=today + timedelta(days=365), skip=kind)

    assert can_practise_online(profile.user, on=today) is False
    assert codes(profile.user, today) == [f"{kind}_missing"]


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_each_expired_credential_blocks_a_clinician(
    kind: str, make_profile: Any, give_all: Any, give: Any, today: date
) -> None:
    profile = make_profile()
    give_all(profile, until=today + timedelta(days=365), skip=kind)
    give(profile, kind, until=today - timedelta(days=1))

    assert can_practise_online(profile.user, on=today) is False
    assert codes(profile.user, today) == [f"{kind}_expired"]
    [blocker] = practice_blockers(profile.user, on=today)
    assert blocker.kind == kind
    with translation.override("en"):
        assert "expired" in str(blocker.message)


def test_validity_is_inclusive_of_the_expiry_date(
    make_profile: Any, give_all: Any, time_machine: Any, tomorrow: datetime, today: date
) -> None:
    """Decision: `valid_until` is the last valid day (有效期至). Day after = expired."""
    profile = make_profile()
    last_day = today + timedelta(days=29)
    give_all(profile, until=last_day)

    time_machine.move_to(tomorrow + timedelta(days=29, hours=23, minutes=59), tick=False)
    assert can_practise_online(profile.user) is True
    # 00:30 the next day in Shanghai is still the last day in UTC: the business date must win.
    time_machine.move_to(tomorrow + timedelta(days=30, minutes=30), tick=False)
    assert can_practise_online(profile.user) is False
    assert codes(profile.user, on=last_day + timedelta(days=1)) == [
        f"{k}_expired" for k in ALL_KINDS
    ]


def test_not_yet_valid_counts_as_missing(
    make_profile: Any, give_all: Any, give: Any, today: date
) -> None:
    profile = make_profile()
    give_all(profile, until=None, skip=K.INTERNET_ADMISSION)
    give(profile, K.INTERNET_ADMISSION, start=today + timedelta(days=1), until=None)

    assert codes(profile.user, today) == ["internet_admission_missing"]
    assert can_practise_online(profile.user, on=today + timedelta(days=1)) is True


def test_a_renewal_supersedes_the_expired_credential(
    make_profile: Any, give_all: Any, give: Any, today: date
) -> None:
    profile = make_profile()
    give_all(profile, until=today - timedelta(days=10))
    for kind in ALL_KINDS:
        if kind != K.PRACTISING_CERTIFICATE:
            give(profile, kind, start=today - timedelta(days=10), until=today + timedelta(days=700))
    # The practising certificate renewal keeps the same national number.
    give(
        profile,
        K.PRACTISING_CERTIFICATE,
        start=today - timedelta(days=9),
        until=None,
        number=profile.credentials.get(kind=K.PRACTISING_CERTIFICATE).number,
    )

    assert can_practise_online(profile.user, on=today) is True


def test_nurse_needs_registration_mch_and_internet_admission(
    make_profile: Any, give: Any, today: date
) -> None:
    nurse = make_profile(Role.NURSE, title=Title.MIDWIFE)
    assert codes(nurse.user, today) == [
        "hospital_registration_missing",
        "mch_certificate_missing",
        "internet_admission_missing",
    ]
    for kind in (K.HOSPITAL_REGISTRATION, K.MCH_CERTIFICATE, K.INTERNET_ADMISSION):
        give(nurse, kind, until=None)

    assert can_practise_online(nurse.user, on=today) is True


def test_pharmacist_needs_registration_and_internet_admission(
    make_profile: Any, give: Any, pharmacy: Any, today: date
) -> None:
    pharmacist = make_profile(Role.PHARMACIST, title=Title.PHARMACIST, department=pharmacy)
    give(pharmacist, K.HOSPITAL_REGISTRATION, until=None)
    assert codes(pharmacist.user, today) == ["internet_admission_missing"]

    give(pharmacist, K.INTERNET_ADMISSION, until=None)
    assert can_practise_online(pharmacist.user, on=today) is True


def test_other_roles_and_incomplete_accounts_never_practise(
    make_user: Callable[..., User], make_profile: Any, give_all: Any
) -> None:
    woman = make_user(Role.WOMAN)
    manager = make_user(Role.QUALITY_MANAGER)
    no_profile = make_user(Role.CLINICIAN)
    inactive = make_profile()
    give_all(inactive, until=None)
    inactive.user.is_active = False
    inactive.user.save()

    assert codes(woman, today) == ["role_not_practising"]
    assert codes(manager, today) == ["role_not_practising"]
    assert codes(no_profile, today) == ["profile_missing"]
    assert codes(inactive.user, today) == ["account_inactive"]


def test_practising_online_is_can_practise_online_for_each_read_together(
    make_user: Callable[..., User], make_profile: Any, give_all: Any, give: Any, today: date
) -> None:
    valid, expired, missing, inactive = (make_profile() for _ in range(4))
    for profile in (valid, inactive):
        give_all(profile, until=today + timedelta(days=365))
    give_all(expired, until=None, skip=K.MCH_CERTIFICATE)
    give(expired, K.MCH_CERTIFICATE, until=today - timedelta(days=1))
    give_all(missing, until=None, skip=K.INTERNET_ADMISSION)
    inactive.user.is_active = False
    inactive.user.save()
    people = [p.user for p in (valid, expired, missing, inactive)]
    people += [make_user(Role.WOMAN), make_user(Role.CLINICIAN)]  # no profile
    with CaptureQueriesContext(connection) as ctx:
        may = practising_online(people, on=today)
    assert may == {p.pk for p in people if can_practise_online(p, on=today)} == {valid.user.pk}
    assert len(ctx.captured_queries) == 2  # the profiles; their credentials
    assert practising_online([], on=today) == set()


def test_require_online_practice_lists_every_blocker(
    make_profile: Any, give: Any, today: date
) -> None:
    profile = make_profile()
    give(profile, K.PRACTISING_CERTIFICATE, until=None)
    give(profile, K.HOSPITAL_REGISTRATION, until=None)
    give(profile, K.MCH_CERTIFICATE, until=today - timedelta(days=1))

    with translation.override("en"), pytest.raises(PermissionDenied) as caught:
        require_online_practice(profile.user, on=today)

    assert caught.value.code == "credential_invalid"
    assert caught.value.status == 403
    message = str(caught.value.message)
    assert "maternal and child health technology assessment certificate has expired" in message
    assert "No valid internet diagnosis admission is on record." in message
    assert "practising certificate" not in message


# --- warnings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (31, []),
        (30, [("expiring_soon", 30)]),
        (1, [("expiring_soon", 1)]),
        (0, [("expiring_soon", 0)]),
        (-1, [("expired", -1)]),
    ],
)
def test_warnings_from_thirty_days_before_expiry(
    days: int,
    expected: list[tuple[str, int]],
    make_profile: Any,
    give_all: Any,
    give: Any,
    today: date,
) -> None:
    profile = make_profile()
    give_all(profile, until=None, skip=K.MCH_CERTIFICATE)
    give(profile, K.MCH_CERTIFICATE, until=today + timedelta(days=days))

    warnings = credential_warnings_for(profile.user)  # today, by the clock

    assert [(w.status, w.days_left) for w in warnings] == expected
    for warning in warnings:
        assert warning.kind == K.MCH_CERTIFICATE
        assert warning.valid_until == today + timedelta(days=days)
        assert (today + timedelta(days=days)).isoformat() in warning.message


def test_no_warnings_for_people_without_a_profile(
    make_user: Callable[..., User], today: date
) -> None:
    assert credential_warnings_for(make_user(Role.WOMAN), on=today) == []


def test_credentials_expiring_window(make_profile: Any, give: Any, today: date) -> None:
    profile = make_profile()
    in_31 = give(profile, K.HOSPITAL_REGISTRATION, until=today + timedelta(days=31))
    in_30 = give(profile, K.MCH_CERTIFICATE, until=today + timedelta(days=30))
    due_today = give(profile, K.INTERNET_ADMISSION, until=today)
    expired = give(profile, K.PRACTISING_CERTIFICATE, until=today - timedelta(days=3))

    assert list(credentials_expiring(within_days=30, on=today)) == [due_today, in_30]
    assert list(credentials_expiring(within_days=30, on=today, include_expired=True)) == [
        expired,
        due_today,
        in_30,
    ]
    assert in_31 not in credentials_expiring(within_days=30, on=today, include_expired=True)


def test_credentials_expiring_ignores_renewed_ones(
    make_profile: Any, give: Any, today: date
) -> None:
    profile = make_profile()
    give(profile, K.MCH_CERTIFICATE, until=today + timedelta(days=5))
    give(
        profile,
        K.MCH_CERTIFICATE,
        start=today + timedelta(days=6),
        until=today + timedelta(days=5 * 365),
    )

    assert list(credentials_expiring(within_days=30, on=today, include_expired=True)) == []


# --- clinician_for -------------------------------------------------------------------------


def test_clinician_for(make_profile: Any, make_user: Callable[..., User]) -> None:
    from django.contrib.auth.models import AnonymousUser

    profile = make_profile()
    assert clinician_for(profile.user) == profile
    assert clinician_for(make_user(Role.CLINICIAN)) is None
    assert clinician_for(AnonymousUser()) is None


# --- directory -----------------------------------------------------------------------------


def test_directory_lists_only_listed_active_clinicians(
    make_profile: Any, pharmacy: Any, django_assert_num_queries: Any
) -> None:
    head = make_profile(
        name="Li Hua",
        title=Title.CHIEF_PHYSICIAN,
        is_department_head=True,
        specialty="Preeclampsia",
    )
    resident = make_profile(name="Zhang Wei", title=Title.RESIDENT_PHYSICIAN)
    attending = make_profile(name="Chen Jing", title=Title.ATTENDING_PHYSICIAN)
    pharmacist = make_profile(
        Role.PHARMACIST, name="Wang Fang", title=Title.PHARMACIST, department=pharmacy
    )
    make_profile(name="Hidden Doctor", is_listed=False)
    gone = make_profile(name="Former Doctor")
    gone.user.is_active = False
    gone.user.save()

    with django_assert_num_queries(1):
        rows = [(p.name, p.department.name, p.department.hospital.name) for p in directory()]

    assert rows == [
        ("Li Hua", "Obstetrics", "Anyun Maternity Hospital"),
        ("Chen Jing", "Obstetrics", "Anyun Maternity Hospital"),
        ("Zhang Wei", "Obstetrics", "Anyun Maternity Hospital"),
        ("Wang Fang", "Pharmacy", "Anyun Maternity Hospital"),
    ]
    assert list(directory(department=pharmacy)) == [pharmacist]
    assert list(directory(department=pharmacy.public_id)) == [pharmacist]
    assert list(directory(query="preeclampsia")) == [head]
    assert list(directory(query="zhang")) == [resident]
    assert list(directory(query="pharm")) == [pharmacist]
    assert list(directory(query="Hidden")) == []
    assert attending in directory(query="  ")


# --- licence lookup ------------------------------------------------------------------------


def test_lookup_by_exact_practising_number(
    make_profile: Any, give_all: Any, give: Any, today: date
) -> None:
    profile = make_profile(name="Li Hua")
    other = make_profile(name="Li Na")
    give_all(profile, until=today + timedelta(days=365))
    give_all(other, until=None)
    number = profile.credentials.get(kind=K.PRACTISING_CERTIFICATE).number

    [record] = licence_lookup(query=number, on=today)
    assert record.profile == profile
    shown = {c.kind: c for c in record.credentials}
    assert list(shown) == ALL_KINDS
    assert shown[K.PRACTISING_CERTIFICATE].number == number
    assert shown[K.PRACTISING_CERTIFICATE].status == CredentialStatus.VALID
    registration = profile.credentials.get(kind=K.HOSPITAL_REGISTRATION).number
    assert shown[K.HOSPITAL_REGISTRATION].number == mask_number(registration)
    assert shown[K.HOSPITAL_REGISTRATION].number != registration
    # Spaces copied from a paper certificate are ignored; a partial number finds nothing.
    assert [r.profile for r in licence_lookup(query=f" {number[:5]} {number[5:]} ")] == [profile]
    assert licence_lookup(query=number[:-1], on=today) == []


def test_lookup_by_name_exact_first_then_contains(make_profile: Any, give: Any) -> None:
    an_li = make_profile(name="An Li")
    li_hua = make_profile(name="Li Hua")
    li = make_profile(name="Li")
    make_profile(name="Zhang Wei")
    make_profile(name="Li Hidden", is_listed=False)

    # The exact name first, then partial matches in name order.
    assert [r.profile for r in licence_lookup(query="Li")] == [li, an_li, li_hua]
    assert [r.profile for r in licence_lookup(query="hua")] == [li_hua]
    assert licence_lookup(query="Hidden") == []
    assert licence_lookup(query="   ") == []


def test_lookup_reports_credential_status(
    make_profile: Any, give: Any, django_assert_num_queries: Any, today: date
) -> None:
    profile = make_profile(name="Chen Jing")
    give(profile, K.PRACTISING_CERTIFICATE, until=None)
    give(profile, K.HOSPITAL_REGISTRATION, until=today + timedelta(days=10))
    give(profile, K.MCH_CERTIFICATE, until=today - timedelta(days=1))

    with django_assert_num_queries(2):
        [record] = licence_lookup(query="Chen Jing", on=today)

    assert [(c.kind, c.status) for c in record.credentials] == [
        (K.PRACTISING_CERTIFICATE, "valid"),
        (K.HOSPITAL_REGISTRATION, "expiring_soon"),
        (K.MCH_CERTIFICATE, "expired"),
    ]
    assert not hasattr(record.credentials[0], "scan")


def test_mask_number() -> None:
    assert mask_number("MCH-2023-118") == "MC********18"
    assert mask_number("1234") == "****"
    assert mask_number("") == ""
