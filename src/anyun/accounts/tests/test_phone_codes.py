"""FB-3 / MLPS: women's one-time codes are single-use, expire, are bound to the number, and are
rate-limited per number and per address."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from anyun.accounts import services
from anyun.accounts.models import PhoneCode, Role, User, WomanProfile
from anyun.core.errors import DomainError, RateLimited
from anyun.notify.models import Delivery

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


def _sent_code() -> str:
    """The code as it sits in the outbox (the development SMS provider's channel)."""
    delivery = Delivery.objects.filter(notification__kind="login_code").latest("created_at")
    match = re.search(r"(?<!\d)(\d{6})(?!\d)", delivery.text)
    assert match, delivery.text
    return match.group(1)


def test_code_goes_to_the_outbox_as_an_sms_to_that_number() -> None:
    services.phone_code_send(phone=PHONE, ip="10.0.0.1")
    delivery = Delivery.objects.get(notification__kind="login_code")
    assert delivery.channel == "sms"
    assert delivery.phone == PHONE
    assert PhoneCode.objects.count() == 1
    # Only a hash of the code is kept on the code row.
    assert _sent_code() not in PhoneCode.objects.get().code_hash


@pytest.mark.parametrize("bad", ["", "12345678901", "1391234567", "139123456789", "abc"])
def test_invalid_phone_numbers_are_refused(bad: str) -> None:
    with pytest.raises(DomainError) as err:
        services.phone_code_send(phone=bad, ip=None)
    assert err.value.code == "phone_invalid"
    assert PhoneCode.objects.count() == 0


def test_right_code_signs_in_and_creates_the_account_once() -> None:
    services.phone_code_send(phone="+86 139-1234-5678", ip=None)
    user = services.phone_sign_in(phone=PHONE, code=_sent_code())
    assert user.role == Role.WOMAN
    assert user.phone == PHONE
    assert WomanProfile.objects.filter(user=user, verified_at__isnull=True).exists()
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        services.phone_code_send(phone=PHONE, ip=None)
        again = services.phone_sign_in(phone=PHONE, code=_sent_code())
    assert again.pk == user.pk
    assert User.objects.filter(role=Role.WOMAN).count() == 1


def test_a_code_works_only_once() -> None:
    services.phone_code_send(phone=PHONE, ip=None)
    code = _sent_code()
    services.phone_sign_in(phone=PHONE, code=code)
    with pytest.raises(DomainError) as err:
        services.phone_sign_in(phone=PHONE, code=code)
    assert err.value.code == "code_invalid"


def test_a_code_is_bound_to_the_number_it_was_sent_to() -> None:
    services.phone_code_send(phone=PHONE, ip=None)
    with pytest.raises(DomainError):
        services.phone_sign_in(phone="13987654321", code=_sent_code())
    assert not User.objects.exists()


def test_a_code_expires_after_ten_minutes() -> None:
    services.phone_code_send(phone=PHONE, ip=None)
    code = _sent_code()
    later = timezone.now() + timedelta(minutes=10, seconds=1)
    with time_machine.travel(later), pytest.raises(DomainError):
        services.phone_sign_in(phone=PHONE, code=code)
    assert not User.objects.exists()


def test_wrong_tries_are_counted_and_void_the_code_after_five() -> None:
    services.phone_code_send(phone=PHONE, ip=None)
    code = _sent_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(DomainError):
            services.phone_sign_in(phone=PHONE, code=wrong)
    assert PhoneCode.objects.get().attempts == 5
    with pytest.raises(DomainError):
        services.phone_sign_in(phone=PHONE, code=code)


def test_resend_within_a_minute_is_refused() -> None:
    services.phone_code_send(phone=PHONE, ip=None)
    with pytest.raises(RateLimited) as err:
        services.phone_code_send(phone=PHONE, ip=None)
    assert err.value.code == "code_too_soon"
    assert PhoneCode.objects.count() == 1


def test_at_most_five_codes_per_number_per_hour() -> None:
    start = timezone.now()
    for i in range(5):
        with time_machine.travel(start + timedelta(minutes=2 * i)):
            services.phone_code_send(phone=PHONE, ip=None)
    with time_machine.travel(start + timedelta(minutes=12)), pytest.raises(RateLimited) as err:
        services.phone_code_send(phone=PHONE, ip=None)
    assert err.value.code == "code_phone_limit"
    with time_machine.travel(start + timedelta(minutes=62)):
        services.phone_code_send(phone=PHONE, ip=None)
    assert PhoneCode.objects.count() == 6


def test_at_most_twenty_codes_per_address_per_hour(settings: object) -> None:
    for i in range(20):
        services.phone_code_send(phone=f"1381234{i:04d}", ip="192.0.2.7")
    with pytest.raises(RateLimited) as err:
        services.phone_code_send(phone="13899999999", ip="192.0.2.7")
    assert err.value.code == "code_ip_limit"
    services.phone_code_send(phone="13899999999", ip="192.0.2.8")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers; the race needs a server database",
)
def test_concurrent_requests_cannot_beat_the_rate_limit() -> None:
    import threading

    outcomes: list[str] = []
    barrier = threading.Barrier(6)

    def ask() -> None:
        barrier.wait()
        try:
            services.phone_code_send(phone=PHONE, ip="198.51.100.9")
            outcomes.append("sent")
        except RateLimited:
            outcomes.append("limited")
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["limited"] * 5 + ["sent"]
    assert PhoneCode.objects.count() == 1
