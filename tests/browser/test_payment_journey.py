"""Paying in the sandbox on a 375 px phone, in zh-Hans: her approved prescription is ready to
pay; she chooses delivery, sees the bill with the delivery fee, pays on the sandbox's page; the
signed notification comes from the queue (the server's embedded worker) and the result page
says she paid; her prescription is marked paid. No page is wider than the phone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from anyun.accounts.models import Role, User
from anyun.billing.models import OrderStatus, PaymentOrder
from anyun.prescribing import services as prescribing
from anyun.prescribing.tests.conftest import consultation_for, seen_in_person, totp_now
from anyun.scheduling import services as scheduling
from tests.browser.conftest import AsgiServer
from tests.browser.support import PHONE_VIEWPORT, run_queued_jobs_until, wait_for_sms_code

pytestmark = pytest.mark.browser

OpenPage = Callable[..., Page]


def fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]


def test_she_pays_for_her_prescription_in_the_sandbox(
    asgi_server: AsgiServer,
    open_page: OpenPage,
    memory_sms: list[tuple[str, str]],
    make_woman: Callable[..., User],
    make_clinician: Callable[..., User],
    tomorrow: Any,
    settings: Any,
) -> None:
    settings.ANYUN_DELIVERY_FEE_FEN = 1000
    base = asgi_server.url
    head = make_clinician(head=True)
    clinician = make_clinician()
    pharmacist = make_clinician(Role.PHARMACIST)
    woman = make_woman(pregnant_weeks=24)
    seen_in_person(woman, head=head, visit=make_clinician())
    profile = clinician.clinician_profile
    for weekday in range(7):
        scheduling.schedule_rule_add(
            actor=clinician,
            department=profile.department,
            clinician=profile,
            weekday=weekday,
            start=time(9),
            end=time(11),
            slot_minutes=30,
            capacity=1,
        )
    consultation = consultation_for(
        head, clinician, woman, timezone.localtime(tomorrow).replace(hour=9)
    )
    draft = prescribing.prescription_create(
        actor=clinician,
        consultation_id=consultation.public_id,
        data=prescribing.PrescriptionInput(
            diagnosis="妊娠期补充叶酸",
            lines=[
                prescribing.LineInput(
                    drug="folic_acid_0_4", dose="1片", frequency="qd", days=7, quantity=7
                )
            ],
        ),
    )
    prescribing.prescription_sign(
        actor=clinician, prescription_id=draft.public_id, otp_token=totp_now(clinician)
    )
    prescribing.review_decide(
        actor=pharmacist, prescription_id=draft.public_id, decision="approved"
    )
    with translation.override("zh-hans"):
        fee = gettext("Delivery fee")
        paid = gettext("Paid")
        waiting = gettext("Waiting for payment")

    phone = open_page(viewport=PHONE_VIEWPORT)
    phone.goto(f"{base}/accounts/login/")
    phone.fill("#id_phone", woman.phone)
    phone.check("#id_accept_terms")
    phone.click("#phone-form button[type=submit]")
    expect(phone.locator("#code-form")).to_be_visible()
    phone.fill("#id_code", wait_for_sms_code(memory_sms, woman.phone))
    phone.click("#code-form button[type=submit]")
    phone.wait_for_url(f"{base}/")

    phone.goto(f"{base}/billing/")
    expect(phone.locator("[data-testid=ready-to-pay]")).to_contain_text("妊娠期补充叶酸")
    fits(phone)
    phone.check("input[name=delivery][value='1']")
    phone.click("[data-testid=order-new]")
    order = PaymentOrder.objects.get()
    phone.wait_for_url(f"{base}/billing/orders/{order.public_id}/")
    expect(phone.locator("[data-testid=bill-lines]")).to_contain_text(fee)
    expect(phone.locator("[data-testid=order-status]")).to_have_text(waiting)
    fits(phone)
    phone.click("[data-testid=pay]")
    phone.wait_for_url(f"{base}/billing/orders/{order.public_id}/sandbox/")
    fits(phone)
    phone.click("[data-testid=sandbox-confirm]")
    phone.wait_for_url(f"{base}/billing/orders/{order.public_id}/result/")
    # The notification is a queued job; the server's embedded worker may be running it.
    run_queued_jobs_until(lambda: PaymentOrder.objects.get(pk=order.pk).status == OrderStatus.PAID)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    phone.reload()
    expect(phone.locator("[data-testid=order-status]")).to_have_text(paid)
    fits(phone)
    draft.refresh_from_db()
    assert draft.paid_at == order.paid_at
