from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from anyun.notify.kinds import register as register_notification_kinds


class StaffConfig(AppConfig):
    name = "anyun.staff"
    label = "staff"

    def ready(self) -> None:
        register_notification_kinds({"credential_expiry": _("Licence or credential expiring")})
