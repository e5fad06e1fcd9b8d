from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from anyun.audit.labels import register as register_audit_labels
from anyun.notify.kinds import register as register_notification_kinds


class SchedulingConfig(AppConfig):
    name = "anyun.scheduling"
    label = "scheduling"
    verbose_name = _("Scheduling")

    def ready(self) -> None:
        register_audit_labels(
            actions={
                "schedule_add": _("Online schedule added"),
                "schedule_remove": _("Online schedule removed"),
                "holiday_add": _("Closed day set"),
                "holiday_remove": _("Closed day removed"),
                "leave_add": _("Leave recorded"),
                "leave_remove": _("Leave removed"),
                "queue_policy_set": _("Live-queue times changed"),
                "appointment_book": _("Appointment booked"),
                "appointment_cancel": _("Appointment cancelled"),
                "appointment_reschedule": _("Appointment moved"),
                "appointment_receive": _("Appointment received"),
                "appointment_missed": _("Appointment not attended"),
                "queue_join": _("Joined the live queue"),
                "queue_leave": _("Left the live queue"),
                "queue_accept": _("Live-queue request accepted"),
                "queue_expire": _("Live-queue request expired"),
                "tracing_assign": _("Follow-up assigned"),
                "tracing_attempt": _("Contact attempt recorded"),
                "tracing_close": _("Follow-up closed"),
                "workday_read": _("Day list viewed"),
                "tracing_read": _("Follow-up list viewed"),
            },
            objects={
                "schedule": _("Online schedule"),
                "holiday": _("Closed day"),
                "leave": _("Leave"),
                "queue_policy": _("Live-queue times"),
                "appointment": _("Appointment"),
                "queue_entry": _("Live-queue request"),
                "tracing_case": _("No-show follow-up"),
                "workday": _("Day list"),
            },
        )
        register_notification_kinds(
            {
                "appointment_booked": _("Appointment booked"),
                "appointment_changed": _("Appointment moved"),
                "appointment_cancelled": _("Appointment cancelled"),
                "appointment_reminder": _("Appointment reminder"),
                "appointment_missed": _("Missed appointment"),
                "queue_accepted": _("Live-queue request accepted"),
                "queue_expired": _("Live-queue request expired"),
                "tracing_assigned": _("Missed appointment to follow up"),
            }
        )
