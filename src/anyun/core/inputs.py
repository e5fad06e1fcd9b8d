"""Checks on raw input that every entry point shares, before it reaches a form or a schema."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from anyun.core.errors import DomainError


def has_forbidden_character(text: str) -> bool:
    """True for a NUL character or a lone UTF-16 surrogate: neither can be stored as text
    (PostgreSQL refuses NUL; UTF-8 cannot encode a surrogate), so they are refused as input."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def first_forbidden_text(data: Any, path: str = "") -> str | None:
    """The path ("", "notes", "items.0.note") of the first key or string in decoded JSON
    `data` that holds a forbidden character, or None."""
    if isinstance(data, str):
        return path if has_forbidden_character(data) else None
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and has_forbidden_character(key):
                return path or "body"
            found = first_forbidden_text(value, where)
            if found is not None:
                return found
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found = first_forbidden_text(value, f"{path}.{i}" if path else str(i))
            if found is not None:
                return found
    return None


def first_forbidden_param(params: Iterable[tuple[str, list[Any]]]) -> str | None:
    """The name of the first query or form parameter whose name or text value holds a
    forbidden character, or None (uploaded files are checked by content elsewhere)."""
    for key, values in params:
        if has_forbidden_character(key) or any(
            isinstance(v, str) and has_forbidden_character(v) for v in values
        ):
            return key
    return None


def parse_uuid(value: object) -> uuid.UUID | None:
    """A UUID from a posted or query value; None for anything that is not one."""
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        return None


def text_within(value: str | None, limit: int, *, field: str) -> str:
    """`value` stripped, refused (never cut) past `limit` characters, with the field named."""
    text = (value or "").strip()
    if len(text) > limit:
        raise DomainError(
            "text_too_long", _("Keep this to %(max)s characters.") % {"max": limit}, field=field
        )
    return text


def idempotency_key_clean(value: str | None, limit: int) -> str:
    """A client's idempotency key, stripped; refused (never cut: two long keys sharing their
    first `limit` characters would be taken for one submission) past `limit` characters."""
    key = (value or "").strip()
    if len(key) > limit:
        raise DomainError(
            "idempotency_key_invalid",
            _("The idempotency key is at most %(max)s characters.") % {"max": limit},
            field="Idempotency-Key",
        )
    return key
