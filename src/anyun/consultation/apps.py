from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from anyun.audit.labels import register as register_audit_labels
from anyun.notify.kinds import register as register_notification_kinds
from anyun.scheduling.signals import request_received


class ConsultationConfig(AppConfig):
    name = "anyun.consultation"
    label = "consultation"
    verbose_name = _("Consultations")

    def ready(self) -> None:
        # Models load after the app registry: the receiver module is imported here.
        from anyun.consultation.signals import on_request_received

        request_received.connect(on_request_received, dispatch_uid="consultation.open")
        register_audit_labels(
            actions={
                "consultation_open": _("Consultation opened"),
                "consultation_read": _("Consultation viewed"),
                "consultation_end": _("Consultation ended"),
                "consultation_refer": _("Referred to in-person care"),
                "pre_consultation_submit": _("Pre-consultation sent"),
                "pre_consultation_read": _("Pre-consultation viewed"),
                "message_post": _("Consultation message sent"),
                "call_start": _("Video call started"),
                "call_end": _("Video call ended"),
                "record_save": _("Consultation record saved"),
                "record_sign": _("Consultation record signed"),
                "record_read": _("Consultation record viewed"),
                "follow_up_book": _("Follow-up booked"),
                "rating_submit": _("Consultation rated"),
            },
            objects={
                "consultation": _("Consultation"),
                "pre_consultation": _("Pre-consultation"),
                "consultation_record": _("Consultation record"),
            },
        )
        register_notification_kinds(
            {
                "consultation_opened": _("Consultation started"),
                "consultation_ended": _("Consultation ended"),
                "consultation_referred": _("Referred to in-person care"),
                "consultation_record": _("Consultation record ready"),
                "record_due_soon": _("Consultation record due soon"),
                "record_overdue": _("Consultation record overdue"),
            }
        )
