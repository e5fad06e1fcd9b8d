"""The urgent reading's way to the clinician, live, in headless Chromium on the ASGI server.

The woman records a severely high blood pressure on her phone; the clinician's alarm worklist,
open on the workstation and never reloaded, shows the alarm as soon as the embedded worker has
pushed it down her live feed (WebSocket); she then acknowledges and closes it.

Pages are driven by ids, names, `data-testid` attributes and URLs, never by translated text
(the texts compared, the action advised and the alarm's status, are translated here in the
page's own language).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from anyun.accounts.models import User
from anyun.careteam.services import care_team_assign
from anyun.monitoring.messages import action_text
from anyun.monitoring.models import Alarm, AlarmOutcome, AlarmStatus, Grade
from anyun.notify.selectors import unread_count_for
from tests.browser.conftest import AsgiServer
from tests.browser.support import (
    DESKTOP_VIEWPORT,
    PHONE_VIEWPORT,
    axe_check,
    screenshot,
    staff_sign_in,
    wait_for_live_feed,
    wait_for_sms_code,
)

pytestmark = pytest.mark.browser

OpenPage = Callable[..., Page]
# From her submit to the row on the clinician's open worklist: worker round (0.2 s), push,
# refresh of the rows. Generous, so a slow machine does not fail the journey.
LIVE_ROW_TIMEOUT_MS = 10_000
CLOSE_NOTE = "已电话联系，嘱其立即到医院急诊就诊。"


def test_urgent_bp_reaches_the_open_workstation_live(
    asgi_server: AsgiServer,
    open_page: OpenPage,
    memory_sms: list[tuple[str, str]],
    make_woman: Callable[..., User],
    make_clinician: Callable[..., User],
) -> None:
    base = asgi_server.url

    # The world, through the product's services: a woman at 30 weeks, her responsible
    # clinician (assigned by the department head), every credential current.
    woman = make_woman(pregnant_weeks=30)
    head = make_clinician(head=True)
    clinician = make_clinician()
    care_team_assign(actor=head, woman=woman, member=clinician, responsible=True)
    name = woman.woman_profile.real_name
    assert name

    # The clinician signs in at the workstation and leaves the alarm worklist open.
    desk = open_page(viewport=DESKTOP_VIEWPORT)
    staff_sign_in(desk, base, clinician)
    worklist_url = f"{base}/clinic/alarms/"
    desk.goto(worklist_url)
    rows = desk.locator("#alarm-rows")
    expect(rows.locator("td.empty")).to_have_count(1)
    expect(rows.locator("[data-testid=alarm-row]")).to_have_count(0)
    axe_check(desk)
    wait_for_live_feed(clinician)
    desk.evaluate("() => { window.__notReloaded = true; }")

    # The woman signs in on her phone by SMS code; the server's own worker sends the SMS.
    phone = open_page(viewport=PHONE_VIEWPORT)
    phone.goto(f"{base}/accounts/login/")
    phone.fill("#id_phone", woman.phone)
    phone.check("#id_accept_terms")
    phone.click("#phone-form button[type=submit]")
    expect(phone.locator("#code-form")).to_be_visible()
    phone.fill("#id_code", wait_for_sms_code(memory_sms, woman.phone))
    phone.click("#code-form button[type=submit]")
    phone.wait_for_url(f"{base}/")
    axe_check(phone)

    # She records 165/112 mmHg.
    phone.goto(f"{base}/monitoring/record/")
    axe_check(phone)
    phone.fill("#id_systolic", "165")
    phone.fill("#id_diastolic", "112")
    submitted_ms = phone.evaluate("() => Date.now()")
    submitted = time.monotonic()
    phone.click("#checkin-form button[type=submit]")

    # Her result: seek care now.
    phone.wait_for_url(f"{base}/monitoring/checkins/*/")
    expect(phone.locator("[data-testid=urgent-banner]")).to_be_visible()
    language = phone.locator("html").get_attribute("lang") or ""
    with translation.override(language):
        seek_care_now = action_text("seek_care_now")
    action = phone.locator("[data-testid=alarm-action]")
    expect(action).to_have_count(1)
    expect(action).to_have_text(seek_care_now)
    alarm = Alarm.objects.get()  # one alarm, and only one: hers
    assert alarm.woman == woman
    assert (alarm.grade, alarm.rule, alarm.action) == (Grade.URGENT, "bp_severe", "seek_care_now")
    assert alarm.assigned_to == clinician
    assert alarm.status == AlarmStatus.OPEN
    axe_check(phone)
    screenshot(phone, "urgent-checkin.png")

    # The open worklist gets the row live: pushed, never reloaded.
    row = rows.locator("[data-testid=alarm-row]")
    expect(row).to_have_count(1, timeout=LIVE_ROW_TIMEOUT_MS)
    seen = time.monotonic()
    expect(row).to_have_attribute("data-alarm", str(alarm.public_id))
    expect(row).to_contain_text(name)
    expect(row).to_contain_text("165/112")
    expect(row).to_have_class("grade-urgent")
    assert desk.url == worklist_url
    assert desk.evaluate("() => window.__notReloaded") is True
    alarm_path = f"/clinic/alarms/{alarm.public_id}/"
    expect(desk.locator(f"#toasts .toast a.toast-title[href='{alarm_path}']")).to_have_count(1)
    expect(desk.locator("[data-unread-count]").first).to_have_text(
        str(unread_count_for(user=clinician))
    )
    refreshed_ms = int(rows.get_attribute("data-refreshed") or 0)
    in_browser = (refreshed_ms - submitted_ms) / 1000
    print(
        f"\nsubmit -> live worklist row: {in_browser:.2f} s (browser clock), "
        f"{seen - submitted:.2f} s (seen by the test)"
    )
    assert 0 < in_browser < LIVE_ROW_TIMEOUT_MS / 1000
    axe_check(desk)  # the worklist with its new row, and the urgent toast
    screenshot(desk, "alarm-worklist.png")

    # She opens it, acknowledges it, and closes it: she called the woman.
    row.locator(f"a[href='{alarm_path}']").click()
    desk.wait_for_url(f"{base}{alarm_path}")
    axe_check(desk)
    desk.click("[data-testid=acknowledge]")
    desk.wait_for_url(f"{base}{alarm_path}")
    expect(desk.locator("[data-testid=acknowledge]")).to_have_count(0)
    with translation.override(language):
        acknowledged = str(AlarmStatus.ACKNOWLEDGED.label)
    expect(desk.locator("[data-testid=alarm-status]")).to_have_text(acknowledged)
    axe_check(desk)
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.ACKNOWLEDGED
    close_form = desk.locator("[data-testid=close-form]")
    close_form.locator("select[name=outcome]").select_option(AlarmOutcome.CALLED.value)
    close_form.locator("textarea[name=note]").fill(CLOSE_NOTE)
    close_form.locator("[data-testid=close]").click()
    desk.wait_for_url(worklist_url)
    expect(rows.locator("[data-testid=alarm-row]")).to_have_count(0)
    expect(rows.locator("td.empty")).to_have_count(1)
    axe_check(desk)

    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.CLOSED
    assert alarm.outcome == AlarmOutcome.CALLED == "called"
    assert alarm.outcome_note == CLOSE_NOTE
    assert alarm.acknowledged_by == clinician
    assert alarm.closed_by == clinician
    assert alarm.escalate_at is None
    kinds = list(alarm.events.order_by("id").values_list("kind", flat=True))
    assert kinds == ["raised", "notified", "acknowledged", "woman_told", "closed", "woman_told"]
