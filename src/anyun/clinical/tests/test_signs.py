"""Home-monitoring readings: impossible values refused, implausible ones flagged.

Limits: DOMAIN.md section 5 (impossible values) and local policy [P] (pulse, AC,
movement count, and every plausibility band).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from anyun.clinical.errors import ClinicalValueError
from anyun.clinical.signs import (
    IMPLAUSIBLE_CODES,
    SYMPTOMS,
    GlucoseContext,
    Implausible,
    MovementPeriod,
    Reading,
    SignKind,
    Symptom,
    check_reading,
)

WHEN = datetime(2025, 3, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def bp(systolic: int | None, diastolic: int | None, pulse: int | None = None) -> Reading:
    return Reading(
        SignKind.BLOOD_PRESSURE, WHEN, systolic=systolic, diastolic=diastolic, pulse=pulse
    )


def value(kind: SignKind, amount: float) -> Reading:
    if kind == SignKind.GLUCOSE:
        return Reading(kind, WHEN, value=amount, glucose_context=GlucoseContext.FASTING)
    if kind == SignKind.FETAL_MOVEMENTS:
        return Reading(kind, WHEN, value=amount, movement_period=MovementPeriod.ONE_HOUR_COUNT)
    return Reading(kind, WHEN, value=amount)


def refused(reading: Reading) -> ClinicalValueError:
    with pytest.raises(ClinicalValueError) as caught:
        check_reading(reading)
    return caught.value


@pytest.mark.parametrize(
    "reading",
    [
        bp(120, 80),
        bp(120, 80, pulse=72),
        value(SignKind.GLUCOSE, 5.0),
        value(SignKind.WEIGHT, 62.5),
        value(SignKind.FUNDAL_HEIGHT, 28.0),
        value(SignKind.ABDOMINAL_CIRCUMFERENCE, 95.0),
        value(SignKind.FETAL_HEART_RATE, 140),
        value(SignKind.FETAL_MOVEMENTS, 12),
        value(SignKind.TEMPERATURE, 36.6),
        value(SignKind.PULSE, 76),
        Reading(SignKind.BLOOD_PRESSURE, WHEN, systolic=120, diastolic=80, symptoms=SYMPTOMS),
    ],
)
def test_ordinary_readings_pass(reading: Reading) -> None:
    """DOMAIN.md section 5: ordinary values are saved without a question."""
    assert check_reading(reading) == []


def test_symptom_list() -> None:
    """DOMAIN.md sections 5 and 6: the symptoms a woman can report with a reading."""
    assert (
        frozenset(
            {
                "headache",
                "visual_change",
                "epigastric_pain",
                "oedema",
                "bleeding",
                "fluid_leak",
                "reduced_movements",
                "fever",
                "abdominal_pain",
                "dizziness",
                "breathing_trouble",
                "chest_pain",
                "severe_vomiting",
                "postpartum_bleeding",
                "swollen_red_limb",
                "exhaustion",
                "convulsions",
                "self_harm_thoughts",
                "itching",
            }
        )
        == SYMPTOMS
    )
    assert Symptom.HEADACHE in SYMPTOMS


def test_naive_time_refused() -> None:
    """STYLE.md convention 8: aware datetimes only."""
    reading = Reading(SignKind.PULSE, datetime(2025, 3, 10, 9, 0), value=70)  # noqa: DTZ001
    error = refused(reading)
    assert (error.code, error.field) == ("measured_at_naive", "measured_at")


def test_unknown_symptom_refused() -> None:
    """DOMAIN.md section 6: symptoms come from the fixed list, so none is silently ignored."""
    error = refused(Reading(SignKind.PULSE, WHEN, value=70, symptoms=frozenset({"head_ache"})))
    assert (error.code, error.field, error.params) == (
        "symptom_unknown",
        "symptoms",
        {"symptom": "head_ache"},
    )


@pytest.mark.parametrize(
    ("reading", "code", "field"),
    [
        (bp(120, None), "blood_pressure_incomplete", "diastolic"),
        (bp(None, 80), "blood_pressure_incomplete", "systolic"),
        (Reading(SignKind.GLUCOSE, WHEN, value=5.0), "glucose_context_missing", "glucose_context"),
        (
            Reading(SignKind.GLUCOSE, WHEN, glucose_context=GlucoseContext.BEDTIME),
            "reading_value_missing",
            "value",
        ),
        (
            Reading(SignKind.FETAL_MOVEMENTS, WHEN, value=10),
            "movement_period_missing",
            "movement_period",
        ),
        (Reading(SignKind.WEIGHT, WHEN), "reading_value_missing", "value"),
        (Reading(SignKind.PULSE, WHEN), "reading_value_missing", "value"),
    ],
)
def test_missing_parts_refused(reading: Reading, code: str, field: str) -> None:
    """DOMAIN.md section 5: a reading without the parts that give it meaning is refused."""
    error = refused(reading)
    assert (error.code, error.field) == (code, field)


@pytest.mark.parametrize(
    ("reading", "field"),
    [
        (Reading(SignKind.BLOOD_PRESSURE, WHEN, systolic=120, diastolic=80, value=1), "value"),
        (
            Reading(SignKind.WEIGHT, WHEN, value=60, glucose_context=GlucoseContext.FASTING),
            "glucose_context",
        ),
        (Reading(SignKind.GLUCOSE, WHEN, systolic=120), "systolic"),
        (Reading(SignKind.PULSE, WHEN, pulse=70), "pulse"),
        (
            Reading(
                SignKind.FETAL_HEART_RATE,
                WHEN,
                value=140,
                movement_period=MovementPeriod.ONE_HOUR_COUNT,
            ),
            "movement_period",
        ),
    ],
)
def test_unexpected_parts_refused(reading: Reading, field: str) -> None:
    """A part the sign does not take is refused rather than silently ignored."""
    error = refused(reading)
    assert (error.code, error.field, error.params["field_name"]) == (
        "reading_field_unexpected",
        field,
        field,
    )
    assert error.params["kind"] == str(reading.kind)


@pytest.mark.parametrize(
    ("systolic", "diastolic", "code", "field"),
    [
        (49, 30, "systolic_range", "systolic"),
        (301, 100, "systolic_range", "systolic"),
        (120, 19, "diastolic_range", "diastolic"),
        (260, 201, "diastolic_range", "diastolic"),
        (120, 120, "diastolic_not_below_systolic", "diastolic"),
        (80, 120, "diastolic_not_below_systolic", "diastolic"),
    ],
)
def test_impossible_blood_pressure(systolic: int, diastolic: int, code: str, field: str) -> None:
    """DOMAIN.md section 5: SBP 50-300, DBP 20-200 and below the SBP."""
    error = refused(bp(systolic, diastolic))
    assert (error.code, error.field) == (code, field)


@pytest.mark.parametrize(("systolic", "diastolic"), [(50, 20), (300, 200), (210, 200)])
def test_possible_blood_pressure_limits(systolic: int, diastolic: int) -> None:
    """DOMAIN.md section 5: the limits themselves are possible (perhaps implausible); the
    pressures 10 mmHg apart are the closest possible (local policy [P])."""
    check_reading(bp(systolic, diastolic))


def test_impossible_value_names_the_allowed_range() -> None:
    """DOMAIN.md section 5: the error gives the allowed range."""
    error = refused(bp(310, 90))
    assert error.params == {"value": 310, "min_value": 50, "max_value": 300}
    assert str(error) == "The systolic pressure must be 50 to 300 mmHg; got 310."
    error = refused(bp(120, 130))
    assert error.params == {"systolic": 120, "diastolic": 130}
    error = refused(bp(120, 19))
    assert error.params == {"value": 19, "min_value": 20, "max_value": 200}


@pytest.mark.parametrize(
    ("kind", "low", "high", "code"),
    [
        (SignKind.GLUCOSE, 0.5, 40.0, "glucose_range"),  # DOMAIN.md section 5
        (SignKind.FETAL_HEART_RATE, 50, 250, "fetal_heart_rate_range"),  # DOMAIN.md section 5
        (SignKind.FUNDAL_HEIGHT, 5.0, 60.0, "fundal_height_range"),  # DOMAIN.md section 5
        (SignKind.TEMPERATURE, 30.0, 45.0, "temperature_range"),  # DOMAIN.md section 5
        (SignKind.PULSE, 20, 250, "pulse_range"),  # local policy [P]
        (SignKind.ABDOMINAL_CIRCUMFERENCE, 40.0, 200.0, "abdominal_circumference_range"),  # [P]
        (SignKind.FETAL_MOVEMENTS, 0, 200, "movement_count_range"),  # local policy [P]
    ],
)
def test_impossible_values(kind: SignKind, low: float, high: float, code: str) -> None:
    """DOMAIN.md section 5 / local policy [P]: limits accepted, beyond them refused."""
    check_reading(value(kind, low))
    check_reading(value(kind, high))
    step = 1 if kind in (SignKind.FETAL_MOVEMENTS,) else 0.1
    for amount in (low - step, high + step, float("nan"), float("inf")):
        error = refused(value(kind, amount))
        assert (error.code, error.field) == (code, "value")
        assert (error.params["min_value"], error.params["max_value"]) == (low, high)
    for amount in (low - step, high + step):
        assert refused(value(kind, amount)).params["value"] == amount


def test_impossible_weight_uses_the_weight_code() -> None:
    """DOMAIN.md section 5: weight 25-250 kg, same code as the anthropometry check."""
    check_reading(value(SignKind.WEIGHT, 25))
    check_reading(value(SignKind.WEIGHT, 250))
    for amount in (24.9, 250.1):
        error = refused(value(SignKind.WEIGHT, amount))
        assert (error.code, error.field) == ("weight_range", "value")
        assert error.params == {"weight_kg": amount, "min_kg": 25.0, "max_kg": 250.0}


def test_impossible_pulse_from_a_bp_monitor() -> None:
    """Local policy [P]: the pulse shown by a BP monitor is checked like any pulse."""
    error = refused(bp(120, 80, pulse=260))
    assert (error.code, error.field) == ("pulse_range", "pulse")
    assert error.params == {"value": 260, "min_value": 20, "max_value": 250}


def test_movement_count_is_whole() -> None:
    """A movement count is a number of movements."""
    error = refused(value(SignKind.FETAL_MOVEMENTS, 2.5))
    assert (error.code, error.field, error.params) == (
        "movement_count_whole",
        "value",
        {"value": 2.5},
    )


@pytest.mark.parametrize(
    ("systolic", "diastolic", "expected"),
    [
        (70, 40, []),
        (220, 140, []),
        (69, 45, [("systolic", "systolic_implausible")]),
        (221, 120, [("systolic", "systolic_implausible")]),
        (110, 39, [("diastolic", "diastolic_implausible")]),
        (180, 141, [("diastolic", "diastolic_implausible")]),
        (120, 105, []),  # pulse pressure 15
        (120, 106, [("diastolic", "pulse_pressure_implausible")]),  # pulse pressure 14
        (230, 145, [("systolic", "systolic_implausible"), ("diastolic", "diastolic_implausible")]),
        (
            155,
            145,
            [("diastolic", "diastolic_implausible"), ("diastolic", "pulse_pressure_implausible")],
        ),
    ],
)
def test_implausible_blood_pressure(
    systolic: int, diastolic: int, expected: list[tuple[str, str]]
) -> None:
    """Local policy [P]: confirm SBP <70 or >220, DBP <40 or >140, pulse pressure <15."""
    found = check_reading(bp(systolic, diastolic))
    assert [(item.field, item.code) for item in found] == expected


def test_implausible_item_carries_the_band() -> None:
    """Local policy [P]: the item names the value and the plausible band."""
    assert check_reading(bp(230, 100)) == [
        Implausible(
            field="systolic",
            code="systolic_implausible",
            params={"value": 230, "min_value": 70, "max_value": 220},
        )
    ]
    assert check_reading(bp(120, 110)) == [
        Implausible(
            field="diastolic",
            code="pulse_pressure_implausible",
            params={"systolic": 120, "diastolic": 110, "min_difference": 15},
        )
    ]


@pytest.mark.parametrize(
    ("kind", "low", "high", "step", "code"),
    [
        (SignKind.GLUCOSE, 2.5, 25.0, 0.1, "glucose_implausible"),
        (SignKind.WEIGHT, 35.0, 200.0, 0.1, "weight_implausible"),
        (SignKind.FETAL_HEART_RATE, 90, 200, 1, "fetal_heart_rate_implausible"),
        (SignKind.FUNDAL_HEIGHT, 10.0, 50.0, 0.1, "fundal_height_implausible"),
        (SignKind.ABDOMINAL_CIRCUMFERENCE, 50.0, 150.0, 0.1, "abdominal_circumference_implausible"),
        (SignKind.TEMPERATURE, 35.0, 41.0, 0.1, "temperature_implausible"),
        (SignKind.PULSE, 40, 180, 1, "pulse_implausible"),
    ],
)
def test_implausible_values(
    kind: SignKind, low: float, high: float, step: float, code: str
) -> None:
    """Local policy [P]: possible values outside the plausible band are flagged to confirm."""
    assert check_reading(value(kind, low)) == []
    assert check_reading(value(kind, high)) == []
    for amount in (low - step, high + step):
        assert check_reading(value(kind, amount)) == [
            Implausible(
                field="value",
                code=code,
                params={"value": amount, "min_value": low, "max_value": high},
            )
        ]


def test_implausible_movement_count() -> None:
    """Local policy [P]: more than 100 movements in a count is questioned."""
    assert check_reading(value(SignKind.FETAL_MOVEMENTS, 100)) == []
    found = check_reading(value(SignKind.FETAL_MOVEMENTS, 101))
    assert [(item.field, item.code) for item in found] == [("value", "movement_count_implausible")]


def test_implausible_pulse_from_a_bp_monitor() -> None:
    """Local policy [P]: the monitor's pulse is questioned on its own field."""
    found = check_reading(bp(120, 80, pulse=190))
    assert [(item.field, item.code) for item in found] == [("pulse", "pulse_implausible")]


def test_implausible_codes_have_messages() -> None:
    """Every implausible code has an English message filled from its params."""
    samples = [
        bp(230, 145, pulse=30),
        bp(155, 145),
        value(SignKind.GLUCOSE, 30),
        value(SignKind.WEIGHT, 220),
        value(SignKind.FETAL_HEART_RATE, 80),
        value(SignKind.FUNDAL_HEIGHT, 55),
        value(SignKind.ABDOMINAL_CIRCUMFERENCE, 180),
        value(SignKind.TEMPERATURE, 42),
        value(SignKind.PULSE, 200),
        value(SignKind.FETAL_MOVEMENTS, 150),
    ]
    codes = set()
    for reading in samples:
        for item in check_reading(reading):
            codes.add(item.code)
            assert IMPLAUSIBLE_CODES[item.code].format(**item.params)
    assert codes == set(IMPLAUSIBLE_CODES)


@pytest.mark.parametrize(
    ("systolic", "diastolic", "refused"),
    [
        (300, 20, True),  # 280 apart: issue report, accepted after "I checked" before
        (200, 49, True),  # 151
        (200, 50, False),  # 150, the inclusive limit
        (120, 111, True),  # 9
        (120, 110, False),  # 10, the inclusive limit (asks to confirm, below 15)
    ],
)
def test_pulse_pressure_outside_what_is_possible_is_refused(
    systolic: int, diastolic: int, refused: bool
) -> None:
    """Local policy [P]: systolic minus diastolic 10-150 mmHg; outside, a typing error."""
    reading = Reading(SignKind.BLOOD_PRESSURE, WHEN, systolic=systolic, diastolic=diastolic)
    if not refused:
        check_reading(reading)
        return
    with pytest.raises(ClinicalValueError) as err:
        check_reading(reading)
    assert (err.value.code, err.value.field) == ("pulse_pressure_range", "diastolic")
    assert err.value.params == {
        "systolic": systolic,
        "diastolic": diastolic,
        "min_value": 10,
        "max_value": 150,
    }


def test_a_symptom_only_report_needs_a_known_symptom_and_nothing_else() -> None:
    """DOMAIN.md section 6: red flags are heard on their own, without a measurement."""
    report = Reading(SignKind.SYMPTOM_REPORT, WHEN, symptoms=frozenset({Symptom.BLEEDING}))
    assert check_reading(report) == []
    error = refused(Reading(SignKind.SYMPTOM_REPORT, WHEN))
    assert (error.code, error.field, error.params) == ("symptoms_missing", "symptoms", {})
    assert str(error) == "Tick at least one symptom to report."
    error = refused(Reading(SignKind.SYMPTOM_REPORT, WHEN, symptoms=frozenset({"sneezing"})))
    assert (error.code, error.field) == ("symptom_unknown", "symptoms")
    error = refused(
        Reading(SignKind.SYMPTOM_REPORT, WHEN, value=1.0, symptoms=frozenset({Symptom.FEVER}))
    )
    assert (error.code, error.field) == ("reading_field_unexpected", "value")
