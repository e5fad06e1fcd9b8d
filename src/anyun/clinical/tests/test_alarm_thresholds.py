"""Configurable alarm thresholds: what a hospital may set (SAFE_RANGES, local policy [P])."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from anyun.clinical.alarm_thresholds import (
    DEFAULT_POLICY,
    DEFAULT_THRESHOLDS,
    FIRST_HIGH_BP_GRADES,
    ORDER_RULES,
    SAFE_RANGES,
    THRESHOLD_SOURCES,
    AlarmPolicy,
    OrderRule,
    Thresholds,
    order_violation,
    threshold_value,
    thresholds_changed,
)
from anyun.clinical.errors import ClinicalValueError


def _numeric_fields() -> dict[str, type]:
    return {
        f.name: type(getattr(DEFAULT_THRESHOLDS, f.name))
        for f in dataclasses.fields(Thresholds)
        if type(getattr(DEFAULT_THRESHOLDS, f.name)) in (int, float)
    }


def test_every_configurable_threshold_has_a_range_holding_its_default() -> None:
    configurable = {n for n in _numeric_fields() if THRESHOLD_SOURCES[n][1] != "V"}
    assert set(SAFE_RANGES) == configurable
    for name, (low, high) in SAFE_RANGES.items():
        assert low < high
        assert low <= Decimal(str(getattr(DEFAULT_THRESHOLDS, name))) <= high, name


@pytest.mark.parametrize(
    ("value", "accepted"),
    [("149", False), ("150", True), ("165", True), ("180", True), ("181", False)],
)
def test_severe_systolic_is_settable_from_150_to_180_inclusive(value: str, accepted: bool) -> None:
    if accepted:
        assert threshold_value("bp_systolic_severe", Decimal(value)) == int(value)
        return
    with pytest.raises(ClinicalValueError) as err:
        threshold_value("bp_systolic_severe", Decimal(value))
    assert err.value.code == "alarm_threshold_range"
    assert err.value.params == {
        "name": "bp_systolic_severe",
        "value": value,
        "min_value": "150",
        "max_value": "180",
    }
    assert err.value.field == "bp_systolic_severe"


@pytest.mark.parametrize("value", ["1E+30", "999999", "-1E+30"])
def test_huge_values_that_would_silence_alarms_are_refused(value: str) -> None:
    with pytest.raises(ClinicalValueError) as err:
        threshold_value("bp_systolic_severe", Decimal(value))
    assert err.value.code == "alarm_threshold_range"


@pytest.mark.parametrize("value", ["NaN", "sNaN", "Infinity", "-Infinity", "abc", "", "1e"])
def test_values_that_are_not_finite_numbers_are_refused(value: str) -> None:
    with pytest.raises(ClinicalValueError) as err:
        threshold_value("temperature_raised", value)
    assert err.value.code == "alarm_threshold_not_number"


def test_whole_number_thresholds_refuse_fractions_and_types_follow_the_threshold() -> None:
    with pytest.raises(ClinicalValueError) as err:
        threshold_value("pulse_high", Decimal("100.5"))
    assert (err.value.code, err.value.params["value"]) == ("alarm_threshold_whole", "100.5")
    assert threshold_value("pulse_high", Decimal("105.00")) == 105
    assert type(threshold_value("pulse_high", Decimal("105"))) is int
    assert threshold_value("temperature_raised", Decimal("37.5")) == 37.5
    assert type(threshold_value("temperature_raised", "37.5")) is float


def test_the_inclusive_edges_of_a_fractional_range() -> None:
    assert threshold_value("sfh_low_z", "-2.33") == -2.33
    assert threshold_value("sfh_low_z", "-0.67") == -0.67
    with pytest.raises(ClinicalValueError):
        threshold_value("sfh_low_z", "-0.66")


def test_a_verified_or_unknown_threshold_has_no_range() -> None:
    for name in ("temperature_fever", "no_such_threshold"):
        with pytest.raises(ClinicalValueError) as err:
            threshold_value(name, "38")
        assert err.value.code == "alarm_threshold_fixed"


def _step(name: str) -> Decimal:
    """The smallest change the console stores (2 decimals), or 1 for a counted threshold."""
    return Decimal(1) if isinstance(getattr(DEFAULT_THRESHOLDS, name), int) else Decimal("0.01")


@pytest.mark.parametrize("name", sorted(SAFE_RANGES))
def test_each_safe_range_holds_both_limits_and_refuses_just_outside(name: str) -> None:
    low, high = SAFE_RANGES[name]
    assert threshold_value(name, low) == type(getattr(DEFAULT_THRESHOLDS, name))(low)
    assert threshold_value(name, high) == type(getattr(DEFAULT_THRESHOLDS, name))(high)
    for outside in (low - _step(name), high + _step(name)):
        with pytest.raises(ClinicalValueError) as err:
            threshold_value(name, outside)
        assert err.value.code == "alarm_threshold_range"
        assert (err.value.field, err.value.params["name"]) == (name, name)
        assert (err.value.params["min_value"], err.value.params["max_value"]) == (
            str(low),
            str(high),
        )


def test_the_ordering_rules_are_the_guideline_chains() -> None:
    assert [(r.lower, r.upper) for r in ORDER_RULES] == [
        ("bp_systolic_high", "bp_systolic_severe"),
        ("bp_diastolic_high", "bp_diastolic_severe"),
        ("glucose_low", "glucose_fasting_target"),
        ("glucose_fasting_target", "glucose_post_meal_2h_target"),
        ("glucose_post_meal_2h_target", "glucose_post_meal_1h_target"),
        ("glucose_post_meal_1h_target", "glucose_very_high"),
        ("fhr_urgent_low", "fhr_normal_low"),
        ("fhr_normal_low", "fhr_normal_high"),
        ("fhr_normal_high", "fhr_urgent_high"),
        ("pulse_low", "pulse_high"),
        ("pulse_high", "pulse_urgent_high"),
        ("temperature_raised", "temperature_fever"),
        ("weight_week_min_days", "weight_week_max_days"),
        ("sfh_low_z", "sfh_high_z"),
    ]
    assert order_violation(DEFAULT_THRESHOLDS) is None


@pytest.mark.parametrize("rule", ORDER_RULES, ids=lambda r: f"{r.lower}<{r.upper}")
def test_each_ordering_rule_refuses_equal_values_and_names_both_thresholds(
    rule: OrderRule,
) -> None:
    upper = getattr(DEFAULT_THRESHOLDS, rule.upper)
    just_below = upper - (1 if isinstance(upper, int) else 0.01)
    below = object.__new__(Thresholds)  # the set as values, without the constructor's check
    for f in dataclasses.fields(Thresholds):
        object.__setattr__(below, f.name, getattr(DEFAULT_THRESHOLDS, f.name))
    object.__setattr__(below, rule.lower, just_below)
    assert order_violation(below) is None  # strictly below: kept
    object.__setattr__(below, rule.lower, upper)
    assert order_violation(below) == rule  # equal: broken, and this rule is the one named
    with pytest.raises(ClinicalValueError) as err:
        dataclasses.replace(DEFAULT_THRESHOLDS, **{rule.lower: upper})
    assert err.value.code == "alarm_threshold_order"
    assert err.value.field == rule.upper
    assert err.value.params == {
        "lower": rule.lower,
        "lower_value": upper,
        "upper": rule.upper,
        "upper_value": upper,
    }


def test_a_change_is_checked_against_the_whole_resulting_set() -> None:
    # The example: severe systolic 300 and high systolic 170 are both out of range.
    for name, value in (("bp_systolic_severe", "300"), ("bp_systolic_high", "170")):
        with pytest.raises(ClinicalValueError) as err:
            thresholds_changed(DEFAULT_THRESHOLDS, {name: value})
        assert err.value.code == "alarm_threshold_range"
    # High systolic 150 is in range and fine against the default severe 160 ...
    assert (
        thresholds_changed(DEFAULT_THRESHOLDS, {"bp_systolic_high": "150"}).bp_systolic_high == 150
    )
    # ... but not once severe systolic is 150: the set in force decides.
    lowered = thresholds_changed(DEFAULT_THRESHOLDS, {"bp_systolic_severe": "150"})
    assert lowered.bp_systolic_severe == 150
    with pytest.raises(ClinicalValueError) as err:
        thresholds_changed(lowered, {"bp_systolic_high": "150"})
    assert (err.value.code, err.value.params["lower"], err.value.params["upper"]) == (
        "alarm_threshold_order",
        "bp_systolic_high",
        "bp_systolic_severe",
    )
    # Two values moved together are checked together.
    both = thresholds_changed(
        DEFAULT_THRESHOLDS, {"bp_systolic_high": "150", "bp_systolic_severe": "170"}
    )
    assert (both.bp_systolic_high, both.bp_systolic_severe) == (150, 170)


def test_glucose_targets_must_rise_fasting_then_two_hours_then_one_hour() -> None:
    with pytest.raises(ClinicalValueError) as err:
        thresholds_changed(
            DEFAULT_THRESHOLDS,
            {"glucose_post_meal_2h_target": "8.0", "glucose_post_meal_1h_target": "7.9"},
        )
    assert (err.value.params["lower"], err.value.params["upper"]) == (
        "glucose_post_meal_2h_target",
        "glucose_post_meal_1h_target",
    )


def test_the_alarm_policy_defaults_and_refuses_an_unknown_grade() -> None:
    assert AlarmPolicy("attention", False) == DEFAULT_POLICY
    assert AlarmPolicy(first_high_bp_grade="advice").first_high_bp_grade == "advice"
    assert FIRST_HIGH_BP_GRADES == ("attention", "advice")
    with pytest.raises(ClinicalValueError) as err:
        AlarmPolicy(first_high_bp_grade="urgent")
    assert (err.value.code, err.value.field) == ("alarm_policy_grade", "first_high_bp_grade")
