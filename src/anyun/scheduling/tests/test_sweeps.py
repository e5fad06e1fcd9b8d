"""Reminders the day before and on the day, exactly once; no-shows and their follow-up."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from anyun.audit.models import AuditEvent
from anyun.core.errors import DomainError, PermissionDenied
from anyun.notify.models import Notification
from anyun.scheduling import selectors, services
from anyun.scheduling.models import AppointmentStatus, TracingCase, TracingOutcome, TracingStatus
from anyun.scheduling.tests.conftest import Clinic, at, book, days_after, seen_in_person

pytestmark = pytest.mark.django_db


def _reminders(woman: Any) -> list[str]:
    return list(
        Notification.objects.filter(kind="appointment_reminder", recipient=woman)
        .order_by("created_at", "id")
        .values_list("title", flat=True)
    )


def test_reminders_the_day_before_and_on_the_day_exactly_once(
    clinic: Clinic, time_machine: Any, tomorrow: datetime
) -> None:
    time_machine.move_to(at(tomorrow, 8), tick=False)
    start = at(days_after(tomorrow, 2), 10)
    appointment = book(clinic, clinic.woman, start)
    time_machine.move_to(at(days_after(tomorrow, 1), 17, 59), tick=False)
    assert services.reminders_send_due() == 0
    time_machine.move_to(at(days_after(tomorrow, 1), 18), tick=False)
    assert services.reminders_send_due() == 1
    time_machine.move_to(at(days_after(tomorrow, 1), 18, 5), tick=False)
    assert services.reminders_send_due() == 0
    time_machine.move_to(at(days_after(tomorrow, 2), 7, 30), tick=False)
    assert services.reminders_send_due() == 1
    assert services.reminders_send_due() == 0
    time_machine.move_to(at(days_after(tomorrow, 2), 9), tick=False)
    assert services.reminders_send_due() == 0
    with translation.override("zh-hans"):  # her language: she chose none, the default
        expected = [
            gettext("Your online appointment is tomorrow"),
            gettext("Your online appointment is today"),
        ]
    assert _reminders(clinic.woman) == expected
    appointment.refresh_from_db()
    assert appointment.day_before_sent_at == at(days_after(tomorrow, 1), 18)
    assert appointment.same_day_sent_at == at(days_after(tomorrow, 2), 7, 30)


def test_a_moved_appointment_is_reminded_for_its_new_time_and_a_cancelled_one_not(
    clinic: Clinic, time_machine: Any, tomorrow: datetime
) -> None:
    time_machine.move_to(at(tomorrow, 8), tick=False)
    moved = book(clinic, clinic.woman, at(days_after(tomorrow, 1), 9))
    cancelled = book(clinic, clinic.other_woman, at(days_after(tomorrow, 1), 10))
    time_machine.move_to(at(tomorrow, 18, 1), tick=False)
    assert services.reminders_send_due() == 2
    services.appointment_reschedule(
        woman=clinic.woman, appointment_id=moved.public_id, starts_at=at(days_after(tomorrow, 2), 9)
    )
    services.appointment_cancel(actor=clinic.other_woman, appointment_id=cancelled.public_id)
    time_machine.move_to(at(days_after(tomorrow, 1), 18), tick=False)
    assert services.reminders_send_due() == 1  # her new day-before reminder only
    time_machine.move_to(at(days_after(tomorrow, 2), 7, 30), tick=False)
    assert services.reminders_send_due() == 1
    assert len(_reminders(clinic.woman)) == 3
    assert len(_reminders(clinic.other_woman)) == 1


def test_the_reminder_sweep_is_set_based(
    clinic: Clinic, make_woman: Any, time_machine: Any, tomorrow: datetime
) -> None:
    """The statements of a run do not grow with the reminders it sends: one due reminder and
    three cost the same (the batch is read, marked and told in bulk)."""
    time_machine.move_to(at(tomorrow, 8), tick=False)
    first_day, second_day = days_after(tomorrow, 2), days_after(tomorrow, 3)
    book(clinic, clinic.woman, at(first_day, 9))
    book(clinic, clinic.other_woman, at(second_day, 14), clinician=None)
    for hour in (14, 15):
        woman = seen_in_person(make_woman(pregnant_weeks=28), head=clinic.head, visit=clinic.visit)
        book(clinic, woman, at(second_day, hour), clinician=None)
    time_machine.move_to(at(days_after(tomorrow, 1), 17, 59), tick=False)
    with CaptureQueriesContext(connection) as nothing_due:
        assert services.reminders_send_due() == 0
    select_count = sum("SELECT" in q["sql"] for q in nothing_due.captured_queries)
    assert select_count == 2  # one read per kind of reminder, whatever the rows
    time_machine.move_to(at(days_after(tomorrow, 1), 18), tick=False)
    with CaptureQueriesContext(connection) as one_due:
        assert services.reminders_send_due() == 1
    time_machine.move_to(at(days_after(tomorrow, 2), 18), tick=False)
    with CaptureQueriesContext(connection) as three_due:
        assert services.reminders_send_due() == 3
    assert len(three_due) == len(one_due)
    assert Notification.objects.filter(kind="appointment_reminder").count() == 4


def test_one_run_of_the_sweep_sends_every_due_reminder_however_many_batches(
    clinic: Clinic, make_woman: Any, time_machine: Any, tomorrow: datetime, monkeypatch: Any
) -> None:
    """The sweep runs every five minutes: what is due goes out in that run, batch after batch,
    not one batch per run (a busy day's reminders would trickle out for hours)."""
    monkeypatch.setattr(services, "SWEEP_BATCH", 2)
    time_machine.move_to(at(tomorrow, 8), tick=False)
    day = days_after(tomorrow, 2)
    book(clinic, clinic.woman, at(day, 9))
    book(clinic, clinic.other_woman, at(day, 14), clinician=None)
    for hour in (14, 15, 15):  # the department's slots hold two women each
        woman = seen_in_person(make_woman(pregnant_weeks=28), head=clinic.head, visit=clinic.visit)
        book(clinic, woman, at(day, hour), clinician=None)
    time_machine.move_to(at(days_after(tomorrow, 1), 18), tick=False)
    assert services.reminders_send_due() == 5
    assert Notification.objects.filter(kind="appointment_reminder").count() == 5
    assert services.reminders_send_due() == 0


def test_a_missed_appointment_is_traced_until_closed(
    clinic: Clinic, make_clinician: Any, time_machine: Any, tomorrow: datetime
) -> None:
    nurse = make_clinician("nurse")
    time_machine.move_to(at(tomorrow, 6), tick=False)
    appointment = book(clinic, clinic.woman, at(tomorrow, 10))
    pool = book(clinic, clinic.other_woman, at(tomorrow, 14), clinician=None)
    time_machine.move_to(at(tomorrow, 10, 29), tick=False)
    assert services.no_shows_mark() == 0
    time_machine.move_to(at(tomorrow, 10, 30), tick=False)
    assert services.no_shows_mark() == 1
    assert services.no_shows_mark() == 0
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.MISSED
    told = Notification.objects.get(kind="appointment_missed")
    assert told.recipient == clinic.woman and told.link == "/scheduling/"
    case = TracingCase.objects.get()
    assert (case.assigned_to, case.status) == (clinic.clinician, TracingStatus.OPEN)
    assert Notification.objects.filter(kind="tracing_assigned", recipient=clinic.clinician).exists()
    # The department's appointment goes to the department head.
    time_machine.move_to(at(tomorrow, 15), tick=False)
    assert services.no_shows_mark() == 1
    pool_case = TracingCase.objects.get(appointment=pool)
    assert pool_case.assigned_to == clinic.head
    # The head hands her own case to the nurse, who records the attempts and closes it.
    with pytest.raises(PermissionDenied):
        services.tracing_attempt_record(
            actor=nurse, case_id=pool_case.public_id, method="phone", reached=False
        )
    services.tracing_assign(actor=clinic.head, case_id=pool_case.public_id, assignee=nurse)
    with pytest.raises(DomainError) as excinfo:
        services.tracing_close(
            actor=nurse, case_id=pool_case.public_id, outcome=TracingOutcome.REBOOKED
        )
    assert (excinfo.value.code, excinfo.value.field) == ("tracing_no_attempt", "outcome")
    services.tracing_attempt_record(
        actor=nurse, case_id=pool_case.public_id, method="phone", reached=False, note="No answer"
    )
    services.tracing_attempt_record(
        actor=nurse, case_id=pool_case.public_id, method="sms", reached=True
    )
    with pytest.raises(DomainError) as excinfo:
        services.tracing_attempt_record(
            actor=nurse, case_id=pool_case.public_id, method="pigeon", reached=True
        )
    assert excinfo.value.field == "method"
    with pytest.raises(DomainError) as excinfo:
        services.tracing_close(actor=nurse, case_id=pool_case.public_id, outcome="gone")
    assert excinfo.value.field == "outcome"
    closed = services.tracing_close(
        actor=nurse, case_id=pool_case.public_id, outcome=TracingOutcome.WILL_REBOOK
    )
    assert (closed.status, closed.outcome, closed.closed_by) == (
        TracingStatus.CLOSED,
        "will_rebook",
        nurse,
    )
    with pytest.raises(DomainError) as excinfo:
        services.tracing_attempt_record(
            actor=nurse, case_id=pool_case.public_id, method="phone", reached=True
        )
    assert excinfo.value.code == "tracing_closed"
    assert [a.reached for a in closed.attempts.order_by("at", "id")] == [False, True]
    assert (
        AuditEvent.objects.filter(action__startswith="tracing_", subject=clinic.other_woman).count()
        == 4
    )
    counts = selectors.period_counts(
        clinic.department.pk, first=tomorrow.date(), last=tomorrow.date()
    )
    assert (counts.booked, counts.missed, counts.tracing_open, counts.tracing_closed) == (
        2,
        2,
        1,
        1,
    )
    lists = selectors.tracing_cases(nurse.clinician_profile, mine_only=True)
    assert lists == []  # her one case is closed; the clinician's is not hers
    assert [
        c.pk for c in selectors.tracing_cases(clinic.head.clinician_profile, mine_only=False)
    ] == [case.pk]


def test_a_received_or_cancelled_appointment_is_not_missed(
    clinic: Clinic, time_machine: Any, tomorrow: datetime
) -> None:
    time_machine.move_to(at(tomorrow, 6), tick=False)
    received = book(clinic, clinic.woman, at(tomorrow, 10))
    cancelled = book(clinic, clinic.other_woman, at(tomorrow, 10, 30))
    services.appointment_cancel(actor=clinic.other_woman, appointment_id=cancelled.public_id)
    time_machine.move_to(at(tomorrow, 10, 5), tick=False)
    services.appointment_receive(actor=clinic.clinician, appointment_id=received.public_id)
    time_machine.move_to(at(tomorrow, 12), tick=False)
    assert services.no_shows_mark() == 0
    assert not TracingCase.objects.exists()
