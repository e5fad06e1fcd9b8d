"""Translated texts for the codes of `anyun.clinical.signs` and `anyun.clinical.alarms`.

The English mirrors the clinical package's own tables; a test keeps the codes in step.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from anyun.clinical.red_flags import FlagGroup
from anyun.clinical.signs import Implausible, Symptom
from anyun.monitoring.models import SIGN_LABELS

# What the woman ticks; the wording follows the warning signs (DOMAIN.md section 6).
SYMPTOM_LABELS: dict[str, Promise] = {
    Symptom.HEADACHE: _("Headache that will not go away or is getting worse"),
    Symptom.VISUAL_CHANGE: _("Blurred vision or seeing spots"),
    Symptom.EPIGASTRIC_PAIN: _("Pain below the ribs"),
    Symptom.OEDEMA: _("Sudden or severe swelling of hands or face"),
    Symptom.BLEEDING: _("Vaginal bleeding"),
    Symptom.FLUID_LEAK: _("Fluid leaking"),
    Symptom.REDUCED_MOVEMENTS: _("Baby moving less"),
    Symptom.FEVER: _("Feeling feverish"),
    Symptom.ABDOMINAL_PAIN: _("Belly pain"),
    Symptom.DIZZINESS: _("Feeling dizzy or fainting"),
    Symptom.BREATHING_TROUBLE: _("Trouble breathing or short of breath"),
    Symptom.CHEST_PAIN: _("Chest pain or a racing heart"),
    Symptom.SEVERE_VOMITING: _(
        "Vomiting so much you cannot keep food down for a day or drinks for 8 hours"
    ),
    Symptom.POSTPARTUM_BLEEDING: _("Heavy bleeding since the birth: more than one pad an hour"),
    Symptom.SWOLLEN_RED_LIMB: _("A leg or arm that is painful, swollen and red"),
    Symptom.EXHAUSTION: _("Overwhelming tiredness, far beyond being tired"),
    Symptom.CONVULSIONS: _("A fit (convulsion)"),
    Symptom.SELF_HARM_THOUGHTS: _("Thoughts of harming yourself or your baby"),
    Symptom.ITCHING: _("Itching of the palms of the hands or the soles of the feet"),
}

# The picker's groups (anyun.clinical.red_flags.FlagGroup), as she reads them.
SYMPTOM_GROUP_LABELS: dict[str, Promise] = {
    FlagGroup.BLEEDING_FLUID: _("Bleeding and fluid"),
    FlagGroup.PAIN: _("Pain"),
    FlagGroup.HEAD_EYES_BREATHING: _("Head, eyes, heart and breathing"),
    FlagGroup.BODY: _("Swelling, fever, vomiting, itching, tiredness"),
    FlagGroup.BABY: _("Baby's movements"),
    FlagGroup.MOOD: _("Mood and thoughts"),
    FlagGroup.AFTER_BIRTH: _("After the birth"),
}

# What started the mental-health safety pathway (monitoring.services.safety.SafetyTrigger).
SAFETY_TRIGGER_LABELS: dict[str, Promise] = {
    "red_flag_self_harm": _("She reported thoughts of harming herself or the baby"),
    "epds_item_10": _("EPDS item 10 (thoughts of self-harm) above 0"),
    "phq9_item_9": _("PHQ-9 item 9 (thoughts of self-harm) above 0"),
}

NORMAL_REPEAT_TEXT: Promise = _(
    "Normal on repeat: your care team will look at it. Keep measuring as planned."
)
"""On her check-in page, for an earlier alarm this check-in's blood pressure found normal."""

ACTION_TEXT: dict[str, Promise] = {
    "seek_care_now": _(
        "Go to your hospital or an emergency department now. Call 120 if you cannot get there safely."
    ),
    "contact_clinician_24h": _(
        "Your care team will review this within 24 hours. Contact them sooner if you feel unwell."
    ),
    "repeat_bp_4h": _(
        "This is your first high blood-pressure reading. Rest and measure it again in 4 hours."
    ),
    "repeat_bp_4h_again": _(
        "Your blood pressure was high before too, but not yet on two readings at least 4 hours "
        "apart. Rest and measure it again in 4 hours."
    ),
    "check_bp": _("Measure your blood pressure now and record it."),
    "ultrasound_check": _("An ultrasound scan is advised to check the baby's growth."),
    "check_temperature": _("Measure your temperature now and record it."),
    "in_person_24h": _(
        "Be seen in person at your hospital within 24 hours. Go at once if it gets worse."
    ),
}

RULE_LABELS: dict[str, Promise] = {
    "bp_severe": _("Severely high blood pressure"),
    "bp_high_with_symptoms": _("High blood pressure with warning symptoms"),
    "bp_high_confirmed": _("High blood pressure, confirmed by a repeat"),
    "bp_high_first": _("High blood pressure, not yet confirmed by a repeat"),
    "glucose_above_target": _("Glucose above target"),
    "glucose_low": _("Low blood glucose"),
    "glucose_very_high": _("Very high blood glucose"),
    "fhr_high": _("Fetal heart rate above 160"),
    "fhr_low": _("Fetal heart rate below 110"),
    "fhr_very_high": _("Fetal heart rate very high"),
    "fhr_very_low": _("Fetal heart rate very low"),
    "movements_below_minimum": _("Fewer than 10 movements in two hours"),
    "movements_fall": _("Fetal movements halved from usual"),
    "movements_none": _("No fetal movements felt"),
    "pulse_high": _("Fast pulse"),
    "pulse_low": _("Slow pulse"),
    "pulse_very_high": _("Very fast pulse"),
    "fever": _("Fever"),
    "temperature_raised": _("Raised temperature"),
    "weight_gain_fast": _("Weight gain over 1 kg in a week"),
    "weight_gain_out_of_range": _("Weekly weight gain outside the recommended range"),
    "sfh_high": _("Fundal height above the 90th centile"),
    "sfh_low": _("Fundal height below the 10th centile"),
    "sfh_low_repeated": _("Fundal height below the 10th centile three times running"),
    "sfh_not_increasing": _("Fundal height not increasing"),
    "red_flag_headache": _("Headache that will not go away"),
    "red_flag_visual_change": _("Change in vision"),
    "red_flag_swelling": _("Sudden or severe swelling"),
    "red_flag_bleeding": _("Vaginal bleeding"),
    "red_flag_fluid_leak": _("Fluid leaking from the vagina"),
    "red_flag_reduced_movements": _("Baby moving less"),
    "red_flag_abdominal_pain": _("Belly pain"),
    "red_flag_fever_felt": _("Feeling feverish"),
    "red_flag_dizziness": _("Dizziness or fainting"),
    "red_flag_breathing": _("Trouble breathing"),
    "red_flag_chest_pain": _("Chest pain or racing heart"),
    "red_flag_severe_vomiting": _("Severe vomiting"),
    "red_flag_postpartum_bleeding": _("Heavy bleeding after birth (over one pad an hour)"),
    "red_flag_swollen_red_limb": _("Painful, swollen, red leg or arm (possible clot)"),
    "red_flag_exhaustion": _("Overwhelming tiredness"),
    "red_flag_convulsions": _("Convulsions"),
    "red_flag_self_harm": _("Thoughts of harming herself or the baby"),
    "red_flag_itching": _("Itching of palms and soles (possible cholestasis)"),
    "safety_pathway": _("Mental-health safety: thoughts of harming herself or the baby"),
}

IMPLAUSIBLE_TEXT: dict[str, Promise] = {
    "systolic_implausible": _("A systolic pressure of %(value)s mmHg is unusual. Is it right?"),
    "diastolic_implausible": _("A diastolic pressure of %(value)s mmHg is unusual. Is it right?"),
    "pulse_pressure_implausible": _(
        "%(systolic)s/%(diastolic)s mmHg: the two pressures are unusually close. Are they right?"
    ),
    "glucose_implausible": _("A glucose of %(value)s mmol/L is unusual. Is it right?"),
    "weight_implausible": _("A weight of %(value)s kg is unusual. Is it right?"),
    "fetal_heart_rate_implausible": _(
        "A fetal heart rate of %(value)s beats a minute is unusual; the doppler may have found "
        "your own pulse. Is it right?"
    ),
    "fundal_height_implausible": _("A fundal height of %(value)s cm is unusual. Is it right?"),
    "abdominal_circumference_implausible": _(
        "An abdominal circumference of %(value)s cm is unusual. Is it right?"
    ),
    "temperature_implausible": _("A temperature of %(value)s °C is unusual. Is it right?"),
    "pulse_implausible": _("A pulse of %(value)s beats a minute is unusual. Is it right?"),
    "movement_count_implausible": _("%(value)s movements is an unusual count. Is it right?"),
}


def crisis_text(*, team_alerted: bool) -> str:
    """The safety pathway's words to her (the page and the API say the same)."""
    opening = gettext_now("You are not alone. Talk to someone now.")
    if team_alerted:
        told = gettext_now("Your care team has been alerted and will contact you soon.")
    else:
        told = gettext_now(
            "No one from your care team could be reached online. Call a line below or 120 now."
        )
    return f"{opening} {told}"


def crisis_emergency_text() -> str:
    return gettext_now(
        "If you might act on these thoughts or are not safe now: call 120 or go to the nearest "
        "emergency department, and do not stay alone."
    )


def action_text(code: str) -> str:
    text = ACTION_TEXT.get(code)
    return str(text) if text is not None else code


def rule_label(rule: str) -> str:
    label = RULE_LABELS.get(rule)
    return str(label) if label is not None else rule


def implausible_message(item: Implausible) -> str:
    template = IMPLAUSIBLE_TEXT.get(item.code)
    if template is None:
        return item.code
    params: dict[str, Any] = dict(item.params)
    return str(template) % params


def plan_text(plan: Any) -> tuple[str, str]:
    """Her message when a clinician sets an instruction (in the current language)."""
    sign = str(SIGN_LABELS.get(plan.kind, plan.kind))
    title = str(_("New instructions from your care team"))
    body = str(_("Record your %(sign)s at %(times)s each day.")) % {
        "sign": sign,
        "times": ", ".join(plan.times),
    }
    if plan.note:
        body = f"{body} {plan.note}"
    return title, body


def reminder_text(plan: Any) -> tuple[str, str]:
    sign = str(SIGN_LABELS.get(plan.kind, plan.kind))
    title = gettext_now("Time to record: %(sign)s") % {"sign": sign}
    body = plan.note or gettext_now("Your care team asked you to record this now.")
    return title, body
