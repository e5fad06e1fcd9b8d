"""The Redis cache shares one client (and so one connection pool) per process."""

from __future__ import annotations

import threading

from django.core.cache.backends.redis import RedisCache

from anyun.core.cache import SharedRedisCache

LOCATION = "redis://127.0.0.1:6379/15"


def _clients_built_in_threads(backend: type[RedisCache], n: int = 4) -> list[object]:
    """What each of `n` threads gets, each building its own backend as Django's cache handler
    does for every request's context under ASGI (no command is sent)."""
    got: list[object] = []

    def build() -> None:
        cache = backend(LOCATION, {"OPTIONS": {"socket_timeout": 1}})
        got.append(cache._cache.get_client(write=True))  # type: ignore[attr-defined]

    threads = [threading.Thread(target=build) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return got


def test_backends_of_every_request_share_one_redis_client_and_pool() -> None:
    clients = _clients_built_in_threads(SharedRedisCache)
    assert len({id(c) for c in clients}) == 1
    assert len({id(c.connection_pool) for c in clients}) == 1  # type: ignore[attr-defined]


def test_the_stock_backend_builds_a_pool_per_request() -> None:
    # Why the shared one exists: Django's own makes a new pool (a new connection) each time.
    clients = _clients_built_in_threads(RedisCache)
    assert len({id(c.connection_pool) for c in clients}) == 4  # type: ignore[attr-defined]


def test_other_settings_get_another_client() -> None:
    first = SharedRedisCache(LOCATION, {})._cache
    other = SharedRedisCache("redis://127.0.0.1:6379/14", {})._cache
    assert first is not other
    assert first is SharedRedisCache(LOCATION, {})._cache
