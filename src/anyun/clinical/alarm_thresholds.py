"""Home-monitoring alarm thresholds, with the source and mark of each.

Source: DOMAIN.md section 5 (FA-3, FB-9); the primary source and confidence mark of each
threshold are in :data:`THRESHOLD_SOURCES`. [S] and [P] values are hospital-configurable:
build a :class:`Thresholds` with the hospital's values and pass it to
:func:`anyun.clinical.alarms.evaluate`; :data:`DEFAULT_THRESHOLDS` holds the defaults to
show beside each setting.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from typing import Final, Literal

from anyun.clinical.dating import SECOND_TRIMESTER_START, THIRD_TRIMESTER_START, GestationalAge
from anyun.clinical.errors import ClinicalValueError, clinical_error
from anyun.clinical.sfh import SFH_Z
from anyun.clinical.weight_gain_table import (
    WEIGHT_GAIN_TABLE,
    BmiCategory,
    WeightGainRecommendation,
)

__all__ = [
    "DEFAULT_POLICY",
    "DEFAULT_THRESHOLDS",
    "FIRST_HIGH_BP_GRADES",
    "ORDER_RULES",
    "SAFE_RANGES",
    "THRESHOLD_SOURCES",
    "AlarmPolicy",
    "Confidence",
    "OrderRule",
    "Thresholds",
    "order_violation",
    "threshold_value",
    "thresholds_changed",
]

Confidence = Literal["V", "S", "P"]


def _default_weight_gain_table() -> Mapping[BmiCategory, WeightGainRecommendation]:
    return WEIGHT_GAIN_TABLE


@dataclass(frozen=True)
class Thresholds:
    """Every alarm threshold; field comments say how each one compares.

    Sources and marks: :data:`THRESHOLD_SOURCES`. Construction refuses a count, duration
    or fraction that is not above 0 (``alarm_threshold_positive``) and values in the wrong
    order, e.g. an urgent bound inside the attention band (``alarm_threshold_order``).
    """

    # Blood pressure, mmHg: "high" is SBP >= or DBP >= (attention after a repeat);
    # "severe" likewise (urgent).
    bp_systolic_high: int = 140
    bp_diastolic_high: int = 90
    bp_systolic_severe: int = 160
    bp_diastolic_severe: int = 110
    # An earlier high reading confirms a high one when it is this far before it (inclusive).
    bp_confirm_min_gap_hours: float = 4.0
    bp_confirm_max_gap_days: float = 7.0

    # Capillary glucose, mmol/L: attention at or above the target for the context
    # (fasting target also used before meals); urgent below glucose_low or at or above
    # glucose_very_high in any context.
    glucose_fasting_target: float = 5.3
    glucose_post_meal_1h_target: float = 7.8
    glucose_post_meal_2h_target: float = 6.7
    glucose_low: float = 3.3
    glucose_very_high: float = 11.1

    # Fetal heart rate, bpm: attention outside normal_low..normal_high (inclusive);
    # urgent below urgent_low or above urgent_high.
    fhr_normal_low: int = 110
    fhr_normal_high: int = 160
    fhr_urgent_low: int = 100
    fhr_urgent_high: int = 180

    # Fetal movements, graded from this GA on. Two-hour count below the minimum: urgent.
    # One-hour count at or below fall_fraction x her usual: attention; "usual" is the mean
    # of her one-hour counts in the baseline days before, needing at least min_counts.
    movements_from: GestationalAge = THIRD_TRIMESTER_START
    movements_two_hour_min: int = 10
    movements_fall_fraction: float = 0.5
    movements_baseline_days: float = 7.0
    movements_baseline_min_counts: int = 3

    # Resting pulse, bpm: attention above pulse_high or below pulse_low; urgent above
    # pulse_urgent_high.
    pulse_low: int = 50
    pulse_high: int = 100
    pulse_urgent_high: int = 120

    # Temperature, °C: attention at or above raised; urgent at or above fever.
    temperature_raised: float = 37.3
    temperature_fever: float = 38.0

    # Weight, graded from this GA on. A week's gain is measured against the reading
    # nearest to 7 days before, taken within min_days..max_days. Attention when the
    # weekly gain is outside her WS/T 801 weekly range in out_of_range_weeks consecutive
    # weeks; a weekly gain above fast_gain_kg asks for a BP check.
    weight_from: GestationalAge = SECOND_TRIMESTER_START
    weight_week_min_days: float = 5.0
    weight_week_max_days: float = 9.0
    weight_out_of_range_weeks: int = 2
    weight_fast_gain_kg: float = 1.0
    weight_gain_table: Mapping[BmiCategory, WeightGainRecommendation] = field(
        default_factory=_default_weight_gain_table
    )

    # Fundal height, z of INTERGROWTH-21st: attention below low_z (P10) or above high_z
    # (P90); below low_z on low_repeat_count consecutive measurements -> ultrasound;
    # no increase over flat_measurements measurements -> attention.
    sfh_low_z: float = SFH_Z["P10"]
    sfh_high_z: float = SFH_Z["P90"]
    sfh_low_repeat_count: int = 3
    sfh_flat_measurements: int = 2

    def __post_init__(self) -> None:
        for name in _POSITIVE:
            value = getattr(self, name)
            if not value > 0:
                raise clinical_error("alarm_threshold_positive", field=name, name=name, value=value)
        broken = order_violation(self)
        if broken is not None:
            raise broken.error(self)


# Counts, durations and fractions must be above zero.
_POSITIVE: Final = (
    "bp_confirm_min_gap_hours",
    "bp_confirm_max_gap_days",
    "glucose_low",
    "movements_two_hour_min",
    "movements_fall_fraction",
    "movements_baseline_days",
    "movements_baseline_min_counts",
    "weight_week_min_days",
    "weight_out_of_range_weeks",
    "weight_fast_gain_kg",
    "sfh_low_repeat_count",
    "sfh_flat_measurements",
)


@dataclass(frozen=True)
class OrderRule:
    """Threshold `lower` must be strictly below threshold `upper` in every set in force.

    Without it a hospital could, say, put the high systolic limit at or above the severe one,
    so that readings the guideline calls urgent are only ever graded for attention.
    """

    lower: str
    upper: str

    def holds(self, thresholds: Thresholds) -> bool:
        return bool(getattr(thresholds, self.lower) < getattr(thresholds, self.upper))

    def error(self, thresholds: Thresholds) -> ClinicalValueError:
        """The refusal naming both thresholds and their values (``alarm_threshold_order``)."""
        return clinical_error(
            "alarm_threshold_order",
            field=self.upper,
            lower=self.lower,
            lower_value=_json_friendly(getattr(thresholds, self.lower)),
            upper=self.upper,
            upper_value=_json_friendly(getattr(thresholds, self.upper)),
        )


# The order between thresholds, each pair strictly increasing (chains, so no rule is implied
# by two others): the attention bound below the urgent one for BP (妊娠期高血压疾病诊治指南
# 2020: 140/90 < 160/110), pulse and temperature; the glucose targets between the
# hypoglycaemia and the very-high bounds, rising fasting < 2 h < 1 h after a meal as the
# guideline's targets do (妊娠期高血糖诊治指南 2022: 5.3 < 6.7 < 7.8 mmol/L); the FHR urgent
# bounds outside the normal range; the weight-week window and the SFH centiles in order.
ORDER_RULES: Final = (
    OrderRule("bp_systolic_high", "bp_systolic_severe"),
    OrderRule("bp_diastolic_high", "bp_diastolic_severe"),
    OrderRule("glucose_low", "glucose_fasting_target"),
    OrderRule("glucose_fasting_target", "glucose_post_meal_2h_target"),
    OrderRule("glucose_post_meal_2h_target", "glucose_post_meal_1h_target"),
    OrderRule("glucose_post_meal_1h_target", "glucose_very_high"),
    OrderRule("fhr_urgent_low", "fhr_normal_low"),
    OrderRule("fhr_normal_low", "fhr_normal_high"),
    OrderRule("fhr_normal_high", "fhr_urgent_high"),
    OrderRule("pulse_low", "pulse_high"),
    OrderRule("pulse_high", "pulse_urgent_high"),
    OrderRule("temperature_raised", "temperature_fever"),
    OrderRule("weight_week_min_days", "weight_week_max_days"),
    OrderRule("sfh_low_z", "sfh_high_z"),
)


def order_violation(thresholds: Thresholds) -> OrderRule | None:
    """The first rule of :data:`ORDER_RULES` that `thresholds` breaks, or None."""
    for rule in ORDER_RULES:
        if not rule.holds(thresholds):
            return rule
    return None


def _json_friendly(value: object) -> object:
    return str(value) if isinstance(value, GestationalAge) else value


BP_GUIDELINE: Final = "妊娠期高血压疾病诊治指南 (2020)"
GLUCOSE_GUIDELINE: Final = "妊娠期高血糖诊治指南 (2022), self-monitoring targets"
LOCAL_POLICY: Final = "Hospital local policy"
FHR_NORMAL_RANGE: Final = "Normal fetal heart rate range, obstetrics textbooks"
MOVEMENT_RULE: Final = "Fetal movement counting, obstetrics textbook rule"
AIM_WARNING_SIGNS: Final = "AIM Urgent Maternal Warning Signs"
WST_801: Final = "WS/T 801-2022 《妊娠期妇女体重增长推荐值标准》"
INTERGROWTH_SFH: Final = (
    "INTERGROWTH-21st SFH standard (Papageorghiou et al., BMJ 2016;355:i5662); "
    "alarm rule local policy"
)

# Source and confidence mark of each threshold, from DOMAIN.md section 5.
THRESHOLD_SOURCES: Final[dict[str, tuple[str, Confidence]]] = {
    "bp_systolic_high": (BP_GUIDELINE, "S"),
    "bp_diastolic_high": (BP_GUIDELINE, "S"),
    "bp_systolic_severe": (BP_GUIDELINE, "S"),
    "bp_diastolic_severe": (BP_GUIDELINE, "S"),
    "bp_confirm_min_gap_hours": (BP_GUIDELINE, "S"),
    "bp_confirm_max_gap_days": (LOCAL_POLICY, "P"),
    "glucose_fasting_target": (GLUCOSE_GUIDELINE, "S"),
    "glucose_post_meal_1h_target": (GLUCOSE_GUIDELINE, "S"),
    "glucose_post_meal_2h_target": (GLUCOSE_GUIDELINE, "S"),
    "glucose_low": (LOCAL_POLICY, "P"),
    "glucose_very_high": (LOCAL_POLICY, "P"),
    "fhr_normal_low": (FHR_NORMAL_RANGE, "S"),
    "fhr_normal_high": (FHR_NORMAL_RANGE, "S"),
    "fhr_urgent_low": (LOCAL_POLICY, "P"),
    "fhr_urgent_high": (LOCAL_POLICY, "P"),
    "movements_from": (MOVEMENT_RULE, "S"),
    "movements_two_hour_min": (MOVEMENT_RULE, "S"),
    "movements_fall_fraction": (MOVEMENT_RULE, "S"),
    "movements_baseline_days": (LOCAL_POLICY, "P"),
    "movements_baseline_min_counts": (LOCAL_POLICY, "P"),
    "pulse_low": (LOCAL_POLICY, "P"),
    "pulse_high": (LOCAL_POLICY, "P"),
    "pulse_urgent_high": (LOCAL_POLICY, "P"),
    "temperature_raised": (LOCAL_POLICY, "P"),
    "temperature_fever": (AIM_WARNING_SIGNS, "V"),
    "weight_from": (LOCAL_POLICY, "P"),
    "weight_week_min_days": (LOCAL_POLICY, "P"),
    "weight_week_max_days": (LOCAL_POLICY, "P"),
    "weight_out_of_range_weeks": (WST_801, "S"),
    "weight_fast_gain_kg": (LOCAL_POLICY, "P"),
    "weight_gain_table": (WST_801, "S"),
    "sfh_low_z": (INTERGROWTH_SFH, "P"),
    "sfh_high_z": (INTERGROWTH_SFH, "P"),
    "sfh_low_repeat_count": (INTERGROWTH_SFH, "P"),
    "sfh_flat_measurements": (INTERGROWTH_SFH, "P"),
}

DEFAULT_THRESHOLDS: Final = Thresholds()


def _range(low: str, high: str) -> tuple[Decimal, Decimal]:
    return Decimal(low), Decimal(high)


# The values a hospital may set for each configurable threshold: a guardrail of local policy
# [P], not a clinical rule. Each range holds the default above; the urgent bounds cannot be
# moved so far that readings the guideline calls urgent go unflagged for long, and the
# attention bounds stay near the guideline's. Values outside are refused before they are
# stored. Example: severe systolic 150-180 mmHg.
SAFE_RANGES: Final[dict[str, tuple[Decimal, Decimal]]] = {
    "bp_systolic_high": _range("130", "150"),
    "bp_diastolic_high": _range("80", "100"),
    "bp_systolic_severe": _range("150", "180"),
    "bp_diastolic_severe": _range("100", "120"),
    "bp_confirm_min_gap_hours": _range("1", "12"),
    "bp_confirm_max_gap_days": _range("1", "14"),
    "glucose_fasting_target": _range("4.5", "6.1"),
    "glucose_post_meal_1h_target": _range("6.7", "10.0"),
    "glucose_post_meal_2h_target": _range("5.6", "8.5"),
    "glucose_low": _range("2.8", "4.0"),
    "glucose_very_high": _range("10.0", "16.7"),
    "fhr_normal_low": _range("100", "120"),
    "fhr_normal_high": _range("150", "170"),
    "fhr_urgent_low": _range("80", "110"),
    "fhr_urgent_high": _range("160", "200"),
    "movements_two_hour_min": _range("6", "12"),
    "movements_fall_fraction": _range("0.3", "0.7"),
    "movements_baseline_days": _range("3", "14"),
    "movements_baseline_min_counts": _range("2", "10"),
    "pulse_low": _range("40", "60"),
    "pulse_high": _range("90", "110"),
    "pulse_urgent_high": _range("110", "140"),
    "temperature_raised": _range("37.0", "37.8"),
    "weight_week_min_days": _range("3", "7"),
    "weight_week_max_days": _range("7", "11"),
    "weight_out_of_range_weeks": _range("1", "4"),
    "weight_fast_gain_kg": _range("0.5", "2.0"),
    "sfh_low_z": _range("-2.33", "-0.67"),
    "sfh_high_z": _range("0.67", "2.33"),
    "sfh_low_repeat_count": _range("1", "5"),
    "sfh_flat_measurements": _range("2", "5"),
}

_FIELD_TYPES: Final = {
    f.name: type(getattr(DEFAULT_THRESHOLDS, f.name)) for f in fields(Thresholds)
}


def threshold_value(name: str, value: Decimal | str) -> int | float:
    """A hospital's `value` for the configurable threshold `name`, checked and typed.

    Refuses a value that is not a finite number (``alarm_threshold_not_number``), a fraction
    for a threshold that counts whole units (``alarm_threshold_whole``) and a value outside
    :data:`SAFE_RANGES` (``alarm_threshold_range``); a threshold without a range is not
    configurable (``alarm_threshold_fixed``). The order between thresholds is checked when a
    :class:`Thresholds` is built from the result.
    """
    if name not in SAFE_RANGES:
        raise clinical_error("alarm_threshold_fixed", field=name, name=name)
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise clinical_error("alarm_threshold_not_number", field=name, name=name)
    low, high = SAFE_RANGES[name]
    if not low <= number <= high:
        raise clinical_error(
            "alarm_threshold_range",
            field=name,
            name=name,
            value=str(number),
            min_value=str(low),
            max_value=str(high),
        )
    if _FIELD_TYPES[name] is int:
        if number != number.to_integral_value():
            raise clinical_error("alarm_threshold_whole", field=name, name=name, value=str(number))
        return int(number)
    return float(number)


def thresholds_changed(base: Thresholds, changes: Mapping[str, Decimal | str]) -> Thresholds:
    """`base` with the hospital's `changes` applied, each value and the whole set checked.

    Each value goes through :func:`threshold_value` (a number, whole where counted, inside
    :data:`SAFE_RANGES`); the resulting set must then keep every rule of :data:`ORDER_RULES`,
    else ``alarm_threshold_order`` names the two thresholds of the first rule broken.
    """
    typed = {name: threshold_value(name, value) for name, value in changes.items()}
    candidate = dataclasses.replace(base, **typed)  # type: ignore[arg-type]  # checks the order
    return candidate


# A first home BP reading >= 140/90 below the urgent limits: "attention" (a clinician
# reviews it, DOMAIN.md section 5's attention grade) or "advice" (shown to her only).
FIRST_HIGH_BP_GRADES: Final = ("attention", "advice")


@dataclass(frozen=True)
class AlarmPolicy:
    """The hospital's choices on how home blood-pressure alarms are handled (issue item 3).

    `first_high_bp_grade`: the grade of a first home reading >= 140/90 below the urgent
    limits, one of :data:`FIRST_HIGH_BP_GRADES` ("attention" by default: a clinician hears
    of it). `close_on_normal_repeat`: an unconfirmed first high reading closes itself when
    the repeat is normal (off by default: the clinician closes it). Construction refuses an
    unknown grade (``alarm_policy_grade``).
    """

    first_high_bp_grade: str = "attention"
    close_on_normal_repeat: bool = False

    def __post_init__(self) -> None:
        if self.first_high_bp_grade not in FIRST_HIGH_BP_GRADES:
            raise clinical_error(
                "alarm_policy_grade", field="first_high_bp_grade", grade=self.first_high_bp_grade
            )


DEFAULT_POLICY: Final = AlarmPolicy()
