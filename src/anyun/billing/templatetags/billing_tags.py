from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext

from anyun.billing import registry
from anyun.billing.selectors import fen_to_yuan

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """An integer amount of fen as yuan: 1234 -> "¥12.34"."""
    return f"¥{fen_to_yuan(int(fen or 0))}"


@register.filter
def line_label(line: dict[str, Any]) -> str:
    """A bill line in her language: the delivery and consultation fees by their code, drugs as
    written."""
    if line.get("code") == "delivery":
        return gettext("Delivery fee")
    if line.get("code") == "consultation":
        return gettext("Online consultation fee")
    return str(line.get("label", ""))


@register.filter
def kind_label(name: str) -> str:
    return registry.kind_label(name)
