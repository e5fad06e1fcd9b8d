"""A consultation in two browsers (and a call forced through a real TURN relay): on a 375 px phone in zh-Hans she joins the live queue and
says what she wants to ask; the clinician accepts her at the workstation and opens the
consultation with her question on screen; they exchange messages live (her message shows as
read once he has it), a video call connects between the two Chromium pages with fake media
devices and video bytes arrive; he refers her in person and she reads the instructions; he
writes and signs the record and she reads it.

Pages are driven by ids, names, `data-testid` attributes and URLs; the texts compared are
translated here in the page's own language.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time as _time
from collections.abc import Callable, Iterator
from datetime import time
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import Browser, Page, expect

from anyun.accounts.models import User
from anyun.consultation.models import Consultation, ConsultationStatus, Message, ReferralUrgency
from anyun.scheduling import services as scheduling
from anyun.scheduling.tests.conftest import seen_in_person
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, AsgiServer
from tests.browser.support import (
    DESKTOP_VIEWPORT,
    PHONE_VIEWPORT,
    axe_check,
    screenshot,
    staff_sign_in,
    wait_for_sms_code,
)

pytestmark = pytest.mark.browser

MEDIA_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    # Two pages of one machine: plain host candidates, loopback included, no STUN/TURN.
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--allow-loopback-in-peer-connection",
]
CALL_TIMEOUT_MS = 20_000


@pytest.fixture
def media_pages(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Pages of a Chromium with fake camera and microphone (its own, beside the package's)."""
    chromium = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + MEDIA_ARGS
    )
    contexts = []

    def open_(*, viewport: dict[str, int]) -> Page:
        context = chromium.new_context(
            viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()
    chromium.close()


VIDEO_BYTES = """async () => {
  const stats = await window.anyunPeer.getStats();
  let n = 0;
  stats.forEach((s) => { if (s.type === "inbound-rtp" && s.kind === "video") n += s.bytesReceived; });
  return n;
}"""

# The candidate types of the pairs the call runs on.
NOMINATED_KINDS = """async () => {
  const stats = await window.anyunPeer.getStats();
  const byId = {};
  stats.forEach((s) => { byId[s.id] = s; });
  const kinds = [];
  stats.forEach((s) => {
    if (s.type === "candidate-pair" && s.state === "succeeded" && s.nominated) {
      kinds.push(byId[s.localCandidateId].candidateType);
    }
  });
  return kinds;
}"""


def poll(page: Page, script: str, done: Callable[[Any], bool]) -> Any:
    """The page's answer to `script`, asked again until `done` holds or the call timeout passes.

    The call's statistics are a promise, and `wait_for_function` does not await a predicate's
    promise (a pending promise counts as true), so the polling happens here.
    """
    deadline = _time.monotonic() + CALL_TIMEOUT_MS / 1000
    while not done(answer := page.evaluate(script)) and _time.monotonic() < deadline:
        page.wait_for_timeout(200)
    return answer


def wait_for_video(page: Page) -> int:
    """Video bytes received by the page, once some have arrived."""
    return int(poll(page, VIDEO_BYTES, lambda n: n > 0))


def test_queue_pre_consultation_chat_video_referral_and_record(
    asgi_server: AsgiServer,
    media_pages: Callable[..., Page],
    memory_sms: list[tuple[str, str]],
    make_woman: Callable[..., User],
    make_clinician: Callable[..., User],
) -> None:
    base = asgi_server.url
    head = make_clinician(head=True)
    clinician = make_clinician()
    woman = seen_in_person(make_woman(pregnant_weeks=28), head=head, visit=make_clinician())
    for weekday in range(7):  # the department consults online all day, whatever day this runs
        scheduling.schedule_rule_add(
            actor=head,
            department=clinician.clinician_profile.department,
            clinician=None,
            weekday=weekday,
            start=time(0),
            end=time(23, 30),
            slot_minutes=30,
            capacity=3,
        )

    # She signs in on her phone and joins the live queue.
    phone = media_pages(viewport=PHONE_VIEWPORT)
    phone.goto(f"{base}/accounts/login/")
    phone.fill("#id_phone", woman.phone)
    phone.check("#id_accept_terms")
    phone.click("#phone-form button[type=submit]")
    expect(phone.locator("#code-form")).to_be_visible()
    phone.fill("#id_code", wait_for_sms_code(memory_sms, woman.phone))
    phone.click("#code-form button[type=submit]")
    phone.wait_for_url(f"{base}/")
    phone.goto(f"{base}/scheduling/queue/")
    phone.locator("[data-testid=queue-join]").first.click()
    phone.wait_for_url(f"{base}/scheduling/queue/")

    # Before the consultation she says what she wants to ask (no warning sign ticked).
    phone.click("[data-testid=pre-link]")
    expect(phone.locator("[data-testid=symptom-picker]")).to_be_visible()
    axe_check(phone)
    screenshot(phone, "consultation-pre.png")
    phone.fill("#id_questions", "晚上小腿抽筋，需要补钙吗？")
    phone.click("[data-testid=pre-send]")
    expect(phone.locator("[data-testid=pre-sent]")).to_be_visible()
    phone.click("[data-testid=pre-back]")
    phone.wait_for_url(f"{base}/scheduling/queue/")

    # The clinician accepts her and opens the consultation with her question on screen.
    desk = media_pages(viewport=DESKTOP_VIEWPORT)
    staff_sign_in(desk, base, clinician)
    desk.goto(f"{base}/scheduling/clinic/")
    desk.locator("[data-testid=accept]").click()
    desk.wait_for_url(f"{base}/scheduling/clinic/")
    consultation = Consultation.objects.get()
    desk.click("[data-testid=consultations-link]")
    desk.locator("[data-testid=open-consultations] a").first.click()
    desk.wait_for_url(f"{base}/consultation/{consultation.public_id}/")
    expect(desk.locator("[data-testid=pre-summary-questions]")).to_have_text(
        "晚上小腿抽筋，需要补钙吗？"
    )
    expect(desk.locator("[data-testid=side-panel]")).to_be_visible()

    # She goes to her consultation from the queue page.
    phone.goto(f"{base}/scheduling/queue/")
    phone.click("[data-testid=consultation-go]")
    phone.locator("[data-testid=consultation-link]").first.click()
    phone.wait_for_url(f"{base}/consultation/{consultation.public_id}/")
    expect(phone.locator("[data-chat]")).to_have_attribute("data-connected", "1")
    expect(desk.locator("[data-chat]")).to_have_attribute("data-connected", "1")

    # They write to each other, live; her message shows as read once he has it.
    phone.fill("#id_text", "医生您好")
    phone.click("[data-testid=chat-send]")
    expect(desk.locator("[data-testid=message]")).to_have_count(1)
    expect(desk.locator("[data-testid=message]").first).to_contain_text("医生您好")
    expect(phone.locator(".chat-msg.mine.read")).to_have_count(1)
    desk.fill("#id_text", "您好，请说说抽筋的情况。")
    desk.click("[data-testid=chat-send]")
    expect(phone.locator("[data-testid=message]")).to_have_count(2)
    expect(phone.locator("[data-testid=message]").nth(1)).to_contain_text("请说说抽筋的情况")
    assert Message.objects.count() == 2
    axe_check(phone)
    screenshot(phone, "consultation-chat-phone.png")

    # A video call between the two pages, with no STUN or TURN server.
    desk.click("[data-testid=call-start]")
    expect(phone.locator("[data-testid=call-answer]")).to_be_visible()
    phone.click("[data-testid=call-answer]")
    for page in (desk, phone):
        page.wait_for_function(
            "() => window.anyunPeer && window.anyunPeer.connectionState === 'connected'",
            timeout=CALL_TIMEOUT_MS,
        )
        expect(page.locator("[data-testid=call-state]")).to_have_text("connected")
    for page in (desk, phone):
        assert wait_for_video(page) > 0
    screenshot(desk, "consultation-workstation.png")
    desk.click("[data-testid=call-hangup]")

    # He refers her in person; her page shows what to do.
    desk.check("#id_urgency_1")  # today
    desk.fill("#id_reason", "小腿抽筋伴水肿，请今天来门诊测血压和化验。")
    desk.click("[data-testid=referral-send]")
    desk.wait_for_url(f"{base}/consultation/{consultation.public_id}/")
    consultation.refresh_from_db()
    assert (consultation.status, consultation.referral_urgency) == (
        ConsultationStatus.REFERRED,
        ReferralUrgency.TODAY,
    )
    assert consultation.calls.get().ended_at is not None
    with translation.override("zh-hans"):
        today = str(ReferralUrgency.TODAY.label)
    expect(phone.locator("[data-testid=referral-urgency]")).to_have_text(today)
    expect(phone.locator("[data-testid=referral-reason]")).to_contain_text("请今天来门诊")
    axe_check(phone)
    screenshot(phone, "consultation-referral-phone.png")

    # He writes and signs the record (drafted from the session); she reads it.
    desk.click("[data-testid=record-link]")
    expect(desk.locator("#id_history")).to_contain_text("晚上小腿抽筋")
    desk.check("input[name=diagnoses][value='Z34.9']")
    desk.click("[data-testid=record-sign]")
    expect(desk.locator("[data-testid=record-version]")).to_have_count(1)
    screenshot(desk, "consultation-record-workstation.png")
    phone.goto(f"{base}/consultation/{consultation.public_id}/record/")
    expect(phone.locator("[data-testid=record-version]")).to_have_count(1)
    expect(phone.locator("[data-testid=record-diagnoses]")).to_contain_text("Z34.9 正常妊娠监督")
    expect(phone.locator("[data-testid=record-pdf]")).to_be_visible()
    axe_check(phone)
    screenshot(phone, "consultation-record-phone.png")
    width: Any = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"], f"the page is {width} px wide"


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stun_answers(port: int, process: subprocess.Popen[bytes], wait_s: float = 15.0) -> bool:
    """Whether the server answers a STUN Binding request (RFC 8489 s.5) before `wait_s` passes.

    A started process has not necessarily bound its sockets yet; an answer says it has.
    """
    cookie = (0x2112A442).to_bytes(4, "big")
    deadline = _time.monotonic() + wait_s
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.2)
        while _time.monotonic() < deadline and process.poll() is None:
            transaction = secrets.token_bytes(12)
            sock.sendto(b"\x00\x01\x00\x00" + cookie + transaction, ("127.0.0.1", port))
            try:
                answer = sock.recv(2048)
            except OSError:  # timed out, or nothing listens yet (ICMP port unreachable)
                continue
            if answer[:2] == b"\x01\x01" and answer[8:20] == transaction:
                return True
    return False


@pytest.fixture
def turn_server() -> Iterator[tuple[int, str]]:
    """Debian's coturn on loopback with a TURN REST API secret (use-auth-secret)."""
    binary = shutil.which("turnserver")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("coturn (turnserver) is not installed")
        pytest.skip("coturn (turnserver) is not installed")
    port, secret = _free_udp_port(), secrets.token_hex(16)
    low = 49152 + (port % 5000) * 2
    process = subprocess.Popen(
        [
            binary,
            "-n",
            "--listening-ip=127.0.0.1",
            "--relay-ip=127.0.0.1",
            f"--listening-port={port}",
            f"--min-port={low}",
            f"--max-port={low + 200}",
            "--use-auth-secret",
            f"--static-auth-secret={secret}",
            "--realm=anyun.test",
            "--no-tls",
            "--no-dtls",
            "--no-cli",
            "--allow-loopback-peers",
            "--fingerprint",
            "--log-file=stdout",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _stun_answers(port, process), "turnserver did not answer on its port"
        yield port, secret
    finally:
        process.terminate()
        process.wait(timeout=10)


def _sign_in_woman(page: Page, base: str, woman: User, sms: list[tuple[str, str]]) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_phone", woman.phone)
    page.check("#id_accept_terms")
    page.click("#phone-form button[type=submit]")
    expect(page.locator("#code-form")).to_be_visible()
    page.fill("#id_code", wait_for_sms_code(sms, woman.phone))
    page.click("#code-form button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_a_call_connects_through_a_turn_relay_with_our_credentials(
    asgi_server: AsgiServer,
    media_pages: Callable[..., Page],
    memory_sms: list[tuple[str, str]],
    make_woman: Callable[..., User],
    make_clinician: Callable[..., User],
    turn_server: tuple[int, str],
    settings: Any,
) -> None:
    port, secret = turn_server
    settings.ANYUN_TURN_URLS = [f"turn:127.0.0.1:{port}?transport=udp"]
    settings.ANYUN_TURN_SECRET = secret
    base = asgi_server.url
    head = make_clinician(head=True)
    clinician = make_clinician()
    woman = seen_in_person(make_woman(pregnant_weeks=28), head=head, visit=make_clinician())
    entry = scheduling.queue_join(woman=woman, department=clinician.clinician_profile.department)
    scheduling.queue_accept(actor=clinician, entry_id=entry.public_id)
    consultation = Consultation.objects.get()
    room = f"{base}/consultation/{consultation.public_id}/"

    phone = media_pages(viewport=PHONE_VIEWPORT)
    _sign_in_woman(phone, base, woman, memory_sms)
    desk = media_pages(viewport=DESKTOP_VIEWPORT)
    staff_sign_in(desk, base, clinician)
    for page in (phone, desk):
        page.goto(room)
        expect(page.locator("[data-chat]")).to_have_attribute("data-connected", "1")
        # Only relayed candidates: the call can connect through coturn alone.
        page.evaluate(
            "() => { document.querySelector('[data-chat]').dataset.icePolicy = 'relay'; }"
        )
    desk.click("[data-testid=call-start]")
    expect(phone.locator("[data-testid=call-answer]")).to_be_visible()
    phone.click("[data-testid=call-answer]")
    for page in (desk, phone):
        page.wait_for_function(
            "() => window.anyunPeer && window.anyunPeer.connectionState === 'connected'",
            timeout=CALL_TIMEOUT_MS,
        )
        kinds = poll(page, NOMINATED_KINDS, bool)
        assert kinds and set(kinds) == {"relay"}, kinds
        assert wait_for_video(page) > 0
