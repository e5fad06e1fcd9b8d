"""Booking on the phone: in zh-Hans on a 375 px window she opens online consultations from
her home page, chooses a clinician, books a free time and finds it in her appointments; she
waits in the live queue and sees her place. The clinician's workstation lists her and he
accepts her; an earlier appointment she missed is traced to its outcome.

Pages are driven by ids, names, `data-testid` attributes and URLs; the texts compared are
translated here in the page's own language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from anyun.accounts.models import User
from anyun.scheduling import services
from anyun.scheduling.models import (
    Appointment,
    AppointmentStatus,
    QueueEntry,
    QueueStatus,
    owner_key,
)
from anyun.scheduling.tests.conftest import seen_in_person
from tests.browser.conftest import AsgiServer
from tests.browser.support import (
    DESKTOP_VIEWPORT,
    PHONE_VIEWPORT,
    axe_check,
    screenshot,
    staff_sign_in,
    wait_for_sms_code,
)

pytestmark = pytest.mark.browser

OpenPage = Callable[..., Page]


def test_she_books_a_time_on_her_phone_and_sees_it(
    asgi_server: AsgiServer,
    open_page: OpenPage,
    memory_sms: list[tuple[str, str]],
    make_woman: Callable[..., User],
    make_clinician: Callable[..., User],
) -> None:
    base = asgi_server.url
    head = make_clinician(head=True)
    clinician = make_clinician()
    # Seen in person first (a grading at her booking visit): online follow-up is open to her.
    woman = seen_in_person(make_woman(pregnant_weeks=26), head=head, visit=make_clinician())
    profile = clinician.clinician_profile
    for weekday in range(7):  # every day, so free times are there whatever day this runs
        services.schedule_rule_add(
            actor=clinician,
            department=profile.department,
            clinician=profile,
            weekday=weekday,
            start=time(9),
            end=time(11),
            slot_minutes=30,
            capacity=1,
        )
        services.schedule_rule_add(
            actor=head,
            department=profile.department,
            clinician=None,
            weekday=weekday,
            start=time(0),
            end=time(23, 30),
            slot_minutes=30,
            capacity=3,
        )

    phone = open_page(viewport=PHONE_VIEWPORT)
    phone.goto(f"{base}/accounts/login/")
    phone.fill("#id_phone", woman.phone)
    phone.check("#id_accept_terms")
    phone.click("#phone-form button[type=submit]")
    expect(phone.locator("#code-form")).to_be_visible()
    phone.fill("#id_code", wait_for_sms_code(memory_sms, woman.phone))
    phone.click("#code-form button[type=submit]")
    phone.wait_for_url(f"{base}/")
    expect(phone.locator("html")).to_have_attribute("lang", "zh-hans")

    # From her home page to online consultations, then to booking with her clinician.
    phone.click("[data-testid=scheduling-home-link]")
    phone.wait_for_url(f"{base}/scheduling/")
    axe_check(phone)
    screenshot(phone, "scheduling-home.png")
    phone.click("[data-testid=book-link]")
    phone.wait_for_url(f"{base}/scheduling/book/")
    choices = phone.locator("[data-testid=choose-clinician]")
    expect(choices).to_have_count(1)
    expect(choices).to_contain_text(profile.name)
    axe_check(phone)
    screenshot(phone, "scheduling-choose.png")
    choices.click()
    phone.wait_for_url(f"{base}/scheduling/book/?*")
    slots = phone.locator("[data-testid=slot]")
    expect(slots.first).to_be_visible()
    first_value = slots.first.get_attribute("value")
    assert first_value is not None
    first_day = timezone.localtime(datetime.fromisoformat(first_value)).date()
    with translation.override("zh-hans"):
        weekday = date_format(first_day, "l")  # 星期一 .. 星期日
    first_legend = phone.locator("[data-testid=slot-day] legend").first
    expect(first_legend).to_contain_text(first_day.isoformat())
    expect(first_legend).to_contain_text(weekday)
    axe_check(phone)
    screenshot(phone, "scheduling-slots.png")
    slots.first.click()
    phone.wait_for_url(f"{base}/scheduling/appointments/*/")
    appointment = Appointment.objects.get()
    assert (appointment.woman, appointment.clinician, appointment.status) == (
        woman,
        profile,
        AppointmentStatus.BOOKED,
    )
    assert appointment.starts_at == datetime.fromisoformat(first_value)
    with translation.override("zh-hans"):
        booked_label = str(AppointmentStatus.BOOKED.label)
        booked_message = gettext("Your appointment is booked.")
    expect(phone.locator(".messages")).to_contain_text(booked_message)
    expect(phone.locator("[data-testid=appointment-status]")).to_have_text(booked_label)
    local = timezone.localtime(appointment.starts_at)
    expect(phone.locator("[data-testid=appointment-when]")).to_contain_text(
        local.strftime("%Y-%m-%d")
    )
    expect(phone.locator("[data-testid=appointment-when]")).to_contain_text(local.strftime("%H:%M"))
    axe_check(phone)
    screenshot(phone, "scheduling-appointment.png")

    # Her appointments list it, in Chinese, with no raw code.
    phone.goto(f"{base}/scheduling/")
    listed = phone.locator("[data-testid=upcoming] [data-testid=appointment]")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text(local.strftime("%H:%M"))
    expect(listed).to_contain_text(profile.name)
    expect(listed.locator("[data-testid=appointment-status]")).to_have_text(booked_label)
    expect(phone.locator("main")).not_to_contain_text("booked")
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"], f"the page is {width} px wide"
    screenshot(phone, "scheduling-my-appointments.png")

    # She waits in the live queue and sees her place.
    phone.click("[data-testid=queue-link]")
    phone.wait_for_url(f"{base}/scheduling/queue/")
    phone.locator("[data-testid=queue-join]").first.click()
    phone.wait_for_url(f"{base}/scheduling/queue/")
    with translation.override("zh-hans"):
        first_place = gettext("You are number %(n)s") % {"n": 1}
    expect(phone.locator("[data-testid=queue-position]")).to_have_text(first_place)
    expect(phone.locator("#queue-status")).to_have_attribute("hx-trigger", "every 15s")
    assert QueueEntry.objects.get().status == QueueStatus.WAITING
    axe_check(phone)
    screenshot(phone, "scheduling-queue.png")

    # The clinician's workstation lists her in the live queue.
    desk = open_page(viewport=DESKTOP_VIEWPORT)
    staff_sign_in(desk, base, clinician)
    desk.goto(f"{base}/scheduling/clinic/")
    expect(desk.locator("[data-testid=queue-entry]")).to_have_count(1)
    axe_check(desk)
    screenshot(desk, "scheduling-workstation.png")
    desk.locator("[data-testid=accept]").click()
    desk.wait_for_url(f"{base}/scheduling/clinic/")
    expect(desk.locator("[data-testid=queue-entry]")).to_have_count(0)
    assert QueueEntry.objects.get().status == QueueStatus.ACCEPTED
    desk.goto(f"{base}/scheduling/clinic/schedules/")
    axe_check(desk)
    screenshot(desk, "scheduling-schedules.png")

    # An earlier appointment she did not attend: it is traced by her clinician.
    now = timezone.now()
    Appointment.objects.create(
        woman=woman,
        department=profile.department,
        clinician=profile,
        owner_key=owner_key(department_id=profile.department_id, clinician_id=profile.pk),
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=2, minutes=30),
        booked_at=now - timedelta(days=2),
    )
    assert services.no_shows_mark() == 1
    desk.goto(f"{base}/scheduling/clinic/tracing/")
    cases = desk.locator("[data-testid=tracing-case]")
    expect(cases).to_have_count(1)
    axe_check(desk)
    screenshot(desk, "scheduling-tracing.png")
    cases.locator("a").click()
    desk.wait_for_url(f"{base}/scheduling/clinic/tracing/*/")
    attempt = desk.locator("[data-testid=attempt-form]")
    attempt.locator("select[name=attempt-method]").select_option("phone")
    attempt.locator("select[name=attempt-reached]").select_option("yes")
    attempt.locator("input[name=attempt-note]").fill("她会重新预约")
    attempt.locator("button[type=submit]").click()
    expect(desk.locator("[data-testid=attempts] li")).to_have_count(1)
    close = desk.locator("[data-testid=close-form]")
    close.locator("select[name=close-outcome]").select_option("will_rebook")
    axe_check(desk)
    screenshot(desk, "scheduling-tracing-case.png")
    close.locator("button[type=submit]").click()
    desk.wait_for_url(f"{base}/scheduling/clinic/tracing/")
    expect(cases).to_have_count(0)
    day = timezone.localtime(now - timedelta(hours=3)).date().isoformat()
    desk.goto(f"{base}/scheduling/clinic/tracing/?first={day}&last={day}")
    expect(desk.locator("[data-testid=count-missed]")).to_have_text("1")
