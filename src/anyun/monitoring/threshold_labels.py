"""What a person reads about each alarm threshold: its name, its unit and its source's name.

The thresholds, their sources and marks live in `anyun.clinical.alarm_thresholds`; this module
only gives each code a translated label, so nobody sees `bp_systolic_severe` or a file name.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from anyun.clinical import alarm_thresholds as at
from anyun.clinical.errors import ClinicalValueError
from anyun.core.messages import clinical_message
from anyun.monitoring.display import number

_MMHG = pgettext_lazy("unit", "mmHg")
_MMOL = pgettext_lazy("unit", "mmol/L")
_BPM = pgettext_lazy("unit", "bpm")
_HOURS = pgettext_lazy("unit", "h")
_DAYS = pgettext_lazy("unit", "days")
_WEEKS = pgettext_lazy("unit", "weeks")
_CELSIUS = pgettext_lazy("unit", "°C")
_KG_WEEK = pgettext_lazy("unit", "kg/week")
_Z = pgettext_lazy("unit", "z-score")
_MOVEMENTS = pgettext_lazy("unit", "movements")
_COUNTS = pgettext_lazy("unit", "counts")
_MEASUREMENTS = pgettext_lazy("unit", "measurements")
_SHARE = pgettext_lazy("unit", "× her usual count")

# name -> (label, unit); every numeric field of `Thresholds` has one (a test checks).
THRESHOLD_LABELS: dict[str, tuple[Promise, Promise]] = {
    "bp_systolic_high": (gettext_lazy("High systolic blood pressure (attention)"), _MMHG),
    "bp_diastolic_high": (gettext_lazy("High diastolic blood pressure (attention)"), _MMHG),
    "bp_systolic_severe": (gettext_lazy("Severe systolic blood pressure (urgent)"), _MMHG),
    "bp_diastolic_severe": (gettext_lazy("Severe diastolic blood pressure (urgent)"), _MMHG),
    "bp_confirm_min_gap_hours": (
        gettext_lazy("Repeat blood pressure at the earliest after"),
        _HOURS,
    ),
    "bp_confirm_max_gap_days": (
        gettext_lazy("Repeat blood pressure confirms within"),
        _DAYS,
    ),
    "glucose_fasting_target": (gettext_lazy("Glucose target, fasting or before a meal"), _MMOL),
    "glucose_post_meal_1h_target": (gettext_lazy("Glucose target, 1 h after a meal"), _MMOL),
    "glucose_post_meal_2h_target": (gettext_lazy("Glucose target, 2 h after a meal"), _MMOL),
    "glucose_low": (gettext_lazy("Low glucose, urgent below"), _MMOL),
    "glucose_very_high": (gettext_lazy("Very high glucose (urgent)"), _MMOL),
    "fhr_normal_low": (gettext_lazy("Fetal heart rate, lower limit of normal"), _BPM),
    "fhr_normal_high": (gettext_lazy("Fetal heart rate, upper limit of normal"), _BPM),
    "fhr_urgent_low": (gettext_lazy("Fetal heart rate, urgent below"), _BPM),
    "fhr_urgent_high": (gettext_lazy("Fetal heart rate, urgent above"), _BPM),
    "movements_two_hour_min": (
        gettext_lazy("Fetal movements in 2 hours, urgent below"),
        _MOVEMENTS,
    ),
    "movements_fall_fraction": (
        gettext_lazy("Fewer fetal movements, attention at or below"),
        _SHARE,
    ),
    "movements_baseline_days": (gettext_lazy("Her usual fetal movements: days counted"), _DAYS),
    "movements_baseline_min_counts": (
        gettext_lazy("Her usual fetal movements: counts needed"),
        _COUNTS,
    ),
    "pulse_low": (gettext_lazy("Low pulse, attention below"), _BPM),
    "pulse_high": (gettext_lazy("High pulse, attention above"), _BPM),
    "pulse_urgent_high": (gettext_lazy("Very high pulse, urgent above"), _BPM),
    "temperature_raised": (gettext_lazy("Raised temperature (attention)"), _CELSIUS),
    "temperature_fever": (gettext_lazy("Fever (urgent)"), _CELSIUS),
    "weight_week_min_days": (gettext_lazy("Weekly weight gain: earlier weight at least"), _DAYS),
    "weight_week_max_days": (gettext_lazy("Weekly weight gain: earlier weight at most"), _DAYS),
    "weight_out_of_range_weeks": (
        gettext_lazy("Weeks of weight gain outside her range before attention"),
        _WEEKS,
    ),
    "weight_fast_gain_kg": (
        gettext_lazy("Fast weight gain in a week (blood pressure check)"),
        _KG_WEEK,
    ),
    "sfh_low_z": (gettext_lazy("Fundal height low (P10)"), _Z),
    "sfh_high_z": (gettext_lazy("Fundal height high (P90)"), _Z),
    "sfh_low_repeat_count": (
        gettext_lazy("Low fundal heights in a row before an ultrasound"),
        _MEASUREMENTS,
    ),
    "sfh_flat_measurements": (
        gettext_lazy("Fundal heights without growth before attention"),
        _MEASUREMENTS,
    ),
}

# The source's name as a reader knows it (the guideline's title in Chinese).
SOURCE_LABELS: dict[str, Promise] = {
    at.BP_GUIDELINE: gettext_lazy(
        "Guideline for hypertensive disorders in pregnancy (Chinese Medical Association, 2020)"
    ),
    at.GLUCOSE_GUIDELINE: gettext_lazy(
        "Guideline for hyperglycaemia in pregnancy (Chinese Medical Association, 2022), "
        "self-monitoring targets"
    ),
    at.LOCAL_POLICY: gettext_lazy("Hospital local policy"),
    at.FHR_NORMAL_RANGE: gettext_lazy("Normal fetal heart rate range (obstetrics textbooks)"),
    at.MOVEMENT_RULE: gettext_lazy("Fetal movement counting (obstetrics textbook rule)"),
    at.AIM_WARNING_SIGNS: gettext_lazy("AIM Urgent Maternal Warning Signs"),
    at.WST_801: gettext_lazy(
        "WS/T 801-2022 Standard of recommended weight gain for pregnant women"
    ),
    at.INTERGROWTH_SFH: gettext_lazy(
        "INTERGROWTH-21st fundal height standard (BMJ 2016;355:i5662); alarm rule hospital "
        "local policy"
    ),
}

CONFIDENCE_LABELS: dict[str, Promise] = {
    "V": gettext_lazy("verified source, fixed"),
    "S": gettext_lazy("secondary sources, the hospital may set it"),
    "P": gettext_lazy("provisional, the hospital may set it"),
}


def threshold_label(name: str) -> str:
    label = THRESHOLD_LABELS.get(name)
    return str(label[0]) if label else _("Unknown threshold")


def threshold_unit(name: str) -> str:
    label = THRESHOLD_LABELS.get(name)
    return str(label[1]) if label else ""


def plain_number(value: Decimal | float) -> str:
    """A stored value as a person writes it: "150", "5.3", "-1.28" (never "1.5E+2");
    thresholds hold at most two decimals."""
    return number(value, 2)


def with_unit(name: str, value: object) -> str:
    """`value` of threshold `name` with its unit, e.g. "160 mmHg"."""
    return f"{value} {threshold_unit(name)}".strip()


def source_label(source: str) -> str:
    label = SOURCE_LABELS.get(source)
    return str(label) if label else source


def threshold_error_message(exc: ClinicalValueError) -> str:
    """The refusal of a threshold value, naming the threshold(s) by label, with units."""
    p = exc.params
    if exc.code == "alarm_threshold_order":
        lower, upper = str(p["lower"]), str(p["upper"])
        return _("%(upper)s (%(upper_value)s) must stay above %(lower)s (%(lower_value)s).") % {
            "upper": threshold_label(upper),
            "upper_value": with_unit(upper, p["upper_value"]),
            "lower": threshold_label(lower),
            "lower_value": with_unit(lower, p["lower_value"]),
        }
    name = str(p.get("name", exc.field or ""))
    if exc.code == "alarm_threshold_range":
        return _("%(name)s: enter a value from %(min_value)s to %(max_value)s.") % {
            "name": threshold_label(name),
            "min_value": p["min_value"],
            "max_value": with_unit(name, p["max_value"]),
        }
    if exc.code in {"alarm_threshold_whole", "alarm_threshold_not_number"}:
        return _("%(name)s: %(problem)s") % {
            "name": threshold_label(name),
            "problem": clinical_message(exc),
        }
    return clinical_message(exc)


# The alarm policy's choices (anyun.clinical.alarm_thresholds.FIRST_HIGH_BP_GRADES).
FIRST_HIGH_BP_GRADE_LABELS: dict[str, Promise] = {
    "attention": gettext_lazy("Attention: a clinician reviews it within 24 h"),
    "advice": gettext_lazy("Advice: shown to the woman only"),
}
