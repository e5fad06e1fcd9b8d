"""Billing: payable orders, the provider's notifications we received, refunds.

Every amount is an integer number of fen (1 yuan = 100 fen); nothing here holds a float.
Rows are never deleted: an order ends cancelled, expired, paid or refunded, and each
notification received (applied, a duplicate or refused) is kept for reconciliation.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anyun.core.models import PublicIdModel, TimeStampedModel


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for payment")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Timed out unpaid")
    REFUNDING = "refunding", _("Refund in progress")
    REFUNDED = "refunded", _("Refunded")


# At most one order of these per payable thing (kind, ref).
LIVE_STATUSES = (OrderStatus.PENDING, OrderStatus.PAID, OrderStatus.REFUNDING)


class PaymentOrder(TimeStampedModel):
    """Her order for one payable thing: its lines as they were when she asked, the total, the
    provider that takes the money and its transaction id once paid."""

    number = models.CharField(_("order number"), max_length=32, unique=True)
    woman = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32)
    ref = models.CharField(max_length=64)
    title = models.CharField(_("what for"), max_length=200)
    lines = models.JSONField(default=list)
    amount_fen = models.PositiveIntegerField(_("amount (fen)"))
    status = models.CharField(max_length=16, choices=OrderStatus.choices, default="pending")
    provider = models.CharField(max_length=32)
    provider_ref = models.CharField(max_length=256, blank=True)
    provider_transaction = models.CharField(max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=64, blank=True)
    expires_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "ref"],
                condition=Q(status__in=["pending", "paid", "refunding"]),
                name="billing_order_one_live_per_thing",
            ),
            models.UniqueConstraint(
                fields=["woman", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="billing_order_idempotent",
            ),
            models.CheckConstraint(
                name="billing_order_amount_positive", condition=Q(amount_fen__gt=0)
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["woman", "-created_at"]),
            models.Index(fields=["paid_at"]),
        ]

    def __str__(self) -> str:
        return self.number


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("Refund requested")
    SUCCEEDED = "succeeded", _("Refunded")
    FAILED = "failed", _("Refund failed")


class RefundReason(models.TextChoices):
    CANCELLED = "cancelled", _("Order cancelled after payment")
    RETURNED = "returned", _("Returned after payment")
    NOT_PAYABLE = "not_payable", _("Paid for something no longer payable")
    PAID_AFTER_CLOSE = "paid_after_close", _("Paid after the order was closed")
    STAFF = "staff", _("Refunded by the hospital")


class Refund(TimeStampedModel):
    """A refund of a paid order, in its own states: requested -> succeeded | failed."""

    number = models.CharField(_("refund number"), max_length=32, unique=True)
    order = models.ForeignKey(PaymentOrder, on_delete=models.PROTECT, related_name="refunds")
    amount_fen = models.PositiveIntegerField(_("amount (fen)"))
    reason = models.CharField(max_length=32, choices=RefundReason.choices)
    status = models.CharField(
        max_length=16, choices=RefundStatus.choices, default=RefundStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    provider_ref = models.CharField(max_length=64, blank=True)
    failure = models.CharField(max_length=200, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            # One refund in flight per order; a failed one may be tried again.
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status__in=["requested", "succeeded"]),
                name="billing_refund_one_per_order",
            ),
            models.CheckConstraint(
                name="billing_refund_amount_positive", condition=Q(amount_fen__gt=0)
            ),
        ]
        indexes = [models.Index(fields=["succeeded_at"])]

    def __str__(self) -> str:
        return self.number


class NotificationOutcome(models.TextChoices):
    APPLIED = "applied", _("Applied")
    DUPLICATE = "duplicate", _("Already applied")
    AMOUNT_MISMATCH = "amount_mismatch", _("Refused: the amount differs")
    REFUNDED = "refunded", _("Paid after closing: refunded")
    FAILED = "failed", _("Payment not made")


class ProviderNotification(PublicIdModel):
    """One verified notification from the payment provider (payment or refund), kept once per
    provider id: a second delivery of the same id finds this row and changes nothing."""

    provider = models.CharField(max_length=32)
    notification_id = models.CharField(max_length=128)
    event = models.CharField(max_length=16)
    order = models.ForeignKey(
        PaymentOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount_fen = models.PositiveIntegerField()
    outcome = models.CharField(max_length=16, choices=NotificationOutcome.choices)
    detail = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "notification_id"], name="billing_notification_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.notification_id}"
