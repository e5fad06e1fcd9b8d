"""Home-monitoring signs, their readings and the check of each value.

Source: DOMAIN.md section 5 (home monitoring, FA-3, FB-9) and section 6 (symptoms).
Two levels of check:

* impossible values are refused with :class:`~anyun.clinical.errors.ClinicalValueError`
  (limits beside each ``*_POSSIBLE`` constant, from DOMAIN.md section 5 or local
  policy [P]);
* possible but implausible values come back as :class:`Implausible` items so the app
  asks the woman to confirm before saving. Every ``*_PLAUSIBLE`` band is local policy [P],
  chosen wide so that only likely typing or device errors are questioned; a confirmed
  value is graded like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from anyun.clinical.anthropometry import MAX_WEIGHT_KG, MIN_WEIGHT_KG
from anyun.clinical.errors import clinical_error

__all__ = [
    "IMPLAUSIBLE_CODES",
    "SYMPTOMS",
    "GlucoseContext",
    "Implausible",
    "MovementPeriod",
    "Reading",
    "SignKind",
    "Symptom",
    "check_reading",
]


class SignKind(StrEnum):
    """What a home reading measures."""

    BLOOD_PRESSURE = "blood_pressure"
    GLUCOSE = "glucose"
    WEIGHT = "weight"
    FUNDAL_HEIGHT = "fundal_height"
    ABDOMINAL_CIRCUMFERENCE = "abdominal_circumference"
    FETAL_HEART_RATE = "fetal_heart_rate"
    FETAL_MOVEMENTS = "fetal_movements"
    TEMPERATURE = "temperature"
    PULSE = "pulse"
    # Symptoms reported without a measurement (red flags must be heard on their own).
    SYMPTOM_REPORT = "symptom_report"


class GlucoseContext(StrEnum):
    """When a self-monitored capillary glucose was taken."""

    FASTING = "fasting"
    PRE_MEAL = "pre_meal"
    POST_MEAL_1H = "post_meal_1h"
    POST_MEAL_2H = "post_meal_2h"
    BEDTIME = "bedtime"
    RANDOM = "random"


class MovementPeriod(StrEnum):
    """How fetal movements were counted.

    ``one_hour_count``: movements felt in one hour. ``two_hour_count_to_ten``: count until
    ten are felt, stopping at two hours; the value is the number felt (10 = reached).
    """

    ONE_HOUR_COUNT = "one_hour_count"
    TWO_HOUR_COUNT_TO_TEN = "two_hour_count_to_ten"


class Symptom(StrEnum):
    """Symptoms a woman can tick with a reading (DOMAIN.md sections 5 and 6).

    The values are stored with her readings: never rename one. How each is graded, and when
    it is offered, is the table of :mod:`anyun.clinical.red_flags`.
    """

    HEADACHE = "headache"
    VISUAL_CHANGE = "visual_change"
    EPIGASTRIC_PAIN = "epigastric_pain"
    OEDEMA = "oedema"
    BLEEDING = "bleeding"
    FLUID_LEAK = "fluid_leak"
    REDUCED_MOVEMENTS = "reduced_movements"
    FEVER = "fever"
    ABDOMINAL_PAIN = "abdominal_pain"
    DIZZINESS = "dizziness"  # dizziness or fainting
    BREATHING_TROUBLE = "breathing_trouble"
    CHEST_PAIN = "chest_pain"  # chest pain or a racing heart
    SEVERE_VOMITING = "severe_vomiting"  # cannot keep food down 24 h or fluids 8 h
    POSTPARTUM_BLEEDING = "postpartum_bleeding"  # more than one pad an hour, after birth
    SWOLLEN_RED_LIMB = "swollen_red_limb"  # a painful, swollen, red leg or arm
    EXHAUSTION = "exhaustion"  # overwhelming tiredness
    CONVULSIONS = "convulsions"
    SELF_HARM_THOUGHTS = "self_harm_thoughts"  # thoughts of harming herself or the baby
    ITCHING = "itching"  # itching of the palms and soles


SYMPTOMS: Final[frozenset[str]] = frozenset(Symptom)


@dataclass(frozen=True)
class Reading:
    """One home measurement.

    ``value`` holds, by ``kind``: glucose mmol/L, weight kg, fundal height cm, abdominal
    circumference cm, fetal heart rate bpm, movement count, temperature °C, pulse bpm.
    Blood pressure uses ``systolic``/``diastolic`` (mmHg) and optionally ``pulse`` (bpm,
    as shown by the BP monitor). ``measured_at`` must be timezone-aware. Build freely;
    :func:`check_reading` states which combinations are accepted.
    """

    kind: SignKind
    measured_at: datetime
    systolic: int | None = None
    diastolic: int | None = None
    pulse: int | None = None
    value: float | None = None
    glucose_context: GlucoseContext | None = None
    movement_period: MovementPeriod | None = None
    symptoms: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Implausible:
    """A possible but unlikely value the woman should confirm.

    ``code`` is a key of :data:`IMPLAUSIBLE_CODES`; ``params`` fill its message.
    """

    field: str
    code: str
    params: dict[str, object]


# Physiologically impossible outside these, inclusive bounds: refuse.
SYSTOLIC_POSSIBLE: Final = (50, 300)  # mmHg, DOMAIN.md section 5
DIASTOLIC_POSSIBLE: Final = (20, 200)  # mmHg, and below the systolic, DOMAIN.md section 5
GLUCOSE_POSSIBLE: Final = (0.5, 40.0)  # mmol/L, DOMAIN.md section 5
WEIGHT_POSSIBLE: Final = (MIN_WEIGHT_KG, MAX_WEIGHT_KG)  # kg, DOMAIN.md section 5
FETAL_HEART_RATE_POSSIBLE: Final = (50, 250)  # bpm, DOMAIN.md section 5
FUNDAL_HEIGHT_POSSIBLE: Final = (5.0, 60.0)  # cm, DOMAIN.md section 5
TEMPERATURE_POSSIBLE: Final = (30.0, 45.0)  # °C, DOMAIN.md section 5
PULSE_POSSIBLE: Final = (20, 250)  # bpm, local policy [P]
ABDOMINAL_CIRCUMFERENCE_POSSIBLE: Final = (40.0, 200.0)  # cm, local policy [P]
MOVEMENT_COUNT_POSSIBLE: Final = (0, 200)  # local policy [P]
# Systolic minus diastolic, mmHg: outside this no real pressure lies (300/20, 120/115) - a
# mistyped or swapped value. Local policy [P].
PULSE_PRESSURE_POSSIBLE: Final = (10, 150)

# Possible but implausible outside these, inclusive bounds: ask to confirm. All [P].
SYSTOLIC_PLAUSIBLE: Final = (70, 220)
DIASTOLIC_PLAUSIBLE: Final = (40, 140)
MIN_PLAUSIBLE_PULSE_PRESSURE: Final = 15  # systolic - diastolic, mmHg
GLUCOSE_PLAUSIBLE: Final = (2.5, 25.0)
WEIGHT_PLAUSIBLE: Final = (35.0, 200.0)
# Below 90 a home doppler has most likely found the mother's own pulse.
FETAL_HEART_RATE_PLAUSIBLE: Final = (90, 200)
FUNDAL_HEIGHT_PLAUSIBLE: Final = (10.0, 50.0)
TEMPERATURE_PLAUSIBLE: Final = (35.0, 41.0)
PULSE_PLAUSIBLE: Final = (40, 180)
ABDOMINAL_CIRCUMFERENCE_PLAUSIBLE: Final = (50.0, 150.0)
MOVEMENT_COUNT_PLAUSIBLE: Final = (0, 100)

IMPLAUSIBLE_CODES: Final[dict[str, str]] = {
    "systolic_implausible": "A systolic pressure of {value} mmHg is unusual. Is it right?",
    "diastolic_implausible": "A diastolic pressure of {value} mmHg is unusual. Is it right?",
    "pulse_pressure_implausible": (
        "{systolic}/{diastolic} mmHg: the two pressures are unusually close. Are they right?"
    ),
    "glucose_implausible": "A glucose of {value} mmol/L is unusual. Is it right?",
    "weight_implausible": "A weight of {value} kg is unusual. Is it right?",
    "fetal_heart_rate_implausible": (
        "A fetal heart rate of {value} beats a minute is unusual; the doppler may have "
        "found your own pulse. Is it right?"
    ),
    "fundal_height_implausible": "A fundal height of {value} cm is unusual. Is it right?",
    "abdominal_circumference_implausible": (
        "An abdominal circumference of {value} cm is unusual. Is it right?"
    ),
    "temperature_implausible": "A temperature of {value} °C is unusual. Is it right?",
    "pulse_implausible": "A pulse of {value} beats a minute is unusual. Is it right?",
    "movement_count_implausible": "{value} movements is an unusual count. Is it right?",
}

# Which optional parts each kind takes; the first ones listed are required.
_PARTS: Final = MappingProxyType(
    {
        SignKind.BLOOD_PRESSURE: frozenset({"systolic", "diastolic", "pulse"}),
        SignKind.GLUCOSE: frozenset({"value", "glucose_context"}),
        SignKind.FETAL_MOVEMENTS: frozenset({"value", "movement_period"}),
        SignKind.SYMPTOM_REPORT: frozenset(),
    }
)
_VALUE_ONLY: Final = frozenset({"value"})
_OPTIONAL_PARTS: Final = (
    "systolic",
    "diastolic",
    "pulse",
    "value",
    "glucose_context",
    "movement_period",
)


def check_reading(reading: Reading) -> list[Implausible]:
    """Refuse an impossible reading; list the implausible parts to confirm.

    Raises ``ClinicalValueError`` (``field`` = the part at fault) for: a naive
    ``measured_at`` (``measured_at_naive``); a part the kind does not take
    (``reading_field_unexpected``); a missing part (``blood_pressure_incomplete``,
    ``glucose_context_missing``, ``movement_period_missing``, ``reading_value_missing``);
    a symptom not in :data:`SYMPTOMS` (``symptom_unknown``); a value outside its
    ``*_POSSIBLE`` limits (``<kind>_range``, params ``value``, ``min_value``,
    ``max_value``; weight uses ``weight_range``); a diastolic not below the systolic
    (``diastolic_not_below_systolic``); a fractional movement count
    (``movement_count_whole``). NaN and infinities are refused as out of range.

    Returns the implausible parts (outside ``*_PLAUSIBLE``), in field order; ``[]`` when
    the reading can be saved as entered.
    """
    if reading.measured_at.utcoffset() is None:
        raise clinical_error("measured_at_naive", field="measured_at")
    _check_parts(reading)
    for symptom in sorted(reading.symptoms):
        if symptom not in SYMPTOMS:
            raise clinical_error("symptom_unknown", field="symptoms", symptom=symptom)

    if reading.kind == SignKind.BLOOD_PRESSURE:
        return _check_blood_pressure(reading)
    if reading.kind == SignKind.SYMPTOM_REPORT:
        return []
    value = _required_value(reading)
    match reading.kind:
        case SignKind.GLUCOSE:
            if not _within(value, GLUCOSE_POSSIBLE):
                raise clinical_error(
                    "glucose_range", field="value", **_range_params(value, GLUCOSE_POSSIBLE)
                )
            return _plausibility("value", "glucose_implausible", value, GLUCOSE_PLAUSIBLE)
        case SignKind.WEIGHT:
            if not _within(value, WEIGHT_POSSIBLE):
                raise clinical_error(
                    "weight_range",
                    field="value",
                    weight_kg=value,
                    min_kg=WEIGHT_POSSIBLE[0],
                    max_kg=WEIGHT_POSSIBLE[1],
                )
            return _plausibility("value", "weight_implausible", value, WEIGHT_PLAUSIBLE)
        case SignKind.FUNDAL_HEIGHT:
            if not _within(value, FUNDAL_HEIGHT_POSSIBLE):
                raise clinical_error(
                    "fundal_height_range",
                    field="value",
                    **_range_params(value, FUNDAL_HEIGHT_POSSIBLE),
                )
            return _plausibility(
                "value", "fundal_height_implausible", value, FUNDAL_HEIGHT_PLAUSIBLE
            )
        case SignKind.ABDOMINAL_CIRCUMFERENCE:
            if not _within(value, ABDOMINAL_CIRCUMFERENCE_POSSIBLE):
                raise clinical_error(
                    "abdominal_circumference_range",
                    field="value",
                    **_range_params(value, ABDOMINAL_CIRCUMFERENCE_POSSIBLE),
                )
            return _plausibility(
                "value",
                "abdominal_circumference_implausible",
                value,
                ABDOMINAL_CIRCUMFERENCE_PLAUSIBLE,
            )
        case SignKind.FETAL_HEART_RATE:
            if not _within(value, FETAL_HEART_RATE_POSSIBLE):
                raise clinical_error(
                    "fetal_heart_rate_range",
                    field="value",
                    **_range_params(value, FETAL_HEART_RATE_POSSIBLE),
                )
            return _plausibility(
                "value", "fetal_heart_rate_implausible", value, FETAL_HEART_RATE_PLAUSIBLE
            )
        case SignKind.FETAL_MOVEMENTS:
            if not _within(value, MOVEMENT_COUNT_POSSIBLE):
                raise clinical_error(
                    "movement_count_range",
                    field="value",
                    **_range_params(value, MOVEMENT_COUNT_POSSIBLE),
                )
            if not float(value).is_integer():
                raise clinical_error("movement_count_whole", field="value", value=value)
            return _plausibility(
                "value", "movement_count_implausible", value, MOVEMENT_COUNT_PLAUSIBLE
            )
        case SignKind.TEMPERATURE:
            if not _within(value, TEMPERATURE_POSSIBLE):
                raise clinical_error(
                    "temperature_range", field="value", **_range_params(value, TEMPERATURE_POSSIBLE)
                )
            return _plausibility("value", "temperature_implausible", value, TEMPERATURE_PLAUSIBLE)
        case SignKind.PULSE:
            return _check_pulse("value", value)
    raise AssertionError(f"unhandled sign kind {reading.kind!r}")  # pragma: no cover


def _check_parts(reading: Reading) -> None:
    allowed = _PARTS.get(reading.kind, _VALUE_ONLY)
    for name in _OPTIONAL_PARTS:
        if getattr(reading, name) is not None and name not in allowed:
            raise clinical_error(
                "reading_field_unexpected", field=name, kind=str(reading.kind), field_name=name
            )
    if reading.kind == SignKind.BLOOD_PRESSURE:
        for name in ("systolic", "diastolic"):
            if getattr(reading, name) is None:
                raise clinical_error("blood_pressure_incomplete", field=name)
        return
    if reading.kind == SignKind.SYMPTOM_REPORT:
        if not reading.symptoms:
            raise clinical_error("symptoms_missing", field="symptoms")
        return
    _required_value(reading)
    if reading.kind == SignKind.GLUCOSE and reading.glucose_context is None:
        raise clinical_error("glucose_context_missing", field="glucose_context")
    if reading.kind == SignKind.FETAL_MOVEMENTS and reading.movement_period is None:
        raise clinical_error("movement_period_missing", field="movement_period")


def _check_blood_pressure(reading: Reading) -> list[Implausible]:
    systolic, diastolic = reading.systolic, reading.diastolic
    assert systolic is not None and diastolic is not None  # checked by _check_parts
    if not _within(systolic, SYSTOLIC_POSSIBLE):
        raise clinical_error(
            "systolic_range", field="systolic", **_range_params(systolic, SYSTOLIC_POSSIBLE)
        )
    if not _within(diastolic, DIASTOLIC_POSSIBLE):
        raise clinical_error(
            "diastolic_range", field="diastolic", **_range_params(diastolic, DIASTOLIC_POSSIBLE)
        )
    if diastolic >= systolic:
        raise clinical_error(
            "diastolic_not_below_systolic",
            field="diastolic",
            systolic=systolic,
            diastolic=diastolic,
        )
    if not _within(systolic - diastolic, PULSE_PRESSURE_POSSIBLE):
        raise clinical_error(
            "pulse_pressure_range",
            field="diastolic",
            systolic=systolic,
            diastolic=diastolic,
            min_value=PULSE_PRESSURE_POSSIBLE[0],
            max_value=PULSE_PRESSURE_POSSIBLE[1],
        )
    found = _plausibility("systolic", "systolic_implausible", systolic, SYSTOLIC_PLAUSIBLE)
    found += _plausibility("diastolic", "diastolic_implausible", diastolic, DIASTOLIC_PLAUSIBLE)
    if systolic - diastolic < MIN_PLAUSIBLE_PULSE_PRESSURE:
        found.append(
            Implausible(
                field="diastolic",
                code="pulse_pressure_implausible",
                params={
                    "systolic": systolic,
                    "diastolic": diastolic,
                    "min_difference": MIN_PLAUSIBLE_PULSE_PRESSURE,
                },
            )
        )
    if reading.pulse is not None:
        found += _check_pulse("pulse", reading.pulse)
    return found


def _check_pulse(field_name: str, pulse: float) -> list[Implausible]:
    if not _within(pulse, PULSE_POSSIBLE):
        raise clinical_error(
            "pulse_range", field=field_name, **_range_params(pulse, PULSE_POSSIBLE)
        )
    return _plausibility(field_name, "pulse_implausible", pulse, PULSE_PLAUSIBLE)


def _required_value(reading: Reading) -> float:
    if reading.value is None:
        raise clinical_error("reading_value_missing", field="value")
    return reading.value


def _within(value: float, limits: tuple[float, float]) -> bool:
    # False for NaN, so NaN is treated as out of range.
    return limits[0] <= value <= limits[1]


def _range_params(value: float, limits: tuple[float, float]) -> dict[str, object]:
    return {"value": value, "min_value": limits[0], "max_value": limits[1]}


def _plausibility(
    field_name: str, code: str, value: float, band: tuple[float, float]
) -> list[Implausible]:
    if _within(value, band):
        return []
    return [Implausible(field=field_name, code=code, params=_range_params(value, band))]
