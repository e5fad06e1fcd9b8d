"""Configurable alarm thresholds: what a hospital may set (SAFE_RANGES, local policy [P])."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from anyun.clinical.alarm_thresholds import (
    DEFAULT_THRESHOLDS,
    SAFE_RANGES,
    THRESHOLD_SOURCES,
    Thresholds,
    threshold_value,
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
