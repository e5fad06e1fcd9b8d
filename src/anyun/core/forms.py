"""Form helpers shared by the web views of every app (so no app reaches up into `web`)."""

from __future__ import annotations

from typing import Any

from django import forms

from anyun.core.errors import DomainError


def form_error(form: forms.Form, exc: DomainError) -> None:
    """Show a refused use case beside its field (or above the form)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


class DateInput(forms.DateInput):
    """`<input type="date">`, whose value must be ISO (YYYY-MM-DD) in every language: the
    localised "2026/06/20" of zh-Hans is refused by the browser, and the date would be lost."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:  # noqa: A002 - Django's name
        super().__init__(attrs, format=format or "%Y-%m-%d")
