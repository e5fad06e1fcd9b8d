from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from anyun.audit.labels import register as register_audit_labels


class AssessmentConfig(AppConfig):
    name = "anyun.assessment"
    label = "assessment"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        register_audit_labels(
            actions={
                "task_open": _("Clinical task opened"),
                "task_close": _("Clinical task closed"),
            },
            objects={"clinical_task": _("Clinical task")},
        )
