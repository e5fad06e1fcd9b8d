"""The account use cases over /api/v1: codes, tokens, identity; errors as localised JSON."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from conftest import PASSWORD, valid_national_id, years_ago
from django.test import Client
from django.utils import timezone

from anyun.accounts.models import WomanProfile
from anyun.accounts.tests.test_staff_sign_in import totp_now
from anyun.notify.models import Delivery

pytestmark = pytest.mark.django_db


def _code() -> str:
    text = Delivery.objects.filter(notification__kind="login_code").latest("created_at").text
    match = re.search(r"(?<!\d)(\d{6})(?!\d)", text)
    assert match
    return match.group(1)


def test_woman_signs_in_verifies_and_reads_her_state() -> None:
    client = Client()
    assert client.post(
        "/api/v1/auth/code",
        {"phone": "13911112222", "accept_terms": True},
        content_type="application/json",
    ).json() == {"ok": True, "sent_to": "139****2222", "resend_after_seconds": 60}
    token = client.post(
        "/api/v1/auth/token",
        {"phone": "13911112222", "code": _code()},
        content_type="application/json",
    ).json()["token"]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    birth = years_ago(33, days=90)
    me = api.get("/api/v1/auth/me").json()
    assert me["role"] == "woman"
    assert me["verified"] is False
    response = api.post(
        "/api/v1/auth/identity",
        {"real_name": "李梅", "national_id": valid_national_id(birth)},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["verified"] is True
    assert response.json()["birth_date"] == date.fromisoformat(birth).isoformat()
    assert response.json()["consent_required"] is True
    # The consent documents are signed over the API too.
    for doc in api.get("/api/v1/consent/required").json():
        assert api.post(f"/api/v1/consent/documents/{doc['id']}/sign").status_code == 200
    assert api.get("/api/v1/consent/required").json() == []
    assert api.get("/api/v1/auth/me").json()["consent_required"] is False


def test_errors_are_json_with_code_field_and_localised_message(make_woman: Any) -> None:
    woman = make_woman(verified=False, consented=False)
    from anyun.accounts.services import api_token_issue

    api = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=woman)}")
    nid = valid_national_id(years_ago(33, days=90))
    bad = nid[:-1] + ("1" if nid[-1] != "1" else "2")
    zh = api.post(
        "/api/v1/auth/identity",
        {"real_name": "李梅", "national_id": bad},
        content_type="application/json",
    )
    assert zh.status_code == 400
    body = zh.json()
    assert body["code"] == "national_id_check_digit"
    assert body["field"] == "national_id"
    assert nid[-1] in body["message"]
    en = api.post(
        "/api/v1/auth/identity",
        {"real_name": "李梅", "national_id": bad},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert en.json()["message"] == f"The check digit should be {nid[-1]}."
    assert zh.json()["message"] != en.json()["message"]
    assert not WomanProfile.objects.get(user=woman).is_verified


def test_malformed_body_is_a_422_with_the_field() -> None:
    response = Client().post("/api/v1/auth/code", {"mobile": "1"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert response.json()["field"] == "data.phone" or response.json()["field"].endswith("phone")


def test_unauthenticated_is_401_json() -> None:
    response = Client().get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_staff_token_needs_password_and_totp(make_staff: Any, time_machine: Any) -> None:
    user = make_staff("clinician")
    bad = Client().post(
        "/api/v1/auth/staff-token",
        {
            "username": user.username,
            "password": PASSWORD,
            "token": "000000" if totp_now(user) != "000000" else "111111",
        },
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "sign_in_failed"
    # django-otp throttles a device for a second after a failure.
    time_machine.move_to(timezone.now() + timedelta(seconds=2))
    good = Client().post(
        "/api/v1/auth/staff-token",
        {"username": user.username, "password": PASSWORD, "token": totp_now(user)},
        content_type="application/json",
    )
    assert good.status_code == 200
    api = Client(HTTP_AUTHORIZATION=f"Bearer {good.json()['token']}")
    assert api.get("/api/v1/auth/me").json()["role"] == "clinician"


def test_session_api_calls_need_csrf(make_woman: Any) -> None:
    woman = make_woman()
    client = Client(enforce_csrf_checks=True)
    client.force_login(woman)
    assert client.get("/api/v1/auth/me").status_code == 200
    assert client.post("/api/v1/auth/guide-seen").status_code == 403


def test_openapi_and_docs_are_served() -> None:
    schema = Client().get("/api/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/auth/code",
        "/api/v1/pregnancy/current",
        "/api/v1/clinic/patients",
        "/api/v1/consent/required",
    ):
        assert path in paths
    assert Client().get("/api/docs").status_code == 200
