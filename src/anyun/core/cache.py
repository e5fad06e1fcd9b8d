"""Django's Redis cache with one connection pool per process instead of one per request.

Django keeps a cache backend per async context, and its ASGI handler gives every request a
context of its own: with the stock `RedisCache` each request builds a new client, a new
connection pool and so a new TCP connection to Redis (with its handshake, which also reads
the redis package's metadata from disk). Under load that was a sixth of a readings request's
CPU. Here every backend built from the same settings shares one client, whose pools and
`Redis` objects are made once and are safe to share between threads (redis-py takes a
connection from the pool for each command and resets the pool in a forked child).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property

_CLIENTS: dict[str, SharedRedisCacheClient] = {}
_CLIENTS_LOCK = threading.Lock()


class SharedRedisCacheClient(RedisCacheClient):
    # Set by Django's RedisCacheClient; declared here because its stubs leave them out.
    _client: Any
    _pool_class: Any
    _pool_options: dict[str, Any]
    _pools: dict[int, Any]
    _servers: list[str]
    _get_connection_pool_index: Callable[[bool], int]

    def __init__(self, servers: list[str], **options: Any) -> None:
        super().__init__(servers, **options)
        self._lock = threading.Lock()
        self._redis: dict[int, Any] = {}

    def _get_connection_pool(self, write: bool) -> Any:
        index = self._get_connection_pool_index(write)
        pool = self._pools.get(index)
        if pool is None:
            with self._lock:
                pool = self._pools.get(index)
                if pool is None:
                    pool = self._pools[index] = self._pool_class.from_url(
                        self._servers[index], **self._pool_options
                    )
        return pool

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._redis.get(id(pool))
        if client is None:
            with self._lock:
                client = self._redis.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class SharedRedisCache(RedisCache):
    """`django.core.cache.backends.redis.RedisCache` whose client is shared process-wide by
    every backend with the same servers and options."""

    _options: dict[str, Any]
    _servers: list[str]

    @cached_property
    def _cache(self) -> SharedRedisCacheClient:
        key = repr((tuple(self._servers), sorted(self._options.items(), key=lambda kv: kv[0])))
        client = _CLIENTS.get(key)
        if client is None:
            with _CLIENTS_LOCK:
                client = _CLIENTS.get(key)
                if client is None:
                    client = _CLIENTS[key] = SharedRedisCacheClient(self._servers, **self._options)
        return client
