"""Symphysis-fundal height (SFH) reference centiles.

Source: INTERGROWTH-21st international SFH standard, Papageorghiou et al., BMJ
2016;355:i5662, as given in DOMAIN.md section 5 [V]. GA in decimal weeks, valid 16-42:

    mean = 5.133374 + 0.1058353119 * GA^2 - 0.0231295 * GA^2 * ln(GA)
    SD   = 0.9922667 + 0.0258087 * GA
    centile = mean + z * SD

The equations are [V]; the alarm rules built on them (alarms module) are [P].
Results are in cm and not rounded; round for display.
"""

from __future__ import annotations

import math
from types import MappingProxyType
from typing import Final

from anyun.clinical.errors import clinical_error

__all__ = [
    "SFH_MAX_GA_WEEKS",
    "SFH_MIN_GA_WEEKS",
    "SFH_Z",
    "sfh_centile",
    "sfh_mean",
    "sfh_p10",
    "sfh_p50",
    "sfh_p90",
    "sfh_sd",
    "sfh_z_score",
]

SFH_MIN_GA_WEEKS: Final = 16.0
SFH_MAX_GA_WEEKS: Final = 42.0

MEAN_INTERCEPT: Final = 5.133374
MEAN_SQUARE_COEFFICIENT: Final = 0.1058353119
MEAN_SQUARE_LOG_COEFFICIENT: Final = 0.0231295
SD_INTERCEPT: Final = 0.9922667
SD_SLOPE: Final = 0.0258087

# z of the centiles the standard publishes (P3/P97 +/-1.8808, P10/P90 +/-1.2816).
SFH_Z: Final = MappingProxyType(
    {
        "P3": -1.8808,
        "P10": -1.2816,
        "P50": 0.0,
        "P90": 1.2816,
        "P97": 1.8808,
    }
)


def sfh_mean(ga_weeks: float) -> float:
    """Mean SFH in cm at ``ga_weeks`` (decimal weeks), INTERGROWTH-21st [V].

    ``ga_weeks`` must be 16-42, else ``sfh_ga_range``.
    """
    _check_ga_weeks(ga_weeks)
    square = ga_weeks * ga_weeks
    return (
        MEAN_INTERCEPT
        + MEAN_SQUARE_COEFFICIENT * square
        - MEAN_SQUARE_LOG_COEFFICIENT * square * math.log(ga_weeks)
    )


def sfh_sd(ga_weeks: float) -> float:
    """Standard deviation of SFH in cm at ``ga_weeks``, INTERGROWTH-21st [V] (16-42 weeks)."""
    _check_ga_weeks(ga_weeks)
    return SD_INTERCEPT + SD_SLOPE * ga_weeks


def sfh_centile(ga_weeks: float, z: float) -> float:
    """SFH in cm at ``z`` standard deviations from the mean, INTERGROWTH-21st [V].

    Pass a value of :data:`SFH_Z` for a published centile. Valid 16-42 weeks.
    """
    return sfh_mean(ga_weeks) + z * sfh_sd(ga_weeks)


def sfh_p10(ga_weeks: float) -> float:
    """10th centile of SFH in cm, INTERGROWTH-21st [V] (16-42 weeks)."""
    return sfh_centile(ga_weeks, SFH_Z["P10"])


def sfh_p50(ga_weeks: float) -> float:
    """50th centile (the mean) of SFH in cm, INTERGROWTH-21st [V] (16-42 weeks)."""
    return sfh_centile(ga_weeks, SFH_Z["P50"])


def sfh_p90(ga_weeks: float) -> float:
    """90th centile of SFH in cm, INTERGROWTH-21st [V] (16-42 weeks)."""
    return sfh_centile(ga_weeks, SFH_Z["P90"])


def sfh_z_score(ga_weeks: float, sfh_cm: float) -> float:
    """z-score of a measured SFH against INTERGROWTH-21st [V] (16-42 weeks)."""
    return (sfh_cm - sfh_mean(ga_weeks)) / sfh_sd(ga_weeks)


def _check_ga_weeks(ga_weeks: float) -> None:
    # The comparison is False for NaN, so NaN is refused too.
    if not SFH_MIN_GA_WEEKS <= ga_weeks <= SFH_MAX_GA_WEEKS:
        raise clinical_error(
            "sfh_ga_range",
            field="ga_weeks",
            ga_weeks=ga_weeks,
            min_weeks=SFH_MIN_GA_WEEKS,
            max_weeks=SFH_MAX_GA_WEEKS,
        )
