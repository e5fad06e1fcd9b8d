"""Helpers shared by the web views of every app."""

from __future__ import annotations

from django import forms

from anyun.core.errors import DomainError


def form_error(form: forms.Form, exc: DomainError) -> None:
    """Show a refused use case beside its field (or above the form)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


class DateInput(forms.DateInput):
    input_type = "date"
