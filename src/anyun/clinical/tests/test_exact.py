"""Rounded clinical figures come from the entered digits, not from binary floats.

Each case's float result lands just below the rounding or category boundary; the exact
decimal is on it (WS/T 801-2022 [S] BMI cut-offs: 24.0 overweight, 28.0 obese).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from anyun.clinical.anthropometry import bmi, bmi_category
from anyun.clinical.exact import exact, round_half_up
from anyun.clinical.weight_gain_table import BmiCategory


@pytest.mark.parametrize(
    ("height_cm", "weight_kg", "expected"),
    [
        (160, 80, 31.3),  # 31.25 exactly; float gives 31.249999...
        (160, 61.312, 24.0),  # 23.95 exactly
        (150, 63.0, 28.0),  # 28.0 exactly
        (170, 69.2155, 24.0),  # 23.95 exactly
        (160, 47.36, 18.5),  # 18.5 exactly
    ],
)
def test_bmi_rounds_the_exact_value_half_up(
    height_cm: float, weight_kg: float, expected: float
) -> None:
    assert bmi(height_cm=height_cm, weight_kg=weight_kg) == expected


def test_the_category_follows_the_bmi_she_sees() -> None:
    assert bmi_category(bmi(height_cm=160, weight_kg=61.312)) == BmiCategory.OVERWEIGHT
    assert bmi_category(bmi(height_cm=160, weight_kg=61.311)) == BmiCategory.NORMAL


def test_half_a_hundredth_of_a_kilogram_rounds_up() -> None:
    assert round_half_up(exact(60.025) - exact(55), 2) == 5.03
    assert round_half_up(exact(70.005) - exact(55), 2) == 15.01
    assert round_half_up(exact(60.024) - exact(55), 2) == 5.02
    # What float arithmetic would have given: just below the half, rounded down.
    assert (60.025 - 55, 70.005 - 55) < (5.025, 15.005)


def test_exact_keeps_the_entered_digits() -> None:
    assert exact(61.312) == Decimal("61.312")
    assert exact(160) == Decimal(160)
    assert exact(Decimal("1.10")) == Decimal("1.10")


def test_round_half_up_to_each_number_of_places() -> None:
    assert round_half_up(Decimal("31.25"), 1) == 31.3
    assert round_half_up(Decimal("0.125"), 2) == 0.13
    assert round_half_up(Decimal("2.5"), 0) == 3.0
