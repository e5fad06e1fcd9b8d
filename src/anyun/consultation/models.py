"""Consultations: opened when scheduling receives her, with what she said before it, the
conversation, calls, the referral to in-person care, the record and her rating.

Retention (DOMAIN section 9): chat and call metadata >= 3 years, records >= 15 years. Nothing
here is deleted by a user action: every foreign key protects its rows, a message is never
edited, and a record's correction is a new version beside the old one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anyun.core.models import PublicIdModel, TimeStampedModel
from anyun.scheduling.models import Appointment, QueueEntry
from anyun.staff.models import Department

QUESTIONS_MAX_LENGTH = 2000
MESSAGE_MAX_LENGTH = 2000
CLIENT_ID_MAX_LENGTH = 64
REASON_MAX_LENGTH = 500
RECORD_TEXT_MAX_LENGTH = 4000
COMMENT_MAX_LENGTH = 1000
MAX_PHOTOS = 6


class ConsultationStatus(models.TextChoices):
    OPEN = "open", _("In progress")
    ENDED = "ended", _("Ended")
    REFERRED = "referred", _("Referred to in-person care")


class ReferralUrgency(models.TextChoices):
    """How soon she is to be seen in person (local policy, worded for her)."""

    NOW = "now", _("Go to the hospital's emergency department now")
    TODAY = "today", _("Be seen in person today")
    WITHIN_3_DAYS = "within_3_days", _("Be seen in person within 3 days")
    ROUTINE = "routine", _("Book an in-person visit at your next convenience")


def pre_photo_upload_to(instance: PreConsultationPhoto, filename: str) -> str:
    return f"consultation/pre/{instance.pre.public_id}/{instance.public_id}"


def message_image_upload_to(instance: Message, filename: str) -> str:
    return f"consultation/chat/{instance.consultation.public_id}/{instance.client_id or 'm'}"


class PreConsultation(TimeStampedModel):
    """What she says before the consultation (ASM-1, FA-2): her questions, photos of reports,
    the symptom checklist and her latest readings as they were when she sent it. It belongs
    to the request (an appointment or a live-queue entry); a red flag stops it (`stopped`)."""

    woman = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    queue_entry = models.OneToOneField(
        QueueEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    questions = models.TextField(_("your questions"), max_length=QUESTIONS_MAX_LENGTH)
    symptoms = models.JSONField(default=list, blank=True)
    readings = models.JSONField(default=list, blank=True)
    stopped = models.BooleanField(default=False)
    reading_batch = models.UUIDField(null=True, blank=True)
    submitted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="consultation_pre_one_request",
                condition=(Q(appointment__isnull=False) & Q(queue_entry__isnull=True))
                | (Q(appointment__isnull=True) & Q(queue_entry__isnull=False)),
            )
        ]


class PreConsultationPhoto(PublicIdModel):
    pre = models.ForeignKey(PreConsultation, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(upload_to=pre_photo_upload_to)
    content_type = models.CharField(max_length=64)
    size_bytes = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField()


class Consultation(TimeStampedModel):
    """One consultation per received request (appointment or live-queue entry)."""

    woman = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=64, unique=True)
    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    queue_entry = models.OneToOneField(
        QueueEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pre = models.OneToOneField(
        PreConsultation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=ConsultationStatus.choices, default=ConsultationStatus.OPEN
    )
    opened_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referral_reason = models.CharField(max_length=REASON_MAX_LENGTH, blank=True)
    referral_urgency = models.CharField(max_length=16, choices=ReferralUrgency.choices, blank=True)
    # Read receipts: the highest message id each side has seen.
    woman_read_upto = models.BigIntegerField(default=0)
    clinician_read_upto = models.BigIntegerField(default=0)
    # The record (SUM-1): due 24 hours after the end; warned at 20 h, overdue at 24 h.
    record_warn_at = models.DateTimeField(null=True, blank=True)
    record_due_at = models.DateTimeField(null=True, blank=True)
    record_warned_at = models.DateTimeField(null=True, blank=True)
    record_overdue_at = models.DateTimeField(null=True, blank=True)
    record_signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["woman", "-opened_at"]),
            models.Index(fields=["clinician", "status"]),
            models.Index(fields=["record_signed_at", "record_warn_at"]),
            models.Index(fields=["record_signed_at", "record_due_at"]),
        ]

    def __str__(self) -> str:
        return f"consultation {self.public_id}"

    @property
    def is_open(self) -> bool:
        return self.status == ConsultationStatus.OPEN


class MessageKind(models.TextChoices):
    TEXT = "text", _("Text")
    IMAGE = "image", _("Image")


class Message(models.Model):
    """One message; ids increase, so a client resumes after the last id it holds."""

    id = models.BigAutoField(primary_key=True)
    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="messages"
    )
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=MessageKind.choices)
    text = models.TextField(blank=True, max_length=MESSAGE_MAX_LENGTH)
    image = models.FileField(upload_to=message_image_upload_to, blank=True)
    content_type = models.CharField(max_length=64, blank=True)
    client_id = models.CharField(max_length=CLIENT_ID_MAX_LENGTH)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ("id",)
        constraints = [
            # A message resent after a lost connection is stored once.
            models.UniqueConstraint(
                fields=["consultation", "sender", "client_id"], name="consultation_message_once"
            )
        ]

    def __str__(self) -> str:
        return f"message {self.pk}"


class Call(PublicIdModel):
    """A video call's metadata (kept >= 3 years); the media never passes our server."""

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="calls")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)


class RecordStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")


class ConsultationRecord(TimeStampedModel):
    """The consultation record (SUM-1, FB-6). A signed version is locked; a correction is a
    new version with its reason, the old one kept as it was (the highest signed version is
    the one in force)."""

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="records")
    version = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(
        max_length=16, choices=RecordStatus.choices, default=RecordStatus.DRAFT
    )
    history = models.TextField(_("history"), blank=True, max_length=RECORD_TEXT_MAX_LENGTH)
    symptoms = models.TextField(_("symptoms"), blank=True, max_length=RECORD_TEXT_MAX_LENGTH)
    signs = models.TextField(_("signs"), blank=True, max_length=RECORD_TEXT_MAX_LENGTH)
    diagnoses = models.JSONField(_("diagnosis"), default=list, blank=True)
    diagnosis_note = models.TextField(
        _("diagnosis notes"), blank=True, max_length=RECORD_TEXT_MAX_LENGTH
    )
    treatment_plan = models.TextField(
        _("treatment plan"), blank=True, max_length=RECORD_TEXT_MAX_LENGTH
    )
    correction_reason = models.CharField(max_length=REASON_MAX_LENGTH, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("consultation", "version")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "version"], name="consultation_record_version_once"
            ),
            models.UniqueConstraint(
                fields=["consultation"],
                condition=Q(status="draft"),
                name="consultation_record_one_draft",
            ),
        ]


class Rating(TimeStampedModel):
    consultation = models.OneToOneField(
        Consultation, on_delete=models.PROTECT, related_name="rating"
    )
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True, max_length=COMMENT_MAX_LENGTH)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="consultation_rating_1_to_5", condition=Q(score__gte=1) & Q(score__lte=5)
            )
        ]
