"""Reads for home monitoring: look-back, latest values, the alarm worklist, chart data, adherence.

Callers pass a woman already loaded through `careteam.selectors.access_woman` (or herself).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import CharField, F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import Cast, RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from anyun.accounts.models import User, WomanProfile
from anyun.careteam.selectors import of_women_visible_to
from anyun.clinical import alarms as rules
from anyun.clinical import anthropometry, sfh, signs
from anyun.clinical.alarm_thresholds import (
    DEFAULT_POLICY,
    DEFAULT_THRESHOLDS,
    SAFE_RANGES,
    THRESHOLD_SOURCES,
    AlarmPolicy,
    Thresholds,
    threshold_value,
)
from anyun.clinical.anthropometry import BmiCategory, weight_gain_band
from anyun.clinical.dating import GestationalAge
from anyun.clinical.errors import ClinicalValueError
from anyun.clinical.red_flags import Stage, stage_on
from anyun.clinical.signs import SignKind
from anyun.core.crypto import mask_national_id
from anyun.core.versioned import VersionedValue
from anyun.monitoring.chart_data import (
    BpPoint,
    ChartData,
    ChartLabels,
    ChartPoint,
    PrintHeader,
    Source,
    TrendData,
    TrendEvent,
    TrendPoint,
)
from anyun.monitoring.messages import SYMPTOM_LABELS
from anyun.monitoring.models import (
    SIGN_LABELS,
    Alarm,
    AlarmPolicySetting,
    AlarmStatus,
    CrisisLine,
    MonitoringPlan,
    Reading,
    ThresholdChange,
    ThresholdDecision,
    ThresholdOverride,
)
from anyun.monitoring.threshold_labels import (
    CONFIDENCE_LABELS,
    plain_number,
    source_label,
    threshold_label,
    threshold_unit,
    with_unit,
)
from anyun.pregnancy.models import Pregnancy, PregnancyOutcome, PregnancyStatus
from anyun.pregnancy.selectors import current_pregnancy_of, has_diabetes, pregnancy_summary

logger = logging.getLogger("anyun.monitoring")


def thresholds_current() -> Thresholds:
    """The defaults of `anyun.clinical` with the hospital's overrides applied.

    A stored value that cannot be read back, or that a check refuses (out of its safe range,
    out of order with the others), is logged and its default used instead: one bad row never
    stops the grading of readings.
    """
    # Read as text: a number the column cannot hold (SQLite stores what it is given) would
    # make the ORM's decimal conversion raise on every read.
    rows = ThresholdOverride.objects.annotate(raw=Cast("value", CharField())).values_list(
        "name", "raw"
    )
    values: dict[str, int | float] = {}
    for name, raw in sorted(rows):
        try:
            values[name] = threshold_value(name, raw)
        except ClinicalValueError as exc:
            logger.error("Alarm threshold %s: stored value %r not used (%s).", name, raw, exc)
    try:
        return dataclasses.replace(DEFAULT_THRESHOLDS, **values)  # type: ignore[arg-type]
    except ClinicalValueError:
        pass
    thresholds = DEFAULT_THRESHOLDS  # out of order together: keep each value that fits
    for name, value in values.items():
        try:
            thresholds = dataclasses.replace(thresholds, **{name: value})  # type: ignore[arg-type]
        except ClinicalValueError as exc:
            logger.error("Alarm threshold %s: stored value %r not used (%s).", name, value, exc)
    return thresholds


def alarm_policy_current() -> AlarmPolicy:
    """The hospital's alarm-handling choices: the stored setting, else :data:`DEFAULT_POLICY`.

    A stored grade that is not one of the choices (written past the service) is logged and
    the defaults are used, as for a threshold that cannot be read back.
    """
    row = (
        AlarmPolicySetting.objects.filter(pk=1)
        .values_list("first_high_bp_grade", "close_on_normal_repeat")
        .first()
    )
    if row is None:
        return DEFAULT_POLICY
    try:
        return AlarmPolicy(first_high_bp_grade=row[0], close_on_normal_repeat=bool(row[1]))
    except ClinicalValueError as exc:
        logger.error("Alarm policy: stored choice %r not used (%s).", row[0], exc)
        return DEFAULT_POLICY


def _grading_settings() -> tuple[Thresholds, AlarmPolicy]:
    return thresholds_current(), alarm_policy_current()


# The thresholds and alarm policy readings are graded with, held in the process and loaded
# afresh after any change to an override or the policy (`grading_settings_changed`).
GRADING_SETTINGS: VersionedValue[tuple[Thresholds, AlarmPolicy]] = VersionedValue(
    "grading_settings", _grading_settings
)


def grading_settings() -> tuple[Thresholds, AlarmPolicy]:
    """`thresholds_current()` and `alarm_policy_current()`, with no query while neither changed."""
    return GRADING_SETTINGS.get()


def grading_settings_changed() -> None:
    GRADING_SETTINGS.bump()


def alarm_policy_setting() -> AlarmPolicySetting | None:
    """The stored alarm policy with who changed it, when and why (None: the defaults)."""
    return AlarmPolicySetting.objects.select_related("changed_by").filter(pk=1).first()


def readings_of(
    woman: Any,
    *,
    kind: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[Reading]:
    readings = Reading.objects.filter(woman=woman)
    if kind:
        readings = readings.filter(kind=kind)
    if since:
        readings = readings.filter(measured_at__gte=since)
    if until:
        readings = readings.filter(measured_at__lt=until)
    return readings.order_by("-measured_at", "-id")


def readings_with_symptoms(
    woman: Any, *, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> QuerySet[Reading]:
    """Her readings that carry symptoms: a symptom-only report or any sign with symptoms."""
    return readings_of(woman, since=since, until=until).exclude(symptoms=[])


def latest_by_kind(woman: Any) -> dict[str, Reading]:
    """Her newest reading of each sign (one query over the current pregnancy)."""
    rows = (
        Reading.objects.filter(woman=woman, pregnancy__status="current")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("kind")],
                order_by=[F("measured_at").desc(), F("id").desc()],
            )
        )
        .filter(rank=1)
    )
    latest = {reading.kind: reading for reading in rows}
    return {kind.value: latest[kind.value] for kind in SignKind if kind.value in latest}


# The statuses of an alarm that is not an open item for her (information is advice only).
ALARM_NOT_OPEN = (AlarmStatus.CLOSED, AlarmStatus.INFORMATION)


def alarms_of(woman: Any, *, open_only: bool = False) -> QuerySet[Alarm]:
    alarms = Alarm.objects.filter(woman=woman).select_related("reading", "assigned_to")
    if open_only:
        alarms = alarms.exclude(status__in=ALARM_NOT_OPEN)
    return alarms.order_by("-created_at")


def alarms_of_check_in(readings: list[Reading]) -> list[Alarm]:
    """The alarms one check-in raised or updated (a repeat confirming an earlier one), most
    severe first."""
    return list(
        Alarm.objects.filter(Q(reading__in=readings) | Q(repeat_reading__in=readings))
        .select_related("reading", "assigned_to")
        .distinct()
        .order_by("-grade_rank", "id")
    )


def finding_readings(alarms: list[Alarm]) -> dict[str, Reading]:
    """The readings the alarms' findings came from, by public id (one query)."""
    ids = {row["reading"] for a in alarms for row in (a.findings or []) if row.get("reading")}
    ids |= {str(a.reading.public_id) for a in alarms}
    return {str(r.public_id): r for r in Reading.objects.filter(public_id__in=ids)}


def alarm_worklist_for(
    user: Any, *, status: str = "active", grade: str = "", mine: bool = False
) -> QuerySet[Alarm]:
    """Alarms of the women this user may see, most severe first, then oldest first.

    Her row, its profile (the name only: nothing encrypted is decrypted) and the reading are
    fetched for the page of alarms after the sort, not joined before it (`of_women_visible_to`).
    """

    alarms = (
        of_women_visible_to(user, Alarm.objects.all())
        .select_related("assigned_to")
        .prefetch_related(
            "reading",
            Prefetch("woman", User.objects.only("pk", "public_id", "display_name", "role")),
            Prefetch("woman__woman_profile", WomanProfile.objects.only("user_id", "real_name")),
        )
    )
    if status == "active":
        alarms = alarms.exclude(status=AlarmStatus.CLOSED).exclude(grade="advice")
    elif status in AlarmStatus.values:
        alarms = alarms.filter(status=status)
    if grade:
        alarms = alarms.filter(grade=grade)
    if mine:
        alarms = alarms.filter(assigned_to=user)
    return alarms.order_by("-grade_rank", "created_at")


def chart_data_for(pregnancy: Pregnancy, *, labels: ChartLabels | None = None) -> ChartData:
    """The pregnancy chart's series from her readings (home and clinic told apart)."""

    summary = pregnancy_summary(pregnancy)
    pre_weight = (
        float(pregnancy.pre_pregnancy_weight_kg) if pregnancy.pre_pregnancy_weight_kg else None
    )
    sfh: list[ChartPoint] = []
    weight: list[ChartPoint] = []
    ac: list[ChartPoint] = []
    bp: list[BpPoint] = []
    kinds = [
        SignKind.FUNDAL_HEIGHT,
        SignKind.WEIGHT,
        SignKind.ABDOMINAL_CIRCUMFERENCE,
        SignKind.BLOOD_PRESSURE,
    ]
    rows = (
        Reading.objects.filter(pregnancy=pregnancy, kind__in=kinds, ga_days__isnull=False)
        .order_by("measured_at")
        .only("kind", "ga_days", "value", "systolic", "diastolic", "source")
    )
    for r in rows:
        source: Source = "clinic" if r.source == "clinic" else "home"
        if r.kind == SignKind.BLOOD_PRESSURE and r.systolic and r.diastolic:
            bp.append(BpPoint(r.ga_days or 0, r.systolic, r.diastolic, source))
        elif r.value is None:
            continue
        elif r.kind == SignKind.FUNDAL_HEIGHT:
            sfh.append(ChartPoint(r.ga_days or 0, float(r.value), source))
        elif r.kind == SignKind.ABDOMINAL_CIRCUMFERENCE:
            ac.append(ChartPoint(r.ga_days or 0, float(r.value), source))
        elif r.kind == SignKind.WEIGHT and pre_weight is not None:
            weight.append(ChartPoint(r.ga_days or 0, round(float(r.value) - pre_weight, 2), source))
    return ChartData(
        sfh=sfh,
        weight_gain=weight,
        ac=ac,
        bp=bp,
        bmi_category=BmiCategory(summary.bmi_category) if summary.bmi_category else None,
        today_ga_days=summary.ga.days if summary.ga else None,
        labels=labels or ChartLabels(),
    )


def chart_print_header_for(pregnancy: Pregnancy, *, printed_at: dt.datetime) -> PrintHeader:
    """What the printed chart says about whose it is: her name and masked ID, never the full
    ID number; the hospital's name from the settings."""
    profile = WomanProfile.objects.filter(user_id=pregnancy.woman_id).first()
    name = (profile.real_name if profile else "") or str(pregnancy.woman)
    national_id = profile.national_id if profile else ""
    return PrintHeader(
        hospital=settings.ANYUN_HOSPITAL_NAME,
        name=name,
        masked_id=mask_national_id(national_id) if national_id else "",
        edd=pregnancy.edd,
        printed_at=printed_at,
    )


def plans_of(woman: Any) -> QuerySet[MonitoringPlan]:
    return MonitoringPlan.objects.filter(woman=woman, active=True).order_by("kind")


@dataclass(frozen=True)
class Adherence:
    plan: MonitoringPlan
    expected: int
    done: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.expected) if self.expected else None


SLOT_TOLERANCE = dt.timedelta(hours=2)


def adherence_of(
    plan: MonitoringPlan, *, days: int = 7, now: dt.datetime | None = None
) -> Adherence:
    """Of the plan's times in the last `days` days (since it was set), how many have a reading
    of that sign within two hours either side."""
    now = now or timezone.now()
    start = max(plan.created_at, now - dt.timedelta(days=days))
    times = sorted(
        r.measured_at
        for r in Reading.objects.filter(
            woman=plan.woman, kind=plan.kind, measured_at__gte=start - SLOT_TOLERANCE
        ).only("measured_at")
    )
    expected = done = 0
    day = timezone.localtime(start).date()
    while day <= timezone.localdate(now):
        for hhmm in plan.times:
            slot = timezone.make_aware(
                dt.datetime.combine(day, dt.time.fromisoformat(hhmm)),
                timezone.get_current_timezone(),
            )
            if slot < start or slot > now:
                continue
            expected += 1
            if any(abs(t - slot) <= SLOT_TOLERANCE for t in times):
                done += 1
        day += dt.timedelta(days=1)
    return Adherence(plan=plan, expected=expected, done=done)


def trend_for(woman: Any, *, kind: str, readings: list[Reading]) -> Any:
    """A sign's trend with her reference band: what she is compared with (DOMAIN.md s.5),
    drawn at the thresholds in force (the hospital's approved values, else the defaults)."""
    T, _policy = grading_settings()  # noqa: N806 - the reference lines her readings are graded by

    units = {
        "blood_pressure": "mmHg",
        "glucose": "mmol/L",
        "weight": "kg",
        "fundal_height": "cm",
        "abdominal_circumference": "cm",
        "fetal_heart_rate": "bpm",
        "fetal_movements": "",
        "temperature": "°C",
        "pulse": "bpm",
    }
    points = [
        TrendPoint(
            at=r.measured_at,
            value=float((r.systolic if kind == SignKind.BLOOD_PRESSURE else r.value) or 0),
            second=float(r.diastolic) if kind == SignKind.BLOOD_PRESSURE and r.diastolic else None,
            source="clinic" if r.source == "clinic" else "home",
        )
        for r in sorted(readings, key=lambda r: r.measured_at)
    ]
    band: list[tuple[dt.datetime, float, float]] = []
    lines: list[tuple[float, str]] = []
    events: list[TrendEvent] = []
    pregnancy = current_pregnancy_of(woman)
    if kind == SignKind.SYMPTOM_REPORT:
        # a report has no value to plot: a timeline of what she reported, and when
        points = []
        events = [
            TrendEvent(
                at=r.measured_at,
                labels=tuple(str(SYMPTOM_LABELS.get(s, _("Other symptom"))) for s in r.symptoms),
            )
            for r in readings
            if r.symptoms
        ]
    elif kind == SignKind.BLOOD_PRESSURE:
        lines = [
            (T.bp_systolic_high, f"{T.bp_systolic_high:g}"),
            (T.bp_diastolic_high, f"{T.bp_diastolic_high:g}"),
        ]
    elif kind == SignKind.GLUCOSE and has_diabetes(pregnancy):
        # The self-monitoring targets are those of known GDM/PGDM (DOMAIN.md s.5).
        lines = [
            (T.glucose_fasting_target, _("fasting target")),
            (T.glucose_post_meal_2h_target, _("2 h target")),
            (T.glucose_post_meal_1h_target, _("1 h target")),
        ]
    elif kind == SignKind.FETAL_HEART_RATE:
        band = [(p.at, T.fhr_normal_low, T.fhr_normal_high) for p in points]
    elif kind == SignKind.PULSE:
        band = [(p.at, T.pulse_low, T.pulse_high) for p in points]
    elif kind == SignKind.TEMPERATURE:
        lines = [(T.temperature_raised, f"{T.temperature_raised:g}")]
    elif kind == SignKind.FETAL_MOVEMENTS:
        lines = [(T.movements_two_hour_min, f"{T.movements_two_hour_min:g}")]
    elif pregnancy is not None and kind in {SignKind.WEIGHT, SignKind.FUNDAL_HEIGHT}:
        summary = pregnancy_summary(pregnancy)
        for r, p in zip(sorted(readings, key=lambda r: r.measured_at), points, strict=True):
            if r.ga_days is None:
                continue
            weeks = r.ga_days / 7
            if (
                kind == SignKind.FUNDAL_HEIGHT
                and sfh.SFH_MIN_GA_WEEKS <= weeks <= sfh.SFH_MAX_GA_WEEKS
            ):
                band.append((p.at, sfh.sfh_p10(weeks), sfh.sfh_p90(weeks)))
            elif (
                kind == SignKind.WEIGHT
                and summary.bmi_category
                and pregnancy.pre_pregnancy_weight_kg
            ):
                low, high = anthropometry.weight_gain_band(
                    anthropometry.BmiCategory(summary.bmi_category), GestationalAge(r.ga_days)
                )
                base = float(pregnancy.pre_pregnancy_weight_kg)
                band.append((p.at, base + low, base + high))
    return TrendData(
        title=str(SIGN_LABELS[SignKind(kind)]),
        unit=units.get(kind, ""),
        points=points,
        band=band,
        lines=lines,
        band_label=_("Your reference range"),
        no_data=_("No measurements yet"),
        events=events,
        tz=timezone.get_current_timezone(),
    )


@dataclass(frozen=True)
class ThresholdRow:
    name: str
    value: float
    default: float
    source: str
    confidence: str
    overridden: bool
    label: str = ""
    unit: str = ""
    source_label: str = ""
    confidence_label: str = ""
    safe_min: Decimal | None = None
    safe_max: Decimal | None = None
    pending: ThresholdChangeRow | None = None

    @property
    def configurable(self) -> bool:
        return self.confidence != "V"


def thresholds_table() -> list[ThresholdRow]:
    """Every numeric alarm threshold: the value in force, the default, its label and unit,
    its source's name and mark, its safe range and any change awaiting approval."""
    current = thresholds_current()
    pending = {row.change.name: row for row in threshold_changes_pending()}
    rows = []
    for f in dataclasses.fields(current):
        default = getattr(DEFAULT_THRESHOLDS, f.name)
        if isinstance(default, bool) or not isinstance(default, int | float):
            continue
        source, mark = THRESHOLD_SOURCES.get(f.name, ("", "P"))
        value = getattr(current, f.name)
        safe_min, safe_max = SAFE_RANGES.get(f.name, (None, None))
        rows.append(
            ThresholdRow(
                f.name,
                value,
                default,
                source,
                mark,
                value != default,
                label=threshold_label(f.name),
                unit=threshold_unit(f.name),
                source_label=source_label(source),
                confidence_label=str(CONFIDENCE_LABELS.get(mark, "")),
                safe_min=safe_min,
                safe_max=safe_max,
                pending=pending.get(f.name),
            )
        )
    return rows


@dataclass(frozen=True)
class ThresholdChangeRow:
    """A threshold change as the console shows it: label, values with units."""

    change: ThresholdChange
    label: str
    old: str
    new: str


def _change_row(change: ThresholdChange) -> ThresholdChangeRow:
    return ThresholdChangeRow(
        change,
        threshold_label(change.name),
        with_unit(change.name, plain_number(change.old_value)),
        with_unit(change.name, plain_number(change.new_value)),
    )


def threshold_changes_pending() -> list[ThresholdChangeRow]:
    """Threshold changes awaiting a second person's approval, oldest first."""
    changes = (
        ThresholdChange.objects.filter(decision=ThresholdDecision.PENDING)
        .select_related("proposed_by")
        .order_by("proposed_at", "id")
    )
    return [_change_row(c) for c in changes]


def threshold_changes_decided(*, limit: int = 20) -> list[ThresholdChangeRow]:
    """The latest decided threshold changes, newest first."""
    changes = (
        ThresholdChange.objects.exclude(decision=ThresholdDecision.PENDING)
        .select_related("proposed_by", "decided_by")
        .order_by("-decided_at", "-id")[:limit]
    )
    return [_change_row(c) for c in changes]


def crisis_lines_active() -> list[CrisisLine]:
    """The crisis lines shown to a woman in crisis, in the hospital's order."""
    return list(CrisisLine.objects.filter(active=True).order_by("order", "id"))


def crisis_lines_all() -> list[CrisisLine]:
    """Every crisis line, active or not, for the console."""
    return list(CrisisLine.objects.order_by("order", "id"))


# The outcomes that are a birth: the after-birth flags apply from that day (AIM [V]).
BIRTH_OUTCOMES = frozenset(
    {PregnancyOutcome.TERM_BIRTH, PregnancyOutcome.PRETERM_BIRTH, PregnancyOutcome.STILLBIRTH}
)


def last_birth_of(woman: Any) -> Pregnancy | None:
    """Her most recent pregnancy that ended in a birth, if any."""
    return (
        Pregnancy.objects.filter(
            woman=woman,
            status=PregnancyStatus.ENDED,
            end_reason__in=BIRTH_OUTCOMES,
            ended_on__isnull=False,
        )
        .order_by("-ended_on", "-id")
        .first()
    )


def stage_of(woman: Any, *, today: dt.date | None = None) -> Stage | None:
    """Pregnant (a current pregnancy), postpartum (a birth up to 1 year ago), else None."""
    today = today or timezone.localdate()
    pregnant = Pregnancy.objects.filter(woman=woman, status=PregnancyStatus.CURRENT).exists()
    birth = None if pregnant else last_birth_of(woman)
    return stage_on(today=today, pregnant=pregnant, delivered_on=birth.ended_on if birth else None)


# After the birth she reports warning signs and her own signs, not the baby's in the womb.
POSTPARTUM_KINDS = frozenset(
    {SignKind.SYMPTOM_REPORT, SignKind.BLOOD_PRESSURE, SignKind.TEMPERATURE, SignKind.PULSE}
)


def monitored_pregnancy_of(woman: Any, *, today: dt.date | None = None) -> Pregnancy | None:
    """The pregnancy her home readings belong to: the current one, else a birth up to 1 year
    ago (the after-birth warning signs, AIM [V]), else None."""
    current = Pregnancy.objects.filter(woman=woman, status=PregnancyStatus.CURRENT).first()
    if current is not None:
        return current
    birth = last_birth_of(woman)
    if birth is None or birth.ended_on is None:
        return None
    today = today or timezone.localdate()
    stage = stage_on(today=today, pregnant=False, delivered_on=birth.ended_on)
    return birth if stage == Stage.POSTPARTUM else None


# --- text alternatives of the charts (WCAG 1.1.1 and 1.4.1) ---------------------------------

# Rules whose finding means the value is below its limit; every other finding means above.
_LOW_RULES = frozenset({"glucose_low", "fhr_low", "fhr_very_low", "pulse_low"})
# Signs whose single value is graded without her history or GA (DOMAIN.md s.5).
_FLAGGED_KINDS = frozenset(
    {
        SignKind.BLOOD_PRESSURE,
        SignKind.GLUCOSE,
        SignKind.FETAL_HEART_RATE,
        SignKind.PULSE,
        SignKind.TEMPERATURE,
    }
)


@dataclass(frozen=True)
class ValueFlag:
    code: str  # "high" or "low"
    label: str


@dataclass(frozen=True)
class HistoryRow:
    reading: Reading
    flag: ValueFlag | None


def _value_flag(code: str) -> ValueFlag:
    labels = {"high": pgettext("reading flag", "High"), "low": pgettext("reading flag", "Low")}
    return ValueFlag(code=code, label=str(labels[code]))


def reading_flag(
    reading: Reading, *, thresholds: Thresholds, policy: AlarmPolicy, diabetes: bool = False
) -> ValueFlag | None:
    """ "high" or "low" when the reading alone is outside the alarm thresholds in force.

    A display decision for the text flag beside a value (so that no colour has to say it):
    the reading is graded alone by `anyun.clinical.alarms.evaluate`; only findings on its own
    sign count (a BP monitor's pulse does not flag the blood pressure). Rules that need her
    history or GA (movements, weight, fundal height) give no flag here. Nothing is raised.
    """

    if reading.kind not in _FLAGGED_KINDS:
        return None
    try:
        findings = rules.evaluate(
            reading_for_rules(reading),
            history=[],
            ga=None,
            thresholds=thresholds,
            policy=policy,
            diabetes=diabetes,
        )
    except ClinicalValueError:
        return None  # a stored value the rules refuse: shown as it is, without a flag
    own = [f for f in findings if f.sign == reading.kind]
    if not own:
        return None
    return _value_flag("low" if any(f.rule in _LOW_RULES for f in own) else "high")


def sign_history_rows(readings: list[Reading]) -> list[HistoryRow]:
    """Her readings for the history table, each with its flag against the thresholds in force."""
    thresholds, policy = thresholds_current(), alarm_policy_current()
    glucose = {r.pregnancy_id for r in readings if r.kind == SignKind.GLUCOSE}
    diabetic = {pk for pk in glucose if has_diabetes(pk)}
    return [
        HistoryRow(
            r,
            reading_flag(
                r, thresholds=thresholds, policy=policy, diabetes=r.pregnancy_id in diabetic
            ),
        )
        for r in readings
    ]


@dataclass(frozen=True)
class ChartTableRow:
    when: str
    value: str
    source: str = ""
    reference: str = ""


@dataclass(frozen=True)
class ChartTable:
    """The values one chart (or panel) plots, as a table: its text alternative."""

    title: str
    rows: list[ChartTableRow]
    reference_label: str = ""


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value)}"


def _source_label(source: str) -> str:
    return str(_("Clinic measurement") if source == "clinic" else _("Home reading"))


def chart_tables(data: ChartData) -> list[ChartTable]:
    """The pregnancy chart's four panels as tables: GA, value, where measured, and the
    reference it is drawn against (fundal height P10-P90, her weight-gain band)."""
    labels = data.labels

    def ga(days: int) -> str:
        return str(GestationalAge(days))

    def sfh_range(days: int) -> str:
        weeks = days / 7
        if not sfh.SFH_MIN_GA_WEEKS <= weeks <= sfh.SFH_MAX_GA_WEEKS:
            return ""
        return f"{_number(sfh.sfh_p10(weeks))}–{_number(sfh.sfh_p90(weeks))}"

    def weight_range(days: int) -> str:
        if data.bmi_category is None:
            return ""
        low, high = weight_gain_band(data.bmi_category, GestationalAge(days))
        return f"{_number(low)}–{_number(high)}"

    def rows(points: list[ChartPoint], reference: Any) -> list[ChartTableRow]:
        return [
            ChartTableRow(
                ga(p.ga_days), _number(p.value), _source_label(p.source), reference(p.ga_days)
            )
            for p in sorted(points, key=lambda p: p.ga_days)
        ]

    bp_rows = [
        ChartTableRow(ga(p.ga_days), f"{p.systolic}/{p.diastolic}", _source_label(p.source))
        for p in sorted(data.bp, key=lambda p: p.ga_days)
    ]
    return [
        ChartTable(labels.sfh, rows(data.sfh, sfh_range), str(_("P10–P90"))),
        ChartTable(labels.weight, rows(data.weight_gain, weight_range), labels.band),
        ChartTable(labels.ac, rows(data.ac, lambda _days: "")),
        ChartTable(labels.bp, bp_rows),
    ]


def trend_table(trend: Any) -> ChartTable:
    """One sign's trend as a table: time, value, where measured, her reference range."""
    tz = trend.tz
    band = {at: (low, high) for at, low, high in trend.band}
    if trend.events:
        return ChartTable(
            trend.title,
            [
                ChartTableRow(
                    timezone.localtime(e.at, tz).strftime("%Y-%m-%d %H:%M"), "、".join(e.labels)
                )
                for e in sorted(trend.events, key=lambda e: e.at)
            ],
        )
    table_rows = []
    for p in trend.points:
        value = _number(p.value) if p.second is None else f"{_number(p.value)}/{_number(p.second)}"
        low_high = band.get(p.at)
        table_rows.append(
            ChartTableRow(
                timezone.localtime(p.at, tz).strftime("%Y-%m-%d %H:%M"),
                f"{value} {trend.unit}".strip(),
                _source_label(p.source),
                f"{_number(low_high[0])}–{_number(low_high[1])}" if low_high else "",
            )
        )
    return ChartTable(trend.title, table_rows, str(_("Your reference range")) if band else "")


def trend_summary(trend: Any) -> str:
    """One sentence of what the trend shows: how many values over which days, the latest,
    and the reference lines drawn."""

    tz = trend.tz
    if trend.events:
        times = sorted(e.at for e in trend.events)
        count = len(times)
        text = ngettext(
            "%(count)s report from %(first)s to %(last)s.",
            "%(count)s reports from %(first)s to %(last)s.",
            count,
        )
    elif trend.points:
        times = sorted(p.at for p in trend.points)
        count = len(times)
        text = ngettext(
            "%(count)s value from %(first)s to %(last)s.",
            "%(count)s values from %(first)s to %(last)s.",
            count,
        )
    else:
        return str(trend.no_data)
    parts = [
        text
        % {
            "count": count,
            "first": timezone.localtime(times[0], tz).strftime("%Y-%m-%d"),
            "last": timezone.localtime(times[-1], tz).strftime("%Y-%m-%d"),
        }
    ]
    if trend.points:
        last = max(trend.points, key=lambda p: p.at)
        value = (
            _number(last.value)
            if last.second is None
            else f"{_number(last.value)}/{_number(last.second)}"
        )
        parts.append(str(_("Latest: %(value)s.")) % {"value": f"{value} {trend.unit}".strip()})
    if trend.lines:
        lines = ", ".join(label if label else _number(value) for value, label in trend.lines)
        parts.append(str(_("Reference lines: %(lines)s.")) % {"lines": lines})
    return " ".join(parts)


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
