"""Rate limits on sign-in, counted by django-ratelimit in the shared cache, and the lock of one
account from one address after repeated failures.

The cache is the process's memory in the embedded set-up (one process) and Redis when scaled
out (settings.CACHES), so every app server counts the same attempts.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django_ratelimit.core import get_usage


def hit(group: str, value: str, rate: str) -> int | None:
    """Count one attempt of `group` by `value`; the seconds until its window resets when the
    attempt is over `rate` ("20/m"), else None."""
    usage = get_usage(
        None, group=group, key=lambda _group, _request: value, rate=rate, increment=True
    )
    if usage and usage["should_limit"]:
        return max(1, int(usage["time_left"]))
    return None


def _pair(user_pk: int, ip: str | None) -> str:
    return f"anyun:sign-in-failures:{user_pk}:{ip or '-'}"


def pair_locked(user_pk: int, ip: str | None) -> bool:
    return bool(cache.get(_pair(user_pk, ip) + ":locked"))


def pair_failed(user_pk: int, ip: str | None) -> bool:
    """Count a failure of this account from this address; True when it locks the pair."""
    key = _pair(user_pk, ip)
    lock_seconds = settings.ANYUN_LOGIN_LOCK_MINUTES * 60
    if cache.add(key, 1, lock_seconds):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, lock_seconds)
            count = 1
    if count >= settings.ANYUN_LOGIN_MAX_FAILURES:
        cache.set(key + ":locked", True, lock_seconds)
        cache.delete(key)
        return True
    return False


def pair_clear(user_pk: int, ip: str | None) -> None:
    cache.delete_many([_pair(user_pk, ip), _pair(user_pk, ip) + ":locked"])
