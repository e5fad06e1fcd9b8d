"""Prescribing: the hospital pharmacy's formulary, her recorded drug allergies, prescriptions
with their lines, signatures and the pharmacist's reviews.

Retention (DOMAIN section 9): prescriptions >= 1 year. Nothing here is deleted by a user: a
signed prescription is never changed; a revision after a return is a new version beside it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anyun.clinical.prescribing import ControlledClass, Safety
from anyun.consultation.models import Consultation
from anyun.core.fields import EncryptedTextField
from anyun.core.models import PublicIdModel, TimeStampedModel

TEXT_MAX_LENGTH = 500
DIAGNOSIS_MAX_LENGTH = 300


class SafetyRating(models.TextChoices):
    COMPATIBLE = Safety.COMPATIBLE.value, _("Compatible")
    CAUTION = Safety.CAUTION.value, _("Use with caution")
    AVOID = Safety.AVOID.value, _("Avoid")


class Controlled(models.TextChoices):
    NONE = ControlledClass.NONE.value, _("Not specially controlled")
    NARCOTIC = ControlledClass.NARCOTIC.value, _("Narcotic drug")
    PSYCHOTROPIC = ControlledClass.PSYCHOTROPIC.value, _("Psychotropic drug")
    TOXIC = ControlledClass.TOXIC.value, _("Toxic drug for medical use")
    RADIOACTIVE = ControlledClass.RADIOACTIVE.value, _("Radioactive drug")


class Drug(TimeStampedModel):
    """One formulary entry the hospital pharmacy keeps, with the facts' named source."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    generic_name = models.CharField(_("generic name"), max_length=120)
    chinese_name = models.CharField(_("Chinese name"), max_length=120)
    form = models.CharField(_("form"), max_length=60)
    strength = models.CharField(_("strength"), max_length=60)
    route = models.CharField(_("route"), max_length=40)
    unit = models.CharField(_("dispensing unit"), max_length=20)
    usual_dosing = models.CharField(_("usual dosing"), max_length=TEXT_MAX_LENGTH)
    pregnancy_safety = models.CharField(_("pregnancy"), max_length=16, choices=SafetyRating.choices)
    pregnancy_avoid_from_week = models.PositiveSmallIntegerField(
        _("avoid from week"), null=True, blank=True
    )
    pregnancy_note = models.CharField(_("pregnancy note"), max_length=TEXT_MAX_LENGTH)
    lactation_safety = models.CharField(
        _("breastfeeding"), max_length=16, choices=SafetyRating.choices
    )
    lactation_note = models.CharField(_("breastfeeding note"), max_length=TEXT_MAX_LENGTH)
    controlled_class = models.CharField(
        _("controlled-drug class"),
        max_length=16,
        choices=Controlled.choices,
        default=Controlled.NONE,
    )
    ingredients = models.JSONField(_("ingredients"), default=list)
    drug_classes = models.JSONField(_("drug classes"), default=list, blank=True)
    stock = models.PositiveIntegerField(_("stock"), default=0)
    price_fen = models.PositiveIntegerField(_("price (fen)"))
    source = models.CharField(_("source"), max_length=TEXT_MAX_LENGTH)
    is_active = models.BooleanField(_("in the formulary"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ("generic_name",)
        verbose_name = _("drug")
        verbose_name_plural = _("formulary")

    def __str__(self) -> str:
        return f"{self.generic_name} {self.strength}"


class Allergy(TimeStampedModel):
    """A drug allergy of hers, recorded by a clinician: an ingredient or a drug class code."""

    woman = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    substance = models.CharField(_("allergic to"), max_length=64)
    reaction = models.CharField(_("reaction"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["woman", "substance"],
                condition=Q(ended_at__isnull=True),
                name="prescribing_allergy_once",
            )
        ]


class PrescriptionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_REVIEW = "pending_review", _("Waiting for the pharmacist")
    RETURNED = "returned", _("Returned by the pharmacist")
    APPROVED = "approved", _("Approved by the pharmacist")
    SUPERSEDED = "superseded", _("Replaced by a revised version")
    EXPIRED = "expired", _("Expired")


# Billing takes an approved prescription that has not expired (`services.prescription_payable`).
LIVE_STATUSES = (
    PrescriptionStatus.PENDING_REVIEW,
    PrescriptionStatus.RETURNED,
    PrescriptionStatus.APPROVED,
)


class Prescription(TimeStampedModel):
    """One version of an e-prescription (FB-7, IMP-4a). `series` joins the versions of one
    prescription; a returned version is revised into a new one, the old kept as it was."""

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="+")
    woman = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    series = models.UUIDField(_("series"), db_index=True)
    version = models.PositiveSmallIntegerField(default=1)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_version"
    )
    status = models.CharField(
        max_length=16, choices=PrescriptionStatus.choices, default=PrescriptionStatus.DRAFT
    )
    diagnosis = models.CharField(_("diagnosis"), max_length=DIAGNOSIS_MAX_LENGTH)
    advice = models.CharField(_("advice for her"), max_length=TEXT_MAX_LENGTH, blank=True)
    supply_reason = models.CharField(
        _("reason for more than 7 days"), max_length=TEXT_MAX_LENGTH, blank=True
    )
    validity_days = models.PositiveSmallIntegerField(_("valid for (days)"), default=1)
    validity_reason = models.CharField(
        _("reason for a longer validity"), max_length=TEXT_MAX_LENGTH, blank=True
    )
    breastfeeding = models.BooleanField(_("breastfeeding"), default=False)
    stage = models.CharField(max_length=16, blank=True)
    gestational_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    findings = models.JSONField(default=list, blank=True)
    warning_reason = models.CharField(
        _("why the warnings are accepted"), max_length=TEXT_MAX_LENGTH, blank=True
    )
    idempotency_key = models.CharField(max_length=64, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    # Set by billing when her payment came in (prescribing.payable), cleared on a refund.
    paid_at = models.DateTimeField(null=True, blank=True)
    # Set once when the pharmacy dispensed it (`dispensing.prescription_dispense`).
    dispensed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["series", "version"], name="prescribing_prescription_version_once"
            ),
            models.UniqueConstraint(
                fields=["clinician", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="prescribing_prescription_idempotent",
            ),
            models.CheckConstraint(
                name="prescribing_validity_1_to_3",
                condition=Q(validity_days__gte=1) & Q(validity_days__lte=3),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["woman", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"prescription {self.public_id} v{self.version}"


class Frequency(models.TextChoices):
    ONCE = "once", _("once only")
    QD = "qd", _("once a day")
    BID = "bid", _("twice a day")
    TID = "tid", _("three times a day")
    QID = "qid", _("four times a day")
    QN = "qn", _("once a day at bedtime")
    Q8H = "q8h", _("every 8 hours")
    QW = "qw", _("once a week")


class PrescriptionLine(models.Model):
    prescription = models.ForeignKey(Prescription, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    drug = models.ForeignKey(Drug, on_delete=models.PROTECT, related_name="+")
    dose = models.CharField(_("dose"), max_length=60)
    frequency = models.CharField(_("how often"), max_length=8, choices=Frequency.choices)
    days = models.PositiveSmallIntegerField(_("days"))
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    instructions = models.CharField(_("how to take it"), max_length=200, blank=True)
    unit_price_fen = models.PositiveIntegerField()
    # The drug as the formulary described it when the line was written: what was signed, and
    # what she and the pharmacy read, whatever the formulary says later.
    drug_code = models.CharField(max_length=64, default="")
    generic_name = models.CharField(_("generic name"), max_length=120, default="")
    chinese_name = models.CharField(_("Chinese name"), max_length=120, default="")
    form = models.CharField(_("form"), max_length=60, default="")
    strength = models.CharField(_("strength"), max_length=60, default="")
    route = models.CharField(_("route"), max_length=40, default="")
    unit = models.CharField(_("dispensing unit"), max_length=20, default="")

    class Meta:
        ordering = ("prescription", "position")
        constraints = [
            models.UniqueConstraint(
                fields=["prescription", "position"], name="prescribing_line_position_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.drug_code} x{self.quantity}"


class SigningKey(models.Model):
    """A staff member's own Ed25519 key of the default signer; the private half encrypted."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    key_id = models.CharField(max_length=64, unique=True)
    public_key = models.TextField()
    private_key = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key_id


class SignaturePurpose(models.TextChoices):
    PRESCRIPTION = "prescription", _("Prescriber's signature")
    REVIEW = "review", _("Pharmacist's signature")


class Signature(PublicIdModel):
    """A signature over the canonical content of a prescription version (or its review):
    who, when, the SHA-256 of the content, the signer's provider, key and signature bytes."""

    prescription = models.ForeignKey(
        Prescription, on_delete=models.PROTECT, related_name="signatures"
    )
    purpose = models.CharField(max_length=16, choices=SignaturePurpose.choices)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()
    provider = models.CharField(max_length=128)
    key_id = models.CharField(max_length=128)
    content_hash = models.CharField(max_length=64)
    signature = models.TextField()
    certificate = models.TextField(blank=True)
    identity_check = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["prescription", "purpose"], name="prescribing_signature_once"
            )
        ]


class ReviewDecision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class Review(PublicIdModel):
    """The pharmacist's review of one version (IMP-4b, 处方审核规范 2018): decision, coded
    reasons, note, and how long the prescription waited (submitted -> decided)."""

    prescription = models.OneToOneField(
        Prescription, on_delete=models.PROTECT, related_name="review"
    )
    pharmacist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=16, choices=ReviewDecision.choices)
    reasons = models.JSONField(default=list, blank=True)
    note = models.CharField(_("note"), max_length=TEXT_MAX_LENGTH, blank=True)
    submitted_at = models.DateTimeField()
    decided_at = models.DateTimeField()
    review_seconds = models.PositiveIntegerField()

    @property
    def review_minutes(self) -> int:
        return self.review_seconds // 60
