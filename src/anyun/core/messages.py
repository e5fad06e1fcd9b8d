"""Localised messages for the error codes raised by the pure `anyun.clinical` package.

The English text mirrors `anyun.clinical.errors.ERROR_CODES`; a test keeps the two in step.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from anyun.clinical.errors import ClinicalValueError

CLINICAL_MESSAGES: dict[str, Promise] = {
    "national_id_empty": _("Enter the national ID number."),
    "national_id_length": _(
        "A national ID number has 18 characters (or 15 digits for an old number); this one has %(length)s."
    ),
    "national_id_characters": _(
        "A national ID number contains only digits, with X allowed as the last character."
    ),
    "national_id_region": _(
        "The region code %(region_code)s at the start of the number is not valid."
    ),
    "national_id_birth_date": _(
        "The birth date %(birth_date)s in the number is not a valid past date."
    ),
    "national_id_check_digit": _("The check digit should be %(expected)s."),
    "national_id_male": _(
        "This national ID number belongs to a man; only women can be registered."
    ),
    "age_out_of_range": _(
        "Age %(age)s is outside the accepted range of %(min_age)s to %(max_age)s years."
    ),
    "date_before_birth": _("The date %(day)s is before the birth date %(birth_date)s."),
    "gestational_age_negative": _("A gestational age cannot be negative."),
    "gestational_age_day_range": _(
        "The day part of a gestational age must be 0 to 6; got %(days)s."
    ),
    "cycle_length_range": _(
        "The menstrual cycle length must be %(min_days)s to %(max_days)s days; got %(cycle_length_days)s."
    ),
    "crl_range": _("The crown-rump length must be %(min_mm)s to %(max_mm)s mm; got %(crl_mm)s."),
    "embryo_age_range": _(
        "The embryo age at transfer must be %(min_days)s to %(max_days)s days; got %(embryo_age_days)s."
    ),
    "redating_threshold_range": _(
        "The redating threshold must be 0 days or more; got %(threshold_days)s."
    ),
    "dating_missing": _(
        "Give a last menstrual period or an ultrasound scan to date the pregnancy."
    ),
    "scan_ga_missing": _("Give the gestational age at the scan to compare it with the LMP dating."),
    "lmp_in_future": _("The last menstrual period cannot be in the future."),
    "lmp_too_old": _(
        "The last menstrual period is more than %(max_weeks)s weeks ago; it cannot belong to a current pregnancy."
    ),
    "scan_in_future": _("The scan date cannot be in the future."),
    "scan_ga_range": _(
        "The gestational age at the scan must be %(min_ga)s to %(max_ga)s; got %(ga)s."
    ),
    "height_range": _("The height must be %(min_cm)s to %(max_cm)s cm; got %(height_cm)s."),
    "weight_range": _("The weight must be %(min_kg)s to %(max_kg)s kg; got %(weight_kg)s."),
    "bmi_range": _("A BMI must be a positive number; got %(bmi)s."),
    "measured_at_naive": _("The measurement time must include a time zone."),
    "reading_field_unexpected": _("A %(kind)s reading does not take a %(field_name)s value."),
    "reading_value_missing": _("Enter the measured value."),
    "blood_pressure_incomplete": _("Enter both the systolic and the diastolic pressure."),
    "glucose_context_missing": _(
        "Say when the glucose was measured: fasting, before a meal, 1 or 2 hours after a meal, at bedtime or at another time."
    ),
    "movement_period_missing": _(
        "Say how the movements were counted: in one hour, or up to ten in two hours."
    ),
    "symptom_unknown": _("The symptom %(symptom)s is not on the list of symptoms."),
    "systolic_range": _(
        "The systolic pressure must be %(min_value)s to %(max_value)s mmHg; got %(value)s."
    ),
    "diastolic_range": _(
        "The diastolic pressure must be %(min_value)s to %(max_value)s mmHg; got %(value)s."
    ),
    "diastolic_not_below_systolic": _(
        "The diastolic pressure (%(diastolic)s) must be lower than the systolic pressure (%(systolic)s)."
    ),
    "glucose_range": _("The glucose must be %(min_value)s to %(max_value)s mmol/L; got %(value)s."),
    "fetal_heart_rate_range": _(
        "The fetal heart rate must be %(min_value)s to %(max_value)s beats a minute; got %(value)s."
    ),
    "fundal_height_range": _(
        "The fundal height must be %(min_value)s to %(max_value)s cm; got %(value)s."
    ),
    "abdominal_circumference_range": _(
        "The abdominal circumference must be %(min_value)s to %(max_value)s cm; got %(value)s."
    ),
    "temperature_range": _(
        "The temperature must be %(min_value)s to %(max_value)s °C; got %(value)s."
    ),
    "pulse_range": _(
        "The pulse must be %(min_value)s to %(max_value)s beats a minute; got %(value)s."
    ),
    "movement_count_range": _(
        "The movement count must be %(min_value)s to %(max_value)s; got %(value)s."
    ),
    "movement_count_whole": _("A movement count must be a whole number; got %(value)s."),
    "symptoms_missing": _("Tick at least one symptom to report."),
    "sfh_ga_range": _(
        "The fundal-height reference covers %(min_weeks)s to %(max_weeks)s weeks; got %(ga_weeks)s."
    ),
    "pulse_pressure_range": _(
        "%(systolic)s/%(diastolic)s mmHg cannot be right: the two pressures must differ by "
        "%(min_value)s to %(max_value)s mmHg. Measure again."
    ),
    "alarm_threshold_order": _(
        "The alarm threshold %(lower)s (%(lower_value)s) must be below %(upper)s (%(upper_value)s)."
    ),
    "alarm_threshold_positive": _("The alarm threshold %(name)s must be above 0; got %(value)s."),
    "alarm_threshold_fixed": _("This threshold cannot be changed."),
    "alarm_threshold_not_number": _("Enter a number."),
    "alarm_threshold_range": _("Enter a value from %(min_value)s to %(max_value)s."),
    "alarm_threshold_whole": _("Enter a whole number."),
    "alarm_policy_grade": _(
        "A first high blood pressure is graded attention or advice; got %(grade)s."
    ),
    "risk_fact_range": _(
        "The %(fact)s value must be %(min_value)s to %(max_value)s; got %(value)s."
    ),
    "risk_answer_unknown": _(
        "The item %(item)s is not in the %(table)s table of rule set %(version)s."
    ),
    "risk_policy_value": _("The risk policy setting %(name)s cannot be %(value)s."),
    "risk_policy_online_order": _(
        "Online care for %(higher)s cannot be more open than for %(lower)s."
    ),
    "scale_unknown": _("The scale %(instrument)s is not known."),
    "scale_item_unknown": _("The scale has items 1 to %(item_count)s; there is no item %(item)s."),
    "scale_item_repeated": _("Item %(item)s is answered more than once."),
    "scale_option_unknown": _("Item %(item)s has options 0 to %(max_option)s; got %(option)s."),
    "scale_item_missing": _("Answer every item; item %(item)s has no answer."),
    "scale_cutoff_range": _(
        "The cut-off %(name)s must be %(min_value)s to %(max_value)s; got %(value)s."
    ),
    "scale_cutoff_order": _(
        "The cut-off %(lower)s (%(lower_value)s) must be below %(upper)s (%(upper_value)s)."
    ),
    "screening_stage_missing": _(
        "Give either the gestational age or the number of days since the birth, not both."
    ),
    "screening_last_done_future": _("The last screening date %(last_done)s is in the future."),
    "postpartum_days_negative": _("The number of days since the birth cannot be negative."),
    "scale_wording_json": _("The wording file is not valid JSON: %(detail)s"),
    "scale_wording_shape": _("The wording file is not laid out as expected at %(where)s."),
    "scale_wording_language": _("The language tag %(language)s in the wording file is not valid."),
    "scale_wording_text": _("The wording file needs a text at %(where)s."),
    "scale_wording_item_count": _(
        "The wording for %(language)s has %(count)s items; the scale has %(expected)s."
    ),
    "scale_wording_item_number": _(
        "Item %(position)s of the wording for %(language)s is numbered %(number)s; number the items in order."
    ),
    "scale_wording_option_count": _(
        "Item %(item)s of the wording for %(language)s has %(count)s options; the scale has %(expected)s."
    ),
    "scale_wording_points": _(
        "Option %(option)s of item %(item)s in the wording for %(language)s gives %(points)s points; the scale scores it %(expected)s. List the options in the scale's order."
    ),
    "prediction_parameter_range": _(
        "The setting %(name)s must be %(min_value)s to %(max_value)s; got %(value)s."
    ),
    "prediction_parameter_order": _(
        "The setting %(lower)s (%(lower_value)s) cannot be above %(upper)s (%(upper_value)s)."
    ),
}


def clinical_message(exc: ClinicalValueError) -> str:
    template = CLINICAL_MESSAGES.get(exc.code)
    if template is None:
        return str(exc)
    return str(template) % exc.params
