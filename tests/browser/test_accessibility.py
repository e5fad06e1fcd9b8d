"""Accessibility in headless Chromium: axe-core under the production CSP, English pages,
keyboard-only check-in and alarm handling, errors tied to their fields, focus kept through
live updates, and the live toast (docs/accessibility.md).

Pages are driven by ids, names, `data-testid` attributes and URLs; the texts compared are
the product's own translations.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import staff_client, woman_client
from django.conf import settings
from django.db import transaction
from django.test import Client
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from anyun.accounts.models import Role, User
from anyun.careteam.services import care_team_assign
from anyun.clinical.signs import SignKind
from anyun.monitoring.models import Alarm, AlarmStatus, Reading
from anyun.monitoring.services import ReadingInput, readings_record
from anyun.notify import services as notify
from anyun.notify.models import Notification
from anyun.pregnancy.selectors import current_pregnancy_of
from tests.browser.support import DESKTOP_VIEWPORT, PHONE_VIEWPORT, axe_check, run_queued_jobs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OpenPage = Callable[..., Page]
MAX_TABS = 80

# The focused element, whether a focus indicator is drawn on it (outline or box shadow) and
# whether it is inside the window.
_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {tag: "BODY", visible: false};
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== "none";
  const inside = box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth;
  return {
    outline: `${style.outlineStyle} ${style.outlineWidth}`, box: [box.top, box.bottom, innerHeight],
    tag: el.tagName, id: el.id, name: el.getAttribute("name"),
    testid: el.dataset ? el.dataset.testid || "" : "",
    visible: (outline || shadow) && inside && box.width > 0 && box.height > 0,
  };
}"""

# WCAG contrast ratio of two computed colours (rgb()/rgba() strings, opaque assumed).
_CONTRAST = """([fg, bg]) => {
  const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => {
    const [r, g, b] = c.map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [a, b] = [lum(rgb(fg)), lum(rgb(bg))].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def _sign_in(page: Page, client: Client, base: str, *, language: str | None = None) -> None:
    cookies = [
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": base,
        }
    ]
    if language:
        cookies.append({"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base})
    page.context.add_cookies(cookies)  # type: ignore[arg-type]


def _tab_to(page: Page, selector: str) -> None:
    """Press Tab until `selector` has focus; every element passed on the way shows its focus."""
    target = page.locator(selector)
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focus = page.evaluate(_FOCUS)
        assert focus["visible"], f"focus not visible on {focus}"
        if target.evaluate("el => el === document.activeElement"):
            return
    pytest.fail(f"{selector} not reached with {MAX_TABS} presses of Tab")


def _urgent_alarm(woman: User) -> Alarm:
    with transaction.atomic():
        result = readings_record(
            actor=woman,
            woman=woman,
            items=[ReadingInput(kind=SignKind.BLOOD_PRESSURE, systolic=165, diastolic=112)],
        )
    run_queued_jobs()
    (alarm,) = result.alarms
    alarm.refresh_from_db()
    return alarm


@pytest.fixture
def team(make_woman: Any, make_clinician: Any) -> dict[str, User]:
    woman = make_woman(pregnant_weeks=30)
    other = make_woman(pregnant_weeks=26)
    head = make_clinician(head=True)
    clinician = make_clinician()
    for who in (woman, other):
        care_team_assign(actor=head, woman=who, member=clinician, responsible=True)
    return {"woman": woman, "other": other, "clinician": clinician}


# --- the axe check itself ----------------------------------------------------------------


def test_axe_runs_under_the_production_csp_and_reports_what_it_finds(
    live_server: Any, open_page: OpenPage
) -> None:
    page = open_page(viewport=PHONE_VIEWPORT)
    response = page.goto(f"{live_server.url}/accounts/login/")
    assert response is not None
    policy = {
        part.split()[0]: part.split()[1:]
        for part in (p.strip() for p in response.headers["content-security-policy"].split(";"))
        if part
    }
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert policy == {name: list(values) for name, values in directives.items()}
    assert policy["script-src"] == ["'self'"]
    # The page's policy is in force: an inline script is refused.
    with pytest.raises(PlaywrightError):
        page.add_script_tag(content="window.inlineRan = true;")
    assert page.evaluate("() => window.inlineRan") is None

    axe_check(page)  # loads from the page's own origin, so the policy lets it run

    page.evaluate(
        "() => { const i = document.createElement('input'); i.id = 'unnamed';"
        " document.querySelector('main').append(i); }"
    )
    with pytest.raises(AssertionError) as failure:
        axe_check(page)
    assert "label (critical)" in str(failure.value)
    assert "#unnamed" in str(failure.value)


def test_the_womans_home_check_in_and_the_alarm_page_in_english(
    live_server: Any, open_page: OpenPage, team: dict[str, User]
) -> None:
    base = live_server.url
    alarm = _urgent_alarm(team["woman"])
    phone = open_page(viewport=PHONE_VIEWPORT)
    _sign_in(phone, woman_client(team["woman"]), base, language="en")
    for path in ("/", "/monitoring/record/", f"/monitoring/checkins/{alarm.reading.batch}/"):
        phone.goto(base + path)
        expect(phone.locator("html")).to_have_attribute("lang", "en")
        axe_check(phone)
    desk = open_page(viewport=DESKTOP_VIEWPORT)
    _sign_in(desk, staff_client(team["clinician"]), base, language="en")
    for path in ("/clinic/alarms/", f"/clinic/alarms/{alarm.public_id}/"):
        desk.goto(base + path)
        expect(desk.locator("html")).to_have_attribute("lang", "en")
        axe_check(desk)
    expect(desk.locator("h1")).to_have_count(1)


# --- the keyboard alone ------------------------------------------------------------------


def test_she_checks_in_with_the_keyboard_alone(
    live_server: Any, open_page: OpenPage, team: dict[str, User]
) -> None:
    base = live_server.url
    page = open_page(viewport=PHONE_VIEWPORT)
    _sign_in(page, woman_client(team["woman"]), base)
    page.goto(f"{base}/monitoring/record/")

    _tab_to(page, "#id_systolic")
    page.keyboard.type("128")
    _tab_to(page, "#id_diastolic")
    page.keyboard.type("84")
    _tab_to(page, "#checkin-form button[type=submit]")
    page.keyboard.press("Enter")

    page.wait_for_url(f"{base}/monitoring/checkins/*/")
    reading = Reading.objects.get(woman=team["woman"])
    assert (reading.systolic, reading.diastolic) == (128, 84)


def test_the_clinician_acknowledges_and_closes_an_alarm_with_the_keyboard_alone(
    live_server: Any, open_page: OpenPage, team: dict[str, User]
) -> None:
    base = live_server.url
    alarm = _urgent_alarm(team["woman"])
    page = open_page(viewport=DESKTOP_VIEWPORT)
    _sign_in(page, staff_client(team["clinician"]), base)
    page.goto(f"{base}/clinic/alarms/")

    _tab_to(page, f"[data-alarm='{alarm.public_id}'] a")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/clinic/alarms/{alarm.public_id}/")
    _tab_to(page, "[data-testid=acknowledge]")
    page.keyboard.press("Enter")
    expect(page.locator("[data-testid=acknowledge]")).to_have_count(0)
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.ACKNOWLEDGED

    _tab_to(page, "[data-testid=close-form] select[name=outcome]")
    page.keyboard.press("ArrowDown")
    chosen = page.locator("[data-testid=close-form] select[name=outcome]").input_value()
    assert chosen
    _tab_to(page, "[data-testid=close-form] textarea[name=note]")
    page.keyboard.type("已电话联系。")
    _tab_to(page, "[data-testid=close]")
    page.keyboard.press("Enter")

    page.wait_for_url(f"{base}/clinic/alarms/")
    alarm.refresh_from_db()
    assert (alarm.status, alarm.outcome, alarm.outcome_note) == (
        AlarmStatus.CLOSED,
        chosen,
        "已电话联系。",
    )


# --- errors tied to their fields -----------------------------------------------------------


def test_after_a_refused_check_in_focus_is_on_the_field_that_says_why(
    live_server: Any, open_page: OpenPage, team: dict[str, User]
) -> None:
    base = live_server.url
    page = open_page(viewport=PHONE_VIEWPORT)
    _sign_in(page, woman_client(team["woman"]), base)
    page.goto(f"{base}/monitoring/record/")
    page.fill("#id_systolic", "320")
    page.fill("#id_diastolic", "80")
    page.click("#checkin-form button[type=submit]")

    field = page.locator("#id_systolic")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("aria-invalid", "true")
    described = (field.get_attribute("aria-describedby") or "").split()
    assert "id_systolic_error" in described
    for ref in described:  # every id it names is on the page
        expect(page.locator(f"#{ref}")).to_have_count(1)
    error = page.locator("#id_systolic_error")
    expect(error).to_be_visible()
    summary = page.get_by_test_id("error-summary")
    link = summary.locator("a[href='#id_systolic']")
    expect(link).to_contain_text(error.inner_text())
    page.locator("#id_diastolic").focus()
    link.click()
    expect(field).to_be_focused()
    axe_check(page)


# --- live updates keep focus ---------------------------------------------------------------


def test_a_new_alarm_keeps_the_focused_row_and_is_announced(
    live_server: Any, open_page: OpenPage, team: dict[str, User]
) -> None:
    base = live_server.url
    first = _urgent_alarm(team["woman"])
    page = open_page(viewport=DESKTOP_VIEWPORT)
    _sign_in(page, staff_client(team["clinician"]), base)
    page.goto(f"{base}/clinic/alarms/")
    rows = page.locator("#alarm-rows [data-testid=alarm-row]")
    expect(rows).to_have_count(1)
    _tab_to(page, f"[data-alarm='{first.public_id}'] a")
    link_name = page.locator(f"[data-alarm='{first.public_id}'] a").inner_text()
    assert team["woman"].woman_profile.real_name in link_name  # "Open" says whose alarm

    second = _urgent_alarm(team["other"])
    # What feed.js dispatches when an alarm notification arrives on the live feed.
    page.evaluate(
        "() => document.dispatchEvent(new CustomEvent('anyun:notification',"
        " {detail: {kind: 'alarm'}}))"
    )
    expect(rows).to_have_count(2)
    focused = page.locator(f"[data-alarm='{first.public_id}'] a")
    expect(focused).to_be_focused()
    announce = page.get_by_test_id("alarm-announce")
    expect(announce).to_have_attribute("aria-live", "polite")
    expect(announce).to_contain_text(second.woman.woman_profile.real_name)
    expect(announce).not_to_contain_text(first.woman.woman_profile.real_name)


def test_mark_as_read_keeps_focus_on_the_row_and_updates_the_counts(
    live_server: Any, open_page: OpenPage, team: dict[str, User]
) -> None:
    base = live_server.url
    woman = team["woman"]
    with transaction.atomic():
        for title in ("第一条", "第二条"):
            notify.notification_send(recipient=woman, kind="test", title=title, body=title)
    page = open_page(viewport=PHONE_VIEWPORT)
    _sign_in(page, woman_client(woman), base)
    page.goto(f"{base}/inbox/")
    inbox_link = page.get_by_test_id("inbox-link")
    expect(inbox_link).to_have_attribute("aria-label", "消息，2 条未读")
    expect(page.locator("[data-unread-summary]")).to_have_text("2条未读消息")
    newest = Notification.objects.filter(recipient=woman).order_by("-created_at").first()
    assert newest is not None
    row = page.locator(f"#n-{newest.public_id}")

    _tab_to(page, f"#n-{newest.public_id} form button")
    page.keyboard.press("Enter")

    expect(row).not_to_have_class("notification unread")
    expect(page.locator("[data-unread-summary]")).to_have_text("1条未读消息")
    expect(inbox_link).to_have_attribute("aria-label", "消息，1 条未读")
    expect(page.locator(f"#n-{newest.public_id}")).to_be_focused()  # no link: the row itself
    assert page.evaluate(_FOCUS)["visible"]


# --- the live toast -----------------------------------------------------------------------


def test_an_alarm_toast_is_readable_named_and_stays_until_closed(
    live_server: Any, open_page: OpenPage, team: dict[str, User]
) -> None:
    base = live_server.url
    page = open_page(viewport=DESKTOP_VIEWPORT)
    page.clock.install()
    _sign_in(page, staff_client(team["clinician"]), base)
    page.goto(f"{base}/clinic/alarms/")
    page.evaluate(
        """async () => {
          const src = document.querySelector("script[src*='notify/feed']").src;
          const feed = await import(src);
          feed.showToast({kind: "alarm", title: "紧急预警", body: "血压 165/112", link: "/clinic/alarms/"});
          feed.showToast({kind: "message", title: "普通消息", body: "您好"});
        }"""
    )
    toasts = page.get_by_test_id("toast")
    expect(toasts).to_have_count(2)
    page.clock.run_for(7_000)
    expect(toasts).to_have_count(1)  # the ordinary one went; the alarm stays
    alarm = toasts.first
    expect(alarm).to_have_class("toast toast-alarm")
    close = alarm.get_by_role("button", name="关闭")
    expect(close).to_have_count(1)

    background = alarm.evaluate("el => getComputedStyle(el).backgroundColor")
    link = alarm.locator("a.toast-title")
    for text in (link, alarm.locator(".toast-body")):
        colour = text.evaluate("el => getComputedStyle(el).color")
        assert page.evaluate(_CONTRAST, [colour, background]) >= 4.5
    border = close.evaluate("el => getComputedStyle(el).borderTopColor")
    assert page.evaluate(_CONTRAST, [border, background]) >= 3
    box = close.bounding_box()
    assert box is not None and box["width"] >= 44 and box["height"] >= 44
    axe_check(page)

    close.focus()
    assert page.evaluate(_FOCUS)["visible"]
    page.keyboard.press("Enter")
    expect(toasts).to_have_count(0)


# --- every page, both languages, both widths -----------------------------------------------


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_of_each_front_end_has_no_axe_violation(
    live_server: Any,
    open_page: OpenPage,
    team: dict[str, User],
    make_staff: Callable[..., User],
    language: str,
) -> None:
    """The woman's pages, the workstation's and the console's, at 375 px and desktop width."""
    base = live_server.url
    woman, clinician = team["woman"], team["clinician"]
    alarm = _urgent_alarm(woman)
    pregnancy = current_pregnancy_of(woman)
    assert pregnancy is not None
    fronts = {
        woman_client(woman): [
            "/",
            "/monitoring/",
            "/monitoring/record/",
            f"/monitoring/checkins/{alarm.reading.batch}/",
            "/monitoring/signs/blood_pressure/",
            "/monitoring/alarms/",
            "/monitoring/chart/",
            "/pregnancy/",
            f"/pregnancy/{pregnancy.public_id}/edit/",
            "/inbox/",
            "/accounts/me/",
            "/consent/",
            "/help/",
        ],
        staff_client(clinician): [
            "/clinic/",
            "/clinic/alarms/",
            f"/clinic/alarms/{alarm.public_id}/",
            f"/clinic/patients/{woman.public_id}/",
            f"/clinic/patients/{woman.public_id}/plans/",
            "/inbox/",
        ],
        staff_client(make_staff(role=Role.QUALITY_MANAGER)): [
            "/console/",
            "/console/thresholds/",
            "/console/crisis-lines/",
        ],
        staff_client(make_staff(role=Role.AUDIT_ADMIN)): ["/console/audit/"],
        Client(): ["/accounts/login/", "/accounts/staff/login/"],
    }
    for viewport in (PHONE_VIEWPORT, DESKTOP_VIEWPORT):
        for client, paths in fronts.items():
            page = open_page(viewport=viewport)
            if settings.SESSION_COOKIE_NAME in client.cookies:
                _sign_in(page, client, base, language=language)
            else:
                page.context.add_cookies(
                    [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
                )
            for path in paths:
                response = page.goto(base + path)
                assert response is not None and response.status == 200, (path, response)
                expect(page.locator("html")).to_have_attribute("lang", language)
                axe_check(page)
            page.close()
