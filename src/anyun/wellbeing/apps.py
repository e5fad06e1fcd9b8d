from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from anyun.assessment.task_kinds import register as register_task_kinds
from anyun.audit.labels import register as register_audit_labels
from anyun.notify.kinds import register as register_notification_kinds
from anyun.wellbeing.policy import scale_policy
from anyun.wellbeing.wording import wording_files_check


class WellbeingConfig(AppConfig):
    name = "anyun.wellbeing"
    label = "wellbeing"
    verbose_name = _("Mental health and self-assessment")

    def ready(self) -> None:
        register_audit_labels(
            actions={
                "screening_submit": _("Mental-health screening completed"),
                "support_record": _("Psychological support recorded"),
                "self_assessment_submit": _("Health self-assessment completed"),
            },
            objects={
                "screening": _("Mental-health screening"),
                "screenings": _("Mental-health screenings"),
                "support_record": _("Psychological support"),
                "self_assessment": _("Health self-assessment"),
            },
        )
        register_notification_kinds(
            {
                "screening_due": _("Mood check due"),
                "screening_repeat": _("Mood check to repeat"),
                "self_check_due": _("Health self-check due"),
            }
        )
        register_task_kinds(
            {
                "mental_health_referral": _("Mental-health referral"),
                "screening_repeat": _("Repeat mental-health screening"),
            }
        )
        # The hospital's cut-offs must be valid: refuse to start otherwise.
        scale_policy()
        if settings.ANYUN_SCALE_WORDING_FILES:
            # The hospital's validated wording must fit its scale: refuse to start otherwise.
            wording_files_check()
