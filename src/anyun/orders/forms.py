"""The orders forms: the clinician's order, her booking, the staff's result entry."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anyun.clinical import labs
from anyun.orders import words
from anyun.orders.models import REASON_MAX_LENGTH, TEXT_MAX_LENGTH


class OrderForm(forms.Form):
    tests = forms.MultipleChoiceField(
        label=_("Tests"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["tests"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(code, words.test_label(code)) for code in labs.CATALOGUE]


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is cancelled"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BookingForm(forms.Form):
    starts_at = forms.ChoiceField(label=_("Time"), choices=())

    def __init__(self, *args: Any, times: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["starts_at"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = times


def result_form_class(observations: list[str]) -> type[forms.Form]:
    """A form with one field per observation of the order (all optional: a report may hold
    part of the results), plus the time taken and a conclusion."""
    fields: dict[str, forms.Field] = {}
    for code in observations:
        observation = labs.OBSERVATIONS[code]
        label = words.observation_label(code)
        if observation.kind == labs.Kind.QUANTITY:
            fields[code] = forms.FloatField(
                label=f"{label} ({words.unit_words(observation.unit)})", required=False
            )
        elif observation.kind == labs.Kind.TEXT:
            fields[code] = forms.CharField(
                label=label,
                required=False,
                max_length=TEXT_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            fields[f"{code}__abnormal"] = forms.BooleanField(
                label=_("Abnormal finding"), required=False
            )
        elif observation.kind == labs.Kind.CATEGORY:
            fields[code] = forms.ChoiceField(
                label=label,
                required=False,
                choices=[("", "—"), *[(v, words.value_words(v)) for v in observation.categories]],
            )
        else:
            fields[code] = forms.ChoiceField(
                label=label,
                required=False,
                choices=[("", "—"), *[(v, words.value_words(v)) for v in labs.QUALITATIVE_VALUES]],
            )
    fields["conclusion"] = forms.CharField(
        label=_("Conclusion"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    return type("ResultForm", (forms.Form,), fields)
