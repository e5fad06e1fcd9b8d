"""The consultation's WebSocket through the real ASGI application: live delivery, resume after
the last id without loss or duplicates, read receipts, images checked by content, signalling
relayed to the other side only, and access (others closed with 4404, anonymous 4401)."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from conftest import staff_client
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils import timezone
from PIL import Image

from anyun.accounts.models import User
from anyun.asgi import application
from anyun.audit.models import AuditEvent
from anyun.careteam.models import CareTeamMember
from anyun.careteam.services import care_team_end
from anyun.consultation import services
from anyun.consultation.models import Consultation, Message, MessageKind
from anyun.consultation.selectors import HISTORY_PAGE
from anyun.consultation.tests.conftest import Room
from anyun.notify.tests.wsclient import FeedClient

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://testserver")


class ChatClient(FeedClient):
    async def send_json_to(self, data: Any) -> None:
        await self.send_input({"type": "websocket.receive", "text": json.dumps(data)})


def headers_of(user: User | AnonymousUser) -> list[tuple[bytes, bytes]]:
    if isinstance(user, AnonymousUser):
        return [ORIGIN]
    client = staff_client(user) if user.role != "woman" else Client()
    if user.role == "woman":
        client.force_login(user)
    cookie = client.cookies["sessionid"].value
    return [ORIGIN, (b"cookie", f"sessionid={cookie}".encode())]


def path_of(c: Consultation) -> str:
    return f"/ws/consultation/{c.public_id}/"


async def opened(c: Consultation, headers: list[tuple[bytes, bytes]]) -> ChatClient:
    socket = ChatClient(application, path_of(c), headers=headers)
    connected, code = await socket.connect()
    assert connected, code
    return socket


async def drain(socket: ChatClient) -> list[Any]:
    got = []
    while not await socket.receive_nothing(timeout=0.3):
        got.append(await socket.receive_json_from())
    return got


def png_base64() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def test_a_message_reaches_the_other_side_live_and_is_stored(room: Room) -> None:
    c = room.consultation
    her, his = headers_of(room.woman), headers_of(room.clinician)

    async def scenario() -> tuple[Any, Any]:
        woman = await opened(c, her)
        clinician = await opened(c, his)
        try:
            await woman.send_json_to({"type": "message", "text": "Hello doctor", "client_id": "a1"})
            to_him = await clinician.receive_json_from()
            echo = await woman.receive_json_from()
        finally:
            await woman.disconnect()
            await clinician.disconnect()
        return to_him, echo

    to_him, echo = async_to_sync(scenario)()
    stored = Message.objects.get()
    assert (stored.text, stored.sender, stored.client_id) == ("Hello doctor", room.woman, "a1")
    assert to_him["type"] == "message" and to_him["message"]["id"] == stored.id
    assert to_him["message"]["text"] == "Hello doctor"
    assert echo == to_him  # her own copy confirms it was stored


def test_reconnecting_resumes_after_the_last_id_without_loss_or_duplicates(room: Room) -> None:
    c = room.consultation
    her = headers_of(room.woman)
    first = services.message_post(actor=room.clinician, consultation_id=c.public_id, text="one")[0]
    second = services.message_post(actor=room.clinician, consultation_id=c.public_id, text="two")[0]

    async def scenario() -> tuple[list[Any], list[Any], list[Any], list[Any]]:
        # She had "one" when her connection dropped; "two" and "three" came while she was away.
        socket = await opened(c, her)
        await sync_to_async(services.message_post)(
            actor=room.clinician, consultation_id=c.public_id, text="three"
        )
        live = await drain(socket)  # joined the room before resuming: the live one comes
        await socket.send_json_to({"type": "resume", "after": first.id})
        resumed = await drain(socket)
        # Resuming again with what it has gives nothing twice.
        await socket.send_json_to({"type": "resume", "after": first.id})
        again = await drain(socket)
        await socket.disconnect()
        # A new connection (a reload, another device) resuming after "one" gets the rest.
        fresh = await opened(c, her)
        await fresh.send_json_to({"type": "resume", "after": first.id})
        rest = await drain(fresh)
        await fresh.disconnect()
        return live, resumed, again, rest

    live, resumed, again, rest = async_to_sync(scenario)()
    third = Message.objects.get(text="three")
    assert [m["message"]["id"] for m in live] == [third.id]
    assert [m["message"]["id"] for m in resumed] == [second.id]
    assert again == []
    assert [m["message"]["id"] for m in rest] == [second.id, third.id]


def test_resuming_after_more_than_a_page_of_missed_messages_brings_them_all(room: Room) -> None:
    """Away for longer than one history page (200 messages): every one still comes, once."""
    c = room.consultation
    now = timezone.now()
    missed = 2 * HISTORY_PAGE + 50
    Message.objects.bulk_create(
        Message(
            consultation=c,
            sender=room.clinician,
            kind=MessageKind.TEXT,
            text=f"m{n}",
            client_id=f"bulk-{n}",
            sent_at=now,
        )
        for n in range(missed)
    )

    her = headers_of(room.woman)

    async def scenario() -> list[Any]:
        socket = await opened(c, her)
        await socket.send_json_to({"type": "resume", "after": 0})
        got = await drain(socket)
        await socket.disconnect()
        return got

    got = async_to_sync(scenario)()
    ids = [m["message"]["id"] for m in got]
    assert ids == list(Message.objects.filter(consultation=c).values_list("id", flat=True))
    assert len(ids) == missed


def test_a_resent_message_is_stored_once(room: Room) -> None:
    c = room.consultation
    her = headers_of(room.woman)

    async def scenario() -> list[Any]:
        socket = await opened(c, her)
        for _ in range(2):
            await socket.send_json_to({"type": "message", "text": "Same", "client_id": "k-1"})
        got = await drain(socket)
        await socket.disconnect()
        return got

    got = async_to_sync(scenario)()
    assert Message.objects.filter(client_id="k-1").count() == 1
    assert len(got) == 1


def test_read_receipts_are_stored_and_shown_to_the_sender(room: Room) -> None:
    c = room.consultation
    her, his = headers_of(room.woman), headers_of(room.clinician)
    message = services.message_post(actor=room.woman, consultation_id=c.public_id, text="Hi")[0]

    async def scenario() -> list[Any]:
        woman = await opened(c, her)
        clinician = await opened(c, his)
        await clinician.send_json_to({"type": "read", "upto": message.id})
        got = await drain(woman)
        await drain(clinician)
        await woman.disconnect()
        await clinician.disconnect()
        return got

    got = async_to_sync(scenario)()
    assert got == [{"type": "read", "side": "clinician", "upto": message.id}]
    c.refresh_from_db()
    assert (c.clinician_read_upto, c.woman_read_upto) == (message.id, 0)
    # A receipt never moves back, nor past the newest message.
    services.messages_read(actor=room.clinician, consultation_id=c.public_id, upto=0)
    services.messages_read(actor=room.clinician, consultation_id=c.public_id, upto=10**9)
    c.refresh_from_db()
    assert c.clinician_read_upto == message.id


def test_an_image_is_checked_by_content(room: Room) -> None:
    c = room.consultation
    her = headers_of(room.woman)
    fake = "data:image/png;base64," + base64.b64encode(b"<html>not a picture</html>").decode()

    async def scenario() -> tuple[Any, Any]:
        socket = await opened(c, her)
        await socket.send_json_to({"type": "image", "data": fake, "client_id": "bad"})
        refused = await socket.receive_json_from()
        await socket.send_json_to({"type": "image", "data": png_base64(), "client_id": "good"})
        accepted = await socket.receive_json_from()
        await socket.disconnect()
        return refused, accepted

    refused, accepted = async_to_sync(scenario)()
    assert refused["type"] == "error" and refused["code"] == "upload_type"
    assert refused["field"] == "image" and refused["client_id"] == "bad"
    stored = Message.objects.get()
    assert (stored.kind, stored.content_type, stored.client_id) == ("image", "image/png", "good")
    assert accepted["message"]["image"] == f"/consultation/messages/{stored.id}/image/"


def test_an_image_too_large_is_refused_before_decoding_and_junk_is_ignored(
    room: Room, settings: Any
) -> None:
    settings.ANYUN_UPLOAD_MAX_BYTES = 1000
    c = room.consultation
    her = headers_of(room.woman)

    async def scenario() -> tuple[Any, list[Any]]:
        socket = await opened(c, her)
        await socket.send_json_to({"type": "image", "data": "A" * 2000, "client_id": "big"})
        refused = await socket.receive_json_from()
        await socket.send_input({"type": "websocket.receive", "text": "not json"})
        await socket.send_json_to({"type": "read", "upto": "x"})
        await socket.send_json_to(["a list"])
        await socket.send_json_to({"type": "message", "text": "still here", "client_id": "s"})
        rest = await drain(socket)
        await socket.disconnect()
        return refused, rest

    refused, rest = async_to_sync(scenario)()
    assert (refused["code"], refused["field"]) == ("upload_too_large", "image")
    assert [m["message"]["text"] for m in rest] == ["still here"]


def test_signalling_goes_to_the_other_side_only(room: Room) -> None:
    c = room.consultation
    her, his = headers_of(room.woman), headers_of(room.clinician)
    offer = {"kind": "offer", "sdp": "v=0\r\n"}

    async def scenario() -> tuple[list[Any], list[Any]]:
        woman = await opened(c, her)
        clinician = await opened(c, his)
        await clinician.send_json_to({"type": "call", "action": "start"})
        await clinician.send_json_to({"type": "signal", "data": offer})
        to_her = await drain(woman)
        to_him = await drain(clinician)
        await woman.disconnect()
        await clinician.disconnect()
        return to_her, to_him

    to_her, to_him = async_to_sync(scenario)()
    assert to_her == [{"type": "signal", "side": "clinician", "data": offer}]
    assert to_him == []
    assert c.calls.get().started_by == room.clinician


def test_others_are_refused_before_the_handshake(room: Room) -> None:
    c = room.consultation

    async def code_for(headers: list[tuple[bytes, bytes]]) -> Any:
        socket = ChatClient(application, path_of(c), headers=headers)
        connected, code = await socket.connect()
        await socket.disconnect()
        return connected, code

    for stranger in (room.other_woman, room.outsider):
        assert async_to_sync(code_for)(headers_of(stranger)) == (False, 4404)
    assert async_to_sync(code_for)(headers_of(AnonymousUser())) == (False, 4401)


def test_an_ended_consultation_takes_no_more_messages(room: Room) -> None:
    c = room.consultation
    her = headers_of(room.woman)
    services.consultation_end(actor=room.clinician, consultation_id=c.public_id)

    async def scenario() -> Any:
        socket = await opened(c, her)
        await socket.send_json_to({"type": "message", "text": "Late", "client_id": "z"})
        got = await socket.receive_json_from()
        await socket.disconnect()
        return got

    got = async_to_sync(scenario)()
    assert got["code"] == "consultation_closed"
    assert not Message.objects.exists()


def test_a_clinician_taken_off_her_team_is_closed_and_hears_nothing_more(room: Room) -> None:
    c = room.consultation
    her, his = headers_of(room.woman), headers_of(room.clinician)

    def revoke() -> None:
        for membership in CareTeamMember.objects.filter(member=room.clinician, woman=room.woman):
            care_team_end(actor=room.head, membership=membership)

    async def scenario() -> tuple[list[Any], list[Any], Any]:
        clinician = await opened(c, his)
        woman = await opened(c, her)
        try:
            await sync_to_async(revoke)()
            await woman.send_json_to(
                {"type": "message", "text": "my private symptoms", "client_id": "x1"}
            )
            await woman.send_json_to({"type": "signal", "data": {"kind": "offer", "sdp": "v=0"}})
            to_him = []  # everything the revoked side's socket is given, close included
            while not await clinician.receive_nothing(timeout=0.3):
                to_him.append(await clinician.receive_output())
            return to_him, await drain(woman), to_him[-1]
        finally:
            await woman.disconnect()

    to_him, to_her, closed = async_to_sync(scenario)()
    assert to_him == [{"type": "websocket.close", "code": 4404}]
    assert (closed["type"], closed.get("code")) == ("websocket.close", 4404)
    assert [e["message"]["text"] for e in to_her if e.get("type") == "message"] == [
        "my private symptoms"
    ]


def test_a_clinician_taken_off_her_team_who_writes_is_closed_and_nothing_is_stored(
    room: Room,
) -> None:
    c = room.consultation
    his = headers_of(room.clinician)

    def revoke() -> None:
        for membership in CareTeamMember.objects.filter(member=room.clinician, woman=room.woman):
            care_team_end(actor=room.head, membership=membership)

    async def scenario() -> list[Any]:
        clinician = await opened(c, his)
        await sync_to_async(revoke)()
        await clinician.send_json_to({"type": "message", "text": "Still here?", "client_id": "r1"})
        got = []
        while not await clinician.receive_nothing(timeout=0.3):
            got.append(await clinician.receive_output())
        return got

    assert async_to_sync(scenario)() == [{"type": "websocket.close", "code": 4404}]
    assert not Message.objects.filter(client_id="r1").exists()


def test_no_call_signalling_once_the_consultation_has_ended(room: Room) -> None:
    c = room.consultation
    her, his = headers_of(room.woman), headers_of(room.clinician)

    async def scenario() -> tuple[list[Any], list[Any]]:
        clinician = await opened(c, his)
        woman = await opened(c, her)
        try:
            await sync_to_async(services.consultation_end)(
                actor=room.woman, consultation_id=c.public_id
            )
            await drain(clinician)
            await drain(woman)
            await clinician.send_json_to({"type": "signal", "data": {"kind": "offer", "sdp": "x"}})
            return await drain(clinician), await drain(woman)
        finally:
            await clinician.disconnect()
            await woman.disconnect()

    to_him, to_her = async_to_sync(scenario)()
    assert [e for e in to_her if e.get("type") == "signal"] == []
    assert [e["code"] for e in to_him if e.get("type") == "error"] == ["consultation_not_open"]


def test_resuming_the_conversation_is_an_audited_read(room: Room) -> None:
    c = room.consultation
    services.message_post(
        actor=room.woman, consultation_id=c.public_id, text="bleeding", client_id="r1"
    )
    his = headers_of(room.clinician)

    async def scenario() -> list[Any]:
        clinician = await opened(c, his)
        try:
            await clinician.send_json_to({"type": "resume", "after": 0})
            return await drain(clinician)
        finally:
            await clinician.disconnect()

    got = async_to_sync(scenario)()
    assert [e["message"]["text"] for e in got if e.get("type") == "message"] == ["bleeding"]
    row = AuditEvent.objects.filter(actor=room.clinician, action="consultation_read").latest("id")
    assert (row.subject_id, row.detail["view"], row.detail["count"]) == (
        room.woman.pk,
        "conversation_resume",
        1,
    )
