from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from anyun.audit.labels import register as register_audit_labels
from anyun.billing.registry import register as register_payable
from anyun.notify.kinds import register as register_notification_kinds


class BillingConfig(AppConfig):
    name = "anyun.billing"
    label = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        # Registers the production check of the payment settings.
        from anyun.billing import checks  # noqa: F401

        # The consultation fee, billing's own payable kind (its callbacks read models).
        from anyun.billing.consultation_fee import CONSULTATION_FEE

        register_payable(CONSULTATION_FEE)

        register_audit_labels(
            actions={
                "billing_order_create": _("Payment order opened"),
                "billing_order_read": _("Payment order viewed"),
                "billing_pay_start": _("Payment started"),
                "billing_sandbox_confirm": _("Sandbox payment confirmed"),
                "billing_order_paid": _("Payment received"),
                "billing_order_cancel": _("Payment order cancelled"),
                "billing_order_expire": _("Payment order timed out"),
                "billing_amount_mismatch": _("Payment notification refused: amount differs"),
                "billing_refund_request": _("Refund requested"),
                "billing_refund_succeeded": _("Refund made"),
                "billing_refund_failed": _("Refund failed"),
                "billing_reconciliation_read": _("Payment reconciliation viewed"),
            },
            objects={
                "payment_order": _("Payment order"),
                "refund": _("Refund"),
                "reconciliation": _("Payment reconciliation"),
            },
        )
        register_notification_kinds(
            {
                "billing_paid": _("Payment received"),
                "billing_refunded": _("Refund made"),
            }
        )
