"""Web forms of prescribing: parsing only; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anyun.prescribing.models import Controlled, Frequency, SafetyRating
from anyun.prescribing.selectors import formulary_search
from anyun.prescribing.words import RETURN_REASONS

MAX_LINES = 5


def drug_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [
        (d.code, f"{d.chinese_name} {d.generic_name} {d.strength}")
        for d in formulary_search(online_only=True)
    ]


class PrescriptionForm(forms.Form):
    diagnosis = forms.CharField(label=_("Diagnosis"), max_length=300)
    advice = forms.CharField(
        label=_("Advice for her (plain words)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    supply_reason = forms.CharField(
        label=_("Reason for more than 7 days' supply"), max_length=500, required=False
    )
    validity_days = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        choices=[(1, _("The day of issue")), (2, _("2 days")), (3, _("3 days"))],
        initial=1,
    )
    validity_reason = forms.CharField(
        label=_("Reason for a longer validity"), max_length=500, required=False
    )
    breastfeeding = forms.BooleanField(
        label=_("She is breastfeeding (when not pregnant)"), required=False
    )


class LineForm(forms.Form):
    drug = forms.ChoiceField(label=_("Drug"), required=False)
    dose = forms.CharField(label=_("Dose each time"), max_length=60, required=False)
    frequency = forms.ChoiceField(
        label=_("How often"), choices=[("", "—"), *Frequency.choices], required=False
    )
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=90, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=999, required=False)
    instructions = forms.CharField(label=_("How to take it"), max_length=200, required=False)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["drug"].choices = choices  # type: ignore[attr-defined]

    def is_blank(self) -> bool:
        return not self.cleaned_data.get("drug")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("drug"):
            for name in ("dose", "frequency", "days", "quantity"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("This field is required."))
        return data


def line_forms(data: Any = None, initial: list[dict[str, Any]] | None = None) -> list[LineForm]:
    choices = drug_choices()
    rows = initial or []
    return [
        LineForm(
            data,
            prefix=f"line-{i}",
            choices=choices,
            initial=rows[i] if i < len(rows) else None,
        )
        for i in range(MAX_LINES)
    ]


class SignForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Your current one-time code (identity check)"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    warning_reason = forms.CharField(
        label=_("Why the warnings are accepted"), max_length=500, required=False
    )


class AllergyForm(forms.Form):
    substance = forms.ChoiceField(label=_("Allergic to (ingredient or drug class)"))
    reaction = forms.CharField(label=_("Reaction"), max_length=200, required=False)

    def __init__(self, *args: Any, substances: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["substance"].choices = [(s, s.replace("_", " ")) for s in substances]  # type: ignore[attr-defined]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approved", _("Approve")), ("returned", _("Return to the clinician"))],
        widget=forms.RadioSelect,
    )
    reasons = forms.MultipleChoiceField(
        label=_("Reasons for a return"),
        choices=list(RETURN_REASONS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Note to the clinician"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReturnForm(forms.Form):
    """Taking back an approval before dispensing: the reasons are those of a return."""

    reasons = forms.MultipleChoiceField(
        label=_("Reasons for the return"),
        choices=list(RETURN_REASONS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Note to the clinician"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DrugForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=64)
    generic_name = forms.CharField(label=_("Generic name"), max_length=120)
    chinese_name = forms.CharField(label=_("Chinese name"), max_length=120)
    form = forms.CharField(label=_("Form"), max_length=60)
    strength = forms.CharField(label=_("Strength"), max_length=60)
    route = forms.CharField(label=_("Route"), max_length=40)
    unit = forms.CharField(label=_("Dispensing unit"), max_length=20)
    usual_dosing = forms.CharField(
        label=_("Usual dosing"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    pregnancy_safety = forms.ChoiceField(label=_("Pregnancy"), choices=SafetyRating.choices)
    pregnancy_avoid_from_week = forms.IntegerField(
        label=_("Avoid from week (optional)"), min_value=1, max_value=42, required=False
    )
    pregnancy_note = forms.CharField(label=_("Pregnancy note"), max_length=500)
    lactation_safety = forms.ChoiceField(label=_("Breastfeeding"), choices=SafetyRating.choices)
    lactation_note = forms.CharField(label=_("Breastfeeding note"), max_length=500)
    controlled_class = forms.ChoiceField(
        label=_("Controlled-drug class"), choices=Controlled.choices
    )
    ingredients = forms.CharField(label=_("Ingredients (codes, comma-separated)"), max_length=300)
    drug_classes = forms.CharField(
        label=_("Drug classes (codes, comma-separated)"), max_length=300, required=False
    )
    stock = forms.IntegerField(label=_("Stock at the hospital pharmacy"), min_value=0)
    price_fen = forms.IntegerField(label=_("Price (fen)"), min_value=0)
    source = forms.CharField(label=_("Source of the facts"), max_length=500)
    is_active = forms.BooleanField(label=_("In the formulary"), required=False, initial=True)
