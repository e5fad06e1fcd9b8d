"""Every alarm rule's whole finding: rule, grade, sign, values, action, source and mark.

DOMAIN.md section 5; the clinician reads ``values`` ("why this alarm?") and the app files
the alarm under ``sign``, so both are part of each rule, not only its rule and grade.
Sources: 妊娠期高血压疾病诊治指南 2020 [S], 妊娠期高血糖诊治指南 2022 [S], FHR normal range
[S], fetal-movement textbook rule [S], AIM warning signs [V], WS/T 801-2022 [S],
INTERGROWTH-21st [V]; local policy [P] for the rest.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from anyun.clinical.alarm_thresholds import (
    AIM_WARNING_SIGNS,
    BP_GUIDELINE,
    FHR_NORMAL_RANGE,
    GLUCOSE_GUIDELINE,
    INTERGROWTH_SFH,
    LOCAL_POLICY,
    MOVEMENT_RULE,
    WST_801,
    AlarmPolicy,
)
from anyun.clinical.alarms import Finding, Grade, evaluate
from anyun.clinical.dating import GestationalAge
from anyun.clinical.signs import GlucoseContext, MovementPeriod, Reading, SignKind
from anyun.clinical.weight_gain_table import BmiCategory

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
BP = SignKind.BLOOD_PRESSURE
URGENT, ATTENTION, ADVICE = Grade.URGENT, Grade.ATTENTION, Grade.ADVICE
NOW_CARE, REVIEW = "seek_care_now", "contact_clinician_24h"


def ga(weeks: int, days: int = 0) -> GestationalAge:
    return GestationalAge.from_weeks_days(weeks, days)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def bp(
    systolic: int,
    diastolic: int,
    *,
    days_ago: float = 0,
    symptoms: frozenset[str] = frozenset(),
    pulse: int | None = None,
) -> Reading:
    return Reading(
        BP,
        ago(days_ago),
        systolic=systolic,
        diastolic=diastolic,
        pulse=pulse,
        symptoms=symptoms,
    )


def sign(kind: SignKind, amount: float, *, days_ago: float = 0) -> Reading:
    return Reading(kind, ago(days_ago), value=amount)


def glucose(amount: float, context: GlucoseContext) -> Reading:
    return Reading(SignKind.GLUCOSE, NOW, value=amount, glucose_context=context)


def movements(count: int, period: MovementPeriod, *, days_ago: float = 0) -> Reading:
    return Reading(SignKind.FETAL_MOVEMENTS, ago(days_ago), value=count, movement_period=period)


def finding(
    rule: str,
    grade: Grade,
    kind: SignKind,
    values: dict[str, object],
    action: str,
    source: tuple[str, str],
) -> Finding:
    return Finding(rule, grade, kind, values, action, source[0], source[1])


def bp_values(systolic: int, diastolic: int, high: bool = True) -> dict[str, object]:
    limits = (140, 90) if high else (160, 110)
    return {
        "systolic": systolic,
        "diastolic": diastolic,
        "systolic_limit": limits[0],
        "diastolic_limit": limits[1],
    }


S_BP, P_LOCAL = (BP_GUIDELINE, "S"), (LOCAL_POLICY, "P")
ONE_HOUR, TWO_HOURS = MovementPeriod.ONE_HOUR_COUNT, MovementPeriod.TWO_HOUR_COUNT_TO_TEN
EARLIER_HIGH = bp(150, 95, days_ago=1)

CASES: list[tuple[str, Reading, Sequence[Reading], list[Finding]]] = [
    (
        "systolic severe",
        bp(160, 100),
        (),
        [finding("bp_severe", URGENT, BP, bp_values(160, 100, high=False), NOW_CARE, S_BP)],
    ),
    (
        "diastolic severe",
        bp(150, 110),
        (),
        [finding("bp_severe", URGENT, BP, bp_values(150, 110, high=False), NOW_CARE, S_BP)],
    ),
    (
        "high with symptoms, listed sorted",
        bp(145, 85, symptoms=frozenset({"visual_change", "headache", "oedema"})),
        (),
        [
            finding(
                "bp_high_with_symptoms",
                URGENT,
                BP,
                {**bp_values(145, 85), "symptoms": ["headache", "visual_change"]},
                NOW_CARE,
                S_BP,
            )
        ],
    ),
    (
        "first high, diastolic",
        bp(135, 92),
        (),
        [
            finding(
                "bp_high_first",
                ATTENTION,
                BP,
                {**bp_values(135, 92), "repeat_after_hours": 4.0, "earlier_high_readings": 0},
                "repeat_bp_4h",
                S_BP,
            )
        ],
    ),
    (
        "high again too soon, two earlier high readings counted",
        bp(150, 95),
        [bp(150, 95, days_ago=0.1), bp(152, 96, days_ago=9), bp(120, 80, days_ago=2)],
        [
            finding(
                "bp_high_first",
                ATTENTION,
                BP,
                {**bp_values(150, 95), "repeat_after_hours": 4.0, "earlier_high_readings": 2},
                "repeat_bp_4h_again",
                S_BP,
            )
        ],
    ),
    (
        "confirmed by the latest earlier high reading in the window",
        bp(150, 95),
        [bp(148, 92, days_ago=3), EARLIER_HIGH, bp(150, 96, days_ago=0.1)],
        [
            finding(
                "bp_high_confirmed",
                ATTENTION,
                BP,
                {
                    **bp_values(150, 95),
                    "previous_systolic": 150,
                    "previous_diastolic": 95,
                    "previous_measured_at": ago(1).isoformat(),
                },
                REVIEW,
                S_BP,
            )
        ],
    ),
    (
        "pulse from a blood-pressure monitor",
        bp(120, 80, pulse=45),
        (),
        [
            finding(
                "pulse_low",
                ATTENTION,
                SignKind.PULSE,
                {"pulse_bpm": 45, "limit": 50},
                REVIEW,
                P_LOCAL,
            )
        ],
    ),
    (
        "glucose low",
        glucose(3.2, GlucoseContext.BEDTIME),
        (),
        [
            finding(
                "glucose_low",
                URGENT,
                SignKind.GLUCOSE,
                {"glucose_mmol_l": 3.2, "context": "bedtime", "limit": 3.3},
                NOW_CARE,
                P_LOCAL,
            )
        ],
    ),
    (
        "glucose very high",
        glucose(11.1, GlucoseContext.FASTING),
        (),
        [
            finding(
                "glucose_very_high",
                URGENT,
                SignKind.GLUCOSE,
                {"glucose_mmol_l": 11.1, "context": "fasting", "limit": 11.1},
                NOW_CARE,
                P_LOCAL,
            )
        ],
    ),
    (
        "glucose 2 h target",
        glucose(6.7, GlucoseContext.POST_MEAL_2H),
        (),
        [
            finding(
                "glucose_above_target",
                ATTENTION,
                SignKind.GLUCOSE,
                {"glucose_mmol_l": 6.7, "context": "post_meal_2h", "limit": 6.7},
                REVIEW,
                (GLUCOSE_GUIDELINE, "S"),
            )
        ],
    ),
    (
        "glucose before a meal uses the fasting target",
        glucose(5.3, GlucoseContext.PRE_MEAL),
        (),
        [
            finding(
                "glucose_above_target",
                ATTENTION,
                SignKind.GLUCOSE,
                {"glucose_mmol_l": 5.3, "context": "pre_meal", "limit": 5.3},
                REVIEW,
                (GLUCOSE_GUIDELINE, "S"),
            )
        ],
    ),
    *(
        (
            f"fetal heart rate {bpm}",
            sign(SignKind.FETAL_HEART_RATE, bpm),
            (),
            [
                finding(
                    rule,
                    grade,
                    SignKind.FETAL_HEART_RATE,
                    {"fhr_bpm": bpm, "limit": limit},
                    action,
                    source,
                )
            ],
        )
        for bpm, rule, grade, limit, action, source in [
            (99, "fhr_very_low", URGENT, 100, NOW_CARE, P_LOCAL),
            (181, "fhr_very_high", URGENT, 180, NOW_CARE, P_LOCAL),
            (109, "fhr_low", ATTENTION, 110, REVIEW, (FHR_NORMAL_RANGE, "S")),
            (161, "fhr_high", ATTENTION, 160, REVIEW, (FHR_NORMAL_RANGE, "S")),
        ]
    ),
    *(
        (
            f"pulse {bpm}",
            sign(SignKind.PULSE, bpm),
            (),
            [
                finding(
                    rule, grade, SignKind.PULSE, {"pulse_bpm": bpm, "limit": limit}, action, P_LOCAL
                )
            ],
        )
        for bpm, rule, grade, limit, action in [
            (121, "pulse_very_high", URGENT, 120, NOW_CARE),
            (101, "pulse_high", ATTENTION, 100, REVIEW),
            (49, "pulse_low", ATTENTION, 50, REVIEW),
        ]
    ),
    (
        "fever",
        sign(SignKind.TEMPERATURE, 38.0),
        (),
        [
            finding(
                "fever",
                URGENT,
                SignKind.TEMPERATURE,
                {"temperature_c": 38.0, "limit": 38.0},
                NOW_CARE,
                (AIM_WARNING_SIGNS, "V"),
            )
        ],
    ),
    (
        "temperature raised",
        sign(SignKind.TEMPERATURE, 37.3),
        (),
        [
            finding(
                "temperature_raised",
                ATTENTION,
                SignKind.TEMPERATURE,
                {"temperature_c": 37.3, "limit": 37.3},
                REVIEW,
                P_LOCAL,
            )
        ],
    ),
    (
        "no movements felt",
        movements(0, TWO_HOURS),
        (),
        [
            finding(
                "movements_none",
                URGENT,
                SignKind.FETAL_MOVEMENTS,
                {"count": 0, "period": "two_hour_count_to_ten", "ga": "32+0"},
                NOW_CARE,
                (MOVEMENT_RULE, "S"),
            )
        ],
    ),
    (
        "fewer than ten in two hours",
        movements(7, TWO_HOURS),
        (),
        [
            finding(
                "movements_below_minimum",
                URGENT,
                SignKind.FETAL_MOVEMENTS,
                {"count": 7, "period": "two_hour_count_to_ten", "ga": "32+0", "limit": 10},
                NOW_CARE,
                (MOVEMENT_RULE, "S"),
            )
        ],
    ),
    (
        "movements fall to half her usual",
        movements(5, ONE_HOUR),
        [movements(count, ONE_HOUR, days_ago=day) for day, count in ((1, 10), (2, 11), (3, 10))],
        [
            finding(
                "movements_fall",
                ATTENTION,
                SignKind.FETAL_MOVEMENTS,
                {
                    "count": 5,
                    "period": "one_hour_count",
                    "ga": "32+0",
                    "usual_count": 10.3,
                    "usual_from_counts": 3,
                    "fall_fraction": 0.5,
                },
                REVIEW,
                (MOVEMENT_RULE, "S"),
            )
        ],
    ),
    (
        "fundal height above P90",
        sign(SignKind.FUNDAL_HEIGHT, 35.0),
        (),
        [
            finding(
                "sfh_high",
                ATTENTION,
                SignKind.FUNDAL_HEIGHT,
                {
                    "sfh_cm": 35.0,
                    "ga": "32+0",
                    "low_centile_cm": 29.1,
                    "high_centile_cm": 33.8,
                    "low_z": -1.2816,
                    "high_z": 1.2816,
                },
                REVIEW,
                (INTERGROWTH_SFH, "P"),
            )
        ],
    ),
    (
        "fundal height not increasing",
        sign(SignKind.FUNDAL_HEIGHT, 31.0),
        [
            sign(SignKind.FUNDAL_HEIGHT, 31.5, days_ago=14),
            sign(SignKind.FUNDAL_HEIGHT, 31.0, days_ago=7),
        ],
        [
            finding(
                "sfh_not_increasing",
                ATTENTION,
                SignKind.FUNDAL_HEIGHT,
                {
                    "sfh_cm": 31.0,
                    "ga": "32+0",
                    "low_centile_cm": 29.1,
                    "high_centile_cm": 33.8,
                    "low_z": -1.2816,
                    "high_z": 1.2816,
                    "previous_sfh_cm": [31.0, 31.5],
                },
                REVIEW,
                (INTERGROWTH_SFH, "P"),
            )
        ],
    ),
]


@pytest.mark.parametrize(
    ("reading", "history", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_the_whole_finding(
    reading: Reading, history: Sequence[Reading], expected: list[Finding]
) -> None:
    # Known GDM/PGDM: the glucose targets apply (without it, only the urgent bounds).
    assert evaluate(reading, history=list(history), ga=ga(32), diabetes=True) == expected


def test_weight_findings_whole() -> None:
    """WS/T 801-2022 [S] weekly range and local policy [P] fast gain, with her total gain."""
    history = [sign(SignKind.WEIGHT, 60.0, days_ago=14), sign(SignKind.WEIGHT, 61.2, days_ago=7)]
    findings = evaluate(
        Reading(SignKind.WEIGHT, NOW, value=62.4, symptoms=frozenset({"oedema"})),
        history=history,
        ga=ga(24, 3),
        bmi_category=BmiCategory.OVERWEIGHT,
        pre_pregnancy_weight_kg=58.25,
    )
    common = {"weight_kg": 62.4, "ga": "24+3", "total_gain_kg": 4.15}
    assert findings == [
        finding(
            "weight_gain_fast",
            URGENT,
            SignKind.WEIGHT,
            {
                **common,
                "weekly_gain_kg": 1.2,
                "over_days": 7.0,
                "limit_kg": 1.0,
                "oedema": True,
            },
            "check_bp",
            P_LOCAL,
        ),
        finding(
            "weight_gain_out_of_range",
            ATTENTION,
            SignKind.WEIGHT,
            {
                **common,
                "weekly_gains_kg": [1.2, 1.2],
                "weekly_range_kg": [0.22, 0.37],
                "bmi_category": "overweight",
            },
            REVIEW,
            (WST_801, "S"),
        ),
    ]


def test_advice_first_high_is_still_a_blood_pressure_finding() -> None:
    (found,) = evaluate(
        bp(140, 80), history=[], ga=ga(32), policy=AlarmPolicy(first_high_bp_grade="advice")
    )
    assert (found.rule, found.grade, found.sign, found.action) == (
        "bp_high_first",
        ADVICE,
        BP,
        "repeat_bp_4h",
    )
