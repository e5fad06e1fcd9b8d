"""The consultation's WebSocket: chat, read receipts and the video call's signalling.

It keeps the live feed's session rules (refused or closed with the session, see
`notify.consumers.FeedConsumer`) and adds the consultation's own access: her, or the clinician
who received her; anyone else is closed with 4404 before the handshake completes.

Client to server: `{"type": "resume", "after": <last id held>}` (sent on every (re)connect:
the server answers with every message after that id, a page at a time until none is left, then
live ones, each once),
`{"type": "message", "text", "client_id"}`, `{"type": "image", "data": <base64>, "client_id"}`,
`{"type": "read", "upto": <id>}`, `{"type": "signal", "data": {...}}` (offer, answer, ICE
candidates, hang-up: relayed to the other side), `{"type": "call", "action": "start"|"end"}`.
Server to client: `message`, `read`, `signal`, `ended`, `error` (`code`, `message`, `field`).
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext_lazy as _

from anyun.audit.services import audit_record
from anyun.consultation import selectors, services
from anyun.core.asyncdb import db_async
from anyun.core.errors import DomainError, NotFound
from anyun.notify.consumers import FeedConsumer

CLOSE_NOT_FOUND = 4404
SIGNAL_MAX_CHARS = 20_000


def _access(user: Any, consultation_id: str) -> tuple[str, str, bool] | None:
    try:
        consultation = selectors.consultation_for(user, consultation_id)
    except NotFound:
        return None
    return (
        services.group_name(consultation),
        selectors.side_of(consultation, user),
        consultation.is_open,
    )


def _history(user: Any, consultation_id: str, after: int) -> list[dict[str, Any]]:
    """The messages after `after`, read as any other read of her data: audited."""
    consultation = selectors.consultation_for(user, consultation_id)
    events = [services.message_event(m) for m in selectors.messages_since(consultation, after)]
    audit_record(
        actor=user,
        action="consultation_read",
        object_type="consultation",
        object_id=consultation.public_id,
        subject=consultation.woman,
        detail={"view": "conversation_resume", "after": after, "count": len(events)},
    )
    return events


class ConsultationConsumer(FeedConsumer):
    consultation_id: str = ""
    room: str | None = None
    side: str = ""
    is_open: bool = False
    sent: set[int]

    async def connect(self) -> None:
        self.sent = set()
        self.consultation_id = str(self.scope["url_route"]["kwargs"]["consultation_id"])
        user = self.scope.get("user")
        found = (
            await db_async(_access)(user, self.consultation_id)
            if user is not None and user.is_authenticated
            else None
        )
        if user is not None and user.is_authenticated and found is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        # The feed's checks: session usable, second factor, then the watcher.
        await super().connect()
        if self.group_name is None or found is None:
            return
        self.room, self.side, self.is_open = found
        await self.channel_layer.group_add(self.room, self.channel_name)

    async def disconnect(self, code: int) -> None:
        if self.room is not None:
            await self.channel_layer.group_discard(self.room, self.channel_name)
        await super().disconnect(code)

    @classmethod
    async def decode_json(cls, text_data: str) -> Any:
        # Text that is not JSON is ignored like any other unknown message.
        try:
            return json.loads(text_data)
        except ValueError:
            return None

    async def notify_event(self, event: dict[str, Any]) -> None:
        # Notifications go to the live feed's socket; this one carries the consultation.
        return None

    async def _still_allowed(self) -> bool:
        """Access is checked again for every event out (and every message in, by the service
        that takes it): a clinician taken off her care team (or any access ended) is closed at
        once, not at reconnect."""
        found = await db_async(_access)(self.scope.get("user"), self.consultation_id)
        if found is None:
            await self._refuse()
            return False
        self.is_open = found[2]
        return True

    async def _refuse(self) -> None:
        """Her consultation is no longer this user's to see: leave the room and close."""
        if self.room is not None:
            await self.channel_layer.group_discard(self.room, self.channel_name)
            self.room = None
        await self.close(code=CLOSE_NOT_FOUND)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or self.room is None:
            return
        kind = content.get("type")
        # Every other kind goes through a service that checks her access itself (NotFound,
        # closed below); the signal is relayed without one, so it is checked here.
        if kind == "signal" and not await self._still_allowed():
            return
        user = self.scope["user"]
        try:
            if kind == "resume":
                after = content.get("after", 0)
                after = after if isinstance(after, int) and after >= 0 else 0
                # Page by page until a short page: a long absence still gets everything.
                while True:
                    events = await db_async(_history)(user, self.consultation_id, after)
                    for event in events:
                        await self._send_message(event)
                    if len(events) < selectors.HISTORY_PAGE:
                        break
                    after = events[-1]["id"]
            elif kind == "message":
                await db_async(services.message_post)(
                    actor=user,
                    consultation_id=self.consultation_id,
                    text=str(content.get("text") or ""),
                    client_id=str(content.get("client_id") or ""),
                )
            elif kind == "image":
                image = services.image_from_base64(content.get("data") or "")
                await db_async(services.message_post)(
                    actor=user,
                    consultation_id=self.consultation_id,
                    image=image,
                    client_id=str(content.get("client_id") or ""),
                )
            elif kind == "read":
                upto = content.get("upto")
                if isinstance(upto, int):
                    await db_async(services.messages_read)(
                        actor=user, consultation_id=self.consultation_id, upto=upto
                    )
            elif kind == "signal":
                await self._relay(content.get("data"))
            elif kind == "call":
                action = content.get("action")
                if action == "start":
                    await db_async(services.call_start)(
                        actor=user, consultation_id=self.consultation_id
                    )
                elif action == "end":
                    await db_async(services.call_end)(
                        actor=user, consultation_id=self.consultation_id
                    )
        except NotFound:
            await self._refuse()
        except DomainError as exc:
            await self.send_json(
                {
                    "type": "error",
                    "code": exc.code,
                    "message": str(exc.message),
                    "field": exc.field,
                    "client_id": content.get("client_id"),
                }
            )

    async def _relay(self, data: Any) -> None:
        if not self.is_open:
            raise DomainError(
                "consultation_not_open", _("This consultation has ended."), field="data"
            )
        if not isinstance(data, dict) or len(str(data)) > SIGNAL_MAX_CHARS:
            raise DomainError(
                "signal_invalid", _("The call could not be set up: try again."), field="data"
            )
        if self.room is not None:
            await self.channel_layer.group_send(
                self.room,
                {"type": "chat.signal", "data": data, "from": self.channel_name, "side": self.side},
            )

    async def _send_message(self, message: dict[str, Any]) -> None:
        # Each message once per socket, whether it came from the history or live.
        if message["id"] in self.sent:
            return
        self.sent.add(message["id"])
        await self.send_json({"type": "message", "message": message})

    async def chat_message(self, event: dict[str, Any]) -> None:
        if await self._still_allowed():
            await self._send_message(event["message"])

    async def chat_read(self, event: dict[str, Any]) -> None:
        if not await self._still_allowed():
            return
        await self.send_json({"type": "read", "side": event["side"], "upto": event["upto"]})

    async def chat_signal(self, event: dict[str, Any]) -> None:
        if event.get("from") == self.channel_name or not await self._still_allowed():
            return
        if not self.is_open:
            return
        await self.send_json({"type": "signal", "side": event["side"], "data": event["data"]})

    async def chat_ended(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "ended", "status": event["status"]})
