"""On the phone the fixed tab bar never covers the end of a page: the page's bottom padding
follows the tab bar's real height."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from anyun.clinical.signs import SignKind
from anyun.monitoring.services import ReadingInput, readings_record
from tests.browser.support import woman_signed_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_812 = {"width": 375, "height": 812}


def _check_in(woman: Any) -> str:
    """A check-in with an urgent blood pressure and several other signs: a long result."""
    result = readings_record(
        actor=woman,
        woman=woman,
        items=[
            ReadingInput(kind=SignKind.BLOOD_PRESSURE, systolic=165, diastolic=112),
            ReadingInput(kind=SignKind.WEIGHT, value=Decimal("62.4")),
            ReadingInput(kind=SignKind.TEMPERATURE, value=Decimal("36.8")),
            ReadingInput(kind=SignKind.PULSE, value=Decimal("88")),
            ReadingInput(kind=SignKind.FETAL_HEART_RATE, value=Decimal("142")),
            ReadingInput(kind=SignKind.FUNDAL_HEIGHT, value=Decimal("28")),
        ],
    )
    return str(result.readings[0].batch)


def _bottom_of_content(page: Page) -> float:
    return float(
        page.evaluate(
            """() => {
                const main = document.querySelector("main.page");
                const last = main.lastElementChild;
                return last.getBoundingClientRect().bottom;
            }"""
        )
    )


def _tabbar_top(page: Page) -> float:
    return float(
        page.evaluate("() => document.querySelector('.tabbar').getBoundingClientRect().top")
    )


@pytest.mark.parametrize("font_px", [16, 30])
def test_the_end_of_the_check_in_result_is_above_the_tab_bar(
    font_px: int, live_server: Any, open_page: Any, make_woman: Any
) -> None:
    woman = make_woman(pregnant_weeks=30)
    batch = _check_in(woman)
    page = open_page(viewport=PHONE_812)
    woman_signed_in(page, live_server.url, woman)
    page.goto(f"{live_server.url}/monitoring/checkins/{batch}/")
    expect(page.locator(".tabbar")).to_be_visible()
    # A larger text size (the phone's accessibility setting) makes the tab bar taller.
    page.evaluate(f"() => {{ document.documentElement.style.fontSize = '{font_px}px'; }}")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert page.evaluate("() => document.documentElement.scrollHeight") > PHONE_812["height"]

    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(100)

    assert _bottom_of_content(page) <= _tabbar_top(page)
    # Moving focus to the last link keeps it clear of the bar too (scroll-padding-bottom).
    page.evaluate("() => window.scrollTo(0, 0)")
    page.locator("main.page a.btn").last.focus()
    link_bottom = page.locator("main.page a.btn").last.bounding_box()
    assert link_bottom is not None
    assert link_bottom["y"] + link_bottom["height"] <= _tabbar_top(page)
