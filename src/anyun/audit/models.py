"""The audit trail: append-only. Triggers in the migration refuse UPDATE and DELETE."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    occurred_at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("who"), max_length=128)
    actor_role = models.CharField(_("role"), max_length=32, blank=True)
    action = models.CharField(_("action"), max_length=32, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object"), max_length=64, blank=True)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The woman whose data was touched."),
    )
    ip_address = models.GenericIPAddressField(_("from address"), null=True)
    user_agent = models.CharField(max_length=256, blank=True)
    path = models.CharField(max_length=256, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    seal = models.CharField(max_length=64, help_text=_("Keyed hash of the row's content."))

    class Meta:
        ordering = ("-occurred_at", "-id")
        indexes = (models.Index(fields=("subject", "occurred_at")),)
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditImmutable("the audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditImmutable("the audit trail is append-only")


class AuditImmutable(Exception):
    """Raised on any attempt to change or remove an audit event."""
