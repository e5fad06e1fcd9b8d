"""The API documentation page works under our own Content-Security-Policy: its assets are
served from the installed package (no CDN, no inline script) and it lists the operations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_api_docs_load_and_list_the_operations(
    live_server: Any, open_page: Callable[..., Page]
) -> None:
    page = open_page(viewport={"width": 1280, "height": 900})
    blocked: list[str] = []
    page.on(
        "console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None
    )
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(f"{live_server.url}/api/docs")
    page.wait_for_selector(".opblock", timeout=10_000)
    operations = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/auth/staff-token" in [o.strip() for o in operations]
    assert len(operations) >= 30
    assert blocked == []
    assert failed == []


def test_the_favicon_is_served(live_server: Any, open_page: Callable[..., Page]) -> None:
    page = open_page(viewport={"width": 375, "height": 812})
    response = page.goto(f"{live_server.url}/favicon.ico")
    assert response is not None and response.ok
