"""Disease risk prediction (FI-4): transparent checks, each listing what drove it and what the
clinician may consider. Nothing here prescribes.

Two parts:

* **Risk-factor checks** (pre-eclampsia, GDM needing an early OGTT, preterm birth): a
  :class:`FactorRule` lists its factors, each with source and mark, and a combination rule
  (at least ``high_needed`` high-risk factors, or ``moderate_needed`` moderate ones).
  :data:`FACTOR_RULES` holds only the rules DOMAIN.md states; today it states none of these
  factor lists (DOMAIN.md sections 4, 5 and 7 name the five-colour items, not these risks), so
  the table is empty and :func:`risk_factor_predictions` finds nothing until a rule is added
  from DOMAIN.md with its source. The factor lists of the guidelines the requirement names
  (USPSTF 2021 / ACOG 743 / 妊娠期高血压疾病诊治指南 2020, 妊娠期高血糖诊治指南 2022, ACOG PB
  234), each factor with its source and mark, are in :mod:`anyun.clinical.prediction_factors`.
* **Trend warnings** from her own readings, on the thresholds of DOMAIN.md section 5 as the
  hospital configured them (:class:`~anyun.clinical.alarm_thresholds.Thresholds`) and the
  INTERGROWTH-21st fundal-height standard (:mod:`anyun.clinical.sfh`). How many readings make a
  trend is not in DOMAIN.md: those counts are local policy [P], hospital-configurable through
  :class:`TrendPolicy`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from itertools import pairwise
from types import MappingProxyType
from typing import Final, Literal

from anyun.clinical.alarm_thresholds import (
    DEFAULT_THRESHOLDS,
    THRESHOLD_SOURCES,
    Thresholds,
)
from anyun.clinical.dating import DAYS_PER_WEEK, gestational_age_on
from anyun.clinical.errors import clinical_error
from anyun.clinical.sfh import SFH_MAX_GA_WEEKS, SFH_MIN_GA_WEEKS, SFH_Z, sfh_z_score
from anyun.clinical.signs import GlucoseContext, Reading, SignKind

__all__ = [
    "DEFAULT_TREND_POLICY",
    "FACTOR_RULES",
    "TREND_SOURCES",
    "Confidence",
    "DrivingFactor",
    "FactorRule",
    "FactorWeight",
    "Prediction",
    "PredictionKind",
    "RiskFactor",
    "TrendPolicy",
    "bp_rising",
    "glucose_above_target",
    "risk_factor_prediction",
    "risk_factor_predictions",
    "sfh_falling",
    "trend_warnings",
]

Confidence = Literal["V", "S", "P"]


class PredictionKind(StrEnum):
    PRE_ECLAMPSIA = "pre_eclampsia"
    GDM_EARLY_OGTT = "gdm_early_ogtt"
    PRETERM_BIRTH = "preterm_birth"
    BP_RISING = "bp_rising"
    GLUCOSE_ABOVE_TARGET = "glucose_above_target"
    SFH_FALLING = "sfh_falling"


class FactorWeight(StrEnum):
    HIGH = "high"
    MODERATE = "moderate"


@dataclass(frozen=True)
class RiskFactor:
    """One factor of a rule: ``code`` is what the app records as present for her."""

    code: str
    weight: FactorWeight
    source: str
    confidence: Confidence


@dataclass(frozen=True)
class FactorRule:
    """A risk-factor check: it fires with ``high_needed`` high factors present, or with
    ``moderate_needed`` moderate ones. ``consider`` are codes of what the clinician may
    consider when it fires (the app words them)."""

    kind: PredictionKind
    factors: tuple[RiskFactor, ...]
    high_needed: int
    moderate_needed: int
    consider: tuple[str, ...]
    source: str
    confidence: Confidence


@dataclass(frozen=True)
class DrivingFactor:
    """What drove a prediction: a risk factor present, or a trend in her readings with the
    numbers it compared (JSON-friendly: numbers, strings, lists; times as ISO strings)."""

    code: str
    values: dict[str, object]
    source: str
    confidence: Confidence


@dataclass(frozen=True)
class Prediction:
    kind: PredictionKind
    factors: tuple[DrivingFactor, ...]
    consider: tuple[str, ...]
    source: str
    confidence: Confidence


# Only rules DOMAIN.md states. It gives no pre-eclampsia, early-OGTT or preterm-birth factor
# list (nor the aspirin window), so none is shipped: see the module docstring.
FACTOR_RULES: Final[Mapping[PredictionKind, FactorRule]] = MappingProxyType({})


def risk_factor_prediction(rule: FactorRule, present: Collection[str]) -> Prediction | None:
    """`rule` applied to the factor codes `present` for her; None when it does not fire.

    The prediction lists every factor of the rule that is present (high first, in the rule's
    order), whichever of them made it fire.
    """
    found = [factor for factor in rule.factors if factor.code in present]
    high = [f for f in found if f.weight is FactorWeight.HIGH]
    moderate = [f for f in found if f.weight is FactorWeight.MODERATE]
    if len(high) < rule.high_needed and len(moderate) < rule.moderate_needed:
        return None
    return Prediction(
        kind=rule.kind,
        factors=tuple(
            DrivingFactor(f.code, {"weight": str(f.weight)}, f.source, f.confidence)
            for f in (*high, *moderate)
        ),
        consider=rule.consider,
        source=rule.source,
        confidence=rule.confidence,
    )


def risk_factor_predictions(
    present: Collection[str], *, rules: Iterable[FactorRule] | None = None
) -> list[Prediction]:
    """Every rule of `rules` (default :data:`FACTOR_RULES`) that fires for `present`."""
    chosen = FACTOR_RULES.values() if rules is None else rules
    found = (risk_factor_prediction(rule, present) for rule in chosen)
    return [prediction for prediction in found if prediction is not None]


# --- Trend warnings ---


@dataclass(frozen=True)
class TrendPolicy:
    """How many readings make a trend: local policy [P], none of it in DOMAIN.md.

    BP: the last ``bp_rising_days`` days with a home BP (her last reading of each day) rise
    at each step, by ``bp_rising_min_rise_mmhg`` or more overall, systolic or diastolic.
    Glucose: on ``glucose_days_above`` or more days of the last ``glucose_window_days``, a
    reading at or above its target. SFH: over her last ``sfh_falling_measurements``
    measurements the z-score falls at each step and crosses ``sfh_falling_lines`` or more of
    the published centile lines (P97, P90, P50, P10, P3) downwards. Construction refuses a
    value outside the ranges below (``prediction_parameter_range``).
    """

    bp_rising_days: int = 3
    bp_rising_min_rise_mmhg: int = 10
    glucose_window_days: int = 7
    glucose_days_above: int = 3
    sfh_falling_measurements: int = 3
    sfh_falling_lines: int = 1

    def __post_init__(self) -> None:
        for name, (low, high) in _TREND_RANGES.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise clinical_error(
                    "prediction_parameter_range",
                    field=name,
                    name=name,
                    value=str(value),
                    min_value=low,
                    max_value=high,
                )
        if self.glucose_days_above > self.glucose_window_days:
            raise clinical_error(
                "prediction_parameter_order",
                field="glucose_days_above",
                lower="glucose_days_above",
                lower_value=self.glucose_days_above,
                upper="glucose_window_days",
                upper_value=self.glucose_window_days,
            )


# Guardrails of the values a hospital may set (local policy [P]).
_TREND_RANGES: Final = {
    "bp_rising_days": (2, 14),
    "bp_rising_min_rise_mmhg": (1, 60),
    "glucose_window_days": (1, 28),
    "glucose_days_above": (1, 28),
    "sfh_falling_measurements": (2, 10),
    "sfh_falling_lines": (1, 4),
}

DEFAULT_TREND_POLICY: Final = TrendPolicy()

BP_TREND_SOURCE: Final = "妊娠期高血压疾病诊治指南 (2020) thresholds; trend rule local policy"
GLUCOSE_TREND_SOURCE: Final = (
    "妊娠期高血糖诊治指南 (2022) self-monitoring targets; day count local policy"
)
SFH_TREND_SOURCE: Final = (
    "INTERGROWTH-21st SFH standard (Papageorghiou et al., BMJ 2016;355:i5662); "
    "trend rule local policy"
)

# Source and mark of each trend warning: the rule itself is [P] local policy.
TREND_SOURCES: Final[Mapping[PredictionKind, tuple[str, Confidence]]] = MappingProxyType(
    {
        PredictionKind.BP_RISING: (BP_TREND_SOURCE, "P"),
        PredictionKind.GLUCOSE_ABOVE_TARGET: (GLUCOSE_TREND_SOURCE, "P"),
        PredictionKind.SFH_FALLING: (SFH_TREND_SOURCE, "P"),
    }
)

# Which threshold is the target for each glucose context (as anyun.clinical.alarms grades
# a single reading); bedtime and random readings have no target.
_GLUCOSE_TARGETS: Final = {
    GlucoseContext.FASTING: "glucose_fasting_target",
    GlucoseContext.PRE_MEAL: "glucose_fasting_target",
    GlucoseContext.POST_MEAL_1H: "glucose_post_meal_1h_target",
    GlucoseContext.POST_MEAL_2H: "glucose_post_meal_2h_target",
}


def _trend(kind: PredictionKind, factors: Sequence[DrivingFactor], consider: str) -> Prediction:
    source, confidence = TREND_SOURCES[kind]
    return Prediction(kind, tuple(factors), (consider,), source, confidence)


def _of_kind(readings: Iterable[Reading], kind: SignKind) -> list[Reading]:
    return sorted((r for r in readings if r.kind == kind), key=lambda r: r.measured_at)


def bp_rising(
    readings: Iterable[Reading],
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    policy: TrendPolicy = DEFAULT_TREND_POLICY,
) -> Prediction | None:
    """A rising home blood pressure, or None (rule: :class:`TrendPolicy`, [P]).

    `readings` are hers, any kinds and order; the day of a reading is the date of its
    ``measured_at`` (pass times in the hospital's time zone). Each driving factor (systolic,
    diastolic) gives the day-by-day values, the rise, and whether the latest is at or above the
    attention threshold in force (``thresholds.bp_systolic_high``/``bp_diastolic_high``).
    """
    last_of_day: dict[date, Reading] = {}
    for reading in _of_kind(readings, SignKind.BLOOD_PRESSURE):
        last_of_day[reading.measured_at.date()] = reading
    days = sorted(last_of_day)[-policy.bp_rising_days :]
    if len(days) < policy.bp_rising_days:
        return None
    run = [last_of_day[day] for day in days]
    factors = []
    for name, threshold in (
        ("systolic", "bp_systolic_high"),
        ("diastolic", "bp_diastolic_high"),
    ):
        values = [int(getattr(r, name)) for r in run]
        rise = values[-1] - values[0]
        if all(b > a for a, b in pairwise(values)) and rise >= policy.bp_rising_min_rise_mmhg:
            line = getattr(thresholds, threshold)
            source, confidence = THRESHOLD_SOURCES[threshold]
            factors.append(
                DrivingFactor(
                    f"{name}_rising",
                    {
                        "days": [day.isoformat() for day in days],
                        "values_mmhg": values,
                        "rise_mmhg": rise,
                        "attention_mmhg": line,
                        "latest_at_or_above_attention": values[-1] >= line,
                    },
                    source,
                    confidence,
                )
            )
    return _trend(PredictionKind.BP_RISING, factors, "review_bp_trend") if factors else None


def glucose_above_target(
    readings: Iterable[Reading],
    *,
    today: date,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    policy: TrendPolicy = DEFAULT_TREND_POLICY,
) -> Prediction | None:
    """Glucose at or above target on several days of the last window, or None ([P] count).

    Precondition: she has known GDM or PGDM; the self-monitoring targets apply only then
    (DOMAIN.md s.5). The window is the ``glucose_window_days`` days ending `today`; readings
    after `today` are ignored. The driving factor lists each day above target with the
    readings that were, and their targets.
    """
    first = today - timedelta(days=policy.glucose_window_days - 1)
    above: dict[date, list[dict[str, object]]] = {}
    for reading in _of_kind(readings, SignKind.GLUCOSE):
        day = reading.measured_at.date()
        target_name = _GLUCOSE_TARGETS.get(reading.glucose_context)  # type: ignore[arg-type]
        if not first <= day <= today or target_name is None or reading.value is None:
            continue
        target = getattr(thresholds, target_name)
        if reading.value >= target:
            above.setdefault(day, []).append(
                {
                    "measured_at": reading.measured_at.isoformat(),
                    "context": str(reading.glucose_context),
                    "value_mmol_l": reading.value,
                    "target_mmol_l": target,
                }
            )
    if len(above) < policy.glucose_days_above:
        return None
    source, confidence = THRESHOLD_SOURCES["glucose_fasting_target"]
    factor = DrivingFactor(
        "glucose_days_above_target",
        {
            "window_days": policy.glucose_window_days,
            "days_needed": policy.glucose_days_above,
            "days": [{"day": day.isoformat(), "readings": above[day]} for day in sorted(above)],
        },
        source,
        confidence,
    )
    return _trend(PredictionKind.GLUCOSE_ABOVE_TARGET, [factor], "review_glucose_control")


# The published centile lines, highest first.
_CENTILE_LINES: Final = tuple(sorted(SFH_Z.items(), key=lambda item: -item[1]))


def sfh_falling(
    readings: Iterable[Reading],
    *,
    edd: date,
    policy: TrendPolicy = DEFAULT_TREND_POLICY,
) -> Prediction | None:
    """Fundal height crossing INTERGROWTH-21st centiles downwards, or None ([P] rule).

    Her GA at each measurement is from `edd` (the date of ``measured_at``); measurements
    outside the standard's 16-42 weeks are left out. The driving factor gives each
    measurement's GA, value and z, and the centile lines crossed.
    """
    measured = []
    for reading in _of_kind(readings, SignKind.FUNDAL_HEIGHT):
        days = gestational_age_on(edd, reading.measured_at.date()).days
        if reading.value is None or not _sfh_in_range(days):
            continue
        weeks = days / DAYS_PER_WEEK
        measured.append(
            (reading.measured_at, days, reading.value, sfh_z_score(weeks, reading.value))
        )
    run = measured[-policy.sfh_falling_measurements :]
    if len(run) < policy.sfh_falling_measurements:
        return None
    zs = [z for *_, z in run]
    crossed = [name for name, line in _CENTILE_LINES if zs[0] >= line > zs[-1]]
    if not all(b < a for a, b in pairwise(zs)) or len(crossed) < policy.sfh_falling_lines:
        return None
    source, confidence = TREND_SOURCES[PredictionKind.SFH_FALLING]
    factor = DrivingFactor(
        "sfh_crossing_centiles_down",
        {
            "measurements": [
                {
                    "measured_at": _iso(moment),
                    "ga": f"{days // DAYS_PER_WEEK}+{days % DAYS_PER_WEEK}",
                    "sfh_cm": value,
                    "z": round(z, 2),
                }
                for moment, days, value, z in run
            ],
            "centiles_crossed": crossed,
        },
        source,
        confidence,
    )
    return _trend(PredictionKind.SFH_FALLING, [factor], "review_fetal_growth")


def trend_warnings(
    readings: Sequence[Reading],
    *,
    today: date,
    edd: date | None,
    glucose_targets_apply: bool,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    policy: TrendPolicy = DEFAULT_TREND_POLICY,
) -> list[Prediction]:
    """Every trend warning for her readings up to `today`. `glucose_targets_apply`: she has
    known GDM/PGDM (DOMAIN.md s.5); without an `edd` the fundal-height trend is not checked."""
    upto = [r for r in readings if r.measured_at.date() <= today]
    found = [
        bp_rising(upto, thresholds=thresholds, policy=policy),
        glucose_above_target(upto, today=today, thresholds=thresholds, policy=policy)
        if glucose_targets_apply
        else None,
        sfh_falling(upto, edd=edd, policy=policy) if edd is not None else None,
    ]
    return [prediction for prediction in found if prediction is not None]


def _sfh_in_range(ga_days: int) -> bool:
    return SFH_MIN_GA_WEEKS * DAYS_PER_WEEK <= ga_days <= SFH_MAX_GA_WEEKS * DAYS_PER_WEEK


def _iso(moment: datetime) -> str:
    return moment.isoformat()
