"""Mental-health screenings, their repeats, the psychological support given (FA-6, IMP-3a), and
the health self-assessment (FA-7, ASM-2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anyun.assessment.models import ClinicalTask
from anyun.core.models import PublicIdModel, TimeStampedModel
from anyun.monitoring.models import Alarm
from anyun.pregnancy.models import Pregnancy

SUPPORT_NOTE_MAX_LENGTH = 1000
MEDICINES_NOTE_MAX_LENGTH = 300


class InstrumentChoice(models.TextChoices):
    EPDS = "epds", _("EPDS (Edinburgh Postnatal Depression Scale)")
    PHQ9 = "phq9", _("PHQ-9 (depression)")
    GAD7 = "gad7", _("GAD-7 (anxiety)")


class ScreeningContext(models.TextChoices):
    ON_DEMAND = "on_demand", _("On her request")
    DUE = "due", _("Scheduled screening")
    REPEAT = "repeat", _("Repeat screening")
    MOOD_SCREEN = "mood_screen", _("After a positive mood question")


class Screening(PublicIdModel):
    """One completed scale. ``answers`` lists, per item, the option chosen and the points it
    scored (``[{"item": 1, "option": 2, "points": 2}, ...]``); ``findings`` the rules that fired
    with their source. The wording shown is recorded (language, source, version)."""

    woman = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="screenings"
    )
    pregnancy = models.ForeignKey(
        Pregnancy, null=True, blank=True, on_delete=models.PROTECT, related_name="screenings"
    )
    instrument = models.CharField(_("scale"), max_length=8, choices=InstrumentChoice.choices)
    context = models.CharField(
        _("why"), max_length=16, choices=ScreeningContext.choices, default=ScreeningContext.DUE
    )
    window = models.CharField(_("screening window"), max_length=24, blank=True)
    wording_language = models.CharField(max_length=16)
    wording_source = models.CharField(max_length=300)
    wording_demonstration = models.BooleanField(default=True)
    wording_version = models.CharField(max_length=16)
    answers = models.JSONField(_("answers"))
    total = models.PositiveSmallIntegerField(_("total"))
    max_total = models.PositiveSmallIntegerField()
    band = models.CharField(_("band"), max_length=24)
    follow_up = models.CharField(_("follow-up"), max_length=16)
    findings = models.JSONField(_("findings"), default=list)
    screen_positive = models.BooleanField(default=False)
    safety_trigger = models.CharField(max_length=24, blank=True)
    safety_alarm = models.ForeignKey(
        Alarm, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    referral_task = models.ForeignKey(
        ClinicalTask, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(_("done at"))
    idempotency_key = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ("-done_at", "-id")
        indexes = (models.Index(fields=("woman", "-done_at")),)
        constraints = (
            models.UniqueConstraint(
                fields=("woman", "idempotency_key"),
                condition=~Q(idempotency_key=""),
                name="screening_idempotency_key_unique",
            ),
        )

    def __str__(self) -> str:
        return f"{self.instrument} {self.total}/{self.max_total}"


class RepeatStatus(models.TextChoices):
    OPEN = "open", _("Due")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ScreeningRepeat(TimeStampedModel):
    """A repeat of a scale asked for by a borderline result (EPDS 10-12: in 2-4 weeks), due from
    ``due_from`` to ``due_until``; done by the next screening of that scale. One open per woman
    and scale."""

    woman = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="screening_repeats"
    )
    instrument = models.CharField(max_length=8, choices=InstrumentChoice.choices)
    asked_by = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="repeats")
    due_from = models.DateField(_("due from"))
    due_until = models.DateField(_("due until"))
    status = models.CharField(
        max_length=16, choices=RepeatStatus.choices, default=RepeatStatus.OPEN
    )
    done_by_screening = models.ForeignKey(
        Screening, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    task = models.ForeignKey(
        ClinicalTask, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = (models.Index(fields=("status", "due_from")),)
        constraints = (
            models.UniqueConstraint(
                fields=("woman", "instrument"),
                condition=Q(status="open"),
                name="screening_repeat_one_open",
            ),
        )


class SupportKind(models.TextChoices):
    COUNSELLING = "counselling", _("Supportive counselling")
    PSYCHOEDUCATION = "psychoeducation", _("Information and self-help advice")
    FOLLOW_UP_CALL = "follow_up_call", _("Follow-up call")
    FAMILY_SUPPORT = "family_support", _("Talk with her family")
    MENTAL_HEALTH_REFERRAL = "mental_health_referral", _("Referral to a mental-health service")
    CRISIS_INTERVENTION = "crisis_intervention", _("Crisis intervention")
    OTHER = "other", _("Other")


class SupportRecord(TimeStampedModel):
    """Psychological support a clinician gave her (IMP-3a), optionally after a screening."""

    woman = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="support_records"
    )
    screening = models.ForeignKey(
        Screening, null=True, blank=True, on_delete=models.PROTECT, related_name="support"
    )
    kind = models.CharField(_("support given"), max_length=32, choices=SupportKind.choices)
    given_on = models.DateField(_("given on"))
    note = models.TextField(_("details"), max_length=SUPPORT_NOTE_MAX_LENGTH, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("-given_on", "-id")


class SleepQuality(models.TextChoices):
    GOOD = "good", _("Well")
    FAIR = "fair", _("So-so")
    POOR = "poor", _("Badly")


class Appetite(models.TextChoices):
    USUAL = "usual", _("As usual")
    LESS = "less", _("Less than usual")
    MORE = "more", _("More than usual")


class SmokingChoice(models.TextChoices):
    NEVER = "never", _("I have never smoked")
    STOPPED_BEFORE = "stopped_before", _("I stopped before this pregnancy")
    STOPPED_NOW = "stopped_now", _("I stopped since I knew I was pregnant")
    SMOKES = "smokes", _("I smoke")


class AlcoholChoice(models.TextChoices):
    NONE = "none", _("None")
    SOMETIMES = "sometimes", _("Sometimes, less than once a week")
    WEEKLY = "weekly", _("Once a week or more")


class MedicineChoice(models.TextChoices):
    FOLIC_ACID = "folic_acid", _("Folic acid")
    IRON = "iron", _("Iron")
    CALCIUM = "calcium", _("Calcium")
    MULTIVITAMIN = "multivitamin", _("Pregnancy multivitamin")
    PRESCRIBED = "prescribed", _("Medicine my doctor prescribed")


class SelfAssessment(PublicIdModel):
    """One health self-assessment. ``stopped`` when a red flag ended it at the symptom check
    (the flags were raised as alarms; nothing else was asked). ``reading_batch``: the
    monitoring check-in that stored the signs she entered. ``findings``: the codes the care team
    should look at (mood screen, lifestyle), with their source."""

    woman = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="self_assessments"
    )
    pregnancy = models.ForeignKey(
        Pregnancy, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(_("done at"))
    stopped = models.BooleanField(default=False)
    symptoms = models.JSONField(default=list)
    reading_batch = models.UUIDField(null=True, blank=True)
    sleep_hours = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    sleep_quality = models.CharField(max_length=8, choices=SleepQuality.choices, blank=True)
    mood_low = models.BooleanField(null=True)
    mood_little_interest = models.BooleanField(null=True)
    mood_positive = models.BooleanField(default=False)
    appetite = models.CharField(max_length=8, choices=Appetite.choices, blank=True)
    fruit_veg_daily = models.BooleanField(null=True)
    activity_minutes_week = models.PositiveSmallIntegerField(null=True, blank=True)
    smoking = models.CharField(max_length=16, choices=SmokingChoice.choices, blank=True)
    alcohol = models.CharField(max_length=16, choices=AlcoholChoice.choices, blank=True)
    second_hand_smoke = models.BooleanField(null=True)
    medicines = models.JSONField(default=list)
    medicines_note = models.CharField(max_length=MEDICINES_NOTE_MAX_LENGTH, blank=True)
    missed_doses = models.BooleanField(null=True)
    findings = models.JSONField(default=list)
    idempotency_key = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ("-done_at", "-id")
        indexes = (models.Index(fields=("woman", "-done_at")),)
        constraints = (
            models.UniqueConstraint(
                fields=("woman", "idempotency_key"),
                condition=~Q(idempotency_key=""),
                name="self_assessment_idempotency_key_unique",
            ),
        )
