"""A first high blood pressure, its repeat, and the grouping of one check-in's findings.

Source: DOMAIN.md section 5 and 妊娠期高血压疾病诊治指南 2020 [S]: SBP >= 140 or DBP >= 90
is confirmed by a repeat at least 4 h apart (window to 7 days [P]); a first reading asks for
the repeat. The grade of that first reading is the hospital's choice (AlarmPolicy).
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from anyun.clinical.alarm_thresholds import DEFAULT_THRESHOLDS, AlarmPolicy, Thresholds
from anyun.clinical.alarms import (
    Grade,
    RepeatOutcome,
    bp_repeat_outcome,
    evaluate,
    group_by_grade,
    order_findings,
)
from anyun.clinical.dating import GestationalAge
from anyun.clinical.red_flags import grade_symptoms
from anyun.clinical.signs import Reading, SignKind

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
GA = GestationalAge.from_weeks_days(32, 0)


def bp(systolic: int, diastolic: int, *, hours_ago: float = 0, **extra: object) -> Reading:
    return Reading(
        SignKind.BLOOD_PRESSURE,
        NOW - timedelta(hours=hours_ago),
        systolic=systolic,
        diastolic=diastolic,
        **extra,  # type: ignore[arg-type]
    )


def test_a_first_high_reading_is_attention_by_default_hypertension_guideline_2020() -> None:
    """159/109 once: a clinician hears of it (attention) and she is asked to repeat in 4 h."""
    (finding,) = evaluate(bp(159, 109), history=[], ga=GA)
    assert (finding.rule, finding.grade, finding.action) == (
        "bp_high_first",
        Grade.ATTENTION,
        "repeat_bp_4h",
    )
    assert finding.values == {
        "systolic": 159,
        "diastolic": 109,
        "systolic_limit": 140,
        "diastolic_limit": 90,
        "repeat_after_hours": 4.0,
        "earlier_high_readings": 0,
    }
    assert finding.confidence == "S"


def test_the_hospital_may_keep_a_first_high_reading_as_advice() -> None:
    policy = AlarmPolicy(first_high_bp_grade="advice")
    (finding,) = evaluate(bp(159, 109), history=[], ga=GA, policy=policy)
    assert (finding.rule, finding.grade) == ("bp_high_first", Grade.ADVICE)


def test_the_policy_does_not_touch_confirmed_or_severe_readings() -> None:
    advice = AlarmPolicy(first_high_bp_grade="advice")
    earlier = [bp(150, 95, hours_ago=5)]
    (confirmed,) = evaluate(bp(150, 95), history=earlier, ga=GA, policy=advice)
    assert (confirmed.rule, confirmed.grade) == ("bp_high_confirmed", Grade.ATTENTION)
    (severe,) = evaluate(bp(165, 95), history=[], ga=GA, policy=advice)
    assert (severe.rule, severe.grade) == ("bp_severe", Grade.URGENT)


def test_she_is_not_told_first_after_two_earlier_high_readings() -> None:
    """Item 11: two high readings in the last 3 hours (too soon to confirm): not "first"."""
    history = [bp(150, 95, hours_ago=3), bp(148, 94, hours_ago=1)]
    (finding,) = evaluate(bp(152, 96), history=history, ga=GA)
    assert (finding.rule, finding.action) == ("bp_high_first", "repeat_bp_4h_again")
    assert finding.values["earlier_high_readings"] == 2
    normal_before = [bp(120, 80, hours_ago=3)]
    (first,) = evaluate(bp(152, 96), history=normal_before, ga=GA)
    assert (first.action, first.values["earlier_high_readings"]) == ("repeat_bp_4h", 0)


@pytest.mark.parametrize(
    ("repeat", "expected"),
    [
        (bp(150, 95), RepeatOutcome.CONFIRMED),
        (bp(140, 80), RepeatOutcome.CONFIRMED),  # one pressure at the limit is high
        (bp(120, 90), RepeatOutcome.CONFIRMED),
        (bp(139, 89), RepeatOutcome.NORMAL),
        (bp(118, 76), RepeatOutcome.NORMAL),
        (bp(170, 115), RepeatOutcome.CONFIRMED),  # severe is high too
    ],
)
def test_a_repeat_four_hours_later_confirms_or_clears(
    repeat: Reading, expected: RepeatOutcome
) -> None:
    first = bp(150, 95, hours_ago=4)
    assert bp_repeat_outcome(first, repeat) == expected


@pytest.mark.parametrize(
    ("hours_after", "expected"),
    [
        (3 + 59 / 60, None),  # 3 h 59 min: too soon, neither confirms nor clears
        (4, RepeatOutcome.NORMAL),
        (7 * 24, RepeatOutcome.NORMAL),  # window [P]: 7 days inclusive
        (7 * 24 + 1 / 60, None),
        (-5, None),  # an earlier reading is no repeat
    ],
)
def test_the_repeat_window_is_four_hours_to_seven_days(
    hours_after: float, expected: RepeatOutcome | None
) -> None:
    first = bp(150, 95, hours_ago=200)
    repeat = Reading(
        SignKind.BLOOD_PRESSURE,
        first.measured_at + timedelta(hours=hours_after),
        systolic=118,
        diastolic=76,
    )
    assert bp_repeat_outcome(first, repeat) == expected


def test_a_repeat_must_be_a_blood_pressure_and_uses_the_hospital_window() -> None:
    first = bp(150, 95, hours_ago=3)
    pulse = Reading(SignKind.PULSE, NOW, value=80)
    assert bp_repeat_outcome(first, pulse) is None
    assert bp_repeat_outcome(pulse, bp(120, 80)) is None
    sooner = Thresholds(bp_confirm_min_gap_hours=2)
    assert bp_repeat_outcome(first, bp(120, 80), thresholds=sooner) == RepeatOutcome.NORMAL
    assert bp_repeat_outcome(first, bp(120, 80), thresholds=DEFAULT_THRESHOLDS) is None


def test_one_check_in_groups_into_one_alarm_per_grade_most_severe_first() -> None:
    """165/112 with a headache: three urgent findings, one group; the pulse its own group."""
    reading = bp(165, 112, pulse=105, symptoms=frozenset({"headache"}))
    findings = evaluate(reading, history=[], ga=GA)
    findings += grade_symptoms(reading.symptoms, sign=SignKind.BLOOD_PRESSURE)
    groups = group_by_grade(("r1", f) for f in findings)
    assert [(grade, [f.rule for _k, f in pairs]) for grade, pairs in groups] == [
        (Grade.URGENT, ["bp_severe", "bp_high_with_symptoms", "red_flag_headache"]),
        (Grade.ATTENTION, ["pulse_high"]),
    ]
    assert {key for _g, pairs in groups for key, _f in pairs} == {"r1"}


def test_within_a_grade_going_in_person_comes_before_other_actions() -> None:
    """The first finding of a group gives her instruction: "go now" before "measure BP"."""
    weight_with_oedema = evaluate(
        Reading(SignKind.WEIGHT, NOW, value=63.5, symptoms=frozenset({"oedema"})),
        history=[Reading(SignKind.WEIGHT, NOW - timedelta(days=7), value=62.0)],
        ga=GA,
    )
    swelling = grade_symptoms({"oedema"}, sign=SignKind.WEIGHT)
    ordered = order_findings([*weight_with_oedema, *swelling])
    assert [(f.rule, f.action) for f in ordered] == [
        ("red_flag_swelling", "seek_care_now"),
        ("weight_gain_fast", "check_bp"),
    ]
    ((grade, pairs),) = group_by_grade((1, f) for f in [*weight_with_oedema, *swelling])
    assert (grade, [f.rule for _k, f in pairs]) == (
        Grade.URGENT,
        ["red_flag_swelling", "weight_gain_fast"],
    )


def test_grouping_nothing_gives_no_group() -> None:
    assert group_by_grade([]) == []
    assert order_findings([]) == []
