"""Values held in the process (`anyun.core.versioned`): in a request their version tokens are
read once, together, and one view of them holds for the whole request; a change bumped in
another process is seen by the next request, a change bumped in this one at once."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from anyun.core import versioned
from anyun.core.middleware import VersionsMiddleware
from anyun.core.versioned import VersionedValue, versions_read_together


class Counting:
    """The cache, counting the look-ups made through it."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        self.calls.append(name)
        return getattr(cache, name)


@pytest.fixture
def looked_up(monkeypatch: pytest.MonkeyPatch) -> Counting:
    counting = Counting()
    monkeypatch.setattr(versioned, "cache", counting)
    return counting


class Table:
    """A small table: `rows` is what is stored, `loads` how often it was read."""

    def __init__(self, name: str) -> None:
        self.rows = 1
        self.loads = 0
        self.value: VersionedValue[int] = VersionedValue(
            f"test-{name}-{uuid.uuid4().hex[:8]}", self._load
        )

    def _load(self) -> int:
        self.loads += 1
        return self.rows

    def changed_elsewhere(self, rows: int) -> None:
        """Another process stores and bumps (no copy here is told)."""
        self.rows = rows
        cache.set(self.value.key, uuid.uuid4().hex, timeout=None)


def test_outside_a_request_each_read_looks_up_its_token(looked_up: Counting) -> None:
    a, b = Table("a"), Table("b")
    a.value.get(), b.value.get()
    looked_up.calls.clear()
    assert (a.value.get(), b.value.get()) == (1, 1)
    assert looked_up.calls == ["get", "get"]
    assert (a.loads, b.loads) == (1, 1)


def test_in_a_request_the_tokens_are_read_once_together(looked_up: Counting) -> None:
    a, b = Table("a"), Table("b")
    a.value.get(), b.value.get()
    looked_up.calls.clear()
    with versions_read_together():
        assert (a.value.get(), b.value.get(), a.value.get()) == (1, 1, 1)
    assert looked_up.calls == ["get_many"]
    assert (a.loads, b.loads) == (1, 1)


def test_a_change_elsewhere_is_seen_by_the_next_request_not_half_way(
    looked_up: Counting,
) -> None:
    a, b = Table("a"), Table("b")
    b.value.get()
    with versions_read_together():
        assert a.value.get() == 1
        a.changed_elsewhere(2)
        b.changed_elsewhere(2)
        assert (a.value.get(), b.value.get()) == (1, 1)  # the view the request began with
    with versions_read_together():
        assert (a.value.get(), b.value.get()) == (2, 2)
    assert a.value.get() == 2


def test_a_change_bumped_in_the_request_is_seen_in_it() -> None:
    a = Table("a")
    with versions_read_together():
        assert a.value.get() == 1
        a.rows = 3
        a.value._bump_now()
        assert a.value.get() == 3
    assert a.value.get() == 3 and a.loads == 2


def test_a_token_the_cache_lost_means_a_fresh_load() -> None:
    a = Table("a")
    assert a.value.get() == 1
    a.rows = 4
    cache.delete(a.value.key)
    with versions_read_together():
        assert a.value.get() == 4
        assert a.value.get() == 4
    assert a.loads == 2 and cache.get(a.value.key)


def test_the_middleware_reads_them_together_for_the_request(looked_up: Counting) -> None:
    a, b = Table("a"), Table("b")
    a.value.get(), b.value.get()
    looked_up.calls.clear()

    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse(f"{a.value.get()}{b.value.get()}")

    response = VersionsMiddleware(view)(HttpRequest())
    assert response.content == b"11"
    assert looked_up.calls == ["get_many"]
