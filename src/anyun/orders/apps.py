from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from anyun.assessment.fact_sources import register as register_risk_facts
from anyun.assessment.task_kinds import register as register_task_kinds
from anyun.audit.labels import register as register_audit_labels
from anyun.billing.registry import register as register_payable
from anyun.notify.kinds import register as register_notification_kinds


class OrdersConfig(AppConfig):
    name = "anyun.orders"
    label = "orders"
    verbose_name = _("Lab and exam orders")

    def ready(self) -> None:
        register_audit_labels(
            actions={
                "lab_order_create": _("Tests ordered"),
                "lab_order_book": _("Test time booked"),
                "lab_order_cancel": _("Lab order cancelled"),
                "lab_order_read": _("Test order viewed"),
                "lab_report_record": _("Lab results recorded"),
                "lab_report_read": _("Lab results viewed"),
                "lab_report_print": _("Lab report downloaded"),
                "lab_list_read": _("Tests and results list viewed"),
            },
            objects={"lab_order": _("Lab or exam order"), "lab_report": _("Lab report")},
        )
        register_notification_kinds(
            {
                "lab_order": _("Tests ordered"),
                "lab_order_cancelled": _("Lab order cancelled"),
                "lab_result": _("Results in"),
                "lab_result_abnormal": _("Abnormal lab result"),
                "lab_result_critical": _("Critical lab result"),
            }
        )
        from anyun.orders.facts import lab_risk_facts
        from anyun.orders.payable import LAB_ORDER

        register_payable(LAB_ORDER)
        register_risk_facts("orders", lab_risk_facts)
        register_task_kinds({"lab_risk_review": _("Review her risk with a lab result")})
