"""Versioned consent documents and the signatures on them (ACC-1, POL-7, PIPL separate consent)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from anyun.core.models import PublicIdModel


class DocumentKind(models.TextChoices):
    INTERNET_CARE = "internet_care", _("Informed consent and risk notice for internet care")
    HEALTH_DATA = "health_data", _("Consent to process sensitive health information")
    USER_AGREEMENT = "user_agreement", _("User agreement")
    PRIVACY_NOTICE = "privacy_notice", _("Privacy notice")


# Signed one by one on the consent page before care (ACC-1, PIPL separate consent).
CONSENT_KINDS = (DocumentKind.INTERNET_CARE, DocumentKind.HEALTH_DATA)
# Accepted with one tick before the first sign-in code is sent (PIPL notice and consent).
SIGN_IN_KINDS = (DocumentKind.USER_AGREEMENT, DocumentKind.PRIVACY_NOTICE)


class ConsentDocument(PublicIdModel):
    kind = models.CharField(_("kind"), max_length=32, choices=DocumentKind.choices)
    version = models.PositiveIntegerField(_("version"))
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    body_zh = models.TextField(_("text (Chinese)"))
    body_en = models.TextField(_("text (English)"))
    effective_at = models.DateTimeField(_("effective from"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("kind", "version"), name="consent_kind_version"),
        )
        ordering = ("kind", "-version")
        verbose_name = _("consent document")
        verbose_name_plural = _("consent documents")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"

    @property
    def title(self) -> str:
        return self.title_en if (get_language() or "").startswith("en") else self.title_zh

    @property
    def body(self) -> str:
        return self.body_en if (get_language() or "").startswith("en") else self.body_zh


class ConsentSignature(PublicIdModel):
    """A woman's signature on one document version. Withdrawal keeps the row."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consent_signatures"
    )
    document = models.ForeignKey(ConsentDocument, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("signed at"))
    ip_address = models.GenericIPAddressField(_("from address"), null=True)
    user_agent = models.CharField(_("device"), max_length=256, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("reason for withdrawal"), max_length=500, blank=True)

    class Meta:
        ordering = ("-signed_at",)
        constraints = (
            models.UniqueConstraint(
                fields=("user", "document"),
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_one_active_signature",
            ),
        )
