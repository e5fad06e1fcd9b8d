"""Height, weight, BMI and the gestational weight-gain band.

BMI categories and weight gain follow WS/T 801-2022 (DOMAIN.md section 5) [S]; the
table lives in :mod:`anyun.clinical.weight_gain_table`. Plausibility ranges are named
beside their constants.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Final

from anyun.clinical.dating import DAYS_PER_WEEK, SECOND_TRIMESTER_START, GestationalAge
from anyun.clinical.errors import clinical_error
from anyun.clinical.exact import exact, round_half_up
from anyun.clinical.weight_gain_table import (
    NORMAL_BMI_FROM,
    OBESE_BMI_FROM,
    OVERWEIGHT_BMI_FROM,
    WEIGHT_GAIN_TABLE,
    BmiCategory,
    WeightGainRecommendation,
)

__all__ = [
    "WEIGHT_GAIN_TABLE",
    "BmiCategory",
    "WeightGainRecommendation",
    "bmi",
    "bmi_category",
    "validate_height_cm",
    "validate_weight_kg",
    "weight_gain_band",
]

# Plausible adult woman's height: local policy from the project brief [P].
MIN_HEIGHT_CM: Final = 100.0
MAX_HEIGHT_CM: Final = 220.0
# Physiologically possible weight, DOMAIN.md section 5 (reject outside) [P].
MIN_WEIGHT_KG: Final = 25.0
MAX_WEIGHT_KG: Final = 250.0

BMI_DECIMALS: Final = 1
WEIGHT_GAIN_DECIMALS: Final = 2


def validate_height_cm(height_cm: float) -> None:
    """Refuse a height outside 100-220 cm (local plausibility range [P])."""
    if not MIN_HEIGHT_CM <= height_cm <= MAX_HEIGHT_CM:
        raise clinical_error(
            "height_range",
            field="height_cm",
            height_cm=height_cm,
            min_cm=MIN_HEIGHT_CM,
            max_cm=MAX_HEIGHT_CM,
        )


def validate_weight_kg(weight_kg: float) -> None:
    """Refuse a weight outside 25-250 kg (DOMAIN.md section 5, impossible values [P])."""
    if not MIN_WEIGHT_KG <= weight_kg <= MAX_WEIGHT_KG:
        raise clinical_error(
            "weight_range",
            field="weight_kg",
            weight_kg=weight_kg,
            min_kg=MIN_WEIGHT_KG,
            max_kg=MAX_WEIGHT_KG,
        )


def bmi(*, height_cm: float, weight_kg: float) -> float:
    """Body-mass index, kg/m2, rounded half up to 1 decimal.

    Height and weight are validated first (``height_range``, ``weight_range``).
    """
    validate_height_cm(height_cm)
    validate_weight_kg(weight_kg)
    height_m = exact(height_cm) / 100
    return round_half_up(exact(weight_kg) / (height_m * height_m), BMI_DECIMALS)


def bmi_category(bmi: float) -> BmiCategory:
    """Chinese BMI category, WS/T 801-2022 [S].

    Underweight < 18.5 <= normal < 24.0 <= overweight < 28.0 <= obese. Pass the BMI
    as displayed (rounded to 1 decimal) so the category matches what the user sees.
    """
    if not math.isfinite(bmi) or bmi <= 0:
        raise clinical_error("bmi_range", field="bmi", bmi=bmi)
    if bmi < NORMAL_BMI_FROM:
        return BmiCategory.UNDERWEIGHT
    if bmi < OVERWEIGHT_BMI_FROM:
        return BmiCategory.NORMAL
    if bmi < OBESE_BMI_FROM:
        return BmiCategory.OVERWEIGHT
    return BmiCategory.OBESE


def weight_gain_band(
    category: BmiCategory,
    ga: GestationalAge,
    *,
    table: Mapping[BmiCategory, WeightGainRecommendation] = WEIGHT_GAIN_TABLE,
) -> tuple[float, float]:
    """Recommended cumulative gain (low, high) in kg at ``ga``, WS/T 801-2022 [S].

    Up to 13+6 the band is the first-trimester range. From 14+0 it is the
    first-trimester range plus the weekly range times the weeks since 14+0, counted
    in fractional weeks (days / 7) so the chart band is continuous. The band is not
    capped at the total-gain range. Values rounded half up to 0.01 kg. Singleton only.
    """
    recommendation = table[category]
    first_low, first_high = recommendation.first_trimester_kg
    if ga < SECOND_TRIMESTER_START:
        return (first_low, first_high)
    weeks_after = Decimal(ga.days - SECOND_TRIMESTER_START.days) / DAYS_PER_WEEK
    weekly_low, weekly_high = recommendation.weekly_range_kg
    return (
        round_half_up(exact(first_low) + exact(weekly_low) * weeks_after, WEIGHT_GAIN_DECIMALS),
        round_half_up(exact(first_high) + exact(weekly_high) * weeks_after, WEIGHT_GAIN_DECIMALS),
    )
