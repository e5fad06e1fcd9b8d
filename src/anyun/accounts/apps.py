from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anyun.audit.labels import register as register_audit_labels


class AccountsConfig(AppConfig):
    name = "anyun.accounts"
    label = "accounts"

    def ready(self) -> None:
        from anyun.accounts.models import Role  # models load only once the apps are ready

        register_audit_labels(
            actions={
                "login": pgettext_lazy("audit action", "Signed in"),
                "login_failed": _("Sign-in failed"),
                "password_change": _("Password changed"),
                "token_revoke": _("Access token ended"),
                "unlock": _("Account unlocked"),
                "identity_verify": _("Identity checked"),
            },
            objects={
                "user": _("Account"),
                "api_token": _("Access token"),
                "woman": _("Pregnant woman"),
                "woman_profile": _("Her profile"),
            },
            roles=dict(Role.choices),
        )
