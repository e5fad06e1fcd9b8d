"""Booking, cancelling and moving appointments: the hospital's rules, closed days, leave."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.test import override_settings

from anyun.audit.models import AuditEvent
from anyun.core.errors import DomainError, NotFound, PermissionDenied
from anyun.notify.models import Notification
from anyun.scheduling import gates, selectors, services
from anyun.scheduling.models import Appointment, AppointmentStatus, CancelledBy
from anyun.scheduling.tests.conftest import Clinic, at, book, days_after, seen_in_person
from anyun.staff import services as staff

pytestmark = pytest.mark.django_db


def _codes(excinfo: pytest.ExceptionInfo[DomainError]) -> tuple[str, str | None]:
    return excinfo.value.code, excinfo.value.field


def test_free_slots_cover_the_horizon_with_capacity(
    clinic: Clinic, time_machine: Any, tomorrow: datetime
) -> None:
    time_machine.move_to(at(tomorrow, 10, 10), tick=False)
    free = selectors.free_slots(clinic.department, clinic.profile)
    # Today 10:30 is left of today's four; then four a day for the 13 further days.
    assert free[0].starts_at == at(tomorrow, 10, 30)
    assert len(free) == 1 + 13 * 4
    assert {f.capacity for f in free} == {1}
    department = selectors.free_slots(clinic.department, None, days=2)
    assert [f.starts_at for f in department] == [
        at(tomorrow, 14),
        at(tomorrow, 15),
        at(days_after(tomorrow, 1), 14),
        at(days_after(tomorrow, 1), 15),
    ]
    assert {f.capacity for f in department} == {2}
    with override_settings(ANYUN_BOOKING_DAYS_AHEAD=3):
        assert len(selectors.free_slots(clinic.department, clinic.profile)) == 1 + 2 * 4


def test_booking_takes_a_seat_tells_both_sides_and_is_audited(
    clinic: Clinic, time_machine: Any, tomorrow: datetime
) -> None:
    time_machine.move_to(at(tomorrow, 8), tick=False)
    start = at(days_after(tomorrow, 2), 9, 30)
    appointment = book(clinic, clinic.woman, start)
    assert (appointment.status, appointment.starts_at, appointment.ends_at, appointment.seat) == (
        AppointmentStatus.BOOKED,
        start,
        start + timedelta(minutes=30),
        1,
    )
    assert {n.recipient for n in Notification.objects.filter(kind="appointment_booked")} == {
        clinic.woman,
        clinic.clinician,
    }
    event = AuditEvent.objects.get(action="appointment_book")
    assert (event.subject, event.object_id) == (clinic.woman, str(appointment.public_id))
    free = {f.starts_at: f.free for f in selectors.free_slots(clinic.department, clinic.profile)}
    assert free[start] == 0 and free[start + timedelta(minutes=30)] == 1
    # Reminders fall due the evening before and on the morning of the day.
    assert appointment.remind_day_before_at == at(days_after(tomorrow, 1), 18)
    assert appointment.remind_same_day_at == at(days_after(tomorrow, 2), 7, 30)


def test_capacity_is_enforced(
    clinic: Clinic, make_woman: Any, time_machine: Any, tomorrow: datetime
) -> None:
    time_machine.move_to(at(tomorrow, 8), tick=False)
    start = at(tomorrow, 14)
    first = book(clinic, clinic.woman, start, clinician=None)
    second = book(clinic, clinic.other_woman, start, clinician=None)
    assert sorted([first.seat, second.seat]) == [1, 2]
    with pytest.raises(DomainError) as excinfo:
        book(
            clinic,
            seen_in_person(make_woman(pregnant_weeks=30), head=clinic.head, visit=clinic.visit),
            start,
            clinician=None,
        )
    assert _codes(excinfo) == ("slot_full", "starts_at")
    # A cancellation frees the seat for someone else.
    services.appointment_cancel(actor=clinic.woman, appointment_id=first.public_id)
    third = book(
        clinic,
        seen_in_person(make_woman(pregnant_weeks=30), head=clinic.head, visit=clinic.visit),
        start,
        clinician=None,
    )
    assert third.seat == first.seat


def test_bad_times_are_refused(clinic: Clinic, time_machine: Any, tomorrow: datetime) -> None:
    time_machine.move_to(at(tomorrow, 10, 10), tick=False)
    cases = [
        (at(tomorrow, 10), "slot_past"),  # started already
        (at(tomorrow, 9, 15), "slot_past"),
        (at(tomorrow, 12), "slot_unavailable"),  # no schedule at noon
        (at(tomorrow, 10, 45), "slot_unavailable"),  # not on a slot boundary
        (at(days_after(tomorrow, 14), 9), "slot_too_far"),
    ]
    for start, code in cases:
        with pytest.raises(DomainError) as excinfo:
            book(clinic, clinic.woman, start)
        assert _codes(excinfo) == (code, "starts_at"), start
    with pytest.raises(DomainError) as excinfo:
        book(clinic, clinic.woman, at(tomorrow, 10, 30).replace(tzinfo=None))
    assert excinfo.value.code == "starts_at_invalid"
    assert not Appointment.objects.exists()


def test_she_cannot_hold_two_appointments_at_once_and_the_key_repeats(
    clinic: Clinic, time_machine: Any, tomorrow: datetime
) -> None:
    time_machine.move_to(at(tomorrow, 8), tick=False)
    start = at(days_after(tomorrow, 1), 14)
    first, created = services.appointment_book(
        woman=clinic.woman,
        department=clinic.department,
        clinician=None,
        starts_at=start,
        idempotency_key="k-1",
    )
    again, created_again = services.appointment_book(
        woman=clinic.woman,
        department=clinic.department,
        clinician=None,
        starts_at=start,
        idempotency_key="k-1",
    )
    assert created and not created_again and again.pk == first.pk
    with pytest.raises(DomainError) as excinfo:
        services.appointment_book(
            woman=clinic.woman,
            department=clinic.department,
            clinician=None,
            starts_at=start,
            idempotency_key="k-2",
        )
    assert excinfo.value.code == "appointment_clash"
    with pytest.raises(DomainError) as excinfo:
        services.appointment_book(
            woman=clinic.woman,
            department=clinic.department,
            clinician=None,
            starts_at=start,
            idempotency_key="x" * 65,
        )
    assert excinfo.value.code == "idempotency_key_invalid"
    assert Appointment.objects.count() == 1


def test_only_a_ready_woman_books(
    clinic: Clinic, make_woman: Any, time_machine: Any, tomorrow: datetime
) -> None:
    unverified = make_woman(verified=False)
    time_machine.move_to(at(tomorrow, 8), tick=False)
    with pytest.raises(PermissionDenied) as excinfo:
        book(clinic, unverified, at(tomorrow, 9))
    assert excinfo.value.code == "identity_required"
    with pytest.raises(PermissionDenied):
        book(clinic, clinic.clinician, at(tomorrow, 9))


def test_a_follow_up_check_registered_by_a_higher_app_stops_booking(
    clinic: Clinic, monkeypatch: Any, time_machine: Any, tomorrow: datetime
) -> None:
    def not_eligible(woman: Any) -> None:
        raise DomainError("follow_up_not_eligible", "No in-person visit on record.")

    monkeypatch.setattr(gates, "FOLLOW_UP_CHECKS", [])
    gates.register_follow_up_check(not_eligible)
    time_machine.move_to(at(tomorrow, 8), tick=False)
    with pytest.raises(DomainError) as excinfo:
        book(clinic, clinic.woman, at(tomorrow, 9))
    assert excinfo.value.code == "follow_up_not_eligible"
    with pytest.raises(DomainError):
        services.queue_join(woman=clinic.woman, department=clinic.department)


def test_cancel_and_move_within_the_cut_off(
    clinic: Clinic, time_machine: Any, tomorrow: datetime
) -> None:
    time_machine.move_to(at(tomorrow, 6), tick=False)
    first = book(clinic, clinic.woman, at(tomorrow, 10))
    moved = services.appointment_reschedule(
        woman=clinic.woman, appointment_id=first.public_id, starts_at=at(tomorrow, 10, 30)
    )
    assert (moved.pk, moved.starts_at, moved.reschedule_count) == (
        first.pk,
        at(tomorrow, 10, 30),
        1,
    )
    assert Notification.objects.filter(kind="appointment_changed").count() == 2
    assert AuditEvent.objects.filter(action="appointment_reschedule").count() == 1
    # The freed time can be booked by another woman.
    book(clinic, clinic.other_woman, at(tomorrow, 10))
    with pytest.raises(DomainError) as excinfo:
        services.appointment_reschedule(
            woman=clinic.woman, appointment_id=first.public_id, starts_at=at(tomorrow, 10)
        )
    assert excinfo.value.code == "slot_full"
    # 2 hours before (the setting) she can no longer change it.
    time_machine.move_to(at(tomorrow, 8, 31), tick=False)
    for change in (
        lambda: services.appointment_cancel(actor=clinic.woman, appointment_id=first.public_id),
        lambda: services.appointment_reschedule(
            woman=clinic.woman, appointment_id=first.public_id, starts_at=at(tomorrow, 9)
        ),
    ):
        with pytest.raises(DomainError) as excinfo:
            change()
        assert excinfo.value.code == "appointment_change_too_late"
    # The clinic still can, until the start; she is told.
    cancelled = services.appointment_cancel(
        actor=clinic.clinician, appointment_id=first.public_id, reason="Called to theatre"
    )
    assert (cancelled.status, cancelled.cancelled_by) == (
        AppointmentStatus.CANCELLED,
        CancelledBy.CLINIC,
    )
    told = Notification.objects.filter(kind="appointment_cancelled").get()
    assert told.recipient == clinic.woman


def test_another_woman_or_department_cannot_touch_it(
    clinic: Clinic, make_clinician: Any, time_machine: Any, tomorrow: datetime
) -> None:
    time_machine.move_to(at(tomorrow, 6), tick=False)
    appointment = book(clinic, clinic.woman, at(tomorrow, 10))
    with pytest.raises(NotFound):
        services.appointment_cancel(actor=clinic.other_woman, appointment_id=appointment.public_id)
    with pytest.raises(NotFound):
        services.appointment_reschedule(
            woman=clinic.other_woman,
            appointment_id=appointment.public_id,
            starts_at=at(tomorrow, 9),
        )
    elsewhere = make_clinician()
    profile = elsewhere.clinician_profile
    profile.department = staff.department_create(
        hospital=profile.department.hospital, name="Gynaecology", code="GY"
    )
    profile.save()
    with pytest.raises(NotFound):
        services.appointment_cancel(actor=elsewhere, appointment_id=appointment.public_id)
    colleague = make_clinician()  # same department, not her clinician, not the head
    with pytest.raises(NotFound):
        services.appointment_cancel(actor=colleague, appointment_id=appointment.public_id)
    assert Appointment.objects.get().status == AppointmentStatus.BOOKED


def test_leave_and_closed_days_remove_slots_and_cancel_bookings(
    clinic: Clinic, time_machine: Any, tomorrow: datetime
) -> None:
    time_machine.move_to(at(tomorrow, 6), tick=False)
    day_after = days_after(tomorrow, 1)
    on_leave = book(clinic, clinic.woman, at(day_after, 9))
    department = book(clinic, clinic.other_woman, at(days_after(tomorrow, 3), 14), clinician=None)
    _leave, cancelled = services.leave_add(
        actor=clinic.clinician,
        clinician=clinic.profile,
        starts_on=day_after.date(),
        ends_on=day_after.date(),
        reason="Training",
    )
    assert cancelled == 1
    on_leave.refresh_from_db()
    assert (on_leave.status, on_leave.cancelled_by) == (
        AppointmentStatus.CANCELLED,
        CancelledBy.CLINIC,
    )
    free_days = {
        f.starts_at.date() for f in selectors.free_slots(clinic.department, clinic.profile)
    }
    assert day_after.date() not in free_days and tomorrow.date() in free_days
    # The department's own schedule is not affected by one clinician's leave.
    assert day_after.date() in {
        f.starts_at.date() for f in selectors.free_slots(clinic.department, None)
    }
    closed = days_after(tomorrow, 3).date()
    _holiday, cancelled = services.holiday_add(
        actor=clinic.head, day=closed, name="Hospital closed"
    )
    assert cancelled == 1
    department.refresh_from_db()
    assert department.status == AppointmentStatus.CANCELLED
    for owner in (clinic.profile, None):
        assert closed not in {
            f.starts_at.date() for f in selectors.free_slots(clinic.department, owner)
        }
    with pytest.raises(DomainError) as excinfo:
        book(clinic, clinic.woman, at(days_after(tomorrow, 3), 9))
    assert excinfo.value.code == "slot_unavailable"
    assert (
        Notification.objects.filter(kind="appointment_cancelled", recipient=clinic.woman).count()
        == 1
    )
    with pytest.raises(DomainError) as excinfo:
        services.holiday_add(actor=clinic.head, day=closed, name="Again")
    assert _codes(excinfo) == ("holiday_exists", "day")


def test_who_manages_schedules(clinic: Clinic, make_clinician: Any) -> None:
    colleague = make_clinician()
    with pytest.raises(PermissionDenied):
        services.schedule_rule_add(
            actor=colleague,
            department=clinic.department,
            clinician=clinic.profile,
            weekday=0,
            start=time(12),
            end=time(13),
            slot_minutes=30,
            capacity=1,
        )
    with pytest.raises(PermissionDenied):
        services.holiday_add(
            actor=colleague, day=selectors.local_today() + timedelta(days=1), name="x"
        )
    with pytest.raises(PermissionDenied):
        services.leave_add(
            actor=colleague,
            clinician=clinic.profile,
            starts_on=selectors.local_today(),
            ends_on=selectors.local_today(),
        )
    # The head may add to a clinician's schedule; an overlap is refused with its field.
    services.schedule_rule_add(
        actor=clinic.head,
        department=clinic.department,
        clinician=clinic.profile,
        weekday=0,
        start=time(11),
        end=time(12),
        slot_minutes=30,
        capacity=1,
    )
    with pytest.raises(DomainError) as excinfo:
        services.schedule_rule_add(
            actor=clinic.clinician,
            department=clinic.department,
            clinician=clinic.profile,
            weekday=0,
            start=time(10, 30),
            end=time(11, 30),
            slot_minutes=30,
            capacity=1,
        )
    assert _codes(excinfo) == ("schedule_overlap", "start")
    with pytest.raises(DomainError) as excinfo:
        services.schedule_rule_add(
            actor=clinic.clinician,
            department=clinic.department,
            clinician=clinic.profile,
            weekday=0,
            start=time(18),
            end=time(17),
            slot_minutes=30,
            capacity=1,
        )
    assert _codes(excinfo) == ("schedule_end", "end")
    assert AuditEvent.objects.filter(action="schedule_add").count() == 15


def test_no_in_person_visit_on_record_no_online_booking_or_queue(
    clinic: Clinic, make_woman: Any, time_machine: Any, tomorrow: datetime
) -> None:
    """Follow-up only (POL-13): without an in-person visit on record she is told why and
    how to get one, and nothing is booked or queued."""
    new = make_woman(pregnant_weeks=12)
    time_machine.move_to(at(tomorrow, 8), tick=False)
    with pytest.raises(DomainError) as booking:
        book(clinic, new, at(tomorrow, 9))
    with pytest.raises(DomainError) as queueing:
        services.queue_join(woman=new, department=clinic.department)
    assert booking.value.code == queueing.value.code == "online_care_unsuitable"
    assert not Appointment.objects.filter(woman=new).exists()
    seen_in_person(new, head=clinic.head, visit=clinic.visit)
    assert book(clinic, new, at(tomorrow, 9)).status == AppointmentStatus.BOOKED
