"""Chinese BMI categories and gestational weight gain for singleton pregnancies.

Source: WS/T 801-2022 《妊娠期妇女体重增长推荐值标准》 as given in DOMAIN.md section 5
[S, identical in 3 independent implementations]. Chinese BMI cut-offs, not IOM 2009.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final


class BmiCategory(StrEnum):
    """Pre-pregnancy BMI category with the Chinese cut-offs."""

    UNDERWEIGHT = "underweight"
    NORMAL = "normal"
    OVERWEIGHT = "overweight"
    OBESE = "obese"


# Lower BMI bound (inclusive) of each category above underweight, kg/m2.
NORMAL_BMI_FROM: Final = 18.5
OVERWEIGHT_BMI_FROM: Final = 24.0
OBESE_BMI_FROM: Final = 28.0


@dataclass(frozen=True)
class WeightGainRecommendation:
    """Recommended gain in kg; ranges are (low, high), inclusive."""

    total_kg: tuple[float, float]
    first_trimester_kg: tuple[float, float]
    weekly_recommended_kg: float  # mid and late pregnancy
    weekly_range_kg: tuple[float, float]


WEIGHT_GAIN_TABLE: Final = MappingProxyType(
    {
        BmiCategory.UNDERWEIGHT: WeightGainRecommendation(
            total_kg=(11.0, 16.0),
            first_trimester_kg=(0.0, 2.0),
            weekly_recommended_kg=0.46,
            weekly_range_kg=(0.37, 0.56),
        ),
        BmiCategory.NORMAL: WeightGainRecommendation(
            total_kg=(8.0, 14.0),
            first_trimester_kg=(0.0, 2.0),
            weekly_recommended_kg=0.37,
            weekly_range_kg=(0.26, 0.48),
        ),
        BmiCategory.OVERWEIGHT: WeightGainRecommendation(
            total_kg=(7.0, 11.0),
            first_trimester_kg=(0.0, 2.0),
            weekly_recommended_kg=0.30,
            weekly_range_kg=(0.22, 0.37),
        ),
        BmiCategory.OBESE: WeightGainRecommendation(
            total_kg=(5.0, 9.0),
            first_trimester_kg=(0.0, 2.0),
            weekly_recommended_kg=0.22,
            weekly_range_kg=(0.15, 0.30),
        ),
    }
)
