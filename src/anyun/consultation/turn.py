"""ICE servers for the video call: STUN/TURN from the environment, and short-lived TURN
credentials in the TURN REST API form coturn accepts (`use-auth-secret` with
`static-auth-secret`): username "<expiry unix time>:<user id>", password
base64(HMAC-SHA1(secret, username)).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from django.conf import settings


def turn_credentials(
    user_id: str, *, secret: str, ttl_seconds: int, now: float | None = None
) -> tuple[str, str]:
    expiry = int(now if now is not None else time.time()) + ttl_seconds
    username = f"{expiry}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode("ascii")


def ice_servers(user_id: str) -> list[dict[str, Any]]:
    """The RTCPeerConnection `iceServers` for this user: none configured is fine between two
    browsers on one machine or one network (host candidates)."""
    servers: list[dict[str, Any]] = []
    if settings.ANYUN_STUN_URLS:
        servers.append({"urls": list(settings.ANYUN_STUN_URLS)})
    if settings.ANYUN_TURN_URLS and settings.ANYUN_TURN_SECRET:
        username, credential = turn_credentials(
            user_id,
            secret=settings.ANYUN_TURN_SECRET,
            ttl_seconds=settings.ANYUN_TURN_TTL_SECONDS,
        )
        servers.append(
            {"urls": list(settings.ANYUN_TURN_URLS), "username": username, "credential": credential}
        )
    return servers
