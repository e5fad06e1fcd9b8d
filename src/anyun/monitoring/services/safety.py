"""The mental-health safety pathway (DOMAIN.md sections 6 and 7) and the hospital's crisis lines.

Started by "thoughts of harming herself or the baby" ticked in a check-in or a symptom report,
and by the scales to come (EPDS item 10 > 0, PHQ-9 item 9 > 0): she is shown crisis guidance at
once, her responsible clinician is alerted live and the alert escalates exactly like any urgent
alarm (it is one, with its own rule), and the start is audited.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anyun.accounts.models import Role, User
from anyun.audit.services import audit_record
from anyun.clinical.alarms import Finding
from anyun.clinical.alarms import Grade as ClinicalGrade
from anyun.clinical.red_flags import FlagAction
from anyun.clinical.signs import SignKind, Symptom
from anyun.core.errors import DomainError, NotFound, PermissionDenied
from anyun.core.inputs import parse_uuid, text_within
from anyun.monitoring.models import Alarm, CrisisLine, Reading, ReadingSource
from anyun.monitoring.selectors import crisis_lines_active
from anyun.monitoring.services.alarms import alarm_raise
from anyun.pregnancy.models import Pregnancy
from anyun.staff.selectors import clinician_for

SAFETY_RULE: Final = "safety_pathway"
SAFETY_SOURCE: Final = "AIM Urgent Maternal Warning Signs; 孕产妇心理健康管理专家共识 2019"
NUMBER_PATTERN: Final = re.compile(r"\+?[0-9][0-9 ()-]{1,30}")
NAME_MAX_LENGTH, HOURS_MAX_LENGTH = 100, 100
EMERGENCY_NUMBER: Final = "120"  # the national medical emergency number


class SafetyTrigger(StrEnum):
    """What started the pathway; stored on the alarm and in the audit trail."""

    SELF_HARM_FLAG = "red_flag_self_harm"  # ticked in a check-in or a symptom report
    EPDS_ITEM_10 = "epds_item_10"  # EPDS item 10 > 0
    PHQ9_ITEM_9 = "phq9_item_9"  # PHQ-9 item 9 > 0


@dataclass(frozen=True)
class SafetyPathway:
    """What she is shown at once: the alarm raised, whether someone was alerted, the lines."""

    alarm: Alarm
    lines: list[CrisisLine]

    @property
    def team_alerted(self) -> bool:
        return self.alarm.assigned_to_id is not None


def safety_pathway_start(
    *,
    woman: User,
    trigger: str,
    reading: Reading | None = None,
    actor: User | None = None,
    request: Any = None,
) -> SafetyPathway:
    """Start the pathway for `woman`: one urgent alarm (rule ``safety_pathway``), routed to the
    first of her responder chain and escalated along it while nobody acknowledges it, and an
    audit row; returns the guidance to show her now.

    `reading` is the check-in reading that carried the symptom; without one (a scale) a symptom
    report is stored on her current or latest pregnancy, so the clinician sees it with her
    readings. `actor` (default: she) is who reported it. Runs in one transaction (joining the caller's). Raises DomainError for an unknown
    trigger and when she has no pregnancy record.
    """
    try:
        trigger = SafetyTrigger(trigger)
    except ValueError as exc:
        raise DomainError("trigger_unknown", _("Unknown safety trigger."), field="trigger") from exc
    with transaction.atomic():
        if reading is None:
            reading = _symptom_report(woman=woman)
        alarm = alarm_raise(
            woman=woman,
            reading=reading,
            finding=Finding(
                rule=SAFETY_RULE,
                grade=ClinicalGrade.URGENT,
                sign=SignKind(reading.kind),
                values={"trigger": str(trigger)},
                action=str(FlagAction.SEEK_CARE_NOW),
                source=SAFETY_SOURCE,
                confidence="S",
            ),
        )
        audit_record(
            actor=actor or woman,
            action="safety_pathway_start",
            object_type="alarm",
            object_id=alarm.public_id,
            subject=woman,
            request=request,
            detail={
                "trigger": str(trigger),
                "assigned_to": str(alarm.assigned_to.public_id) if alarm.assigned_to else None,
            },
        )
    return SafetyPathway(alarm=alarm, lines=crisis_lines_active())


def _symptom_report(*, woman: User) -> Reading:
    pregnancy = Pregnancy.objects.filter(woman=woman).order_by("-created_at").first()
    if pregnancy is None:
        raise DomainError("pregnancy_required", _("Open your pregnancy record first."))
    now = timezone.now()
    return Reading.objects.create(
        woman=woman,
        pregnancy=pregnancy,
        kind=SignKind.SYMPTOM_REPORT,
        measured_at=now,
        symptoms=[str(Symptom.SELF_HARM_THOUGHTS)],
        source=ReadingSource.HOME,
        recorded_by=woman,
        batch=uuid.uuid4(),
    )


def crisis_guidance(alarms: Iterable[Alarm]) -> dict[str, Any] | None:
    """What the woman is shown when one of `alarms` is the safety pathway's, else None: the
    active lines (name, number, hours, the digits to dial) and whether someone was alerted.
    The page and the API show the same; with no line configured, only "call 120"."""
    pathway = next((a for a in alarms if a.rule == SAFETY_RULE), None)
    if pathway is None:
        return None
    return crisis_guidance_now(team_alerted=pathway.assigned_to_id is not None)


def crisis_guidance_now(*, team_alerted: bool = False) -> dict[str, Any]:
    """The crisis guidance without a pathway alarm (she could not be recorded): the lines and
    "call 120"; nobody was alerted."""
    return {
        "team_alerted": team_alerted,
        "lines": [
            {
                "name": line.name,
                "number": line.number,
                "hours": line.hours,
                "dial": "".join(c for c in line.number if c.isdigit() or c == "+"),
            }
            for line in crisis_lines_active()
        ],
        "emergency_number": EMERGENCY_NUMBER,
    }


# --- crisis lines ---------------------------------------------------------------------------


def may_edit_crisis_lines(user: User) -> bool:
    """The quality manager, or a clinician who heads a department."""
    if user.role == Role.QUALITY_MANAGER:
        return True
    profile = clinician_for(user) if user.role == Role.CLINICIAN else None
    return bool(profile and profile.is_department_head)


def crisis_line_save(
    *,
    actor: User,
    name: str,
    number: str,
    hours: str = "",
    order: int = 0,
    active: bool = True,
    line_public_id: Any = None,
    request: Any = None,
) -> CrisisLine:
    """Add a crisis line, or change the one `line_public_id` names; audited with the old and
    new values. The number must be dialable (digits, with spaces, hyphens or brackets)."""
    if not may_edit_crisis_lines(actor):
        raise PermissionDenied(
            "not_allowed", _("Only the quality manager or a department head edits crisis lines.")
        )
    name = text_within((name or "").strip(), NAME_MAX_LENGTH, field="name")
    hours = text_within((hours or "").strip(), HOURS_MAX_LENGTH, field="hours")
    number = (number or "").strip()
    if not name:
        raise DomainError("name_required", _("Give the name of the line."), field="name")
    if not NUMBER_PATTERN.fullmatch(number) or sum(c.isdigit() for c in number) < 3:
        raise DomainError(
            "number_invalid",
            _("Give a number she can dial: digits, optionally with spaces or hyphens."),
            field="number",
        )
    if not 0 <= order <= 999:
        raise DomainError("order_invalid", _("The order must be 0 to 999."), field="order")
    values = {"name": name, "number": number, "hours": hours, "order": order, "active": active}
    with transaction.atomic():
        if line_public_id is None:
            line = CrisisLine.objects.create(updated_by=actor, **values)
            before: dict[str, Any] = {}
        else:
            public_id = parse_uuid(line_public_id)
            line_or_none = (
                CrisisLine.objects.select_for_update().filter(public_id=public_id).first()
                if public_id is not None
                else None
            )
            if line_or_none is None:
                raise NotFound()
            line = line_or_none
            before = {key: getattr(line, key) for key in values}
            for key, value in values.items():
                setattr(line, key, value)
            line.updated_by = actor
            line.save()
        audit_record(
            actor=actor,
            action="crisis_line_save",
            object_type="crisis_line",
            object_id=line.public_id,
            request=request,
            detail={"before": before, "after": values},
        )
    return line
