"""What signing in needs to know of consent, which sits above accounts: the documents a
sign-in accepts, whether she has consents left to sign, and her signatures for the account page.

The consent app fills these in its ``AppConfig.ready`` (``register``); accounts never imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class ConsentHooks:
    sign_in_terms: Callable[[], list[dict[str, Any]]]  # kind, version and id of each document
    missing_for: Callable[[Any], Sequence[Any]]  # current documents she has not signed
    signatures_of: Callable[[Any], Iterable[Any]]  # her signatures, newest first


_registered: list[ConsentHooks] = []


def register(hooks: ConsentHooks) -> None:
    _registered[:] = [hooks]


def consent() -> ConsentHooks:
    if not _registered:
        raise ImproperlyConfigured("Signing in needs the consent app (anyun.consent) installed.")
    return _registered[0]
