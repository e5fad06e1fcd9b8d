"""Delivery: her address book, and how the medicines of a paid prescription reach her:
picked up at the hospital pharmacy with a code, or delivered by a courier (IMP-4c, IMP-4d).

A `Fulfilment` is made when billing takes the payment (the `prescription_paid` signal), with
the way she chose on her order. Its timeline is a list of events that are only ever added.
Phone numbers, names and addresses are personal data: stored encrypted, like the profile's.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anyun.core.fields import EncryptedTextField
from anyun.core.models import TimeStampedModel
from anyun.prescribing.models import Prescription

MAX_ADDRESSES = 10


class Address(TimeStampedModel):
    """One saved address of hers; at most one default. A removed one is kept (deliveries
    name it) but no longer offered."""

    woman = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    label = models.CharField(_("name of this address"), max_length=40, blank=True)
    recipient = EncryptedTextField(_("recipient"))
    phone = EncryptedTextField(_("phone number"))
    address = EncryptedTextField(_("address"))
    is_default = models.BooleanField(_("default address"), default=False)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-is_default", "created_at")
        constraints = [
            models.UniqueConstraint(
                fields=["woman"],
                condition=Q(is_default=True, removed_at__isnull=True),
                name="delivery_address_one_default",
            )
        ]

    def __str__(self) -> str:
        return self.label or f"address {self.public_id}"


class Method(models.TextChoices):
    PICKUP = "pickup", _("Pick-up at the hospital pharmacy")
    DELIVERY = "delivery", _("Delivery")


class FulfilmentStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for the pharmacy")
    COLLECTED = "collected", _("Picked up")
    DISPENSED = "dispensed", _("Dispensed")
    HANDED_OVER = "handed_over", _("Handed to the courier")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Delivery failed")
    REFUNDED = "refunded", _("Refunded")


# A delivery on its way: the late sweep watches these.
OPEN_DELIVERY_STATUSES = (
    FulfilmentStatus.WAITING,
    FulfilmentStatus.DISPENSED,
    FulfilmentStatus.HANDED_OVER,
)


class Fulfilment(TimeStampedModel):
    """How the medicines of one paid prescription reach her."""

    prescription = models.OneToOneField(
        Prescription, on_delete=models.PROTECT, related_name="fulfilment"
    )
    woman = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    order_ref = models.CharField(max_length=64, blank=True)
    method = models.CharField(_("how she gets it"), max_length=16, choices=Method.choices)
    status = models.CharField(
        max_length=16, choices=FulfilmentStatus.choices, default=FulfilmentStatus.WAITING
    )
    # Pick-up: random, shown to her as text and QR; unique among those still waiting.
    pickup_code = models.CharField(_("pick-up code"), max_length=16, blank=True)
    address = models.ForeignKey(
        Address, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # What the courier was given, as it was then (her book may change later).
    ship_to = EncryptedTextField(blank=True)
    provider = models.CharField(max_length=32, blank=True)
    provider_ref = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    promised_by = models.DateTimeField(null=True, blank=True)
    late_alerted_at = models.DateTimeField(null=True, blank=True)
    dispensed_at = models.DateTimeField(null=True, blank=True)
    dispensed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["pickup_code"],
                condition=Q(status="waiting") & ~Q(pickup_code=""),
                name="delivery_pickup_code_open_once",
            )
        ]
        indexes = [
            models.Index(fields=["status", "promised_by"]),
            models.Index(fields=["woman", "-created_at"]),
            models.Index(fields=["provider", "provider_ref"]),
        ]

    def __str__(self) -> str:
        return f"fulfilment {self.public_id}"


class EventKind(models.TextChoices):
    PAID = "paid", _("Paid")
    ADDRESS = "address", _("Address chosen")
    DISPENSED = "dispensed", _("Dispensed")
    COLLECTED = "collected", _("Picked up")
    HANDED_OVER = "handed_over", _("Handed to the courier")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Delivery failed")
    LATE = "late", _("Later than promised")
    RESENT = "resent", _("Sent again")
    REFUNDED = "refunded", _("Refund requested")


class FulfilmentEvent(models.Model):
    fulfilment = models.ForeignKey(Fulfilment, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"
