"""Small, rarely changed tables held in the process, with invalidation every process sees.

A `VersionedValue` keeps the value it loaded together with a version token read from Django's
cache (the process's memory embedded, Redis when scaled out: the same backend every app
server and worker shares). Reading costs one cache look-up and no SQL statement while the
token is unchanged; `bump()` (called on every change, after the change commits) writes a new
token, so each process loads the value afresh on its next read. A missing token (a cleared or
restarted cache) also means "load afresh": a stale copy is never kept past a change.

Within `versions_read_together()` (every request: `VersionsMiddleware`), the first token read
reads the tokens of every value in one look-up and the rest of the block uses them: one cache
round trip a request however many of the values it uses, and one consistent view of them for
the whole request (as if each were read at its start). A bump inside the block is seen there.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

_KEY_PREFIX = "anyun:version:"
# Every value's key: what `versions_read_together` reads at once.
_KEYS: set[str] = set()


class _Together:
    """The tokens of one `versions_read_together` block (None: not read yet)."""

    __slots__ = ("tokens",)

    def __init__(self) -> None:
        self.tokens: dict[str, str] | None = None


# The current block (None: outside one).
_TOGETHER: ContextVar[_Together | None] = ContextVar("anyun_versions", default=None)


@contextlib.contextmanager
def versions_read_together() -> Iterator[None]:
    reset = _TOGETHER.set(_Together())
    try:
        yield
    finally:
        _TOGETHER.reset(reset)


class VersionedValue(Generic[T]):
    def __init__(self, name: str, load: Callable[[], T]) -> None:
        self.key = f"{_KEY_PREFIX}{name}"
        _KEYS.add(self.key)
        self._load = load
        self._held: tuple[str, T] | None = None
        self._lock = threading.Lock()

    def _token(self) -> str:
        together = _TOGETHER.get()
        if together is None:
            return self._token_read(cache.get(self.key))
        if together.tokens is None:
            found: dict[str, Any] = cache.get_many(sorted(_KEYS))
            together.tokens = {key: str(token) for key, token in found.items()}
        token = together.tokens.get(self.key)
        if token is None:
            token = together.tokens[self.key] = self._token_read(None)
        return token

    def _token_read(self, token: object) -> str:
        if token is None:  # none yet (or the cache lost it): the first to add one wins
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
        token = uuid.uuid4().hex
        cache.set(self.key, token, timeout=None)
        together = _TOGETHER.get()
        if together is not None and together.tokens is not None:
            together.tokens[self.key] = token

    def forget_here(self) -> None:
        """Drop this process's copy (tests: another process's view of the same cache)."""
        with self._lock:
            self._held = None
