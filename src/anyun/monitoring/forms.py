"""The check-in form: several signs in one submit; only the filled ones become readings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anyun.clinical.red_flags import Stage, flags_for, picker_groups
from anyun.monitoring.messages import SYMPTOM_GROUP_LABELS, SYMPTOM_LABELS
from anyun.monitoring.models import (
    GLUCOSE_CONTEXT_LABELS,
    MOVEMENT_PERIOD_LABELS,
    SIGN_LABELS,
    AlarmOutcome,
)
from anyun.monitoring.services import ReadingInput


def _num(label: Any, **kw: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=False, decimal_places=2, max_digits=6, **kw)


class CheckInForm(forms.Form):
    measured_at = forms.DateTimeField(
        label=_("Measured at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Leave empty for now."),
    )
    systolic = forms.IntegerField(label=_("Systolic (upper)"), required=False)
    diastolic = forms.IntegerField(label=_("Diastolic (lower)"), required=False)
    bp_pulse = forms.IntegerField(label=_("Pulse shown by the monitor"), required=False)
    glucose = _num(_("Blood glucose (mmol/L)"))
    glucose_context = forms.ChoiceField(
        label=_("When"),
        required=False,
        choices=[("", "—"), *[(str(k), v) for k, v in GLUCOSE_CONTEXT_LABELS.items()]],
    )
    weight = _num(_("Weight (kg)"))
    temperature = _num(_("Temperature (°C)"))
    pulse = forms.IntegerField(label=_("Resting pulse (beats a minute)"), required=False)
    fetal_heart_rate = forms.IntegerField(
        label=_("Fetal heart rate (beats a minute)"), required=False
    )
    movements = forms.IntegerField(label=_("Fetal movements counted"), required=False)
    movement_period = forms.ChoiceField(
        label=_("How you counted"),
        required=False,
        choices=[("", "—"), *[(str(k), v) for k, v in MOVEMENT_PERIOD_LABELS.items()]],
    )
    fundal_height = _num(_("Fundal height (cm)"))
    abdominal_circumference = _num(_("Abdominal circumference (cm)"))
    symptoms = forms.MultipleChoiceField(
        label=_("Do you have any of these now?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[],  # the symptoms offered at her stage, set in __init__
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=80)
    confirm = forms.BooleanField(label=_("I have checked: these values are right."), required=False)

    def __init__(self, *args: Any, stage: Stage = Stage.PREGNANT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stage = stage
        self.fields["symptoms"].choices = [  # type: ignore[attr-defined]
            (str(f.symptom), SYMPTOM_LABELS[f.symptom]) for f in flags_for(stage)
        ]

    def symptom_groups(self) -> list[tuple[Any, list[Any]]]:
        """The picker: (group label, the group's checkboxes), in the clinical table's order."""
        boxes = {box.data["value"]: box for box in self["symptoms"]}
        return [
            (SYMPTOM_GROUP_LABELS[group], [boxes[str(symptom)] for symptom in symptoms])
            for group, symptoms in picker_groups(self.stage)
        ]

    # Form field -> (sign, how to build the reading). Order = order of readings.
    def items(self) -> list[ReadingInput]:
        d = self.cleaned_data
        common: dict[str, Any] = {
            "measured_at": d.get("measured_at"),
            "symptoms": list(d.get("symptoms") or []),
            "note": d.get("note") or "",
        }
        items: list[ReadingInput] = []
        if d.get("systolic") is not None or d.get("diastolic") is not None:
            items.append(
                ReadingInput(
                    kind="blood_pressure",
                    systolic=d.get("systolic"),
                    diastolic=d.get("diastolic"),
                    pulse=d.get("bp_pulse"),
                    **common,
                )
            )
        if d.get("glucose") is not None:
            items.append(
                ReadingInput(
                    kind="glucose",
                    value=d["glucose"],
                    glucose_context=d.get("glucose_context") or "",
                    **common,
                )
            )
        for name, kind in (
            ("weight", "weight"),
            ("temperature", "temperature"),
            ("pulse", "pulse"),
            ("fetal_heart_rate", "fetal_heart_rate"),
            ("fundal_height", "fundal_height"),
            ("abdominal_circumference", "abdominal_circumference"),
        ):
            if d.get(name) is not None:
                items.append(ReadingInput(kind=kind, value=d[name], **common))
        if d.get("movements") is not None:
            items.append(
                ReadingInput(
                    kind="fetal_movements",
                    value=d["movements"],
                    movement_period=d.get("movement_period") or "",
                    **common,
                )
            )
        if not items and common["symptoms"]:
            # Symptoms without a measurement are still reported (and red flags raised).
            items.append(ReadingInput(kind="symptom_report", **common))
        return items


# Where an error of a reading of each sign is shown on the form.
FIELD_OF = {
    ("blood_pressure", "systolic"): "systolic",
    ("blood_pressure", "diastolic"): "diastolic",
    ("blood_pressure", "pulse"): "bp_pulse",
    ("glucose", "value"): "glucose",
    ("glucose", "glucose_context"): "glucose_context",
    ("fetal_movements", "value"): "movements",
    ("fetal_movements", "movement_period"): "movement_period",
}


def form_field_for(kind: str, field: str) -> str:
    if field in {"measured_at", "symptoms"}:
        return field
    return FIELD_OF.get((kind, field), kind if kind in SIGN_LABELS else "__all__")


class AlarmCloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("What was done"), choices=[])
    note = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, normal_on_repeat: bool = False, **kwargs: Any) -> None:
        """`normal_on_repeat`: the alarm's repeat reading was normal, so that outcome is
        offered (only then)."""
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [  # type: ignore[attr-defined]
            (value, label)
            for value, label in AlarmOutcome.choices
            if normal_on_repeat or value != AlarmOutcome.NORMAL_ON_REPEAT
        ]


class PlanForm(forms.Form):
    kind = forms.ChoiceField(
        label=pgettext_lazy("vital sign", "Sign"),
        choices=[(str(k), v) for k, v in SIGN_LABELS.items() if k != "symptom_report"],
    )
    times = forms.CharField(
        label=_("Times of day"), help_text=_("Comma-separated, e.g. 08:00, 20:00"), max_length=100
    )
    from_ga_weeks = forms.IntegerField(label=_("From week"), initial=0, min_value=0, max_value=44)
    until_ga_weeks = forms.IntegerField(
        label=_("Until week"), initial=42, min_value=1, max_value=44
    )
    note = forms.CharField(label=_("Instructions for her"), required=False, max_length=500)
