"""Scheduling use cases: schedules and closed days, booking, the live queue, receiving,
reminders, no-shows and their tracing. Each is one transaction, audited in it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anyun.accounts.models import CLINICAL_ROLES, Role, User
from anyun.audit.services import audit_record
from anyun.careteam.services import care_access_grant
from anyun.core.errors import DomainError, NotFound, PermissionDenied
from anyun.core.inputs import idempotency_key_clean
from anyun.notify.services import Message, notification_send, notifications_send_many
from anyun.scheduling import selectors
from anyun.scheduling import slots as slotmath
from anyun.scheduling.gates import require_may_start
from anyun.scheduling.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    CancelledBy,
    ContactAttempt,
    ContactMethod,
    Holiday,
    Leave,
    QueueEntry,
    QueuePolicy,
    QueueStatus,
    ScheduleRule,
    TracingCase,
    TracingOutcome,
    TracingStatus,
    owner_key,
)
from anyun.scheduling.signals import request_received
from anyun.staff.models import ClinicianProfile, Department
from anyun.staff.selectors import clinician_for, department_heads, require_online_practice

# An appointment may be received from this long before its start (local policy).
EARLY_RECEIVE = timedelta(minutes=15)
SWEEP_BATCH = 500
IDEMPOTENCY_KEY_MAX = 64
NOTE_MAX = 500
MY_APPOINTMENTS = "/scheduling/"


# --- helpers ------------------------------------------------------------------------------


def _language(user: User) -> str:
    return user.preferred_language or settings.LANGUAGE_CODE


def _when(moment: datetime) -> str:
    return timezone.localtime(moment, selectors.zone()).strftime("%Y-%m-%d %H:%M")


def _tell(
    recipient: User | None,
    *,
    kind: str,
    title: Any,
    body: Any,
    link: str,
    dedup_key: str | None = None,
    params: dict[str, str] | None = None,
) -> None:
    """One in-app/push notification in the recipient's language (texts are lazy)."""
    message = _message(
        recipient, kind=kind, title=title, body=body, link=link, dedup_key=dedup_key, params=params
    )
    if message is not None:
        notification_send(
            recipient=message.recipient,
            kind=message.kind,
            title=message.title,
            body=message.body,
            link=message.link,
            dedup_key=message.dedup_key,
        )


def _message(
    recipient: User | None,
    *,
    kind: str,
    title: Any,
    body: Any,
    link: str,
    dedup_key: str | None = None,
    params: dict[str, str] | None = None,
) -> Message | None:
    """The notification `_tell` sends, worded in the recipient's language; None for nobody
    (no account, or a deactivated one)."""
    if recipient is None or not recipient.is_active:
        return None
    with translation.override(_language(recipient)):
        return Message(
            recipient=recipient,
            kind=kind,
            title=str(title),
            body=str(body) % (params or {}),
            link=link,
            dedup_key=dedup_key,
        )


def _profile_of(actor: Any) -> ClinicianProfile:
    """The clinician or nurse acting: other staff (a pharmacist holds a profile too) are
    refused, whatever door they came through."""
    profile = clinician_for(actor)
    if profile is None:
        raise PermissionDenied("not_staff", _("Only the hospital's clinical staff can do this."))
    if actor.role not in CLINICAL_ROLES:
        raise PermissionDenied(
            "not_clinical_staff", _("Only the hospital's clinicians and nurses can do this.")
        )
    return profile


def _is_head(profile: ClinicianProfile) -> bool:
    return profile.is_department_head


def _care_side(appointment: Appointment) -> list[User]:
    """Who is told for the clinic: the appointment's clinician, else the department heads."""
    if appointment.clinician_id is not None:
        return [appointment.clinician.user]  # type: ignore[union-attr]
    return department_heads(department=appointment.department)


def _appointment_params(appointment: Appointment) -> dict[str, str]:
    with_whom = appointment.clinician.name if appointment.clinician else appointment.department.name
    return {"when": _when(appointment.starts_at), "with": with_whom}


def _tell_both(
    appointment: Appointment,
    *,
    kind: str,
    her: tuple[Any, Any],
    clinic: tuple[Any, Any],
    params: dict[str, str],
    except_for: User | None = None,
) -> None:
    """A change of an appointment, told to her and to the clinic's side (title, body each);
    `except_for`: the staff member who made it, who needs no message."""
    _tell(
        appointment.woman, kind=kind, title=her[0], body=her[1], params=params, link=MY_APPOINTMENTS
    )
    for person in _care_side(appointment):
        if person != except_for:
            _tell(
                person,
                kind=kind,
                title=clinic[0],
                body=clinic[1],
                params=params,
                link="/scheduling/clinic/",
            )


# The hospital cancelled (leave, a closed day, the clinic): what each side reads.
CANCELLED_BY_HOSPITAL = (
    _("Appointment cancelled by the hospital"),
    _(
        "Your online appointment on %(when)s with %(with)s was cancelled by the "
        "hospital. Please book another time or join the live queue."
    ),
)
CANCELLED_FOR_CLINIC = (
    _("Appointment cancelled"),
    _("The online appointment on %(when)s was cancelled for the clinic."),
)


def _reminder_times(starts_at: datetime, booked_at: datetime) -> tuple[datetime | None, ...]:
    zone = selectors.zone()
    day_before = slotmath.reminder_due(
        starts_at=starts_at,
        booked_at=booked_at,
        day_offset=1,
        at=slotmath.parse_hhmm(settings.ANYUN_REMINDER_DAY_BEFORE_AT),
        zone=zone,
    )
    same_day = slotmath.reminder_due(
        starts_at=starts_at,
        booked_at=booked_at,
        day_offset=0,
        at=slotmath.parse_hhmm(settings.ANYUN_REMINDER_SAME_DAY_AT),
        zone=zone,
    )
    return day_before, same_day


# --- schedules, closed days, leave, queue policy ------------------------------------------


def _may_manage(actor: Any, department: Department, clinician: ClinicianProfile | None) -> None:
    """The department head manages the department's schedules and its clinicians' leave; a
    clinician or nurse their own."""
    profile = _profile_of(actor)
    if profile.department_id != department.pk:
        raise NotFound()
    if _is_head(profile):
        return
    if clinician is None or clinician.pk != profile.pk:
        raise PermissionDenied(
            "not_allowed_to_schedule",
            _("Only the department head can change the department's or a colleague's schedule."),
        )


def _rule_error(code: str) -> DomainError:
    messages = {
        "weekday": _("Choose a day of the week."),
        "slot_minutes": _("A slot lasts 5 to 240 minutes and fits between the start and end."),
        "capacity": _("A slot takes 1 to 50 women."),
        "end": _("The end must be after the start."),
        "valid_until": _("The last day cannot be before the first day."),
    }
    return DomainError(f"schedule_{code}", messages[code], field=code)


def schedule_rule_add(
    *,
    actor: Any,
    department: Department,
    clinician: ClinicianProfile | None,
    weekday: int,
    start: time,
    end: time,
    slot_minutes: int,
    capacity: int,
    valid_from: date | None = None,
    valid_until: date | None = None,
    request: HttpRequest | None = None,
) -> ScheduleRule:
    """A weekly block of online consultations; it may not overlap another of the same owner."""
    _may_manage(actor, department, clinician)
    rule = slotmath.WeeklyRule(weekday, start, end, slot_minutes, capacity, valid_from, valid_until)
    problem = slotmath.rule_problem(rule)
    if problem:
        raise _rule_error(problem)
    with transaction.atomic():
        # One writer per department at a time, so two overlapping rules cannot both be added.
        Department.objects.select_for_update().filter(pk=department.pk).first()
        for other in selectors.rules_of(department, clinician):
            if slotmath.rules_overlap(rule, selectors.weekly(other)):
                raise DomainError(
                    "schedule_overlap",
                    _("This overlaps another schedule of the same clinician on that day."),
                    field="start",
                )
        row = ScheduleRule.objects.create(
            department=department,
            clinician=clinician,
            weekday=weekday,
            start=start,
            end=end,
            slot_minutes=slot_minutes,
            capacity=capacity,
            valid_from=valid_from,
            valid_until=valid_until,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="schedule_add",
            object_type="schedule",
            object_id=row.public_id,
            request=request,
            detail={
                "clinician": str(clinician.public_id) if clinician else None,
                "weekday": weekday,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "slot_minutes": slot_minutes,
                "capacity": capacity,
            },
        )
    return row


def schedule_rule_remove(
    *, actor: Any, rule_id: UUID | str, request: HttpRequest | None = None
) -> None:
    """Remove a weekly block; appointments already booked in it stay booked."""
    profile = _profile_of(actor)
    rule = (
        ScheduleRule.objects.select_related("department", "clinician")
        .filter(public_id=rule_id, department_id=profile.department_id)
        .first()
    )
    if rule is None:
        raise NotFound()
    _may_manage(actor, rule.department, rule.clinician)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="schedule_remove",
            object_type="schedule",
            object_id=rule.public_id,
            request=request,
        )
        rule.delete()


def _cancel_by_clinic(appointments: Iterable[Appointment], *, reason: Any, now: datetime) -> int:
    """Cancel booked appointments for the clinic (leave, a closed day) and tell both sides."""
    count = 0
    for appointment in appointments:
        changed = Appointment.objects.filter(
            pk=appointment.pk, status=AppointmentStatus.BOOKED
        ).update(
            status=AppointmentStatus.CANCELLED,
            cancelled_at=now,
            cancelled_by=CancelledBy.CLINIC,
            cancel_reason=str(reason)[:200],
        )
        if not changed:
            continue
        count += 1
        _tell_both(
            appointment,
            kind="appointment_cancelled",
            her=CANCELLED_BY_HOSPITAL,
            clinic=CANCELLED_FOR_CLINIC,
            params=_appointment_params(appointment),
        )
    return count


def _booked_in(
    *, clinician: ClinicianProfile | None, hospital_id: int | None, first: date, last: date
) -> list[Appointment]:
    zone = selectors.zone()
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    rows = Appointment.objects.select_related("woman", "department", "clinician__user").filter(
        status=AppointmentStatus.BOOKED, starts_at__gte=start, starts_at__lt=end
    )
    if clinician is not None:
        rows = rows.filter(clinician=clinician)
    if hospital_id is not None:
        rows = rows.filter(department__hospital_id=hospital_id)
    return list(rows)


def holiday_add(
    *, actor: Any, day: date, name: str, request: HttpRequest | None = None
) -> tuple[Holiday, int]:
    """A department head closes the hospital's online clinic on `day`; appointments booked
    that day are cancelled and both sides told. Returns the holiday and how many."""
    profile = _profile_of(actor)
    if not _is_head(profile):
        raise PermissionDenied(
            "not_allowed_to_schedule", _("Only a department head can set closed days.")
        )
    name = name.strip()
    if not name:
        raise DomainError("holiday_name_required", _("Give the closed day a name."), field="name")
    if day < selectors.local_today():
        raise DomainError("holiday_past", _("Choose today or a later day."), field="day")
    hospital_id = profile.department.hospital_id
    with transaction.atomic():
        try:
            with transaction.atomic():
                holiday = Holiday.objects.create(
                    hospital_id=hospital_id, day=day, name=name[:100], created_by=actor
                )
        except IntegrityError:
            raise DomainError(
                "holiday_exists", _("That day is already closed."), field="day"
            ) from None
        cancelled = _cancel_by_clinic(
            _booked_in(clinician=None, hospital_id=hospital_id, first=day, last=day),
            reason=gettext("Closed day: %(name)s") % {"name": name},
            now=timezone.now(),
        )
        audit_record(
            actor=actor,
            action="holiday_add",
            object_type="holiday",
            object_id=holiday.public_id,
            request=request,
            detail={"day": day.isoformat(), "cancelled": cancelled},
        )
    return holiday, cancelled


def holiday_remove(
    *, actor: Any, holiday_id: UUID | str, request: HttpRequest | None = None
) -> None:
    profile = _profile_of(actor)
    if not _is_head(profile):
        raise PermissionDenied(
            "not_allowed_to_schedule", _("Only a department head can set closed days.")
        )
    holiday = Holiday.objects.filter(
        public_id=holiday_id, hospital_id=profile.department.hospital_id
    ).first()
    if holiday is None:
        raise NotFound()
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="holiday_remove",
            object_type="holiday",
            object_id=holiday.public_id,
            request=request,
            detail={"day": holiday.day.isoformat()},
        )
        holiday.delete()


def leave_add(
    *,
    actor: Any,
    clinician: ClinicianProfile,
    starts_on: date,
    ends_on: date,
    reason: str = "",
    request: HttpRequest | None = None,
) -> tuple[Leave, int]:
    """Leave of a clinician (their own, or recorded by the head); their appointments booked
    in it are cancelled and both sides told. Returns the leave and how many."""
    _may_manage(actor, clinician.department, clinician)
    if ends_on < starts_on:
        raise DomainError(
            "leave_range", _("The last day cannot be before the first day."), field="ends_on"
        )
    if ends_on < selectors.local_today():
        raise DomainError("leave_past", _("Leave must end today or later."), field="ends_on")
    with transaction.atomic():
        leave = Leave.objects.create(
            clinician=clinician,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason.strip()[:200],
            created_by=actor,
        )
        cancelled = _cancel_by_clinic(
            _booked_in(clinician=clinician, hospital_id=None, first=starts_on, last=ends_on),
            reason=gettext("The clinician is on leave."),
            now=timezone.now(),
        )
        audit_record(
            actor=actor,
            action="leave_add",
            object_type="leave",
            object_id=leave.public_id,
            request=request,
            detail={
                "clinician": str(clinician.public_id),
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat(),
                "cancelled": cancelled,
            },
        )
    return leave, cancelled


def leave_remove(*, actor: Any, leave_id: UUID | str, request: HttpRequest | None = None) -> None:
    profile = _profile_of(actor)
    leave = (
        Leave.objects.select_related("clinician__department")
        .filter(public_id=leave_id, clinician__department_id=profile.department_id)
        .first()
    )
    if leave is None:
        raise NotFound()
    _may_manage(actor, leave.clinician.department, leave.clinician)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="leave_remove",
            object_type="leave",
            object_id=leave.public_id,
            request=request,
        )
        leave.delete()


def queue_policy_set(
    *,
    actor: Any,
    accept_minutes: int,
    minutes_per_woman: int,
    request: HttpRequest | None = None,
) -> QueuePolicy:
    """The head sets how long a live-queue request waits (5-240 min) and the usual minutes
    per consultation (1-120) for the expected wait."""
    profile = _profile_of(actor)
    if not _is_head(profile):
        raise PermissionDenied(
            "not_allowed_to_schedule", _("Only the department head can change the live queue.")
        )
    if not 5 <= accept_minutes <= 240:
        raise DomainError(
            "queue_accept_minutes", _("Enter 5 to 240 minutes."), field="accept_minutes"
        )
    if not 1 <= minutes_per_woman <= 120:
        raise DomainError(
            "queue_minutes_per_woman", _("Enter 1 to 120 minutes."), field="minutes_per_woman"
        )
    with transaction.atomic():
        policy, _created = QueuePolicy.objects.update_or_create(
            department_id=profile.department_id,
            defaults={
                "accept_minutes": accept_minutes,
                "minutes_per_woman": minutes_per_woman,
                "updated_by": actor,
            },
        )
        audit_record(
            actor=actor,
            action="queue_policy_set",
            object_type="queue_policy",
            object_id=profile.department.public_id,
            request=request,
            detail={"accept_minutes": accept_minutes, "minutes_per_woman": minutes_per_woman},
        )
    return policy


# --- booking ------------------------------------------------------------------------------


def _take_seat(*, slot: slotmath.Slot, create: Any) -> Appointment:
    """Insert the appointment on the first free seat; the unique (owner, start, seat) index
    decides a race: the loser of a seat tries the next, and none left means the slot is full.
    `create(seat)` writes the row."""
    for seat in range(1, slot.capacity + 1):
        try:
            with transaction.atomic():
                return create(seat)  # type: ignore[no-any-return]
        except IntegrityError as exc:
            text = str(exc)
            if "idempotency" in text:
                raise
            if "woman" in text:  # her other appointment at this time, booked a moment ago
                raise _already_at_that_time() from None
            continue
    raise DomainError(
        "slot_full", _("This time is fully booked. Choose another."), field="starts_at"
    )


def _already_at_that_time() -> DomainError:
    return DomainError(
        "appointment_clash",
        _("You already have an appointment at this time."),
        field="starts_at",
    )


def _check_slot(
    department: Department,
    clinician: ClinicianProfile | None,
    starts_at: datetime,
    now: datetime,
) -> slotmath.Slot:
    if timezone.is_naive(starts_at):
        raise DomainError(
            "starts_at_invalid", _("Give the time with its time zone."), field="starts_at"
        )
    if starts_at <= now:
        raise DomainError(
            "slot_past", _("This time has passed. Choose a later one."), field="starts_at"
        )
    horizon = selectors.local_today(now) + timedelta(days=settings.ANYUN_BOOKING_DAYS_AHEAD - 1)
    if starts_at.astimezone(selectors.zone()).date() > horizon:
        raise DomainError(
            "slot_too_far",
            _("Appointments can be booked up to %(days)s days ahead.")
            % {"days": settings.ANYUN_BOOKING_DAYS_AHEAD},
            field="starts_at",
        )
    slot = selectors.slot_at(department, clinician, starts_at)
    if slot is None:
        raise DomainError(
            "slot_unavailable",
            _("There is no consultation at this time. Choose one of the free times."),
            field="starts_at",
        )
    return slot


def _seat_clash(woman: User, starts_at: datetime, *, exclude: int | None = None) -> None:
    rows = Appointment.objects.filter(woman=woman, status__in=ACTIVE_STATUSES, starts_at=starts_at)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    if rows.exists():
        raise _already_at_that_time()


def appointment_book(
    *,
    woman: User,
    department: Department,
    clinician: ClinicianProfile | None,
    starts_at: datetime,
    idempotency_key: str = "",
    request: HttpRequest | None = None,
) -> tuple[Appointment, bool]:
    """Book one seat of a free slot. Returns (appointment, created): a repeat with the same
    idempotency key returns the first booking unchanged."""
    if woman.role != Role.WOMAN:
        raise PermissionDenied("not_a_woman", _("Only a woman can book for herself."))
    key = idempotency_key_clean(idempotency_key, IDEMPOTENCY_KEY_MAX)
    if key:
        earlier = Appointment.objects.filter(woman=woman, idempotency_key=key).first()
        if earlier is not None:
            return earlier, False
    if clinician is not None and clinician.department_id != department.pk:
        raise NotFound()
    require_may_start(woman)
    now = timezone.now()
    slot = _check_slot(department, clinician, starts_at, now)
    _seat_clash(woman, slot.starts_at)
    owner = owner_key(department_id=department.pk, clinician_id=clinician.pk if clinician else None)
    day_before, same_day = _reminder_times(slot.starts_at, now)

    def create(seat: int) -> Appointment:
        return Appointment.objects.create(
            woman=woman,
            department=department,
            clinician=clinician,
            owner_key=owner,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            seat=seat,
            booked_at=now,
            idempotency_key=key,
            remind_day_before_at=day_before,
            remind_same_day_at=same_day,
        )

    try:
        with transaction.atomic():
            appointment = _take_seat(slot=slot, create=create)
            audit_record(
                actor=woman,
                action="appointment_book",
                object_type="appointment",
                object_id=appointment.public_id,
                subject=woman,
                request=request,
                detail={"starts_at": slot.starts_at.isoformat(), "owner": owner},
            )
            _tell_both(
                appointment,
                kind="appointment_booked",
                her=(
                    _("Appointment booked"),
                    _("Your online appointment: %(when)s with %(with)s."),
                ),
                clinic=(
                    _("New online appointment"),
                    _("An online appointment was booked for %(when)s."),
                ),
                params=_appointment_params(appointment),
            )
    except IntegrityError:
        # The same idempotency key sent twice at once: the first booking stands.
        if key:
            earlier = Appointment.objects.filter(woman=woman, idempotency_key=key).first()
            if earlier is not None:
                return earlier, False
        raise
    return appointment, True


def _change_allowed(appointment: Appointment, now: datetime) -> None:
    if appointment.status != AppointmentStatus.BOOKED:
        raise DomainError(
            "appointment_not_changeable",
            _("Only a booked appointment that has not started can be changed."),
        )
    cutoff = appointment.starts_at - timedelta(hours=settings.ANYUN_BOOKING_CHANGE_HOURS)
    if now > cutoff:
        raise DomainError(
            "appointment_change_too_late",
            _(
                "An appointment can be cancelled or moved up to %(hours)s hours before it "
                "starts. Please contact the clinic."
            )
            % {"hours": settings.ANYUN_BOOKING_CHANGE_HOURS},
        )


def _locked(appointment_id: int) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("woman", "department", "clinician__user")
        .get(pk=appointment_id)
    )


def appointment_cancel(
    *,
    actor: Any,
    appointment_id: UUID | str,
    reason: str = "",
    request: HttpRequest | None = None,
) -> Appointment:
    """She cancels up to the cut-off before the start; the clinic (its clinician, or a
    department head) until the start. Both sides are told."""
    now = timezone.now()
    if actor.role == Role.WOMAN:
        found = selectors.appointment_of_woman(actor, appointment_id)
        by = CancelledBy.WOMAN
    else:
        profile = _profile_of(actor)
        found = selectors.appointment_for_staff(appointment_id, profile)
        if not _is_head(profile) and found.clinician_id not in (None, profile.pk):
            raise NotFound()
        by = CancelledBy.CLINIC
    with transaction.atomic():
        appointment = _locked(found.pk)
        if by == CancelledBy.WOMAN:
            _change_allowed(appointment, now)
        elif appointment.status != AppointmentStatus.BOOKED or appointment.starts_at <= now:
            raise DomainError(
                "appointment_not_changeable",
                _("Only a booked appointment that has not started can be changed."),
            )
        appointment.status = AppointmentStatus.CANCELLED
        appointment.cancelled_at = now
        appointment.cancelled_by = by
        appointment.cancel_reason = reason.strip()[:200]
        appointment.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
        audit_record(
            actor=actor,
            action="appointment_cancel",
            object_type="appointment",
            object_id=appointment.public_id,
            subject=appointment.woman,
            request=request,
            detail={"by": by, "starts_at": appointment.starts_at.isoformat()},
        )
        params = _appointment_params(appointment)
        if by == CancelledBy.WOMAN:
            _tell_both(
                appointment,
                kind="appointment_cancelled",
                her=(
                    _("Appointment cancelled"),
                    _("You cancelled your online appointment on %(when)s with %(with)s."),
                ),
                clinic=(
                    _("Appointment cancelled"),
                    _("The woman cancelled her online appointment on %(when)s."),
                ),
                params=params,
            )
        else:
            _tell_both(
                appointment,
                kind="appointment_cancelled",
                her=CANCELLED_BY_HOSPITAL,
                clinic=CANCELLED_FOR_CLINIC,
                params=params,
                except_for=actor,
            )
    return appointment


def appointment_reschedule(
    *,
    woman: User,
    appointment_id: UUID | str,
    starts_at: datetime,
    request: HttpRequest | None = None,
) -> Appointment:
    """Move her booked appointment to another free slot of the same clinician (or the
    department) within the same cut-off as a cancellation; both sides are told."""
    found = selectors.appointment_of_woman(woman, appointment_id)
    now = timezone.now()
    _change_allowed(found, now)
    slot = _check_slot(found.department, found.clinician, starts_at, now)
    if slot.starts_at == found.starts_at:
        raise DomainError("appointment_same_time", _("Choose a different time."), field="starts_at")
    _seat_clash(woman, slot.starts_at, exclude=found.pk)
    old_start = found.starts_at
    day_before, same_day = _reminder_times(slot.starts_at, now)
    with transaction.atomic():
        appointment = _locked(found.pk)
        _change_allowed(appointment, now)

        def move(seat: int) -> Appointment:
            Appointment.objects.filter(pk=appointment.pk).update(
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                seat=seat,
                reschedule_count=appointment.reschedule_count + 1,
                remind_day_before_at=day_before,
                day_before_sent_at=None,
                remind_same_day_at=same_day,
                same_day_sent_at=None,
            )
            appointment.refresh_from_db()
            return appointment

        _take_seat(slot=slot, create=move)
        audit_record(
            actor=woman,
            action="appointment_reschedule",
            object_type="appointment",
            object_id=appointment.public_id,
            subject=woman,
            request=request,
            detail={"from": old_start.isoformat(), "to": slot.starts_at.isoformat()},
        )
        _tell_both(
            appointment,
            kind="appointment_changed",
            her=(
                _("Appointment moved"),
                _("Your online appointment with %(with)s moved from %(old)s to %(when)s."),
            ),
            clinic=(
                _("Appointment moved"),
                _("An online appointment moved from %(old)s to %(when)s."),
            ),
            params={**_appointment_params(appointment), "old": _when(old_start)},
        )
    return appointment


# --- receiving ----------------------------------------------------------------------------


def appointment_receive(
    *, actor: Any, appointment_id: UUID | str, request: HttpRequest | None = None
) -> Appointment:
    """The clinician receives her within the booked time (from 15 minutes before the start
    to its end): valid credentials required; her record opens to the clinician for the
    consultation (care access)."""
    profile = _profile_of(actor)
    require_online_practice(actor)
    found = selectors.appointment_for_staff(appointment_id, profile)
    if found.clinician_id not in (None, profile.pk):
        raise PermissionDenied(
            "appointment_other_clinician", _("This appointment is with another clinician.")
        )
    now = timezone.now()
    with transaction.atomic():
        appointment = _locked(found.pk)
        if appointment.status != AppointmentStatus.BOOKED:
            raise DomainError(
                "appointment_not_open",
                _("This appointment has already been received, cancelled or missed."),
            )
        if now < appointment.starts_at - EARLY_RECEIVE or now >= appointment.ends_at:
            raise DomainError(
                "appointment_outside_time",
                _("An appointment is received within its booked time."),
            )
        appointment.status = AppointmentStatus.RECEIVED
        appointment.received_at = now
        appointment.received_by = actor
        appointment.save(update_fields=["status", "received_at", "received_by"])
        reference = f"appointment:{appointment.public_id}"
        care_access_grant(woman=appointment.woman, clinician=actor, reference=reference)
        audit_record(
            actor=actor,
            action="appointment_receive",
            object_type="appointment",
            object_id=appointment.public_id,
            subject=appointment.woman,
            request=request,
        )
        request_received.send(
            sender=Appointment,
            woman=appointment.woman,
            clinician=actor,
            reference=reference,
            appointment=appointment,
            queue_entry=None,
        )
    return appointment


def queue_join(
    *, woman: User, department: Department, request: HttpRequest | None = None
) -> QueueEntry:
    """She joins the department's live queue (one waiting request at a time)."""
    if woman.role != Role.WOMAN:
        raise PermissionDenied("not_a_woman", _("Only a woman can join the queue."))
    require_may_start(woman)
    now = timezone.now()
    accept_minutes, _per_woman = selectors.queue_policy(department)
    try:
        with transaction.atomic():
            entry = QueueEntry.objects.create(
                woman=woman,
                department=department,
                joined_at=now,
                expires_at=now + timedelta(minutes=accept_minutes),
            )
            audit_record(
                actor=woman,
                action="queue_join",
                object_type="queue_entry",
                object_id=entry.public_id,
                subject=woman,
                request=request,
                detail={"department": str(department.public_id)},
            )
    except IntegrityError:
        raise DomainError(
            "queue_already_waiting",
            _("You are already waiting in the live queue."),
        ) from None
    return entry


def queue_leave(*, woman: User, request: HttpRequest | None = None) -> QueueEntry:
    entry = QueueEntry.objects.filter(woman=woman, status=QueueStatus.WAITING).first()
    if entry is None:
        raise NotFound()
    with transaction.atomic():
        changed = QueueEntry.objects.filter(pk=entry.pk, status=QueueStatus.WAITING).update(
            status=QueueStatus.LEFT, ended_at=timezone.now()
        )
        if not changed:
            raise NotFound()
        audit_record(
            actor=woman,
            action="queue_leave",
            object_type="queue_entry",
            object_id=entry.public_id,
            subject=woman,
            request=request,
        )
    entry.refresh_from_db()
    return entry


def queue_accept(
    *, actor: Any, entry_id: UUID | str, request: HttpRequest | None = None
) -> QueueEntry:
    """A clinician of the department accepts a waiting request: valid credentials required;
    of two clinicians accepting the same request, one wins."""
    profile = _profile_of(actor)
    require_online_practice(actor)
    entry = (
        QueueEntry.objects.select_related("woman")
        .filter(public_id=entry_id, department_id=profile.department_id)
        .first()
    )
    if entry is None:
        raise NotFound()
    now = timezone.now()
    with transaction.atomic():
        changed = QueueEntry.objects.filter(
            pk=entry.pk, status=QueueStatus.WAITING, expires_at__gt=now
        ).update(status=QueueStatus.ACCEPTED, ended_at=now, accepted_by=actor)
        if not changed:
            raise DomainError(
                "queue_entry_not_waiting",
                _("This request is no longer waiting: accepted by a colleague, left or expired."),
            )
        reference = f"queue:{entry.public_id}"
        care_access_grant(woman=entry.woman, clinician=actor, reference=reference)
        audit_record(
            actor=actor,
            action="queue_accept",
            object_type="queue_entry",
            object_id=entry.public_id,
            subject=entry.woman,
            request=request,
        )
        _tell(
            entry.woman,
            kind="queue_accepted",
            title=_("A clinician accepted your request"),
            body=_("%(with)s will see you now."),
            params={"with": profile.name},
            link="/scheduling/queue/",
        )
        request_received.send(
            sender=QueueEntry,
            woman=entry.woman,
            clinician=actor,
            reference=reference,
            appointment=None,
            queue_entry=entry,
        )
    entry.refresh_from_db()
    return entry


# --- sweeps -------------------------------------------------------------------------------


_REMINDERS = {
    "day_before": ("remind_day_before_at", "day_before_sent_at"),
    "same_day": ("remind_same_day_at", "same_day_sent_at"),
}


def reminders_send_due(*, now: datetime | None = None) -> int:
    """Sweep (ACC-4a): each appointment reminder whose time has come, once, all of them in
    this run, set-based: batch after batch (until one comes back short), each batch one
    transaction of a constant number of statements (`_reminders_batch`)."""
    now = now or timezone.now()
    sent = 0
    for kind, fields in _REMINDERS.items():
        while True:
            found = _reminders_batch(kind, fields, now)
            sent += found
            if found < SWEEP_BATCH:
                break
    return sent


def _reminders_batch(kind: str, fields: tuple[str, str], now: datetime) -> int:
    """One batch of due reminders of one kind, in one transaction: the due appointments are
    read and locked (rows another sweep holds are skipped; SQLite's write lock is taken when the
    transaction begins), marked sent in one update, and their notifications written together
    (`notifications_send_many`), each with a key that names the appointment, the kind and the
    start, so a reminder is never written twice. Returns how many were found."""
    due_field, sent_field = fields
    title = (
        _("Your online appointment is tomorrow")
        if kind == "day_before"
        else _("Your online appointment is today")
    )
    body = _(
        "%(when)s with %(with)s. Open Anyun a few minutes before; you can "
        "cancel or move it in My appointments."
    )
    with transaction.atomic():
        due = list(
            Appointment.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("woman", "department", "clinician__user")
            .filter(
                status=AppointmentStatus.BOOKED,
                starts_at__gt=now,
                **{f"{due_field}__lte": now, f"{sent_field}__isnull": True},
            )
            .order_by(due_field)[:SWEEP_BATCH]
        )
        if not due:
            return 0
        Appointment.objects.filter(pk__in=[a.pk for a in due]).update(**{sent_field: now})
        messages = [
            _message(
                appointment.woman,
                kind="appointment_reminder",
                title=title,
                body=body,
                params=_appointment_params(appointment),
                link=MY_APPOINTMENTS,
                dedup_key=(
                    f"appt-remind:{appointment.public_id}:{kind}:"
                    f"{appointment.starts_at.isoformat()}"
                ),
            )
            for appointment in due
        ]
        notifications_send_many([m for m in messages if m is not None])
    return len(due)


def queue_expire_due(*, now: datetime | None = None) -> int:
    """Sweep (ACC-6): waiting requests past their time expire; she is told and invited to
    start again or book. Expired requests are counted (`selectors.period_counts`)."""
    now = now or timezone.now()
    due = list(
        QueueEntry.objects.select_related("woman", "department")
        .filter(status=QueueStatus.WAITING, expires_at__lte=now)
        .order_by("expires_at")[:SWEEP_BATCH]
    )
    expired = 0
    for entry in due:
        with transaction.atomic():
            changed = QueueEntry.objects.filter(pk=entry.pk, status=QueueStatus.WAITING).update(
                status=QueueStatus.EXPIRED, ended_at=now
            )
            if not changed:
                continue
            audit_record(
                actor=None,
                action="queue_expire",
                object_type="queue_entry",
                object_id=entry.public_id,
                subject=entry.woman,
            )
            _tell(
                entry.woman,
                kind="queue_expired",
                title=_("No clinician could accept your request in time"),
                body=_(
                    "We are sorry: your request to %(department)s was not accepted within "
                    "%(minutes)s minutes. Join the live queue again or book an appointment. "
                    "If you feel unwell, do not wait: go to the hospital or call 120."
                ),
                params={
                    "department": entry.department.name,
                    "minutes": str(int((entry.expires_at - entry.joined_at).total_seconds() // 60)),
                },
                link="/scheduling/queue/",
                dedup_key=f"queue-expired:{entry.public_id}",
            )
        expired += 1
    return expired


def _tracer_for(appointment: Appointment) -> User | None:
    """The named person who follows up a missed appointment: its clinician, else the first
    department head (local policy; the head may reassign)."""
    if appointment.clinician_id is not None and appointment.clinician.user.is_active:  # type: ignore[union-attr]
        return appointment.clinician.user  # type: ignore[union-attr]
    heads = department_heads(department=appointment.department)
    return heads[0] if heads else None


def no_shows_mark(*, now: datetime | None = None) -> int:
    """Sweep (ACC-4b/c): a booked appointment not received by its end is missed; she is
    reminded to start a new request, and a follow-up case opens for a named person."""
    now = now or timezone.now()
    due = list(
        Appointment.objects.select_related("woman", "department", "clinician__user")
        .filter(status=AppointmentStatus.BOOKED, ends_at__lte=now)
        .order_by("ends_at")[:SWEEP_BATCH]
    )
    marked = 0
    for appointment in due:
        with transaction.atomic():
            changed = Appointment.objects.filter(
                pk=appointment.pk, status=AppointmentStatus.BOOKED, ends_at__lte=now
            ).update(status=AppointmentStatus.MISSED, missed_at=now)
            if not changed:
                continue
            tracer = _tracer_for(appointment)
            case = TracingCase.objects.create(
                appointment=appointment,
                woman=appointment.woman,
                department=appointment.department,
                assigned_to=tracer,
                opened_at=now,
            )
            audit_record(
                actor=None,
                action="appointment_missed",
                object_type="appointment",
                object_id=appointment.public_id,
                subject=appointment.woman,
                detail={"tracing": str(case.public_id)},
            )
            params = _appointment_params(appointment)
            _tell(
                appointment.woman,
                kind="appointment_missed",
                title=_("We missed you at your appointment"),
                body=_(
                    "Your online appointment on %(when)s with %(with)s was not attended. "
                    "Please book a new time or join the live queue soon."
                ),
                params=params,
                link=MY_APPOINTMENTS,
                dedup_key=f"appt-missed:{appointment.public_id}",
            )
            _tell(
                tracer,
                kind="tracing_assigned",
                title=_("Missed appointment to follow up"),
                body=_("An online appointment on %(when)s was not attended: please contact her."),
                params=params,
                link=f"/scheduling/clinic/tracing/{case.public_id}/",
            )
        marked += 1
    return marked


# --- tracing ------------------------------------------------------------------------------


def _open_case(actor: Any, case_id: UUID | str) -> tuple[ClinicianProfile, TracingCase]:
    profile = _profile_of(actor)
    case = selectors.tracing_case(case_id, profile)
    if case.status != TracingStatus.OPEN:
        raise DomainError("tracing_closed", _("This follow-up is already closed."))
    if not _is_head(profile) and case.assigned_to_id not in (None, actor.pk):
        raise PermissionDenied(
            "tracing_not_assigned", _("This follow-up is assigned to a colleague.")
        )
    return profile, case


def tracing_assign(
    *, actor: Any, case_id: UUID | str, assignee: User, request: HttpRequest | None = None
) -> TracingCase:
    """The head assigns a follow-up to a named member of the department; anyone of the
    department may take an unassigned one for themselves."""
    profile = _profile_of(actor)
    case = selectors.tracing_case(case_id, profile)
    if case.status != TracingStatus.OPEN:
        raise DomainError("tracing_closed", _("This follow-up is already closed."))
    assignee_profile = clinician_for(assignee)
    if assignee_profile is None or assignee_profile.department_id != profile.department_id:
        raise DomainError(
            "tracing_assignee_invalid",
            _("Choose a member of your department."),
            field="assignee",
        )
    if not _is_head(profile) and not (case.assigned_to_id is None and assignee == actor):
        raise PermissionDenied(
            "not_allowed_to_assign", _("Only the department head can assign follow-ups.")
        )
    with transaction.atomic():
        TracingCase.objects.filter(pk=case.pk).update(assigned_to=assignee)
        audit_record(
            actor=actor,
            action="tracing_assign",
            object_type="tracing_case",
            object_id=case.public_id,
            subject=case.woman,
            request=request,
            detail={"assignee": str(assignee.public_id)},
        )
        if assignee != actor:
            _tell(
                assignee,
                kind="tracing_assigned",
                title=_("Missed appointment to follow up"),
                body=_("An online appointment on %(when)s was not attended: please contact her."),
                params={"when": _when(case.appointment.starts_at)},
                link=f"/scheduling/clinic/tracing/{case.public_id}/",
            )
    case.refresh_from_db()
    return case


def tracing_attempt_record(
    *,
    actor: Any,
    case_id: UUID | str,
    method: str,
    reached: bool,
    note: str = "",
    request: HttpRequest | None = None,
) -> ContactAttempt:
    """One contact attempt on a follow-up (by whom it is assigned to, or the head)."""
    _profile, case = _open_case(actor, case_id)
    if method not in ContactMethod.values:
        raise DomainError("contact_method_invalid", _("Choose how you tried."), field="method")
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise DomainError("note_too_long", _("Keep the note to 500 characters."), field="note")
    with transaction.atomic():
        if case.assigned_to_id is None:
            TracingCase.objects.filter(pk=case.pk, assigned_to__isnull=True).update(
                assigned_to=actor
            )
        attempt = ContactAttempt.objects.create(
            case=case, at=timezone.now(), by=actor, method=method, reached=reached, note=note
        )
        audit_record(
            actor=actor,
            action="tracing_attempt",
            object_type="tracing_case",
            object_id=case.public_id,
            subject=case.woman,
            request=request,
            detail={"method": method, "reached": reached},
        )
    return attempt


def tracing_close(
    *, actor: Any, case_id: UUID | str, outcome: str, request: HttpRequest | None = None
) -> TracingCase:
    """Close a follow-up with its outcome; at least one contact attempt must be on record."""
    _profile, case = _open_case(actor, case_id)
    if outcome not in TracingOutcome.values:
        raise DomainError("outcome_invalid", _("Choose the outcome."), field="outcome")
    with transaction.atomic():
        if not ContactAttempt.objects.filter(case=case).exists():
            raise DomainError(
                "tracing_no_attempt",
                _("Record at least one contact attempt before closing."),
                field="outcome",
            )
        changed = TracingCase.objects.filter(pk=case.pk, status=TracingStatus.OPEN).update(
            status=TracingStatus.CLOSED, outcome=outcome, closed_at=timezone.now(), closed_by=actor
        )
        if not changed:
            raise DomainError("tracing_closed", _("This follow-up is already closed."))
        audit_record(
            actor=actor,
            action="tracing_close",
            object_type="tracing_case",
            object_id=case.public_id,
            subject=case.woman,
            request=request,
            detail={"outcome": outcome},
        )
    case.refresh_from_db()
    return case
