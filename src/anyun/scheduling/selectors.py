"""Scheduling reads: free slots, her appointments and queue place, the workstation's day,
the tracing list and the counts per period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from anyun.accounts.models import User
from anyun.core.errors import NotFound
from anyun.scheduling import slots as slotmath
from anyun.scheduling.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    Holiday,
    Leave,
    QueueEntry,
    QueuePolicy,
    QueueStatus,
    ScheduleRule,
    TracingCase,
    TracingStatus,
    owner_key,
)
from anyun.staff.models import ClinicianProfile, Department
from anyun.staff.selectors import clinician_for


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_today(now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(zone()).date()


# --- whose schedule -----------------------------------------------------------------------


def department_by_id(public_id: UUID | str) -> Department:
    department = Department.objects.select_related("hospital").filter(public_id=public_id).first()
    if department is None:
        raise NotFound()
    return department


def clinician_in(department: Department, public_id: UUID | str) -> ClinicianProfile:
    profile = (
        ClinicianProfile.objects.select_related("user")
        .filter(public_id=public_id, department=department, user__is_active=True)
        .first()
    )
    if profile is None:
        raise NotFound()
    return profile


def bookable_departments() -> QuerySet[Department]:
    """Departments with at least one schedule."""
    return (
        Department.objects.filter(schedule_rules__isnull=False)
        .select_related("hospital")
        .distinct()
        .order_by("name")
    )


def bookable_clinicians(department: Department) -> list[ClinicianProfile]:
    return list(
        ClinicianProfile.objects.filter(
            department=department, user__is_active=True, schedule_rules__isnull=False
        )
        .select_related("user")
        .distinct()
        .order_by("user__display_name")
    )


def has_department_schedule(department: Department) -> bool:
    return ScheduleRule.objects.filter(department=department, clinician__isnull=True).exists()


def rules_of(department: Department, clinician: ClinicianProfile | None) -> list[ScheduleRule]:
    rows = ScheduleRule.objects.filter(department=department)
    if clinician is not None:
        return list(rows.filter(clinician=clinician))
    return list(rows.filter(clinician__isnull=True))


def weekly(rule: ScheduleRule) -> slotmath.WeeklyRule:
    return slotmath.WeeklyRule(
        weekday=rule.weekday,
        start=rule.start,
        end=rule.end,
        slot_minutes=rule.slot_minutes,
        capacity=rule.capacity,
        valid_from=rule.valid_from,
        valid_until=rule.valid_until,
    )


def closed_days(
    department: Department, clinician: ClinicianProfile | None, *, first: date, last: date
) -> set[date]:
    """The hospital's closed days and the clinician's leave between `first` and `last`."""
    closed = set(
        Holiday.objects.filter(
            hospital_id=department.hospital_id, day__gte=first, day__lte=last
        ).values_list("day", flat=True)
    )
    if clinician is not None:
        ranges = Leave.objects.filter(
            clinician=clinician, starts_on__lte=last, ends_on__gte=first
        ).values_list("starts_on", "ends_on")
        closed |= slotmath.leave_days(ranges, first=first, last=last)
    return closed


def owner_slots(
    department: Department, clinician: ClinicianProfile | None, *, first: date, last: date
) -> list[slotmath.Slot]:
    rules = [weekly(r) for r in rules_of(department, clinician)]
    if not rules:
        return []
    return slotmath.slots_between(
        rules,
        first=first,
        last=last,
        closed=closed_days(department, clinician, first=first, last=last),
        zone=zone(),
    )


def taken_seats(key: str, *, start: datetime, end: datetime) -> dict[datetime, int]:
    rows = (
        Appointment.objects.filter(
            owner_key=key, status__in=ACTIVE_STATUSES, starts_at__gte=start, starts_at__lt=end
        )
        .values("starts_at")
        .annotate(n=Count("id"))
    )
    return {row["starts_at"]: row["n"] for row in rows}


def free_slots(
    department: Department,
    clinician: ClinicianProfile | None,
    *,
    days: int | None = None,
    now: datetime | None = None,
) -> list[slotmath.FreeSlot]:
    """The slots from now to the end of the booking horizon (default: the setting), with the
    seats already taken (four statements)."""
    now = now or timezone.now()
    days = days or settings.ANYUN_BOOKING_DAYS_AHEAD
    first = local_today(now)
    last = first + timedelta(days=days - 1)
    slots = owner_slots(department, clinician, first=first, last=last)
    if not slots:
        return []
    key = owner_key(department_id=department.pk, clinician_id=clinician.pk if clinician else None)
    taken = taken_seats(key, start=slots[0].starts_at, end=slots[-1].ends_at)
    return slotmath.free_slots(slots, taken=taken, after=now)


def slot_at(
    department: Department, clinician: ClinicianProfile | None, starts_at: datetime
) -> slotmath.Slot | None:
    """The schedule's slot starting exactly at `starts_at`, if there is one that day."""
    day = starts_at.astimezone(zone()).date()
    for slot in owner_slots(department, clinician, first=day, last=day):
        if slot.starts_at == starts_at:
            return slot
    return None


def slots_by_day(free: list[slotmath.FreeSlot]) -> list[tuple[date, list[slotmath.FreeSlot]]]:
    out: dict[date, list[slotmath.FreeSlot]] = {}
    for slot in free:
        out.setdefault(slot.starts_at.astimezone(zone()).date(), []).append(slot)
    return list(out.items())


# --- her appointments and queue place -----------------------------------------------------


def woman_name(woman: User) -> str:
    """Her real name when verified, else her display name (the staff lists show it)."""
    profile = getattr(woman, "woman_profile", None)
    return (profile.real_name if profile else "") or woman.display_name or str(woman)


def _appointments() -> QuerySet[Appointment]:
    return Appointment.objects.select_related("department", "clinician__user")


def appointments_of(woman: User) -> list[Appointment]:
    """Hers: upcoming first (soonest at the top), then the past ones, latest first."""
    rows = list(_appointments().filter(woman=woman).order_by("starts_at"))
    now = timezone.now()
    upcoming = [a for a in rows if a.ends_at > now and a.status in ACTIVE_STATUSES]
    past = [a for a in rows if a not in upcoming]
    return upcoming + sorted(past, key=lambda a: a.starts_at, reverse=True)


def appointment_of_woman(woman: User, public_id: UUID | str) -> Appointment:
    row = _appointments().filter(woman=woman, public_id=public_id).first()
    if row is None:
        raise NotFound()
    return row


def queue_policy(department: Department) -> tuple[int, int]:
    """(minutes a request waits before it expires, usual minutes per consultation)."""
    policy = QueuePolicy.objects.filter(department=department).first()
    if policy is None:
        return settings.ANYUN_QUEUE_ACCEPT_MINUTES, 10
    return policy.accept_minutes, policy.minutes_per_woman


@dataclass(frozen=True)
class QueuePlace:
    entry: QueueEntry
    position: int  # 1 = next
    ahead: int
    expected_wait_minutes: int


def queue_entry_of(woman: User) -> QueueEntry | None:
    """Her waiting request, else her latest one (so she learns how it ended)."""
    entries = QueueEntry.objects.select_related("department").filter(woman=woman)
    waiting = entries.filter(status=QueueStatus.WAITING).first()
    return waiting or entries.order_by("-joined_at", "-id").first()


def queue_place(entry: QueueEntry) -> QueuePlace | None:
    """Her position (those who joined before her and still wait, plus one) and the expected
    wait: the women ahead times the department's usual minutes per consultation (local
    policy: an estimate, shown as such)."""
    if entry.status != QueueStatus.WAITING:
        return None
    ahead = (
        QueueEntry.objects.filter(department_id=entry.department_id, status=QueueStatus.WAITING)
        .filter(Q(joined_at__lt=entry.joined_at) | Q(joined_at=entry.joined_at, id__lt=entry.pk))
        .count()
    )
    _accept, per_woman = queue_policy(entry.department)
    return QueuePlace(
        entry=entry, position=ahead + 1, ahead=ahead, expected_wait_minutes=ahead * per_woman
    )


# --- the workstation ----------------------------------------------------------------------


@dataclass(frozen=True)
class Workday:
    profile: ClinicianProfile | None
    appointments: list[Appointment]
    queue: list[QueueEntry]


def workday(user: User, *, now: datetime | None = None) -> Workday:
    """Today's appointments of this clinician and of their department's own schedule, and
    the department's live queue (oldest first)."""
    now = now or timezone.now()
    profile = clinician_for(user)
    if profile is None:
        return Workday(None, [], [])
    today = local_today(now)
    start = datetime.combine(today, datetime.min.time(), tzinfo=zone())
    appointments = list(
        _appointments()
        .select_related("woman__woman_profile")
        .filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=1))
        .filter(
            Q(clinician=profile) | Q(department_id=profile.department_id, clinician__isnull=True)
        )
        .exclude(status=AppointmentStatus.CANCELLED)
        .order_by("starts_at", "id")
    )
    queue = list(
        QueueEntry.objects.select_related("woman__woman_profile")
        .filter(department_id=profile.department_id, status=QueueStatus.WAITING)
        .order_by("joined_at", "id")
    )
    return Workday(profile, appointments, queue)


def appointment_for_staff(public_id: UUID | str, profile: ClinicianProfile) -> Appointment:
    row = (
        _appointments()
        .select_related("woman__woman_profile")
        .filter(public_id=public_id, department_id=profile.department_id)
        .first()
    )
    if row is None:
        raise NotFound()
    return row


# --- no-show tracing and counts -----------------------------------------------------------


def tracing_cases(
    profile: ClinicianProfile, *, mine_only: bool, status: str = TracingStatus.OPEN
) -> list[TracingCase]:
    rows = TracingCase.objects.select_related(
        "woman__woman_profile", "assigned_to", "appointment__clinician__user"
    ).filter(department_id=profile.department_id, status=status)
    if mine_only:
        rows = rows.filter(Q(assigned_to=profile.user) | Q(assigned_to__isnull=True))
    return list(rows.annotate(attempt_count=Count("attempts")).order_by("opened_at", "id"))


def tracing_case(public_id: UUID | str, profile: ClinicianProfile) -> TracingCase:
    row = (
        TracingCase.objects.select_related(
            "woman__woman_profile", "assigned_to", "appointment__clinician__user"
        )
        .prefetch_related("attempts__by")
        .filter(public_id=public_id, department_id=profile.department_id)
        .first()
    )
    if row is None:
        raise NotFound()
    return row


def department_staff(department_id: int) -> list[User]:
    return list(
        User.objects.filter(
            clinician_profile__department_id=department_id, is_active=True
        ).order_by("display_name")
    )


@dataclass(frozen=True)
class PeriodCounts:
    first: date
    last: date
    booked: int
    received: int
    cancelled: int
    missed: int
    tracing_open: int
    tracing_closed: int
    queue_joined: int
    queue_accepted: int
    queue_expired: int


def period_counts(department_id: int, *, first: date, last: date) -> PeriodCounts:
    """Appointments by their start day, live-queue requests by the day they joined, in
    `first`..`last` (inclusive, the hospital's days): three statements."""
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone())
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone())
    appts: dict[str, Any] = Appointment.objects.filter(
        department_id=department_id, starts_at__gte=start, starts_at__lt=end
    ).aggregate(
        booked=Count("id"),
        received=Count("id", filter=Q(status=AppointmentStatus.RECEIVED)),
        cancelled=Count("id", filter=Q(status=AppointmentStatus.CANCELLED)),
        missed=Count("id", filter=Q(status=AppointmentStatus.MISSED)),
    )
    tracing: dict[str, Any] = TracingCase.objects.filter(
        department_id=department_id,
        appointment__starts_at__gte=start,
        appointment__starts_at__lt=end,
    ).aggregate(
        open=Count("id", filter=Q(status=TracingStatus.OPEN)),
        closed=Count("id", filter=Q(status=TracingStatus.CLOSED)),
    )
    queue: dict[str, Any] = QueueEntry.objects.filter(
        department_id=department_id, joined_at__gte=start, joined_at__lt=end
    ).aggregate(
        joined=Count("id"),
        accepted=Count("id", filter=Q(status=QueueStatus.ACCEPTED)),
        expired=Count("id", filter=Q(status=QueueStatus.EXPIRED)),
    )
    return PeriodCounts(
        first=first,
        last=last,
        booked=appts["booked"],
        received=appts["received"],
        cancelled=appts["cancelled"],
        missed=appts["missed"],
        tracing_open=tracing["open"],
        tracing_closed=tracing["closed"],
        queue_joined=queue["joined"],
        queue_accepted=queue["accepted"],
        queue_expired=queue["expired"],
    )


# --- management ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Management:
    rules: list[ScheduleRule]
    holidays: list[Holiday]
    leave: list[Leave]
    clinicians: list[ClinicianProfile]
    accept_minutes: int
    minutes_per_woman: int


def management(profile: ClinicianProfile, *, head: bool) -> Management:
    """What the schedules page shows: the department's schedules (a clinician's own only,
    unless head), the hospital's coming closed days, leave from today on."""
    today = local_today()
    rules = ScheduleRule.objects.select_related("clinician__user").filter(
        department_id=profile.department_id
    )
    leave = Leave.objects.select_related("clinician__user").filter(
        clinician__department_id=profile.department_id, ends_on__gte=today
    )
    if not head:
        rules = rules.filter(Q(clinician=profile) | Q(clinician__isnull=True))
        leave = leave.filter(clinician=profile)
    clinicians = (
        list(
            ClinicianProfile.objects.select_related("user")
            .filter(department_id=profile.department_id, user__is_active=True)
            .order_by("user__display_name")
        )
        if head
        else [profile]
    )
    accept, per_woman = queue_policy(profile.department)
    return Management(
        rules=list(rules.order_by("clinician_id", "weekday", "start")),
        holidays=list(
            Holiday.objects.filter(
                hospital_id=profile.department.hospital_id, day__gte=today
            ).order_by("day")
        ),
        leave=list(leave.order_by("starts_on")),
        clinicians=clinicians,
        accept_minutes=accept,
        minutes_per_woman=per_woman,
    )
