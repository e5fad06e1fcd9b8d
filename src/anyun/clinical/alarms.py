"""Grading of home-monitoring readings: advice, attention, urgent.

Source: DOMAIN.md section 5 (FA-3, FB-9). Grades: **advice** is shown to the woman;
**attention** means a clinician reviews within 24 h; **urgent** means the woman is told to
seek care now and a clinician is alerted at once. Each rule's docstring names its source
and mark; each :class:`Finding` carries the source and mark of the threshold that decided
it (:data:`~anyun.clinical.alarm_thresholds.THRESHOLD_SOURCES`), so the clinician can see
why an alarm fired. Thresholds are hospital-configurable through
:class:`~anyun.clinical.alarm_thresholds.Thresholds`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import pairwise
from statistics import fmean
from typing import Final, TypeVar

from anyun.clinical.alarm_thresholds import (
    DEFAULT_POLICY,
    DEFAULT_THRESHOLDS,
    THRESHOLD_SOURCES,
    AlarmPolicy,
    Thresholds,
)
from anyun.clinical.anthropometry import validate_weight_kg
from anyun.clinical.dating import DAYS_PER_WEEK, GestationalAge
from anyun.clinical.exact import exact, round_half_up
from anyun.clinical.sfh import SFH_MAX_GA_WEEKS, SFH_MIN_GA_WEEKS, sfh_centile
from anyun.clinical.signs import (
    GlucoseContext,
    MovementPeriod,
    Reading,
    SignKind,
    Symptom,
    check_reading,
)
from anyun.clinical.weight_gain_table import BmiCategory

__all__ = [
    "ACTIONS",
    "BP_WARNING_SYMPTOMS",
    "DEFAULT_POLICY",
    "DEFAULT_THRESHOLDS",
    "THRESHOLD_SOURCES",
    "AlarmPolicy",
    "Finding",
    "Grade",
    "RepeatOutcome",
    "Thresholds",
    "bp_repeat_outcome",
    "evaluate",
    "group_by_grade",
    "highest",
    "order_findings",
]


class Grade(StrEnum):
    """Alarm grade; compare with :attr:`rank` (advice < attention < urgent)."""

    ADVICE = "advice"
    ATTENTION = "attention"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        return _GRADE_RANKS[self]


K = TypeVar("K")

_GRADE_RANKS: Final = {Grade.ADVICE: 1, Grade.ATTENTION: 2, Grade.URGENT: 3}

# What the woman is asked to do; the app translates by code.
ACTIONS: Final[dict[str, str]] = {
    "seek_care_now": (
        "Go to your hospital or an emergency department now. Call 120 if you cannot get "
        "there safely."
    ),
    "contact_clinician_24h": (
        "Your care team will review this within 24 hours. Contact them sooner if you feel unwell."
    ),
    "repeat_bp_4h": (
        "This is your first high blood-pressure reading. Rest and measure it again in 4 hours."
    ),
    "repeat_bp_4h_again": (
        "Your blood pressure was high before too, but not yet on two readings at least 4 hours "
        "apart. Rest and measure it again in 4 hours."
    ),
    "check_bp": "Measure your blood pressure now and record it.",
    "ultrasound_check": "An ultrasound scan is advised to check the baby's growth.",
}

# With a high BP these make it urgent, 妊娠期高血压疾病诊治指南 2020 [S].
BP_WARNING_SYMPTOMS: Final[frozenset[str]] = frozenset(
    {Symptom.HEADACHE, Symptom.VISUAL_CHANGE, Symptom.EPIGASTRIC_PAIN}
)

# Which threshold field is the target for each glucose context [S]; the others (bedtime,
# random) are graded only against the urgent bounds.
_GLUCOSE_TARGETS: Final = {
    GlucoseContext.FASTING: "glucose_fasting_target",
    GlucoseContext.PRE_MEAL: "glucose_fasting_target",
    GlucoseContext.POST_MEAL_1H: "glucose_post_meal_1h_target",
    GlucoseContext.POST_MEAL_2H: "glucose_post_meal_2h_target",
}

# Within one grade, the instruction she is given first: going in person before anything else.
ACTION_PRIORITY: Final[dict[str, int]] = {
    "seek_care_now": 0,
    "ultrasound_check": 1,
    "check_bp": 2,
    "check_temperature": 3,
    "in_person_24h": 4,  # be seen in person comes before "repeat" or "we will review"
    "repeat_bp_4h": 5,
    "repeat_bp_4h_again": 5,
    "contact_clinician_24h": 6,
}

_SECONDS_PER_DAY: Final = 86_400
_WEIGHT_DECIMALS: Final = 2


@dataclass(frozen=True)
class Finding:
    """One rule that fired for a reading.

    ``rule`` is a stable code; ``action`` is a key of :data:`ACTIONS`; ``values`` are
    JSON-friendly (numbers, strings, lists; times as ISO strings) and hold what was
    measured and the limits it was compared with; ``source`` and ``confidence``
    ("V"/"S"/"P") come from the threshold that decided the finding.
    """

    rule: str
    grade: Grade
    sign: SignKind
    values: dict[str, object]
    action: str
    source: str
    confidence: str


def evaluate(
    reading: Reading,
    *,
    history: Sequence[Reading],
    ga: GestationalAge | None,
    bmi_category: BmiCategory | None = None,
    pre_pregnancy_weight_kg: float | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    policy: AlarmPolicy = DEFAULT_POLICY,
    diabetes: bool = False,
) -> list[Finding]:
    """Grade one new reading against DOMAIN.md section 5; ``[]`` when nothing fires.

    ``history`` is her earlier readings, any kinds and any order (each already accepted
    by :func:`~anyun.clinical.signs.check_reading`); only readings strictly before
    ``reading.measured_at`` are used, so passing the new reading in it is harmless.
    ``ga`` is her GA on the day of ``reading``; without it the GA-dependent rules (fetal
    movements, weight, fundal height) give no finding. ``bmi_category`` (pre-pregnancy)
    is needed for the weekly weight-gain range; ``pre_pregnancy_weight_kg``, when given,
    adds her total gain to weight findings. ``policy`` holds the hospital's choice of grade
    for a first high blood pressure (attention by default, or advice). ``diabetes``: she has
    a known GDM or PGDM diagnosis (``risk_tables.DIABETES``); only then do the glucose
    self-monitoring targets apply (DOMAIN.md s.5, "known GDM/PGDM"); the urgent glucose
    bounds apply to every woman.

    ``reading`` is checked first and the errors of ``check_reading`` are raised; an
    implausible reading is graded as entered. Findings are ordered most severe first.
    """
    check_reading(reading)
    if pre_pregnancy_weight_kg is not None:
        validate_weight_kg(pre_pregnancy_weight_kg)
    # Only blood pressure, fetal movements, weight and fundal height look back.
    earlier = _earlier(reading, history) if reading.kind in _LOOKING_BACK else []
    t = thresholds
    findings: list[Finding] = []
    match reading.kind:
        case SignKind.BLOOD_PRESSURE:
            findings += _grade_blood_pressure(reading, earlier, t, policy)
            if reading.pulse is not None:
                findings += _grade_pulse(reading.pulse, t)
        case SignKind.GLUCOSE:
            findings += _grade_glucose(reading, t, diabetes=diabetes)
        case SignKind.FETAL_HEART_RATE:
            findings += _grade_fetal_heart_rate(_value(reading), t)
        case SignKind.FETAL_MOVEMENTS:
            findings += _grade_fetal_movements(reading, earlier, ga, t)
        case SignKind.PULSE:
            findings += _grade_pulse(_value(reading), t)
        case SignKind.TEMPERATURE:
            findings += _grade_temperature(_value(reading), t)
        case SignKind.WEIGHT:
            findings += _grade_weight(
                reading, earlier, ga, bmi_category, pre_pregnancy_weight_kg, t
            )
        case SignKind.FUNDAL_HEIGHT:
            findings += _grade_fundal_height(reading, earlier, ga, t)
        case SignKind.ABDOMINAL_CIRCUMFERENCE | SignKind.SYMPTOM_REPORT:
            pass  # AC is plotted only (DOMAIN.md s.5 [S]); symptoms: anyun.clinical.red_flags
    findings.sort(key=lambda finding: -finding.grade.rank)
    return findings


_LOOKING_BACK = frozenset(
    {SignKind.BLOOD_PRESSURE, SignKind.FETAL_MOVEMENTS, SignKind.WEIGHT, SignKind.FUNDAL_HEIGHT}
)


def highest(findings: Iterable[Finding]) -> Grade | None:
    """The most severe grade among ``findings``; ``None`` when there are none."""
    grades = [finding.grade for finding in findings]
    return max(grades, key=lambda grade: grade.rank) if grades else None


def _grade_blood_pressure(
    reading: Reading, earlier: Sequence[Reading], t: Thresholds, policy: AlarmPolicy
) -> list[Finding]:
    """BP rules, 妊娠期高血压疾病诊治指南 2020 [S]; confirmation window to 7 days [P].

    SBP >= 160 or DBP >= 110: urgent. SBP >= 140 or DBP >= 90 with headache, visual
    change or epigastric pain: urgent (both findings when both apply). Otherwise a high
    reading is "confirmed" (attention) when an earlier high reading was taken 4 h to 7 days
    before (inclusive); if not, it is an unconfirmed first high reading, graded as the
    hospital chose (attention by default, so a clinician hears of it; or advice), and she
    is asked to repeat it in 4 hours. That request says "first" only when no earlier high
    reading is in ``earlier``.
    """
    systolic, diastolic = reading.systolic, reading.diastolic
    assert systolic is not None and diastolic is not None  # checked by check_reading
    findings: list[Finding] = []
    if systolic >= t.bp_systolic_severe or diastolic >= t.bp_diastolic_severe:
        findings.append(
            _finding(
                "bp_severe",
                Grade.URGENT,
                SignKind.BLOOD_PRESSURE,
                {
                    "systolic": systolic,
                    "diastolic": diastolic,
                    "systolic_limit": t.bp_systolic_severe,
                    "diastolic_limit": t.bp_diastolic_severe,
                },
                "seek_care_now",
                basis=(
                    "bp_systolic_severe"
                    if systolic >= t.bp_systolic_severe
                    else "bp_diastolic_severe"
                ),
            )
        )
    if not _bp_is_high(reading, t):
        return findings
    high_values: dict[str, object] = {
        "systolic": systolic,
        "diastolic": diastolic,
        "systolic_limit": t.bp_systolic_high,
        "diastolic_limit": t.bp_diastolic_high,
    }
    basis = "bp_systolic_high" if systolic >= t.bp_systolic_high else "bp_diastolic_high"
    symptoms = sorted(reading.symptoms & BP_WARNING_SYMPTOMS)
    if symptoms:
        findings.append(
            _finding(
                "bp_high_with_symptoms",
                Grade.URGENT,
                SignKind.BLOOD_PRESSURE,
                {**high_values, "symptoms": symptoms},
                "seek_care_now",
                basis=basis,
            )
        )
    if findings:
        return findings
    previous = _confirming_bp_reading(reading, earlier, t)
    if previous is None:
        earlier_high = sum(
            1 for r in earlier if r.kind == SignKind.BLOOD_PRESSURE and _bp_is_high(r, t)
        )
        return [
            _finding(
                "bp_high_first",
                Grade.ADVICE if policy.first_high_bp_grade == Grade.ADVICE else Grade.ATTENTION,
                SignKind.BLOOD_PRESSURE,
                {
                    **high_values,
                    "repeat_after_hours": t.bp_confirm_min_gap_hours,
                    "earlier_high_readings": earlier_high,
                },
                "repeat_bp_4h_again" if earlier_high else "repeat_bp_4h",
                basis="bp_confirm_min_gap_hours",
            )
        ]
    return [
        _finding(
            "bp_high_confirmed",
            Grade.ATTENTION,
            SignKind.BLOOD_PRESSURE,
            {
                **high_values,
                "previous_systolic": previous.systolic,
                "previous_diastolic": previous.diastolic,
                "previous_measured_at": previous.measured_at.isoformat(),
            },
            "contact_clinician_24h",
            basis=basis,
        )
    ]


class RepeatOutcome(StrEnum):
    """What a repeat reading says about an unconfirmed first high blood pressure."""

    CONFIRMED = "confirmed"  # high again: hypertension confirmed on repeat
    NORMAL = "normal"  # below 140/90: normal on repeat


def bp_repeat_outcome(
    first: Reading, repeat: Reading, *, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> RepeatOutcome | None:
    """Whether ``repeat`` confirms ``first`` (a high BP) or finds it normal, 2020 guideline [S].

    A repeat counts only when it is a blood pressure taken 4 h to 7 days after ``first``
    (inclusive, the window of :func:`evaluate`); otherwise ``None``: a reading sooner than
    4 h neither confirms nor clears a high one.
    """
    t = thresholds
    if repeat.kind != SignKind.BLOOD_PRESSURE or first.kind != SignKind.BLOOD_PRESSURE:
        return None
    gap = repeat.measured_at - first.measured_at
    if not (
        timedelta(hours=t.bp_confirm_min_gap_hours)
        <= gap
        <= timedelta(days=t.bp_confirm_max_gap_days)
    ):
        return None
    return RepeatOutcome.CONFIRMED if _bp_is_high(repeat, t) else RepeatOutcome.NORMAL


def order_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first; within a grade, the most pressing action first (stable)."""
    return sorted(
        findings,
        key=lambda finding: (-finding.grade.rank, ACTION_PRIORITY.get(finding.action, 9)),
    )


def group_by_grade(
    pairs: Iterable[tuple[K, Finding]],
) -> list[tuple[Grade, list[tuple[K, Finding]]]]:
    """The findings of one check-in, one group per grade, most severe grade first.

    ``K`` is whatever the caller ties each finding to (the reading it came from). Within a
    group the findings are ordered by :func:`order_findings`, so the first one gives the
    instruction she sees and the rule the group is known by.
    """
    groups: dict[Grade, list[tuple[K, Finding]]] = {}
    for key, finding in pairs:
        groups.setdefault(finding.grade, []).append((key, finding))
    return [
        (
            grade,
            sorted(
                groups[grade],
                key=lambda pair: ACTION_PRIORITY.get(pair[1].action, 9),
            ),
        )
        for grade in sorted(groups, key=lambda grade: -grade.rank)
    ]


def _confirming_bp_reading(
    reading: Reading, earlier: Sequence[Reading], t: Thresholds
) -> Reading | None:
    """The latest earlier high BP taken 4 h to 7 days before ``reading``, if any."""
    newest_allowed = reading.measured_at - timedelta(hours=t.bp_confirm_min_gap_hours)
    oldest_allowed = reading.measured_at - timedelta(days=t.bp_confirm_max_gap_days)
    candidates = [
        previous
        for previous in earlier
        if previous.kind == SignKind.BLOOD_PRESSURE
        and oldest_allowed <= previous.measured_at <= newest_allowed
        and _bp_is_high(previous, t)
    ]
    return candidates[-1] if candidates else None


def _bp_is_high(reading: Reading, t: Thresholds) -> bool:
    if reading.systolic is None or reading.diastolic is None:
        return False
    return reading.systolic >= t.bp_systolic_high or reading.diastolic >= t.bp_diastolic_high


def bp_is_high(reading: Reading, t: Thresholds = DEFAULT_THRESHOLDS) -> bool:
    """A blood pressure at or above the high thresholds (either number)."""
    return _bp_is_high(reading, t)


def _grade_glucose(reading: Reading, t: Thresholds, *, diabetes: bool) -> list[Finding]:
    """Self-monitored glucose, 妊娠期高血糖诊治指南 2022 targets [S]; urgent bounds [P].

    Any context, any woman: < 3.3 mmol/L (hypoglycaemia) or >= 11.1 -> urgent. With known
    GDM or PGDM (`diabetes`; the targets are hers, DOMAIN.md s.5): fasting or before a meal
    >= 5.3, 1 h after a meal >= 7.8, 2 h after >= 6.7 -> attention. Bedtime and random
    readings: urgent bounds only. Not the diagnostic OGTT cut-offs.
    """
    value = _value(reading)
    context = reading.glucose_context
    values: dict[str, object] = {"glucose_mmol_l": value, "context": str(context)}
    if value < t.glucose_low:
        return [
            _finding(
                "glucose_low",
                Grade.URGENT,
                SignKind.GLUCOSE,
                {**values, "limit": t.glucose_low},
                "seek_care_now",
                basis="glucose_low",
            )
        ]
    if value >= t.glucose_very_high:
        return [
            _finding(
                "glucose_very_high",
                Grade.URGENT,
                SignKind.GLUCOSE,
                {**values, "limit": t.glucose_very_high},
                "seek_care_now",
                basis="glucose_very_high",
            )
        ]
    target_name = _GLUCOSE_TARGETS.get(context) if context is not None else None
    if target_name is None or not diabetes:
        return []
    target: float = getattr(t, target_name)
    if value < target:
        return []
    return [
        _finding(
            "glucose_above_target",
            Grade.ATTENTION,
            SignKind.GLUCOSE,
            {**values, "limit": target},
            "contact_clinician_24h",
            basis=target_name,
        )
    ]


def _grade_fetal_heart_rate(bpm: float, t: Thresholds) -> list[Finding]:
    """Home-doppler FHR: outside 110-160 bpm -> attention [S]; < 100 or > 180 -> urgent [P]."""
    values: dict[str, object] = {"fhr_bpm": bpm}
    if bpm < t.fhr_urgent_low:
        return [
            _finding(
                "fhr_very_low",
                Grade.URGENT,
                SignKind.FETAL_HEART_RATE,
                {**values, "limit": t.fhr_urgent_low},
                "seek_care_now",
                basis="fhr_urgent_low",
            )
        ]
    if bpm > t.fhr_urgent_high:
        return [
            _finding(
                "fhr_very_high",
                Grade.URGENT,
                SignKind.FETAL_HEART_RATE,
                {**values, "limit": t.fhr_urgent_high},
                "seek_care_now",
                basis="fhr_urgent_high",
            )
        ]
    if bpm < t.fhr_normal_low:
        return [
            _finding(
                "fhr_low",
                Grade.ATTENTION,
                SignKind.FETAL_HEART_RATE,
                {**values, "limit": t.fhr_normal_low},
                "contact_clinician_24h",
                basis="fhr_normal_low",
            )
        ]
    if bpm > t.fhr_normal_high:
        return [
            _finding(
                "fhr_high",
                Grade.ATTENTION,
                SignKind.FETAL_HEART_RATE,
                {**values, "limit": t.fhr_normal_high},
                "contact_clinician_24h",
                basis="fhr_normal_high",
            )
        ]
    return []


def _grade_fetal_movements(
    reading: Reading, earlier: Sequence[Reading], ga: GestationalAge | None, t: Thresholds
) -> list[Finding]:
    """Fetal movement counts from 28+0 weeks, textbook rule [S]; baseline window [P].

    Before 28+0 (or with no GA): no finding. None felt in any period -> urgent. Fewer
    than 10 in the two-hour count-to-ten -> urgent. A one-hour count at or below 50% of
    her usual -> attention, "usual" being the mean of her one-hour counts in the 7 days
    before, when there are at least 3 of them.
    """
    if ga is None or ga < t.movements_from:
        return []
    count = _value(reading)
    period = reading.movement_period
    values: dict[str, object] = {"count": int(count), "period": str(period), "ga": str(ga)}
    if count == 0:
        return [
            _finding(
                "movements_none",
                Grade.URGENT,
                SignKind.FETAL_MOVEMENTS,
                values,
                "seek_care_now",
                basis="movements_two_hour_min",
            )
        ]
    if period == MovementPeriod.TWO_HOUR_COUNT_TO_TEN:
        if count >= t.movements_two_hour_min:
            return []
        return [
            _finding(
                "movements_below_minimum",
                Grade.URGENT,
                SignKind.FETAL_MOVEMENTS,
                {**values, "limit": t.movements_two_hour_min},
                "seek_care_now",
                basis="movements_two_hour_min",
            )
        ]
    window_start = reading.measured_at - timedelta(days=t.movements_baseline_days)
    baseline = [
        _value(previous)
        for previous in earlier
        if previous.kind == SignKind.FETAL_MOVEMENTS
        and previous.movement_period == MovementPeriod.ONE_HOUR_COUNT
        and previous.measured_at >= window_start
    ]
    if len(baseline) < t.movements_baseline_min_counts:
        return []
    usual = fmean(baseline)
    # "At or below" the fraction of her mean, compared exactly: count <= fraction * sum / n
    # (in floats 0.3 * 70 / 3 is 6.999..., so a count of exactly 7 would escape).
    if exact(count) * len(baseline) > exact(t.movements_fall_fraction) * sum(
        exact(b) for b in baseline
    ):
        return []
    return [
        _finding(
            "movements_fall",
            Grade.ATTENTION,
            SignKind.FETAL_MOVEMENTS,
            {
                **values,
                "usual_count": round(usual, 1),
                "usual_from_counts": len(baseline),
                "fall_fraction": t.movements_fall_fraction,
            },
            "contact_clinician_24h",
            basis="movements_fall_fraction",
        )
    ]


def _grade_pulse(bpm: float, t: Thresholds) -> list[Finding]:
    """Resting pulse, local policy [P]: > 120 -> urgent; > 100 or < 50 -> attention."""
    values: dict[str, object] = {"pulse_bpm": bpm}
    if bpm > t.pulse_urgent_high:
        return [
            _finding(
                "pulse_very_high",
                Grade.URGENT,
                SignKind.PULSE,
                {**values, "limit": t.pulse_urgent_high},
                "seek_care_now",
                basis="pulse_urgent_high",
            )
        ]
    if bpm > t.pulse_high:
        return [
            _finding(
                "pulse_high",
                Grade.ATTENTION,
                SignKind.PULSE,
                {**values, "limit": t.pulse_high},
                "contact_clinician_24h",
                basis="pulse_high",
            )
        ]
    if bpm < t.pulse_low:
        return [
            _finding(
                "pulse_low",
                Grade.ATTENTION,
                SignKind.PULSE,
                {**values, "limit": t.pulse_low},
                "contact_clinician_24h",
                basis="pulse_low",
            )
        ]
    return []


def _grade_temperature(celsius: float, t: Thresholds) -> list[Finding]:
    """Temperature: >= 38.0 °C -> urgent, AIM warning signs [V]; >= 37.3 -> attention [P]."""
    values: dict[str, object] = {"temperature_c": celsius}
    if celsius >= t.temperature_fever:
        return [
            _finding(
                "fever",
                Grade.URGENT,
                SignKind.TEMPERATURE,
                {**values, "limit": t.temperature_fever},
                "seek_care_now",
                basis="temperature_fever",
            )
        ]
    if celsius >= t.temperature_raised:
        return [
            _finding(
                "temperature_raised",
                Grade.ATTENTION,
                SignKind.TEMPERATURE,
                {**values, "limit": t.temperature_raised},
                "contact_clinician_24h",
                basis="temperature_raised",
            )
        ]
    return []


@dataclass(frozen=True)
class _WeekGain:
    start: Reading
    end: Reading
    days: float
    gain_kg: float  # per 7 days, rounded to 0.01 kg


def _grade_weight(
    reading: Reading,
    earlier: Sequence[Reading],
    ga: GestationalAge | None,
    bmi_category: BmiCategory | None,
    pre_pregnancy_weight_kg: float | None,
    t: Thresholds,
) -> list[Finding]:
    """Weekly weight gain in mid/late pregnancy (from 14+0 [P]).

    A week's gain is the change from the weight nearest to 7 days before, taken 5-9 days
    before [P], scaled to 7 days and rounded to 0.01 kg. Gain outside her WS/T 801-2022
    weekly range [S] in each of 2 consecutive weeks (both starting from 14+0) -> attention;
    needs ``bmi_category``. Gain above 1 kg in the latest week -> advice to check BP, or
    attention when she reports oedema with this reading [P].
    """
    if ga is None or ga < t.weight_from:
        return []
    weights = [previous for previous in earlier if previous.kind == SignKind.WEIGHT]
    latest = _week_gain(reading, weights, t)
    if latest is None:
        return []
    common: dict[str, object] = {"weight_kg": _value(reading), "ga": str(ga)}
    if pre_pregnancy_weight_kg is not None:
        common["total_gain_kg"] = round_half_up(
            exact(_value(reading)) - exact(pre_pregnancy_weight_kg), _WEIGHT_DECIMALS
        )
    findings: list[Finding] = []

    if bmi_category is not None:
        low, high = t.weight_gain_table[bmi_category].weekly_range_kg
        weeks = _consecutive_weeks(reading, latest, weights, ga, t)
        if len(weeks) == t.weight_out_of_range_weeks and all(
            not low <= week.gain_kg <= high for week in weeks
        ):
            findings.append(
                _finding(
                    "weight_gain_out_of_range",
                    Grade.ATTENTION,
                    SignKind.WEIGHT,
                    {
                        **common,
                        "weekly_gains_kg": [week.gain_kg for week in weeks],
                        "weekly_range_kg": [low, high],
                        "bmi_category": str(bmi_category),
                    },
                    "contact_clinician_24h",
                    basis="weight_gain_table",
                )
            )

    if latest.gain_kg > t.weight_fast_gain_kg:
        oedema = Symptom.OEDEMA in reading.symptoms
        findings.append(
            _finding(
                "weight_gain_fast",
                # DOMAIN.md s.5 puts ">1 kg in a week with oedema" in the urgent column [P].
                Grade.URGENT if oedema else Grade.ADVICE,
                SignKind.WEIGHT,
                {
                    **common,
                    "weekly_gain_kg": latest.gain_kg,
                    "over_days": round(latest.days, 1),
                    "limit_kg": t.weight_fast_gain_kg,
                    "oedema": oedema,
                },
                "check_bp",
                basis="weight_fast_gain_kg",
            )
        )
    return findings


def _week_gain(end: Reading, weights: Sequence[Reading], t: Thresholds) -> _WeekGain | None:
    """Gain to ``end`` from the weight nearest to 7 days before it, within the window."""
    candidates = [
        previous
        for previous in weights
        if t.weight_week_min_days
        <= _days_between(previous.measured_at, end.measured_at)
        <= t.weight_week_max_days
    ]
    if not candidates:
        return None
    # Nearest to 7 days; of two equally near, the more recent.
    start = min(
        candidates,
        key=lambda previous: (
            abs(_days_between(previous.measured_at, end.measured_at) - DAYS_PER_WEEK),
            -previous.measured_at.timestamp(),
        ),
    )
    days = _days_between(start.measured_at, end.measured_at)
    gain = (exact(_value(end)) - exact(_value(start))) * DAYS_PER_WEEK / exact(days)
    return _WeekGain(start=start, end=end, days=days, gain_kg=round_half_up(gain, _WEIGHT_DECIMALS))


def _consecutive_weeks(
    reading: Reading,
    latest: _WeekGain,
    weights: Sequence[Reading],
    ga: GestationalAge,
    t: Thresholds,
) -> list[_WeekGain]:
    """Up to ``weight_out_of_range_weeks`` back-to-back weeks ending at ``reading``.

    Stops at a gap or at a week starting before ``weight_from``; most recent first.
    """
    weeks: list[_WeekGain] = []
    week: _WeekGain | None = latest
    while week is not None and len(weeks) < t.weight_out_of_range_weeks:
        if _ga_days_at(week.start.measured_at, reading.measured_at, ga) < t.weight_from.days:
            break
        weeks.append(week)
        week = _week_gain(week.start, weights, t)
    return weeks


def _grade_fundal_height(
    reading: Reading, earlier: Sequence[Reading], ga: GestationalAge | None, t: Thresholds
) -> list[Finding]:
    """SFH against INTERGROWTH-21st (BMJ 2016;355:i5662) [V]; the rules are [P].

    Only 16+0 to 42+0 weeks (the standard's range); no GA, no finding. Below P10 ->
    attention; below P10 on 3 consecutive measurements (this and the 2 before, each
    against the P10 of its own GA) -> attention with an ultrasound check, instead of the
    single below-P10 finding. Above P90 -> attention. Centiles are compared unrounded.
    No increase over the last 2 measurements (this <= previous <= the one before) ->
    attention, whatever the centile.
    """
    if ga is None or not _sfh_in_range(ga.days):
        return []
    sfh = _value(reading)
    weeks = ga.days / DAYS_PER_WEEK
    low = sfh_centile(weeks, t.sfh_low_z)
    high = sfh_centile(weeks, t.sfh_high_z)
    values: dict[str, object] = {
        "sfh_cm": sfh,
        "ga": str(ga),
        "low_centile_cm": round(low, 1),
        "high_centile_cm": round(high, 1),
        "low_z": t.sfh_low_z,
        "high_z": t.sfh_high_z,
    }
    previous = [
        earlier_sfh for earlier_sfh in earlier if earlier_sfh.kind == SignKind.FUNDAL_HEIGHT
    ]
    findings: list[Finding] = []
    if sfh < low:
        before = previous[len(previous) - (t.sfh_low_repeat_count - 1) :]
        repeated = len(before) == t.sfh_low_repeat_count - 1 and all(
            _sfh_below_low(earlier_sfh, reading, ga, t) for earlier_sfh in before
        )
        if repeated:
            findings.append(
                _finding(
                    "sfh_low_repeated",
                    # DOMAIN.md s.5 puts "below P10 on 3 consecutive measurements" urgent [P].
                    Grade.URGENT,
                    SignKind.FUNDAL_HEIGHT,
                    {**values, "previous_sfh_cm": [_value(r) for r in reversed(before)]},
                    "ultrasound_check",
                    basis="sfh_low_repeat_count",
                )
            )
        else:
            findings.append(
                _finding(
                    "sfh_low",
                    Grade.ATTENTION,
                    SignKind.FUNDAL_HEIGHT,
                    values,
                    "contact_clinician_24h",
                    basis="sfh_low_z",
                )
            )
    elif sfh > high:
        findings.append(
            _finding(
                "sfh_high",
                Grade.ATTENTION,
                SignKind.FUNDAL_HEIGHT,
                values,
                "contact_clinician_24h",
                basis="sfh_high_z",
            )
        )
    chain = previous[len(previous) - t.sfh_flat_measurements :]
    if len(chain) == t.sfh_flat_measurements:
        series = [*(_value(r) for r in chain), sfh]
        if all(later <= before for before, later in pairwise(series)):
            findings.append(
                _finding(
                    "sfh_not_increasing",
                    Grade.ATTENTION,
                    SignKind.FUNDAL_HEIGHT,
                    {**values, "previous_sfh_cm": [_value(r) for r in reversed(chain)]},
                    "contact_clinician_24h",
                    basis="sfh_flat_measurements",
                )
            )
    return findings


def _sfh_below_low(
    earlier_sfh: Reading, reading: Reading, ga: GestationalAge, t: Thresholds
) -> bool:
    """Whether an earlier SFH was below the low centile for its own GA (False outside 16-42)."""
    days = _ga_days_at(earlier_sfh.measured_at, reading.measured_at, ga)
    if not _sfh_in_range(days):
        return False
    return _value(earlier_sfh) < sfh_centile(days / DAYS_PER_WEEK, t.sfh_low_z)


def _sfh_in_range(ga_days: float) -> bool:
    return SFH_MIN_GA_WEEKS * DAYS_PER_WEEK <= ga_days <= SFH_MAX_GA_WEEKS * DAYS_PER_WEEK


def _finding(
    rule: str,
    grade: Grade,
    sign: SignKind,
    values: dict[str, object],
    action: str,
    *,
    basis: str,
) -> Finding:
    """Build a finding whose source and mark are those of threshold ``basis``."""
    source, confidence = THRESHOLD_SOURCES[basis]
    return Finding(
        rule=rule,
        grade=grade,
        sign=sign,
        values=values,
        action=action,
        source=source,
        confidence=confidence,
    )


def _earlier(reading: Reading, history: Sequence[Reading]) -> list[Reading]:
    """History of the same sign strictly before ``reading``, oldest first (each sign's rules
    look back at that sign alone)."""
    kind, moment = reading.kind, reading.measured_at
    return sorted(
        (p for p in history if p.kind == kind and p.measured_at < moment),
        key=lambda previous: previous.measured_at,
    )


def _ga_days_at(moment: datetime, reference: datetime, ga_at_reference: GestationalAge) -> float:
    """GA in (fractional) days at ``moment``, given the GA at ``reference``."""
    return ga_at_reference.days - _days_between(moment, reference)


def _days_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / _SECONDS_PER_DAY


def _value(reading: Reading) -> float:
    assert reading.value is not None  # checked by check_reading
    return reading.value
