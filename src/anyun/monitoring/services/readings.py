"""Recording readings (FA-3): check, store once per idempotency key, grade, raise alarms."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anyun.accounts.models import CLINICAL_ROLES, User
from anyun.audit.services import audit_record
from anyun.careteam.selectors import can_see_woman
from anyun.clinical import alarms as rules
from anyun.clinical import red_flags, signs
from anyun.clinical.alarm_thresholds import AlarmPolicy, Thresholds
from anyun.clinical.anthropometry import BmiCategory
from anyun.clinical.dating import PREGNANCY_LENGTH_DAYS, GestationalAge
from anyun.clinical.errors import ClinicalValueError
from anyun.core.errors import DomainError, NotFound, PermissionDenied
from anyun.core.inputs import idempotency_key_clean, text_within
from anyun.core.messages import clinical_message
from anyun.core.prepared import PreparedInsert, PreparedRead, PreparedReads
from anyun.monitoring.messages import implausible_message
from anyun.monitoring.models import (
    GRADE_RANK,
    Alarm,
    AlarmConfirmation,
    AlarmStatus,
    Grade,
    Reading,
    ReadingSource,
)
from anyun.monitoring.selectors import (
    POSTPARTUM_KINDS,
    grading_settings,
    monitored_pregnancy_of,
    reading_for_rules,
)
from anyun.monitoring.services.alarms import (
    alarm_add_findings,
    alarm_confirm_on_repeat,
    alarm_normal_on_repeat,
    alarms_raise_grouped,
    alarms_route_soon,
)
from anyun.monitoring.services.safety import SafetyTrigger, safety_pathway_start
from anyun.pregnancy.models import Pregnancy, PregnancyStatus
from anyun.pregnancy.selectors import WomanGate, pregnancy_summary, woman_gate
from anyun.staff.selectors import (
    require_online_practice,
)

IDEMPOTENCY_KEY_MAX_LENGTH = 80  # Reading.idempotency_key

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
        """The gravest grade this check-in gives her; an earlier alarm it found normal on
        repeat does not count."""
        current = [a for a in self.alarms if not normal_on_repeat_of(a, self.readings)]
        if not current:
            return None
        return max(current, key=lambda a: a.grade_rank).grade


def normal_on_repeat_of(alarm: Alarm, readings: list[Reading]) -> bool:
    """Whether `alarm` is an earlier one that a reading of `readings` found normal on repeat."""
    ids = {r.pk for r in readings}
    return (
        alarm.confirmation == AlarmConfirmation.NORMAL_ON_REPEAT
        and alarm.repeat_reading_id in ids
        and alarm.reading_id not in ids
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


def ga_days_on(
    pregnancy: Pregnancy, moment: dt.datetime, tz: dt.tzinfo | None = None
) -> int | None:
    """Days of gestation on the local date of `moment`; None before the pregnancy began.
    `tz`: the current time zone, read once by a caller that asks for many moments."""
    days = PREGNANCY_LENGTH_DAYS - (pregnancy.edd - timezone.localdate(moment, tz)).days
    return days if days >= 0 else None


def _require_recorder(*, actor: User, woman: User, source: str) -> None:

    if source == ReadingSource.HOME:
        if actor.pk != woman.pk:
            raise PermissionDenied("not_allowed", _("Home readings are recorded by the woman."))
    elif actor.role not in CLINICAL_ROLES or not can_see_woman(actor, woman):
        raise NotFound()
    else:
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
    gate: WomanGate | None = None,
) -> RecordResult:
    """Store a check-in (one or more readings), grade each, and raise alarms.

    Impossible values refuse the whole submission (the field is named); implausible ones
    raise ConfirmationRequired unless `confirm`. The same `idempotency_key` from the same
    woman returns the first result and stores nothing (the insert finds it: the key is
    unique). Alarms of grade attention or urgent are routed to her responder chain by one
    queue job written in this transaction (`alarms_route`). `gate`: her readiness and
    current pregnancy if the caller has read them already (`woman_gate_by_token`).
    """

    _require_recorder(actor=actor, woman=woman, source=source)
    if gate is None or gate.user.pk != woman.pk:
        gate = woman_gate(woman)
    raw_key = (idempotency_key or "").strip()
    # An over-long key is refused below, like a bad value: its red flags are still raised.
    key = raw_key if len(raw_key) <= IDEMPOTENCY_KEY_MAX_LENGTH else ""
    try:
        gate.require_ready()
    except PermissionDenied as exc:
        # Consent rules hold (nothing else is stored), but thoughts of self-harm still start
        # the safety pathway and she is shown the crisis guidance.
        exc.reported = _report_flags_alone(  # type: ignore[attr-defined]
            actor=actor,
            woman=woman,
            pregnancy=gate.pregnancy,
            items=items,
            key=key,
            source=source,
            request=request,
            only=red_flags.SAFETY_PATHWAY_SYMPTOMS,
        )
        raise
    try:
        idempotency_key_clean(raw_key, IDEMPOTENCY_KEY_MAX_LENGTH)
        pregnancy, checked, confirmed = _checked(
            woman=woman, gate=gate, items=items, confirm=confirm
        )
    except DomainError as exc:
        # A repeat of a submission already stored returns it, whatever changed since.
        replay = _replay(woman=woman, key=key) if key else None
        if replay is None:
            # A refused or unconfirmed check-in still reports the red flags she ticked, at once.
            exc.reported = _report_flags_alone(  # type: ignore[attr-defined]
                actor=actor,
                woman=woman,
                pregnancy=gate.pregnancy,
                items=items,
                key=key,
                source=source,
                request=request,
            )
            raise
        return replay
    reported = _reported_flags(woman=woman, key=key, items=items)
    try:
        with transaction.atomic():
            return _store_and_grade(
                actor=actor,
                woman=woman,
                pregnancy=pregnancy,
                checked=checked,
                key=key,
                confirmed=confirmed,
                source=source,
                request=request,
                already_reported=reported,
                diabetes=gate.diabetes,
            )
    except IntegrityError:
        # Stored before under this key (a repeat, or the same submission racing with
        # itself): the first one won.
        replay = _replay(woman=woman, key=key) if key else None
        if replay is None:
            raise
        return replay


def _checked(
    *, woman: User, gate: WomanGate, items: Sequence[ReadingInput], confirm: bool
) -> tuple[Pregnancy, list[tuple[ReadingInput, signs.Reading]], bool]:
    """Her pregnancy and the readings checked, or DomainError (ConfirmationRequired)."""
    if not items:
        raise DomainError("readings_empty", _("Enter at least one value."))
    if len(items) > settings.ANYUN_CHECKIN_MAX_READINGS:
        raise DomainError(
            "readings_too_many",
            _("Send at most %(max)s readings at once.")
            % {"max": settings.ANYUN_CHECKIN_MAX_READINGS},
            field="items",
        )
    pregnancy = gate.pregnancy or monitored_pregnancy_of(woman)
    if pregnancy is None:
        raise DomainError("pregnancy_required", _("Open your pregnancy record first."))
    if pregnancy.status != PregnancyStatus.CURRENT:
        for index, item in enumerate(items):
            if item.kind not in POSTPARTUM_KINDS:
                raise DomainError(
                    "sign_not_after_birth",
                    _(
                        "After the birth, record your symptoms, blood pressure, temperature or pulse."
                    ),
                    field=f"items.{index}.kind",
                )
    now = timezone.now()
    tz = timezone.get_current_timezone()
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
        if ga_days_on(pregnancy, measured_at, tz) is None:
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
    return pregnancy, checked, bool(to_confirm)


FLAGS_KEY_SUFFIX = "#red-flags"


def _flags_key(key: str) -> str:
    """The key of the symptom-only report a refused check-in's red flags were stored under."""
    return f"{key[: 80 - len(FLAGS_KEY_SUFFIX)]}{FLAGS_KEY_SUFFIX}" if key else ""


def _reported_flags(*, woman: User, key: str, items: Sequence[ReadingInput]) -> frozenset[str]:
    """The symptoms already reported alone when this key's check-in was refused (a later
    confirmed resubmission stores them again but does not raise them a second time)."""
    if not key or not any(_is_flag(s) for item in items for s in item.symptoms):
        return frozenset()  # nothing could have been reported: no statement
    rows = Reading.objects.filter(woman=woman, idempotency_key=_flags_key(key))
    return frozenset(s for symptoms in rows.values_list("symptoms", flat=True) for s in symptoms)


def _is_flag(symptom: str) -> bool:
    flag = red_flags.flag_of(symptom)
    return flag is not None and (flag.grade is not None or flag.safety_pathway)


def _report_flags_alone(
    *,
    actor: User,
    woman: User,
    pregnancy: Pregnancy | None,
    items: Sequence[ReadingInput],
    key: str,
    source: str,
    request: Any,
    only: frozenset[str] | None = None,
) -> RecordResult | None:
    """When a check-in is refused or must be confirmed: the red flags ticked in it (of `only`,
    if given) stored at once as one symptom-only report, graded and routed as usual; stored
    once per key (a repeat returns the first). None if she ticked no red flag or has no
    pregnancy record."""
    ticked = {s for item in items for s in item.symptoms}
    if ticked - signs.SYMPTOMS or not any(_is_flag(s) for s in ticked):
        return None
    if only is not None:
        ticked &= only
        if not ticked:
            return None
    pregnancy = (
        pregnancy
        or monitored_pregnancy_of(woman)
        or Pregnancy.objects.filter(woman=woman).order_by("-created_at").first()
    )
    if pregnancy is None:
        return None
    flags_key = _flags_key(key)
    now = timezone.now()
    reading = signs.Reading(
        kind=signs.SignKind.SYMPTOM_REPORT, measured_at=now, symptoms=frozenset(ticked)
    )
    item = ReadingInput(
        kind=signs.SignKind.SYMPTOM_REPORT, measured_at=now, symptoms=sorted(ticked)
    )
    try:
        with transaction.atomic():
            return _store_and_grade(
                actor=actor,
                woman=woman,
                pregnancy=pregnancy,
                checked=[(item, reading)],
                key=flags_key,
                confirmed=False,
                source=source,
                request=request,
            )
    except IntegrityError:
        return _replay(woman=woman, key=flags_key)


def _replay(*, woman: User, key: str) -> RecordResult | None:
    earlier = list(Reading.objects.filter(woman=woman, idempotency_key=key).order_by("position"))
    if not earlier:
        return None
    alarms = list(
        Alarm.objects.filter(Q(reading__in=earlier) | Q(repeat_reading__in=earlier))
        .distinct()
        .order_by("-grade_rank", "id")
    )
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


# A check-in's history is read on every submission: its SQL is compiled once per shape (the
# kinds with a window and the high BP thresholds; the number of fundal heights;
# `anyun.core.prepared`) and run again with her ids and the window's moments. Building it anew
# each time cost more CPU than the database spent answering it.
HistoryShape = tuple[tuple[str, ...], tuple[Any, Any]]


def _windowed_history(shape: HistoryShape) -> Any:
    kinds, (systolic_high, diastolic_high) = shape

    def build(woman_id: int, pregnancy_id: int, until: dt.datetime, *starts: Any) -> Any:
        wanted = Q()
        for kind, start in zip(kinds, starts, strict=True):
            window = Q(kind=kind, measured_at__gte=start)
            if kind == signs.SignKind.BLOOD_PRESSURE:
                window &= Q(systolic__gte=systolic_high) | Q(diastolic__gte=diastolic_high)
            wanted |= window
        return (
            Reading.objects.filter(
                woman_id=woman_id, pregnancy_id=pregnancy_id, measured_at__lte=until
            )
            .filter(wanted)
            .values_list(*_HISTORY_FIELDS)
        )

    return build


def _last_fundal_heights(count: int) -> Any:
    def build(woman_id: int, pregnancy_id: int, until: dt.datetime) -> Any:
        return (
            Reading.objects.filter(
                woman_id=woman_id,
                pregnancy_id=pregnancy_id,
                measured_at__lte=until,
                kind=signs.SignKind.FUNDAL_HEIGHT,
            )
            .order_by("-measured_at")
            .values_list(*_HISTORY_FIELDS)[:count]
        )

    return build


_HISTORY_READS: PreparedReads[HistoryShape, Any] = PreparedReads(_windowed_history, most=64)
_FUNDAL_HEIGHT_READS: PreparedReads[int, Any] = PreparedReads(_last_fundal_heights)


def _history(
    *, woman: User, pregnancy: Pregnancy, kinds: set[str], until: dt.datetime, t: Thresholds
) -> list[signs.Reading]:
    """Only the earlier readings the rules for `kinds` need, read as plain values.

    Of blood pressures only the high ones (`rules.bp_is_high`): the BP rules look at no other
    earlier reading (a confirming high, the count of earlier highs), and a woman who checks
    often would otherwise have each check-in read back a week of normal ones."""
    windows = _history_days(t)
    windowed = tuple(sorted(kinds & windows.keys()))
    rows: list[tuple[Any, ...]] = []
    if windowed:
        starts = [until - dt.timedelta(days=windows[kind]) for kind in windowed]
        read = _HISTORY_READS[windowed, (t.bp_systolic_high, t.bp_diastolic_high)]
        rows += read.rows(woman.pk, pregnancy.pk, until, *starts)
    if signs.SignKind.FUNDAL_HEIGHT in kinds:
        # Measured every few weeks: the rules compare her last few, whatever their age.
        count = max(t.sfh_low_repeat_count, t.sfh_flat_measurements) + 2
        rows += _FUNDAL_HEIGHT_READS[count].rows(woman.pk, pregnancy.pk, until)
    return _history_values(rows)


_SIGN_KINDS = {kind.value: kind for kind in signs.SignKind}
_GLUCOSE_CONTEXTS = {context.value: context for context in signs.GlucoseContext}
_MOVEMENT_PERIODS = {period.value: period for period in signs.MovementPeriod}
_NO_SYMPTOMS: frozenset[str] = frozenset()


def _history_values(rows: list[tuple[Any, ...]]) -> list[signs.Reading]:
    """History rows (`_HISTORY_FIELDS`) as the rules' plain readings (the enums by a table
    look-up: a check-in reads back hundreds of rows)."""
    return [
        signs.Reading(
            kind=_SIGN_KINDS[kind],
            measured_at=measured_at,
            systolic=systolic,
            diastolic=diastolic,
            pulse=pulse,
            value=float(value) if value is not None else None,
            glucose_context=_GLUCOSE_CONTEXTS[context] if context else None,
            movement_period=_MOVEMENT_PERIODS[period] if period else None,
            symptoms=frozenset(symptoms) if symptoms else _NO_SYMPTOMS,
        )
        for kind, measured_at, systolic, diastolic, pulse, value, context, period, symptoms in rows
    ]


# A check-in's readings in one INSERT, its SQL built once (`anyun.core.prepared`).
_READINGS_INSERT: PreparedInsert[Reading] = PreparedInsert(Reading)


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
    already_reported: frozenset[str] = frozenset(),
    diabetes: bool = False,
) -> RecordResult:
    """`already_reported`: red flags of this check-in raised already (when it was refused
    or awaited confirmation): stored with it, not raised again. `diabetes`: her pregnancy
    has an open GDM or PGDM diagnosis (the glucose targets apply)."""
    batch = uuid.uuid4()
    tz = timezone.get_current_timezone()
    rows = [
        Reading(
            woman=woman,
            pregnancy=pregnancy,
            kind=reading.kind,
            measured_at=reading.measured_at,
            ga_days=ga_days_on(pregnancy, reading.measured_at, tz),
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
    # One INSERT; a key stored before raises IntegrityError (the caller replays).
    stored = _READINGS_INSERT.create_many(rows)
    summary = pregnancy_summary(pregnancy)
    thresholds, policy = grading_settings()
    latest = max(r.measured_at for r in stored)
    history = _history(
        woman=woman, pregnancy=pregnancy, kinds={r.kind for r in stored}, until=latest, t=thresholds
    )
    # Each sign's rules look back at that sign alone: each reading is graded against the
    # history of its own kind, oldest first.
    history_of: dict[str, list[signs.Reading]] = {}
    for earlier in sorted(history, key=lambda h: h.measured_at):
        history_of.setdefault(earlier.kind, []).append(earlier)
    raised: list[Alarm] = []
    pairs: list[tuple[Reading, rules.Finding]] = []
    ticked = frozenset(symptom for r in stored for symptom in r.symptoms)
    for row in stored:
        ga_days = row.ga_days
        clinical = reading_for_rules(row)
        if row.kind == signs.SignKind.BLOOD_PRESSURE:
            # Warning symptoms count for a high BP wherever in the check-in she ticked them.
            clinical = dataclasses.replace(clinical, symptoms=ticked)
        findings = rules.evaluate(
            clinical,
            history=history_of.get(row.kind, ()),
            ga=GestationalAge(ga_days) if ga_days is not None else None,
            bmi_category=_bmi_category(summary.bmi_category),
            pre_pregnancy_weight_kg=(
                float(pregnancy.pre_pregnancy_weight_kg)
                if pregnancy.pre_pregnancy_weight_kg
                else None
            ),
            thresholds=thresholds,
            policy=policy,
            diabetes=diabetes,
        )
        pairs += [(row, finding) for finding in findings]
    # Red-flag symptoms: every symptom of the check-in, graded once, on the first reading
    # that carries one.
    carrier = next((r for r in stored if r.symptoms), None)
    to_grade = ticked - already_reported
    if carrier is not None:
        for finding in red_flags.grade_symptoms(to_grade, sign=signs.SignKind(carrier.kind)):
            if finding.values["symptom"] in red_flags.SAFETY_PATHWAY_SYMPTOMS:
                continue  # the safety pathway raises its own alarm, below
            pairs.append((carrier, finding))
    # A repeat of an unconfirmed first high blood pressure updates that alarm; the rest of
    # the check-in becomes one alarm per grade.
    to_route: list[Alarm] = []
    pending = _pending_first_high(
        woman=woman, stored=stored, pairs=pairs, history=history, thresholds=thresholds
    )
    for row in stored:
        if row.kind == signs.SignKind.BLOOD_PRESSURE and pending:
            pairs, touched, route = _apply_repeat(
                pending=pending, repeat=row, pairs=pairs, thresholds=thresholds, policy=policy
            )
            raised += touched
            to_route += touched if route else []
    grouped = alarms_raise_grouped(woman=woman, pairs=pairs, route=False)
    raised += grouped
    alarms_route_soon([*to_route, *grouped])
    if carrier is not None and to_grade & red_flags.SAFETY_PATHWAY_SYMPTOMS:
        pathway = safety_pathway_start(
            woman=woman,
            trigger=SafetyTrigger.SELF_HARM_FLAG,
            reading=carrier,
            actor=actor,
            request=request,
        )
        raised.append(pathway.alarm)
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


# Her open unconfirmed alarms, newest first, locked (compiled once: `anyun.core.prepared`).
_PENDING_ALARMS: PreparedRead[Alarm] = PreparedRead(
    lambda woman_id: (
        Alarm.objects.select_for_update()
        .filter(woman_id=woman_id, confirmation=AlarmConfirmation.UNCONFIRMED)
        .exclude(status=AlarmStatus.CLOSED)
        .order_by("-created_at", "-id")
    )
)


def _pending_first_high(
    *,
    woman: User,
    stored: list[Reading],
    pairs: list[tuple[Reading, rules.Finding]],
    history: list[signs.Reading],
    thresholds: Thresholds,
) -> list[tuple[Alarm, Reading]]:
    """Her open unconfirmed first high blood pressures, newest first, locked, each with its
    first high BP reading (the reading of its `bp_high_first` finding); looked up only when
    one could matter: a high blood pressure in this check-in or in the history the repeat
    window covers. Which of them a repeat may join: `_pending_for`."""
    if not any(r.kind == signs.SignKind.BLOOD_PRESSURE for r in stored):
        return []
    high_now = any(f.rule in _BP_RULES for _r, f in pairs)
    high_before = any(
        h.kind == signs.SignKind.BLOOD_PRESSURE and rules.bp_is_high(h, thresholds) for h in history
    )
    if not (high_now or high_before):
        return []
    alarms = _PENDING_ALARMS.all(woman.pk)
    for alarm in alarms:
        alarm.woman = woman  # hers: no join, no second copy of her profile decrypted
    first_ids = {alarm: _first_high_id(alarm) for alarm in alarms}
    if not any(first_ids.values()):
        return []
    readings = {
        str(r.public_id): r
        for r in Reading.objects.filter(
            woman=woman,
            kind=signs.SignKind.BLOOD_PRESSURE,
            public_id__in=[i for i in first_ids.values() if i],
        ).order_by()
    }
    return [(a, readings[i]) for a, i in first_ids.items() if i in readings]


def _first_high_id(alarm: Alarm) -> str:
    return next(
        (row.get("reading", "") for row in alarm.findings if row["rule"] == "bp_high_first"), ""
    )


def _pending_for(
    pending: list[tuple[Alarm, Reading]], repeat: Reading, thresholds: Thresholds
) -> tuple[Alarm, Reading] | None:
    """The newest still-unconfirmed alarm whose first high BP was taken at most
    `bp_confirm_max_gap_days` before `repeat` (a later one starts its own first high)."""
    window = dt.timedelta(days=thresholds.bp_confirm_max_gap_days)
    for alarm, first in pending:
        if alarm.confirmation != AlarmConfirmation.UNCONFIRMED:
            continue
        if alarm.status == AlarmStatus.CLOSED or first.pk == repeat.pk:
            continue
        if dt.timedelta(0) <= repeat.measured_at - first.measured_at <= window:
            return alarm, first
    return None


_BP_RULES = frozenset({"bp_high_first", "bp_high_confirmed"})


def _apply_repeat(
    *,
    pending: list[tuple[Alarm, Reading]],
    repeat: Reading,
    pairs: list[tuple[Reading, rules.Finding]],
    thresholds: Thresholds,
    policy: AlarmPolicy,
) -> tuple[list[tuple[Reading, rules.Finding]], list[Alarm], bool]:
    """A blood pressure after her open unconfirmed first high one (2020 guideline [S]).

    4 h to 7 days after that alarm's first high BP and high: it is confirmed on repeat and
    takes this reading's confirming finding (no second alarm); if a clinician had already
    acknowledged it, the finding raises a new alarm instead, so that a clinician hears of it.
    Normal: it is marked normal on repeat (and closes itself if the hospital chose so).
    Sooner than 4 h and still high: this reading's finding is added to it, unless the finding
    is graver than the alarm or confirms the high BP (then it raises its own alarm, routed).
    Returns the findings still to raise, the alarms updated and whether they are to be
    routed now. `pending`: her open unconfirmed alarms with their first high BP readings,
    newest first.
    """
    found = _pending_for(pending, repeat, thresholds)
    if found is None:
        return pairs, [], False
    alarm, first = found
    outcome = rules.bp_repeat_outcome(
        reading_for_rules(first), reading_for_rules(repeat), thresholds=thresholds
    )
    taken = [(r, f) for r, f in pairs if r.pk == repeat.pk and f.rule in _BP_RULES]
    rest = [(r, f) for r, f in pairs if not (r.pk == repeat.pk and f.rule in _BP_RULES)]
    if outcome == rules.RepeatOutcome.CONFIRMED:
        if alarm.status == AlarmStatus.ACKNOWLEDGED:
            alarm_confirm_on_repeat(alarm, repeat=repeat, pairs=[])
            return pairs, [], False
        route = alarm_confirm_on_repeat(alarm, repeat=repeat, pairs=taken)
        return rest, [alarm], route
    if outcome == rules.RepeatOutcome.NORMAL:
        alarm_normal_on_repeat(alarm, repeat=repeat, close=policy.close_on_normal_repeat)
        return pairs, [alarm], False
    graver = any(
        f.rule != "bp_high_first" or GRADE_RANK[Grade(f.grade.value)] > alarm.grade_rank
        for _r, f in taken
    )
    if taken and not graver:
        alarm_add_findings(alarm, repeat=repeat, pairs=taken)
        return rest, [alarm], False
    return pairs, [], False


def _bmi_category(value: str | None) -> Any:

    return BmiCategory(value) if value else None
