"""Staff sign-in and API tokens, tried as an attacker would: rate limits with Retry-After, no
account enumeration by message or time, no remote lock-out of a clinician, tokens that end."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from conftest import PASSWORD, staff_client
from django.test import Client
from django.utils import timezone

from anyun.accounts import services
from anyun.accounts.models import ApiToken, Role, User
from anyun.accounts.tests.test_staff_sign_in import totp_now
from anyun.core.errors import DomainError, RateLimited
from anyun.notify.models import Notification

pytestmark = pytest.mark.django_db


def _guess(username: str, *, ip: str = "10.1.1.1", password: str = "Wrong-Pass-1") -> Any:  # noqa: S107
    return Client(REMOTE_ADDR=ip).post(
        "/api/v1/auth/staff-token",
        data={"username": username, "password": password, "token": "000000"},
        content_type="application/json",
    )


@pytest.fixture
def frozen(time_machine: Any, tomorrow: Any) -> None:
    """Rate-limit windows are clock-aligned: a burst must not straddle a window's edge."""
    time_machine.move_to(tomorrow.replace(hour=9), tick=False)


@pytest.mark.usefixtures("frozen")
def test_guesses_from_one_address_get_429_with_retry_after(make_staff: Any, settings: Any) -> None:
    settings.ANYUN_SIGN_IN_RATE_PER_ADDRESS = "20/m"
    settings.ANYUN_SIGN_IN_RATE_PER_ACCOUNT = "1000/m"
    statuses = [_guess(f"name{i}").status_code for i in range(25)]
    assert statuses[:20] == [400] * 20
    assert set(statuses[20:]) == {429}
    refused = _guess("another")
    assert refused.json()["code"] == "sign_in_throttled"
    assert 0 < int(refused["Retry-After"]) <= 60
    assert _guess("another", ip="10.1.1.2").status_code == 400  # another address is counted apart


@pytest.mark.usefixtures("frozen")
def test_guesses_at_one_account_from_many_addresses_get_429(make_staff: Any, settings: Any) -> None:
    settings.ANYUN_SIGN_IN_RATE_PER_ACCOUNT = "10/m"
    user = make_staff(Role.CLINICIAN)
    statuses = [_guess(user.username, ip=f"10.2.0.{i}").status_code for i in range(12)]
    assert statuses[:10] == [400] * 10
    assert statuses[10:] == [429, 429]


def test_unknown_and_locked_accounts_answer_like_a_wrong_password(make_staff: Any) -> None:
    user = make_staff(Role.CLINICIAN)
    wrong = _guess(user.username).json()
    unknown = _guess("no-such-user").json()
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() + timedelta(minutes=5))
    locked = Client(REMOTE_ADDR="10.9.9.9").post(
        "/api/v1/auth/staff-token",
        data={"username": user.username, "password": PASSWORD, "token": totp_now(user)},
        content_type="application/json",
    )
    assert wrong == unknown == locked.json()
    assert locked.status_code == 400


def test_an_unknown_name_costs_a_password_hash_like_a_known_one(
    make_staff: Any, settings: Any
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    user = make_staff(Role.CLINICIAN)
    user.set_password(PASSWORD)
    user.save()

    def timed(name: str) -> float:
        start = time.perf_counter()
        with pytest.raises(DomainError):
            services.staff_sign_in(username=name, password="Wrong-Pass-1", token="0", ip="10.3.0.1")
        return time.perf_counter() - start

    known = min(timed(user.username) for _ in range(3))
    unknown = min(timed("nobody-here") for _ in range(3))
    # Both run one PBKDF2 hash (hundreds of thousands of rounds); without the dummy hash the
    # unknown name answered some 40 times faster.
    assert unknown > known / 3


def test_many_addresses_lock_the_account_and_tell_the_security_admin(
    make_staff: Any, settings: Any
) -> None:

    settings.ANYUN_LOGIN_ACCOUNT_MAX_FAILURES = 8
    settings.ANYUN_SIGN_IN_RATE_PER_ACCOUNT = "1000/m"
    security = make_staff(Role.SECURITY_ADMIN)
    user = make_staff(Role.CLINICIAN)
    for i in range(8):
        with pytest.raises(DomainError):
            services.staff_sign_in(
                username=user.username, password="Wrong-Pass-1", token="0", ip=f"10.4.0.{i}"
            )
    user.refresh_from_db()
    assert user.locked_until is not None and user.locked_until > timezone.now()
    with pytest.raises(DomainError):
        services.staff_sign_in(
            username=user.username, password=PASSWORD, token=totp_now(user), ip="10.4.1.1"
        )
    alert = Notification.objects.get(recipient=security, kind="security")
    assert user.username in alert.title


def test_staff_tokens_end_when_idle_and_at_the_session_limit(
    make_staff: Any, settings: Any, time_machine: Any
) -> None:
    user = make_staff(Role.CLINICIAN)
    raw = services.api_token_issue(user=user)
    token = ApiToken.objects.get(user=user)
    lifetime = token.expires_at - token.created_at
    assert abs(lifetime - timedelta(hours=settings.ANYUN_ABSOLUTE_SESSION_HOURS)) < timedelta(
        seconds=1
    )
    start = timezone.now()
    # Used every 20 minutes it stays valid, up to the absolute limit.
    for step in range(1, 3):
        time_machine.move_to(start + timedelta(minutes=20 * step))
        assert services.api_token_user(raw) == user
    time_machine.move_to(start + timedelta(minutes=40 + settings.ANYUN_IDLE_TIMEOUT_MINUTES + 1))
    assert services.api_token_user(raw) is None  # idle too long
    fresh = services.api_token_issue(user=user)
    time_machine.move_to(timezone.now() + timedelta(hours=settings.ANYUN_ABSOLUTE_SESSION_HOURS))
    assert services.api_token_user(fresh) is None


def test_a_womans_app_token_keeps_its_thirty_days(make_woman: Any, time_machine: Any) -> None:
    woman = make_woman()
    raw = services.api_token_issue(user=woman)
    time_machine.move_to(timezone.now() + timedelta(days=3))
    assert services.api_token_user(raw) == woman


def test_sign_out_ends_the_presented_token(make_staff: Any) -> None:
    user = make_staff(Role.NURSE)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {services.api_token_issue(user=user)}")
    assert api.get("/api/v1/auth/me").status_code == 200
    assert api.post("/api/v1/auth/logout").status_code == 200
    assert api.get("/api/v1/auth/me").status_code == 401


def test_the_security_admin_lists_and_ends_staff_tokens(make_staff: Any) -> None:
    user = make_staff(Role.CLINICIAN)
    raw = services.api_token_issue(user=user)
    token = ApiToken.objects.get(user=user)
    console = staff_client(make_staff(Role.SECURITY_ADMIN))
    page = console.get("/accounts/security/")
    assert (user, token) in [(u, t) for u, t in page.context["tokens"]]
    console.post("/accounts/security/", {"token": str(token.public_id)})
    assert services.api_token_user(raw) is None
    with pytest.raises(DomainError):
        services.api_token_revoke(actor=user, token_public_id=token.public_id)


def test_rate_limited_is_a_429_domain_error() -> None:
    assert RateLimited("x", "y", retry_after=5).status == 429
