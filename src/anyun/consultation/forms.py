"""The consultation's forms: pre-consultation, the fallback message form, referral, record,
follow-up and rating."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anyun.clinical.icd10 import ICD10
from anyun.clinical.red_flags import Stage, flags_for, picker_groups
from anyun.consultation.models import (
    COMMENT_MAX_LENGTH,
    MESSAGE_MAX_LENGTH,
    QUESTIONS_MAX_LENGTH,
    REASON_MAX_LENGTH,
    RECORD_TEXT_MAX_LENGTH,
    ReferralUrgency,
)
from anyun.consultation.services import RecordInput
from anyun.monitoring.messages import SYMPTOM_GROUP_LABELS, SYMPTOM_LABELS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class PreConsultationForm(forms.Form):
    questions = forms.CharField(
        label=_("What would you like to ask or discuss?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=QUESTIONS_MAX_LENGTH,
        required=False,
    )
    symptoms = forms.MultipleChoiceField(
        label=_("Do you have any of these now?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[],
    )
    photos = MultipleFileField(
        label=_("Photos of reports (optional)"),
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}
        ),
    )

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


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    image = forms.FileField(label=_("Photo"), required=False)
    client_id = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class ReferralForm(forms.Form):
    urgency = forms.ChoiceField(
        label=_("How soon"), choices=ReferralUrgency.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason, in words she understands"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _text(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=RECORD_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RecordForm(forms.Form):
    history = _text(_("History"))
    symptoms = _text(_("Symptoms"))
    signs = _text(_("Signs"))
    diagnoses = forms.MultipleChoiceField(
        label=_("Diagnosis (ICD-10)"),
        required=False,
        choices=[(d.code, f"{d.code} {d.name_zh}") for d in ICD10],
        widget=forms.CheckboxSelectMultiple,
    )
    diagnosis_note = _text(_("Diagnosis notes"))
    treatment_plan = _text(_("Treatment plan"))
    correction_reason = forms.CharField(
        label=_("Reason for the correction"), required=False, max_length=REASON_MAX_LENGTH
    )

    def data_input(self) -> RecordInput:
        c = self.cleaned_data
        return RecordInput(
            history=c["history"],
            symptoms=c["symptoms"],
            signs=c["signs"],
            diagnoses=c["diagnoses"],
            diagnosis_note=c["diagnosis_note"],
            treatment_plan=c["treatment_plan"],
        )


class FollowUpForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Next online follow-up"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
    )


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How was this consultation?"),
        choices=[(str(i), str(i)) for i in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
