"""The woman's sign-in: the user agreement and privacy notice accepted before the first code
(PIPL), the number the code went to, and a resend the server allows only after its interval."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from anyun.accounts.models import PhoneCode, User
from anyun.audit.models import AuditEvent
from anyun.consent.models import SIGN_IN_KINDS, ConsentDocument
from anyun.consent.services import consent_missing_for, documents_current, sign_in_documents
from anyun.core import crypto
from anyun.notify.models import Delivery

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


def _send(client: Client, *, tick: bool = True, resend: bool = False, **extra: Any) -> Any:
    data = {"step": "send", "phone": PHONE}
    if tick:
        data["accept_terms"] = "on"
    if resend:
        data["resend"] = "1"
    return client.post("/accounts/login/", data, REMOTE_ADDR="192.0.2.44", **extra)


def _codes() -> int:
    return PhoneCode.objects.filter(phone_index=crypto.blind_index(PHONE)).count()


def _sms() -> int:
    return Delivery.objects.filter(notification__kind="login_code").count()


def _last_code() -> str:
    text = Delivery.objects.filter(notification__kind="login_code").latest("created_at").text
    match = re.search(r"(?<!\d)(\d{6})(?!\d)", text)
    assert match
    return match.group(1)


def test_the_page_asks_for_acceptance_with_links_to_both_documents() -> None:
    page = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert 'name="accept_terms"' in page
    assert 'href="/consent/documents/user_agreement/"' in page
    assert 'href="/consent/documents/privacy_notice/"' in page
    assert "用户协议" in page
    assert "隐私政策" in page


@pytest.mark.parametrize("kind", SIGN_IN_KINDS)
def test_each_document_is_readable_by_anyone_in_its_version_in_force(kind: str) -> None:
    doc = ConsentDocument.objects.filter(kind=kind).latest("version")

    zh = Client().get(f"/consent/documents/{kind}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    en = Client().get(f"/consent/documents/{kind}/", HTTP_ACCEPT_LANGUAGE="en")

    assert zh.status_code == en.status_code == 200
    assert doc.title_zh in zh.content.decode()
    assert doc.title_en in en.content.decode()
    assert "个人信息保护法" in doc.body_zh or kind == "user_agreement"


def test_an_unknown_document_is_404() -> None:
    assert Client().get("/consent/documents/nothing/").status_code == 404


def test_without_the_tick_no_code_is_sent_and_the_field_says_why() -> None:
    response = _send(Client(), tick=False, HTTP_ACCEPT_LANGUAGE="zh-hans")

    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(
        r'data-testid="terms">.*?<p class="error" id="id_accept_terms_error">请阅读并同意用户协议和隐私政策。</p>',
        page,
        re.S,
    )
    assert 'id="phone-form"' in page
    assert (_codes(), _sms()) == (0, 0)
    assert not AuditEvent.objects.filter(action="consent_sign").exists()


def test_with_the_tick_the_code_goes_and_the_page_shows_where_to() -> None:
    response = _send(Client(), HTTP_ACCEPT_LANGUAGE="zh-hans")

    page = response.content.decode()
    assert re.search(r'data-testid="sent-to"[^>]*>[^<]*<strong>138\*\*\*\*5678</strong>', page)
    assert PHONE not in page.replace(f'name="phone" value="{PHONE}"', "")
    assert 'id="code-form"' in page
    assert re.search(r'<button[^>]*data-resend[^>]*data-wait="60"', page)
    assert "sign_in.js" in page
    assert (_codes(), _sms()) == (1, 1)


def test_the_acceptance_is_kept_with_the_document_versions_and_audited() -> None:
    _send(Client())

    expected = [
        {"kind": d.kind, "version": d.version, "document": str(d.public_id)}
        for d in sign_in_documents()
    ]
    assert [t["kind"] for t in expected] == ["user_agreement", "privacy_notice"]
    assert PhoneCode.objects.get().terms == expected
    events = AuditEvent.objects.filter(action="consent_sign").order_by("id")
    assert [(e.object_id, e.detail["kind"], e.detail["version"]) for e in events] == [
        (t["document"], t["kind"], t["version"]) for t in expected
    ]
    assert {e.ip_address for e in events} == {"192.0.2.44"}
    assert {e.detail["phone"] for e in events} == {"138****5678"}


def test_signing_in_records_the_acceptance_under_her_account() -> None:
    client = Client()
    _send(client)
    client.post("/accounts/login/", {"step": "verify", "phone": PHONE, "code": _last_code()})

    woman = User.objects.get(phone_index=crypto.blind_index(PHONE))
    mine = AuditEvent.objects.filter(action="consent_sign", subject=woman, actor=woman)
    assert sorted(e.detail["kind"] for e in mine) == ["privacy_notice", "user_agreement"]
    # The sign-in documents are not the consents she signs before care.
    assert [d.kind for d in consent_missing_for(woman)] == [d.kind for d in documents_current()]
    assert "user_agreement" not in [d.kind for d in documents_current()]


def test_a_resend_before_the_interval_is_refused_on_the_code_page() -> None:
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _send(client)
    with time_machine.travel(start + timedelta(seconds=20), tick=False):
        response = _send(client, resend=True, HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert 'id="code-form"' in page
    assert 'data-testid="resend-error">A code was just sent.' in page
    assert re.search(r'<button[^>]*data-resend[^>]*data-wait="40"', page)
    assert _codes() == 1


def test_a_resend_after_the_interval_sends_a_new_code(settings: Any) -> None:
    settings.ANYUN_OTP_RESEND_SECONDS = 5
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _send(client)
    with time_machine.travel(start + timedelta(seconds=6), tick=False):
        response = _send(client, resend=True)

    assert 'data-testid="resend-error"' not in response.content.decode()
    assert re.search(r'<button[^>]*data-resend[^>]*data-wait="5"', response.content.decode())
    assert (_codes(), _sms()) == (2, 2)


def test_a_wrong_code_keeps_the_number_and_the_resend_on_the_page() -> None:
    client = Client()
    _send(client)
    response = client.post("/accounts/login/", {"step": "verify", "phone": PHONE, "code": "000000"})

    page = response.content.decode()
    assert "138****5678" in page
    assert "data-resend" in page


# --- the API ------------------------------------------------------------------------------


def _api(data: dict[str, Any], **extra: Any) -> Any:
    return Client().post("/api/v1/auth/code", data, content_type="application/json", **extra)


def test_api_refuses_a_code_without_acceptance_in_the_error_shape() -> None:
    for body in ({"phone": PHONE}, {"phone": PHONE, "accept_terms": False}):
        zh = _api(body, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert zh.status_code == 400
        assert zh.json() == {
            "code": "terms_not_accepted",
            "message": "请阅读并同意用户协议和隐私政策。",
            "field": "accept_terms",
        }
    en = _api({"phone": PHONE}, HTTP_ACCEPT_LANGUAGE="en")
    assert (
        en.json()["message"] == "Please read and accept the user agreement and the privacy notice."
    )
    assert (_codes(), _sms()) == (0, 0)


def test_api_sends_with_acceptance_and_says_where_and_when_to_resend() -> None:
    response = _api({"phone": PHONE, "accept_terms": True})

    assert response.status_code == 200
    assert response.json() == {"ok": True, "sent_to": "138****5678", "resend_after_seconds": 60}
    assert [t["kind"] for t in PhoneCode.objects.get().terms] == [
        "user_agreement",
        "privacy_notice",
    ]
    again = _api({"phone": PHONE, "accept_terms": True})
    assert again.status_code == 429
    assert again.json()["code"] == "code_too_soon"


def test_api_schema_documents_the_acceptance_flag() -> None:
    schema = Client().get("/api/openapi.json").json()
    body = schema["paths"]["/api/v1/auth/code"]["post"]["requestBody"]["content"]
    ref = body["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    accept = schema["components"]["schemas"][ref]["properties"]["accept_terms"]
    assert accept["type"] == "boolean"
    assert "terms_not_accepted" in accept["description"]
    out = schema["paths"]["/api/v1/auth/code"]["post"]["responses"]["200"]["content"]
    out_ref = out["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][out_ref]["properties"]) == {
        "ok",
        "sent_to",
        "resend_after_seconds",
    }
