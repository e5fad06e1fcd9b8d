"""A lab order whose posted result shows as abnormal to both: the clinician orders a full blood
count for her at the workstation (1280 px, zh-Hans); the laboratory's system signs in with a
staff token and posts the report as JSON to the orders API, Hb 95 g/L (below the usual 110);
the clinician's lab home lists it as abnormal and her report page flags the value low; she
(375 px phone, zh-Hans) opens her results from her home page and sees the same value flagged
low with its plain explanation. No page of hers is wider than the phone.

Pages are driven by ids, names, `data-testid` attributes and URLs; the texts compared are
translated here in the page's own language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import PASSWORD
from django.utils import translation
from playwright.sync_api import Page, expect

from anyun.accounts.models import Role, User
from anyun.careteam.services import care_team_assign
from anyun.orders import words
from anyun.orders.models import FlagChoice, LabOrder, Report
from anyun.orders.selectors import woman_name
from tests.browser.support import (
    DESKTOP_VIEWPORT,
    PHONE_VIEWPORT,
    axe_check,
    screenshot,
    staff_sign_in,
    totp_now,
    woman_signed_in,
)

pytestmark = pytest.mark.browser

OpenPage = Callable[..., Page]


def fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]


def test_a_posted_abnormal_result_shows_as_abnormal_to_both(
    live_server: Any,
    open_page: OpenPage,
    make_woman: Callable[..., User],
    make_clinician: Callable[..., User],
) -> None:
    base = live_server.url
    woman = make_woman(pregnant_weeks=20)
    head = make_clinician(head=True)
    clinician = make_clinician()
    lab_nurse = make_clinician(Role.NURSE)
    care_team_assign(actor=head, woman=woman, member=clinician, responsible=True)
    care_team_assign(actor=head, woman=woman, member=lab_nurse)
    with translation.override("zh-hans"):
        low = str(FlagChoice.LOW.label)
        lower_words = words.flag_words("low")
        hb_explained = words.explanation("hb")
        hb_label = words.observation_label("hb")
        abnormal = translation.gettext("Abnormal")
        needs_attention = translation.gettext("Needs attention")
    assert low != "Low" and hb_explained  # the Chinese words, and an explanation to show

    # The clinician orders a full blood count for her, from the lab home's care-team list.
    desk = open_page(viewport=DESKTOP_VIEWPORT)
    staff_sign_in(desk, base, clinician)
    desk.goto(f"{base}/orders/clinic/")
    expect(desk.locator("html")).to_have_attribute("lang", "zh-hans")
    desk.locator("[data-testid=order-for-woman] a", has_text=woman_name(woman)).click()
    desk.wait_for_url(f"{base}/orders/clinic/woman/{woman.public_id}/new/")
    form = desk.locator("[data-testid=order-form]")
    form.locator("input[name=tests][value=fbc]").check()
    form.locator("textarea[name=reason]").fill("初诊血常规")
    axe_check(desk, viewports=(DESKTOP_VIEWPORT,))
    screenshot(desk, "lab-order-form.png")
    desk.click("[data-testid=order-save]")
    lab_order = LabOrder.objects.get(woman=woman)
    assert (lab_order.tests, lab_order.clinician, lab_order.reason) == (
        ["fbc"],
        clinician,
        "初诊血常规",
    )
    desk.wait_for_url(f"{base}/orders/clinic/{lab_order.public_id}/")

    # The laboratory's system: a staff token, then the report as JSON with the lab's range.
    lis = open_page(viewport=DESKTOP_VIEWPORT).request
    signed_in = lis.post(
        f"{base}/api/v1/auth/staff-token",
        data={
            "username": lab_nurse.username,
            "password": PASSWORD,
            "token": totp_now(lab_nurse),
        },
    )
    assert signed_in.status == 200, signed_in.text()
    token = signed_in.json()["token"]
    posted = lis.post(
        f"{base}/api/v1/orders/{lab_order.public_id}/results",
        data={
            "report_id": "LIS-2026-0001",
            "observations": [
                {
                    "code": "hb",
                    "value": 95,
                    "unit": "g/L",
                    "reference_low": 110,
                    "reference_high": 150,
                }
            ],
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert posted.status == 201, posted.text()
    body = posted.json()
    assert (body["abnormal"], body["critical"], body["source"]) == (True, False, "json")
    assert [(r["code"], r["number"], r["flag"]) for r in body["results"]] == [("hb", 95.0, "low")]
    report = Report.objects.get(order=lab_order)
    assert str(report.public_id) == body["id"] and report.entered_by == lab_nurse

    # The clinician: her lab home lists the result as abnormal; its page flags the value low.
    desk.goto(f"{base}/orders/clinic/")
    row = desk.locator("[data-testid=clinic-report]")
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-abnormal", "1")
    expect(row).to_contain_text(abnormal)
    expect(row).to_contain_text(f"{hb_label} 95")
    row.locator("a").click()
    desk.wait_for_url(f"{base}/orders/clinic/results/{report.public_id}/")
    hb = desk.locator("[data-testid=result-hb]")
    expect(hb).to_have_attribute("data-flag", "low")
    expect(hb.locator(".value")).to_have_text("95 g/L")
    expect(hb.locator(".lab-flag")).to_have_text(low)
    expect(hb).to_contain_text("110–150")
    axe_check(desk, viewports=(DESKTOP_VIEWPORT,))
    screenshot(desk, "lab-result-clinician.png")

    # She, on her phone: from her home page to her results, the same value flagged low.
    phone = open_page(viewport=PHONE_VIEWPORT)
    woman_signed_in(phone, base, woman)
    phone.goto(f"{base}/")
    phone.click("[data-testid=orders-home-link]")
    phone.wait_for_url(f"{base}/orders/mine/")
    listed = phone.locator("[data-testid=lab-report]")
    expect(listed).to_have_count(1)
    expect(listed.locator(".lab-flag")).to_have_text(needs_attention)
    expect(listed).to_contain_text(f"{hb_label} 95 g/L")
    fits(phone)
    listed.click()
    phone.wait_for_url(f"{base}/orders/mine/results/{report.public_id}/")
    expect(phone.locator("html")).to_have_attribute("lang", "zh-hans")
    hers = phone.locator("[data-testid=result-hb]")
    expect(hers).to_have_attribute("data-flag", "low")
    expect(hers.locator(".value")).to_have_text("95 g/L")
    expect(hers.locator(".lab-flag")).to_have_text(low)
    expect(hers).to_contain_text(lower_words)
    expect(hers).to_contain_text(hb_explained)
    fits(phone)
    axe_check(phone, viewports=(PHONE_VIEWPORT,))
    screenshot(phone, "lab-result-woman.png")
