"""MLPS level 3 for staff: password + TOTP, lockout, password policy, session timeouts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from conftest import PASSWORD
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from anyun.accounts import services
from anyun.accounts.models import Role, User
from anyun.core.errors import DomainError

pytestmark = pytest.mark.django_db


def totp_now(user: User) -> str:
    device = TOTPDevice.objects.get(user=user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def test_password_and_totp_sign_in(make_staff: Any) -> None:
    user = make_staff(Role.CLINICIAN)
    signed = services.staff_sign_in(username=user.username, password=PASSWORD, token=totp_now(user))
    assert signed.pk == user.pk


@pytest.mark.parametrize("what", ["password", "token", "username"])
def test_any_wrong_factor_gives_the_same_refusal(make_staff: Any, what: str) -> None:
    user = make_staff(Role.CLINICIAN)
    args = {"username": user.username, "password": PASSWORD, "token": totp_now(user)}
    args[what] = {"password": "Wrong-Pass-1", "token": "000000", "username": "nobody"}[what]
    if what == "token" and args["token"] == totp_now(user):
        args["token"] = "111111"
    with pytest.raises(DomainError) as err:
        services.staff_sign_in(**args)
    assert err.value.code == "sign_in_failed"


def test_a_woman_cannot_use_the_staff_sign_in(make_woman: Any) -> None:
    woman = make_woman()
    with pytest.raises(DomainError):
        services.staff_sign_in(username=woman.username, password="", token="")


def test_five_failures_from_one_address_lock_that_address_for_ten_minutes(
    make_staff: Any,
) -> None:
    user = make_staff(Role.NURSE)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            with pytest.raises(DomainError):
                services.staff_sign_in(
                    username=user.username, password="Bad-Pass-11", token="1", ip="10.0.0.5"
                )
        with pytest.raises(DomainError) as err:
            services.staff_sign_in(
                username=user.username, password=PASSWORD, token=totp_now(user), ip="10.0.0.5"
            )
        assert err.value.code == "sign_in_failed"  # the same words as a wrong password
        # The clinician at her own workstation is not locked out by someone else's guesses.
        assert services.staff_sign_in(
            username=user.username, password=PASSWORD, token=totp_now(user), ip="10.0.0.9"
        )
    with time_machine.travel(start + timedelta(minutes=10, seconds=31)):
        assert services.staff_sign_in(
            username=user.username, password=PASSWORD, token=totp_now(user), ip="10.0.0.5"
        )


def test_security_admin_unlocks_and_only_they_can(make_staff: Any) -> None:
    user = make_staff(Role.CLINICIAN)
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() + timedelta(minutes=5))
    with pytest.raises(DomainError):
        services.staff_unlock(actor=make_staff(Role.SYSTEM_ADMIN), user=user)
    services.staff_unlock(actor=make_staff(Role.SECURITY_ADMIN), user=user)
    user.refresh_from_db()
    assert user.locked_until is None


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Abc-1234", True),
        ("abcd1234", False),
        ("Password1", False),
        ("Ab1-x", False),
        ("ABCD-EFGH", False),
        ("Zq7#mK2p", True),
    ],
)
def test_password_policy(password: str, ok: bool) -> None:
    # "Password1" has three classes but is a common password; "ABCD-EFGH" has two classes.
    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


def test_web_sign_in_rotates_the_session_and_times_out_when_idle(make_staff: Any) -> None:
    user = make_staff(Role.CLINICIAN)
    client = Client()
    client.get("/accounts/staff/login/")
    before = client.cookies.get("sessionid")
    response = client.post(
        "/accounts/staff/login/",
        {"username": user.username, "password": PASSWORD, "token": totp_now(user)},
    )
    assert response.status_code == 302
    assert response["Location"] == "/clinic/"
    after = client.cookies["sessionid"].value
    assert before is None or before.value != after
    assert client.get("/clinic/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = client.get("/clinic/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/staff/login/")


def test_absolute_session_limit(make_staff: Any) -> None:
    user = make_staff(Role.CLINICIAN)
    client = Client()
    client.post(
        "/accounts/staff/login/",
        {"username": user.username, "password": PASSWORD, "token": totp_now(user)},
    )
    start = timezone.now()
    # Active every 20 minutes, but 12 hours after sign-in the session ends anyway.
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + timedelta(minutes=minutes)):
            assert client.get("/clinic/").status_code == 200
    with time_machine.travel(start + timedelta(hours=12, minutes=1)):
        assert client.get("/clinic/").status_code == 302


def test_password_without_second_factor_does_not_open_staff_pages(make_staff: Any) -> None:
    user = make_staff(Role.CLINICIAN)
    client = Client()
    client.force_login(user)  # password only, no verified device
    assert client.get("/clinic/").status_code == 302
    assert client.get("/api/v1/clinic/patients").status_code == 401
