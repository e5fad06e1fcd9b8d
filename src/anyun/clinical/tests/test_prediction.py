"""Risk prediction (FI-4): the factor-rule machinery and the trend warnings from her readings."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from anyun.clinical.alarm_thresholds import Thresholds
from anyun.clinical.dating import edd_from_lmp
from anyun.clinical.errors import ClinicalValueError
from anyun.clinical.prediction import (
    FACTOR_RULES,
    FactorRule,
    FactorWeight,
    PredictionKind,
    RiskFactor,
    TrendPolicy,
    bp_rising,
    glucose_above_target,
    risk_factor_prediction,
    risk_factor_predictions,
    sfh_falling,
    trend_warnings,
)
from anyun.clinical.sfh import sfh_centile
from anyun.clinical.signs import GlucoseContext, Reading, SignKind

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY0 = date(2025, 3, 1)


def _at(day: int, hour: int = 8) -> datetime:
    return datetime(2025, 3, 1, hour, tzinfo=SHANGHAI) + timedelta(days=day)


def _bp(day: int, systolic: int, diastolic: int, hour: int = 8) -> Reading:
    return Reading(SignKind.BLOOD_PRESSURE, _at(day, hour), systolic=systolic, diastolic=diastolic)


def _glucose(day: int, value: float, context: GlucoseContext = GlucoseContext.FASTING) -> Reading:
    return Reading(SignKind.GLUCOSE, _at(day), value=value, glucose_context=context)


def _rows(value: object) -> list[dict[str, object]]:
    assert isinstance(value, list)
    return value


# --- factor rules ---


def test_domain_states_no_factor_lists_so_none_is_shipped() -> None:
    assert dict(FACTOR_RULES) == {}
    assert risk_factor_predictions({"anything"}) == []


# A rule built here only to exercise the combination machinery; not clinical content.
RULE = FactorRule(
    kind=PredictionKind.PRE_ECLAMPSIA,
    factors=(
        RiskFactor("h1", FactorWeight.HIGH, "source H1", "S"),
        RiskFactor("h2", FactorWeight.HIGH, "source H2", "V"),
        RiskFactor("m1", FactorWeight.MODERATE, "source M1", "S"),
        RiskFactor("m2", FactorWeight.MODERATE, "source M2", "P"),
        RiskFactor("m3", FactorWeight.MODERATE, "source M3", "S"),
    ),
    high_needed=1,
    moderate_needed=2,
    consider=("consider_code",),
    source="rule source",
    confidence="S",
)


@pytest.mark.parametrize(
    ("present", "fires", "listed"),
    [
        (set(), False, []),
        ({"h1"}, True, ["h1"]),
        ({"h2"}, True, ["h2"]),
        ({"m1"}, False, []),
        ({"m1", "m3"}, True, ["m1", "m3"]),
        ({"m3", "h2", "m2"}, True, ["h2", "m2", "m3"]),
        ({"other", "m2"}, False, []),
    ],
)
def test_factor_rule_combination(present: set[str], fires: bool, listed: list[str]) -> None:
    prediction = risk_factor_prediction(RULE, present)
    if not fires:
        assert prediction is None
        return
    assert prediction is not None
    assert [f.code for f in prediction.factors] == listed
    assert prediction.consider == ("consider_code",)
    assert (prediction.kind, prediction.source, prediction.confidence) == (
        PredictionKind.PRE_ECLAMPSIA,
        "rule source",
        "S",
    )
    first = prediction.factors[0]
    factor = next(f for f in RULE.factors if f.code == first.code)
    assert (first.source, first.confidence, first.values) == (
        factor.source,
        factor.confidence,
        {"weight": str(factor.weight)},
    )


def test_factor_predictions_over_given_rules() -> None:
    assert [p.kind for p in risk_factor_predictions({"h1"}, rules=[RULE])] == [
        PredictionKind.PRE_ECLAMPSIA
    ]
    assert risk_factor_predictions({"m1"}, rules=[RULE]) == []


# --- BP ---


def test_bp_rising_at_the_minimum_history() -> None:
    prediction = bp_rising([_bp(2, 130, 80), _bp(0, 118, 74), _bp(1, 124, 77)])
    assert prediction is not None
    assert prediction.kind is PredictionKind.BP_RISING
    assert prediction.consider == ("review_bp_trend",)
    assert prediction.confidence == "P"
    (factor,) = prediction.factors
    assert factor.code == "systolic_rising"  # diastolic rose only 6
    assert factor.values == {
        "days": ["2025-03-01", "2025-03-02", "2025-03-03"],
        "values_mmhg": [118, 124, 130],
        "rise_mmhg": 12,
        "attention_mmhg": 140,
        "latest_at_or_above_attention": False,
    }
    assert (factor.source, factor.confidence) == ("妊娠期高血压疾病诊治指南 (2020)", "S")


def test_bp_below_the_minimum_history_is_no_trend() -> None:
    assert bp_rising([_bp(0, 110, 70), _bp(1, 140, 95)]) is None
    # Two readings on the same day count once (the last of the day).
    assert bp_rising([_bp(0, 110, 70), _bp(1, 120, 75, 8), _bp(1, 130, 80, 20)]) is None


def test_bp_past_the_minimum_uses_the_last_days() -> None:
    history = [_bp(0, 150, 100), _bp(1, 120, 70), _bp(2, 126, 76), _bp(3, 141, 84)]
    prediction = bp_rising(history)
    assert prediction is not None
    assert [f.code for f in prediction.factors] == ["systolic_rising", "diastolic_rising"]
    assert prediction.factors[0].values["latest_at_or_above_attention"] is True
    # The last reading of a day stands for the day.
    assert bp_rising([*history, _bp(3, 125, 75, 21)]) is None


@pytest.mark.parametrize(
    "history",
    [
        [_bp(0, 120, 70), _bp(1, 120, 72), _bp(2, 135, 74)],  # flat step
        [_bp(0, 120, 70), _bp(1, 130, 75), _bp(2, 128, 79)],  # falls at the end
        [_bp(0, 120, 70), _bp(1, 123, 73), _bp(2, 129, 79)],  # rise 9 < 10
    ],
)
def test_bp_not_rising(history: list[Reading]) -> None:
    assert bp_rising(history) is None


def test_bp_trend_uses_the_thresholds_and_policy_in_force() -> None:
    history = [_bp(0, 120, 70), _bp(1, 123, 73), _bp(2, 129, 79)]
    prediction = bp_rising(
        history,
        thresholds=Thresholds(bp_systolic_high=130),
        policy=TrendPolicy(bp_rising_min_rise_mmhg=9),
    )
    assert prediction is not None
    assert [f.values["attention_mmhg"] for f in prediction.factors] == [130, 90]
    two_days = TrendPolicy(bp_rising_days=2, bp_rising_min_rise_mmhg=6)
    assert bp_rising(history[1:], policy=two_days) is not None


# --- glucose ---

TODAY = DAY0 + timedelta(days=6)


def test_glucose_above_target_at_the_minimum_days() -> None:
    history = [
        _glucose(0, 5.3),  # at the fasting target
        _glucose(2, 7.0, GlucoseContext.POST_MEAL_2H),  # 2 h target 6.7
        _glucose(2, 8.0, GlucoseContext.POST_MEAL_1H),
        _glucose(6, 5.6, GlucoseContext.PRE_MEAL),
        _glucose(4, 5.2),  # below
        _glucose(5, 12.0, GlucoseContext.RANDOM),  # no target
    ]
    prediction = glucose_above_target(history, today=TODAY)
    assert prediction is not None
    assert prediction.kind is PredictionKind.GLUCOSE_ABOVE_TARGET
    assert prediction.consider == ("review_glucose_control",)
    (factor,) = prediction.factors
    assert factor.code == "glucose_days_above_target"
    assert [d["day"] for d in _rows(factor.values["days"])] == [
        "2025-03-01",
        "2025-03-03",
        "2025-03-07",
    ]
    assert factor.values["days"][1]["readings"] == [
        {
            "measured_at": "2025-03-03T08:00:00+08:00",
            "context": "post_meal_2h",
            "value_mmol_l": 7.0,
            "target_mmol_l": 6.7,
        },
        {
            "measured_at": "2025-03-03T08:00:00+08:00",
            "context": "post_meal_1h",
            "value_mmol_l": 8.0,
            "target_mmol_l": 7.8,
        },
    ]


def test_glucose_below_the_minimum_days() -> None:
    history = [_glucose(1, 6.0), _glucose(1, 6.5), _glucose(3, 5.9), _glucose(4, 5.2)]
    assert glucose_above_target(history, today=TODAY) is None


def test_glucose_days_outside_the_window_do_not_count() -> None:
    # Day -1 is 8 days before today; day 7 is after today.
    history = [_glucose(-1, 6.0), _glucose(1, 6.0), _glucose(3, 6.0), _glucose(7, 6.0)]
    assert glucose_above_target(history, today=TODAY) is None
    assert glucose_above_target([*history, _glucose(6, 6.0)], today=TODAY) is not None


def test_glucose_policy_and_targets_in_force() -> None:
    history = [_glucose(5, 5.0), _glucose(6, 5.0)]
    assert glucose_above_target(history, today=TODAY) is None
    found = glucose_above_target(
        history,
        today=TODAY,
        thresholds=Thresholds(glucose_fasting_target=4.9),
        policy=TrendPolicy(glucose_days_above=2),
    )
    assert found is not None
    assert found.factors[0].values["days_needed"] == 2


# --- SFH ---

LMP = date(2024, 9, 1)
EDD = edd_from_lmp(LMP)


def _sfh(weeks: int, z: float) -> Reading:
    day = LMP + timedelta(weeks=weeks)
    moment = datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)
    return Reading(SignKind.FUNDAL_HEIGHT, moment, value=round(sfh_centile(weeks, z), 2))


def test_sfh_crossing_a_centile_down_at_the_minimum() -> None:
    prediction = sfh_falling([_sfh(28, 0.3), _sfh(30, -0.4), _sfh(32, -1.0)], edd=EDD)
    assert prediction is not None
    assert prediction.kind is PredictionKind.SFH_FALLING
    assert prediction.consider == ("review_fetal_growth",)
    (factor,) = prediction.factors
    assert factor.values["centiles_crossed"] == ["P50"]
    assert [m["ga"] for m in _rows(factor.values["measurements"])] == ["28+0", "30+0", "32+0"]
    assert [m["z"] for m in _rows(factor.values["measurements"])] == [0.3, -0.4, -1.0]
    assert (factor.confidence, prediction.confidence) == ("P", "P")


def test_sfh_below_the_minimum_history() -> None:
    assert sfh_falling([_sfh(28, 1.0), _sfh(32, -2.0)], edd=EDD) is None


def test_sfh_past_the_minimum_uses_the_last_measurements() -> None:
    history = [_sfh(24, -1.5), _sfh(28, 0.3), _sfh(30, -0.4), _sfh(32, -1.4)]
    prediction = sfh_falling(history, edd=EDD)
    assert prediction is not None
    assert prediction.factors[0].values["centiles_crossed"] == ["P50", "P10"]
    assert len(prediction.factors[0].values["measurements"]) == 3


@pytest.mark.parametrize(
    "history",
    [
        [_sfh(28, 0.3), _sfh(30, 0.5), _sfh(32, -1.0)],  # rises on the way
        [_sfh(28, -0.1), _sfh(30, -0.4), _sfh(32, -1.0)],  # falls, crosses no line
    ],
)
def test_sfh_not_crossing(history: list[Reading]) -> None:
    assert sfh_falling(history, edd=EDD) is None


def test_sfh_outside_the_standard_is_left_out() -> None:
    early = Reading(SignKind.FUNDAL_HEIGHT, datetime(2024, 12, 8, 10, tzinfo=SHANGHAI), value=20.0)
    history = [early, _sfh(28, 0.3), _sfh(30, -0.4)]  # 14+0: before the standard's 16 weeks
    assert sfh_falling(history, edd=EDD) is None
    assert sfh_falling(history, edd=EDD, policy=TrendPolicy(sfh_falling_measurements=2)) is not None


def test_sfh_lines_needed_configurable() -> None:
    history = [_sfh(28, 0.3), _sfh(30, -0.4), _sfh(32, -1.0)]
    assert sfh_falling(history, edd=EDD, policy=TrendPolicy(sfh_falling_lines=2)) is None


# --- all together ---


def test_trend_warnings_together() -> None:
    readings = [
        _bp(0, 118, 74),
        _bp(1, 124, 77),
        _bp(2, 130, 80),
        _glucose(0, 6.0),
        _glucose(1, 6.0),
        _glucose(2, 6.0),
        _bp(30, 100, 60),  # after today: ignored
    ]
    kinds = [
        p.kind
        for p in trend_warnings(
            readings, today=DAY0 + timedelta(days=2), edd=None, glucose_targets_apply=True
        )
    ]
    assert kinds == [PredictionKind.BP_RISING, PredictionKind.GLUCOSE_ABOVE_TARGET]
    without_gdm = trend_warnings(
        readings, today=DAY0 + timedelta(days=2), edd=None, glucose_targets_apply=False
    )
    assert [p.kind for p in without_gdm] == [PredictionKind.BP_RISING]
    sfh = [_sfh(28, 0.3), _sfh(30, -0.4), _sfh(32, -1.0)]
    assert [
        p.kind for p in trend_warnings(sfh, today=EDD, edd=EDD, glucose_targets_apply=False)
    ] == [PredictionKind.SFH_FALLING]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"bp_rising_days": 1}, "prediction_parameter_range"),
        ({"glucose_window_days": 0}, "prediction_parameter_range"),
        ({"sfh_falling_lines": 5}, "prediction_parameter_range"),
        ({"bp_rising_min_rise_mmhg": True}, "prediction_parameter_range"),
        ({"glucose_days_above": 8}, "prediction_parameter_order"),
    ],
)
def test_trend_policy_refused(changes: dict[str, int], code: str) -> None:
    with pytest.raises(ClinicalValueError) as caught:
        TrendPolicy(**changes)
    assert caught.value.code == code
