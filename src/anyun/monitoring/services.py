"""Home-monitoring use cases: record readings, raise and route alarms, handle and escalate them,
set the woman's instructions and remind her. Medical decisions come from `anyun.clinical`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from anyun.accounts.models import CLINICAL_ROLES, Role, User
from anyun.audit.services import audit_record
from anyun.careteam.models import AccessSource
from anyun.clinical import alarms as rules
from anyun.clinical import red_flags, signs
from anyun.clinical.alarm_thresholds import (
    DEFAULT_THRESHOLDS,
    THRESHOLD_SOURCES,
    Thresholds,
    threshold_value,
)
from anyun.clinical.dating import PREGNANCY_LENGTH_DAYS, GestationalAge
from anyun.clinical.errors import ClinicalValueError
from anyun.core.errors import DomainError, NotFound, PermissionDenied
from anyun.core.inputs import parse_uuid, text_within
from anyun.core.messages import clinical_message
from anyun.monitoring.messages import implausible_message
from anyun.monitoring.models import (
    GRADE_RANK,
    Alarm,
    AlarmEvent,
    AlarmEventKind,
    AlarmOutcome,
    AlarmStatus,
    Grade,
    MonitoringPlan,
    Reading,
    ReadingSource,
    ThresholdOverride,
)
from anyun.monitoring.selectors import thresholds_current
from anyun.pregnancy.models import Pregnancy

FUTURE_TOLERANCE = dt.timedelta(minutes=5)
NOTE_MAX_LENGTH = 500  # a reading's or an instruction's note
OUTCOME_NOTE_MAX_LENGTH = 1000
ROUTED_GRADES = frozenset({Grade.ATTENTION, Grade.URGENT})


@dataclass
class ReadingInput:
    """One reading as entered; `measured_at` defaults to now."""

    kind: str
    measured_at: dt.datetime | None = None
    systolic: int | None = None
    diastolic: int | None = None
    pulse: int | None = None
    value: Decimal | float | None = None
    glucose_context: str = ""
    movement_period: str = ""
    symptoms: list[str] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class ConfirmItem:
    index: int
    field: str
    code: str
    message: str


class ConfirmationRequired(DomainError):
    """Possible but unlikely values: nothing was stored; resubmit with confirm=True."""

    status = 409

    def __init__(self, items: list[ConfirmItem]) -> None:
        super().__init__(
            "confirm_implausible",
            _("Some values are unusual. Check them and confirm if they are right."),
            field=f"items.{items[0].index}.{items[0].field}" if items else None,
        )
        self.items = items
        self.details = [
            {"index": i.index, "field": i.field, "code": i.code, "message": i.message}
            for i in items
        ]


@dataclass(frozen=True)
class RecordResult:
    readings: list[Reading]
    alarms: list[Alarm]
    replayed: bool = False

    @property
    def highest_grade(self) -> str | None:
        if not self.alarms:
            return None
        return max(self.alarms, key=lambda a: a.grade_rank).grade


# --- thresholds ----------------------------------------------------------------------------


def threshold_set(
    *, actor: User, name: str, value: Decimal, reason: str, request: Any = None
) -> ThresholdOverride:
    """Change a configurable threshold (audited); the clinical defaults stay in code.

    The value is checked before it is stored: a finite number, whole where the threshold
    counts, inside the threshold's safe range and in order with the other thresholds.
    """
    if actor.role not in {Role.QUALITY_MANAGER, Role.SYSTEM_ADMIN}:
        raise PermissionDenied("not_allowed", _("Only quality managers change alarm thresholds."))
    default = getattr(DEFAULT_THRESHOLDS, name, None)
    if isinstance(default, bool) or not isinstance(default, int | float):
        raise DomainError("threshold_unknown", _("There is no such threshold."), field="name")
    if THRESHOLD_SOURCES.get(name, ("", "P"))[1] == "V":
        # DOMAIN.md: only [S] and [P] values are hospital-configurable.
        raise DomainError(
            "threshold_fixed",
            _("This threshold comes from a verified source and is fixed."),
            field="name",
        )
    if not reason.strip():
        raise DomainError("reason_required", _("Give the reason for the change."), field="reason")
    try:
        typed = threshold_value(name, value)
        dataclasses.replace(thresholds_current(), **{name: typed})  # type: ignore[arg-type]
    except ClinicalValueError as exc:
        raise DomainError(exc.code, clinical_message(exc), field="value") from exc
    value = Decimal(str(typed))
    with transaction.atomic():
        row, _created = ThresholdOverride.objects.update_or_create(
            name=name, defaults={"value": value, "reason": reason.strip(), "changed_by": actor}
        )
        audit_record(
            actor=actor,
            action="threshold_set",
            object_type="alarm_threshold",
            object_id=name,
            detail={"value": str(value), "default": str(default), "reason": reason.strip()},
            request=request,
        )
    return row


# --- readings ------------------------------------------------------------------------------


def reading_for_rules(r: Reading) -> signs.Reading:
    """A stored reading as the pure rules in `anyun.clinical` read it."""
    return signs.Reading(
        kind=signs.SignKind(r.kind),
        measured_at=r.measured_at,
        systolic=r.systolic,
        diastolic=r.diastolic,
        pulse=r.pulse,
        value=float(r.value) if r.value is not None else None,
        glucose_context=signs.GlucoseContext(r.glucose_context) if r.glucose_context else None,
        movement_period=signs.MovementPeriod(r.movement_period) if r.movement_period else None,
        symptoms=frozenset(r.symptoms or ()),
    )


def _input_to_clinical(item: ReadingInput, measured_at: dt.datetime) -> signs.Reading:
    try:
        kind = signs.SignKind(item.kind)
    except ValueError as exc:
        raise DomainError("sign_unknown", _("Choose what you measured."), field="kind") from exc
    try:
        context = signs.GlucoseContext(item.glucose_context) if item.glucose_context else None
        period = signs.MovementPeriod(item.movement_period) if item.movement_period else None
    except ValueError as exc:
        raise DomainError(
            "choice_invalid", _("Choose one of the listed options."), field="kind"
        ) from exc
    unknown = set(item.symptoms) - signs.SYMPTOMS
    if unknown:
        raise DomainError("symptom_unknown", _("Choose symptoms from the list."), field="symptoms")
    return signs.Reading(
        kind=kind,
        measured_at=measured_at,
        systolic=item.systolic,
        diastolic=item.diastolic,
        pulse=item.pulse,
        value=float(item.value) if item.value is not None else None,
        glucose_context=context,
        movement_period=period,
        symptoms=frozenset(item.symptoms),
    )


def _ga_days_on(pregnancy: Pregnancy, moment: dt.datetime) -> int | None:
    days = PREGNANCY_LENGTH_DAYS - (pregnancy.edd - timezone.localdate(moment)).days
    return days if days >= 0 else None


def _require_recorder(*, actor: User, woman: User, source: str) -> None:
    from anyun.careteam.selectors import can_see_woman

    if source == ReadingSource.HOME:
        if actor.pk != woman.pk:
            raise PermissionDenied("not_allowed", _("Home readings are recorded by the woman."))
    elif actor.role not in CLINICAL_ROLES or not can_see_woman(actor, woman):
        raise NotFound()
    else:
        from anyun.staff.selectors import require_online_practice

        require_online_practice(actor)


def readings_record(
    *,
    actor: User,
    woman: User,
    items: Sequence[ReadingInput],
    idempotency_key: str = "",
    confirm: bool = False,
    source: str = ReadingSource.HOME,
    request: Any = None,
) -> RecordResult:
    """Store a check-in (one or more readings), grade each, and raise and route alarms.

    Impossible values refuse the whole submission (the field is named); implausible ones
    raise ConfirmationRequired unless `confirm`. The same `idempotency_key` from the same
    woman returns the first result and stores nothing. Alarms of grade attention or urgent
    reach the responsible clinician through the notification outbox in this transaction.
    """
    from anyun.pregnancy.selectors import current_pregnancy_of
    from anyun.pregnancy.services import require_woman_ready

    _require_recorder(actor=actor, woman=woman, source=source)
    require_woman_ready(woman)
    key = (idempotency_key or "").strip()[:80]
    if key:
        replay = _replay(woman=woman, key=key)
        if replay is not None:
            return replay
    if not items:
        raise DomainError("readings_empty", _("Enter at least one value."))
    pregnancy = current_pregnancy_of(woman)
    if pregnancy is None:
        raise DomainError("pregnancy_required", _("Open your pregnancy record first."))
    now = timezone.now()
    checked: list[tuple[ReadingInput, signs.Reading]] = []
    to_confirm: list[ConfirmItem] = []
    for index, item in enumerate(items):
        measured_at = item.measured_at or now
        if timezone.is_naive(measured_at):
            measured_at = timezone.make_aware(measured_at)
        if measured_at > now + FUTURE_TOLERANCE:
            raise DomainError(
                "measured_in_future",
                _("The time of measurement cannot be in the future."),
                field=f"items.{index}.measured_at",
            )
        if _ga_days_on(pregnancy, measured_at) is None:
            raise DomainError(
                "measured_before_pregnancy",
                _("The time of measurement is before this pregnancy began."),
                field=f"items.{index}.measured_at",
            )
        try:
            reading = _input_to_clinical(item, measured_at)
            implausible = signs.check_reading(reading)
        except ClinicalValueError as exc:
            raise DomainError(
                exc.code, clinical_message(exc), field=f"items.{index}.{exc.field or 'value'}"
            ) from exc
        except DomainError as exc:
            exc.field = f"items.{index}.{exc.field}"
            raise
        to_confirm += [
            ConfirmItem(index, i.field, i.code, implausible_message(i)) for i in implausible
        ]
        checked.append((item, reading))
    if to_confirm and not confirm:
        raise ConfirmationRequired(to_confirm)
    try:
        with transaction.atomic():
            return _store_and_grade(
                actor=actor,
                woman=woman,
                pregnancy=pregnancy,
                checked=checked,
                key=key,
                confirmed=bool(to_confirm),
                source=source,
                request=request,
            )
    except IntegrityError:
        # The same submission raced with itself: the first one won.
        replay = _replay(woman=woman, key=key) if key else None
        if replay is None:
            raise
        return replay


def _replay(*, woman: User, key: str) -> RecordResult | None:
    earlier = list(Reading.objects.filter(woman=woman, idempotency_key=key).order_by("position"))
    if not earlier:
        return None
    alarms = list(Alarm.objects.filter(reading__in=earlier).order_by("-grade_rank", "id"))
    return RecordResult(readings=earlier, alarms=alarms, replayed=True)


_HISTORY_FIELDS = (
    "kind",
    "measured_at",
    "systolic",
    "diastolic",
    "pulse",
    "value",
    "glucose_context",
    "movement_period",
    "symptoms",
)


def _history_days(t: Thresholds) -> dict[str, float]:
    """How far back each sign's rules look, from the thresholds in force (+1 day's margin).

    Glucose, fetal heart rate, pulse and temperature are graded on the reading alone.
    """
    return {
        signs.SignKind.BLOOD_PRESSURE: t.bp_confirm_max_gap_days + 1,
        signs.SignKind.FETAL_MOVEMENTS: t.movements_baseline_days + 1,
        signs.SignKind.WEIGHT: t.weight_out_of_range_weeks * 7 + t.weight_week_max_days + 1,
    }


def _history(
    *, woman: User, pregnancy: Pregnancy, kinds: set[str], until: dt.datetime, t: Thresholds
) -> list[signs.Reading]:
    """Only the earlier readings the rules for `kinds` need, read as plain values."""
    windows = _history_days(t)
    wanted = Q()
    for kind in kinds & windows.keys():
        wanted |= Q(kind=kind, measured_at__gte=until - dt.timedelta(days=windows[kind]))
    mine = Reading.objects.filter(woman=woman, pregnancy=pregnancy, measured_at__lte=until)
    rows = list(mine.filter(wanted).values_list(*_HISTORY_FIELDS)) if wanted else []
    if signs.SignKind.FUNDAL_HEIGHT in kinds:
        # Measured every few weeks: the rules compare her last few, whatever their age.
        count = max(t.sfh_low_repeat_count, t.sfh_flat_measurements) + 2
        rows += list(
            mine.filter(kind=signs.SignKind.FUNDAL_HEIGHT)
            .order_by("-measured_at")
            .values_list(*_HISTORY_FIELDS)[:count]
        )
    return [
        signs.Reading(
            kind=signs.SignKind(kind),
            measured_at=measured_at,
            systolic=systolic,
            diastolic=diastolic,
            pulse=pulse,
            value=float(value) if value is not None else None,
            glucose_context=signs.GlucoseContext(context) if context else None,
            movement_period=signs.MovementPeriod(period) if period else None,
            symptoms=frozenset(symptoms or ()),
        )
        for kind, measured_at, systolic, diastolic, pulse, value, context, period, symptoms in rows
    ]


def _store_and_grade(
    *,
    actor: User,
    woman: User,
    pregnancy: Pregnancy,
    checked: list[tuple[ReadingInput, signs.Reading]],
    key: str,
    confirmed: bool,
    source: str,
    request: Any,
) -> RecordResult:
    from anyun.pregnancy.selectors import pregnancy_summary

    batch = uuid.uuid4()
    stored = [
        Reading.objects.create(
            woman=woman,
            pregnancy=pregnancy,
            kind=reading.kind,
            measured_at=reading.measured_at,
            ga_days=_ga_days_on(pregnancy, reading.measured_at),
            systolic=reading.systolic,
            diastolic=reading.diastolic,
            pulse=reading.pulse,
            value=Decimal(str(item.value)) if item.value is not None else None,
            glucose_context=item.glucose_context or "",
            movement_period=item.movement_period or "",
            symptoms=sorted(reading.symptoms),
            note=text_within(item.note, NOTE_MAX_LENGTH, field="note"),
            source=source,
            confirmed_implausible=confirmed,
            recorded_by=actor,
            batch=batch,
            position=position,
            idempotency_key=key,
        )
        for position, (item, reading) in enumerate(checked)
    ]
    summary = pregnancy_summary(pregnancy)
    thresholds = thresholds_current()
    latest = max(r.measured_at for r in stored)
    history = _history(
        woman=woman, pregnancy=pregnancy, kinds={r.kind for r in stored}, until=latest, t=thresholds
    )
    raised: list[Alarm] = []
    for row in stored:
        ga_days = row.ga_days
        findings = rules.evaluate(
            reading_for_rules(row),
            history=history,
            ga=GestationalAge(ga_days) if ga_days is not None else None,
            bmi_category=_bmi_category(summary.bmi_category),
            pre_pregnancy_weight_kg=(
                float(pregnancy.pre_pregnancy_weight_kg)
                if pregnancy.pre_pregnancy_weight_kg
                else None
            ),
            thresholds=thresholds,
        )
        for finding in findings:
            raised.append(_alarm_raise(woman=woman, reading=row, finding=finding))
    # Red-flag symptoms: every symptom of the check-in, graded once, on the first reading
    # that carries one.
    carrier = next((r for r in stored if r.symptoms), None)
    if carrier is not None:
        ticked = {symptom for r in stored for symptom in r.symptoms}
        for finding in red_flags.grade_symptoms(ticked, sign=signs.SignKind(carrier.kind)):
            raised.append(_alarm_raise(woman=woman, reading=carrier, finding=finding))
    audit_record(
        actor=actor,
        action="create",
        object_type="readings",
        object_id=batch,
        subject=woman,
        request=request,
        detail={"kinds": [r.kind for r in stored], "alarms": [a.grade for a in raised]},
    )
    raised.sort(key=lambda a: (-a.grade_rank, a.pk))
    return RecordResult(readings=stored, alarms=raised)


def _bmi_category(value: str | None) -> Any:
    from anyun.clinical.anthropometry import BmiCategory

    return BmiCategory(value) if value else None


# --- alarms --------------------------------------------------------------------------------


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


def _alarm_raise(*, woman: User, reading: Reading, finding: rules.Finding) -> Alarm:
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
    from anyun.careteam.selectors import care_team_of
    from anyun.staff.models import Department
    from anyun.staff.selectors import (
        can_practise_online,
        clinician_for,
        department_heads,
        duty_list,
    )

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
    from anyun.careteam.services import care_access_grant
    from anyun.notify.services import notification_send

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
    with translation.override(_language_of(person)):
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


def _language_of(user: User) -> str:
    return user.preferred_language or settings.LANGUAGE_CODE


def alarm_summary(alarm: Alarm) -> str:
    from anyun.monitoring.messages import rule_label

    return f"{rule_label(alarm.rule)} · {format_values(alarm)}"


def format_values(alarm: Alarm) -> str:
    reading = alarm.reading
    if reading.kind == signs.SignKind.BLOOD_PRESSURE:
        return f"{reading.systolic}/{reading.diastolic} mmHg"
    if reading.kind == signs.SignKind.SYMPTOM_REPORT:
        from anyun.monitoring.forms import SYMPTOM_LABELS

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
    from anyun.careteam.selectors import women_visible_to

    try:
        return Alarm.objects.select_related("reading", "woman", "assigned_to").get(
            public_id=alarm_public_id, woman__in=women_visible_to(user)
        )
    except (Alarm.DoesNotExist, ValueError, DjangoValidationError) as exc:
        raise NotFound() from exc


def _require_handler(actor: User) -> None:
    if actor.role not in CLINICAL_ROLES:
        raise NotFound()
    from anyun.staff.selectors import require_online_practice

    require_online_practice(actor)


def alarm_acknowledge(*, actor: User, alarm_public_id: Any, request: Any = None) -> Alarm:
    """The clinician has seen it: escalation stops. Idempotent."""
    _require_handler(actor)
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
    _require_handler(actor)
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


# --- instructions and reminders (IMP-3b) ---------------------------------------------------


def _parse_times(times: Sequence[str]) -> list[str]:
    parsed = []
    for raw in times:
        try:
            moment = dt.time.fromisoformat(raw.strip())
        except ValueError as exc:
            raise DomainError(
                "time_invalid", _("Give times as HH:MM, e.g. 08:00."), field="times"
            ) from exc
        parsed.append(moment.strftime("%H:%M"))
    if not parsed or len(parsed) > 8:
        raise DomainError("times_count", _("Give one to eight times a day."), field="times")
    return sorted(set(parsed))


def plan_set(
    *,
    actor: User,
    woman: User,
    kind: str,
    times: Sequence[str],
    from_ga_weeks: int = 0,
    until_ga_weeks: int = 42,
    note: str = "",
    request: Any = None,
) -> MonitoringPlan:
    """The clinician tells her what to record and when; replaces her plan for that sign."""
    from anyun.careteam.selectors import can_see_woman
    from anyun.pregnancy.selectors import current_pregnancy_of

    if actor.role not in CLINICAL_ROLES or not can_see_woman(actor, woman):
        raise NotFound()
    _require_handler(actor)
    if kind not in signs.SignKind.__members__.values() and kind not in {
        k.value for k in signs.SignKind
    }:
        raise DomainError("sign_unknown", _("Choose a sign."), field="kind")
    if not 0 <= from_ga_weeks < until_ga_weeks <= 44:
        raise DomainError(
            "weeks_invalid",
            _("The weeks must run forwards within 0 to 44."),
            field="until_ga_weeks",
        )
    pregnancy = current_pregnancy_of(woman)
    if pregnancy is None:
        raise DomainError("pregnancy_required", _("She has no current pregnancy."))
    parsed = _parse_times(times)
    from anyun.pregnancy.services import require_woman_ready

    require_woman_ready(woman)  # withdrawn consent: no new instructions
    with transaction.atomic():
        MonitoringPlan.objects.filter(woman=woman, kind=kind, active=True).update(active=False)
        plan = MonitoringPlan.objects.create(
            woman=woman,
            pregnancy=pregnancy,
            kind=kind,
            times=parsed,
            from_ga_weeks=from_ga_weeks,
            until_ga_weeks=until_ga_weeks,
            note=text_within(note, NOTE_MAX_LENGTH, field="note"),
            set_by=actor,
        )
        audit_record(
            actor=actor,
            action="plan_set",
            object_type="monitoring_plan",
            object_id=plan.public_id,
            subject=woman,
            request=request,
        )
    return plan


def plan_end(*, actor: User, plan_public_id: Any) -> None:
    from anyun.careteam.selectors import women_visible_to

    public_id = parse_uuid(plan_public_id)
    plan = (
        MonitoringPlan.objects.filter(
            public_id=public_id, woman__in=women_visible_to(actor)
        ).first()
        if public_id is not None
        else None
    )
    if plan is None or actor.role not in CLINICAL_ROLES:
        raise NotFound()
    MonitoringPlan.objects.filter(pk=plan.pk).update(active=False)


REMINDER_WINDOW = dt.timedelta(hours=2)


def reminders_send_due(*, now: dt.datetime | None = None) -> int:
    """Sweep: a reminder for each plan time that has come within the last two hours and has
    no reading of that sign since an hour before it. De-duplicated per plan, day and time.

    Set-based: one query for the plans, one for the women's consent, one for the readings
    that answer the due times; then one notification per reminder actually due.
    """
    from anyun.consent.services import women_consented
    from anyun.monitoring.messages import reminder_text
    from anyun.notify.services import notification_send

    now = now or timezone.now()
    local = timezone.localtime(now)
    plans = list(
        MonitoringPlan.objects.filter(active=True, pregnancy__status="current").select_related(
            "pregnancy", "woman"
        )
    )
    due: list[tuple[MonitoringPlan, dt.datetime, str]] = []
    for plan in plans:
        ga = _ga_days_on(plan.pregnancy, now)
        if ga is None or not plan.from_ga_weeks * 7 <= ga < plan.until_ga_weeks * 7:
            continue
        for hhmm in plan.times:
            for day in (local, local - dt.timedelta(days=1)):  # a slot just before midnight
                slot = day.replace(
                    hour=int(hhmm[:2]), minute=int(hhmm[3:]), second=0, microsecond=0
                )
                if slot <= local < slot + REMINDER_WINDOW:
                    due.append((plan, slot, hhmm))
    if not due:
        return 0
    consented = women_consented({plan.woman_id for plan, _s, _t in due})
    answered: dict[tuple[int, str], dt.datetime] = {}
    for woman_id, kind, measured_at in Reading.objects.filter(
        woman_id__in={plan.woman_id for plan, _s, _t in due},
        kind__in={plan.kind for plan, _s, _t in due},
        measured_at__gte=min(slot for _p, slot, _t in due) - dt.timedelta(hours=1),
    ).values_list("woman_id", "kind", "measured_at"):
        key = (woman_id, kind)
        answered[key] = max(answered.get(key, measured_at), measured_at)
    sent = 0
    for plan, slot, hhmm in due:
        last = answered.get((plan.woman_id, plan.kind))
        if plan.woman_id not in consented or (last and last >= slot - dt.timedelta(hours=1)):
            continue
        with transaction.atomic(), translation.override(_language_of(plan.woman)):
            title, body = reminder_text(plan)
            notification_send(
                recipient=plan.woman,
                kind="monitoring_reminder",
                title=title,
                body=body,
                link="/monitoring/record/",
                dedup_key=f"plan:{plan.public_id}:{slot.date()}:{hhmm}",
            )
        sent += 1
    return sent
