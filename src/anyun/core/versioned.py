"""Small, rarely changed tables held in the process, with invalidation every process sees.

A `VersionedValue` keeps the value it loaded together with a version token read from Django's
cache (the process's memory embedded, Redis when scaled out: the same backend every app
server and worker shares). Reading costs one cache look-up and no SQL statement while the
token is unchanged; `bump()` (called on every change, after the change commits) writes a new
token, so each process loads the value afresh on its next read. A missing token (a cleared or
restarted cache) also means "load afresh": a stale copy is never kept past a change.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

_KEY_PREFIX = "anyun:version:"


class VersionedValue(Generic[T]):
    def __init__(self, name: str, load: Callable[[], T]) -> None:
        self.key = f"{_KEY_PREFIX}{name}"
        self._load = load
        self._held: tuple[str, T] | None = None
        self._lock = threading.Lock()

    def _token(self) -> str:
        token = cache.get(self.key)
        if token is None:
            cache.add(self.key, uuid.uuid4().hex, timeout=None)
            token = cache.get(self.key) or ""
        return str(token)

    def get(self) -> T:
        # The token is read before the value is loaded: a change committed in between bumps
        # the token again, so the next read loads once more.
        token = self._token()
        held = self._held
        if held is not None and token and held[0] == token:
            return held[1]
        value = self._load()
        with self._lock:
            self._held = (token, value)
        return value

    def bump(self) -> None:
        """The table changed: every process reloads on its next read.

        Bumped at once (this transaction's own reads see the change) and again after commit
        (a process that reloaded in between read the old rows and must load once more)."""
        self._bump_now()
        transaction.on_commit(self._bump_now)

    def _bump_now(self) -> None:
        cache.set(self.key, uuid.uuid4().hex, timeout=None)

    def forget_here(self) -> None:
        """Drop this process's copy (tests: another process's view of the same cache)."""
        with self._lock:
            self._held = None
