"""The scheduling pages: hers (book, my appointments, the live queue) and the workstation's
(today, receive and accept, schedules, closed days and leave, no-show follow-up)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from conftest import staff_client, woman_client
from django.utils import translation

from anyun.assessment.selectors import online_care_for
from anyun.assessment.services import suitability_decide
from anyun.audit.models import AuditEvent
from anyun.careteam.selectors import can_see_woman
from anyun.scheduling import services
from anyun.scheduling.models import (
    Appointment,
    AppointmentStatus,
    ContactAttempt,
    Holiday,
    Leave,
    QueueEntry,
    QueueStatus,
    ScheduleRule,
    TracingCase,
)
from anyun.scheduling.tests.conftest import Clinic, at, book, days_after, seen_in_person

pytestmark = pytest.mark.django_db


def test_she_books_from_the_page_and_sees_it(
    clinic: Clinic, time_machine: Any, tomorrow: datetime
) -> None:
    time_machine.move_to(at(tomorrow, 8), tick=False)
    client = woman_client(clinic.woman)
    choose = client.get("/scheduling/book/")
    assert choose.status_code == 200
    assert str(clinic.profile.public_id) in choose.content.decode()
    page = client.get(
        "/scheduling/book/",
        {"department": clinic.department.public_id, "clinician": clinic.profile.public_id},
    )
    assert page.status_code == 200 and page.content.decode().count('data-testid="slot"') == 14 * 4
    token = page.context["token"]
    start = at(tomorrow, 9, 30)
    posted = client.post(
        "/scheduling/book/",
        {
            "department": clinic.department.public_id,
            "clinician": clinic.profile.public_id,
            "starts_at": start.isoformat(),
            "token": token,
        },
    )
    appointment = Appointment.objects.get()
    assert (
        posted.status_code == 302
        and posted["Location"] == f"/scheduling/appointments/{appointment.public_id}/"
    )
    # A double submit of the same page books nothing more.
    again = client.post(
        "/scheduling/book/",
        {
            "department": clinic.department.public_id,
            "clinician": clinic.profile.public_id,
            "starts_at": start.isoformat(),
            "token": token,
        },
    )
    assert again.status_code == 302 and Appointment.objects.count() == 1
    home = client.get("/scheduling/")
    assert [a.pk for a in home.context["upcoming"]] == [appointment.pk]
    # The full time is refused beside the slots, nothing lost.
    refused = woman_client(clinic.other_woman).post(
        "/scheduling/book/",
        {
            "department": clinic.department.public_id,
            "clinician": clinic.profile.public_id,
            "starts_at": start.isoformat(),
            "token": "t2",
        },
    )
    assert refused.status_code == 400 and 'data-testid="error-summary"' in refused.content.decode()
    bad = client.post(
        "/scheduling/book/", {"department": clinic.department.public_id, "starts_at": "soon"}
    )
    assert bad.status_code == 400
    assert client.get("/scheduling/book/", {"department": "nope"}).status_code == 404


def test_she_moves_and_cancels_from_the_page(
    clinic: Clinic, time_machine: Any, tomorrow: datetime
) -> None:
    time_machine.move_to(at(tomorrow, 6), tick=False)
    appointment = book(clinic, clinic.woman, at(days_after(tomorrow, 1), 9))
    client = woman_client(clinic.woman)
    url = f"/scheduling/appointments/{appointment.public_id}/"
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.filter(
        action="read", object_id=str(appointment.public_id), subject=clinic.woman
    ).exists()
    assert woman_client(clinic.other_woman).get(url).status_code == 404
    moved = client.post(f"{url}move/", {"starts_at": at(days_after(tomorrow, 1), 10).isoformat()})
    assert moved.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == at(days_after(tomorrow, 1), 10)
    cancelled = client.post(url, {"reason": "Feeling better"})
    assert cancelled.status_code == 302
    appointment.refresh_from_db()
    assert (
        appointment.status == AppointmentStatus.CANCELLED
        and appointment.cancel_reason == "Feeling better"
    )
    late = book(clinic, clinic.woman, at(tomorrow, 9))
    time_machine.move_to(at(tomorrow, 7, 30), tick=False)
    client = woman_client(clinic.woman)  # a fresh session: the idle timeout has passed
    refused = client.post(f"/scheduling/appointments/{late.public_id}/", {})
    assert refused.status_code == 400 and 'data-testid="error-summary"' in refused.content.decode()


def test_the_queue_page_and_its_refresh(
    clinic: Clinic, time_machine: Any, tomorrow: datetime
) -> None:
    time_machine.move_to(at(tomorrow, 20), tick=False)
    woman_client(clinic.other_woman).post(
        "/scheduling/queue/", {"department": clinic.department.public_id}
    )
    client = woman_client(clinic.woman)
    assert (
        client.post("/scheduling/queue/", {"department": clinic.department.public_id}).status_code
        == 302
    )
    status = client.get("/scheduling/queue/status/")
    body = status.content.decode()
    assert status.status_code == 200 and 'hx-trigger="every 15s"' in body
    assert status.context["place"].position == 2
    again = client.post("/scheduling/queue/", {"department": clinic.department.public_id})
    assert again.status_code == 400
    assert client.post("/scheduling/queue/", {"action": "leave"}).status_code == 302
    assert QueueEntry.objects.get(woman=clinic.woman).status == QueueStatus.LEFT
    assert "hx-trigger" not in client.get("/scheduling/queue/status/").content.decode()


def test_the_workstation_receives_and_accepts(
    clinic: Clinic, make_clinician: Any, time_machine: Any, tomorrow: datetime
) -> None:
    time_machine.move_to(at(tomorrow, 6), tick=False)
    appointment = book(clinic, clinic.woman, at(tomorrow, 10))
    time_machine.move_to(at(tomorrow, 10), tick=False)
    services.queue_join(woman=clinic.other_woman, department=clinic.department)
    desk = staff_client(clinic.clinician)  # signed in now, after the clock moved
    page = desk.get("/scheduling/clinic/")
    assert page.status_code == 200
    assert [a.pk for a in page.context["day"].appointments] == [appointment.pk]
    # each woman's risk colour beside her name, the appointment's and the queue's
    assert page.content.decode().count('data-testid="risk-badge"') == 2
    assert AuditEvent.objects.filter(action="workday_read", actor=clinic.clinician).exists()
    expired = make_clinician(missing=("internet_admission",))
    blocked = staff_client(expired)
    assert 'data-testid="practice-blockers"' in blocked.get("/scheduling/clinic/").content.decode()
    blocked.post(f"/scheduling/clinic/appointments/{appointment.public_id}/receive/")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert (
        desk.post(f"/scheduling/clinic/appointments/{appointment.public_id}/receive/").status_code
        == 302
    )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.RECEIVED
    entry = QueueEntry.objects.get()
    desk.post(f"/scheduling/clinic/queue/{entry.public_id}/accept/")
    entry.refresh_from_db()
    assert entry.status == QueueStatus.ACCEPTED and can_see_woman(
        clinic.clinician, clinic.other_woman
    )
    assert woman_client(clinic.woman).get("/scheduling/clinic/").status_code == 404


def test_schedules_page(clinic: Clinic, time_machine: Any, tomorrow: datetime) -> None:
    time_machine.move_to(at(tomorrow, 6), tick=False)
    head = staff_client(clinic.head)
    assert head.get("/scheduling/clinic/schedules/").status_code == 200
    added = head.post(
        "/scheduling/clinic/schedules/",
        {
            "action": "rule",
            "rule-clinician": "",
            "rule-weekday": "0",
            "rule-start": "18:00",
            "rule-end": "19:00",
            "rule-slot_minutes": "20",
            "rule-capacity": "3",
        },
    )
    assert added.status_code == 302
    assert ScheduleRule.objects.filter(clinician__isnull=True, start="18:00", capacity=3).exists()
    overlap = head.post(
        "/scheduling/clinic/schedules/",
        {
            "action": "rule",
            "rule-clinician": "",
            "rule-weekday": "0",
            "rule-start": "18:30",
            "rule-end": "19:30",
            "rule-slot_minutes": "20",
            "rule-capacity": "3",
        },
    )
    assert overlap.status_code == 400
    assert overlap.context["rule_form"].errors["start"]
    holiday = head.post(
        "/scheduling/clinic/schedules/",
        {
            "action": "holiday",
            "holiday-day": days_after(tomorrow, 5).date().isoformat(),
            "holiday-name": "Founders' day",
        },
    )
    assert holiday.status_code == 302 and Holiday.objects.count() == 1
    past = head.post(
        "/scheduling/clinic/schedules/",
        {
            "action": "holiday",
            "holiday-day": (tomorrow - timedelta(days=3)).date().isoformat(),
            "holiday-name": "x",
        },
    )
    assert past.status_code == 400 and past.context["holiday_form"].errors["day"]
    own = staff_client(clinic.clinician)
    leave = own.post(
        "/scheduling/clinic/schedules/",
        {
            "action": "leave",
            "leave-clinician": str(clinic.profile.public_id),
            "leave-starts_on": days_after(tomorrow, 2).date().isoformat(),
            "leave-ends_on": days_after(tomorrow, 3).date().isoformat(),
        },
    )
    assert leave.status_code == 302 and Leave.objects.get().clinician == clinic.profile
    # A clinician sees no form for closed days and cannot set one.
    refused = own.post(
        "/scheduling/clinic/schedules/",
        {
            "action": "holiday",
            "holiday-day": days_after(tomorrow, 6).date().isoformat(),
            "holiday-name": "x",
        },
    )
    assert refused.status_code == 400 and Holiday.objects.count() == 1
    policy = head.post(
        "/scheduling/clinic/schedules/",
        {"action": "policy", "policy-accept_minutes": "3", "policy-minutes_per_woman": "10"},
    )
    assert policy.status_code == 400 and policy.context["policy_form"].errors["accept_minutes"]


def test_tracing_pages(clinic: Clinic, time_machine: Any, tomorrow: datetime) -> None:
    time_machine.move_to(at(tomorrow, 6), tick=False)
    book(clinic, clinic.woman, at(tomorrow, 9))
    time_machine.move_to(at(tomorrow, 12), tick=False)
    services.no_shows_mark()
    case = TracingCase.objects.get()
    desk = staff_client(clinic.clinician)
    listing = desk.get("/scheduling/clinic/tracing/")
    assert [c.pk for c in listing.context["cases"]] == [case.pk]
    assert listing.context["counts"].missed == 1
    url = f"/scheduling/clinic/tracing/{case.public_id}/"
    assert desk.get(url).status_code == 200
    assert AuditEvent.objects.filter(
        action="read", object_type="tracing_case", subject=clinic.woman
    ).exists()
    early = desk.post(url, {"action": "close", "close-outcome": "will_rebook"})
    assert early.status_code == 400 and early.context["close_form"].errors["outcome"]
    desk.post(
        url,
        {
            "action": "attempt",
            "attempt-method": "phone",
            "attempt-reached": "yes",
            "attempt-note": "Will book",
        },
    )
    assert ContactAttempt.objects.get().reached is True
    assert desk.post(url, {"action": "close", "close-outcome": "will_rebook"}).status_code == 302
    case.refresh_from_db()
    assert case.outcome == "will_rebook"
    bad_period = desk.get(
        "/scheduling/clinic/tracing/", {"first": "2026-02-01", "last": "2026-01-01"}
    )
    assert bad_period.status_code == 400
    with translation.override("en"):
        assert woman_client(clinic.woman).get(url).status_code == 404


def test_the_workstation_day_reads_the_same_statements_for_any_number_of_women(
    clinic: Clinic, make_woman: Any, time_machine: Any, tomorrow: datetime
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    time_machine.move_to(at(tomorrow, 6), tick=False)
    book(clinic, clinic.woman, at(tomorrow, 9))
    services.queue_join(woman=clinic.other_woman, department=clinic.department)
    desk = staff_client(clinic.clinician)
    desk.get("/scheduling/clinic/")  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert desk.get("/scheduling/clinic/").status_code == 200
    women = [
        seen_in_person(make_woman(pregnant_weeks=20 + n), head=clinic.head, visit=clinic.visit)
        for n in range(4)
    ]
    for n, woman in enumerate(women):  # the department's 14:00 and 15:00, two places each
        book(clinic, woman, at(tomorrow, 14 + n % 2), clinician=None)
    services.queue_join(woman=women[-1], department=clinic.department)
    with CaptureQueriesContext(connection) as many:
        page = desk.get("/scheduling/clinic/")
    assert len(page.context["day"].appointments) == 5 and len(page.context["day"].queue) == 2
    assert len(many) == len(few)


def test_her_pages_in_chinese_and_english(
    clinic: Clinic, time_machine: Any, tomorrow: datetime
) -> None:
    from django.conf import settings

    time_machine.move_to(at(tomorrow, 8), tick=False)
    appointment = book(clinic, clinic.woman, at(tomorrow, 10))
    pages = [
        "/scheduling/",
        "/scheduling/book/",
        f"/scheduling/appointments/{appointment.public_id}/",
        "/scheduling/queue/",
    ]
    for language in ("zh-hans", "en"):
        client = woman_client(clinic.woman)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        with translation.override(language):
            heading = translation.gettext("Online consultations")
            booked = str(AppointmentStatus.BOOKED.label)
        home = client.get(pages[0]).content.decode()
        assert heading in home and booked in home
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            assert f'lang="{language}"' in response.content.decode()
    # No choice made: Chinese, the default.
    assert "在线问诊" in woman_client(clinic.woman).get(pages[0]).content.decode()


def test_an_unsuitable_woman_is_told_why_on_the_page_and_through_the_api(
    clinic: Clinic, time_machine: Any, tomorrow: datetime
) -> None:
    """A clinician decided she needs in-person care: no new online request opens, web or API,
    and she reads where and how urgently to go instead."""
    suitability_decide(
        actor=clinic.visit,
        woman=clinic.woman,
        decision="in_person",
        reason="Reduced fetal movements to assess",
        urgency="in_person_now",
    )
    time_machine.move_to(at(tomorrow, 8), tick=False)
    expected = online_care_for(clinic.woman).message
    client = woman_client(clinic.woman)
    page = client.post(
        "/scheduling/book/",
        {
            "department": clinic.department.public_id,
            "clinician": clinic.profile.public_id,
            "starts_at": at(tomorrow, 9, 30).isoformat(),
            "token": "unsuitable-1",
        },
    )
    assert page.status_code in {200, 400} and str(expected) in page.content.decode()
    assert 'data-testid="evidence-link"' not in page.content.decode()  # she was seen in person
    api = client.post(
        "/api/v1/scheduling/appointments",
        {"department": str(clinic.department.public_id), "starts_at": at(tomorrow, 14).isoformat()},
        content_type="application/json",
    )
    assert (api.status_code, api.json()["code"]) == (400, "online_care_unsuitable")
    assert api.json()["message"] == str(expected)
    queue = client.post(
        "/api/v1/scheduling/queue",
        {"department": str(clinic.department.public_id)},
        content_type="application/json",
    )
    assert (queue.status_code, queue.json()["code"]) == (400, "online_care_unsuitable")
    assert not Appointment.objects.filter(woman=clinic.woman).exists()
    assert not QueueEntry.objects.filter(woman=clinic.woman).exists()


def test_a_woman_not_seen_in_person_is_shown_the_way_to_upload_her_record(
    clinic: Clinic, make_woman: Any, time_machine: Any, tomorrow: datetime
) -> None:
    """POL-13: refused because the hospital has not seen her in person, the booking and queue
    pages point her to the evidence upload instead of another time to choose."""
    time_machine.move_to(at(tomorrow, 8), tick=False)
    client = woman_client(make_woman(pregnant_weeks=12))
    page = client.post(
        "/scheduling/book/",
        {
            "department": clinic.department.public_id,
            "clinician": clinic.profile.public_id,
            "starts_at": at(tomorrow, 9, 30).isoformat(),
            "token": "not-seen-1",
        },
    )
    text = page.content.decode()
    assert page.status_code == 400
    assert 'data-testid="evidence-link"' in text and 'href="/assessment/eligibility/"' in text
    assert 'href="#slots"' not in text
    queue = client.post("/scheduling/queue/", {"department": clinic.department.public_id})
    assert queue.status_code == 400
    assert 'href="/assessment/eligibility/"' in queue.content.decode()
    assert not Appointment.objects.exists() and not QueueEntry.objects.exists()


def test_her_booked_appointment_links_her_health_self_check(
    clinic: Clinic, time_machine: Any, tomorrow: datetime
) -> None:
    time_machine.move_to(at(tomorrow, 6), tick=False)
    appointment = book(clinic, clinic.woman, at(days_after(tomorrow, 1), 9))
    client = woman_client(clinic.woman)
    page = client.get(f"/scheduling/appointments/{appointment.public_id}/").content.decode()
    link = page.split('data-testid="self-check-link"', 1)[0].rsplit('href="', 1)[1].split('"')[0]
    assert link == "/wellbeing/check/"
    assert client.get(link).status_code == 200
