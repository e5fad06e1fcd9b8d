"""Prescribing in zh-Hans: the clinician writes iron and calcium in her consultation at the
workstation (1280 px), sees the interaction as a warning with its source, signs with his
one-time code and a reason; the pharmacist finds it in the review queue and approves it; on a
375 px phone she reads the plan in plain words.

Pages are driven by ids, names, `data-testid` attributes and URLs; the texts compared are
translated here in the page's own language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from anyun.accounts.models import Role, User
from anyun.prescribing.models import Prescription, PrescriptionStatus
from anyun.prescribing.tests.conftest import consultation_for, seen_in_person, totp_now
from anyun.scheduling import services as scheduling
from tests.browser.conftest import AsgiServer
from tests.browser.support import (
    DESKTOP_VIEWPORT,
    PHONE_VIEWPORT,
    screenshot,
    staff_sign_in,
    wait_for_sms_code,
)

pytestmark = pytest.mark.browser

OpenPage = Callable[..., Page]


def test_prescribe_review_and_she_reads_the_plan(
    asgi_server: AsgiServer,
    open_page: OpenPage,
    memory_sms: list[tuple[str, str]],
    make_woman: Callable[..., User],
    make_clinician: Callable[..., User],
    time_machine: Any,
    tomorrow: Any,
) -> None:
    base = asgi_server.url
    head = make_clinician(head=True)
    clinician = make_clinician()
    pharmacist = make_clinician(Role.PHARMACIST)
    woman = make_woman(pregnant_weeks=22)
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
    with translation.override("zh-hans"):
        interaction = gettext(
            "%(first)s and %(second)s: calcium reduces the absorption of iron. "
            "Take them at least 2 hours apart."
        ) % {"first": "琥珀酸亚铁片 Ferrous succinate", "second": "碳酸钙片 Calcium carbonate"}
        pending = gettext("Waiting for the pharmacist")
        approved = gettext("Approved by the pharmacist")

    desk = open_page(viewport=DESKTOP_VIEWPORT)
    staff_sign_in(desk, base, clinician)
    desk.goto(f"{base}/prescribing/clinic/")
    desk.click("[data-testid=write-link]")
    desk.wait_for_url(f"{base}/prescribing/consultation/{consultation.public_id}/new/")
    desk.fill("#id_diagnosis", "妊娠合并缺铁性贫血")
    desk.select_option("#id_line-0-drug", "ferrous_succinate_0_1")
    desk.fill("#id_line-0-dose", "0.2 g")
    desk.select_option("#id_line-0-frequency", "bid")
    desk.fill("#id_line-0-days", "7")
    desk.fill("#id_line-0-quantity", "28")
    desk.fill("#id_line-0-instructions", "饭后服用")
    desk.select_option("#id_line-1-drug", "calcium_carbonate_0_6")
    desk.fill("#id_line-1-dose", "1片")
    desk.select_option("#id_line-1-frequency", "qd")
    desk.fill("#id_line-1-days", "7")
    desk.fill("#id_line-1-quantity", "7")
    desk.fill("#id_advice", "铁剂和钙片请间隔2小时以上服用。")
    screenshot(desk, "prescribing-write.png")
    desk.click("[data-testid=rx-save]")
    prescription = Prescription.objects.get()
    desk.wait_for_url(f"{base}/prescribing/{prescription.public_id}/")
    expect(desk.locator("[data-testid=finding-warn]")).to_contain_text(interaction)
    # The one-time code of the sign-in is spent: the re-check takes the next one.
    time_machine.move_to(timezone.now() + timedelta(seconds=31), tick=True)
    desk.fill("#id_otp_token", totp_now(clinician))
    desk.fill("#id_warning_reason", "已告知间隔服用")
    desk.click("[data-testid=sign]")
    expect(desk.locator("[data-testid=rx-status]")).to_have_text(pending)
    expect(desk.locator("[data-testid=verified]")).to_be_visible()
    screenshot(desk, "prescribing-signed.png")

    pharmacy = open_page(viewport=DESKTOP_VIEWPORT)
    staff_sign_in(pharmacy, base, pharmacist)
    pharmacy.goto(f"{base}/prescribing/review/")
    expect(pharmacy.locator("[data-testid=queue-row]")).to_have_count(1)
    screenshot(pharmacy, "prescribing-review-queue.png")
    pharmacy.click("[data-testid=queue-row] a")
    pharmacy.wait_for_url(f"{base}/prescribing/review/{prescription.public_id}/")
    screenshot(pharmacy, "prescribing-review.png")
    pharmacy.check("input[name=decision][value=approved]")
    pharmacy.click("[data-testid=decide]")
    pharmacy.wait_for_url(f"{base}/prescribing/review/")
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.APPROVED

    phone = open_page(viewport=PHONE_VIEWPORT)
    phone.goto(f"{base}/accounts/login/")
    phone.fill("#id_phone", woman.phone)
    phone.check("#id_accept_terms")
    phone.click("#phone-form button[type=submit]")
    expect(phone.locator("#code-form")).to_be_visible()
    phone.fill("#id_code", wait_for_sms_code(memory_sms, woman.phone))
    phone.click("#code-form button[type=submit]")
    phone.wait_for_url(f"{base}/")
    phone.goto(f"{base}/prescribing/mine/")
    card = phone.locator("[data-testid=my-prescription]")
    expect(card).to_contain_text(approved)
    expect(phone.locator(".plan li").first).to_contain_text("琥珀酸亚铁片")
    screenshot(phone, "prescribing-woman-list.png")
    card.click()
    expect(phone.locator("[data-testid=plan] li")).to_have_count(2)
    expect(phone.locator("[data-testid=advice]")).to_contain_text("间隔2小时")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"]
    screenshot(phone, "prescribing-woman-plan.png")
