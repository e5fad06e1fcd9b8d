"""The scheduling API routes: thin, calling services and selectors. Times go out in the
hospital's zone (Asia/Shanghai, +08:00).

Her side: departments and clinicians with schedules, free slots, booking (with an
`Idempotency-Key`), her appointments, cancel and move, the live queue. The clinic's side:
today's list and the live queue, receiving and accepting.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Query, Router, Schema, Status

from anyun.accounts.decorators import acting_user
from anyun.accounts.models import CLINICAL_ROLES, Role, User
from anyun.audit.services import audit_record
from anyun.core.errors import NotFound, PermissionDenied
from anyun.scheduling import selectors, services
from anyun.scheduling.models import Appointment, QueueEntry
from anyun.staff.models import ClinicianProfile, Department
from anyun.staff.selectors import clinician_for

router = Router(tags=["scheduling"])


def _woman(request: HttpRequest) -> User:
    user = acting_user(request)
    if user.role != Role.WOMAN:
        raise PermissionDenied("not_a_woman", _("Only a woman can do this for herself."))
    return user


def _staff(request: HttpRequest) -> tuple[User, ClinicianProfile]:
    user = acting_user(request)
    profile = clinician_for(user)
    if profile is None:
        raise PermissionDenied("not_staff", _("Only the hospital's clinical staff can do this."))
    if user.role not in CLINICAL_ROLES:
        raise PermissionDenied(
            "not_clinical_staff", _("Only the hospital's clinicians and nurses can do this.")
        )
    return user, profile


class BookableClinicianOut(Schema):
    id: UUID
    name: str
    title: str


class BookableDepartmentOut(Schema):
    id: UUID
    name: str
    hospital: str
    has_department_schedule: bool
    clinicians: list[BookableClinicianOut]


class SlotOut(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    free: int


class AppointmentOut(Schema):
    id: UUID
    department_id: UUID
    department: str
    clinician_id: UUID | None
    clinician: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    status_label: str
    cancelled_by: str


class BookIn(Schema):
    department: UUID
    clinician: UUID | None = Field(None, description="Empty: the department's own schedule.")
    starts_at: dt.datetime


class CancelIn(Schema):
    reason: str = Field("", max_length=200)


class MoveIn(Schema):
    starts_at: dt.datetime


class QueueJoinIn(Schema):
    department: UUID


class QueueOut(Schema):
    id: UUID
    department_id: UUID
    department: str
    status: str
    status_label: str
    joined_at: dt.datetime
    expires_at: dt.datetime
    position: int | None
    expected_wait_minutes: int | None


class WaitingOut(Schema):
    id: UUID
    woman_id: UUID
    woman: str
    joined_at: dt.datetime
    expires_at: dt.datetime


class ClinicAppointmentOut(AppointmentOut):
    woman_id: UUID
    woman: str


class TodayOut(Schema):
    appointments: list[ClinicAppointmentOut]
    queue: list[WaitingOut]


def appointment_out(a: Appointment) -> AppointmentOut:
    return AppointmentOut(
        id=a.public_id,
        department_id=a.department.public_id,
        department=a.department.name,
        clinician_id=a.clinician.public_id if a.clinician else None,
        clinician=a.clinician.name if a.clinician else None,
        starts_at=timezone.localtime(a.starts_at),
        ends_at=timezone.localtime(a.ends_at),
        status=a.status,
        status_label=str(a.get_status_display()),
        cancelled_by=a.cancelled_by,
    )


def queue_out(entry: QueueEntry) -> QueueOut:
    place = selectors.queue_place(entry)
    return QueueOut(
        id=entry.public_id,
        department_id=entry.department.public_id,
        department=entry.department.name,
        status=entry.status,
        status_label=str(entry.get_status_display()),
        joined_at=timezone.localtime(entry.joined_at),
        expires_at=timezone.localtime(entry.expires_at),
        position=place.position if place else None,
        expected_wait_minutes=place.expected_wait_minutes if place else None,
    )


def _owner(
    department_id: UUID, clinician_id: UUID | None
) -> tuple[Department, ClinicianProfile | None]:
    department = selectors.department_by_id(department_id)
    clinician = selectors.clinician_in(department, clinician_id) if clinician_id else None
    return department, clinician


@router.get("/departments", response=list[BookableDepartmentOut])
def departments(request: HttpRequest) -> list[BookableDepartmentOut]:
    """Departments with online schedules, and their clinicians who have one."""
    return [
        BookableDepartmentOut(
            id=d.public_id,
            name=d.name,
            hospital=d.hospital.name,
            has_department_schedule=selectors.has_department_schedule(d),
            clinicians=[
                BookableClinicianOut(id=c.public_id, name=c.name, title=str(c.get_title_display()))
                for c in selectors.bookable_clinicians(d)
            ],
        )
        for d in selectors.bookable_departments()
    ]


@router.get("/slots", response=list[SlotOut])
def slots(
    request: HttpRequest,
    department: UUID,
    clinician: UUID | None = None,
    days: int | None = Query(None, ge=1, le=31),  # type: ignore[type-arg]
) -> list[SlotOut]:
    """Free and full slots of a clinician (or the department's own schedule) from now on,
    for the booking horizon (default 14 days)."""
    dept, profile = _owner(department, clinician)
    return [
        SlotOut(starts_at=s.starts_at, ends_at=s.ends_at, capacity=s.capacity, free=s.free)
        for s in selectors.free_slots(dept, profile, days=days)
    ]


@router.get("/appointments", response=list[AppointmentOut])
def my_appointments(request: HttpRequest) -> list[AppointmentOut]:
    return [appointment_out(a) for a in selectors.appointments_of(_woman(request))]


@router.post("/appointments", response={201: AppointmentOut, 200: AppointmentOut})
def book(
    request: HttpRequest,
    data: BookIn,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
) -> Status:
    """Book a slot. Send an `Idempotency-Key` header: a repeat with the same key returns the
    first booking (200) and books nothing. A full slot gives 400 `slot_full`."""
    woman = _woman(request)
    department, clinician = _owner(data.department, data.clinician)
    appointment, created = services.appointment_book(
        woman=woman,
        department=department,
        clinician=clinician,
        starts_at=data.starts_at,
        idempotency_key=idempotency_key,
        request=request,
    )
    appointment = selectors.appointment_of_woman(woman, appointment.public_id)
    return Status(201 if created else 200, appointment_out(appointment))


@router.post("/appointments/{appointment_id}/cancel", response=AppointmentOut)
def cancel(request: HttpRequest, appointment_id: UUID, data: CancelIn) -> AppointmentOut:
    """She cancels hers up to the hospital's cut-off; the clinic until the start."""
    appointment = services.appointment_cancel(
        actor=acting_user(request),
        appointment_id=appointment_id,
        reason=data.reason,
        request=request,
    )
    return appointment_out(appointment)


@router.post("/appointments/{appointment_id}/reschedule", response=AppointmentOut)
def reschedule(request: HttpRequest, appointment_id: UUID, data: MoveIn) -> AppointmentOut:
    appointment = services.appointment_reschedule(
        woman=_woman(request),
        appointment_id=appointment_id,
        starts_at=data.starts_at,
        request=request,
    )
    return appointment_out(appointment)


@router.post("/queue", response={201: QueueOut})
def queue_join(request: HttpRequest, data: QueueJoinIn) -> Status:
    """Join the department's live queue; the answer gives her position and expected wait."""
    woman = _woman(request)
    entry = services.queue_join(
        woman=woman, department=selectors.department_by_id(data.department), request=request
    )
    return Status(201, queue_out(entry))


@router.get("/queue", response=QueueOut)
def queue_position(request: HttpRequest) -> QueueOut:
    """Her waiting request with its position, or her last one (how it ended); 404 if none."""
    entry = selectors.queue_entry_of(_woman(request))
    if entry is None:
        raise NotFound()
    return queue_out(entry)


@router.delete("/queue", response=QueueOut)
def queue_leave(request: HttpRequest) -> QueueOut:
    return queue_out(services.queue_leave(woman=_woman(request), request=request))


@router.get("/clinic/today", response=TodayOut)
def clinic_today(request: HttpRequest) -> TodayOut:
    """The clinician's appointments today (theirs and the department's) and the live queue."""
    user, _profile = _staff(request)
    day = selectors.workday(user)
    audit_record(
        actor=user,
        action="workday_read",
        object_type="workday",
        request=request,
        detail={"appointments": len(day.appointments), "queue": len(day.queue)},
    )
    return TodayOut(
        appointments=[
            ClinicAppointmentOut(
                **appointment_out(a).model_dump(),
                woman_id=a.woman.public_id,
                woman=selectors.woman_name(a.woman),
            )
            for a in day.appointments
        ],
        queue=[
            WaitingOut(
                id=e.public_id,
                woman_id=e.woman.public_id,
                woman=selectors.woman_name(e.woman),
                joined_at=timezone.localtime(e.joined_at),
                expires_at=timezone.localtime(e.expires_at),
            )
            for e in day.queue
        ],
    )


@router.post("/clinic/appointments/{appointment_id}/receive", response=AppointmentOut)
def receive(request: HttpRequest, appointment_id: UUID) -> AppointmentOut:
    """Receive her within the booked time; needs valid online-practice credentials (403
    `credential_invalid` otherwise)."""
    user, _profile = _staff(request)
    return appointment_out(
        services.appointment_receive(actor=user, appointment_id=appointment_id, request=request)
    )


@router.post("/clinic/queue/{entry_id}/accept", response=QueueOut)
def accept(request: HttpRequest, entry_id: UUID) -> QueueOut:
    user, _profile = _staff(request)
    entry = services.queue_accept(actor=user, entry_id=entry_id, request=request)
    return queue_out(entry)
