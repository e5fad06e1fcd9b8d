from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from anyun.audit.labels import register as register_audit_labels
from anyun.notify.kinds import register as register_notification_kinds

# The rows readings are graded by: a change to one reloads them in every process.
GRADING_MODELS = frozenset({"monitoring.ThresholdOverride", "monitoring.AlarmPolicySetting"})


class MonitoringConfig(AppConfig):
    name = "anyun.monitoring"
    label = "monitoring"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from anyun.monitoring.selectors import grading_settings_changed

        def changed(sender: Any, **kwargs: Any) -> None:
            if sender._meta.label in GRADING_MODELS:
                grading_settings_changed()

        post_save.connect(changed, weak=False, dispatch_uid="grading-settings-save")
        post_delete.connect(changed, weak=False, dispatch_uid="grading-settings-delete")
        register_audit_labels(
            actions={
                "alarm_acknowledge": _("Alarm acknowledged"),
                "alarm_close": _("Alarm closed"),
                "plan_set": _("Recording instructions set"),
                "threshold_set": _("Alarm threshold change approved"),
                "threshold_change_propose": _("Alarm threshold change proposed"),
                "threshold_change_reject": _("Alarm threshold change rejected"),
                "alarm_policy_set": _("Alarm policy changed"),
                "safety_pathway_start": _("Mental-health safety pathway started"),
                "crisis_line_save": _("Crisis line saved"),
            },
            objects={
                "alarm": _("Alarm"),
                "alarm_threshold": _("Alarm threshold"),
                "alarm_policy": _("Alarm policy"),
                "crisis_line": _("Crisis line"),
                "monitoring_plan": _("Recording instructions"),
                "readings": _("Home readings"),
                "pregnancy_chart": _("Pregnancy chart"),
            },
        )
        register_notification_kinds(
            {
                "alarm": _("Alarm"),
                "alarm_sms": _("Urgent alarm text message"),
                "alarm_update": _("News of her alarm"),
                "monitoring_plan": _("Recording instructions"),
                "monitoring_reminder": _("Recording reminder"),
                "threshold_change": _("Alarm threshold change"),
                "alarm_policy": _("Alarm policy change"),
            }
        )
