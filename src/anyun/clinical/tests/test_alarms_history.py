"""Alarm rules on their exact limits and on histories longer than a rule needs.

DOMAIN.md section 5: WS/T 801-2022 [S] weekly ranges, INTERGROWTH-21st [V] centiles, the
fetal-movement textbook rule [S]; windows and counts are local policy [P]. Each limit is
tested on it and just past it; each history rule with more readings than it looks at, so
a rule that took the wrong ones (the oldest, or the new reading itself) is caught.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from anyun.clinical.alarm_thresholds import Thresholds
from anyun.clinical.alarms import Finding, Grade, bp_is_high, bp_repeat_outcome, evaluate
from anyun.clinical.dating import GestationalAge
from anyun.clinical.sfh import sfh_centile
from anyun.clinical.signs import MovementPeriod, Reading, SignKind
from anyun.clinical.weight_gain_table import BmiCategory

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
OUT_OF_RANGE = ("weight_gain_out_of_range", Grade.ATTENTION, "contact_clinician_24h")
FAST = ("weight_gain_fast", Grade.ADVICE, "check_bp")
SFH_LOW = ("sfh_low", Grade.ATTENTION, "contact_clinician_24h")
SFH_REPEATED = ("sfh_low_repeated", Grade.URGENT, "ultrasound_check")
SFH_FLAT = ("sfh_not_increasing", Grade.ATTENTION, "contact_clinician_24h")
FALL = ("movements_fall", Grade.ATTENTION, "contact_clinician_24h")


def ga(weeks: int, days: int = 0) -> GestationalAge:
    return GestationalAge.from_weeks_days(weeks, days)


def ago(*, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
    return NOW - timedelta(days=days, hours=hours, minutes=minutes)


def fired(findings: Sequence[Finding]) -> list[tuple[str, Grade, str]]:
    return [(finding.rule, finding.grade, finding.action) for finding in findings]


def weight(kg: float, *, when: datetime = NOW) -> Reading:
    return Reading(SignKind.WEIGHT, when, value=kg)


def weights(*kg_by_days_ago: tuple[float, float]) -> list[Reading]:
    return [weight(kg, when=ago(days=days)) for days, kg in kg_by_days_ago]


def run_weight(
    kg: float,
    history: Sequence[Reading],
    *,
    category: BmiCategory | None = BmiCategory.NORMAL,
    pre_pregnancy_weight_kg: float | None = None,
) -> list[Finding]:
    return evaluate(
        weight(kg),
        history=list(history),
        ga=ga(24),
        bmi_category=category,
        pre_pregnancy_weight_kg=pre_pregnancy_weight_kg,
    )


# Weight, WS/T 801-2022 [S] weekly ranges


@pytest.mark.parametrize(
    ("category", "low", "high"),
    [
        (BmiCategory.UNDERWEIGHT, 0.37, 0.56),
        (BmiCategory.NORMAL, 0.26, 0.48),
        (BmiCategory.OVERWEIGHT, 0.22, 0.37),
        (BmiCategory.OBESE, 0.15, 0.30),
    ],
)
def test_weekly_gain_equal_to_a_ws_t_801_bound_is_in_range(
    category: BmiCategory, low: float, high: float
) -> None:
    """WS/T 801-2022 [S]: the range is inclusive at both ends, for every BMI category."""
    for gain in (low, high):
        history = weights((14, 60.0), (7, 60.0 + gain))
        assert fired(run_weight(round(60.0 + 2 * gain, 2), history, category=category)) == []
    for gain in (round(low - 0.01, 2), round(high + 0.01, 2)):
        history = weights((14, 60.0), (7, 60.0 + gain))
        (finding,) = run_weight(round(60.0 + 2 * gain, 2), history, category=category)
        assert fired([finding]) == [OUT_OF_RANGE]
        assert finding.values["weekly_gains_kg"] == [gain, gain]
        assert finding.values["weekly_range_kg"] == [low, high]
        assert finding.sign == SignKind.WEIGHT


def test_three_and_more_weeks_of_weights_judge_the_latest_two() -> None:
    """WS/T 801-2022 [S]: two consecutive weeks ending with this reading, not older ones."""
    # Weeks, oldest first: 0.30 (in range), 0.20, 0.20 -> the latest two are both low.
    history = weights((21, 60.0), (14, 60.3), (7, 60.5))
    (finding,) = run_weight(60.7, history)
    assert fired([finding]) == [OUT_OF_RANGE]
    assert finding.values["weekly_gains_kg"] == [0.2, 0.2]
    # Weeks 0.20, 0.30, 0.20: the week before last is in range, an older low week does not count.
    assert fired(run_weight(60.7, weights((21, 60.0), (14, 60.2), (7, 60.5)))) == []
    # Four weeks: 0.60, 0.60 (high, old), then 0.30, 0.20: no finding.
    history = weights((28, 58.8), (21, 59.4), (14, 60.0), (7, 60.3))
    assert fired(run_weight(60.5, history)) == []


def test_a_week_with_two_candidate_weights_starts_at_the_nearer() -> None:
    """Local policy [P]: of the weights 5-9 days before, the one nearest to 7 days counts."""
    # 6.5 days (0.5 from 7) beats 8 days (1 from 7): 0.65 kg over 6.5 days is 0.70 a week
    # (from the 8-day weight it would be 2.06 kg a week).
    assert fired(run_weight(61.35, weights((8, 59.0), (6.5, 60.7)), category=None)) == []
    # 7.5 days (0.5 from 7) beats 6 days (1 from 7): 1.5 kg over 7.5 days is 1.40 a week.
    (finding,) = run_weight(61.5, weights((6, 61.4), (7.5, 60.0)), category=None)
    assert finding.values["weekly_gain_kg"] == 1.4
    assert finding.values["over_days"] == 7.5
    # 6 and 8 days are equally near: the more recent (6 days) counts, whichever comes first.
    for history in (weights((8, 61.0), (6, 60.0)), weights((6, 60.0), (8, 61.0))):
        (finding,) = run_weight(61.2, history, category=None)
        assert (finding.values["weekly_gain_kg"], finding.values["over_days"]) == (1.4, 6.0)


@pytest.mark.parametrize(
    ("when", "counts"),
    [
        (ago(days=5), True),
        (ago(days=9), True),
        (ago(days=4, hours=23), False),
        (ago(days=9, hours=1), False),
    ],
)
def test_the_week_window_is_5_to_9_days_inclusive(when: datetime, counts: bool) -> None:
    """Local policy [P]: a week starts from a weight taken 5 to 9 days before."""
    findings = run_weight(72.0, [weight(60.0, when=when)], category=None)
    assert [finding.rule for finding in findings] == (["weight_gain_fast"] if counts else [])


def test_weight_gain_rounds_half_up_at_5_grams() -> None:
    """0.005 kg rounds up (half up from the entered digits, not from binary floats)."""
    (finding,) = run_weight(61.005, weights((7, 60.0)), category=None, pre_pregnancy_weight_kg=56)
    assert finding.values["weekly_gain_kg"] == 1.01  # float arithmetic gives 1.00499...
    assert finding.values["total_gain_kg"] == 5.01
    assert fired([finding]) == [FAST]
    assert fired(run_weight(61.004, weights((7, 60.0)), category=None)) == []


def test_weight_reading_passed_in_its_own_history() -> None:
    reading = weight(60.7)
    history = weights((14, 60.3), (7, 60.5))
    alone = evaluate(reading, history=history, ga=ga(24), bmi_category=BmiCategory.NORMAL)
    assert fired(alone) == [OUT_OF_RANGE]
    assert (
        evaluate(reading, history=[*history, reading], ga=ga(24), bmi_category=BmiCategory.NORMAL)
        == alone
    )


# Fundal height: INTERGROWTH-21st [V] P10 at 25+0 22.65, 26+0 23.60, 27+0 24.55, 28+0 25.49


def sfh(cm: float, *, days_ago: float = 0) -> Reading:
    return Reading(SignKind.FUNDAL_HEIGHT, ago(days=days_ago), value=cm)


def test_three_and_more_earlier_sfh_readings_use_the_latest() -> None:
    """Rule [P]: below P10 on 3 consecutive measurements is this one and the 2 before it."""
    # Normal three weeks ago, then low twice, low now: the latest three are low.
    history = [sfh(24.0, days_ago=21), sfh(23.0, days_ago=14), sfh(24.0, days_ago=7)]
    (finding,) = evaluate(sfh(25.0), history=history, ga=ga(28))
    assert fired([finding]) == [SFH_REPEATED]
    assert finding.values["previous_sfh_cm"] == [24.0, 23.0]
    assert finding.sign == SignKind.FUNDAL_HEIGHT
    # Low three weeks ago, normal two weeks ago, low since: not three in a row.
    history = [sfh(22.0, days_ago=21), sfh(24.0, days_ago=14), sfh(24.0, days_ago=7)]
    assert fired(evaluate(sfh(25.0), history=history, ga=ga(28))) == [SFH_LOW]


def test_three_and_more_earlier_sfh_readings_flat_uses_the_latest_two() -> None:
    """Rule [P]: no increase over the last 2 measurements, older ones aside."""
    # 26, 28, 27.5 then 27: the last three do not increase (an older rise does not matter).
    history = [sfh(26.0, days_ago=21), sfh(28.0, days_ago=14), sfh(27.5, days_ago=7)]
    (finding,) = evaluate(sfh(27.0), history=history, ga=ga(28))
    assert fired([finding]) == [SFH_FLAT]
    assert finding.values["previous_sfh_cm"] == [27.5, 28.0]
    # 28 (old), 26, 27 then 28: rising over the last two.
    history = [sfh(28.0, days_ago=21), sfh(26.0, days_ago=14), sfh(27.0, days_ago=7)]
    assert evaluate(sfh(28.0), history=history, ga=ga(28)) == []


def test_sfh_reading_passed_in_its_own_history() -> None:
    reading = sfh(28.0)
    history = [sfh(26.0, days_ago=14), sfh(27.0, days_ago=7)]
    assert evaluate(reading, history=[*history, reading], ga=ga(28)) == []
    assert evaluate(reading, history=[reading, *history], ga=ga(28)) == []


def test_sfh_history_in_any_order() -> None:
    history = [sfh(24.0, days_ago=7), sfh(23.0, days_ago=14), sfh(27.0, days_ago=21)]
    assert fired(evaluate(sfh(25.0), history=history, ga=ga(28))) == [SFH_REPEATED]


# Fetal movements: textbook rule [S]; her usual from the 7 days before, at least 3 [P]


def one_hour(count: int, *, when: datetime = NOW) -> Reading:
    return Reading(
        SignKind.FETAL_MOVEMENTS, when, value=count, movement_period=MovementPeriod.ONE_HOUR_COUNT
    )


@pytest.mark.parametrize(
    ("oldest", "expected"),
    [
        (ago(days=7), [FALL]),
        (ago(days=7, minutes=1), []),
    ],
)
def test_the_movement_window_is_7_days_inclusive(
    oldest: datetime, expected: list[tuple[str, Grade, str]]
) -> None:
    history = [
        one_hour(10, when=oldest),
        one_hour(10, when=ago(days=1)),
        one_hour(10, when=ago(days=2)),
    ]
    assert fired(evaluate(one_hour(5), history=history, ga=ga(30))) == expected


def test_more_than_three_usual_counts_are_all_averaged() -> None:
    history = [one_hour(count, when=ago(days=day)) for day, count in enumerate((8, 8, 8, 16), 1)]
    (finding,) = evaluate(one_hour(5), history=history, ga=ga(30))  # usual 10, half 5
    assert (finding.values["usual_count"], finding.values["usual_from_counts"]) == (10.0, 4)
    assert evaluate(one_hour(6), history=history, ga=ga(30)) == []


def test_movement_reading_passed_in_its_own_history() -> None:
    reading = one_hour(5)
    history = [one_hour(10, when=ago(days=day)) for day in (1, 2)]
    # Two usual counts only: the new count itself must not make the third.
    assert evaluate(reading, history=[*history, reading], ga=ga(30)) == []


def test_a_week_of_six_days_and_two_hours_is_reported_to_one_decimal() -> None:
    """Local policy [P]: the gain is scaled to 7 days; the days it was measured over are shown."""
    (finding,) = run_weight(61.5, [weight(60.0, when=ago(days=6, hours=2))], category=None)
    assert finding.values["over_days"] == 6.1  # 6.083 days
    assert finding.values["weekly_gain_kg"] == 1.73  # 1.5 kg * 7 / 6.083


def test_fundal_height_exactly_on_a_centile_is_not_beyond_it() -> None:
    """INTERGROWTH-21st [V]: below P10 and above P90 are strict; centiles compared unrounded."""
    p10, p90 = sfh_centile(28, -1.2816), sfh_centile(28, 1.2816)
    assert evaluate(sfh(p10), history=[], ga=ga(28)) == []
    assert evaluate(sfh(p90), history=[], ga=ga(28)) == []
    # An earlier reading exactly on the P10 of its own GA (26+0) was not below it.
    history = [sfh(sfh_centile(26, -1.2816), days_ago=14), sfh(24.0, days_ago=7)]
    assert fired(evaluate(sfh(25.0), history=history, ga=ga(28))) == [SFH_LOW]


def test_sfh_low_whole_finding() -> None:
    (finding,) = evaluate(sfh(25.0), history=[], ga=ga(28))
    assert (finding.rule, finding.grade, finding.sign, finding.action) == (
        "sfh_low",
        Grade.ATTENTION,
        SignKind.FUNDAL_HEIGHT,
        "contact_clinician_24h",
    )
    assert finding.values == {
        "sfh_cm": 25.0,
        "ga": "28+0",
        "low_centile_cm": 25.5,
        "high_centile_cm": 29.9,
        "low_z": -1.2816,
        "high_z": 1.2816,
    }


def test_a_repeat_needs_a_blood_pressure_first() -> None:
    """妊娠期高血压疾病诊治指南 2020 [S]: only a blood pressure can be confirmed or cleared."""
    pulse = Reading(SignKind.PULSE, ago(hours=5), value=80)
    repeat = Reading(SignKind.BLOOD_PRESSURE, NOW, systolic=118, diastolic=76)
    assert bp_repeat_outcome(pulse, repeat) is None


def test_a_count_exactly_at_the_hospitals_fall_fraction_is_a_fall() -> None:
    """Textbook rule [S], fraction hospital-configurable (0.3-0.7): "at or below" includes it.

    Her usual is 70 / 3 movements an hour; 30% of it is exactly 7 (in binary floating point
    0.3 * 23.33... is 6.999...).
    """
    thirty_percent = Thresholds(movements_fall_fraction=0.3)
    history = [one_hour(count, when=ago(days=day)) for day, count in ((1, 20), (2, 25), (3, 25))]
    (finding,) = evaluate(one_hour(7), history=history, ga=ga(30), thresholds=thirty_percent)
    assert fired([finding]) == [FALL]
    assert evaluate(one_hour(8), history=history, ga=ga(30), thresholds=thirty_percent) == []


def test_bp_is_high_at_and_around_140_90() -> None:
    """妊娠期高血压疾病诊治指南 2020 [S]: SBP >= 140 or DBP >= 90, either number, inclusive."""

    def pressure(systolic: int, diastolic: int) -> Reading:
        return Reading(SignKind.BLOOD_PRESSURE, NOW, systolic=systolic, diastolic=diastolic)

    assert [bp_is_high(pressure(s, d)) for s, d in ((140, 89), (139, 90), (139, 89))] == [
        True,
        True,
        False,
    ]
    stricter = Thresholds(bp_systolic_high=135, bp_diastolic_high=85)
    assert bp_is_high(pressure(135, 80), stricter)
    assert bp_is_high(pressure(120, 85), stricter)
    assert not bp_is_high(pressure(134, 84), stricter)


def test_each_sign_looks_back_at_its_own_sign_alone() -> None:
    # The readings service grades each reading against the history of its own sign; the
    # other signs' readings in the history change no finding.
    bp_high = Reading(SignKind.BLOOD_PRESSURE, ago(hours=6), systolic=146, diastolic=92)
    own = {
        SignKind.BLOOD_PRESSURE: [bp_high],
        SignKind.WEIGHT: weights((14, 60.0), (7, 61.5)),
        SignKind.FETAL_MOVEMENTS: [
            Reading(
                SignKind.FETAL_MOVEMENTS,
                ago(days=d),
                value=12,
                movement_period=MovementPeriod.ONE_HOUR_COUNT,
            )
            for d in range(1, 5)
        ],
    }
    mixed = [earlier for readings in own.values() for earlier in readings]
    new = {
        SignKind.BLOOD_PRESSURE: Reading(SignKind.BLOOD_PRESSURE, NOW, systolic=148, diastolic=94),
        SignKind.WEIGHT: weight(63.5),
        SignKind.FETAL_MOVEMENTS: Reading(
            SignKind.FETAL_MOVEMENTS,
            NOW,
            value=4,
            movement_period=MovementPeriod.ONE_HOUR_COUNT,
        ),
    }
    for kind, reading in new.items():
        alone = evaluate(reading, history=own[kind], ga=ga(30), bmi_category=BmiCategory.NORMAL)
        together = evaluate(reading, history=mixed, ga=ga(30), bmi_category=BmiCategory.NORMAL)
        assert fired(together) == fired(alone) != [], kind
    assert "bp_high_confirmed" in {
        f.rule for f in evaluate(new[SignKind.BLOOD_PRESSURE], history=mixed, ga=ga(30))
    }
