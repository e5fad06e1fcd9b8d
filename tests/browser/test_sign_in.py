"""The woman's sign-in on a 375 px phone in zh-Hans: accept the agreement and the privacy
notice, get a code, see where it went, and a resend that waits for the server's interval."""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest
from django.apps import apps as django_apps
from playwright.sync_api import expect

from anyun.accounts.models import PhoneCode
from anyun.core import crypto
from tests.browser.support import PHONE_VIEWPORT, axe_check, run_queued_jobs, sms_code_for

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "13812345678"
RESEND_SECONDS = 3


@pytest.fixture(autouse=True)
def sign_in_documents(consent_documents: None) -> None:
    """The user agreement and privacy notice, as their data migration publishes them."""
    importlib.import_module("anyun.consent.migrations.0003_sign_in_documents").publish(
        django_apps, None
    )


def test_she_accepts_the_terms_sees_the_masked_number_and_resends_after_the_countdown(
    live_server: Any, open_page: Any, settings: Any, memory_sms: list[tuple[str, str]]
) -> None:
    settings.ANYUN_OTP_RESEND_SECONDS = RESEND_SECONDS
    page = open_page(viewport=PHONE_VIEWPORT)
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    # Without the tick nothing is sent and the field says why.
    page.fill("#id_phone", PHONE)
    page.click("#phone-form button[type=submit]")
    expect(page.locator("[data-testid=terms] .error")).to_have_text(
        "请阅读并同意用户协议和隐私政策。"
    )
    assert PhoneCode.objects.count() == 0
    axe_check(page)

    # Both documents open from the links.
    terms = page.locator("[data-testid=terms]")
    expect(terms.get_by_role("link", name="《用户协议》")).to_have_attribute(
        "href", "/consent/documents/user_agreement/"
    )
    expect(terms.get_by_role("link", name="《隐私政策》")).to_have_attribute(
        "href", "/consent/documents/privacy_notice/"
    )
    page.check("#id_accept_terms")
    box = page.locator("#id_accept_terms").bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE_VIEWPORT["width"]
    page.click("#phone-form button[type=submit]")

    expect(page.locator("[data-testid=sent-to]")).to_have_text("验证码已发送至 138****5678。")
    axe_check(page)
    resend = page.locator("#resend-form button[data-resend]")
    expect(resend).to_be_disabled()
    expect(page.locator("[data-resend-countdown]")).to_have_text(
        re.compile(r"^[1-3] 秒后可重新获取验证码。$")
    )
    # The countdown ends and the button is usable again; a new code is sent.
    expect(resend).to_be_enabled(timeout=(RESEND_SECONDS + 3) * 1000)
    expect(page.locator("[data-resend-countdown]")).to_have_text("")
    resend.click()
    expect(page.locator("[data-testid=sent-to]")).to_have_text("验证码已发送至 138****5678。")
    expect(page.locator("#resend-form button[data-resend]")).to_be_disabled()
    index = crypto.blind_index(PHONE)
    assert PhoneCode.objects.filter(phone_index=index).count() == 2

    # The newest code signs her in.
    run_queued_jobs()
    codes = [text for number, text in memory_sms if number == PHONE]
    assert len(codes) == 2
    newest = re.search(r"(?<!\d)(\d{6})(?!\d)", codes[-1])
    assert newest is not None
    memory_sms[:] = [(PHONE, codes[-1])]
    page.fill("#id_code", sms_code_for(memory_sms, PHONE))
    page.click("#code-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
