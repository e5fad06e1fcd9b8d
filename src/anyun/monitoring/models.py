"""Home monitoring (FA-3, FB-9, FIN-1, IMP-3b): readings, alarms and the woman's instructions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anyun.clinical.signs import GlucoseContext, MovementPeriod, SignKind
from anyun.core.models import PublicIdModel, TimeStampedModel

SIGN_LABELS: dict[str, Any] = {
    SignKind.BLOOD_PRESSURE: _("Blood pressure"),
    SignKind.GLUCOSE: _("Blood glucose"),
    SignKind.WEIGHT: _("Weight"),
    SignKind.FUNDAL_HEIGHT: _("Fundal height"),
    SignKind.ABDOMINAL_CIRCUMFERENCE: _("Abdominal circumference"),
    SignKind.FETAL_HEART_RATE: _("Fetal heart rate"),
    SignKind.FETAL_MOVEMENTS: _("Fetal movements"),
    SignKind.TEMPERATURE: _("Temperature"),
    SignKind.PULSE: _("Pulse"),
    SignKind.SYMPTOM_REPORT: _("Symptoms"),
}
GLUCOSE_CONTEXT_LABELS: dict[str, Any] = {
    GlucoseContext.FASTING: _("Fasting"),
    GlucoseContext.PRE_MEAL: _("Before a meal"),
    GlucoseContext.POST_MEAL_1H: _("1 h after a meal"),
    GlucoseContext.POST_MEAL_2H: _("2 h after a meal"),
    GlucoseContext.BEDTIME: _("Bedtime"),
    GlucoseContext.RANDOM: _("Random"),
}
MOVEMENT_PERIOD_LABELS: dict[str, Any] = {
    MovementPeriod.ONE_HOUR_COUNT: _("Count for one hour"),
    MovementPeriod.TWO_HOUR_COUNT_TO_TEN: _("Count to ten (up to two hours)"),
}


class ReadingSource(models.TextChoices):
    HOME = "home", _("Home reading")
    CLINIC = "clinic", _("Clinic measurement")


class Reading(TimeStampedModel):
    """One measurement of one sign. Stored once per (woman, idempotency key)."""

    woman = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="readings"
    )
    pregnancy = models.ForeignKey(
        "pregnancy.Pregnancy", on_delete=models.PROTECT, related_name="readings"
    )
    kind = models.CharField(
        _("sign"), max_length=32, choices=[(k.value, SIGN_LABELS[k]) for k in SignKind]
    )
    measured_at = models.DateTimeField(_("measured at"))
    ga_days = models.PositiveSmallIntegerField(_("gestational age (days)"), null=True)
    systolic = models.PositiveSmallIntegerField(_("systolic (mmHg)"), null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(_("diastolic (mmHg)"), null=True, blank=True)
    pulse = models.PositiveSmallIntegerField(_("pulse (bpm)"), null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=6, decimal_places=2, null=True, blank=True)
    glucose_context = models.CharField(
        _("when"),
        max_length=16,
        blank=True,
        choices=list(GLUCOSE_CONTEXT_LABELS.items()),
    )
    movement_period = models.CharField(
        _("counting"),
        max_length=32,
        blank=True,
        choices=list(MOVEMENT_PERIOD_LABELS.items()),
    )
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    source = models.CharField(
        _("source"), max_length=8, choices=ReadingSource.choices, default=ReadingSource.HOME
    )
    confirmed_implausible = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    batch = models.UUIDField(db_index=True)
    position = models.PositiveSmallIntegerField(default=0)
    idempotency_key = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ("-measured_at", "-id")
        indexes = (models.Index(fields=("woman", "kind", "measured_at")),)
        constraints = (
            models.UniqueConstraint(
                fields=("woman", "idempotency_key", "position"),
                condition=~models.Q(idempotency_key=""),
                name="reading_idempotent_per_woman",
            ),
        )

    def __str__(self) -> str:
        return f"{self.kind} {self.measured_at:%Y-%m-%d %H:%M}"


class Grade(models.TextChoices):
    ADVICE = "advice", _("Advice")
    ATTENTION = "attention", _("Attention")
    URGENT = "urgent", _("Urgent")


GRADE_RANK = {Grade.ADVICE: 1, Grade.ATTENTION: 2, Grade.URGENT: 3}


class AlarmStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("alarm status", "Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", _("Closed")
    # Advice is information for her, not an item anyone has to act on.
    INFORMATION = "information", _("For your information")


class AlarmConfirmation(models.TextChoices):
    """Where a first high blood pressure stands (DOMAIN.md s.5: confirm with a repeat)."""

    NONE = "", _("Not applicable")
    UNCONFIRMED = "unconfirmed", _("Unconfirmed, repeat requested")
    CONFIRMED = "confirmed", _("Confirmed on repeat")
    NORMAL_ON_REPEAT = "normal_on_repeat", _("Normal on repeat")


class AlarmOutcome(models.TextChoices):
    CALLED = "called", _("Called her")
    VISIT_BOOKED = "visit_booked", _("Booked a visit")
    IN_PERSON = "in_person", _("Sent to in-person care")
    NO_ACTION = "no_action", _("No action (reason given)")
    NORMAL_ON_REPEAT = "normal_on_repeat", _("Normal on repeat")


class Alarm(TimeStampedModel):
    """What one check-in found at one grade (every rule that fired), and how it was handled.

    `findings` lists each rule that fired, most severe and most pressing first: rule,
    grade, sign, values, action, source, confidence and `reading` (the public id of the
    reading it came from). `reading` is the primary reading (the first finding's) and
    `rule`, `sign`, `values`, `action`, `source`, `confidence` copy the first finding, for
    ordering, search and the instruction she is given.
    """

    woman = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="alarms"
    )
    reading = models.ForeignKey(Reading, on_delete=models.PROTECT, related_name="alarms")
    findings = models.JSONField(_("findings"), default=list)
    confirmation = models.CharField(
        _("confirmation"), max_length=16, choices=AlarmConfirmation.choices, blank=True
    )
    repeat_reading = models.ForeignKey(
        Reading,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repeat_of_alarms",
        help_text=_("The repeat reading that confirmed it or found it normal."),
    )
    rule = models.CharField(_("rule"), max_length=64)
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices)
    grade_rank = models.PositiveSmallIntegerField(editable=False)
    sign = models.CharField(_("sign"), max_length=32)
    values = models.JSONField(_("values"), default=dict)
    action = models.CharField(_("what to do"), max_length=64)
    source = models.CharField(_("source"), max_length=200)
    confidence = models.CharField(_("confidence"), max_length=4)
    status = models.CharField(
        _("status"), max_length=16, choices=AlarmStatus.choices, default=AlarmStatus.OPEN
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_alarms",
    )
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalate_at = models.DateTimeField(null=True, blank=True, db_index=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        pgettext_lazy("alarm", "outcome"), max_length=16, choices=AlarmOutcome.choices, blank=True
    )
    outcome_note = models.CharField(_("what was done"), max_length=1000, blank=True)

    class Meta:
        ordering = ("-grade_rank", "created_at")
        indexes = (
            models.Index(fields=("status", "grade_rank", "created_at")),
            # The alarms waiting to be routed, in the order the routing job takes them
            # (gravest, then oldest first): it reads the next few of them, however many
            # routed alarms are still open.
            models.Index(
                F("grade_rank").desc(),
                "created_at",
                "id",
                condition=Q(status=AlarmStatus.OPEN, assigned_to__isnull=True),
                name="monitoring_alarm_unrouted",
            ),
        )

    def __str__(self) -> str:
        return f"{self.grade} {self.rule} {self.created_at:%Y-%m-%d %H:%M}"


class AlarmEventKind(models.TextChoices):
    RAISED = "raised", _("Raised")
    NOTIFIED = "notified", _("Clinician notified")
    ESCALATED = "escalated", _("Escalated")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", _("Closed")
    FINDING_ADDED = "finding_added", _("Another high reading added")
    CONFIRMED = "confirmed", _("Confirmed on repeat")
    NORMAL_ON_REPEAT = "normal_on_repeat", _("Normal on repeat")
    WOMAN_TOLD = "woman_told", _("She was told")


class AlarmEvent(models.Model):
    """Every step of an alarm, timed and kept."""

    alarm = models.ForeignKey(Alarm, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=AlarmEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M:%S}"


class MonitoringPlan(TimeStampedModel):
    """IMP-3b: what the clinician asks her to record and when (local times each day)."""

    woman = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="monitoring_plans"
    )
    pregnancy = models.ForeignKey(
        "pregnancy.Pregnancy", on_delete=models.PROTECT, related_name="monitoring_plans"
    )
    kind = models.CharField(
        _("sign"), max_length=32, choices=[(k.value, SIGN_LABELS[k]) for k in SignKind]
    )
    times = models.JSONField(_("times of day"), help_text=_("Local times, e.g. 08:00, 20:00."))
    from_ga_weeks = models.PositiveSmallIntegerField(_("from week"), default=0)
    until_ga_weeks = models.PositiveSmallIntegerField(_("until week"), default=42)
    note = models.CharField(_("instructions"), max_length=500, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("kind",)

    def __str__(self) -> str:
        return f"{self.kind} {', '.join(self.times)}"


class ThresholdOverride(models.Model):
    """A hospital's value for a configurable ([S]/[P]) threshold; the default stays in code."""

    name = models.CharField(max_length=64, unique=True)
    value = models.DecimalField(max_digits=8, decimal_places=2)
    reason = models.CharField(max_length=500)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class ThresholdDecision(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ThresholdChange(PublicIdModel):
    """A proposed change of one configurable threshold, in force only once a second person
    (a clinician who is a department head, not the proposer) approves it.

    One pending change per threshold at a time (constraint). `old_value` is the value in
    force when proposed; the value is checked again against the set in force at approval.
    """

    name = models.CharField(_("threshold"), max_length=64)
    old_value = models.DecimalField(_("value in force"), max_digits=8, decimal_places=2)
    new_value = models.DecimalField(_("proposed value"), max_digits=8, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=500)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decision = models.CharField(
        _("decision"),
        max_length=16,
        choices=ThresholdDecision.choices,
        default=ThresholdDecision.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)

    class Meta:
        ordering = ("-proposed_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(decision="pending"),
                name="monitoring_one_pending_change_per_threshold",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.old_value} -> {self.new_value} ({self.decision})"


class AlarmPolicySetting(models.Model):
    """The hospital's alarm-handling choices (`anyun.clinical.alarm_thresholds.AlarmPolicy`):
    one row, changed by a department head with a reason, audited; no row means the defaults."""

    first_high_bp_grade = models.CharField(_("first high blood pressure graded"), max_length=16)
    close_on_normal_repeat = models.BooleanField(_("closes itself on a normal repeat"))
    reason = models.CharField(_("reason"), max_length=500)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    def __str__(self) -> str:
        return f"{self.first_high_bp_grade}, close_on_normal_repeat={self.close_on_normal_repeat}"


class CrisisLine(TimeStampedModel):
    """A crisis or psychological-assistance line the hospital tells a woman in crisis to call.

    Shown at once by the mental-health safety pathway (DOMAIN.md section 7), in `order`; only
    active lines. Edited by the quality manager or a department head, every change audited.
    """

    name = models.CharField(_("name"), max_length=100)
    number = models.CharField(_("number"), max_length=32)
    hours = models.CharField(_("hours"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("order", "id")
        verbose_name = _("crisis line")
        verbose_name_plural = _("crisis lines")

    def __str__(self) -> str:
        return f"{self.name} {self.number}"
