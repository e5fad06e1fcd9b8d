"""Forms of the scheduling pages: they check shapes; the services decide the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anyun.core.forms import DateInput
from anyun.scheduling.models import ContactMethod, TracingOutcome, Weekday
from anyun.staff.models import ClinicianProfile


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class ScheduleRuleForm(forms.Form):
    clinician = forms.ChoiceField(label=_("Whose schedule"))
    weekday = forms.TypedChoiceField(
        label=_("Day of the week"), choices=Weekday.choices, coerce=int
    )
    start = forms.TimeField(label=_("Start time"), widget=TimeInput())
    end = forms.TimeField(label=_("End time"), widget=TimeInput())
    slot_minutes = forms.IntegerField(
        label=_("Minutes per slot"), min_value=5, max_value=240, initial=15
    )
    capacity = forms.IntegerField(label=_("Women per slot"), min_value=1, max_value=50, initial=1)
    valid_from = forms.DateField(
        label=_("First day (optional)"), required=False, widget=DateInput()
    )
    valid_until = forms.DateField(
        label=_("Last day (optional)"), required=False, widget=DateInput()
    )

    def __init__(
        self, *args: Any, clinicians: list[ClinicianProfile], head: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(c.public_id), c.name) for c in clinicians]
        if head:
            choices.insert(0, ("", str(_("The department (any clinician)"))))
        self.fields["clinician"].choices = choices  # type: ignore[attr-defined]
        self.fields["clinician"].required = not head


class HolidayForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DateInput())
    name = forms.CharField(label=_("Name"), max_length=100)


class LeaveForm(forms.Form):
    clinician = forms.ChoiceField(label=_("Clinician"))
    starts_on = forms.DateField(label=_("First day"), widget=DateInput())
    ends_on = forms.DateField(label=_("Last day"), widget=DateInput())
    reason = forms.CharField(label=_("Reason (optional)"), max_length=200, required=False)

    def __init__(self, *args: Any, clinicians: list[ClinicianProfile], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinician"].choices = [  # type: ignore[attr-defined]
            (str(c.public_id), c.name) for c in clinicians
        ]


class QueuePolicyForm(forms.Form):
    accept_minutes = forms.IntegerField(
        label=_("Minutes a live-queue request waits before it expires"), min_value=5, max_value=240
    )
    minutes_per_woman = forms.IntegerField(
        label=_("Usual minutes per consultation (for the expected wait)"),
        min_value=1,
        max_value=120,
    )


class AttemptForm(forms.Form):
    method = forms.ChoiceField(label=_("How"), choices=ContactMethod.choices)
    reached = forms.TypedChoiceField(
        label=_("Result"),
        choices=(("no", _("Not reached")), ("yes", _("Reached her"))),
        coerce=lambda v: v == "yes",
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=500, required=False)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=pgettext_lazy("follow-up", "Outcome"), choices=TracingOutcome.choices
    )


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assign to"))

    def __init__(self, *args: Any, staff: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            (str(u.public_id), str(u)) for u in staff
        ]


class PeriodForm(forms.Form):
    first = forms.DateField(label=_("First day"), widget=DateInput())
    last = forms.DateField(label=_("Last day"), widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first"), data.get("last")
        if first and last:
            if last < first:
                self.add_error("last", _("The last day cannot be before the first day."))
            elif (last - first).days > 366:
                self.add_error("last", _("Choose at most a year."))
        return data
