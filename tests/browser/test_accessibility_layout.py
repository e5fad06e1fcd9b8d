"""Layout accessibility on the phone and the desktop, measured in Chromium (WCAG 2.1 and the
2021 MIIT elderly-friendly rules): focus never hides under the tab bar, text and field borders
have enough contrast, pages reflow at 400% zoom and 200% text, touch targets are 44 px or
more, and text follows both the browser's text size and the in-app text-size switch.

A larger browser text size is the browser's own setting, "default font size", set through
the DevTools protocol (`Page.setFontSizes`) as a woman sets it in her browser's settings.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from conftest import staff_client
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from anyun.clinical.signs import SignKind
from anyun.monitoring.services import ReadingInput, readings_record
from anyun.notify.services import notification_send
from tests.browser.support import PHONE_VIEWPORT

pytestmark = pytest.mark.django_db(transaction=True)

# 1280 x 1024 at 400% zoom (WCAG 1.4.10's reference).
ZOOM_400 = {"width": 320, "height": 256}
BROWSER_DEFAULT_PX = 16
TEXT_200_PX = 32
# A sticky or fixed bar may take at most this share of the viewport's height.
MAX_BAR_SHARE = 0.2
MIN_TARGET_PX = 44
MIN_TEXT_CONTRAST = 4.5
MIN_NON_TEXT_CONTRAST = 3.0


def _sign_in(page: Page, client: Client, base: str) -> None:
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])


def _woman_client(woman: Any) -> Client:
    client = Client()
    client.force_login(woman)
    return client


def _browser_text_size(page: Page, px: int) -> None:
    """The browser's own default font size setting (16 px unless she changes it)."""
    session = page.context.new_cdp_session(page)
    session.send("Page.setFontSizes", {"fontSizes": {"standard": px, "fixed": px}})


def _open(open_page: Any, *, viewport: dict[str, int], font_px: int = BROWSER_DEFAULT_PX) -> Page:
    page = open_page(viewport=viewport)
    if font_px != BROWSER_DEFAULT_PX:
        _browser_text_size(page, font_px)
    return page


@pytest.fixture
def her_pages(world: Any) -> dict[str, str]:
    """The woman's pages, with an urgent and an attention alarm, signs and a message."""
    woman = world.woman
    result = readings_record(
        actor=woman,
        woman=woman,
        items=[
            ReadingInput(kind=SignKind.BLOOD_PRESSURE, systolic=165, diastolic=112),
            ReadingInput(kind=SignKind.WEIGHT, value=Decimal("62.4")),
            ReadingInput(kind=SignKind.FETAL_HEART_RATE, value=Decimal("142")),
        ],
    )
    raised_temperature = readings_record(
        actor=woman,
        woman=woman,
        items=[ReadingInput(kind=SignKind.TEMPERATURE, value=Decimal("37.6"))],
    )
    grades = {alarm.grade for alarm in [*result.alarms, *raised_temperature.alarms]}
    assert {"urgent", "attention"} <= grades, grades
    notification_send(
        recipient=woman, kind="system", title="复诊提醒", body="请于下周二上午到产科门诊复诊。"
    )
    return {
        "home": "/",
        "check-in": "/monitoring/record/",
        "check-in result": f"/monitoring/checkins/{result.readings[0].batch}/",
        "my signs": "/monitoring/",
        "history": "/monitoring/signs/blood_pressure/",
        "chart": "/monitoring/chart/",
        "alarms": "/monitoring/alarms/",
        "record": "/pregnancy/",
        "inbox": "/inbox/",
        "me": "/accounts/me/",
        "help": "/help/",
    }


# --- 1. focus never under the tab bar ------------------------------------------------------

FOCUSED_BOX = """() => {
  const el = document.activeElement;
  const r = el.getBoundingClientRect();
  const bar = document.querySelector('.tabbar').getBoundingClientRect();
  return {name: el.name || el.id || el.tagName, type: el.type || '', inMain: !!el.closest('main'),
          top: r.top, bottom: r.bottom, left: r.left, right: r.right,
          barTop: bar.top, width: innerWidth, height: innerHeight};
}"""


@pytest.mark.parametrize("font_px", [BROWSER_DEFAULT_PX, TEXT_200_PX], ids=["100%", "200%"])
def test_tabbing_through_the_check_in_form_keeps_every_focus_above_the_tab_bar(
    font_px: int, live_server: Any, open_page: Any, make_woman: Any
) -> None:
    woman = make_woman(pregnant_weeks=30)
    page = _open(open_page, viewport=PHONE_VIEWPORT, font_px=font_px)
    _sign_in(page, _woman_client(woman), live_server.url)
    page.goto(f"{live_server.url}/monitoring/record/")
    expect(page.locator(".tabbar")).to_be_visible()
    # The form's text follows the browser's text size (200%: twice the 16 px default).
    assert page.evaluate("() => getComputedStyle(document.body).fontSize") == f"{font_px}px"
    hidden = []
    seen = []
    for _ in range(80):
        page.keyboard.press("Tab")
        box = page.evaluate(FOCUSED_BOX)
        if not box["inMain"]:
            continue
        seen.append(box["name"])
        fully_visible = (
            box["top"] >= 0
            and box["bottom"] <= box["barTop"] + 0.5
            and box["left"] >= 0
            and box["right"] <= box["width"] + 0.5
        )
        if not fully_visible:
            hidden.append(box)
        if box["type"] == "submit":
            break
    for name in ("fundal_height", "abdominal_circumference", "measured_at", "note"):
        assert name in seen, seen
    assert seen[-1] == "BUTTON", seen  # the save button was reached
    assert hidden == [], hidden


# --- 6. contrast ---------------------------------------------------------------------------

CONTRAST_JS = """([muted, fields]) => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const over = (top, under) => top.slice(0, 3).map((v, i) => v * top[3] + under[i] * (1 - top[3]));
  // Every colour the element may be drawn on: its first opaque background (a gradient's stops).
  const backgrounds = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const cs = getComputedStyle(node);
      const stops = (cs.backgroundImage.match(/rgba?\\([^)]+\\)/g) || []).map(parse);
      if (stops.length) return stops.map((s) => layers.reduceRight((acc, l) => over(l, acc), s));
      const bg = parse(cs.backgroundColor);
      if (bg && bg[3] > 0) { if (bg[3] >= 1) return [layers.reduceRight((acc, l) => over(l, acc), bg)]; layers.push(bg); }
    }
    return [layers.reduceRight((acc, l) => over(l, acc), [255, 255, 255])];
  };
  const visible = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const describe = (el) => el.tagName.toLowerCase() + '.' + [...el.classList].join('.') + ' "' + (el.textContent || el.name || '').trim().slice(0, 30) + '"';
  const out = [];
  for (const el of document.querySelectorAll(muted)) {
    if (!visible(el) || !el.textContent.trim()) continue;
    const fg = parse(getComputedStyle(el).color);
    const worst = Math.min(...backgrounds(el).map((bg) => ratio(fg, bg)));
    out.push({what: describe(el), kind: 'text', ratio: worst});
  }
  for (const el of document.querySelectorAll(fields)) {
    if (!visible(el)) continue;
    const border = parse(getComputedStyle(el).borderTopColor);
    const worst = Math.min(...backgrounds(el.parentElement).map((bg) => ratio(border, bg)));
    out.push({what: describe(el), kind: 'border', ratio: worst});
  }
  return out;
}"""
MUTED_TEXT = (
    ".muted, .help, .empty, .facts dt, .big-stat .label, .big-stat .unit, .latest .label, "
    ".table th, .who"
)
FIELDS = "input:not([type=checkbox]):not([type=radio]):not([type=hidden]), select, textarea"
# Every card and row background muted text sits on, built from the design system's classes.
CARD_KINDS = """() => {
  const kinds = ['card', 'card highlight', 'card danger-card', 'alarm', 'alarm grade-advice',
                 'alarm grade-attention', 'alarm grade-urgent', 'unread', 'msg'];
  const main = document.querySelector('main');
  for (const kind of kinds) {
    const box = document.createElement('div');
    box.className = kind;
    const p = document.createElement('p');
    p.className = 'muted';
    p.textContent = 'muted on ' + kind;
    box.append(p);
    main.append(box);
  }
}"""


def test_muted_text_and_field_borders_have_enough_contrast(
    her_pages: dict[str, str], live_server: Any, open_page: Any, world: Any
) -> None:
    page = _open(open_page, viewport=PHONE_VIEWPORT)
    _sign_in(page, _woman_client(world.woman), live_server.url)
    failures = []
    measured = {"text": 0, "border": 0}
    for name in ("home", "check-in", "check-in result", "alarms", "inbox", "history", "me"):
        page.goto(live_server.url + her_pages[name])
        if name == "home":
            page.evaluate(CARD_KINDS)
        for item in page.evaluate(CONTRAST_JS, [MUTED_TEXT, FIELDS]):
            measured[item["kind"]] += 1
            least = MIN_TEXT_CONTRAST if item["kind"] == "text" else MIN_NON_TEXT_CONTRAST
            if item["ratio"] < least:
                failures.append(f"{name}: {item['what']} {item['kind']} {item['ratio']:.2f}:1")
    # Every card kind was measured on the home page, and the check-in form's fields.
    assert measured["text"] >= 9 and measured["border"] >= 10, measured
    assert failures == [], "\n".join(failures)


# --- 8. reflow -----------------------------------------------------------------------------

REFLOW_JS = """() => {
  const bars = [...document.querySelectorAll('.topbar, .tabbar')].map((el) => {
    const cs = getComputedStyle(el);
    return {bar: el.className, position: cs.position, height: el.getBoundingClientRect().height};
  });
  return {scrollWidth: document.documentElement.scrollWidth, width: innerWidth, height: innerHeight, bars,
          text: parseFloat(getComputedStyle(document.body).fontSize)};
}"""

REFLOW_CASES = [
    pytest.param(ZOOM_400, BROWSER_DEFAULT_PX, id="320px-400%-zoom"),
    pytest.param(PHONE_VIEWPORT, TEXT_200_PX, id="375px-200%-text"),
]


def _reflow_failures(page: Page, name: str, *, font_px: int) -> list[str]:
    found = page.evaluate(REFLOW_JS)
    failures = []
    if found["text"] != font_px:  # the text really is at the size under test
        failures.append(f"{name}: text {found['text']} px, not {font_px} px")
    if found["scrollWidth"] > found["width"]:
        failures.append(f"{name}: {found['scrollWidth']} px wide in {found['width']} px")
    for bar in found["bars"]:
        share = bar["height"] / found["height"]
        if bar["position"] in {"sticky", "fixed"} and share > MAX_BAR_SHARE:
            failures.append(f"{name}: {bar['position']} {bar['bar']} covers {share:.0%}")
    return failures


@pytest.mark.parametrize(("viewport", "font_px"), REFLOW_CASES)
def test_her_pages_reflow_without_sideways_scrolling_or_a_tall_sticky_bar(
    viewport: dict[str, int],
    font_px: int,
    her_pages: dict[str, str],
    live_server: Any,
    open_page: Any,
    world: Any,
) -> None:
    page = _open(open_page, viewport=viewport, font_px=font_px)
    _sign_in(page, _woman_client(world.woman), live_server.url)
    failures = []
    for name, path in her_pages.items():
        page.goto(live_server.url + path)
        failures += _reflow_failures(page, name, font_px=font_px)
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize(("viewport", "font_px"), REFLOW_CASES)
def test_public_clinic_and_console_pages_reflow(
    viewport: dict[str, int], font_px: int, live_server: Any, open_page: Any, world: Any
) -> None:
    from anyun.staff.selectors import clinician_for

    clinician = clinician_for(world.inside)
    assert clinician is not None
    visits: list[tuple[Client | None, dict[str, str]]] = [
        (
            None,
            {
                "welcome": "/",
                "directory": "/staff/",
                "clinician profile": f"/staff/{clinician.public_id}/",
                "sign in": "/accounts/login/",
                "staff sign in": "/accounts/staff/login/",
            },
        ),
        (staff_client(world.inside), {"patients": "/clinic/", "alarms": "/clinic/alarms/"}),
        (staff_client(world.quality), {"console": "/console/"}),
    ]
    failures = []
    for client, pages in visits:
        page = _open(open_page, viewport=viewport, font_px=font_px)
        if client is not None:
            _sign_in(page, client, live_server.url)
        for name, path in pages.items():
            page.goto(live_server.url + path)
            failures += _reflow_failures(page, name, font_px=font_px)
    assert failures == [], "\n".join(failures)


# --- 9. touch targets ----------------------------------------------------------------------

TARGETS_JS = """(least) => {
  const visible = (el) => { const r = el.getBoundingClientRect(); const cs = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && !el.closest('.visually-hidden'); };
  // WCAG 2.5.5's inline exception: a link inside a sentence of running text.
  const inSentence = (el) => {
    if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
    let block = el.parentElement;
    while (block && getComputedStyle(block).display.startsWith('inline')) block = block.parentElement;
    const copy = block.cloneNode(true);
    copy.querySelectorAll('a, button, input, select, textarea').forEach((n) => n.remove());
    return copy.textContent.replace(/[\\s·|,，。.:：;；()（）\\-—]/g, '').length > 0;
  };
  const targets = new Set();
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    if (['checkbox', 'radio'].includes(el.type) && el.labels && el.labels.length) {
      targets.add(el.closest('label') || el.labels[0]);
    } else if (!inSentence(el)) {
      targets.add(el);
    }
  }
  const small = [];
  for (const el of targets) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width < least - 0.01 || r.height < least - 0.01) {
      const text = (el.textContent || el.name || el.type || '').trim().replace(/\\s+/g, ' ').slice(0, 24);
      small.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${text}" ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
  }
  return {count: targets.size, small};
}"""


def _small_targets(page: Page, name: str) -> list[str]:
    found = page.evaluate(TARGETS_JS, MIN_TARGET_PX)
    assert found["count"] > 0, name
    return [f"{name}: {target}" for target in found["small"]]


def test_every_target_on_her_pages_and_the_sign_in_pages_is_44_px_or_more(
    her_pages: dict[str, str], live_server: Any, open_page: Any, world: Any, memory_sms: Any
) -> None:
    failures = []
    page = _open(open_page, viewport=PHONE_VIEWPORT)
    for name, path in {"welcome": "/", "sign in": "/accounts/login/"}.items():
        page.goto(live_server.url + path)
        failures += _small_targets(page, name)
    page.fill("#id_phone", "13900009999")
    page.check("#id_accept_terms")
    page.click("#phone-form button[type=submit]")
    expect(page.get_by_test_id("sent-to")).to_be_visible()
    page.wait_for_load_state("load")
    failures += _small_targets(page, "sign in, code")

    page = _open(open_page, viewport=PHONE_VIEWPORT)
    _sign_in(page, _woman_client(world.woman), live_server.url)
    for name, path in her_pages.items():
        page.goto(live_server.url + path)
        failures += _small_targets(page, name)
    assert failures == [], "\n".join(failures)


# --- 10. text size -------------------------------------------------------------------------

SIZES_JS = """() => ({
  root: parseFloat(getComputedStyle(document.documentElement).fontSize),
  body: parseFloat(getComputedStyle(document.body).fontSize),
  h1: parseFloat(getComputedStyle(document.querySelector('h1')).fontSize),
})"""


def test_the_text_size_switch_makes_text_larger_on_every_page_until_she_switches_back(
    her_pages: dict[str, str], live_server: Any, open_page: Any, world: Any
) -> None:
    page = _open(open_page, viewport=PHONE_VIEWPORT)
    _sign_in(page, _woman_client(world.woman), live_server.url)
    page.goto(live_server.url + her_pages["my signs"])
    assert page.evaluate(SIZES_JS)["root"] == 16
    page.get_by_role("button", name="大字").click()
    expect(page.get_by_role("button", name="标准字")).to_be_visible()
    assert page.url == live_server.url + her_pages["my signs"]  # back where she was
    large = page.evaluate(SIZES_JS)
    assert large["root"] == 20 and large["body"] == 20
    assert large["h1"] == pytest.approx(1.45 * 20)
    for name in ("home", "check-in", "inbox"):
        page.goto(live_server.url + her_pages[name])
        assert page.evaluate(SIZES_JS)["body"] == 20, name
    page.get_by_role("button", name="标准字").click()
    expect(page.get_by_role("button", name="大字")).to_be_visible()
    assert page.evaluate(SIZES_JS)["body"] == 16


def test_the_browser_text_size_setting_is_honoured_and_the_switch_scales_it(
    live_server: Any, open_page: Any, make_woman: Any
) -> None:
    page = _open(open_page, viewport=PHONE_VIEWPORT, font_px=24)
    _sign_in(page, _woman_client(make_woman(pregnant_weeks=12)), live_server.url)
    page.goto(f"{live_server.url}/monitoring/record/")
    sizes = page.evaluate(SIZES_JS)
    assert sizes == {"root": 24, "body": 24, "h1": pytest.approx(1.45 * 24)}
    page.get_by_role("button", name="大字").click()
    expect(page.get_by_role("button", name="标准字")).to_be_visible()
    assert page.evaluate(SIZES_JS)["body"] == 30  # 125% of her browser's 24 px
