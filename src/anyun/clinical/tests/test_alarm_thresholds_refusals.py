"""What each refusal of a hospital's threshold or policy names (field, params, message).

The console shows the message beside the field it names (local policy [P] guardrails; the
thresholds themselves from DOMAIN.md section 5).
"""

from __future__ import annotations

import pytest

from anyun.clinical.alarm_thresholds import (
    DEFAULT_THRESHOLDS,
    AlarmPolicy,
    OrderRule,
    Thresholds,
    threshold_value,
)
from anyun.clinical.errors import ClinicalValueError


def test_a_count_that_is_not_above_zero_names_itself_and_its_value() -> None:
    with pytest.raises(ClinicalValueError) as err:
        Thresholds(sfh_flat_measurements=0)
    assert (err.value.code, err.value.field) == (
        "alarm_threshold_positive",
        "sfh_flat_measurements",
    )
    assert err.value.params == {"name": "sfh_flat_measurements", "value": 0}
    assert str(err.value) == "The alarm threshold sfh_flat_measurements must be above 0; got 0."


def test_a_fixed_threshold_refusal_names_it() -> None:
    with pytest.raises(ClinicalValueError) as err:
        threshold_value("temperature_fever", "38.5")
    assert (err.value.code, err.value.field, err.value.params) == (
        "alarm_threshold_fixed",
        "temperature_fever",
        {"name": "temperature_fever"},
    )


@pytest.mark.parametrize("value", ["abc", "", "NaN", "Infinity"])
def test_a_value_that_is_no_number_names_the_threshold(value: str) -> None:
    with pytest.raises(ClinicalValueError) as err:
        threshold_value("glucose_low", value)
    assert (err.value.code, err.value.field, err.value.params) == (
        "alarm_threshold_not_number",
        "glucose_low",
        {"name": "glucose_low"},
    )


def test_a_fraction_for_a_counted_threshold_names_it() -> None:
    with pytest.raises(ClinicalValueError) as err:
        threshold_value("movements_two_hour_min", "8.5")
    assert (err.value.code, err.value.field, err.value.params) == (
        "alarm_threshold_whole",
        "movements_two_hour_min",
        {"name": "movements_two_hour_min", "value": "8.5"},
    )


def test_an_order_refusal_gives_gestational_ages_as_weeks_and_days() -> None:
    """Error params are JSON-friendly: a gestational age as "W+D" (anyun.clinical.errors)."""
    error = OrderRule("movements_from", "weight_from").error(DEFAULT_THRESHOLDS)
    assert error.params == {
        "lower": "movements_from",
        "lower_value": "28+0",
        "upper": "weight_from",
        "upper_value": "14+0",
    }
    assert error.field == "weight_from"


def test_an_unknown_policy_grade_is_named() -> None:
    with pytest.raises(ClinicalValueError) as err:
        AlarmPolicy(first_high_bp_grade="urgent")
    assert err.value.params == {"grade": "urgent"}
    assert (
        str(err.value) == "A first high blood pressure is graded attention or advice; got urgent."
    )
