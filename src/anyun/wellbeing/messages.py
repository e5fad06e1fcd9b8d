"""Words for the codes of screenings and self-assessments: a person never sees a raw code."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

BAND_LABELS: dict[str, Promise] = {
    "below_cutoff": _("Below the cut-off"),
    "borderline": _("Borderline"),
    "above_cutoff": _("Above the cut-off"),
    "minimal": _("Minimal"),
    "mild": _("Mild"),
    "moderate": _("Moderate"),
    "moderately_severe": _("Moderately severe"),
    "severe": _("Severe"),
}

FINDING_LABELS: dict[str, Promise] = {
    "epds_referral": _("EPDS total at or above the referral cut-off"),
    "epds_repeat": _("EPDS total in the repeat range: repeat in 2 to 4 weeks"),
    "epds_item_10": _("EPDS item 10 (thoughts of self-harm) answered above 0"),
    "phq9_referral": _("PHQ-9 total above the referral cut-off"),
    "phq9_item_9": _("PHQ-9 item 9 (thoughts of death or self-harm) answered above 0"),
    "gad7_referral": _("GAD-7 total above the referral cut-off"),
    "gad7_screen_positive": _("GAD-7 screen positive"),
    # Self-assessment findings.
    "mood_screen_positive": _("Mood questions positive: full scale offered"),
    "smoking": _("Smokes"),
    "alcohol": _("Drinks alcohol"),
    "second_hand_smoke": _("Exposed to second-hand smoke"),
    "activity_low": _("Less than 150 minutes of activity a week"),
    "sleep_poor": _("Sleeps badly"),
    "missed_doses": _("Missed doses of her medicines"),
}

FOLLOW_UP_LABELS: dict[str, Promise] = {
    "routine": _("Next scheduled screening"),
    "repeat": _("Repeat in 2 to 4 weeks"),
    "referral": _("Further assessment: referral"),
}

# What she reads on her result page, by follow-up.
FOLLOW_UP_TEXT: dict[str, Promise] = {
    "routine": _(
        "Thank you. Your answers do not point to a problem now. We will ask again at your next "
        "screening; you can fill it in any time you want."
    ),
    "repeat": _(
        "Thank you. Some answers suggest you may be under strain. Please fill in the same "
        "questions again in 2 to 4 weeks: we will remind you. Your care team can see your answers."
    ),
    "referral": _(
        "Thank you for answering honestly. Your answers suggest you could use more support. "
        "Your care team has been asked to contact you to talk about it and about the help "
        "available."
    ),
}

WINDOW_LABELS: dict[str, Promise] = {
    "first_trimester": _("First trimester"),
    "second_trimester": _("Second trimester"),
    "third_trimester": _("Third trimester"),
    "postpartum_42_days": _("42 days after the birth"),
}

LIFESTYLE_TEXT: dict[str, Promise] = {
    "smoking": _(
        "Smoking harms you and your baby. Stopping at any point helps: your care team can "
        "support you."
    ),
    "alcohol": _("No amount of alcohol is known to be safe in pregnancy: it is best to stop."),
    "second_hand_smoke": _(
        "Other people's smoke harms you and your baby too: ask them not to smoke near you."
    ),
    "activity_low": _(
        "If your care team has not advised otherwise, aim for at least 150 minutes of moderate "
        "activity a week, such as brisk walking."
    ),
    "sleep_poor": _("You sleep badly: tell your care team at your next consultation."),
    "missed_doses": _("You missed some doses: tell your care team which ones."),
    "mood_screen_positive": _(
        "Your answers about your mood suggest filling in a short mood questionnaire."
    ),
}


def band_label(code: str) -> str:
    label = BAND_LABELS.get(code)
    return str(label) if label is not None else gettext("Other")


def finding_label(code: str) -> str:
    label = FINDING_LABELS.get(code)
    return str(label) if label is not None else gettext("Other finding")


def follow_up_label(code: str) -> str:
    label = FOLLOW_UP_LABELS.get(code)
    return str(label) if label is not None else gettext("Other")
