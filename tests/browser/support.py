"""Helpers of the browser journeys: the queue worker, SMS codes, the live feed, screenshots,
the axe-core accessibility check, the staff sign-in and her signed-in session."""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from channels.layers import get_channel_layer
from conftest import PASSWORD, woman_client
from django.conf import settings
from django.core.management import call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page

from anyun.accounts.models import User
from anyun.notify.adapters import user_group

PROJECT = Path(__file__).resolve().parents[2]
SCREENSHOTS = PROJECT / "docs" / "screenshots"
# Fetched from the npm registry by `make test` (package.json); kept out of build/vendor, which
# is a STATICFILES_DIRS entry, so production never serves it.
AXE_SCRIPT = PROJECT / "build" / "test-vendor" / "axe-core" / "axe.min.js"
# The page loads axe from its own origin, so the production CSP (script-src 'self') lets it
# run unchanged; Playwright answers this path itself, the server never sees it.
AXE_PATH = "/__axe-core__/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
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


def run_queued_jobs_until(done: Callable[[], bool], *, timeout: float = 10.0) -> None:
    """Run the ready jobs until `done()` holds, or `timeout` seconds have passed: the server's
    embedded worker may be running the very job the test waits for, which a single run of the
    ready jobs then skips."""
    deadline = time.monotonic() + timeout
    while True:
        run_queued_jobs()
        if done() or time.monotonic() > deadline:
            return
        time.sleep(0.05)


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


def totp_now(user: User) -> str:
    """The code `user`'s authenticator app shows now."""
    device = TOTPDevice.objects.get(user=user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def staff_sign_in(page: Page, base: str, user: User) -> None:
    """Sign `user` in on the staff sign-in form (password and the current authenticator
    code) and wait for the clinic home page it leads to."""
    page.goto(f"{base}/accounts/staff/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_token", totp_now(user))
    page.click("#staff-login button[type=submit]")
    page.wait_for_url(f"{base}/clinic/")


def woman_signed_in(page: Page, base: str, woman: User) -> None:
    """Give the page's browser context the session cookie of a test client signed in as
    `woman`, so that her pages open signed in without the SMS sign-in."""
    cookie = woman_client(woman).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


_AXE_LOAD = """(src) => new Promise((resolve, reject) => {
  const script = document.createElement("script");
  script.src = src;
  script.onload = resolve;
  script.onerror = () => reject(new Error("axe-core did not load from " + src));
  document.head.appendChild(script);
})"""

_AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    rule: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
  }));
}"""


def _axe_serve(route: Any) -> None:
    route.fulfill(path=str(AXE_SCRIPT), content_type="text/javascript; charset=utf-8")


def _axe_violations(page: Page) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # A <script src> of our own origin, as the page's own scripts are loaded (Playwright's
        # add_script_tag fails on any CSP report of the page while it loads, even unrelated).
        parts = urlsplit(page.url)
        page.evaluate(_AXE_LOAD, f"{parts.scheme}://{parts.netloc}{AXE_PATH}")
    violations: list[dict[str, Any]] = page.evaluate(_AXE_RUN, AXE_TAGS)
    return violations


def axe_check(page: Page, *, viewports: tuple[dict[str, int], ...] | None = None) -> None:
    """Fail unless axe-core finds no WCAG 2.1 A/AA violation on the current page.

    Checked at the phone width and at the desktop width (or at `viewports`), then the page's
    own size is put back. axe is served under the page's own origin by a Playwright route
    (see AXE_PATH), so the page keeps the production Content-Security-Policy.
    """
    assert AXE_SCRIPT.exists(), f"{AXE_SCRIPT} is missing: `make test` fetches it (package.json)."
    context = page.context
    if not getattr(context, "_anyun_axe_routed", False):
        context.route(f"**{AXE_PATH}", _axe_serve)
        context._anyun_axe_routed = True  # type: ignore[attr-defined]
    original = page.viewport_size
    found: list[str] = []
    try:
        for viewport in viewports or (PHONE_VIEWPORT, DESKTOP_VIEWPORT):
            page.set_viewport_size(viewport)  # type: ignore[arg-type]
            for v in _axe_violations(page):
                nodes = "\n".join(f"      {n['target']}: {n['summary']}" for n in v["nodes"])
                found.append(
                    f"  [{viewport['width']} px] {v['rule']} ({v['impact']}): {v['help']}\n{nodes}"
                )
    finally:
        if original is not None:
            page.set_viewport_size(original)
    assert not found, f"axe-core: WCAG 2.1 A/AA violations on {page.url}:\n" + "\n".join(found)
