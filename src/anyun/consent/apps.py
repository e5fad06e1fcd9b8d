from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from anyun.accounts.consent_hooks import ConsentHooks
from anyun.accounts.consent_hooks import register as register_consent_hooks
from anyun.audit.labels import register as register_audit_labels


class ConsentConfig(AppConfig):
    name = "anyun.consent"
    label = "consent"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from anyun.consent.services import (
            consent_missing_for,
            consent_versions_changed,
            sign_in_terms,
            signatures_of,
        )

        def changed(sender: Any, **kwargs: Any) -> None:
            # Also the historical model of a data migration (same label, another class).
            if sender._meta.label == "consent.ConsentDocument":
                consent_versions_changed()

        post_save.connect(changed, weak=False, dispatch_uid="consent-versions-save")
        post_delete.connect(changed, weak=False, dispatch_uid="consent-versions-delete")
        register_consent_hooks(
            ConsentHooks(
                sign_in_terms=sign_in_terms,
                missing_for=consent_missing_for,
                signatures_of=signatures_of,
            )
        )
        register_audit_labels(
            actions={
                "consent_sign": _("Consent given"),
                "consent_withdraw": _("Consent withdrawn"),
            },
            objects={
                "consent_document": _("Consent document"),
                "consent_signature": _("Consent"),
            },
        )
