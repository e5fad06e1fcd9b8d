"""Home-monitoring alarm rules, DOMAIN.md section 5 (FA-3, FB-9).

Each test names the rule's source: 妊娠期高血压疾病诊治指南 2020 [S] (BP),
妊娠期高血糖诊治指南 2022 [S] (glucose), FHR normal range [S], fetal-movement textbook
rule [S], AIM warning signs [V] (fever), WS/T 801-2022 [S] (weight), INTERGROWTH-21st [V]
(SFH), and local policy [P] for the rest.
"""

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from anyun.clinical.alarm_thresholds import (
    AIM_WARNING_SIGNS,
    BP_GUIDELINE,
    GLUCOSE_GUIDELINE,
    INTERGROWTH_SFH,
    LOCAL_POLICY,
    WST_801,
    AlarmPolicy,
)
from anyun.clinical.alarms import (
    ACTIONS,
    DEFAULT_THRESHOLDS,
    THRESHOLD_SOURCES,
    Finding,
    Grade,
    Thresholds,
    evaluate,
    highest,
)
from anyun.clinical.dating import GestationalAge
from anyun.clinical.errors import ClinicalValueError
from anyun.clinical.signs import GlucoseContext, MovementPeriod, Reading, SignKind
from anyun.clinical.weight_gain_table import BmiCategory

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

Fired = list[tuple[str, Grade, str]]


def ga(weeks: int, days: int = 0) -> GestationalAge:
    return GestationalAge.from_weeks_days(weeks, days)


def ago(*, days: float = 0, hours: float = 0) -> datetime:
    return NOW - timedelta(days=days, hours=hours)


def bp(
    systolic: int,
    diastolic: int,
    *,
    when: datetime = NOW,
    symptoms: frozenset[str] = frozenset(),
    pulse: int | None = None,
) -> Reading:
    return Reading(
        SignKind.BLOOD_PRESSURE,
        when,
        systolic=systolic,
        diastolic=diastolic,
        pulse=pulse,
        symptoms=symptoms,
    )


def sign(
    kind: SignKind, amount: float, *, when: datetime = NOW, symptoms: frozenset[str] = frozenset()
) -> Reading:
    return Reading(kind, when, value=amount, symptoms=symptoms)


def glucose(amount: float, context: GlucoseContext) -> Reading:
    return Reading(SignKind.GLUCOSE, NOW, value=amount, glucose_context=context)


def movements(count: int, period: MovementPeriod, *, when: datetime = NOW) -> Reading:
    return Reading(SignKind.FETAL_MOVEMENTS, when, value=count, movement_period=period)


def run(
    reading: Reading,
    history: Sequence[Reading] = (),
    *,
    at: GestationalAge | None = None,
    **options: object,
) -> list[Finding]:
    return evaluate(reading, history=list(history), ga=at or ga(32), **options)


def fired(findings: Sequence[Finding]) -> Fired:
    return [(finding.rule, finding.grade, finding.action) for finding in findings]


# A first high reading reaches a clinician (attention) unless the hospital chose advice.
FIRST_HIGH = ("bp_high_first", Grade.ATTENTION, "repeat_bp_4h")
# High again, but the earlier high reading does not confirm it (too soon or too long ago):
# she is not told it is her first.
HIGH_AGAIN = ("bp_high_first", Grade.ATTENTION, "repeat_bp_4h_again")
CONFIRMED = ("bp_high_confirmed", Grade.ATTENTION, "contact_clinician_24h")
SEVERE = ("bp_severe", Grade.URGENT, "seek_care_now")
WITH_SYMPTOMS = ("bp_high_with_symptoms", Grade.URGENT, "seek_care_now")


# Blood pressure, 妊娠期高血压疾病诊治指南 2020 [S]


@pytest.mark.parametrize(
    ("systolic", "diastolic", "expected"),
    [
        (139, 89, []),
        (140, 89, [FIRST_HIGH]),
        (139, 90, [FIRST_HIGH]),
        (140, 90, [FIRST_HIGH]),
        (159, 109, [FIRST_HIGH]),
        (160, 109, [SEVERE]),
        (159, 110, [SEVERE]),
        (160, 110, [SEVERE]),
    ],
)
def test_bp_first_reading_hypertension_guideline_2020(
    systolic: int, diastolic: int, expected: Fired
) -> None:
    """妊娠期高血压疾病诊治指南 2020 [S]: >=160/110 urgent; >=140/90 first -> repeat in 4 h."""
    assert fired(run(bp(systolic, diastolic))) == expected


@pytest.mark.parametrize(
    ("systolic", "diastolic", "expected"),
    [
        (139, 89, []),
        (140, 89, [CONFIRMED]),
        (140, 90, [CONFIRMED]),
        (159, 109, [CONFIRMED]),
        (160, 110, [SEVERE]),
    ],
)
def test_bp_repeat_four_hours_later_hypertension_guideline_2020(
    systolic: int, diastolic: int, expected: Fired
) -> None:
    """妊娠期高血压疾病诊治指南 2020 [S]: a high repeat >=4 h after a high one is confirmed."""
    earlier = [bp(142, 92, when=ago(hours=4))]
    assert fired(run(bp(systolic, diastolic), earlier)) == expected


@pytest.mark.parametrize(
    ("systolic", "diastolic", "expected"),
    [
        (139, 89, []),
        (140, 90, [HIGH_AGAIN]),
        (159, 109, [HIGH_AGAIN]),
        (160, 110, [SEVERE]),
    ],
)
def test_bp_repeat_three_hours_later_hypertension_guideline_2020(
    systolic: int, diastolic: int, expected: Fired
) -> None:
    """妊娠期高血压疾病诊治指南 2020 [S]: a repeat under 4 h apart only asks to repeat again."""
    earlier = [bp(150, 95, when=ago(hours=3))]
    assert fired(run(bp(systolic, diastolic), earlier)) == expected


@pytest.mark.parametrize(
    ("earlier_at", "expected"),
    [
        (ago(hours=3, days=0) - timedelta(minutes=59), [HIGH_AGAIN]),  # 3 h 59 min
        (ago(hours=4), [CONFIRMED]),
        (ago(days=3), [CONFIRMED]),
        (ago(days=7), [CONFIRMED]),  # window [P]: 7 days inclusive
        (ago(days=7) - timedelta(minutes=1), [HIGH_AGAIN]),
    ],
)
def test_bp_confirmation_window_hypertension_guideline_2020(
    earlier_at: datetime, expected: Fired
) -> None:
    """妊娠期高血压疾病诊治指南 2020 [S] (>=4 h apart); upper limit 7 days is local policy [P]."""
    assert fired(run(bp(145, 85), [bp(145, 85, when=earlier_at)])) == expected


def test_bp_confirmation_needs_an_earlier_high_reading_hypertension_guideline_2020() -> None:
    """妊娠期高血压疾病诊治指南 2020 [S]: a normal earlier reading confirms nothing."""
    history = [
        bp(120, 80, when=ago(hours=5)),
        bp(150, 95, when=ago(hours=1)),  # too recent
        sign(SignKind.PULSE, 80, when=ago(hours=6)),
        bp(150, 95, when=NOW + timedelta(hours=5)),  # later than the reading: ignored
        bp(150, 95),  # the reading itself, passed in the history: ignored
    ]
    assert fired(run(bp(150, 95), history)) == [HIGH_AGAIN]  # one earlier high, too recent
    assert run(bp(150, 95), history)[0].values["earlier_high_readings"] == 1


def test_bp_confirmed_finding_explains_itself_hypertension_guideline_2020() -> None:
    """妊娠期高血压疾病诊治指南 2020 [S]: the finding shows both readings and its source."""
    history = [
        bp(141, 85, when=ago(days=2)),
        bp(118, 76, when=ago(days=1)),
        bp(146, 88, when=ago(hours=6)),
    ]
    (finding,) = run(bp(144, 91), list(reversed(history)))
    assert finding == Finding(
        rule="bp_high_confirmed",
        grade=Grade.ATTENTION,
        sign=SignKind.BLOOD_PRESSURE,
        values={
            "systolic": 144,
            "diastolic": 91,
            "systolic_limit": 140,
            "diastolic_limit": 90,
            "previous_systolic": 146,
            "previous_diastolic": 88,
            "previous_measured_at": "2025-06-02T03:00:00+08:00",
        },
        action="contact_clinician_24h",
        source=BP_GUIDELINE,
        confidence="S",
    )


@pytest.mark.parametrize("symptom", ["headache", "visual_change", "epigastric_pain"])
def test_bp_high_with_symptoms_is_urgent_hypertension_guideline_2020(symptom: str) -> None:
    """妊娠期高血压疾病诊治指南 2020 [S]: >=140/90 with headache, visual change or
    epigastric pain is urgent, even as a first reading."""
    symptoms = frozenset({symptom})
    assert fired(run(bp(140, 90, symptoms=symptoms))) == [WITH_SYMPTOMS]
    assert fired(run(bp(139, 89, symptoms=symptoms))) == []
    (finding,) = run(bp(138, 90, symptoms=symptoms | {"oedema"}))
    assert finding.values["symptoms"] == [symptom]


def test_bp_severe_with_symptoms_gives_both_reasons_hypertension_guideline_2020() -> None:
    """妊娠期高血压疾病诊治指南 2020 [S]: both urgent reasons are shown to the clinician."""
    symptoms = frozenset({"visual_change", "headache"})
    assert fired(run(bp(165, 100, symptoms=symptoms))) == [SEVERE, WITH_SYMPTOMS]


def test_bp_other_symptoms_do_not_escalate_hypertension_guideline_2020() -> None:
    """妊娠期高血压疾病诊治指南 2020 [S]: only the three named symptoms make 140/90 urgent."""
    assert fired(run(bp(140, 90, symptoms=frozenset({"oedema", "bleeding"})))) == [FIRST_HIGH]


def test_bp_monitor_pulse_is_graded_local_policy() -> None:
    """Local policy [P]: the monitor's pulse is graded as a resting pulse, most severe first."""
    findings = run(bp(120, 80, pulse=121))
    assert fired(findings) == [("pulse_very_high", Grade.URGENT, "seek_care_now")]
    assert findings[0].sign == SignKind.PULSE
    assert fired(run(bp(150, 95, pulse=105))) == [
        FIRST_HIGH,
        ("pulse_high", Grade.ATTENTION, "contact_clinician_24h"),
    ]
    advice = AlarmPolicy(first_high_bp_grade="advice")
    assert fired(run(bp(150, 95, pulse=105), policy=advice)) == [
        ("pulse_high", Grade.ATTENTION, "contact_clinician_24h"),
        ("bp_high_first", Grade.ADVICE, "repeat_bp_4h"),
    ]


# Glucose, 妊娠期高血糖诊治指南 2022 [S]; urgent bounds local policy [P]

TARGET = ("glucose_above_target", Grade.ATTENTION, "contact_clinician_24h")
LOW = ("glucose_low", Grade.URGENT, "seek_care_now")
VERY_HIGH = ("glucose_very_high", Grade.URGENT, "seek_care_now")
ALL_CONTEXTS = list(GlucoseContext)


@pytest.mark.parametrize(
    ("context", "amount", "expected"),
    [
        (GlucoseContext.FASTING, 5.2, []),
        (GlucoseContext.FASTING, 5.3, [TARGET]),
        (GlucoseContext.PRE_MEAL, 5.2, []),
        (GlucoseContext.PRE_MEAL, 5.3, [TARGET]),
        (GlucoseContext.POST_MEAL_1H, 7.7, []),
        (GlucoseContext.POST_MEAL_1H, 7.8, [TARGET]),
        (GlucoseContext.POST_MEAL_2H, 6.6, []),
        (GlucoseContext.POST_MEAL_2H, 6.7, [TARGET]),
        (GlucoseContext.FASTING, 11.0, [TARGET]),
        (GlucoseContext.BEDTIME, 11.0, []),
        (GlucoseContext.RANDOM, 11.0, []),
        (GlucoseContext.BEDTIME, 8.0, []),
    ],
)
def test_glucose_targets_hyperglycaemia_guideline_2022(
    context: GlucoseContext, amount: float, expected: Fired
) -> None:
    """妊娠期高血糖诊治指南 2022 [S], for a woman with known GDM/PGDM: fasting/pre-meal >=5.3,
    1 h >=7.8, 2 h >=6.7; bedtime and random readings only against the urgent bounds."""
    assert fired(run(glucose(amount, context), diabetes=True)) == expected


@pytest.mark.parametrize(
    ("context", "amount"),
    [
        (GlucoseContext.FASTING, 5.6),
        (GlucoseContext.PRE_MEAL, 5.3),
        (GlucoseContext.POST_MEAL_1H, 9.0),
        (GlucoseContext.POST_MEAL_2H, 11.0),
    ],
)
def test_glucose_targets_apply_only_with_known_diabetes(
    context: GlucoseContext, amount: float
) -> None:
    """DOMAIN.md s.5: the self-monitoring targets are those of known GDM/PGDM; a woman
    without the diagnosis who records a glucose value above them raises nothing."""
    assert fired(run(glucose(amount, context))) == []
    assert fired(run(glucose(amount, context), diabetes=False)) == []
    assert fired(run(glucose(amount, context), diabetes=True)) == [TARGET]


@pytest.mark.parametrize("diabetes", [False, True])
@pytest.mark.parametrize("context", ALL_CONTEXTS)
def test_glucose_urgent_bounds_local_policy(context: GlucoseContext, diabetes: bool) -> None:
    """Local policy [P]: <3.3 (hypoglycaemia) and >=11.1 are urgent in every context, for
    every woman, diagnosed or not."""
    assert fired(run(glucose(3.2, context), diabetes=diabetes)) == [LOW]
    assert fired(run(glucose(3.3, context), diabetes=diabetes)) == []
    assert fired(run(glucose(11.1, context), diabetes=diabetes)) == [VERY_HIGH]


def test_glucose_findings_name_their_source() -> None:
    """妊娠期高血糖诊治指南 2022 [S] for targets; local policy [P] for the urgent bounds."""
    (target,) = run(glucose(7.8, GlucoseContext.POST_MEAL_1H), diabetes=True)
    assert (target.source, target.confidence) == (GLUCOSE_GUIDELINE, "S")
    assert target.values == {"glucose_mmol_l": 7.8, "context": "post_meal_1h", "limit": 7.8}
    (low,) = run(glucose(3.0, GlucoseContext.RANDOM))
    assert (low.source, low.confidence) == (LOCAL_POLICY, "P")


# Fetal heart rate: normal range [S], urgent bounds local policy [P]


@pytest.mark.parametrize(
    ("bpm", "expected"),
    [
        (99, [("fhr_very_low", Grade.URGENT, "seek_care_now")]),
        (100, [("fhr_low", Grade.ATTENTION, "contact_clinician_24h")]),
        (109, [("fhr_low", Grade.ATTENTION, "contact_clinician_24h")]),
        (110, []),
        (140, []),
        (160, []),
        (161, [("fhr_high", Grade.ATTENTION, "contact_clinician_24h")]),
        (180, [("fhr_high", Grade.ATTENTION, "contact_clinician_24h")]),
        (181, [("fhr_very_high", Grade.URGENT, "seek_care_now")]),
    ],
)
def test_fetal_heart_rate_normal_range(bpm: int, expected: Fired) -> None:
    """FHR normal range 110-160 [S] -> attention outside; <100 or >180 urgent [P]."""
    assert fired(run(sign(SignKind.FETAL_HEART_RATE, bpm))) == expected


# Fetal movements, textbook rule [S]

NONE_FELT = ("movements_none", Grade.URGENT, "seek_care_now")
BELOW_TEN = ("movements_below_minimum", Grade.URGENT, "seek_care_now")
FALL = ("movements_fall", Grade.ATTENTION, "contact_clinician_24h")
ONE_HOUR = MovementPeriod.ONE_HOUR_COUNT
TWO_HOURS = MovementPeriod.TWO_HOUR_COUNT_TO_TEN


@pytest.mark.parametrize("period", list(MovementPeriod))
def test_movements_only_from_28_weeks_textbook_rule(period: MovementPeriod) -> None:
    """Fetal movement counting, textbook rule [S]: graded from 28+0 weeks only."""
    assert fired(run(movements(0, period), at=ga(27, 6))) == []
    assert fired(run(movements(0, period), at=ga(28, 0))) == [NONE_FELT]
    assert evaluate(movements(0, period), history=[], ga=None) == []


@pytest.mark.parametrize(
    ("count", "at", "expected"),
    [
        (9, ga(28, 0), [BELOW_TEN]),
        (10, ga(28, 0), []),
        (1, ga(36, 0), [BELOW_TEN]),
        (12, ga(36, 0), []),
        (9, ga(27, 6), []),
    ],
)
def test_movements_fewer_than_ten_in_two_hours_textbook_rule(
    count: int, at: GestationalAge, expected: Fired
) -> None:
    """Fetal movement counting, textbook rule [S]: <10 in 2 hours is urgent."""
    assert fired(run(movements(count, TWO_HOURS), at=at)) == expected


def usual_counts(*counts: int, days_ago: Sequence[float] = (1, 2, 3)) -> list[Reading]:
    return [
        movements(count, ONE_HOUR, when=ago(days=days))
        for count, days in zip(counts, days_ago[: len(counts)], strict=True)
    ]


@pytest.mark.parametrize(
    ("count", "history", "expected"),
    [
        (5, usual_counts(10, 10, 10), [FALL]),
        (6, usual_counts(10, 10, 10), []),
        (5, usual_counts(9, 10, 12), [FALL]),  # usual 10.33, half 5.17
        (6, usual_counts(9, 10, 12), []),
        (1, usual_counts(10, 10), []),  # fewer than 3 usual counts [P]
        (1, usual_counts(10, 10, 10, days_ago=(1, 2, 8)), []),  # one is older than 7 days [P]
        (5, usual_counts(10, 10, 10, days_ago=(1, 2, 7)), [FALL]),  # 7 days is inside
        (0, [], [NONE_FELT]),
    ],
)
def test_movements_fall_by_half_textbook_rule(
    count: int, history: list[Reading], expected: Fired
) -> None:
    """Fetal movement counting, textbook rule [S]: a fall >=50% from her usual is
    attention; usual = mean of one-hour counts in the last 7 days, at least 3 [P]."""
    assert fired(run(movements(count, ONE_HOUR), history, at=ga(30))) == expected


def test_movements_usual_ignores_two_hour_counts_textbook_rule() -> None:
    """Fetal movement counting, textbook rule [S]: only one-hour counts make her usual."""
    history = usual_counts(10, 10) + [movements(10, TWO_HOURS, when=ago(days=1))]
    assert fired(run(movements(2, ONE_HOUR), history, at=ga(30))) == []
    (finding,) = run(movements(4, ONE_HOUR), [*history, *usual_counts(10)], at=ga(30))
    assert finding.values == {
        "count": 4,
        "period": "one_hour_count",
        "ga": "30+0",
        "usual_count": 10.0,
        "usual_from_counts": 3,
        "fall_fraction": 0.5,
    }


# Pulse, local policy [P]


@pytest.mark.parametrize(
    ("bpm", "expected"),
    [
        (49, [("pulse_low", Grade.ATTENTION, "contact_clinician_24h")]),
        (50, []),
        (100, []),
        (101, [("pulse_high", Grade.ATTENTION, "contact_clinician_24h")]),
        (120, [("pulse_high", Grade.ATTENTION, "contact_clinician_24h")]),
        (121, [("pulse_very_high", Grade.URGENT, "seek_care_now")]),
    ],
)
def test_pulse_local_policy(bpm: int, expected: Fired) -> None:
    """Local policy [P]: >100 or <50 attention, >120 urgent."""
    findings = run(sign(SignKind.PULSE, bpm))
    assert fired(findings) == expected
    assert all((f.source, f.confidence) == (LOCAL_POLICY, "P") for f in findings)


# Temperature: fever AIM warning signs [V]; raised temperature local policy [P]


@pytest.mark.parametrize(
    ("celsius", "expected"),
    [
        (37.2, []),
        (37.3, [("temperature_raised", Grade.ATTENTION, "contact_clinician_24h")]),
        (37.9, [("temperature_raised", Grade.ATTENTION, "contact_clinician_24h")]),
        (38.0, [("fever", Grade.URGENT, "seek_care_now")]),
        (39.5, [("fever", Grade.URGENT, "seek_care_now")]),
    ],
)
def test_temperature_aim_warning_signs(celsius: float, expected: Fired) -> None:
    """AIM Urgent Maternal Warning Signs [V]: >=38.0 urgent; >=37.3 attention [P]."""
    assert fired(run(sign(SignKind.TEMPERATURE, celsius))) == expected


def test_fever_finding_names_aim() -> None:
    """AIM Urgent Maternal Warning Signs [V]."""
    (finding,) = run(sign(SignKind.TEMPERATURE, 38.0))
    assert (finding.source, finding.confidence) == (AIM_WARNING_SIGNS, "V")


# Weight gain, WS/T 801-2022 [S] (normal BMI: 0.26-0.48 kg a week)

OUT_OF_RANGE = ("weight_gain_out_of_range", Grade.ATTENTION, "contact_clinician_24h")
FAST = ("weight_gain_fast", Grade.ADVICE, "check_bp")
FAST_WITH_OEDEMA = ("weight_gain_fast", Grade.URGENT, "check_bp")


def weights(*kg_by_days_ago: tuple[float, float]) -> list[Reading]:
    return [sign(SignKind.WEIGHT, kg, when=ago(days=days)) for days, kg in kg_by_days_ago]


def run_weight(
    kg: float,
    history: list[Reading],
    *,
    at: GestationalAge | None = None,
    category: BmiCategory | None = BmiCategory.NORMAL,
    symptoms: frozenset[str] = frozenset(),
) -> list[Finding]:
    return evaluate(
        sign(SignKind.WEIGHT, kg, symptoms=symptoms),
        history=history,
        ga=at or ga(24),
        bmi_category=category,
        pre_pregnancy_weight_kg=55.0,
    )


@pytest.mark.parametrize(
    ("history", "kg", "expected"),
    [
        (weights((14, 60.0), (7, 60.2)), 60.4, [OUT_OF_RANGE]),  # 0.20, 0.20: both low
        (weights((14, 60.0), (7, 60.3)), 60.5, []),  # 0.30 in range, then 0.20 low
        (weights((14, 60.0), (7, 60.2)), 60.5, []),  # 0.20 low, then 0.30 in range
        (weights((14, 60.0), (7, 60.26)), 60.74, []),  # 0.26 and 0.48: range limits
        (weights((14, 60.0), (7, 60.25)), 60.74, [OUT_OF_RANGE]),  # 0.25 low, 0.49 high
        (weights((14, 60.0), (7, 60.6)), 61.2, [OUT_OF_RANGE]),  # 0.60, 0.60: both high
        (weights((7, 60.2)), 60.4, []),  # one week only
        (weights((17, 60.0), (7, 60.2)), 60.4, []),  # gap: 10 days between the two earlier
        (weights((16, 60.0), (7, 60.2)), 60.4, [OUT_OF_RANGE]),  # 9 days: 0.16 a week
    ],
)
def test_weight_two_weeks_out_of_range_ws_t_801(
    history: list[Reading], kg: float, expected: Fired
) -> None:
    """WS/T 801-2022 [S]: weekly gain outside her range in 2 consecutive weeks -> attention."""
    assert fired(run_weight(kg, history)) == expected


def test_weight_out_of_range_uses_her_bmi_category_ws_t_801() -> None:
    """WS/T 801-2022 [S]: 0.20 kg a week is in range for obese (0.15-0.30), not normal."""
    history = weights((14, 90.0), (7, 90.2))
    assert fired(run_weight(90.4, history, category=BmiCategory.OBESE)) == []
    assert fired(run_weight(90.4, history, category=None)) == []
    (finding,) = run_weight(90.4, history, category=BmiCategory.NORMAL)
    assert finding.values == {
        "weight_kg": 90.4,
        "ga": "24+0",
        "total_gain_kg": 35.4,
        "weekly_gains_kg": [0.2, 0.2],
        "weekly_range_kg": [0.26, 0.48],
        "bmi_category": "normal",
    }
    assert (finding.source, finding.confidence) == (WST_801, "S")


def test_weight_weeks_before_14_weeks_are_not_compared_ws_t_801() -> None:
    """WS/T 801-2022 [S]: the weekly range applies from 14+0 (mid/late pregnancy)."""
    history = weights((14, 60.0), (7, 60.1))
    assert fired(run_weight(60.2, history, at=ga(15, 6))) == []  # first week starts 13+6
    assert fired(run_weight(60.2, history, at=ga(16, 0))) == [OUT_OF_RANGE]


def test_weight_week_is_the_reading_nearest_to_seven_days_local_policy() -> None:
    """Local policy [P]: the week starts at the weight nearest to 7 days before, within
    5-9 days; the gain is scaled to 7 days."""
    assert fired(run_weight(62.0, weights((4, 60.0), (10, 60.0)))) == []
    # 9 days, 1.2 kg -> 0.93 kg a week; 5 days, 0.8 kg -> 1.12 kg a week.
    assert fired(run_weight(61.2, weights((9, 60.0)))) == []
    assert fired(run_weight(60.8, weights((5, 60.0)))) == [FAST]
    # 6 and 8 days are equally near: the more recent one counts.
    assert fired(run_weight(61.2, weights((8, 61.0), (6, 60.0)))) == [FAST]


@pytest.mark.parametrize(
    ("kg", "symptoms", "expected"),
    [
        (61.0, frozenset(), []),  # exactly 1 kg
        (61.1, frozenset(), [FAST]),
        (61.1, frozenset({"oedema"}), [FAST_WITH_OEDEMA]),
        (61.0, frozenset({"oedema"}), []),
    ],
)
def test_weight_gain_over_one_kg_a_week_local_policy(
    kg: float, symptoms: frozenset[str], expected: Fired
) -> None:
    """Local policy [P]: >1 kg in a week -> check BP; with oedema -> attention."""
    assert fired(run_weight(kg, weights((7, 60.0)), symptoms=symptoms)) == expected


def test_weight_fast_gain_needs_no_bmi_category_local_policy() -> None:
    """Local policy [P]: the fast-gain check does not depend on the BMI category."""
    (finding,) = run_weight(61.5, weights((7, 60.0)), category=None)
    assert finding.rule == "weight_gain_fast"
    assert finding.values["weekly_gain_kg"] == 1.5
    assert (finding.source, finding.confidence) == (LOCAL_POLICY, "P")


def test_weight_not_graded_before_14_weeks_or_without_ga_ws_t_801() -> None:
    """WS/T 801-2022 [S]: weekly gain is a mid/late-pregnancy measure (from 14+0)."""
    history = weights((14, 60.0), (7, 61.5))
    assert fired(run_weight(63.0, history, at=ga(13, 6))) == []
    assert evaluate(sign(SignKind.WEIGHT, 63.0), history=history, ga=None, bmi_category=None) == []
    assert fired(run_weight(63.0, history, at=ga(14, 0))) == [FAST]


def test_weight_both_rules_can_fire_ws_t_801() -> None:
    """WS/T 801-2022 [S] and local policy [P] fire independently."""
    assert fired(run_weight(62.2, weights((14, 60.0), (7, 61.0)))) == [OUT_OF_RANGE, FAST]


def test_weight_refuses_impossible_pre_pregnancy_weight() -> None:
    """DOMAIN.md section 5: weight 25-250 kg."""
    with pytest.raises(ClinicalValueError) as caught:
        evaluate(sign(SignKind.WEIGHT, 60), history=[], ga=ga(20), pre_pregnancy_weight_kg=20)
    assert (caught.value.code, caught.value.field) == ("weight_range", "weight_kg")


# Fundal height, INTERGROWTH-21st [V] centiles; rules local policy [P]
# At 28+0: P10 25.49, P90 29.88. At 27+0: P10 24.55. At 26+0: P10 23.60.

SFH_LOW = ("sfh_low", Grade.ATTENTION, "contact_clinician_24h")
SFH_HIGH = ("sfh_high", Grade.ATTENTION, "contact_clinician_24h")
SFH_REPEATED = ("sfh_low_repeated", Grade.URGENT, "ultrasound_check")
SFH_FLAT = ("sfh_not_increasing", Grade.ATTENTION, "contact_clinician_24h")


def sfh(cm: float, *, days_ago: float = 0) -> Reading:
    return sign(SignKind.FUNDAL_HEIGHT, cm, when=ago(days=days_ago))


@pytest.mark.parametrize(
    ("cm", "expected"),
    [
        (25.4, [SFH_LOW]),
        (25.5, []),
        (27.7, []),
        (29.8, []),
        (29.9, [SFH_HIGH]),
    ],
)
def test_sfh_p10_p90_intergrowth(cm: float, expected: Fired) -> None:
    """INTERGROWTH-21st [V] P10/P90 at 28+0; below P10 or above P90 -> attention [P]."""
    assert fired(run(sfh(cm), at=ga(28))) == expected


def test_sfh_finding_explains_itself_intergrowth() -> None:
    """INTERGROWTH-21st [V]: the finding shows the centiles it was compared with."""
    (finding,) = run(sfh(25.0), at=ga(28))
    assert finding.values == {
        "sfh_cm": 25.0,
        "ga": "28+0",
        "low_centile_cm": 25.5,
        "high_centile_cm": 29.9,
        "low_z": -1.2816,
        "high_z": 1.2816,
    }
    assert (finding.source, finding.confidence) == (INTERGROWTH_SFH, "P")


def test_sfh_below_p10_three_times_asks_for_ultrasound_intergrowth() -> None:
    """INTERGROWTH-21st [V]; rule [P]: below P10 on 3 consecutive measurements ->
    ultrasound, each compared with the P10 of its own GA."""
    history = [sfh(23.0, days_ago=14), sfh(24.0, days_ago=7)]
    (finding,) = run(sfh(25.0), history, at=ga(28))
    assert fired([finding]) == [SFH_REPEATED]
    assert finding.values["previous_sfh_cm"] == [24.0, 23.0]
    # The first was above its own P10 (23.60 at 26+0): only the single finding.
    history = [sfh(23.7, days_ago=14), sfh(24.0, days_ago=7)]
    assert fired(run(sfh(25.0), history, at=ga(28))) == [SFH_LOW]
    # Only two measurements so far.
    assert fired(run(sfh(25.0), history[1:], at=ga(28))) == [SFH_LOW]
    # Three low, but the latest is back above P10.
    assert fired(run(sfh(25.6), [sfh(23.0, days_ago=14), sfh(24.0, days_ago=7)], at=ga(28))) == []


def test_sfh_earlier_measurement_before_16_weeks_does_not_count_intergrowth() -> None:
    """INTERGROWTH-21st [V] covers 16-42 weeks: an earlier SFH before 16+0 cannot be below P10."""
    history = [sfh(13.0, days_ago=14), sfh(14.0, days_ago=7)]  # 15+0 and 16+0
    assert fired(run(sfh(14.5), history, at=ga(17))) == [SFH_LOW]


@pytest.mark.parametrize(
    ("earlier_cm", "cm", "expected"),
    [
        ((26.0, 27.0), 28.0, []),
        ((27.0, 27.0), 27.0, [SFH_FLAT]),
        ((28.0, 27.5), 27.5, [SFH_FLAT]),
        ((28.0, 27.5), 27.0, [SFH_FLAT]),
        ((27.0, 27.5), 27.5, []),  # rose then flat
        ((27.5, 27.0), 27.5, []),  # fell then rose
        ((27.5,), 27.0, []),  # only one earlier measurement
    ],
)
def test_sfh_not_increasing_over_two_measurements_local_policy(
    earlier_cm: tuple[float, ...], cm: float, expected: Fired
) -> None:
    """Local policy [P]: no increase over the last 2 measurements -> attention."""
    history = [sfh(value, days_ago=7 * (len(earlier_cm) - i)) for i, value in enumerate(earlier_cm)]
    assert fired(run(sfh(cm), history, at=ga(28))) == expected


def test_sfh_low_and_not_increasing_together_intergrowth() -> None:
    """INTERGROWTH-21st [V]; rules [P]: both rules fire independently."""
    history = [sfh(24.0, days_ago=14), sfh(24.0, days_ago=7)]
    assert fired(run(sfh(24.0), history, at=ga(28))) == [SFH_LOW, SFH_FLAT]


@pytest.mark.parametrize("at", [ga(15, 6), ga(42, 1), None])
def test_sfh_not_graded_outside_16_to_42_weeks_intergrowth(at: GestationalAge | None) -> None:
    """INTERGROWTH-21st [V] is defined for 16-42 weeks only."""
    history = [sfh(10.0, days_ago=14), sfh(10.0, days_ago=7)]
    assert evaluate(sfh(10.0), history=history, ga=at) == []


def test_sfh_graded_at_16_and_42_weeks_intergrowth() -> None:
    """INTERGROWTH-21st [V]: both ends of the range are included."""
    assert fired(run(sfh(13.0), at=ga(16))) == [SFH_LOW]
    assert fired(run(sfh(43.0), at=ga(42))) == [SFH_HIGH]


# Abdominal circumference: plot only (popular table [S])


@pytest.mark.parametrize("cm", [40.0, 95.0, 200.0])
def test_abdominal_circumference_never_alarms(cm: float) -> None:
    """DOMAIN.md section 5 [S]: abdominal circumference is plotted, never an alarm."""
    history = [sign(SignKind.ABDOMINAL_CIRCUMFERENCE, 100.0, when=ago(days=7))]
    assert run(sign(SignKind.ABDOMINAL_CIRCUMFERENCE, cm), history) == []


# Cross-cutting


def test_evaluate_refuses_an_impossible_reading() -> None:
    """DOMAIN.md section 5: impossible values are refused, not graded."""
    with pytest.raises(ClinicalValueError) as caught:
        run(bp(120, 130))
    assert caught.value.code == "diastolic_not_below_systolic"
    with pytest.raises(ClinicalValueError) as caught:
        run(Reading(SignKind.GLUCOSE, NOW, value=5.0))
    assert caught.value.code == "glucose_context_missing"


def test_evaluate_grades_an_implausible_reading_as_entered() -> None:
    """Local policy [P]: a confirmed implausible value is graded like any other."""
    assert fired(run(sign(SignKind.FETAL_HEART_RATE, 85))) == [
        ("fhr_very_low", Grade.URGENT, "seek_care_now")
    ]


def test_grade_rank_orders_advice_attention_urgent() -> None:
    """DOMAIN.md section 5: advice < attention < urgent."""
    assert [grade.rank for grade in Grade] == [1, 2, 3]
    assert sorted(Grade, key=lambda g: -g.rank) == [Grade.URGENT, Grade.ATTENTION, Grade.ADVICE]


def test_highest() -> None:
    """DOMAIN.md section 5: the most severe grade decides the response."""
    assert highest([]) is None
    assert highest(run(bp(145, 85), policy=AlarmPolicy(first_high_bp_grade="advice"))) == (
        Grade.ADVICE
    )
    assert highest(run(bp(145, 85))) == Grade.ATTENTION
    assert highest(run(bp(150, 95, pulse=105))) == Grade.ATTENTION
    assert highest(run(bp(165, 95, pulse=105))) == Grade.URGENT


def test_action_codes() -> None:
    """Every action a rule can give has English text for the app to translate."""
    assert set(ACTIONS) == {
        "seek_care_now",
        "contact_clinician_24h",
        "repeat_bp_4h",
        "repeat_bp_4h_again",
        "check_bp",
        "ultrasound_check",
    }
    assert all(text.endswith(".") for text in ACTIONS.values())


def test_threshold_sources_cover_every_threshold() -> None:
    """DOMAIN.md: every threshold has its source and confidence mark beside it."""
    names = {field.name for field in dataclasses.fields(Thresholds)}
    assert set(THRESHOLD_SOURCES) == names
    assert {mark for _, mark in THRESHOLD_SOURCES.values()} == {"V", "S", "P"}
    assert THRESHOLD_SOURCES["temperature_fever"] == (AIM_WARNING_SIGNS, "V")
    assert THRESHOLD_SOURCES["bp_systolic_high"] == (BP_GUIDELINE, "S")


def test_default_thresholds_match_domain() -> None:
    """DOMAIN.md section 5 defaults."""
    t = DEFAULT_THRESHOLDS
    assert (t.bp_systolic_high, t.bp_diastolic_high) == (140, 90)
    assert (t.bp_systolic_severe, t.bp_diastolic_severe) == (160, 110)
    assert (t.bp_confirm_min_gap_hours, t.bp_confirm_max_gap_days) == (4.0, 7.0)
    assert (
        t.glucose_fasting_target,
        t.glucose_post_meal_1h_target,
        t.glucose_post_meal_2h_target,
        t.glucose_low,
        t.glucose_very_high,
    ) == (5.3, 7.8, 6.7, 3.3, 11.1)
    assert (t.fhr_urgent_low, t.fhr_normal_low, t.fhr_normal_high, t.fhr_urgent_high) == (
        100,
        110,
        160,
        180,
    )
    assert (str(t.movements_from), t.movements_two_hour_min, t.movements_fall_fraction) == (
        "28+0",
        10,
        0.5,
    )
    assert (t.pulse_low, t.pulse_high, t.pulse_urgent_high) == (50, 100, 120)
    assert (t.temperature_raised, t.temperature_fever) == (37.3, 38.0)
    assert (str(t.weight_from), t.weight_out_of_range_weeks, t.weight_fast_gain_kg) == (
        "14+0",
        2,
        1.0,
    )
    assert (t.sfh_low_z, t.sfh_high_z, t.sfh_low_repeat_count, t.sfh_flat_measurements) == (
        -1.2816,
        1.2816,
        3,
        2,
    )


def test_hospital_thresholds_are_used() -> None:
    """DOMAIN.md: [S]/[P] thresholds are hospital-configurable."""
    strict = Thresholds(bp_systolic_high=135, bp_diastolic_high=85, temperature_raised=37.5)
    assert fired(evaluate(bp(135, 80), history=[], ga=ga(30), thresholds=strict)) == [FIRST_HIGH]
    assert fired(evaluate(bp(135, 80), history=[], ga=ga(30))) == []
    assert evaluate(sign(SignKind.TEMPERATURE, 37.4), history=[], ga=None, thresholds=strict) == []


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"bp_systolic_severe": 140}, "alarm_threshold_order", "bp_systolic_severe"),
        ({"fhr_urgent_low": 115}, "alarm_threshold_order", "fhr_normal_low"),
        ({"temperature_fever": 37.0}, "alarm_threshold_order", "temperature_fever"),
        ({"sfh_low_repeat_count": 0}, "alarm_threshold_positive", "sfh_low_repeat_count"),
        ({"movements_fall_fraction": 0}, "alarm_threshold_positive", "movements_fall_fraction"),
    ],
)
def test_hospital_thresholds_are_checked(
    overrides: dict[str, float], code: str, field: str
) -> None:
    """A hospital setting that would invert a rule is refused."""
    with pytest.raises(ClinicalValueError) as caught:
        Thresholds(**overrides)
    assert (caught.value.code, caught.value.field) == (code, field)


def test_every_finding_has_a_known_action_and_source() -> None:
    """Each finding carries an action code from ACTIONS and a source with its mark."""
    samples = [
        run(bp(165, 100, symptoms=frozenset({"headache"}), pulse=125)),
        run(bp(145, 85)),
        run(bp(145, 85), [bp(150, 90, when=ago(hours=5))]),
        run(bp(145, 85), [bp(150, 90, when=ago(hours=1))]),
        run(glucose(2.0, GlucoseContext.RANDOM)),
        run(glucose(12.0, GlucoseContext.FASTING)),
        run(glucose(6.0, GlucoseContext.FASTING), diabetes=True),
        run(sign(SignKind.FETAL_HEART_RATE, 170)),
        run(movements(3, ONE_HOUR), usual_counts(10, 10, 10)),
        run(sign(SignKind.PULSE, 45)),
        run(sign(SignKind.TEMPERATURE, 37.5)),
        run_weight(62.2, weights((14, 60.0), (7, 61.0))),
        run(sfh(25.0), [sfh(23.0, days_ago=14), sfh(24.0, days_ago=7)], at=ga(28)),
    ]
    findings = [finding for sample in samples for finding in sample]
    assert len(findings) == 16
    assert {finding.action for finding in findings} == set(ACTIONS)
    for finding in findings:
        assert (finding.source, finding.confidence) in THRESHOLD_SOURCES.values()
