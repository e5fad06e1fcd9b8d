"""From prescription to her door, in zh-Hans: the clinician prescribes at the workstation
(1280 px) and signs, the pharmacist approves; on a 375 px phone she pays in the sandbox
choosing delivery, saves her address and chooses it; the pharmacist dispenses it and hands it
to the demo courier (the stock comes off the formulary once); the courier's queued job
delivers it and her timeline shows dispensed, handed to the courier, delivered. No page of
hers is wider than the phone.

The sign-in and payment steps are those of the prescribing and payment journeys.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from anyun.accounts.models import Role, User
from anyun.billing.models import OrderStatus, PaymentOrder
from anyun.delivery.models import Fulfilment, FulfilmentStatus
from anyun.prescribing.models import Drug, Prescription, PrescriptionStatus
from anyun.prescribing.tests.conftest import consultation_for, seen_in_person, totp_now
from anyun.scheduling import services as scheduling
from tests.browser.conftest import AsgiServer
from tests.browser.support import (
    DESKTOP_VIEWPORT,
    PHONE_VIEWPORT,
    run_queued_jobs_until,
    staff_sign_in,
    wait_for_sms_code,
)
from tests.browser.test_payment_journey import fits

pytestmark = pytest.mark.browser

OpenPage = Callable[..., Page]


def woman_sign_in(page: Page, base: str, woman: User, memory_sms: list[tuple[str, str]]) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_phone", woman.phone)
    page.check("#id_accept_terms")
    page.click("#phone-form button[type=submit]")
    expect(page.locator("#code-form")).to_be_visible()
    page.fill("#id_code", wait_for_sms_code(memory_sms, woman.phone))
    page.click("#code-form button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_prescribed_approved_paid_delivered(
    asgi_server: AsgiServer,
    open_page: OpenPage,
    memory_sms: list[tuple[str, str]],
    make_woman: Callable[..., User],
    make_clinician: Callable[..., User],
    time_machine: Any,
    tomorrow: Any,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.ANYUN_DELIVERY_FEE_FEN = 1000
    settings.ANYUN_DELIVERY_DEMO_MINUTES = 0  # the demo courier delivers at once
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
    folic_stock = Drug.objects.get(code="folic_acid_0_4").stock
    with translation.override("zh-hans"):
        pending = gettext("Waiting for the pharmacist")
        delivered = gettext("Delivered")
        labels = [gettext(w) for w in ("Dispensed", "Handed to the courier", "Delivered")]

    # The clinician prescribes and signs at the workstation.
    desk = open_page(viewport=DESKTOP_VIEWPORT)
    staff_sign_in(desk, base, clinician)
    desk.goto(f"{base}/prescribing/consultation/{consultation.public_id}/new/")
    desk.fill("#id_diagnosis", "妊娠期补充叶酸")
    desk.select_option("#id_line-0-drug", "folic_acid_0_4")
    desk.fill("#id_line-0-dose", "1片")
    desk.select_option("#id_line-0-frequency", "qd")
    desk.fill("#id_line-0-days", "7")
    desk.fill("#id_line-0-quantity", "7")
    desk.click("[data-testid=rx-save]")
    prescription = Prescription.objects.get()
    desk.wait_for_url(f"{base}/prescribing/{prescription.public_id}/")
    time_machine.move_to(timezone.now() + timedelta(seconds=31), tick=True)
    desk.fill("#id_otp_token", totp_now(clinician))
    desk.click("[data-testid=sign]")
    expect(desk.locator("[data-testid=rx-status]")).to_have_text(pending)

    # The pharmacist approves it.
    pharmacy = open_page(viewport=DESKTOP_VIEWPORT)
    staff_sign_in(pharmacy, base, pharmacist)
    pharmacy.goto(f"{base}/prescribing/review/{prescription.public_id}/")
    pharmacy.check("input[name=decision][value=approved]")
    pharmacy.click("[data-testid=decide]")
    pharmacy.wait_for_url(f"{base}/prescribing/review/")
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.APPROVED

    # She pays in the sandbox, asking for delivery.
    phone = open_page(viewport=PHONE_VIEWPORT)
    woman_sign_in(phone, base, woman, memory_sms)
    phone.goto(f"{base}/billing/")
    phone.check("input[name=delivery][value='1']")
    phone.click("[data-testid=order-new]")
    order = PaymentOrder.objects.get()
    phone.wait_for_url(f"{base}/billing/orders/{order.public_id}/")
    phone.click("[data-testid=pay]")
    phone.wait_for_url(f"{base}/billing/orders/{order.public_id}/sandbox/")
    phone.click("[data-testid=sandbox-confirm]")
    phone.wait_for_url(f"{base}/billing/orders/{order.public_id}/result/")
    # The payment's notification is a queued job; the server's embedded worker may be running it.
    run_queued_jobs_until(lambda: PaymentOrder.objects.get(pk=order.pk).status == OrderStatus.PAID)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    fulfilment = Fulfilment.objects.get()
    assert fulfilment.address is None

    # She finds her delivery from home, saves her address and chooses it.
    phone.goto(f"{base}/")
    phone.click("[data-testid=delivery-home-link]")
    phone.wait_for_url(f"{base}/delivery/")
    phone.click("[data-testid=my-delivery]")
    phone.wait_for_url(f"{base}/delivery/{fulfilment.public_id}/")
    phone.click("[data-testid=add-address-link]")
    phone.fill("#id_label", "家")
    phone.fill("#id_recipient", "陈思")
    phone.fill("#id_phone", "13800138000")
    phone.fill("#id_address", "北京市朝阳区幸福路1号院2号楼301")
    fits(phone)
    phone.screenshot(path=str(tmp_path / "delivery-woman-address.png"), full_page=True)
    phone.click("[data-testid=address-save]")
    phone.wait_for_url(f"{base}/delivery/{fulfilment.public_id}/")
    phone.click("[data-testid=choose-address]")
    expect(phone.locator("[data-testid=chosen-address]")).to_contain_text("幸福路1号")
    fits(phone)
    phone.screenshot(path=str(tmp_path / "delivery-woman-chosen.png"), full_page=True)

    # The pharmacist dispenses it and hands it to the courier.
    pharmacy.click("[data-testid=dispensing-link]")
    pharmacy.wait_for_url(f"{base}/delivery/pharmacy/")
    expect(pharmacy.locator("[data-testid=dispense-row]")).to_have_count(1)
    pharmacy.screenshot(path=str(tmp_path / "delivery-pharmacy-queue.png"), full_page=True)
    pharmacy.click("[data-testid=dispense-row] a")
    pharmacy.wait_for_url(f"{base}/delivery/pharmacy/{fulfilment.public_id}/")
    pharmacy.click("[data-testid=dispense]")
    pharmacy.wait_for_url(f"{base}/delivery/pharmacy/{fulfilment.public_id}/")
    assert Drug.objects.get(code="folic_acid_0_4").stock == folic_stock - 7

    # The hand-over and the demo courier are queued jobs (the server's worker may be first).
    run_queued_jobs_until(
        lambda: Fulfilment.objects.get(pk=fulfilment.pk).status == FulfilmentStatus.DELIVERED
    )
    fulfilment.refresh_from_db()
    assert fulfilment.status == FulfilmentStatus.DELIVERED
    pharmacy.reload()
    expect(pharmacy.locator("[data-testid=delivery-status]")).to_have_text(delivered)
    pharmacy.screenshot(path=str(tmp_path / "delivery-pharmacy-detail.png"), full_page=True)

    phone.reload()
    expect(phone.locator("[data-testid=delivery-status]")).to_have_text(delivered)
    timeline = phone.locator("[data-testid=timeline] li strong")
    for label in labels:
        expect(timeline.filter(has_text=label)).to_have_count(1)
    fits(phone)
    phone.screenshot(path=str(tmp_path / "delivery-woman-delivered.png"), full_page=True)
    assert Drug.objects.get(code="folic_acid_0_4").stock == folic_stock - 7
