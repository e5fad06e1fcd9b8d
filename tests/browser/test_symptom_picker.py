"""On a 375 px phone in Chinese, a frightened woman finds her symptom in its group at once, every
box is a large target, and ticking "thoughts of harming yourself or your baby" shows the crisis
guidance with the hospital's lines before anything else."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from anyun.monitoring.services import crisis_line_save
from tests.browser.support import PHONE_VIEWPORT, axe_check, screenshot, woman_signed_in

pytestmark = pytest.mark.django_db(transaction=True)

GROUPS = [
    "出血和流液",
    "疼痛",
    "头部、眼睛、心脏和呼吸",
    "肿胀、发热、呕吐、瘙痒、疲惫",
    "胎动",
    "情绪和想法",
]


def test_the_grouped_picker_at_375_px_and_the_crisis_guidance(
    open_page: Any, live_server: Any, make_woman: Any, make_staff: Any
) -> None:
    woman = make_woman(pregnant_weeks=30)
    crisis_line_save(
        actor=make_staff("quality_manager"),
        name="心理援助热线",
        number="010-1234 5678",
        hours="24小时",
    )
    page = open_page(viewport=PHONE_VIEWPORT)
    woman_signed_in(page, live_server.url, woman)
    page.goto(f"{live_server.url}/monitoring/record/")
    picker = page.get_by_test_id("symptom-picker")
    legends = picker.locator("fieldset.symptom-group > legend").all_inner_texts()
    assert legends == GROUPS
    assert "产后" not in legends  # she is pregnant: no after-birth group
    # Large touch targets, nothing wider than the phone.
    boxes = picker.locator("label.symptom-check")
    assert boxes.count() == 18  # every symptom but heavy bleeding after birth
    for index in range(boxes.count()):
        box = boxes.nth(index).bounding_box()
        assert box is not None
        assert box["height"] >= 44, boxes.nth(index).inner_text()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    page.get_by_test_id("to-symptoms").click()
    screenshot(page, "symptom-picker.png")
    axe_check(page)

    mood = picker.locator("fieldset.symptom-group", has_text="情绪和想法")
    mood.get_by_text("有伤害自己或宝宝的念头").click()
    expect(mood.locator("input[type=checkbox]")).to_be_checked()
    page.get_by_role("button", name="保存").click()

    guidance = page.get_by_test_id("crisis-guidance")
    expect(guidance).to_be_visible()
    expect(guidance).to_contain_text("你并不孤单")
    expect(guidance.get_by_role("link", name="心理援助热线")).to_have_attribute(
        "href", "tel:01012345678"
    )
    expect(guidance).to_contain_text("拨打120")
    # The guidance comes first, above the "seek care now" banner.
    first = page.locator("main.page [data-testid]").first
    expect(first).to_have_attribute("data-testid", "crisis-guidance")
    screenshot(page, "crisis-guidance.png")
    axe_check(page)
