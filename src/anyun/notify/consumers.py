"""The live feed: one WebSocket per open page, joined to the user's channel-layer group.

A socket lives no longer than the session that opened it: the handshake is refused for a
session past its idle or absolute limit (or a staff session without its second factor), and
an open socket is closed when that session signs out (at once) and when a periodic check finds
the session gone, expired, or the account deactivated or given another role.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone
from django.utils.module_loading import import_string

from anyun.accounts.models import User
from anyun.accounts.sessions import second_factor_missing, session_expired
from anyun.core.asyncdb import db_async
from anyun.notify.adapters import user_group

# Close code for a refused handshake or an ended session: the browser backs off.
CLOSE_UNAUTHENTICATED = 4401


class FeedConsumer(AsyncJsonWebsocketConsumer):
    """Pushes `{"type": "notification", kind, title, body, link, unread}` to signed-in users."""

    group_name: str | None = None
    session_key: str | None = None
    role: str = ""
    user_pk: int | None = None
    watcher: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        session = self.scope.get("session")
        if (
            user is None
            or not user.is_authenticated
            or not user.is_active
            or session is None
            or not await db_async(_session_usable)(user, session)
        ):
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.session_key = session.session_key
        self.role, self.user_pk = user.role, user.pk
        self.group_name = user_group(user.public_id.hex)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        self.watcher = asyncio.create_task(self._watch())

    async def disconnect(self, code: int) -> None:
        if self.watcher is not None:
            self.watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.watcher
        if self.group_name is not None:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # The feed is one-way; anything a client sends is ignored.
        return None

    async def notify_event(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {
                "type": "notification",
                "id": event.get("notification", ""),
                "kind": event["kind"],
                "title": event["title"],
                "body": event["body"],
                "link": event["link"],
                "unread": event["unread"],
            }
        )

    async def session_end(self, event: dict[str, Any]) -> None:
        """Sent to the user's group when one of their sessions signs out."""
        if event.get("session_key") in {None, self.session_key}:
            await self.close(code=CLOSE_UNAUTHENTICATED)

    async def _watch(self) -> None:
        interval = settings.ANYUN_FEED_SESSION_CHECK_SECONDS
        while True:
            await asyncio.sleep(interval)
            still = await db_async(_still_valid)(self.session_key, self.user_pk, self.role)
            if not still:
                await self.close(code=CLOSE_UNAUTHENTICATED)
                return


def _session_usable(user: User, session: SessionBase) -> bool:
    return not session_expired(
        session, now=timezone.now().timestamp()
    ) and not second_factor_missing(user, session)


def _still_valid(session_key: str | None, user_pk: int | None, role: str) -> bool:
    """The session is still stored, within its limits, and its account unchanged."""
    store: SessionBase = import_string(settings.SESSION_ENGINE + ".SessionStore")(session_key)
    if not session_key or user_pk is None or not store.exists(session_key):
        return False
    user = User.objects.filter(pk=user_pk).only("role", "is_active").first()
    if user is None or not user.is_active or user.role != role:
        return False
    data = store.load()
    if str(data.get("_auth_user_id", "")) != str(user_pk):
        return False
    return _session_usable(user, store)
