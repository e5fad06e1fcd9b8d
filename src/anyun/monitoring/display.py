"""Clinical values as a person reads them: the right decimals per sign, the unit, a label.

One place formats every measured value the app shows (home, check-in result, history, the
clinician's worklist, overview and alarm pages, notification bodies), so a value never
appears as ``4E+1`` or ``63.50`` and never without its unit. The API keeps raw numbers.

Decimals: what home devices and clinic tools resolve - glucose meters and thermometers 0.1,
tape measures 0.1 cm, scales 0.05 kg (shown to 2 decimals at most, trailing zeros dropped),
counts and rates whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Final

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from anyun.clinical.anthropometry import BmiCategory
from anyun.clinical.signs import GlucoseContext, MovementPeriod, SignKind
from anyun.monitoring.messages import SYMPTOM_LABELS
from anyun.monitoring.models import GLUCOSE_CONTEXT_LABELS, MOVEMENT_PERIOD_LABELS

UNITS: Final[dict[str, Promise]] = {
    "mmHg": pgettext_lazy("unit", "mmHg"),
    "mmol/L": pgettext_lazy("unit", "mmol/L"),
    "kg": pgettext_lazy("unit", "kg"),
    "cm": pgettext_lazy("unit", "cm"),
    "bpm": pgettext_lazy("unit", "bpm"),
    "°C": pgettext_lazy("unit", "°C"),
    "movements": pgettext_lazy("unit", "movements"),
    "h": pgettext_lazy("unit", "h"),
    "days": pgettext_lazy("unit", "days"),
    "%": pgettext_lazy("unit", "%"),
}

# sign -> (unit, at most this many decimals)
SIGN_FORMATS: Final[dict[str, tuple[str, int]]] = {
    SignKind.BLOOD_PRESSURE: ("mmHg", 0),
    SignKind.GLUCOSE: ("mmol/L", 1),
    SignKind.WEIGHT: ("kg", 2),
    SignKind.FUNDAL_HEIGHT: ("cm", 1),
    SignKind.ABDOMINAL_CIRCUMFERENCE: ("cm", 1),
    SignKind.FETAL_HEART_RATE: ("bpm", 0),
    SignKind.FETAL_MOVEMENTS: ("movements", 0),
    SignKind.TEMPERATURE: ("°C", 1),
    SignKind.PULSE: ("bpm", 0),
}

BMI_CATEGORY_LABELS: Final[dict[str, Promise]] = {
    BmiCategory.UNDERWEIGHT: _("Underweight"),
    BmiCategory.NORMAL: _("Normal weight"),
    BmiCategory.OVERWEIGHT: _("Overweight"),
    BmiCategory.OBESE: _("Obese"),
}

# A finding's value keys (anyun.clinical.alarms, red_flags): label and how to show it.
# Format: a unit key of UNITS, "sign" (the finding's own sign's unit), "mmHg" etc.,
# "count", "symptoms", "symptom", "context", "period", "bmi", "ga", "time", "yesno",
# "fraction", "z".
VALUE_FIELDS: Final[dict[str, tuple[Promise, str]]] = {
    "systolic": (_("Systolic"), "mmHg"),
    "diastolic": (_("Diastolic"), "mmHg"),
    "systolic_limit": (_("Systolic limit"), "mmHg"),
    "diastolic_limit": (_("Diastolic limit"), "mmHg"),
    "previous_systolic": (_("Earlier systolic"), "mmHg"),
    "previous_diastolic": (_("Earlier diastolic"), "mmHg"),
    "previous_measured_at": (_("Earlier reading taken"), "time"),
    "symptoms": (_("Symptoms"), "symptoms"),
    "symptom": (_("Symptom"), "symptom"),
    "repeat_after_hours": (_("Repeat after"), "h"),
    "earlier_high_readings": (_("Earlier high readings"), "count"),
    "glucose_mmol_l": (_("Glucose"), "mmol/L"),
    "context": (_("When measured"), "context"),
    "limit": (_("Limit"), "sign"),
    "limit_kg": (_("Limit"), "kg"),
    "fhr_bpm": (_("Fetal heart rate"), "bpm"),
    "count": (_("Movements counted"), "movements"),
    "period": (_("Counting"), "period"),
    "ga": (_("Gestational age"), "ga"),
    "usual_count": (_("Her usual count"), "movements"),
    "usual_from_counts": (_("Usual count from"), "count"),
    "fall_fraction": (_("Fall that raises an alarm"), "fraction"),
    "pulse_bpm": (_("Pulse"), "bpm"),
    "temperature_c": (_("Temperature"), "°C"),
    "weight_kg": (_("Weight"), "kg"),
    "weekly_gain_kg": (_("Gain in the week"), "kg"),
    "weekly_gains_kg": (_("Weekly gains"), "kg"),
    "weekly_range_kg": (_("Recommended weekly gain"), "range_kg"),
    "total_gain_kg": (_("Gain since before pregnancy"), "kg"),
    "over_days": (_("Over"), "days"),
    "oedema": (_("Swelling"), "yesno"),
    "bmi_category": (_("BMI before pregnancy"), "bmi"),
    "sfh_cm": (_("Fundal height"), "cm"),
    "previous_sfh_cm": (_("Earlier fundal heights"), "cm"),
    "low_centile_cm": (_("10th centile"), "cm"),
    "high_centile_cm": (_("90th centile"), "cm"),
    "low_z": (_("Lower limit (z-score)"), "z"),
    "high_z": (_("Upper limit (z-score)"), "z"),
}

_DECIMALS_BY_UNIT: Final = {"mmHg": 0, "bpm": 0, "movements": 0, "kg": 2, "cm": 1}


def number(value: Any, decimals: int = 2) -> str:
    """``value`` rounded half up to at most ``decimals`` places, trailing zeros dropped,
    never in scientific notation (``Decimal("4E+1")`` -> ``"40"``)."""
    try:
        exact = value if isinstance(value, Decimal) else Decimal(str(value))
        rounded = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    text = format(rounded, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def with_unit(value: Any, unit: str, decimals: int | None = None) -> str:
    places = _DECIMALS_BY_UNIT.get(unit, 1) if decimals is None else decimals
    label = UNITS.get(unit)
    return f"{number(value, places)} {label}" if label else number(value, places)


def sign_value(
    kind: str,
    *,
    value: Any = None,
    systolic: int | None = None,
    diastolic: int | None = None,
    symptoms: Iterable[str] = (),
) -> str:
    """One reading's value with its unit, e.g. ``165/112 mmHg``, ``5.3 mmol/L``."""
    if kind == SignKind.BLOOD_PRESSURE:
        return f"{systolic}/{diastolic} {UNITS['mmHg']}"
    if kind == SignKind.SYMPTOM_REPORT:
        return symptom_list(symptoms)
    if value is None:
        return "—"
    unit, decimals = SIGN_FORMATS.get(kind, ("", 2))
    return with_unit(value, unit, decimals) if unit else number(value, decimals)


def reading_value(reading: Any) -> str:
    """A stored reading's value with its unit (blood pressure as systolic/diastolic)."""
    return sign_value(
        reading.kind,
        value=reading.value,
        systolic=reading.systolic,
        diastolic=reading.diastolic,
        symptoms=reading.symptoms or (),
    )


def symptom_label(code: str) -> str:
    label = SYMPTOM_LABELS.get(code)
    return str(label) if label is not None else gettext("Other symptom")


def symptom_list(codes: Iterable[str]) -> str:
    separator = "、" if (get_language() or "").startswith("zh") else ", "
    return separator.join(symptom_label(c) for c in codes)


def _value_text(value: Any, how: str, sign: str) -> str:
    if isinstance(value, list):
        if how == "range_kg" and len(value) == 2:
            return f"{number(value[0], 2)}–{number(value[1], 2)} {UNITS['kg']}"
        return ", ".join(_value_text(v, how, sign) for v in value)
    match how:
        case "sign":
            unit, decimals = SIGN_FORMATS.get(sign, ("", 2))
            return with_unit(value, unit, decimals) if unit else number(value, decimals)
        case "symptoms":
            return symptom_list(value if isinstance(value, list) else [value])
        case "symptom":
            return symptom_label(str(value))
        case "context":
            return _choice(GLUCOSE_CONTEXT_LABELS, GlucoseContext, value)
        case "period":
            return _choice(MOVEMENT_PERIOD_LABELS, MovementPeriod, value)
        case "bmi":
            label = BMI_CATEGORY_LABELS.get(str(value))
            return str(label) if label is not None else "—"
        case "ga":
            weeks, _plus, days = str(value).partition("+")
            return gettext("%(weeks)s weeks %(days)s days") % {
                "weeks": weeks,
                "days": days or "0",
            }
        case "time":
            moment = parse_datetime(str(value)) if not isinstance(value, dt.datetime) else value
            if moment is None:
                return "—"
            return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
        case "yesno":
            return gettext("Yes") if value else gettext("No")
        case "fraction":
            return with_unit(Decimal(str(value)) * 100, "%", 0)
        case "count" | "z":
            return number(value, 1)
        case unit:
            return with_unit(value, unit)


def _choice(labels: Mapping[str, Promise], enum: Any, value: Any) -> str:
    try:
        return str(labels[enum(str(value))])
    except (KeyError, ValueError):
        return "—"


def finding_values(values: Mapping[str, Any], sign: str) -> list[tuple[str, str]]:
    """A finding's measured values and limits as (label, text) pairs, in a stable order;
    keys without a label are left out rather than shown as codes."""
    rows = []
    for key, (label, how) in VALUE_FIELDS.items():
        if key in values and values[key] is not None:
            rows.append((str(label), _value_text(values[key], how, sign)))
    return rows
