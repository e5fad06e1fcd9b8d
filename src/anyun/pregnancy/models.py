"""The pregnancy record (FB-5 foundation): dating, obstetric history, background, exam reports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anyun.core.models import TimeStampedModel

# Limits of what the record takes, checked by the services (so web and API refuse alike) and
# stated on the forms. Free text is refused past the limit, never cut.
MAX_GRAVIDITY = 30
MAX_PARITY = 20
MAX_FETUSES = 5  # quintuplets; more is a data-entry error
HISTORY_TEXT_MAX_LENGTH = 2000
REPORT_TITLE_MAX_LENGTH = 200


class PregnancyStatus(models.TextChoices):
    CURRENT = "current", _("Current")
    ENDED = "ended", _("Ended")


class DatingMethod(models.TextChoices):
    LMP = "lmp", _("Last menstrual period")
    ULTRASOUND = "ultrasound", _("Early ultrasound")


class Pregnancy(TimeStampedModel):
    """One pregnancy of one woman. At most one is current (a database constraint)."""

    woman = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pregnancies"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PregnancyStatus.choices, default=PregnancyStatus.CURRENT
    )
    lmp = models.DateField(_("last menstrual period"), null=True, blank=True)
    cycle_length_days = models.PositiveSmallIntegerField(_("cycle length (days)"), default=28)
    scan_date = models.DateField(_("ultrasound date"), null=True, blank=True)
    scan_crl_mm = models.DecimalField(
        _("crown-rump length (mm)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    scan_ga_days = models.PositiveSmallIntegerField(
        _("gestational age at scan (days)"), null=True, blank=True
    )
    edd = models.DateField(_("estimated due date"))
    dating_method = models.CharField(_("dated by"), max_length=16, choices=DatingMethod.choices)
    lmp_edd = models.DateField(null=True, blank=True, editable=False)
    ultrasound_edd = models.DateField(null=True, blank=True, editable=False)
    gravidity = models.PositiveSmallIntegerField(_("gravidity (G)"), default=1)
    parity = models.PositiveSmallIntegerField(_("parity (P)"), default=0)
    height_cm = models.DecimalField(
        _("height (cm)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    pre_pregnancy_weight_kg = models.DecimalField(
        _("pre-pregnancy weight (kg)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    # Both read by the risk grading (multiple pregnancy, ART conception); null: not yet known.
    fetus_count = models.PositiveSmallIntegerField(_("number of fetuses"), null=True, blank=True)
    art_conception = models.BooleanField(
        _("conceived by assisted reproduction"), null=True, blank=True
    )
    allergies = models.TextField(_("allergies"), blank=True)
    chronic_conditions = models.TextField(_("chronic conditions"), blank=True)
    previous_surgeries = models.TextField(_("previous surgeries"), blank=True)
    family_history = models.TextField(_("family history"), blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("outcome"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("-created_at",)
        constraints = (
            models.UniqueConstraint(
                fields=("woman",),
                condition=models.Q(status="current"),
                name="pregnancy_one_current_per_woman",
            ),
        )
        verbose_name = _("pregnancy")
        verbose_name_plural = _("pregnancies")

    def __str__(self) -> str:
        return f"{self.woman} EDD {self.edd}"


class PregnancyOutcome(models.TextChoices):
    TERM_BIRTH = "term_birth", _("Term birth")
    PRETERM_BIRTH = "preterm_birth", _("Preterm birth")
    MISCARRIAGE = "miscarriage", _("Miscarriage")
    INDUCED_ABORTION = "induced_abortion", _("Induced abortion")
    ECTOPIC = "ectopic", _("Ectopic pregnancy")
    STILLBIRTH = "stillbirth", _("Stillbirth")
    MOLAR = "molar", _("Trophoblastic disease")


class DeliveryMode(models.TextChoices):
    NONE = "", _("Not applicable")
    VAGINAL = "vaginal", _("Vaginal birth")
    ASSISTED = "assisted", _("Assisted vaginal birth")
    CAESAREAN = "caesarean", _("Caesarean section")


class PreviousPregnancy(TimeStampedModel):
    """One earlier pregnancy in her obstetric history."""

    woman = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="previous_pregnancies"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    outcome = models.CharField(_("outcome"), max_length=24, choices=PregnancyOutcome.choices)
    delivery_mode = models.CharField(
        _("mode of birth"), max_length=16, choices=DeliveryMode.choices, blank=True
    )
    gestational_weeks = models.PositiveSmallIntegerField(_("weeks"), null=True, blank=True)
    complications = models.CharField(_("complications"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("-year", "-created_at")


def report_upload_to(instance: ExamReport, filename: str) -> str:
    return f"reports/{instance.pregnancy.public_id}/{instance.public_id}"


class ExamReport(TimeStampedModel):
    """An uploaded previous exam report (image or PDF), served only through access checks."""

    pregnancy = models.ForeignKey(Pregnancy, on_delete=models.PROTECT, related_name="reports")
    title = models.CharField(_("title"), max_length=REPORT_TITLE_MAX_LENGTH)
    exam_date = models.DateField(_("exam date"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=report_upload_to)
    content_type = models.CharField(max_length=64)
    size_bytes = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("-created_at",)


class PregnancyRevision(models.Model):
    """Every change to a record: who, when, and each field's old and new value."""

    pregnancy = models.ForeignKey(Pregnancy, on_delete=models.PROTECT, related_name="revisions")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    changes = models.JSONField()
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ("-changed_at", "-id")

    def __str__(self) -> str:
        return f"{self.pregnancy_id} {self.changed_at:%Y-%m-%d %H:%M}"


class DiagnosisCode(models.TextChoices):
    """Her known conditions (``anyun.clinical.risk_tables.Diagnosis``), in words."""

    GDM = "gdm", _("Gestational diabetes")
    PGDM = "pgdm", _("Pre-gestational diabetes")
    CHRONIC_HYPERTENSION = "chronic_hypertension", _("Chronic hypertension")
    GESTATIONAL_HYPERTENSION = "gestational_hypertension", _("Gestational hypertension")
    PRE_ECLAMPSIA = "pre_eclampsia", _("Pre-eclampsia")
    SEVERE_PRE_ECLAMPSIA = "severe_pre_eclampsia", _("Severe pre-eclampsia")
    SUPERIMPOSED_PRE_ECLAMPSIA = (
        "superimposed_pre_eclampsia",
        _("Pre-eclampsia superimposed on chronic hypertension"),
    )


class PregnancyDiagnosis(TimeStampedModel):
    """One known condition of this pregnancy, recorded by a clinician (usually with a risk
    grading). Monitoring reads the open ones (glucose targets apply with GDM or PGDM).
    Ended, never deleted: ``ended_at`` set when the clinician removes it."""

    pregnancy = models.ForeignKey(Pregnancy, on_delete=models.PROTECT, related_name="diagnoses")
    code = models.CharField(_("diagnosis"), max_length=48, choices=DiagnosisCode.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("created_at",)
        constraints = (
            models.UniqueConstraint(
                fields=("pregnancy", "code"),
                condition=models.Q(ended_at__isnull=True),
                name="pregnancy_one_open_diagnosis_per_code",
            ),
        )
        verbose_name = _("diagnosis")
        verbose_name_plural = _("diagnoses")

    def __str__(self) -> str:
        return f"{self.pregnancy_id} {self.code}"
