from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """An integer amount of fen as yuan: 1234 -> "¥12.34"."""
    value = int(fen or 0)
    return f"¥{value // 100}.{value % 100:02d}"
