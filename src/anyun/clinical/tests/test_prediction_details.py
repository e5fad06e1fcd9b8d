"""Trend warnings in full detail: the policy's ranges at both ends and its refusals' params,
readings exactly on a line (an attention threshold, a centile, the standard's 16 and 42 weeks),
what each driving factor reports, and the hospital's thresholds and policy reaching every
trend through trend_warnings."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from anyun.clinical.alarm_thresholds import THRESHOLD_SOURCES, Thresholds
from anyun.clinical.dating import edd_from_lmp
from anyun.clinical.errors import ClinicalValueError
from anyun.clinical.prediction import (
    BP_TREND_SOURCE,
    GLUCOSE_TREND_SOURCE,
    SFH_TREND_SOURCE,
    PredictionKind,
    TrendPolicy,
    bp_rising,
    glucose_above_target,
    sfh_falling,
    trend_warnings,
)
from anyun.clinical.risk_tables import ITEMS, item_of
from anyun.clinical.sfh import sfh_centile, sfh_mean
from anyun.clinical.signs import GlucoseContext, Reading, SignKind

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY0 = date(2025, 3, 1)


def _at(day: int, hour: int = 8) -> datetime:
    return datetime(2025, 3, 1, hour, tzinfo=SHANGHAI) + timedelta(days=day)


def _bp(day: int, systolic: int, diastolic: int) -> Reading:
    return Reading(SignKind.BLOOD_PRESSURE, _at(day), systolic=systolic, diastolic=diastolic)


def _glucose(day: int, value: float) -> Reading:
    return Reading(SignKind.GLUCOSE, _at(day), value=value, glucose_context=GlucoseContext.FASTING)


def _refusal(**changes: object) -> tuple[str, str | None, dict]:
    with pytest.raises(ClinicalValueError) as caught:
        TrendPolicy(**changes)  # type: ignore[arg-type]
    return caught.value.code, caught.value.field, caught.value.params


# --- policy ---

RANGES = {
    "bp_rising_days": (2, 14),
    "bp_rising_min_rise_mmhg": (1, 60),
    "glucose_window_days": (3, 28),  # not below the 3 days above target by default
    "glucose_days_above": (1, 7),  # not above the 7-day window by default
    "sfh_falling_measurements": (2, 10),
    "sfh_falling_lines": (1, 4),
}


@pytest.mark.parametrize(("name", "ends"), RANGES.items())
def test_each_setting_is_accepted_at_both_ends(name: str, ends: tuple[int, int]) -> None:
    for value in ends:
        assert getattr(TrendPolicy(**{name: value}), name) == value


def test_a_glucose_count_of_the_whole_28_day_window_is_accepted() -> None:
    policy = TrendPolicy(glucose_window_days=28, glucose_days_above=28)
    assert (policy.glucose_window_days, policy.glucose_days_above) == (28, 28)


@pytest.mark.parametrize(
    ("name", "value", "low", "high"),
    [
        ("bp_rising_days", 15, 2, 14),
        ("bp_rising_min_rise_mmhg", 0, 1, 60),
        ("glucose_window_days", 29, 1, 28),
        ("sfh_falling_measurements", 1, 2, 10),
        ("sfh_falling_lines", 5, 1, 4),
        ("sfh_falling_lines", 2.0, 1, 4),
    ],
)
def test_a_setting_outside_its_range_is_refused_naming_it_and_the_range(
    name: str, value: object, low: int, high: int
) -> None:
    assert _refusal(**{name: value}) == (
        "prediction_parameter_range",
        name,
        {"name": name, "value": str(value), "min_value": low, "max_value": high},
    )


def test_more_glucose_days_than_the_window_is_refused_naming_both() -> None:
    assert _refusal(glucose_window_days=5, glucose_days_above=6) == (
        "prediction_parameter_order",
        "glucose_days_above",
        {
            "lower": "glucose_days_above",
            "lower_value": 6,
            "upper": "glucose_window_days",
            "upper_value": 5,
        },
    )


# --- BP ---


def test_bp_ending_exactly_at_the_attention_line_is_at_or_above_it() -> None:
    prediction = bp_rising([_bp(0, 118, 70), _bp(1, 126, 72), _bp(2, 140, 74)])
    assert prediction is not None
    assert (prediction.source, prediction.confidence) == (BP_TREND_SOURCE, "P")
    assert prediction.factors[0].values["latest_at_or_above_attention"] is True


# --- glucose ---


def test_glucose_factor_reports_its_window_and_source() -> None:
    today = DAY0 + timedelta(days=6)
    prediction = glucose_above_target([_glucose(d, 6.0) for d in (1, 3, 5)], today=today)
    assert prediction is not None
    assert (prediction.source, prediction.confidence) == (GLUCOSE_TREND_SOURCE, "P")
    (factor,) = prediction.factors
    assert (factor.source, factor.confidence) == THRESHOLD_SOURCES["glucose_fasting_target"]
    assert (factor.values["window_days"], factor.values["days_needed"]) == (7, 3)


# --- SFH ---

LMP = date(2024, 9, 1)
EDD = edd_from_lmp(LMP)


def _sfh(weeks: int, value: float, hour: int = 10) -> Reading:
    day = LMP + timedelta(weeks=weeks)
    moment = datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)
    return Reading(SignKind.FUNDAL_HEIGHT, moment, value=value)


def _at_z(weeks: int, z: float) -> Reading:
    return _sfh(weeks, round(sfh_centile(weeks, z), 2))


def test_sfh_factor_reports_each_measurement() -> None:
    history = [_at_z(28, 0.3), _at_z(30, -0.4), _at_z(32, -1.0)]
    prediction = sfh_falling(history, edd=EDD)
    assert prediction is not None
    assert (prediction.source, prediction.confidence) == (SFH_TREND_SOURCE, "P")
    (factor,) = prediction.factors
    assert (factor.code, factor.source, factor.confidence) == (
        "sfh_crossing_centiles_down",
        SFH_TREND_SOURCE,
        "P",
    )
    first = factor.values["measurements"][0]  # type: ignore[index]
    assert first == {
        "measured_at": history[0].measured_at.isoformat(),
        "ga": "28+0",
        "sfh_cm": history[0].value,
        "z": 0.3,
    }


def test_sfh_starting_on_a_centile_line_crosses_it() -> None:
    on_p50 = _sfh(28, sfh_mean(28))  # z exactly 0: the P50 line
    prediction = sfh_falling([on_p50, _at_z(30, -0.4), _at_z(32, -1.0)], edd=EDD)
    assert prediction is not None
    assert prediction.factors[0].values["centiles_crossed"] == ["P50"]


def test_sfh_ending_on_a_centile_line_has_not_crossed_it() -> None:
    history = [_at_z(28, 0.6), _at_z(30, 0.3), _sfh(32, sfh_mean(32))]
    assert sfh_falling(history, edd=EDD) is None


def test_sfh_that_stays_level_for_a_step_is_not_falling() -> None:
    level = [_at_z(30, 0.3), _sfh(30, _at_z(30, 0.3).value, hour=16), _at_z(32, -1.0)]  # type: ignore[arg-type]
    assert sfh_falling(level, edd=EDD) is None


@pytest.mark.parametrize("weeks", [(16, 17, 18), (40, 41, 42)])
def test_sfh_at_the_standards_16_and_42_weeks_counts(weeks: tuple[int, int, int]) -> None:
    history = [_at_z(weeks[0], 0.3), _at_z(weeks[1], -0.4), _at_z(weeks[2], -1.0)]
    prediction = sfh_falling(history, edd=EDD)
    assert prediction is not None
    assert [m["ga"] for m in prediction.factors[0].values["measurements"]] == [  # type: ignore[attr-defined]
        f"{w}+0" for w in weeks
    ]


# --- together ---


def test_trend_warnings_apply_the_hospitals_thresholds_and_policy() -> None:
    bp = [_bp(0, 120, 70), _bp(1, 123, 73), _bp(2, 129, 79)]  # rise 9
    glucose = [_glucose(1, 5.0), _glucose(2, 5.0)]  # below 5.3, above 4.9
    sfh = [_at_z(28, 0.3), _at_z(30, -0.4)]  # two measurements
    today = DAY0 + timedelta(days=2)
    strict = Thresholds(bp_systolic_high=125, glucose_fasting_target=4.9)
    policy = TrendPolicy(
        bp_rising_min_rise_mmhg=9, glucose_days_above=2, sfh_falling_measurements=2
    )
    found = trend_warnings(
        [*bp, *glucose],
        today=today,
        edd=None,
        glucose_targets_apply=True,
        thresholds=strict,
        policy=policy,
    )
    assert [p.kind for p in found] == [
        PredictionKind.BP_RISING,
        PredictionKind.GLUCOSE_ABOVE_TARGET,
    ]
    assert found[0].factors[0].values["attention_mmhg"] == 125
    assert found[0].factors[0].values["latest_at_or_above_attention"] is True
    assert found[1].factors[0].values["days"][0]["readings"][0]["target_mmol_l"] == 4.9  # type: ignore[index]
    assert trend_warnings([*bp, *glucose], today=today, edd=None, glucose_targets_apply=True) == []
    sfh_found = trend_warnings(sfh, today=EDD, edd=EDD, glucose_targets_apply=False, policy=policy)
    assert [p.kind for p in sfh_found] == [PredictionKind.SFH_FALLING]


def test_without_a_due_date_fundal_heights_are_not_read() -> None:
    sfh = [_at_z(28, 0.3), _at_z(30, -0.4), _at_z(32, -1.0)]
    assert trend_warnings(sfh, today=EDD, edd=None, glucose_targets_apply=False) == []


# --- risk tables ---


def test_an_item_is_found_by_its_code_in_either_table() -> None:
    assert item_of("g_asthma") is ITEMS["g_asthma"]
    assert item_of("s_birth_interval") is ITEMS["s_birth_interval"]
    assert item_of("g_unknown") is None
