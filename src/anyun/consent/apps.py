from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from anyun.audit.labels import register as register_audit_labels


class ConsentConfig(AppConfig):
    name = "anyun.consent"
    label = "consent"

    def ready(self) -> None:
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
