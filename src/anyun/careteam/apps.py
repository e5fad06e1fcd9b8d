from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from anyun.audit.labels import register as register_audit_labels
from anyun.notify.kinds import register as register_notification_kinds


class CareteamConfig(AppConfig):
    name = "anyun.careteam"
    label = "careteam"

    def ready(self) -> None:
        register_audit_labels(
            actions={
                "care_team_assign": _("Added to a care team"),
                "care_team_end": _("Removed from a care team"),
                "care_team_propose": _("Care-team member proposed"),
                "care_team_proposal_approved": _("Care-team proposal approved"),
                "care_team_proposal_declined": _("Care-team proposal declined"),
            },
            objects={
                "care_team_member": _("Care-team member"),
                "care_team_proposal": _("Care-team proposal"),
            },
        )
        register_notification_kinds(
            {
                "care_team": _("Care team"),
            }
        )
