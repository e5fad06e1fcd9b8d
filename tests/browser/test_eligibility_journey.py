"""Follow-up eligibility by evidence (POL-13), in headless Chromium: she has no in-person visit
on the hospital's record, so on her phone (375 px, zh-Hans) booking and the live queue refuse
her and say why; her home page's notice links to the upload page. A text file renamed .png is
refused with a clear message and nothing is stored; a small PNG is uploaded. Her clinician, at
the workstation (1280 px, signed in with the second factor), finds it in the review list and
opens the file; not accepting it asks for a reason at the field, and with one it is not
accepted; she reads the reason and uploads again; the clinician accepts the second upload, and
she books a time and joins the live queue without the refusal.

Pages are driven by ids, names, `data-testid` attributes and URLs; the texts compared are
translated here in the page's own language.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext
from PIL import Image
from playwright.sync_api import Page, expect

from anyun.accounts.models import User
from anyun.assessment import selectors
from anyun.assessment.models import EligibilityEvidence, EvidenceStatus
from anyun.audit.models import AuditEvent
from anyun.careteam.services import care_team_assign
from anyun.notify.models import Notification
from anyun.scheduling import services as scheduling
from anyun.scheduling.models import Appointment, AppointmentStatus, QueueEntry, QueueStatus
from tests.browser.support import (
    DESKTOP_VIEWPORT,
    PHONE_VIEWPORT,
    SCREENSHOTS,
    axe_check,
    screenshot,
    staff_sign_in,
    woman_signed_in,
)

pytestmark = pytest.mark.browser

OpenPage = Callable[..., Page]
REJECT_REASON = "照片模糊，看不清诊断和医院盖章，请重新拍摄上传。"
HOSPITAL = "北京市朝阳区妇幼保健院"


def png_bytes(colour: str) -> bytes:
    """A small real PNG (a photo of her record stands in for it)."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "PNG")
    return buffer.getvalue()


def fits_the_phone(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"], f"{page.url} is {width} px wide"


def screenshot_top(page: Page, name: str) -> None:
    """The window only: the page below (a fortnight of free times) says nothing more."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_evidence_of_an_in_person_visit_opens_online_care(
    live_server: Any,
    open_page: OpenPage,
    settings: Any,
    tmp_path: Path,
    make_woman: Callable[..., User],
    make_clinician: Callable[..., User],
) -> None:
    settings.MEDIA_ROOT = tmp_path
    base = live_server.url
    head = make_clinician(head=True)
    clinician = make_clinician()
    woman = make_woman(pregnant_weeks=14)  # never graded, never measured at the clinic
    care_team_assign(actor=head, woman=woman, member=clinician, responsible=True)
    department = clinician.clinician_profile.department
    for weekday in range(7):  # the department's clinic every day: free times whenever run
        scheduling.schedule_rule_add(
            actor=head,
            department=department,
            clinician=None,
            weekday=weekday,
            start=time(8),
            end=time(17, 30),
            slot_minutes=30,
            capacity=3,
        )
    assert not selectors.eligible_in_person(woman)
    visit_day = (timezone.localdate() - timedelta(days=40)).isoformat()
    with translation.override("zh-hans"):
        why = selectors.online_care_for(woman).message
        type_refused = gettext(
            "This file type is not accepted. Upload a JPEG, PNG or WebP image or a PDF."
        )
        uploaded = gettext("Uploaded. A clinician of your care team will review it.")
        waiting = gettext("Your upload is waiting for review.")
        accept_text = pgettext("eligibility evidence", "Accept")
        recorded = gettext("Review recorded.")
        rejected_label = str(EvidenceStatus.REJECTED.label)
        accepted_label = str(EvidenceStatus.ACCEPTED.label)
        eligible_text = gettext(
            "Your in-person visit is on record: you may use online follow-up care."
        )
        nothing = gettext("Nothing to review.")
        booked = gettext("Your appointment is booked.")
        first_place = gettext("You are number %(n)s") % {"n": 1}
    assert "线下" in why  # the message is Chinese, not the English source

    # Her phone: signed in (her session cookie), zh-Hans by default.
    phone = open_page(viewport=PHONE_VIEWPORT)
    woman_signed_in(phone, base, woman)
    phone.goto(f"{base}/")
    expect(phone.locator("html")).to_have_attribute("lang", "zh-hans")
    stop = phone.locator("[data-testid=online-care-stop]")
    expect(stop).to_be_visible()
    expect(stop.locator("[data-testid=online-care-where]")).to_have_text(why)
    expect(stop.locator("[data-testid=evidence-link]")).to_be_visible()
    for code in ("not_eligible", "book_visit"):
        expect(stop).not_to_contain_text(code)
    fits_the_phone(phone)
    axe_check(phone, viewports=(PHONE_VIEWPORT,))
    screenshot(phone, "eligibility-home-notice.png")

    # She tries to book a time: refused, and told why.
    phone.click("[data-testid=scheduling-home-link]")
    phone.wait_for_url(f"{base}/scheduling/")
    phone.click("[data-testid=book-link]")
    phone.wait_for_url(f"{base}/scheduling/book/")
    phone.click("[data-testid=choose-department]")
    phone.wait_for_url(f"{base}/scheduling/book/?*")
    phone.locator("[data-testid=slot]").first.click()
    refusal = phone.locator("[data-testid=error-summary]")
    expect(refusal).to_contain_text(why)
    assert not Appointment.objects.exists()
    fits_the_phone(phone)
    screenshot_top(phone, "eligibility-book-refused.png")

    # She tries the live queue: refused, and told why.
    phone.goto(f"{base}/scheduling/queue/")
    phone.locator("[data-testid=queue-join]").first.click()
    expect(phone.locator("[data-testid=error-summary]")).to_contain_text(why)
    assert not QueueEntry.objects.exists()
    fits_the_phone(phone)
    screenshot(phone, "eligibility-queue-refused.png")

    # The notice on her home page leads her to the upload page.
    phone.goto(f"{base}/")
    phone.click("[data-testid=evidence-link]")
    phone.wait_for_url(f"{base}/assessment/eligibility/")
    form = phone.locator("[data-testid=evidence-form]")
    expect(form).to_be_visible()
    expect(phone.locator("[data-testid=evidence-list]")).to_have_count(0)
    fits_the_phone(phone)
    axe_check(phone, viewports=(PHONE_VIEWPORT,))
    screenshot(phone, "eligibility-upload.png")
    phone.set_viewport_size(DESKTOP_VIEWPORT)
    screenshot(phone, "eligibility-upload-desktop.png")
    phone.set_viewport_size(PHONE_VIEWPORT)

    # A text file renamed .png: refused in her language, the field marked, nothing stored.
    phone.set_input_files(
        "#f-file",
        files=[{"name": "病历.png", "mimeType": "image/png", "buffer": b"not an image\n" * 40}],
    )
    phone.fill("#f-hospital", HOSPITAL)
    phone.click("[data-testid=evidence-form] button[type=submit]")
    summary = phone.locator("[data-testid=error-summary]")
    expect(summary.locator("a[href='#f-file']")).to_have_text(type_refused)
    expect(phone.locator("#e-file")).to_have_text(type_refused)
    expect(phone.locator("#f-file")).to_have_attribute("aria-invalid", "true")
    expect(phone.locator("#f-hospital")).to_have_value(HOSPITAL)  # what she typed is kept
    assert not EligibilityEvidence.objects.exists()
    assert stored_files(tmp_path) == []
    fits_the_phone(phone)
    axe_check(phone, viewports=(PHONE_VIEWPORT,))
    screenshot(phone, "eligibility-upload-invalid.png")

    # A real PNG of her record: stored, waiting for review.
    first_png = png_bytes("white")
    phone.set_input_files(
        "#f-file", files=[{"name": "病历.png", "mimeType": "image/png", "buffer": first_png}]
    )
    phone.fill("#f-visit_date", visit_day)
    phone.fill("#f-note", "在区妇幼保健院建档，诊断为宫内早孕。")
    phone.click("[data-testid=evidence-form] button[type=submit]")
    phone.wait_for_url(f"{base}/assessment/eligibility/")
    expect(phone.locator(".messages")).to_contain_text(uploaded)
    expect(phone.locator("[data-testid=evidence-pending]")).to_have_text(waiting)
    expect(phone.locator("[data-testid=evidence-form]")).to_have_count(0)
    first = EligibilityEvidence.objects.get()
    assert (first.woman, first.status, first.content_type, first.hospital) == (
        woman,
        EvidenceStatus.SUBMITTED,
        "image/png",
        HOSPITAL,
    )
    assert first.file.read() == first_png
    assert len(stored_files(tmp_path)) == 1
    expect(phone.locator("[data-testid=evidence-list] li")).to_have_count(1)
    fits_the_phone(phone)
    axe_check(phone, viewports=(PHONE_VIEWPORT,))
    screenshot(phone, "eligibility-pending.png")

    # The clinician signs in at the workstation with password and authenticator code.
    desk = open_page(viewport=DESKTOP_VIEWPORT)
    staff_sign_in(desk, base, clinician)
    expect(desk.locator("html")).to_have_attribute("lang", "zh-hans")
    desk.goto(f"{base}/assessment/eligibility/review/")
    rows = desk.locator("[data-testid=evidence-row]")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row).to_contain_text(woman.woman_profile.real_name)
    expect(row).to_contain_text(HOSPITAL)
    expect(row).to_contain_text(visit_day)
    expect(desk.locator("[data-testid=evidence-none]")).to_have_count(0)
    expect(row.locator("[data-testid=evidence-accept]")).to_have_text(accept_text)
    axe_check(desk)
    screenshot(desk, "eligibility-review-list.png")
    desk.set_viewport_size(PHONE_VIEWPORT)
    screenshot(desk, "eligibility-review-list-phone.png")
    desk.set_viewport_size(DESKTOP_VIEWPORT)

    # She opens the file: the PNG she uploaded, in a new tab.
    with desk.context.expect_page() as opened:
        row.locator("[data-testid=evidence-file]").click()
    file_page = opened.value
    file_page.wait_for_load_state()
    assert file_page.url == f"{base}/assessment/eligibility/{first.public_id}/file/"
    served = desk.request.get(file_page.url)
    assert (served.status, served.headers["content-type"]) == (200, "image/png")
    assert served.body() == first_png
    file_page.close()
    assert AuditEvent.objects.filter(
        actor=clinician, action="eligibility_evidence_read", object_id=str(first.public_id)
    ).exists()

    # Not accepting without a reason: the form asks for it at the field, nothing is sent.
    reason = row.locator("input[name=reason]")
    row.locator("[data-testid=evidence-reject]").click()
    assert reason.evaluate("(input) => input.validity.valueMissing")
    expect(reason).to_be_focused()
    expect(desk.locator(".messages")).to_have_count(0)
    first.refresh_from_db()
    assert (first.status, first.reviewed_by) == (EvidenceStatus.SUBMITTED, None)

    # Rejected with the reason: the list is empty.
    rows.first.locator("input[name=reason]").fill(REJECT_REASON)
    rows.first.locator("[data-testid=evidence-reject]").click()
    desk.wait_for_url(f"{base}/assessment/eligibility/review/")
    expect(desk.locator(".messages")).to_contain_text(recorded)
    expect(rows).to_have_count(0)
    expect(desk.locator("[data-testid=evidence-none] .empty")).to_have_text(nothing)
    first.refresh_from_db()
    assert (first.status, first.reviewed_by, first.reason) == (
        EvidenceStatus.REJECTED,
        clinician,
        REJECT_REASON,
    )
    assert not selectors.eligible_in_person(woman)
    assert (
        Notification.objects.filter(recipient=woman, kind="eligibility_evidence_reviewed").count()
        == 1
    )
    axe_check(desk, viewports=(DESKTOP_VIEWPORT,))
    screenshot(desk, "eligibility-review-empty.png")

    # She reads the reason and may upload again.
    phone.goto(f"{base}/assessment/eligibility/")
    listed = phone.locator("[data-testid=evidence-list] li")
    expect(listed).to_have_count(1)
    expect(listed.first).to_have_attribute("data-status", EvidenceStatus.REJECTED)
    expect(listed.first).to_contain_text(rejected_label)
    expect(listed.first).to_contain_text(REJECT_REASON)
    expect(phone.locator("[data-testid=evidence-rejected]")).to_contain_text(REJECT_REASON)
    expect(phone.locator("[data-testid=evidence-form]")).to_be_visible()
    expect(phone.locator("main")).not_to_contain_text("rejected")
    fits_the_phone(phone)
    axe_check(phone, viewports=(PHONE_VIEWPORT,))
    screenshot(phone, "eligibility-rejected.png")
    second_png = png_bytes("lightgrey")
    phone.set_input_files(
        "#f-file", files=[{"name": "病历-清晰.png", "mimeType": "image/png", "buffer": second_png}]
    )
    phone.fill("#f-hospital", HOSPITAL)
    phone.click("[data-testid=evidence-form] button[type=submit]")
    phone.wait_for_url(f"{base}/assessment/eligibility/")
    expect(phone.locator("[data-testid=evidence-pending]")).to_be_visible()
    second = EligibilityEvidence.objects.get(status=EvidenceStatus.SUBMITTED)
    assert second.pk != first.pk and second.file.read() == second_png

    # The clinician accepts the second upload.
    desk.goto(f"{base}/assessment/eligibility/review/")
    expect(rows).to_have_count(1)
    rows.first.locator("[data-testid=evidence-accept]").click()
    desk.wait_for_url(f"{base}/assessment/eligibility/review/")
    expect(desk.locator(".messages")).to_contain_text(recorded)
    expect(rows).to_have_count(0)
    second.refresh_from_db()
    assert (second.status, second.reviewed_by) == (EvidenceStatus.ACCEPTED, clinician)
    assert selectors.eligible_in_person(woman)

    # Her page says she may use online care; her home page no longer stops her.
    phone.goto(f"{base}/assessment/eligibility/")
    expect(phone.locator("[data-testid=evidence-eligible]")).to_have_text(eligible_text)
    expect(phone.locator("[data-testid=evidence-form]")).to_have_count(0)
    expect(phone.locator("[data-testid=evidence-rejected]")).to_have_count(0)
    statuses = phone.locator("[data-testid=evidence-list] li")
    expect(statuses).to_have_count(2)
    expect(statuses.first).to_contain_text(accepted_label)
    fits_the_phone(phone)
    axe_check(phone, viewports=(PHONE_VIEWPORT,))
    screenshot(phone, "eligibility-accepted.png")
    phone.goto(f"{base}/")
    expect(phone.locator("[data-testid=online-care-stop]")).to_have_count(0)

    # She books a time and joins the live queue: no refusal now.
    phone.goto(f"{base}/assessment/eligibility/")
    phone.click("[data-testid=evidence-next]")
    phone.wait_for_url(f"{base}/scheduling/")
    phone.click("[data-testid=book-link]")
    phone.wait_for_url(f"{base}/scheduling/book/")
    phone.click("[data-testid=choose-department]")
    phone.wait_for_url(f"{base}/scheduling/book/?*")
    phone.locator("[data-testid=slot]").first.click()
    phone.wait_for_url(f"{base}/scheduling/appointments/*/")
    expect(phone.locator(".messages")).to_contain_text(booked)
    appointment = Appointment.objects.get()
    assert (appointment.woman, appointment.status) == (woman, AppointmentStatus.BOOKED)
    phone.goto(f"{base}/scheduling/queue/")
    phone.locator("[data-testid=queue-join]").first.click()
    phone.wait_for_url(f"{base}/scheduling/queue/")
    expect(phone.locator("[data-testid=error-summary]")).to_have_count(0)
    expect(phone.locator("[data-testid=queue-position]")).to_have_text(first_place)
    assert QueueEntry.objects.get().status == QueueStatus.WAITING
    fits_the_phone(phone)
    screenshot(phone, "eligibility-queue-open.png")
