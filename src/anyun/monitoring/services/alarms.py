"""Alarms: raise and route to the responder chain, acknowledge, close, escalate when unanswered."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from anyun.accounts.models import CLINICAL_ROLES, Role, User
from anyun.audit.services import audit_record
from anyun.careteam.models import AccessSource
from anyun.careteam.selectors import care_team_of, women_visible_to
from anyun.careteam.services import care_access_grant
from anyun.clinical import alarms as rules
from anyun.clinical import signs
from anyun.core.errors import DomainError, NotFound
from anyun.core.inputs import text_within
from anyun.monitoring.messages import SYMPTOM_LABELS, rule_label
from anyun.monitoring.models import (
    GRADE_RANK,
    Alarm,
    AlarmEvent,
    AlarmEventKind,
    AlarmOutcome,
    AlarmStatus,
    Grade,
    Reading,
)
from anyun.notify.services import notification_send
from anyun.staff.models import Department
from anyun.staff.selectors import (
    can_practise_online,
    clinician_for,
    department_heads,
    duty_list,
    require_online_practice,
)

FUTURE_TOLERANCE = dt.timedelta(minutes=5)
NOTE_MAX_LENGTH = 500  # a reading's or an instruction's note
OUTCOME_NOTE_MAX_LENGTH = 1000
ROUTED_GRADES = frozenset({Grade.ATTENTION, Grade.URGENT})


def _event(
    alarm: Alarm,
    kind: str,
    *,
    actor: User | None = None,
    recipient: User | None = None,
    **detail: Any,
) -> None:
    AlarmEvent.objects.create(
        alarm=alarm, at=timezone.now(), kind=kind, actor=actor, recipient=recipient, detail=detail
    )


def alarm_raise(*, woman: User, reading: Reading, finding: rules.Finding) -> Alarm:
    grade = Grade(finding.grade.value)
    alarm = Alarm.objects.create(
        woman=woman,
        reading=reading,
        rule=finding.rule,
        grade=grade,
        grade_rank=GRADE_RANK[grade],
        sign=finding.sign.value,
        values=finding.values,
        action=finding.action,
        source=finding.source,
        confidence=finding.confidence,
    )
    _event(alarm, AlarmEventKind.RAISED, actor=None)
    if grade in ROUTED_GRADES:
        chain = responder_chain(woman)
        if chain:
            _alarm_assign(alarm, chain[0], escalation=False)
        if grade == Grade.URGENT:
            alarm.escalate_at = timezone.now() + dt.timedelta(
                minutes=settings.ANYUN_ALARM_ESCALATION_MINUTES
            )
            alarm.save(update_fields=["escalate_at"])
    return alarm


def responder_chain(woman: User) -> list[User]:
    """Who answers her alarms, in order: her responsible clinician, the rest of her care team,
    the department's on-duty list, then the department head(s). Only people who may practise
    online are included; nobody twice."""

    team = [m.member for m in care_team_of(woman) if m.member.role == Role.CLINICIAN]
    team += [m.member for m in care_team_of(woman) if m.member.role == Role.NURSE]
    departments = []
    for member in team:
        profile = clinician_for(member)
        if profile and profile.department not in departments:
            departments.append(profile.department)
    if not departments:
        first = Department.objects.order_by("pk").first()
        departments = [first] if first else []
    chain: list[User] = []
    for person in (
        team
        + [p for d in departments for p in duty_list(department=d)]
        + [p for d in departments for p in department_heads(department=d)]
    ):
        if person not in chain and can_practise_online(person):
            chain.append(person)
    return chain


def _alarm_assign(alarm: Alarm, person: User, *, escalation: bool) -> None:
    """Give the alarm to `person`: access to her record, a notification, a live push."""

    alarm.assigned_to = person
    alarm.save(update_fields=["assigned_to"])
    care_access_grant(
        woman=alarm.woman,
        clinician=person,
        reference=f"alarm:{alarm.public_id}",
        until=timezone.now() + dt.timedelta(days=7),
        source=AccessSource.ALARM,
    )
    urgent = alarm.grade == Grade.URGENT
    name = getattr(getattr(alarm.woman, "woman_profile", None), "real_name", "") or str(alarm.woman)
    with translation.override(language_of(person)):
        title = str(_("Urgent alarm") if urgent else _("Alarm to review"))
        body = f"{name}: {alarm_summary(alarm)}"
    notification_send(
        recipient=person,
        kind="alarm",
        title=title,
        body=body,
        link=f"/clinic/alarms/{alarm.public_id}/",
        payload={
            "alarm": str(alarm.public_id),
            "grade": alarm.grade,
            "woman": str(alarm.woman.public_id),
            "escalation": alarm.escalation_level,
        },
        channels=("in_app", "push", "sms") if urgent and person.phone else ("in_app", "push"),
        dedup_key=f"alarm:{alarm.public_id}:{alarm.escalation_level}:{person.pk}",
    )
    _event(
        alarm,
        AlarmEventKind.ESCALATED if escalation else AlarmEventKind.NOTIFIED,
        recipient=person,
        level=alarm.escalation_level,
    )


def language_of(user: User) -> str:
    return user.preferred_language or settings.LANGUAGE_CODE


def alarm_summary(alarm: Alarm) -> str:

    return f"{rule_label(alarm.rule)} · {format_values(alarm)}"


def format_values(alarm: Alarm) -> str:
    reading = alarm.reading
    if reading.kind == signs.SignKind.BLOOD_PRESSURE:
        return f"{reading.systolic}/{reading.diastolic} mmHg"
    if reading.kind == signs.SignKind.SYMPTOM_REPORT:
        return ", ".join(str(SYMPTOM_LABELS.get(s, s)) for s in reading.symptoms)
    units = {
        "glucose": "mmol/L",
        "weight": "kg",
        "fundal_height": "cm",
        "abdominal_circumference": "cm",
        "fetal_heart_rate": "bpm",
        "temperature": "°C",
        "pulse": "bpm",
        "fetal_movements": "",
    }
    value = reading.value.normalize() if reading.value is not None else ""
    return f"{value} {units.get(reading.kind, '')}".strip()


def access_alarm(*, user: User, alarm_public_id: Any) -> Alarm:
    """An alarm of a woman the user may see (her, her team, whoever it was given to)."""

    try:
        return Alarm.objects.select_related("reading", "woman", "assigned_to").get(
            public_id=alarm_public_id, woman__in=women_visible_to(user)
        )
    except (Alarm.DoesNotExist, ValueError, DjangoValidationError) as exc:
        raise NotFound() from exc


def require_handler(actor: User) -> None:
    if actor.role not in CLINICAL_ROLES:
        raise NotFound()

    require_online_practice(actor)


def alarm_acknowledge(*, actor: User, alarm_public_id: Any, request: Any = None) -> Alarm:
    """The clinician has seen it: escalation stops. Idempotent."""
    require_handler(actor)
    alarm = access_alarm(user=actor, alarm_public_id=alarm_public_id)
    with transaction.atomic():
        alarm = Alarm.objects.select_for_update().get(pk=alarm.pk)
        if alarm.status == AlarmStatus.OPEN:
            alarm.status = AlarmStatus.ACKNOWLEDGED
            alarm.acknowledged_by = actor
            alarm.acknowledged_at = timezone.now()
            alarm.escalate_at = None
            alarm.save(
                update_fields=["status", "acknowledged_by", "acknowledged_at", "escalate_at"]
            )
            _event(alarm, AlarmEventKind.ACKNOWLEDGED, actor=actor)
            audit_record(
                actor=actor,
                action="alarm_acknowledge",
                object_type="alarm",
                object_id=alarm.public_id,
                subject=alarm.woman,
                request=request,
            )
    return alarm


def alarm_close(
    *, actor: User, alarm_public_id: Any, outcome: str, note: str = "", request: Any = None
) -> Alarm:
    """Record what was done and close. "No action" needs a reason."""
    require_handler(actor)
    if outcome not in AlarmOutcome.values:
        raise DomainError("outcome_invalid", _("Choose what was done."), field="outcome")
    note = (note or "").strip()
    if outcome == AlarmOutcome.NO_ACTION and not note:
        raise DomainError(
            "reason_required", _("Give the reason for taking no action."), field="note"
        )
    alarm = access_alarm(user=actor, alarm_public_id=alarm_public_id)
    with transaction.atomic():
        alarm = Alarm.objects.select_for_update().get(pk=alarm.pk)
        if alarm.status == AlarmStatus.CLOSED:
            raise DomainError("alarm_closed", _("This alarm is already closed."))
        now = timezone.now()
        if alarm.status == AlarmStatus.OPEN:
            alarm.acknowledged_by, alarm.acknowledged_at = actor, now
            _event(alarm, AlarmEventKind.ACKNOWLEDGED, actor=actor)
        alarm.status = AlarmStatus.CLOSED
        alarm.closed_by, alarm.closed_at = actor, now
        alarm.outcome = outcome
        alarm.outcome_note = text_within(note, OUTCOME_NOTE_MAX_LENGTH, field="note")
        alarm.escalate_at = None
        alarm.save()
        _event(alarm, AlarmEventKind.CLOSED, actor=actor, outcome=outcome)
        audit_record(
            actor=actor,
            action="alarm_close",
            object_type="alarm",
            object_id=alarm.public_id,
            subject=alarm.woman,
            request=request,
            detail={"outcome": outcome},
        )
    return alarm


def alarms_escalate_due(*, now: dt.datetime | None = None) -> int:
    """Sweep: urgent alarms not acknowledged in time go to the next responder.

    Set-based selection of due rows; each is locked (skipping rows another sweep holds),
    so two schedulers never escalate the same alarm twice.
    """
    now = now or timezone.now()
    due = list(
        Alarm.objects.filter(status=AlarmStatus.OPEN, escalate_at__lte=now).values_list(
            "pk", flat=True
        )[:500]
    )
    done = 0
    for pk in due:
        with transaction.atomic():
            alarm = (
                Alarm.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=AlarmStatus.OPEN, escalate_at__lte=now)
                .select_related("woman")
                .first()
            )
            if alarm is None:
                continue
            chain = responder_chain(alarm.woman)
            current = chain.index(alarm.assigned_to) if alarm.assigned_to in chain else -1
            alarm.escalation_level += 1
            if current + 1 < len(chain):
                alarm.escalate_at = now + dt.timedelta(
                    minutes=settings.ANYUN_ALARM_ESCALATION_MINUTES
                )
                alarm.save(update_fields=["escalation_level", "escalate_at"])
                _alarm_assign(alarm, chain[current + 1], escalation=True)
            else:
                # Nobody further up: keep it with the last person and stop the clock.
                alarm.escalate_at = None
                alarm.save(update_fields=["escalation_level", "escalate_at"])
                _event(
                    alarm,
                    AlarmEventKind.ESCALATED,
                    recipient=None,
                    level=alarm.escalation_level,
                    exhausted=True,
                )
            done += 1
    return done
