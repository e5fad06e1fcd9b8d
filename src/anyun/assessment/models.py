"""Assessments: clinical tasks shared by the assessment rooms (risk grading, suitability and the
mental-health screening above it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anyun.core.models import TimeStampedModel

TASK_REASON_MAX_LENGTH = 1000


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ClinicalTask(TimeStampedModel):
    """Something a clinician must do for one woman: refer her in person, regrade her, repeat a
    screening. Kinds are codes registered in ``anyun.assessment.task_kinds``.

    ``key`` makes opening idempotent: at most one open task per woman and key.
    """

    woman = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clinical_tasks"
    )
    kind = models.CharField(_("kind"), max_length=48)
    key = models.CharField(max_length=128)
    status = models.CharField(
        _("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    reason = models.CharField(_("reason"), max_length=TASK_REASON_MAX_LENGTH, blank=True)
    details = models.JSONField(default=dict, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clinical_tasks_assigned",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=TASK_REASON_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ("due_on", "created_at")
        indexes = (
            models.Index(fields=("status", "assigned_to")),
            models.Index(fields=("woman", "status")),
        )
        constraints = (
            models.UniqueConstraint(
                fields=("woman", "key"),
                condition=models.Q(status="open"),
                name="assessment_one_open_task_per_key",
            ),
        )
        verbose_name = _("clinical task")
        verbose_name_plural = _("clinical tasks")

    def __str__(self) -> str:
        return f"{self.kind} {self.woman_id} {self.status}"


# --- Five-colour pregnancy risk (FA-5, ASM-3) ---------------------------------------------

RISK_NOTE_MAX_LENGTH = 2000
PLAN_MAX_LENGTH = 4000
DECISION_REASON_MAX_LENGTH = 1000


class RiskColourChoice(models.TextChoices):
    GREEN = "green", _("Green (low risk)")
    YELLOW = "yellow", _("Yellow (general risk)")
    ORANGE = "orange", _("Orange (higher risk)")
    RED = "red", _("Red (high risk)")


COLOUR_RANK = {"green": 0, "yellow": 1, "orange": 2, "red": 3}


class RiskPolicySetting(models.Model):
    """The hospital's risk-grading and online-care choices (``anyun.clinical.risk.RiskPolicy``):
    one row (pk 1), changed by a department head with a reason, audited; no row means the
    documented defaults. ``values`` holds only the fields that differ from the defaults."""

    values = models.JSONField(_("values"), default=dict)
    reason = models.CharField(_("reason"), max_length=500)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    def __str__(self) -> str:
        return f"risk policy {self.values}"


class RiskGrading(TimeStampedModel):
    """One stored grading with the grading table (附件2): never changed, a regrading is a new row.

    ``facts`` are the facts of her record the grading was made from (and those the clinician
    entered: Hb, platelets, fetuses, ART...), ``answers`` the clinician's answer per item code,
    ``items`` every item that matched with its colour, source, confidence mark, basis (record,
    confirmed, corrected, clinician) and evidence; ``policy`` the hospital's policy values in
    force. The screening (附件1) made with it: ``screening_positive`` (None: a grading stored
    before screening was kept with it), its answers and matched items. A grading entered by a clinician is an in-person assessment (her eligibility for
    online follow-up, DOMAIN.md section 9).
    """

    woman = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="risk_gradings"
    )
    pregnancy = models.ForeignKey(
        "pregnancy.Pregnancy", on_delete=models.PROTECT, related_name="risk_gradings"
    )
    graded_at = models.DateTimeField(_("graded at"))
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ruleset_version = models.CharField(_("rule set"), max_length=32)
    policy = models.JSONField(_("policy"), default=dict)
    colour = models.CharField(_("colour"), max_length=8, choices=RiskColourChoice.choices)
    colour_rank = models.PositiveSmallIntegerField(editable=False)
    purple = models.BooleanField(_("purple (infectious disease)"), default=False)
    purple_items = models.JSONField(default=list)
    facts = models.JSONField(_("facts"), default=dict)
    answers = models.JSONField(_("answers"), default=dict)
    items = models.JSONField(_("matched items"), default=list)
    screening_positive = models.BooleanField(_("screening positive"), null=True)
    screening_answers = models.JSONField(default=dict)
    screening_items = models.JSONField(_("matched screening items"), default=list)
    note = models.CharField(_("note"), max_length=RISK_NOTE_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ("-graded_at", "-id")
        indexes = (models.Index(fields=("pregnancy", "graded_at")),)
        verbose_name = _("risk grading")
        verbose_name_plural = _("risk gradings")

    def __str__(self) -> str:
        return f"{self.colour}{' +purple' if self.purple else ''} {self.graded_at:%Y-%m-%d}"


class CaseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("high-risk case", "Open")
    CLOSED = "closed", pgettext_lazy("high-risk case", "Closed")


class HighRiskCase(TimeStampedModel):
    """High-risk case management (orange, red, purple): a named responsible clinician, her
    individual plan and emergency plan, the review dates. One open case per pregnancy."""

    woman = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="high_risk_cases"
    )
    pregnancy = models.ForeignKey(
        "pregnancy.Pregnancy", on_delete=models.PROTECT, related_name="high_risk_cases"
    )
    opened_by_grading = models.ForeignKey(RiskGrading, on_delete=models.PROTECT, related_name="+")
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="high_risk_cases_responsible",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    individual_plan = models.TextField(_("individual plan"), blank=True)
    emergency_plan = models.TextField(_("emergency plan"), blank=True)
    next_review_on = models.DateField(_("next review on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_reason = models.CharField(_("reason"), max_length=DECISION_REASON_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ("next_review_on", "created_at")
        constraints = (
            models.UniqueConstraint(
                fields=("pregnancy",),
                condition=models.Q(status="open"),
                name="assessment_one_open_case_per_pregnancy",
            ),
        )
        verbose_name = _("high-risk case")
        verbose_name_plural = _("high-risk cases")

    def __str__(self) -> str:
        return f"case {self.pregnancy_id} {self.status}"


class CaseReview(models.Model):
    """One review of a high-risk case: when, by whom, what was found, the next date."""

    case = models.ForeignKey(HighRiskCase, on_delete=models.PROTECT, related_name="reviews")
    reviewed_at = models.DateTimeField(_("reviewed at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=DECISION_REASON_MAX_LENGTH)
    next_review_on = models.DateField(_("next review on"), null=True, blank=True)

    class Meta:
        ordering = ("-reviewed_at", "-id")

    def __str__(self) -> str:
        return f"review {self.case_id} {self.reviewed_at:%Y-%m-%d}"


class DistrictReport(TimeStampedModel):
    """The report of an orange or red grading to the district maternal-child health institution,
    due within the policy's deadline (default 3 days, red 24 hours [P])."""

    case = models.ForeignKey(HighRiskCase, on_delete=models.PROTECT, related_name="reports")
    grading = models.OneToOneField(
        RiskGrading, on_delete=models.PROTECT, related_name="district_report"
    )
    colour = models.CharField(_("colour"), max_length=8, choices=RiskColourChoice.choices)
    due_at = models.DateTimeField(_("due"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("due_at",)
        verbose_name = _("district report")
        verbose_name_plural = _("district reports")

    def __str__(self) -> str:
        return f"report {self.case_id} {self.colour} due {self.due_at:%Y-%m-%d %H:%M}"


class OnlineCareDecision(models.TextChoices):
    ALLOWED = "allowed", _("Suitable for online follow-up")
    IN_PERSON = "in_person", _("Not suitable: in-person care")


class InPersonUrgency(models.TextChoices):
    IN_PERSON_NOW = "in_person_now", _("Come to the clinic today")
    WITHIN_24H = "within_24h", _("Be seen in person within 24 hours")
    BOOK_VISIT = "book_visit", _("Book an in-person visit")


class SuitabilityDecision(TimeStampedModel):
    """A clinician's decision on her online care, with the reason: ``allowed`` clears an
    earlier block (a red flag, an in-person decision); ``in_person`` blocks new online
    requests until a later ``allowed`` decision."""

    woman = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="suitability_decisions"
    )
    decision = models.CharField(_("decision"), max_length=16, choices=OnlineCareDecision.choices)
    urgency = models.CharField(
        _("how urgently"), max_length=16, choices=InPersonUrgency.choices, blank=True
    )
    reason = models.CharField(_("reason"), max_length=DECISION_REASON_MAX_LENGTH)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=("woman", "created_at")),)
        verbose_name = _("suitability decision")
        verbose_name_plural = _("suitability decisions")

    def __str__(self) -> str:
        return f"{self.decision} {self.woman_id} {self.created_at:%Y-%m-%d}"


# --- Follow-up eligibility evidence (POL-13) ----------------------------------------------------

EVIDENCE_NOTE_MAX_LENGTH = 500
EVIDENCE_HOSPITAL_MAX_LENGTH = 200
EVIDENCE_REASON_MAX_LENGTH = 500


class EvidenceStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Not accepted")


def evidence_upload_to(instance: EligibilityEvidence, filename: str) -> str:
    return f"eligibility/{instance.woman.public_id}/{instance.public_id}"


class EligibilityEvidence(TimeStampedModel):
    """Evidence she uploads of an in-person diagnosis (an image or PDF of the record), which a
    clinician of her care team accepts or rejects (DOMAIN.md section 9, follow-up only).
    Accepted evidence makes her eligible for online follow-up. Rows are never deleted; the
    file is served only through an access-checked view."""

    woman = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="eligibility_evidence"
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_to)
    content_type = models.CharField(max_length=64)
    size_bytes = models.PositiveIntegerField()
    note = models.CharField(_("her note"), max_length=EVIDENCE_NOTE_MAX_LENGTH, blank=True)
    hospital = models.CharField(
        _("hospital seen at"), max_length=EVIDENCE_HOSPITAL_MAX_LENGTH, blank=True
    )
    visit_date = models.DateField(_("visit date"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EvidenceStatus.choices,
        default=EvidenceStatus.SUBMITTED,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=EVIDENCE_REASON_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=("woman", "status")),)
        constraints = (
            models.UniqueConstraint(
                fields=("woman",),
                condition=models.Q(status="submitted"),
                name="eligibility_evidence_one_pending",
            ),
        )
        verbose_name = _("eligibility evidence")
        verbose_name_plural = _("eligibility evidence")

    def __str__(self) -> str:
        return f"{self.status} {self.woman_id} {self.created_at:%Y-%m-%d}"
