"""Errors raised by the clinical core.

Every error carries a stable snake_case ``code``; the application layer translates
by code and fills the placeholders from ``params``. Params are kept JSON-friendly
(str, int, float): dates are passed as ISO strings, gestational ages as "W+D".
"""

from __future__ import annotations

from typing import Final

ERROR_CODES: Final[dict[str, str]] = {
    # National ID (GB 11643-1999)
    "national_id_empty": "Enter the national ID number.",
    "national_id_length": (
        "A national ID number has 18 characters (or 15 digits for an old number); "
        "this one has {length}."
    ),
    "national_id_characters": (
        "A national ID number contains only digits, with X allowed as the last character."
    ),
    "national_id_region": "The region code {region_code} at the start of the number is not valid.",
    "national_id_birth_date": "The birth date {birth_date} in the number is not a valid past date.",
    "national_id_check_digit": "The check digit should be {expected}.",
    "national_id_male": "This national ID number belongs to a man; only women can be registered.",
    "age_out_of_range": "Age {age} is outside the accepted range of {min_age} to {max_age} years.",
    "date_before_birth": "The date {day} is before the birth date {birth_date}.",
    # Gestational age and dating
    "gestational_age_negative": "A gestational age cannot be negative.",
    "gestational_age_day_range": "The day part of a gestational age must be 0 to 6; got {days}.",
    "cycle_length_range": (
        "The menstrual cycle length must be {min_days} to {max_days} days; got {cycle_length_days}."
    ),
    "crl_range": "The crown-rump length must be {min_mm} to {max_mm} mm; got {crl_mm}.",
    "embryo_age_range": (
        "The embryo age at transfer must be {min_days} to {max_days} days; got {embryo_age_days}."
    ),
    "redating_threshold_range": (
        "The redating threshold must be 0 days or more; got {threshold_days}."
    ),
    "dating_missing": "Give a last menstrual period or an ultrasound scan to date the pregnancy.",
    "scan_ga_missing": "Give the gestational age at the scan to compare it with the LMP dating.",
    "lmp_in_future": "The last menstrual period cannot be in the future.",
    "lmp_too_old": (
        "The last menstrual period is more than {max_weeks} weeks ago; "
        "it cannot belong to a current pregnancy."
    ),
    "scan_in_future": "The scan date cannot be in the future.",
    "scan_ga_range": "The gestational age at the scan must be {min_ga} to {max_ga}; got {ga}.",
    # Anthropometry
    "height_range": "The height must be {min_cm} to {max_cm} cm; got {height_cm}.",
    "weight_range": "The weight must be {min_kg} to {max_kg} kg; got {weight_kg}.",
    "bmi_range": "A BMI must be a positive number; got {bmi}.",
    # Home-monitoring readings (DOMAIN.md section 5)
    "measured_at_naive": "The measurement time must include a time zone.",
    "reading_field_unexpected": "A {kind} reading does not take a {field_name} value.",
    "reading_value_missing": "Enter the measured value.",
    "blood_pressure_incomplete": "Enter both the systolic and the diastolic pressure.",
    "glucose_context_missing": (
        "Say when the glucose was measured: fasting, before a meal, 1 or 2 hours after a meal, "
        "at bedtime or at another time."
    ),
    "movement_period_missing": (
        "Say how the movements were counted: in one hour, or up to ten in two hours."
    ),
    "symptom_unknown": "The symptom {symptom} is not on the list of symptoms.",
    "systolic_range": "The systolic pressure must be {min_value} to {max_value} mmHg; got {value}.",
    "diastolic_range": (
        "The diastolic pressure must be {min_value} to {max_value} mmHg; got {value}."
    ),
    "diastolic_not_below_systolic": (
        "The diastolic pressure ({diastolic}) must be lower than the systolic pressure "
        "({systolic})."
    ),
    "glucose_range": "The glucose must be {min_value} to {max_value} mmol/L; got {value}.",
    "fetal_heart_rate_range": (
        "The fetal heart rate must be {min_value} to {max_value} beats a minute; got {value}."
    ),
    "fundal_height_range": "The fundal height must be {min_value} to {max_value} cm; got {value}.",
    "abdominal_circumference_range": (
        "The abdominal circumference must be {min_value} to {max_value} cm; got {value}."
    ),
    "temperature_range": "The temperature must be {min_value} to {max_value} °C; got {value}.",
    "pulse_range": "The pulse must be {min_value} to {max_value} beats a minute; got {value}.",
    "movement_count_range": ("The movement count must be {min_value} to {max_value}; got {value}."),
    "movement_count_whole": "A movement count must be a whole number; got {value}.",
    "symptoms_missing": "Tick at least one symptom to report.",
    "sfh_ga_range": (
        "The fundal-height reference covers {min_weeks} to {max_weeks} weeks; got {ga_weeks}."
    ),
    "pulse_pressure_range": (
        "{systolic}/{diastolic} mmHg cannot be right: the two pressures must differ by "
        "{min_value} to {max_value} mmHg. Measure again."
    ),
    "alarm_threshold_order": (
        "The alarm threshold {lower} ({lower_value}) must be below {upper} ({upper_value})."
    ),
    "alarm_threshold_positive": "The alarm threshold {name} must be above 0; got {value}.",
    "alarm_threshold_fixed": "This threshold cannot be changed.",
    "alarm_threshold_not_number": "Enter a number.",
    "alarm_threshold_range": "Enter a value from {min_value} to {max_value}.",
    "alarm_threshold_whole": "Enter a whole number.",
    "alarm_policy_grade": "A first high blood pressure is graded attention or advice; got {grade}.",
    # Five-colour pregnancy risk (DOMAIN.md section 4)
    "risk_fact_range": "The {fact} value must be {min_value} to {max_value}; got {value}.",
    "risk_answer_unknown": "The item {item} is not in the {table} table of rule set {version}.",
    "risk_policy_value": "The risk policy setting {name} cannot be {value}.",
    "risk_policy_online_order": "Online care for {higher} cannot be more open than for {lower}.",
    # Mental-health scales (DOMAIN.md section 7)
    "scale_unknown": "The scale {instrument} is not known.",
    "scale_item_unknown": "The scale has items 1 to {item_count}; there is no item {item}.",
    "scale_item_repeated": "Item {item} is answered more than once.",
    "scale_option_unknown": "Item {item} has options 0 to {max_option}; got {option}.",
    "scale_item_missing": "Answer every item; item {item} has no answer.",
    "scale_cutoff_range": "The cut-off {name} must be {min_value} to {max_value}; got {value}.",
    "scale_cutoff_order": (
        "The cut-off {lower} ({lower_value}) must be below {upper} ({upper_value})."
    ),
    "screening_stage_missing": (
        "Give either the gestational age or the number of days since the birth, not both."
    ),
    "screening_last_done_future": "The last screening date {last_done} is in the future.",
    "postpartum_days_negative": "The number of days since the birth cannot be negative.",
    "scale_wording_json": "The wording file is not valid JSON: {detail}",
    "scale_wording_shape": "The wording file is not laid out as expected at {where}.",
    "scale_wording_language": "The language tag {language} in the wording file is not valid.",
    "scale_wording_text": "The wording file needs a text at {where}.",
    "scale_wording_item_count": (
        "The wording for {language} has {count} items; the scale has {expected}."
    ),
    "scale_wording_item_number": (
        "Item {position} of the wording for {language} is numbered {number}; "
        "number the items in order."
    ),
    "scale_wording_option_count": (
        "Item {item} of the wording for {language} has {count} options; the scale has {expected}."
    ),
    "scale_wording_points": (
        "Option {option} of item {item} in the wording for {language} gives {points} points; "
        "the scale scores it {expected}. List the options in the scale's order."
    ),
    # Risk prediction trend rules (local policy)
    "prediction_parameter_range": "The setting {name} must be {min_value} to {max_value}; got {value}.",
    "prediction_parameter_order": (
        "The setting {lower} ({lower_value}) cannot be above {upper} ({upper_value})."
    ),
}


class ClinicalValueError(ValueError):
    """A clinical input was refused.

    ``str(error)`` is the English message; ``code`` is stable and listed in
    :data:`ERROR_CODES`; ``field`` names the input at fault when there is one.
    """

    code: str
    params: dict[str, object]
    field: str | None

    def __init__(
        self, code: str, message: str, *, field: str | None = None, **params: object
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.params = dict(params)


def clinical_error(code: str, *, field: str | None = None, **params: object) -> ClinicalValueError:
    """Build the error for ``code`` with its English message filled from ``params``.

    Raises ``KeyError`` for a code missing from :data:`ERROR_CODES`, so an
    untranslatable code cannot reach the application layer.
    """
    message = ERROR_CODES[code].format(**params)
    return ClinicalValueError(code, message, field=field, **params)
