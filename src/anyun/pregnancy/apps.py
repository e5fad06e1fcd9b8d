from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anyun.audit.labels import register as register_audit_labels


class PregnancyConfig(AppConfig):
    name = "anyun.pregnancy"
    label = "pregnancy"

    def ready(self) -> None:
        register_audit_labels(
            objects={
                "pregnancy": _("Pregnancy record"),
                "previous_pregnancy": _("Previous pregnancy"),
                "exam_report": _("Examination report"),
                "pregnancy_diagnosis": _("Diagnosis"),
                "patient_overview": _("Patient overview"),
                "patient_list": pgettext_lazy("audit object", "Patient list"),
            },
        )
