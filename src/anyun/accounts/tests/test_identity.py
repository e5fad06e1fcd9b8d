"""FB-3: the woman's real-name identity (GB 11643 checks, eligibility, provider, uniqueness)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from conftest import valid_national_id, years_ago

from anyun.accounts import services
from anyun.accounts.models import IdentityCheck, WomanProfile
from anyun.audit.models import AuditEvent
from anyun.core import crypto
from anyun.core.errors import DomainError

pytestmark = pytest.mark.django_db


def _verify(user: Any, nid: str, name: str = "王小红", **extra: str) -> WomanProfile:
    return services.woman_identity_verify(
        user=user, data=services.IdentityInput(real_name=name, national_id=nid, **extra)
    )


def _refused(user: Any, nid: str, code: str, **extra: str) -> DomainError:
    with pytest.raises(DomainError) as err:
        _verify(user, nid, **extra)
    assert err.value.code == code
    assert not WomanProfile.objects.get(user=user).is_verified
    return err.value


def test_valid_number_verifies_and_derives_birth_date(make_woman: Any) -> None:
    woman = make_woman(verified=False, consented=False)
    birth = years_ago(30, days=200)
    nid = valid_national_id(birth)
    profile = _verify(woman, nid.lower())
    assert profile.is_verified
    assert profile.birth_date == date.fromisoformat(birth)
    assert profile.national_id == nid
    assert profile.national_id_index == crypto.blind_index(nid)
    check = IdentityCheck.objects.get(user=woman)
    assert check.passed
    assert nid not in str(check.request_summary)  # only a masked number is recorded
    assert AuditEvent.objects.filter(action="identity_verify", subject=woman).count() == 1


def test_the_number_is_encrypted_at_rest(make_woman: Any) -> None:
    from django.db import connection

    woman = make_woman(verified=False, consented=False)
    nid = valid_national_id(years_ago(30, days=200))
    _verify(woman, nid)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT national_id FROM accounts_womanprofile WHERE user_id = %s", [woman.pk]
        )
        (stored,) = cursor.fetchone()
    assert nid not in stored
    assert crypto.decrypt(stored) == nid


def test_wrong_check_digit_names_the_expected_one(make_woman: Any) -> None:
    woman = make_woman(verified=False, consented=False)
    nid = valid_national_id(years_ago(30, days=200))
    wrong = nid[:-1] + ("0" if nid[-1] != "0" else "1")
    err = _refused(woman, wrong, "national_id_check_digit")
    assert err.field == "national_id"
    assert nid[-1] in str(err.message)


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("1101051995061500", "national_id_length"),
        ("11010519950615A02X", "national_id_characters"),
        ("00010519950615002X", "national_id_region"),
        ("110105199502300020", "national_id_birth_date"),
    ],
)
def test_malformed_numbers_are_refused_with_their_reason(
    make_woman: Any, number: str, code: str
) -> None:
    _refused(make_woman(verified=False, consented=False), number, code)


def test_a_male_number_is_refused(make_woman: Any) -> None:
    _refused(make_woman(verified=False, consented=False), "440524188001010014", "national_id_male")


@pytest.mark.parametrize(
    ("years", "days", "allowed"),
    [(14, -1, False), (14, 0, True), (60, 0, True), (61, 1, False)],
    ids=["a day short of 14", "14 today", "60 today", "61 and a day"],
)
def test_age_must_be_14_to_60(
    make_woman: Any, time_machine: Any, tomorrow: datetime, years: int, days: int, allowed: bool
) -> None:
    # Mid-morning, so that the birth date and the check fall on the same day.
    time_machine.move_to(tomorrow.replace(hour=10), tick=False)
    woman = make_woman(verified=False, consented=False)
    birth = years_ago(years, days=days)
    guardian = {"guardian_name": "王大明", "guardian_phone": "13700000000"}
    if allowed:
        assert _verify(woman, valid_national_id(birth), **guardian).is_verified
    else:
        _refused(woman, valid_national_id(birth), "age_out_of_range", **guardian)


def test_a_minor_must_name_a_guardian(make_woman: Any) -> None:
    woman = make_woman(verified=False, consented=False)
    nid = valid_national_id(years_ago(16, days=150))
    _refused(woman, nid, "guardian_required")
    profile = _verify(woman, nid, guardian_name="王大明", guardian_phone="13700000000")
    assert profile.guardian_name == "王大明"
    assert profile.guardian_phone == "13700000000"


def test_one_number_belongs_to_one_account(make_woman: Any) -> None:
    nid = valid_national_id(years_ago(36, days=150))
    _verify(make_woman(verified=False, consented=False), nid)
    _refused(make_woman(verified=False, consented=False), nid, "national_id_taken")


def test_the_provider_can_refuse(make_woman: Any, settings: Any) -> None:
    settings.ANYUN_IDENTITY_PROVIDER = "anyun.accounts.identity.RefusingIdentityProvider"
    woman = make_woman(verified=False, consented=False)
    _refused(woman, valid_national_id(years_ago(36, days=150)), "identity_refused")
    assert IdentityCheck.objects.get(user=woman).passed is False


def test_bad_names_are_refused(make_woman: Any) -> None:
    woman = make_woman(verified=False, consented=False)
    with pytest.raises(DomainError) as err:
        _verify(woman, valid_national_id(years_ago(36, days=150)), name="x")
    assert err.value.field == "real_name"
