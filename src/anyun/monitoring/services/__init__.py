"""Home-monitoring use cases, one module per use case; the public names are re-exported here.

- :mod:`.readings`: record a check-in, grade it, raise its alarms;
- :mod:`.alarms`: raise alarms, route them to the responder chain (the queue worker's job),
  acknowledge, close, escalate;
- :mod:`.plans`: the woman's instructions and their reminders;
- :mod:`.safety`: the mental-health safety pathway and the hospital's crisis lines;
- :mod:`.thresholds`: a hospital's alarm thresholds.

Medical decisions come from `anyun.clinical`.
"""

from anyun.monitoring.services.alarms import (
    access_alarm,
    alarm_acknowledge,
    alarm_close,
    alarm_delivery,
    alarm_raise,
    alarm_routed,
    alarm_summary,
    alarms_escalate_due,
    alarms_route,
    alarms_route_stale,
    format_values,
    may_close_normal_on_repeat,
    responder_chain,
)
from anyun.monitoring.services.plans import plan_end, plan_set, reminders_send_due
from anyun.monitoring.services.readings import (
    ConfirmationRequired,
    ConfirmItem,
    ReadingInput,
    RecordResult,
    reading_for_rules,
    readings_record,
)
from anyun.monitoring.services.safety import (
    SafetyPathway,
    SafetyTrigger,
    crisis_guidance,
    crisis_guidance_now,
    crisis_line_save,
    may_edit_crisis_lines,
    safety_pathway_start,
)
from anyun.monitoring.services.thresholds import (
    alarm_policy_set,
    threshold_change_decide,
    threshold_change_propose,
)

__all__ = [
    "ConfirmItem",
    "ConfirmationRequired",
    "ReadingInput",
    "RecordResult",
    "SafetyPathway",
    "SafetyTrigger",
    "access_alarm",
    "alarm_acknowledge",
    "alarm_policy_set",
    "alarm_close",
    "alarm_raise",
    "alarm_delivery",
    "alarm_routed",
    "alarm_summary",
    "alarms_escalate_due",
    "alarms_route",
    "alarms_route_stale",
    "crisis_guidance",
    "crisis_guidance_now",
    "crisis_line_save",
    "format_values",
    "may_close_normal_on_repeat",
    "may_edit_crisis_lines",
    "plan_end",
    "plan_set",
    "reading_for_rules",
    "readings_record",
    "reminders_send_due",
    "responder_chain",
    "safety_pathway_start",
    "threshold_change_decide",
    "threshold_change_propose",
]
