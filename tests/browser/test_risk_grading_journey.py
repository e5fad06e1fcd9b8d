"""The clinician grades her at the workstation (1280 px, zh-Hans): the items her record answers
are pre-filled and marked, her Hb comes from the lab report recorded for her (named, with its
date) and the clinician confirms it, ticks asthma, checks the result and saves it;
the colour badge (words, not colour alone) updates on the grading page, the patient overview
and the patient list, which sorts and filters by colour. She records that the woman must be
seen in person within 24 hours, and the woman's home page (375 px) says where and how soon.

Pages are driven by ids, names, `data-testid` attributes and URLs; the texts compared are
translated here in the page's own language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import staff_client
from django.conf import settings
from django.utils import translation
from playwright.sync_api import Page, expect

from anyun.accounts.models import User
from anyun.assessment import risk_labels
from anyun.assessment.models import RiskGrading
from anyun.careteam.services import care_team_assign
from anyun.orders import services as orders
from tests.browser.support import (
    DESKTOP_VIEWPORT,
    PHONE_VIEWPORT,
    axe_check,
    screenshot,
    staff_sign_in,
    woman_signed_in,
)

pytestmark = pytest.mark.browser

OpenPage = Callable[..., Page]


def test_the_clinician_grades_her_and_the_badge_updates(
    live_server: Any,
    open_page: OpenPage,
    make_woman: Callable[..., User],
    make_clinician: Callable[..., User],
) -> None:
    base = live_server.url
    woman = make_woman(pregnant_weeks=20)
    other = make_woman(pregnant_weeks=12)
    head = make_clinician(head=True)
    clinician = make_clinician()
    for who in (woman, other):
        care_team_assign(actor=head, woman=who, member=clinician, responsible=True)
    # Her full blood count is back: Hb 95 g/L (the nurse enters the laboratory's report).
    lab_order = orders.order_create(
        actor=clinician, woman_id=woman.public_id, tests=["fbc"], reason="初诊检查"
    )
    orders.report_record(
        actor=clinician,
        order_id=lab_order.public_id,
        data=orders.ReportInput(values=[orders.ValueInput("hb", number=95.0)]),
    )
    with translation.override("zh-hans"):
        fbc = translation.gettext("Full blood count")
        orange = risk_labels.colour_label("orange")
        not_graded = translation.gettext("Risk not graded")
        in_24h = translation.gettext(
            "Go to the obstetric clinic of %(place)s in person within 24 hours."
        ) % {"place": "Test Hospital"}

    desk = open_page(viewport=DESKTOP_VIEWPORT)
    staff_sign_in(desk, base, clinician)
    expect(desk.locator("html")).to_have_attribute("lang", "zh-hans")
    rows = desk.locator("[data-testid=patient-row]")
    expect(rows).to_have_count(2)
    expect(rows.first.locator("[data-testid=risk-badge]")).to_contain_text(not_graded)

    # From her overview to the grading page: her record's facts and pre-filled items, marked.
    desk.goto(f"{base}/clinic/patients/{woman.public_id}/")
    expect(desk.locator("[data-testid=risk-card] [data-testid=risk-badge]")).to_contain_text(
        not_graded
    )
    desk.click("[data-testid=grade-link]")
    desk.wait_for_url(f"{base}/assessment/women/{woman.public_id}/risk/")
    expect(desk.locator("[data-testid=record-facts]")).to_contain_text("160")  # her height
    expect(desk.locator("[data-testid=prefill-g_age_40]")).to_be_visible()
    # The Hb from her report, pre-filled and marked with its source; she keeps it (confirms).
    expect(desk.locator("#f-hb_g_l")).to_have_value("95")
    expect(desk.locator("[data-testid=from-lab-hb_g_l]")).to_contain_text(fbc)
    expect(desk.locator("[data-testid=lab-report-hb_g_l]")).to_have_attribute(
        "href", f"/orders/clinic/results/{lab_order.reports.get().public_id}/"
    )
    desk.check("#f-g_asthma")
    desk.click("[data-testid=grading-check]")
    preview = desk.locator("[data-testid=grading-preview]")
    expect(preview.locator("[data-testid=risk-badge]").first).to_have_attribute(
        "data-colour", "orange"
    )
    expect(preview).to_contain_text(orange)
    expect(preview.locator("[data-testid=preview-screening]")).to_be_visible()  # Hb 95: positive
    assert not RiskGrading.objects.exists()  # checked, not stored
    axe_check(desk, viewports=(DESKTOP_VIEWPORT,))
    screenshot(desk, "risk-grading-check.png")
    desk.click("[data-testid=grading-save]")
    desk.wait_for_url(f"{base}/assessment/women/{woman.public_id}/risk/")
    row = RiskGrading.objects.get()
    assert (row.colour, row.graded_by, row.facts["hb_g_l"]) == ("orange", clinician, 95.0)
    head_badge = desk.locator(".overview-head [data-testid=risk-badge]")
    expect(head_badge).to_have_attribute("data-colour", "orange")
    expect(head_badge).to_contain_text(orange)
    expect(desk.locator("[data-testid=risk-history] li")).to_have_count(1)
    screenshot(desk, "risk-grading-saved.png")

    # She must be seen in person within 24 hours: the clinician records it.
    form = desk.locator("[data-testid=suitability-form]")
    form.locator("input[name=decision][value=in_person]").check()
    form.locator("select[name=urgency]").select_option("within_24h")
    form.locator("input[name=reason]").fill("需要当面检查")
    form.locator("button").click()
    expect(desk.locator("[data-testid=suitability-status]")).to_be_visible()

    # The overview and the patient list show the new badge; the list sorts and filters by it.
    desk.goto(f"{base}/clinic/patients/{woman.public_id}/")
    expect(desk.locator("[data-testid=risk-card] [data-testid=risk-badge]")).to_have_attribute(
        "data-colour", "orange"
    )
    expect(desk.locator("[data-testid=case-link]")).to_be_visible()
    axe_check(desk, viewports=(DESKTOP_VIEWPORT,))
    screenshot(desk, "risk-overview.png")
    # The department's case list: her case, its report to the district institution due.
    desk.goto(f"{base}/assessment/cases/")
    expect(desk.locator("[data-testid=case-row]")).to_have_count(1)
    expect(desk.locator("[data-testid=report-due]")).to_have_count(1)
    axe_check(desk, viewports=(DESKTOP_VIEWPORT,))
    screenshot(desk, "risk-cases.png")
    desk.locator("[data-testid=case-row] a").click()
    expect(desk.locator("[data-testid=case-plan]")).to_be_visible()
    axe_check(desk, viewports=(DESKTOP_VIEWPORT,))
    screenshot(desk, "risk-case.png")
    desk.goto(f"{base}/clinic/?sort=risk")
    expect(rows.first.locator("[data-testid=risk-badge]")).to_have_attribute(
        "data-colour", "orange"
    )
    desk.locator("[data-testid=risk-filter]").select_option("orange")
    desk.locator("main form.inline-form button").click()
    expect(rows).to_have_count(1)
    expect(rows.first.locator("[data-testid=risk-badge]")).to_contain_text(orange)
    expect(desk.locator("main table [data-colour=none]")).to_have_count(0)
    axe_check(desk, viewports=(DESKTOP_VIEWPORT,))
    screenshot(desk, "risk-patient-list.png")

    # Her home page on a phone: where to go and how soon, in words.
    phone = open_page(viewport=PHONE_VIEWPORT)
    woman_signed_in(phone, base, woman)
    phone.goto(f"{base}/")
    stop = phone.locator("[data-testid=online-care-stop]")
    expect(stop).to_be_visible()
    expect(stop.locator("[data-testid=online-care-where]")).to_contain_text(in_24h)
    for code in ("within_24h", "in_person", "clinician"):
        expect(stop).not_to_contain_text(code)
    axe_check(phone, viewports=(PHONE_VIEWPORT,))
    stop.screenshot(
        path=str(screenshot(phone, "risk-woman-home.png").with_name("risk-woman-partial.png"))
    )

    # The department head sees the hospital's risk policy with its documented defaults.
    console = open_page(viewport=DESKTOP_VIEWPORT)
    head_session = staff_client(head)
    console.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": head_session.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )
    console.goto(f"{base}/assessment/policy/")
    expect(console.locator("[data-testid=risk-policy] select[name=hb_60]")).to_have_value(
        "more_severe"
    )
    axe_check(console, viewports=(DESKTOP_VIEWPORT,))
    screenshot(console, "risk-policy.png")
