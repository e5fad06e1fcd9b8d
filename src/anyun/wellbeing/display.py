"""Screenings and self-assessments as pages show them: labels for every code."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from anyun.monitoring import display as monitoring_display
from anyun.monitoring.models import SIGN_LABELS, Reading
from anyun.wellbeing.messages import (
    LIFESTYLE_TEXT,
    WINDOW_LABELS,
    band_label,
    finding_label,
    follow_up_label,
)
from anyun.wellbeing.models import (
    AlcoholChoice,
    Appetite,
    MedicineChoice,
    Screening,
    SelfAssessment,
    SleepQuality,
    SmokingChoice,
)


def screening_view(s: Screening) -> dict[str, Any]:
    return {
        "screening": s,
        "instrument": s.get_instrument_display(),
        "score": f"{s.total}/{s.max_total}",
        "band": band_label(s.band),
        "follow_up": follow_up_label(s.follow_up),
        "findings": [finding_label(f["rule"]) for f in s.findings],
        "window": str(WINDOW_LABELS[s.window]) if s.window in WINDOW_LABELS else "",
        "safety": bool(s.safety_trigger),
    }


def _yes_no(value: bool | None) -> str:
    if value is None:
        return _("Not answered")
    return _("Yes") if value else _("No")


def _label(choices: Any, value: str) -> str:
    if not value:
        return _("Not answered")
    return str(dict(choices.choices).get(value, value))


def assessment_rows(a: SelfAssessment, readings: list[Reading]) -> dict[str, Any]:
    """The structured summary her clinician sees: each answer by topic, the signs recorded,
    the findings to look at."""
    if a.stopped:
        return {
            "stopped": True,
            "symptoms": monitoring_display.symptom_list(a.symptoms),
            "rows": [],
            "signs": [],
            "findings": [],
        }
    medicines = [str(dict(MedicineChoice.choices).get(m, m)) for m in a.medicines]
    if a.medicines_note:
        medicines.append(a.medicines_note)
    rows = [
        (
            _("Sleep"),
            _("%(quality)s, %(hours)s h a night")
            % {
                "quality": _label(SleepQuality, a.sleep_quality),
                "hours": monitoring_display.number(a.sleep_hours, 1)
                if a.sleep_hours is not None
                else "—",
            },
        ),
        (_("Often low, down or without hope"), _yes_no(a.mood_low)),
        (_("Often little interest or joy"), _yes_no(a.mood_little_interest)),
        (_("Appetite"), _label(Appetite, a.appetite)),
        (_("Vegetables and fruit every day"), _yes_no(a.fruit_veg_daily)),
        (
            _("Activity (minutes in the past week)"),
            str(a.activity_minutes_week) if a.activity_minutes_week is not None else "—",
        ),
        (_("Smoking"), _label(SmokingChoice, a.smoking)),
        (_("Alcohol"), _label(AlcoholChoice, a.alcohol)),
        (_("Second-hand smoke"), _yes_no(a.second_hand_smoke)),
        (_("Medicines taken"), ", ".join(medicines) or _("None")),
        (_("Missed doses"), _yes_no(a.missed_doses)),
    ]
    return {
        "stopped": False,
        "symptoms": "",
        "rows": rows,
        "signs": [
            (str(SIGN_LABELS.get(r.kind, r.kind)), monitoring_display.reading_value(r))
            for r in readings
        ],
        "findings": [
            {"label": finding_label(f["code"]), "source": f.get("source", "")} for f in a.findings
        ],
    }


def assessment_summary(a: SelfAssessment, readings: list[Reading]) -> dict[str, Any]:
    """The plain summary for her: what was saved, and what to do about each finding."""
    codes = [f["code"] for f in a.findings]
    return {
        "signs": [
            (str(SIGN_LABELS.get(r.kind, r.kind)), monitoring_display.reading_value(r))
            for r in readings
        ],
        # The mood screen has its own card (the scales offered), not a line of advice.
        "advice": [
            str(LIFESTYLE_TEXT[c])
            for c in codes
            if c in LIFESTYLE_TEXT and c != "mood_screen_positive"
        ],
        "offer_scale": "mood_screen_positive" in codes,
        "all_clear": not codes,
    }
