"""Our pages run under the production Content-Security-Policy without a single violation:
nothing of ours (nor htmx, which would add its own <style> for loading indicators) puts a
style or script inline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.support import woman_signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_woman_s_home_and_the_sign_in_page_report_no_csp_violation(
    live_server: Any, open_page: Callable[..., Page], make_woman: Any
) -> None:
    page = open_page(viewport={"width": 375, "height": 812})
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.wait_for_load_state("networkidle")
    woman_signed_in(page, live_server.url, make_woman(pregnant_weeks=20))
    page.goto(f"{live_server.url}/")
    page.wait_for_load_state("networkidle")
    assert problems == []
