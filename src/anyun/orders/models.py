"""Lab and examination orders (IMP-3c) and their results (FB-8): the clinician's order of one
or more catalogue tests with a reason, her booked time at the hospital, and each report that
arrives (typed in by staff, or posted by the laboratory system as JSON or FHIR R4) with its
results, each flagged against the range it was judged by.

Retention (DOMAIN section 9): results are part of the record (>= 15 years). Nothing here is
deleted by a user; a report is never changed (a corrected report arrives as a new report).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anyun.clinical.labs import Flag
from anyun.consultation.models import Consultation
from anyun.core.models import TimeStampedModel

REASON_MAX_LENGTH = 500
TEXT_MAX_LENGTH = 1000
EXTERNAL_ID_MAX_LENGTH = 64


class OrderStatus(models.TextChoices):
    ORDERED = "ordered", _("Ordered: book a time")
    BOOKED = "booked", _("Booked")
    PARTIAL = "partial", _("Some results in")
    RESULTED = "resulted", _("Results in")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (OrderStatus.ORDERED, OrderStatus.BOOKED, OrderStatus.PARTIAL)


class ReportSource(models.TextChoices):
    STAFF = "staff", _("Entered by staff")
    JSON = "json", _("Laboratory system (JSON)")
    FHIR = "fhir", _("Laboratory system (FHIR)")


class FlagChoice(models.TextChoices):
    NORMAL = Flag.NORMAL.value, _("Normal")
    LOW = Flag.LOW.value, _("Low")
    HIGH = Flag.HIGH.value, _("High")
    CRITICAL_LOW = Flag.CRITICAL_LOW.value, _("Critically low")
    CRITICAL_HIGH = Flag.CRITICAL_HIGH.value, _("Critically high")
    POSITIVE = Flag.POSITIVE.value, _("Positive: needs attention")
    ABNORMAL = Flag.ABNORMAL.value, _("Abnormal")
    NONE = Flag.NONE.value, _("No reference range")


class LabOrder(TimeStampedModel):
    """One order: the tests (catalogue codes, `anyun.clinical.labs.CATALOGUE`), why, who
    ordered them for whom, and the time she booked."""

    woman = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    tests = models.JSONField(_("tests"), default=list)
    reason = models.CharField(_("reason"), max_length=REASON_MAX_LENGTH)
    status = models.CharField(
        max_length=16, choices=OrderStatus.choices, default=OrderStatus.ORDERED
    )
    booked_for = models.DateTimeField(_("booked for"), null=True, blank=True)
    booked_at = models.DateTimeField(null=True, blank=True)
    resulted_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(
        _("reason for the cancellation"), max_length=REASON_MAX_LENGTH, blank=True
    )
    idempotency_key = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["clinician", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="orders_order_idempotency",
            )
        ]
        verbose_name = _("lab order")
        verbose_name_plural = _("lab orders")

    def __str__(self) -> str:
        return f"{self.public_id}"


class Report(TimeStampedModel):
    """One report of results for an order, as it arrived."""

    order = models.ForeignKey(LabOrder, on_delete=models.PROTECT, related_name="reports")
    woman = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=8, choices=ReportSource.choices)
    external_id = models.CharField(max_length=EXTERNAL_ID_MAX_LENGTH, blank=True)
    observed_at = models.DateTimeField(_("taken at"))
    conclusion = models.CharField(_("conclusion"), max_length=TEXT_MAX_LENGTH, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    abnormal = models.BooleanField(default=False)
    critical = models.BooleanField(default=False)
    ga_days = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ("-observed_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["order", "external_id"],
                condition=~Q(external_id=""),
                name="orders_report_external_once",
            )
        ]
        verbose_name = _("lab report")
        verbose_name_plural = _("lab reports")

    def __str__(self) -> str:
        return f"{self.public_id}"


class Result(models.Model):
    """One observation of a report: the value as given, its flag and the range judged by."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="results")
    woman = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    test = models.CharField(max_length=32)
    observation = models.CharField(max_length=32)
    number = models.FloatField(null=True, blank=True)
    text = models.CharField(max_length=TEXT_MAX_LENGTH, blank=True)
    unit = models.CharField(max_length=16, blank=True)
    flag = models.CharField(max_length=16, choices=FlagChoice.choices)
    range_low = models.FloatField(null=True, blank=True)
    range_high = models.FloatField(null=True, blank=True)
    range_high_inclusive = models.BooleanField(default=False)
    range_source = models.CharField(max_length=200, blank=True)
    range_pregnancy = models.BooleanField(default=False)
    observed_at = models.DateTimeField()

    class Meta:
        ordering = ("report", "position")
        indexes = [models.Index(fields=["woman", "observation", "observed_at"])]

    def __str__(self) -> str:
        return f"{self.observation} {self.flag}"
