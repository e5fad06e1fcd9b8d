"""The live feed: one WebSocket per open page, joined to the user's channel-layer group."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from anyun.notify.adapters import user_group

# Close code for a refused handshake: the browser sees the connection fail and backs off.
CLOSE_UNAUTHENTICATED = 4401


class FeedConsumer(AsyncJsonWebsocketConsumer):
    """Pushes `{"type": "notification", kind, title, body, link, unread}` to signed-in users."""

    group_name: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.group_name = user_group(user.public_id.hex)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
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
