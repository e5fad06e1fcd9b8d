"""Scheduling: clinicians' and departments' weekly online schedules, closed days, leave,
appointments, the live queue and the tracing of appointments not attended.

A schedule belongs to one clinician, or to the department as a whole (`clinician` empty: any
clinician of the department receives). Slots are not stored: they are computed from the rules
(`anyun.scheduling.slots`). Capacity is held by the database: an active appointment takes one
numbered seat of its owner's slot, and (owner, start, seat) is unique among active ones, so
two bookings of the last seat at the same moment cannot both commit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anyun.core.models import PublicIdModel, TimeStampedModel
from anyun.staff.models import ClinicianProfile, Department, Hospital


def owner_key(*, department_id: int, clinician_id: int | None) -> str:
    """The one string naming whose slot it is: a clinician's, or the department's."""
    return f"c{clinician_id}" if clinician_id is not None else f"d{department_id}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class ScheduleRule(TimeStampedModel):
    """One weekly block of online consultations."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="schedule_rules"
    )
    clinician = models.ForeignKey(
        ClinicianProfile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="schedule_rules",
        verbose_name=_("clinician"),
        help_text=_("Empty: the department's schedule, received by any of its clinicians."),
    )
    weekday = models.PositiveSmallIntegerField(_("day of the week"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))
    slot_minutes = models.PositiveSmallIntegerField(_("minutes per slot"), default=15)
    capacity = models.PositiveSmallIntegerField(_("women per slot"), default=1)
    valid_from = models.DateField(_("first day"), null=True, blank=True)
    valid_until = models.DateField(_("last day"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("weekday", "start")
        indexes = (models.Index(fields=("department", "clinician")),)
        constraints = (
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="sched_rule_range"),
            models.CheckConstraint(
                condition=Q(capacity__gte=1) & Q(slot_minutes__gte=5), name="sched_rule_sizes"
            ),
        )
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")


class Holiday(TimeStampedModel):
    """A day the hospital's online clinic is closed."""

    hospital = models.ForeignKey(Hospital, on_delete=models.PROTECT, related_name="holidays")
    day = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("day",)
        constraints = (
            models.UniqueConstraint(fields=("hospital", "day"), name="sched_holiday_once"),
        )
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days")


class Leave(TimeStampedModel):
    """A clinician away on these days (inclusive): no slots of theirs."""

    clinician = models.ForeignKey(ClinicianProfile, on_delete=models.PROTECT, related_name="leave")
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("starts_on",)
        constraints = (
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="sched_leave_range"
            ),
        )
        verbose_name = _("leave")
        verbose_name_plural = _("leave")


class QueuePolicy(models.Model):
    """A department's own live-queue times (default: the settings)."""

    department = models.OneToOneField(
        Department, on_delete=models.PROTECT, related_name="queue_policy"
    )
    accept_minutes = models.PositiveSmallIntegerField(
        _("minutes a request waits before it expires"), default=30
    )
    minutes_per_woman = models.PositiveSmallIntegerField(
        _("usual minutes per consultation"), default=10
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = (
            models.CheckConstraint(
                condition=Q(accept_minutes__gte=5) & Q(minutes_per_woman__gte=1),
                name="sched_queue_policy_sizes",
            ),
        )
        verbose_name = _("live-queue policy")
        verbose_name_plural = _("live-queue policies")

    def __str__(self) -> str:
        return f"{self.department_id}: {self.accept_minutes} min"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    RECEIVED = "received", _("Received by the clinician")
    CANCELLED = "cancelled", _("Cancelled")
    MISSED = "missed", _("Not attended")


ACTIVE_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.RECEIVED)


class CancelledBy(models.TextChoices):
    WOMAN = "woman", _("Cancelled by her")
    CLINIC = "clinic", _("Cancelled by the clinic")


class Appointment(PublicIdModel):
    woman = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    clinician = models.ForeignKey(
        ClinicianProfile, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    owner_key = models.CharField(max_length=16)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    seat = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    booked_at = models.DateTimeField(_("booked"))
    idempotency_key = models.CharField(max_length=64, blank=True)
    reschedule_count = models.PositiveSmallIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(max_length=16, choices=CancelledBy.choices, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    missed_at = models.DateTimeField(null=True, blank=True)
    # Reminders (ACC-4a): when each falls due (empty: not needed), and when it was sent.
    remind_day_before_at = models.DateTimeField(null=True, blank=True)
    day_before_sent_at = models.DateTimeField(null=True, blank=True)
    remind_same_day_at = models.DateTimeField(null=True, blank=True)
    same_day_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("starts_at", "id")
        indexes = (
            models.Index(fields=("owner_key", "starts_at")),
            models.Index(fields=("department", "starts_at")),
            models.Index(fields=("woman", "starts_at")),
            models.Index(
                fields=("remind_day_before_at",),
                condition=Q(status="booked", day_before_sent_at__isnull=True),
                name="sched_appt_day_before_due",
            ),
            models.Index(
                fields=("remind_same_day_at",),
                condition=Q(status="booked", same_day_sent_at__isnull=True),
                name="sched_appt_same_day_due",
            ),
            models.Index(fields=("ends_at",), condition=Q(status="booked"), name="sched_appt_open"),
        )
        constraints = (
            models.UniqueConstraint(
                fields=("owner_key", "starts_at", "seat"),
                condition=Q(status__in=["booked", "received"]),
                name="sched_appt_one_per_seat",
            ),
            models.UniqueConstraint(
                fields=("woman", "starts_at"),
                condition=Q(status__in=["booked", "received"]),
                name="sched_appt_woman_once_at_a_time",
            ),
            models.UniqueConstraint(
                fields=("woman", "idempotency_key"),
                condition=~Q(idempotency_key=""),
                name="sched_appt_idempotency",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="sched_appt_range"
            ),
        )
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} {self.status}"


class QueueStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    ACCEPTED = "accepted", _("Accepted by a clinician")
    EXPIRED = "expired", _("Not accepted in time")
    LEFT = "left", _("Left the queue")


class QueueEntry(PublicIdModel):
    """A woman waiting in a department's live queue (at-any-time consultation, ACC-6)."""

    woman = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="queue_entries"
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    joined_at = models.DateTimeField(_("joined"))
    expires_at = models.DateTimeField(_("expires"))
    status = models.CharField(
        _("status"), max_length=16, choices=QueueStatus.choices, default=QueueStatus.WAITING
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("joined_at", "id")
        indexes = (
            models.Index(
                fields=("department", "joined_at"),
                condition=Q(status="waiting"),
                name="sched_queue_waiting",
            ),
            models.Index(
                fields=("expires_at",), condition=Q(status="waiting"), name="sched_queue_expiry"
            ),
            models.Index(fields=("department", "status", "ended_at")),
        )
        constraints = (
            models.UniqueConstraint(
                fields=("woman",), condition=Q(status="waiting"), name="sched_queue_one_waiting"
            ),
        )
        verbose_name = _("live-queue request")
        verbose_name_plural = _("live-queue requests")


class TracingStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("follow-up status", "Open")
    CLOSED = "closed", pgettext_lazy("follow-up status", "Closed")


class TracingOutcome(models.TextChoices):
    REBOOKED = "rebooked", _("Reached: she booked again or joined the queue")
    WILL_REBOOK = "will_rebook", _("Reached: she will start a new request")
    IN_PERSON = "in_person", _("Reached: she is seen in person instead")
    DECLINED = "declined", _("Reached: she does not want a new consultation")
    UNREACHABLE = "unreachable", _("Not reached after repeated attempts")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone call")
    SMS = "sms", _("Text message")
    IN_APP = "in_app", _("Message in the app")


class TracingCase(PublicIdModel):
    """An appointment booked but not attended (ACC-4c), followed up by a named person."""

    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, related_name="tracing"
    )
    woman = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"))
    status = models.CharField(
        _("status"), max_length=16, choices=TracingStatus.choices, default=TracingStatus.OPEN
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=TracingOutcome.choices, blank=True
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ("opened_at", "id")
        indexes = (
            models.Index(fields=("department", "status", "opened_at")),
            models.Index(fields=("assigned_to", "status")),
        )
        constraints = (
            models.CheckConstraint(
                condition=(Q(status="open") & Q(outcome=""))
                | (Q(status="closed") & ~Q(outcome="") & Q(closed_at__isnull=False)),
                name="sched_tracing_closed_has_outcome",
            ),
        )
        verbose_name = _("no-show follow-up")
        verbose_name_plural = _("no-show follow-ups")


class ContactAttempt(PublicIdModel):
    case = models.ForeignKey(TracingCase, on_delete=models.PROTECT, related_name="attempts")
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("how"), max_length=16, choices=ContactMethod.choices)
    reached = models.BooleanField(_("reached her"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ("at", "id")
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
