from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anyun.core.forms import DateInput
from anyun.pregnancy.models import (
    HISTORY_TEXT_MAX_LENGTH,
    MAX_FETUSES,
    MAX_GRAVIDITY,
    MAX_PARITY,
    REPORT_TITLE_MAX_LENGTH,
    DeliveryMode,
    PregnancyOutcome,
)


class ConceptionSelect(forms.NullBooleanSelect):
    """Not known / natural / assisted reproduction, for a yes-no-unknown value."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [
            ("unknown", _("Not known")),
            ("false", _("Natural conception")),
            ("true", _("Assisted reproduction (IVF or other ART)")),
        ]


class PregnancyForm(forms.Form):
    lmp = forms.DateField(
        label=_("First day of last menstrual period"), required=False, widget=DateInput
    )
    cycle_length_days = forms.IntegerField(
        label=_("Usual cycle length (days)"), initial=28, min_value=21, max_value=45
    )
    scan_date = forms.DateField(label=_("Early ultrasound date"), required=False, widget=DateInput)
    scan_crl_mm = forms.DecimalField(
        label=_("Crown-rump length on the scan (mm)"),
        required=False,
        max_digits=4,
        decimal_places=1,
    )
    scan_ga_weeks = forms.IntegerField(
        label=_("Or: weeks on the scan report"), required=False, min_value=0, max_value=44
    )
    scan_ga_days = forms.IntegerField(label=_("and days"), required=False, min_value=0, max_value=6)
    gravidity = forms.IntegerField(
        label=_("Pregnancies including this one (G)"),
        initial=1,
        min_value=1,
        max_value=MAX_GRAVIDITY,
    )
    parity = forms.IntegerField(
        label=_("Earlier births (P)"), initial=0, min_value=0, max_value=MAX_PARITY
    )
    fetus_count = forms.IntegerField(
        label=_("Number of fetuses"),
        required=False,
        min_value=1,
        max_value=MAX_FETUSES,
        help_text=_("As the ultrasound shows; leave empty until it is known."),
    )
    art_conception = forms.NullBooleanField(label=_("Conception"), widget=ConceptionSelect)
    height_cm = forms.DecimalField(
        label=_("Height (cm)"), required=False, max_digits=4, decimal_places=1
    )
    pre_pregnancy_weight_kg = forms.DecimalField(
        label=_("Weight before pregnancy (kg)"), required=False, max_digits=4, decimal_places=1
    )
    allergies = forms.CharField(
        label=_("Allergies"),
        required=False,
        max_length=HISTORY_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    chronic_conditions = forms.CharField(
        label=_("Long-term conditions"),
        required=False,
        max_length=HISTORY_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    previous_surgeries = forms.CharField(
        label=_("Previous operations"),
        required=False,
        max_length=HISTORY_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    family_history = forms.CharField(
        label=_("Family history"),
        required=False,
        max_length=HISTORY_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=500)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("lmp") and not data.get("scan_date"):
            raise forms.ValidationError(
                _(
                    "Give the first day of your last period, or the date and result of an early scan."
                )
            )
        return data


class PreviousPregnancyForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2100)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=PregnancyOutcome.choices)
    delivery_mode = forms.ChoiceField(
        label=_("Mode of birth"), choices=DeliveryMode.choices, required=False
    )
    gestational_weeks = forms.IntegerField(label=_("Weeks"), required=False)
    complications = forms.CharField(label=_("Complications"), required=False, max_length=500)


class ReportForm(forms.Form):
    title = forms.CharField(label=_("What exam"), max_length=REPORT_TITLE_MAX_LENGTH)
    exam_date = forms.DateField(label=_("Exam date"), required=False, widget=DateInput)
    file = forms.FileField(label=_("Image or PDF (max 10 MB)"))
