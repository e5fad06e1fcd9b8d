"""Staff: hospitals, departments, clinician profiles and the credentials that allow online work.

Validity of a credential is inclusive at both ends: a credential is valid on every day from
`valid_from` through `valid_until` (the date printed as 有效期至 is the last valid day).
`valid_until` empty means the credential does not expire.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anyun.core.models import TimeStampedModel


class Hospital(TimeStampedModel):
    name = models.CharField(_("name"), max_length=128)
    code = models.CharField(_("code"), max_length=32, unique=True)

    class Meta:
        ordering = ("name",)
        verbose_name = _("hospital")
        verbose_name_plural = _("hospitals")

    def __str__(self) -> str:
        return self.name


class Department(TimeStampedModel):
    hospital = models.ForeignKey(
        Hospital, on_delete=models.PROTECT, related_name="departments", verbose_name=_("hospital")
    )
    name = models.CharField(_("name"), max_length=128)
    code = models.CharField(_("code"), max_length=32)

    class Meta:
        ordering = ("hospital__name", "name")
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = (
            models.UniqueConstraint(
                fields=("hospital", "code"), name="staff_department_code_unique_per_hospital"
            ),
        )

    def __str__(self) -> str:
        return self.name


class Title(models.TextChoices):
    """Professional titles (专业技术职称) of physicians, nurses and pharmacists."""

    CHIEF_PHYSICIAN = "chief_physician", _("Chief physician")  # 主任医师
    ASSOCIATE_CHIEF_PHYSICIAN = "associate_chief_physician", _("Associate chief physician")
    ATTENDING_PHYSICIAN = "attending_physician", _("Attending physician")  # 主治医师
    RESIDENT_PHYSICIAN = "resident_physician", _("Resident physician")  # 住院医师
    CHIEF_NURSE = "chief_nurse", _("Chief nurse")  # 主任护师
    ASSOCIATE_CHIEF_NURSE = "associate_chief_nurse", _("Associate chief nurse")  # 副主任护师
    NURSE_IN_CHARGE = "nurse_in_charge", _("Nurse-in-charge")  # 主管护师
    SENIOR_NURSE = "senior_nurse", _("Senior nurse")  # 护师
    NURSE = "nurse", _("Nurse")  # 护士
    MIDWIFE = "midwife", _("Midwife")  # 助产士
    CHIEF_PHARMACIST = "chief_pharmacist", _("Chief pharmacist")  # 主任药师
    ASSOCIATE_CHIEF_PHARMACIST = "associate_chief_pharmacist", _("Associate chief pharmacist")
    PHARMACIST_IN_CHARGE = "pharmacist_in_charge", _("Pharmacist-in-charge")  # 主管药师
    PHARMACIST = "pharmacist", _("Pharmacist")  # 药师


def _photo_path(instance: Any, filename: str) -> str:
    # The service names the file after its sniffed type; the directory hides it from guessing.
    return f"staff/photos/{uuid.uuid4().hex}/{filename}"


def _scan_path(instance: Any, filename: str) -> str:
    return f"staff/credentials/{uuid.uuid4().hex}/{filename}"


class ClinicianProfile(TimeStampedModel):
    """The professional face of a clinician, nurse or pharmacist account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="clinician_profile",
        verbose_name=_("user"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="clinicians",
        verbose_name=_("department"),
    )
    title = models.CharField(_("title"), max_length=32, choices=Title.choices)
    specialty = models.CharField(_("specialty"), max_length=200, blank=True)
    introduction = models.TextField(_("introduction"), blank=True)
    photo = models.ImageField(_("photo"), upload_to=_photo_path, blank=True)
    is_listed = models.BooleanField(
        _("listed in the public directory"),
        default=False,
        help_text=_("Only listed profiles, their photos and credentials are shown to the public."),
    )
    is_department_head = models.BooleanField(_("department head"), default=False)

    class Meta:
        ordering = ("department__name", "user__display_name")
        verbose_name = _("clinician profile")
        verbose_name_plural = _("clinician profiles")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def name(self) -> str:
        """The public name: never the username, which is a login identifier."""
        return self.user.display_name


class CredentialKind(models.TextChoices):
    # STAFF-2 rests on the practising certificate; the registration is the STAFF-2 filing itself.
    PRACTISING_CERTIFICATE = "practising_certificate", _("Practising certificate")  # 医师执业证书
    HOSPITAL_REGISTRATION = (
        "hospital_registration",
        _("Practice registration at this hospital"),
    )  # 本院执业注册/备案
    MCH_CERTIFICATE = (
        "mch_certificate",
        _("Maternal and child health technology assessment certificate"),
    )  # 母婴保健技术考核合格证明 (STAFF-1)
    INTERNET_ADMISSION = "internet_admission", _("Internet diagnosis admission")  # STAFF-3


class Credential(TimeStampedModel):
    """One certificate or filing of a clinician. Renewals are new rows; history is kept."""

    profile = models.ForeignKey(
        ClinicianProfile,
        on_delete=models.CASCADE,
        related_name="credentials",
        verbose_name=_("clinician"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=CredentialKind.choices)
    number = models.CharField(_("number"), max_length=64)
    issuer = models.CharField(_("issuer"), max_length=128)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("Last day of validity, inclusive. Leave empty if it does not expire."),
    )
    scan = models.FileField(_("scan"), upload_to=_scan_path, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ("kind", "-valid_from")
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")
        constraints = (
            models.UniqueConstraint(
                fields=("profile", "kind", "number", "valid_from"),
                name="staff_credential_unique_record",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="staff_credential_valid_range",
            ),
        )
        indexes = (models.Index(fields=("kind", "number")),)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def is_valid_on(self, day: date) -> bool:
        """Inclusive at both ends; an empty `valid_until` never expires."""
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class DutyShift(TimeStampedModel):
    """Who is on duty for a department and in which order alarms go to them.

    `position` 1 is the first called; an unacknowledged urgent alarm moves to the next
    position, then to the department head.
    """

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="duty_shifts")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="duty_shifts"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))

    class Meta:
        ordering = ("starts_at", "position")
        indexes = (models.Index(fields=("department", "starts_at", "ends_at")),)
        constraints = (
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="staff_duty_range"
            ),
        )
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")

    def __str__(self) -> str:
        return f"{self.member} {self.starts_at:%Y-%m-%d %H:%M}-{self.ends_at:%H:%M}"
