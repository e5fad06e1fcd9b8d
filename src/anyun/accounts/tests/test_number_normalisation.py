"""Numbers the woman types have one spelling: full-width digits are the ASCII number (same
account, same per-number code limit, same ID number); any other digit is refused and creates
nothing. Service, JSON API (/api/v1/auth) and web pages."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from conftest import valid_national_id, woman_client, years_ago
from django.test import Client
from django.utils import timezone, translation

from anyun.accounts import services
from anyun.accounts.models import IdentityCheck, PhoneCode, Role, User, WomanProfile
from anyun.core import crypto
from anyun.core.errors import DomainError, RateLimited
from anyun.notify.models import Delivery, Notification

pytestmark = pytest.mark.django_db

PHONE = "13800000001"
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
PHONE_MESSAGE_EN = "Enter an 11-digit mainland China mobile number starting with 1."
PHONE_MESSAGE_ZH = "请输入以1开头的11位中国大陆手机号。"
NID_MESSAGE_EN = "A national ID number contains only digits, with X allowed as the last character."
NID_MESSAGE_ZH = "身份证号只能包含数字，最后一位可以是X。"


def in_digits(text: str, zero: str) -> str:
    """`text` with its ASCII digits written in the digit block that starts at `zero`."""
    return "".join(chr(ord(zero) + int(c)) if c.isascii() and c.isdigit() else c for c in text)


def full_width(text: str) -> str:
    """`text` as a Chinese input method in full-width mode types it (digits, X, x, +, -)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def superscript(text: str) -> str:
    return "".join(SUPERSCRIPTS[int(c)] if c.isascii() and c.isdigit() else c for c in text)


# Digits no one types in a phone number, after an ASCII "13". NFKC leaves the Arabic-Indic and
# Devanagari digits as they are and turns the others into ASCII digits; all are refused.
LOOKALIKE_PHONES = {
    "arabic-indic": "13" + in_digits(PHONE[2:], "\u0660"),
    "arabic-indic, one digit": "13٨00000001",
    "arabic-indic, whole number": in_digits(PHONE, "\u0660"),
    "extended arabic-indic": "13" + in_digits(PHONE[2:], "\u06f0"),
    "devanagari": "13" + in_digits(PHONE[2:], "\u0966"),
    "superscript": "13" + superscript(PHONE[2:]),
    "superscript, one digit": "13⁸00000001",
    "mathematical bold": "13" + in_digits(PHONE[2:], "\U0001d7ce"),
    "circled": "13" + "⑧" + "00000001",
}


def _sent_code() -> str:
    delivery = Delivery.objects.filter(notification__kind="login_code").latest("created_at")
    match = re.search(r"(?<![0-9])([0-9]{6})(?![0-9])", delivery.text)
    assert match, delivery.text
    return match.group(1)


def _nothing_sent() -> None:
    assert PhoneCode.objects.count() == 0
    assert Notification.objects.count() == 0
    assert Delivery.objects.count() == 0


def _sign_in(phone: str, *, at: Any) -> User:
    with time_machine.travel(at):
        services.phone_code_send(phone=phone, ip=None)
        return services.phone_sign_in(phone=phone, code=_sent_code())


# --- service: the phone number ----------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "13８０００００００１",
        full_width(PHONE),
        full_width("+86 138-0000-0001"),
        "\u3000" + full_width(PHONE) + "\u3000",
    ],
)
def test_full_width_phone_number_reaches_the_same_account(typed: str) -> None:
    start = timezone.now()
    first = _sign_in(PHONE, at=start)

    again = _sign_in(typed, at=start + timedelta(minutes=2))

    assert again.pk == first.pk
    assert again.phone == PHONE
    assert list(User.objects.filter(role=Role.WOMAN).values_list("phone_index", flat=True)) == [
        crypto.blind_index(PHONE)
    ]
    assert list(PhoneCode.objects.values_list("phone_index", flat=True).distinct()) == [
        crypto.blind_index(PHONE)
    ]


def test_first_sign_in_with_full_width_digits_stores_the_ascii_number() -> None:
    user = _sign_in(full_width(PHONE), at=timezone.now())

    assert user.phone == PHONE
    assert user.phone_index == crypto.blind_index(PHONE)
    assert Delivery.objects.get(notification__kind="login_code").phone == PHONE


def test_full_width_number_counts_against_the_same_resend_wait() -> None:
    services.phone_code_send(phone=PHONE, ip=None)

    with pytest.raises(RateLimited) as err:
        services.phone_code_send(phone=full_width(PHONE), ip=None)

    assert (err.value.code, err.value.field) == ("code_too_soon", "phone")
    assert PhoneCode.objects.count() == 1


def test_full_width_number_counts_against_the_same_hourly_limit(settings: Any) -> None:
    limit = settings.ANYUN_OTP_MAX_PER_PHONE_HOUR
    spellings = [PHONE, full_width(PHONE), "13８０００００００１"]
    start = timezone.now()
    for i in range(limit):
        with time_machine.travel(start + timedelta(minutes=2 * i)):
            services.phone_code_send(phone=spellings[i % len(spellings)], ip=None)

    with (
        time_machine.travel(start + timedelta(minutes=2 * limit)),
        pytest.raises(RateLimited) as err,
    ):
        services.phone_code_send(phone=full_width(PHONE), ip=None)

    assert (err.value.code, err.value.field) == ("code_phone_limit", "phone")
    assert PhoneCode.objects.count() == limit


@pytest.mark.parametrize("typed", LOOKALIKE_PHONES.values(), ids=LOOKALIKE_PHONES.keys())
def test_other_digits_are_refused_and_nothing_is_sent(typed: str) -> None:
    with pytest.raises(DomainError) as err:
        services.phone_code_send(phone=typed, ip="10.0.0.1")

    assert (err.value.code, err.value.field) == ("phone_invalid", "phone")
    with translation.override("en"):
        assert str(err.value.message) == PHONE_MESSAGE_EN
    _nothing_sent()


@pytest.mark.parametrize("typed", LOOKALIKE_PHONES.values(), ids=LOOKALIKE_PHONES.keys())
def test_other_digits_cannot_sign_in_or_create_an_account(typed: str) -> None:
    services.phone_code_send(phone=PHONE, ip=None)

    with pytest.raises(DomainError) as err:
        services.phone_sign_in(phone=typed, code=_sent_code())

    assert (err.value.code, err.value.field) == ("phone_invalid", "phone")
    assert not User.objects.exists()
    assert PhoneCode.objects.get().used_at is None


def test_code_typed_in_full_width_digits_signs_in() -> None:
    services.phone_code_send(phone=PHONE, ip=None)

    user = services.phone_sign_in(phone=PHONE, code=full_width(_sent_code()))

    assert user.phone == PHONE


@pytest.mark.parametrize("zero", ["\u0660", "\u0966"])
def test_code_in_other_digits_is_a_wrong_try(zero: str) -> None:
    services.phone_code_send(phone=PHONE, ip=None)
    code = _sent_code()

    with pytest.raises(DomainError) as err:
        services.phone_sign_in(phone=PHONE, code=in_digits(code, zero))

    assert err.value.code == "code_invalid"
    assert not User.objects.exists()
    assert PhoneCode.objects.get().attempts == 1


def test_superscript_code_is_a_wrong_try() -> None:
    services.phone_code_send(phone=PHONE, ip=None)

    with pytest.raises(DomainError) as err:
        services.phone_sign_in(phone=PHONE, code=superscript(_sent_code()))

    assert err.value.code == "code_invalid"
    assert not User.objects.exists()
    assert PhoneCode.objects.get().attempts == 1


# --- service: the national ID number and the guardian's phone ----------------------------


def _nid() -> str:
    """An 18-character number whose check character is X (the case that needs folding)."""
    for sequence in range(2, 1000, 2):
        nid = valid_national_id(years_ago(29, days=50), sequence=sequence)
        if nid.endswith("X"):
            return nid
    raise AssertionError("no number with check character X")


def _verify(user: User, nid: str, **extra: str) -> WomanProfile:
    return services.woman_identity_verify(
        user=user, data=services.IdentityInput(real_name="王小红", national_id=nid, **extra)
    )


@pytest.mark.parametrize("case", [str.upper, str.lower], ids=["Ｘ", "ｘ"])
def test_full_width_national_id_verifies_as_the_ascii_number(case: Any, make_woman: Any) -> None:
    woman = make_woman(verified=False, consented=False)
    nid = _nid()

    profile = _verify(woman, case(full_width(nid)))

    assert profile.is_verified
    assert profile.national_id == nid
    assert profile.national_id_index == crypto.blind_index(nid)
    assert IdentityCheck.objects.get(user=woman).request_summary["national_id"] == (
        crypto.mask_national_id(nid)
    )


@pytest.mark.parametrize("spelling", ["ascii first", "full-width first"])
def test_duplicate_check_sees_full_width_and_ascii_as_one_number(
    spelling: str, make_woman: Any
) -> None:
    first, second = (make_woman(verified=False, consented=False) for _ in range(2))
    nid = _nid()
    typed = [nid, full_width(nid).lower()]
    if spelling == "full-width first":
        typed.reverse()
    _verify(first, typed[0])

    with pytest.raises(DomainError) as err:
        _verify(second, typed[1])

    assert (err.value.code, err.value.field) == ("national_id_taken", "national_id")
    assert not WomanProfile.objects.get(user=second).is_verified
    assert WomanProfile.objects.filter(national_id_index=crypto.blind_index(nid)).count() == 1


LOOKALIKE_NIDS = {
    "arabic-indic": lambda nid: in_digits(nid, "\u0660"),
    "devanagari": lambda nid: in_digits(nid, "\u0966"),
    "superscript": superscript,
    "superscript, one digit": lambda nid: nid[:5] + SUPERSCRIPTS[int(nid[5])] + nid[6:],
    "mathematical bold": lambda nid: in_digits(nid, "\U0001d7ce"),
    "roman numeral ten as X": lambda nid: nid[:-1] + "Ⅹ",
    "small roman numeral ten as x": lambda nid: nid[:-1] + "ⅹ",
}


@pytest.mark.parametrize("spell", LOOKALIKE_NIDS.values(), ids=LOOKALIKE_NIDS.keys())
def test_national_id_in_other_digits_is_refused_before_the_provider(
    spell: Any, make_woman: Any
) -> None:
    woman = make_woman(verified=False, consented=False)

    with translation.override("en"), pytest.raises(DomainError) as err:
        _verify(woman, spell(_nid()))

    assert (err.value.code, err.value.field) == ("national_id_characters", "national_id")
    assert str(err.value.message) == NID_MESSAGE_EN
    assert not WomanProfile.objects.get(user=woman).is_verified
    assert not IdentityCheck.objects.exists()


def test_full_width_guardian_phone_is_stored_as_ascii(make_woman: Any) -> None:
    minor = make_woman(verified=False, consented=False)
    nid = valid_national_id(years_ago(16, days=30))

    profile = _verify(minor, nid, guardian_name="王大明", guardian_phone=full_width("13700000000"))

    assert profile.guardian_phone == "13700000000"


@pytest.mark.parametrize("zero", ["\u0660", "\u0966"])
def test_guardian_phone_in_other_digits_is_refused_on_its_field(zero: str, make_woman: Any) -> None:
    minor = make_woman(verified=False, consented=False)
    nid = valid_national_id(years_ago(16, days=30))

    with pytest.raises(DomainError) as err:
        _verify(minor, nid, guardian_name="王大明", guardian_phone=in_digits("13700000000", zero))

    assert (err.value.code, err.value.field) == ("phone_invalid", "guardian_phone")
    assert not WomanProfile.objects.get(user=minor).is_verified


# --- JSON API ----------------------------------------------------------------------------


def _post(client: Client, path: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(f"/api/v1/auth{path}", body, content_type="application/json", **headers)


def test_api_full_width_number_gets_the_same_account_and_the_same_limit() -> None:
    client = Client()
    start = timezone.now()
    with time_machine.travel(start):
        assert _post(client, "/code", {"phone": PHONE, "accept_terms": True}).status_code == 200
        ascii_user = _post(client, "/token", {"phone": PHONE, "code": _sent_code()}).json()
        too_soon = _post(client, "/code", {"phone": "13８０００００００１", "accept_terms": True})
    with time_machine.travel(start + timedelta(minutes=2)):
        assert (
            _post(client, "/code", {"phone": full_width(PHONE), "accept_terms": True}).status_code
            == 200
        )
        full_width_user = _post(
            client, "/token", {"phone": full_width(PHONE), "code": full_width(_sent_code())}
        ).json()

    assert too_soon.status_code == 429
    assert too_soon.json()["code"] == "code_too_soon"
    assert full_width_user["user_id"] == ascii_user["user_id"]
    assert User.objects.filter(role=Role.WOMAN).count() == 1
    assert PhoneCode.objects.count() == 2


@pytest.mark.parametrize("typed", LOOKALIKE_PHONES.values(), ids=LOOKALIKE_PHONES.keys())
def test_api_refuses_other_digits_with_the_localised_phone_error(typed: str) -> None:
    zh = _post(Client(), "/code", {"phone": typed})
    en = _post(Client(), "/code", {"phone": typed}, HTTP_ACCEPT_LANGUAGE="en")
    token = _post(Client(), "/token", {"phone": typed, "code": "123456"})

    assert zh.status_code == 400
    assert zh.json() == {"code": "phone_invalid", "message": PHONE_MESSAGE_ZH, "field": "phone"}
    assert en.json() == {"code": "phone_invalid", "message": PHONE_MESSAGE_EN, "field": "phone"}
    assert token.status_code == 400
    assert token.json()["code"] == "phone_invalid"
    _nothing_sent()
    assert not User.objects.exists()


def test_api_identity_takes_full_width_and_refuses_other_digits(make_woman: Any) -> None:
    woman = make_woman(verified=False, consented=False)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {services.api_token_issue(user=woman)}")
    nid = _nid()

    refused = _post(api, "/identity", {"real_name": "李梅", "national_id": superscript(nid)})
    arabic = _post(
        api,
        "/identity",
        {"real_name": "李梅", "national_id": in_digits(nid, "\u0660")},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 400
    assert refused.json() == {
        "code": "national_id_characters",
        "message": NID_MESSAGE_ZH,
        "field": "national_id",
    }
    assert arabic.json() == {
        "code": "national_id_characters",
        "message": NID_MESSAGE_EN,
        "field": "national_id",
    }
    assert not IdentityCheck.objects.exists()

    verified = _post(api, "/identity", {"real_name": "李梅", "national_id": full_width(nid)})

    assert verified.status_code == 200
    assert verified.json()["verified"] is True
    assert WomanProfile.objects.get(user=woman).national_id == nid


# --- web pages ---------------------------------------------------------------------------


def _web_send(client: Client, phone: str) -> Any:
    return client.post("/accounts/login/", {"step": "send", "phone": phone, "accept_terms": "on"})


def _web_verify(client: Client, phone: str, code: str) -> Any:
    return client.post("/accounts/login/", {"step": "verify", "phone": phone, "code": code})


def test_web_full_width_number_signs_in_to_the_same_account() -> None:
    start = timezone.now()
    first = _sign_in(PHONE, at=start)
    client = Client()

    with time_machine.travel(start + timedelta(minutes=2)):
        sent = _web_send(client, "13８０００００００１")
        signed_in = _web_verify(client, "13８０００００００１", full_width(_sent_code()))

    assert sent.status_code == 200
    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"] == str(first.pk)
    assert User.objects.filter(role=Role.WOMAN).count() == 1


def test_web_full_width_number_counts_against_the_same_resend_wait() -> None:
    services.phone_code_send(phone=PHONE, ip=None)

    response = _web_send(Client(HTTP_ACCEPT_LANGUAGE="en"), full_width(PHONE))

    assert response.status_code == 200
    assert response.context["phone_form"].errors == {
        "phone": ["A code was just sent. Wait a minute before asking for another."]
    }
    assert PhoneCode.objects.count() == 1


@pytest.mark.parametrize("typed", LOOKALIKE_PHONES.values(), ids=LOOKALIKE_PHONES.keys())
def test_web_refuses_other_digits_beside_the_phone_field(typed: str) -> None:
    zh = _web_send(Client(), typed)
    en = _web_send(Client(HTTP_ACCEPT_LANGUAGE="en"), typed)

    assert zh.context["phone_form"].errors == {"phone": [PHONE_MESSAGE_ZH]}
    assert en.context["phone_form"].errors == {"phone": [PHONE_MESSAGE_EN]}
    assert PHONE_MESSAGE_EN in en.content.decode()
    _nothing_sent()


@pytest.mark.parametrize("typed", LOOKALIKE_PHONES.values(), ids=LOOKALIKE_PHONES.keys())
def test_web_sign_in_with_other_digits_creates_no_account(typed: str) -> None:
    services.phone_code_send(phone=PHONE, ip=None)

    response = _web_verify(Client(HTTP_ACCEPT_LANGUAGE="en"), typed, _sent_code())

    assert response.status_code == 200
    assert response.context["code_form"].errors == {"phone": [PHONE_MESSAGE_EN]}
    assert not User.objects.exists()
    assert PhoneCode.objects.get().used_at is None


def test_web_identity_takes_full_width_and_refuses_other_digits(make_woman: Any) -> None:
    woman = make_woman(verified=False, consented=False)
    client = woman_client(woman)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    nid = _nid()

    refused = client.post(
        "/accounts/identity/", {"real_name": "李梅", "national_id": in_digits(nid, "\u0966")}
    )
    superscripts = client.post(
        "/accounts/identity/", {"real_name": "李梅", "national_id": superscript(nid)}
    )

    assert refused.status_code == 200
    assert refused.context["form"].errors == {"national_id": [NID_MESSAGE_EN]}
    assert superscripts.context["form"].errors == {"national_id": [NID_MESSAGE_EN]}
    assert not IdentityCheck.objects.exists()

    verified = client.post(
        "/accounts/identity/", {"real_name": "李梅", "national_id": full_width(nid).lower()}
    )

    assert verified.status_code == 302
    assert WomanProfile.objects.get(user=woman).national_id == nid


def test_web_identity_names_the_guardian_phone_field(make_woman: Any) -> None:
    minor = make_woman(verified=False, consented=False)
    client = woman_client(minor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    response = client.post(
        "/accounts/identity/",
        {
            "real_name": "李梅",
            "national_id": valid_national_id(years_ago(16, days=30)),
            "guardian_name": "王大明",
            "guardian_phone": in_digits("13700000000", "\u0660"),
        },
    )

    assert response.context["form"].errors == {"guardian_phone": [PHONE_MESSAGE_EN]}
    assert not WomanProfile.objects.get(user=minor).is_verified
