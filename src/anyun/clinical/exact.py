"""Exact arithmetic for the rounded figures a person reads (BMI, weight gain).

A value entered as 61.312 is the decimal 61.312, not the nearest binary float: computing in
`Decimal` from the entered digits and rounding half up once at the end makes 80 kg at 160 cm
a BMI of 31.3 (31.25 rounded up), where float arithmetic gives 31.2 (31.249999...).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

Number = float | int | Decimal


def exact(value: Number) -> Decimal:
    """The decimal a person entered: a float by its shortest representation ("61.312")."""
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def round_half_up(value: Decimal, decimals: int) -> float:
    """`value` rounded half up to `decimals` places, as the float shown to a person."""
    return float(value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))
