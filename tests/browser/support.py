"""Helpers of the browser journeys: the queue worker, SMS codes, the live feed, screenshots."""

from __future__ import annotations

import re
import signal
import time
from pathlib import Path
from typing import Any

from channels.layers import get_channel_layer
from django.core.management import call_command
from playwright.sync_api import Page

from anyun.notify.adapters import user_group

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


def wait_for_sms_code(messages: list[tuple[str, str]], phone: str, *, timeout: float = 10.0) -> str:
    """The 6-digit code of the one SMS to `phone`, once a worker elsewhere has sent it.

    For journeys on `asgi_server`, whose embedded worker delivers the SMS on its own.
    """
    deadline = time.monotonic() + timeout
    while not any(to == phone for to, _text in messages):
        assert time.monotonic() < deadline, f"No SMS to {phone} within {timeout} s: {messages}"
        time.sleep(0.05)
    return sms_code_for(messages, phone)


def wait_for_live_feed(user: Any, *, timeout: float = 10.0) -> None:
    """Wait until a page of `user` has joined their group on the in-memory channel layer.

    The feed's consumer joins before it accepts, so from then on a push to the user queues
    for that socket instead of being lost. Only the in-memory layer (one process) is seen.
    """
    layer = get_channel_layer()
    groups = getattr(layer, "groups", None)
    assert isinstance(groups, dict), f"not the in-memory channel layer: {layer!r}"
    group = user_group(user.public_id.hex)
    deadline = time.monotonic() + timeout
    while not groups.get(group):
        assert time.monotonic() < deadline, f"No live feed of {user} joined within {timeout} s."
        time.sleep(0.05)


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True)
    return path
