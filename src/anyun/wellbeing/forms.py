"""The woman's scale and self-assessment forms, and the clinician's support form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anyun.clinical.red_flags import Stage, flags_for, picker_groups
from anyun.clinical.scales import ScaleWording
from anyun.core.forms import DateInput
from anyun.monitoring.forms import CheckInForm
from anyun.monitoring.messages import SYMPTOM_GROUP_LABELS, SYMPTOM_LABELS
from anyun.wellbeing.models import (
    MEDICINES_NOTE_MAX_LENGTH,
    SUPPORT_NOTE_MAX_LENGTH,
    AlcoholChoice,
    Appetite,
    MedicineChoice,
    SleepQuality,
    SmokingChoice,
    SupportKind,
)
from anyun.wellbeing.services import SelfAssessmentInput

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class ScaleForm(forms.Form):
    """One radio group per item, the options in the scale's order (index = option)."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=80)

    def __init__(self, *args: Any, wording: ScaleWording, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.wording = wording
        count = len(wording.items)
        for number, item in enumerate(wording.items, start=1):
            self.fields[f"item_{number}"] = forms.ChoiceField(
                label=item.prompt,
                choices=[(str(i), text) for i, text in enumerate(item.options)],
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose the answer closest to how you felt.")},
            )
            self.fields[f"item_{number}"].number = number  # type: ignore[attr-defined]
            self.fields[f"item_{number}"].count = count  # type: ignore[attr-defined]

    def item_fields(self) -> list[Any]:
        return [self[f"item_{n}"] for n in range(1, len(self.wording.items) + 1)]

    def answers(self) -> dict[int, int]:
        return {
            n: int(self.cleaned_data[f"item_{n}"]) for n in range(1, len(self.wording.items) + 1)
        }


class SymptomCheckForm(forms.Form):
    """The self-assessment's first step: the red-flag checklist of her stage."""

    symptoms = forms.MultipleChoiceField(
        label=_("Do you have any of these now?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[],
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=80)

    def __init__(self, *args: Any, stage: Stage = Stage.PREGNANT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stage = stage
        self.fields["symptoms"].choices = [  # type: ignore[attr-defined]
            (str(f.symptom), SYMPTOM_LABELS[f.symptom]) for f in flags_for(stage)
        ]

    def symptom_groups(self) -> list[tuple[Any, list[Any]]]:
        boxes = {box.data["value"]: box for box in self["symptoms"]}
        return [
            (SYMPTOM_GROUP_LABELS[group], [boxes[str(symptom)] for symptom in symptoms])
            for group, symptoms in picker_groups(self.stage)
        ]


def _yes_no(label: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=YES_NO, widget=forms.RadioSelect, required=False)


def _choices(label: Any, choices: Any, *, required: bool = False) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=choices, widget=forms.RadioSelect, required=required
    )


class SelfAssessmentForm(CheckInForm):
    """The self-assessment after the symptom check: her signs (the check-in's fields, stored
    as monitoring readings), then sleep, mood, diet, activity, smoking and alcohol, medicines."""

    sleep_hours = forms.DecimalField(
        label=_("Hours of sleep on a usual night"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(24),
        decimal_places=1,
        max_digits=3,
    )
    sleep_quality = _choices(_("How have you slept this past week?"), SleepQuality.choices)
    # The two-question mood screen (Whooley 1997; NICE CG192), in our own words.
    mood_low = _yes_no(_("Over the past month, have you often felt down, low or without hope?"))
    mood_little_interest = _yes_no(
        _("Over the past month, have you often had little interest or joy in doing things?")
    )
    appetite = _choices(_("Your appetite"), Appetite.choices)
    fruit_veg_daily = _yes_no(_("Do you eat vegetables and fruit every day?"))
    activity_minutes_week = forms.IntegerField(
        label=_("Minutes of walking or other moderate activity in the past week"),
        required=False,
        min_value=0,
        max_value=5000,
    )
    smoking = _choices(_("Smoking"), SmokingChoice.choices)
    alcohol = _choices(_("Alcohol since you knew you were pregnant"), AlcoholChoice.choices)
    second_hand_smoke = _yes_no(_("Do people smoke near you at home or at work?"))
    medicines = forms.MultipleChoiceField(
        label=_("Which of these did you take this past week?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=MedicineChoice.choices,
    )
    medicines_note = forms.CharField(
        label=_("Other medicines (names)"), required=False, max_length=MEDICINES_NOTE_MAX_LENGTH
    )
    missed_doses = _yes_no(_("Did you miss any doses?"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Symptoms were checked in the first step; the time is now.
        for name in ("symptoms", "measured_at", "note"):
            del self.fields[name]
        self.fields["sleep_quality"].required = True
        self.fields["sleep_quality"].error_messages["required"] = _("Choose how you slept.")
        for name in ("mood_low", "mood_little_interest"):
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = _("Answer yes or no.")

    def data_input(self) -> SelfAssessmentInput:
        d = self.cleaned_data

        def yes(name: str) -> bool | None:
            return {"yes": True, "no": False}.get(d.get(name) or "")

        return SelfAssessmentInput(
            sleep_hours=d.get("sleep_hours"),
            sleep_quality=d.get("sleep_quality") or "",
            mood_low=yes("mood_low"),
            mood_little_interest=yes("mood_little_interest"),
            appetite=d.get("appetite") or "",
            fruit_veg_daily=yes("fruit_veg_daily"),
            activity_minutes_week=d.get("activity_minutes_week"),
            smoking=d.get("smoking") or "",
            alcohol=d.get("alcohol") or "",
            second_hand_smoke=yes("second_hand_smoke"),
            medicines=list(d.get("medicines") or []),
            medicines_note=d.get("medicines_note") or "",
            missed_doses=yes("missed_doses"),
        )


class SupportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Support given"), choices=SupportKind.choices)
    given_on = forms.DateField(label=_("Given on"), widget=DateInput, required=False)
    screening = forms.ChoiceField(label=_("For the screening"), required=False, choices=[])
    note = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=SUPPORT_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    close_referral = forms.BooleanField(
        label=_("This answers her open mental-health referral"), required=False
    )

    def __init__(self, *args: Any, screenings: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["screening"].choices = [("", "—"), *screenings]  # type: ignore[attr-defined]
