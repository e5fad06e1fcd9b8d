"""Template filters for clinical values: ``{{ reading|reading_value }}``,
``{% for label, text in alarm.values|finding_values:alarm.sign %}``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from anyun.monitoring import display

register = template.Library()


@register.filter
def reading_value(reading: Any) -> str:
    return display.reading_value(reading)


@register.filter
def sign_value(value: Any, kind: str) -> str:
    return display.sign_value(kind, value=value)


@register.filter
def finding_values(values: Mapping[str, Any], sign: str) -> list[tuple[str, str]]:
    return display.finding_values(values or {}, sign)


@register.filter
def symptom_list(codes: Any) -> str:
    return display.symptom_list(codes or ())
