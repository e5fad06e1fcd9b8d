"""One check-in, one alarm: on a 375 px phone in zh-Hans she edits her pregnancy record (the
date fields keep their ISO values, so saving keeps her LMP), records 165/112 with a headache
and reads one instruction with its reasons; the clinician sees one alarm with readable
values and labels, closes it, and she finds the message that says so.

Pages are driven by ids, names, `data-testid` attributes and URLs; the texts compared are
translated here in the page's own language.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from anyun.accounts.models import User
from anyun.careteam.services import care_team_assign
from anyun.monitoring.messages import action_text, rule_label
from anyun.monitoring.models import Alarm, AlarmOutcome, AlarmStatus
from anyun.pregnancy.selectors import current_pregnancy_of
from tests.browser.conftest import AsgiServer
from tests.browser.support import (
    DESKTOP_VIEWPORT,
    PHONE_VIEWPORT,
    axe_check,
    screenshot,
    staff_sign_in,
    wait_for_sms_code,
)

pytestmark = pytest.mark.browser

OpenPage = Callable[..., Page]
RULES = ["bp_severe", "bp_high_with_symptoms", "red_flag_headache"]


def test_one_check_in_one_instruction_one_alarm_and_she_is_told(
    asgi_server: AsgiServer,
    open_page: OpenPage,
    memory_sms: list[tuple[str, str]],
    make_woman: Callable[..., User],
    make_clinician: Callable[..., User],
) -> None:
    base = asgi_server.url
    woman = make_woman(pregnant_weeks=30)
    head = make_clinician(head=True)
    clinician = make_clinician()
    care_team_assign(actor=head, woman=woman, member=clinician, responsible=True)

    # She signs in on her phone (zh-Hans) and records 165/112 mmHg with a headache.
    phone = open_page(viewport=PHONE_VIEWPORT)
    phone.goto(f"{base}/accounts/login/")
    phone.fill("#id_phone", woman.phone)
    phone.check("#id_accept_terms")
    phone.click("#phone-form button[type=submit]")
    expect(phone.locator("#code-form")).to_be_visible()
    phone.fill("#id_code", wait_for_sms_code(memory_sms, woman.phone))
    phone.click("#code-form button[type=submit]")
    phone.wait_for_url(f"{base}/")
    expect(phone.locator("html")).to_have_attribute("lang", "zh-hans")

    # She edits her record in Chinese: the LMP field shows an ISO date and survives the save.
    pregnancy = current_pregnancy_of(woman)
    assert pregnancy is not None and pregnancy.lmp is not None
    lmp = pregnancy.lmp
    phone.goto(f"{base}/pregnancy/{pregnancy.public_id}/edit/")
    expect(phone.locator("#id_lmp")).to_have_value(lmp.isoformat())
    axe_check(phone)
    phone.fill("#id_allergies", "青霉素")
    phone.fill("#id_reason", "补充过敏史")
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_url(lambda url: "/edit/" not in url)
    pregnancy.refresh_from_db()
    assert (pregnancy.lmp, pregnancy.allergies) == (lmp, "青霉素")

    phone.goto(f"{base}/monitoring/record/")
    phone.fill("#id_systolic", "165")
    phone.fill("#id_diastolic", "112")
    phone.check("input[name=symptoms][value=headache]")
    phone.click("#checkin-form button[type=submit]")
    phone.wait_for_url(f"{base}/monitoring/checkins/*/")

    # One card, one instruction, the three reasons under it; the truth about who was told.
    with translation.override("zh-hans"):
        seek_care_now = action_text("seek_care_now")
        labels = [rule_label(rule) for rule in RULES]
        closed_label = str(AlarmStatus.CLOSED.label)
    expect(phone.locator("[data-testid=urgent-banner]")).to_be_visible()
    expect(phone.locator("[data-testid=alarm]")).to_have_count(1)
    expect(phone.locator("[data-testid=alarm-action]")).to_have_text(seek_care_now)
    expect(phone.locator("[data-testid=alarm-more-action]")).to_have_count(0)
    reasons = phone.locator("[data-testid=alarm-reason]")
    expect(reasons).to_have_count(3)
    for index, label in enumerate(labels):
        expect(reasons.nth(index)).to_contain_text(label)
        expect(reasons.nth(index)).to_contain_text("165/112")
    # At once her team is being told (the queue worker routes the alarm) or already has been.
    told = phone.locator("[data-testid=alarm-told]")
    expect(told).to_contain_text(re.compile("正在通知您的医护团队|已通知您的医护团队"))
    for code in [*RULES, "seek_care_now", "urgent"]:
        expect(phone.locator("main")).not_to_contain_text(code)
    axe_check(phone)
    screenshot(phone, "checkin-one-alarm.png")
    alarm = Alarm.objects.get()
    assert [f["rule"] for f in alarm.findings] == RULES
    # Once the worker has given it to her clinician, her page says so.
    deadline = time.monotonic() + 10
    while alarm.assigned_to_id is None and time.monotonic() < deadline:
        time.sleep(0.1)
        alarm.refresh_from_db()
    assert alarm.assigned_to_id == clinician.pk
    phone.reload()
    expect(told).to_contain_text("已通知您的医护团队。")

    # The clinician opens the one alarm: every rule, with readable values and labels.
    desk = open_page(viewport=DESKTOP_VIEWPORT)
    staff_sign_in(desk, base, clinician)
    desk.goto(f"{base}/clinic/alarms/")
    expect(desk.locator("[data-testid=alarm-row]")).to_have_count(1)
    alarm_path = f"/clinic/alarms/{alarm.public_id}/"
    desk.goto(f"{base}{alarm_path}")
    findings = desk.locator("[data-testid=alarm-finding]")
    expect(findings).to_have_count(3)
    for index, label in enumerate(labels):
        expect(findings.nth(index)).to_contain_text(label)
    expect(findings.nth(0).locator("[data-testid=alarm-values]")).to_contain_text("165")
    expect(findings.nth(0).locator("[data-testid=alarm-values]")).to_contain_text("160")
    main = desk.locator("main")
    for code in [*RULES, "systolic=", "systolic_limit", "headache"]:
        expect(main).not_to_contain_text(code)
    axe_check(desk)
    screenshot(desk, "alarm-detail-grouped.png")
    close_form = desk.locator("[data-testid=close-form]")
    close_form.locator("select[name=outcome]").select_option(AlarmOutcome.IN_PERSON.value)
    close_form.locator("[data-testid=close]").click()
    desk.wait_for_url(f"{base}/clinic/alarms/")
    alarm.refresh_from_db()
    assert (alarm.status, alarm.outcome) == (AlarmStatus.CLOSED, AlarmOutcome.IN_PERSON)

    # She is told: a message in her inbox, in her language, and her alarm reads closed.
    phone.goto(f"{base}/inbox/")
    message = phone.locator("#inbox-list li.notification").first
    expect(message).to_contain_text("您的预警已关闭")
    expect(message).to_contain_text(labels[0])
    expect(message).not_to_contain_text("in_person")
    axe_check(phone)
    screenshot(phone, "inbox-alarm-closed.png")
    phone.goto(f"{base}/monitoring/alarms/")
    expect(phone.locator("[data-testid=alarm-status]")).to_have_text(closed_label)
    axe_check(phone)
