from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from anyun.audit.labels import register as register_audit_labels
from anyun.notify.kinds import register as register_notification_kinds
from anyun.prescribing.links import register as register_after_payment_link


class DeliveryConfig(AppConfig):
    name = "anyun.delivery"
    label = "delivery"
    verbose_name = _("Pick-up and delivery")

    def ready(self) -> None:
        # Models load after the app registry: the receiver's module is imported here.
        from anyun.delivery.services import (
            link_for_her_prescription,
            on_prescription_paid,
            on_prescription_refunded,
        )
        from anyun.prescribing.signals import prescription_paid, prescription_refunded

        register_after_payment_link(link_for_her_prescription)

        prescription_paid.connect(on_prescription_paid, dispatch_uid="delivery.fulfilment_open")
        prescription_refunded.connect(
            on_prescription_refunded, dispatch_uid="delivery.fulfilment_close_refunded"
        )
        register_audit_labels(
            actions={
                "delivery_open": _("Pick-up or delivery opened"),
                "delivery_read": _("Pick-up or delivery viewed"),
                "delivery_address_add": _("Delivery address added"),
                "delivery_address_default": _("Default delivery address chosen"),
                "delivery_address_remove": _("Delivery address removed"),
                "delivery_address_read": _("Delivery addresses viewed"),
                "delivery_address_choose": _("Delivery address chosen"),
                "delivery_queue_read": _("Dispensing queue viewed"),
                "delivery_dispense": _("Medicines dispensed"),
                "delivery_handover": _("Handed to the courier"),
                "delivery_delivered": _("Delivered"),
                "delivery_failed": _("Delivery failed"),
                "delivery_resend": _("Delivery sent again"),
                "delivery_refund": _("Failed delivery refunded"),
                "delivery_late": _("Delivery later than promised"),
            },
            objects={
                "fulfilment": _("Pick-up or delivery"),
                "delivery_address": _("Delivery address"),
                "dispensing_queue": _("Dispensing queue"),
            },
        )
        register_notification_kinds(
            {
                "delivery_opened": _("Pick-up or delivery"),
                "delivery_collected": _("Medicines picked up"),
                "delivery_dispensed": _("Medicines dispensed"),
                "delivery_handed_over": _("Medicines on their way"),
                "delivery_delivered": _("Medicines delivered"),
                "delivery_failed": _("Delivery failed"),
                "delivery_failed_pharmacy": _("A delivery failed"),
                "delivery_refunded": _("Delivery refunded"),
                "delivery_late": _("Your medicines are late"),
                "delivery_late_pharmacy": _("A delivery is late"),
            }
        )
