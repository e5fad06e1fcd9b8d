"""Notifications: the outbox every feature writes to, and one delivery row per channel.

A `Notification` is written in the same transaction as the event that caused it; each of its
`Delivery` rows is worked by the task queue (`anyun.notify.tasks.deliver`) until it is sent
or dead. The in-app channel's "delivery" is the row itself: the inbox reads `Notification`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anyun.core.fields import EncryptedTextField
from anyun.core.models import PublicIdModel


class Notification(PublicIdModel):
    """One message to one person (or to one phone number without an account)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=64)
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    dedup_key = models.CharField(
        _("deduplication key"), max_length=200, unique=True, null=True, blank=True
    )
    # True when the notification has an in-app delivery: only those appear in the inbox.
    in_inbox = models.BooleanField(_("shown in inbox"), default=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ("-created_at", "-id")
        indexes = (
            models.Index(
                fields=("recipient", "-created_at"),
                condition=Q(in_inbox=True),
                name="notify_inbox_idx",
            ),
            models.Index(
                fields=("recipient",),
                condition=Q(in_inbox=True, read_at__isnull=True),
                name="notify_unread_idx",
            ),
        )

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}" if self.title else self.kind

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In-app inbox")
    PUSH = "push", _("Live push")
    SMS = "sms", _("SMS")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    FAILED = "failed", _("Failed, will retry")
    SENT = "sent", _("Sent")
    DEAD = "dead", _("Given up")


# States a delivery can still leave by being attempted.
OPEN_STATES = (DeliveryState.PENDING, DeliveryState.FAILED)


class Delivery(models.Model):
    """One notification through one channel, with its retry state."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When the next attempt may start. While an attempt is in flight it holds a short claim
    # (see services.CLAIM_SECONDS); None once the delivery is sent or dead.
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_reference = models.CharField(_("provider reference"), max_length=128, blank=True)
    phone = EncryptedTextField(_("phone number"), blank=True)
    # The text as this channel sends it (SMS). Blanked after sending when redact_after_send.
    text = EncryptedTextField(_("text"), blank=True)
    redact_after_send = models.BooleanField(_("redact after sending"), default=False)
    # The queue job that will attempt this delivery next (django-tasks result id).
    job_id = models.UUIDField(_("job"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ("-created_at", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=("notification", "channel"), name="notify_delivery_one_per_channel"
            ),
        )
        indexes = (
            models.Index(
                fields=("next_attempt_at",),
                condition=Q(state__in=("pending", "failed")),
                name="notify_delivery_due_idx",
            ),
            models.Index(fields=("state", "channel"), name="notify_delivery_state_idx"),
        )

    def __str__(self) -> str:
        return f"{self.notification_id}/{self.channel}: {self.state}"
