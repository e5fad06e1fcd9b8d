from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from anyun.audit.labels import register as register_audit_labels
from anyun.billing.registry import register as register_payable
from anyun.notify.kinds import register as register_notification_kinds


class PrescribingConfig(AppConfig):
    name = "anyun.prescribing"
    label = "prescribing"
    verbose_name = _("Prescribing")

    def ready(self) -> None:
        # Models load after the app registry: the payable kind's callbacks are imported here.
        from anyun.prescribing.payable import PRESCRIPTION

        register_payable(PRESCRIPTION)
        register_audit_labels(
            actions={
                "drug_create": _("Formulary entry added"),
                "drug_update": _("Formulary entry changed"),
                "allergy_record": _("Drug allergy recorded"),
                "allergy_end": _("Drug allergy removed"),
                "prescription_create": _("Prescription written"),
                "prescription_update": _("Prescription changed"),
                "prescription_sign": _("Prescription signed"),
                "prescription_sign_refused": _("Prescription signature refused"),
                "prescription_revise": _("Prescription revised"),
                "prescription_read": _("Prescription viewed"),
                "prescription_review": _("Prescription reviewed"),
                "prescription_return_approved": _("Approved prescription returned"),
                "prescription_expire": _("Prescription expired"),
                "review_queue_read": _("Review queue viewed"),
            },
            objects={
                "drug": _("Formulary entry"),
                "allergy": _("Drug allergy"),
                "prescription": _("Prescription"),
                "review_queue": _("Prescription review queue"),
            },
        )
        register_notification_kinds(
            {
                "prescription_to_review": _("Prescription to review"),
                "prescription_approved": _("Prescription approved"),
                "prescription_returned": _("Prescription returned"),
                "prescription_expired": _("Prescription expired"),
            }
        )
