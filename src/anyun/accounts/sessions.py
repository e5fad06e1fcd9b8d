"""When a signed-in session is over: one rule for HTTP requests and the live feed's sockets.

MLPS level 3 (GB/T 22239-2019): an idle session ends after ANYUN_IDLE_TIMEOUT_MINUTES, any
session after ANYUN_ABSOLUTE_SESSION_HOURS; a staff session counts only with its second factor.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django_otp import DEVICE_ID_SESSION_KEY

IDLE_KEY = "anyun_last_seen"
START_KEY = "anyun_login_at"
# The idle clock moves at most once a minute, so a page view within a minute of the last one
# writes no session row. The clock then lags her last request by under a minute: the session
# ends that much sooner, never later, than ANYUN_IDLE_TIMEOUT_MINUTES after it.
IDLE_TOUCH_SECONDS = 60


def idle_touch_seconds() -> int:
    """How often the idle clock moves: once a minute, or at half the idle limit when that is
    shorter, so an active session never times out between two writes."""
    return min(IDLE_TOUCH_SECONDS, settings.ANYUN_IDLE_TIMEOUT_MINUTES * 30)


def session_expired(session: Mapping[str, Any], *, now: float) -> bool:
    """True once the session has been idle or open too long (a session without the clocks
    yet is the one signing in now)."""
    last_seen = session.get(IDLE_KEY, now)
    started = session.get(START_KEY, now)
    idle_limit = settings.ANYUN_IDLE_TIMEOUT_MINUTES * 60
    absolute_limit = settings.ANYUN_ABSOLUTE_SESSION_HOURS * 3600
    return bool(now - last_seen > idle_limit or now - started > absolute_limit)


def second_factor_missing(user: Any, session: Mapping[str, Any]) -> bool:
    """A staff account whose session never passed TOTP."""
    return bool(user.role != "woman" and not session.get(DEVICE_ID_SESSION_KEY))
