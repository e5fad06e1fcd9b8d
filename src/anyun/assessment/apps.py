from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from anyun.audit.labels import register as register_audit_labels
from anyun.monitoring.name_badges import register as register_name_badges
from anyun.notify.kinds import register as register_notification_kinds


class AssessmentConfig(AppConfig):
    name = "anyun.assessment"
    label = "assessment"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from anyun.assessment import receivers, task_kinds
        from anyun.assessment.selectors import risk_badges

        register_name_badges(risk_badges)
        register_audit_labels(
            actions={
                "task_open": _("Clinical task opened"),
                "task_close": _("Clinical task closed"),
                "risk_grade": _("Risk graded"),
                "risk_read": _("Risk grading read"),
                "risk_policy_set": _("Risk policy changed"),
                "risk_case_open": _("High-risk case opened"),
                "risk_case_update": _("High-risk case plan changed"),
                "risk_case_review": _("High-risk case reviewed"),
                "risk_case_close": _("High-risk case closed"),
                "risk_report_due": _("District report due"),
                "risk_report_submit": _("District report sent"),
                "risk_report_print": _("District report printed"),
                "risk_report_export": _("District reports exported"),
                "suitability_decide": _("Online-care suitability decided"),
                "suitability_read": _("Online-care suitability read"),
                "eligibility_evidence_submit": _("In-person record uploaded"),
                "eligibility_evidence_review": _("In-person record reviewed"),
                "eligibility_evidence_read": _("In-person record read"),
            },
            objects={
                "clinical_task": _("Clinical task"),
                "risk_grading": _("Risk grading"),
                "risk_policy": _("Risk policy"),
                "high_risk_case": _("High-risk case"),
                "district_report": _("District report"),
                "suitability_decision": _("Online-care suitability"),
                "eligibility_evidence": _("In-person record for online follow-up"),
            },
        )
        task_kinds.register(
            {
                "risk_in_person_referral": _("Refer her to in-person care"),
                "risk_regrade": _("Regrade her pregnancy risk"),
                "risk_case_review": _("Write her high-risk case plans"),
            }
        )
        register_notification_kinds(
            {"eligibility_evidence_reviewed": _("In-person record reviewed")}
        )
        receivers.connect()
