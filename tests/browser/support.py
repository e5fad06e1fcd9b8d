"""Helpers of the browser journeys: the queue worker, SMS codes, screenshots."""

from __future__ import annotations

import re
import signal
from pathlib import Path

from django.core.management import call_command
from playwright.sync_api import Page

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE_VIEWPORT = {"width": 375, "height": 812}
DESKTOP_VIEWPORT = {"width": 1280, "height": 800}
_CODE_RE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
_WORKER_SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]


def run_queued_jobs() -> None:
    """Run every ready job with django-tasks-db's own `db_worker` command, then return.

    The command installs its own SIGINT/SIGTERM/SIGQUIT handlers; pytest's are put back.
    """
    saved = {sig: signal.getsignal(sig) for sig in _WORKER_SIGNALS}
    try:
        call_command(
            "db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0
        )
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def sms_code_for(messages: list[tuple[str, str]], phone: str) -> str:
    """The 6-digit code of the one SMS sent to `phone`."""
    texts = [text for to, text in messages if to == phone]
    assert len(texts) == 1, messages
    found = _CODE_RE.findall(texts[0])
    assert len(found) == 1, texts[0]
    return str(found[0])


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True)
    return path
