"""Identity verification providers (real-name check against an authority).

A provider is a class named by ANYUN_IDENTITY_PROVIDER with a `verify` method. The development
provider contacts nobody: it passes, and the IdentityCheck row records what would have been sent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class IdentityResult:
    passed: bool
    reference: str
    reason: str = ""


class IdentityProvider(Protocol):
    def verify(self, *, real_name: str, national_id: str) -> IdentityResult: ...


class DevelopmentIdentityProvider:
    """Passes every well-formed identity. Never use in production (core.checks refuses it)."""

    def verify(self, *, real_name: str, national_id: str) -> IdentityResult:
        return IdentityResult(passed=True, reference=f"dev-{uuid.uuid4().hex[:12]}")


class RefusingIdentityProvider:
    """Refuses everyone: for tests and for switching verification off in an emergency."""

    def verify(self, *, real_name: str, national_id: str) -> IdentityResult:
        return IdentityResult(passed=False, reference="", reason="refused")


@cache
def _provider_class(path: str) -> type[IdentityProvider]:
    return import_string(path)  # type: ignore[no-any-return]


def identity_provider() -> IdentityProvider:
    return _provider_class(settings.ANYUN_IDENTITY_PROVIDER)()
