"""The live feed through the real ASGI application (origin check, session auth, routing)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import transaction
from django.test import Client

from anyun.accounts.models import Role, User
from anyun.asgi import application
from anyun.core.worker import run_jobs_once
from anyun.notify import services
from anyun.notify.tests.wsclient import FeedClient

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://testserver")


def session_headers(user: User) -> list[tuple[bytes, bytes]]:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"].value
    return [ORIGIN, (b"cookie", f"sessionid={cookie}".encode())]


def send_and_deliver(recipient: User) -> None:
    with transaction.atomic():
        services.notification_send(
            recipient=recipient,
            kind="alarm",
            title="Blood pressure high",
            body="Please call the clinic.",
            link="/pregnancy/",
        )
    run_jobs_once()


def test_push_reaches_the_recipients_socket_with_the_unread_count(
    make_user: Callable[..., User],
) -> None:
    woman = make_user(Role.WOMAN)
    headers = session_headers(woman)

    async def scenario() -> dict[str, Any]:
        feed = FeedClient(application, "/ws/feed/", headers=headers)
        connected, _ = await feed.connect()
        assert connected
        try:
            # The worker runs in a thread, as in the server; its push comes back to this loop.
            await sync_to_async(send_and_deliver)(woman)
            message: dict[str, Any] = await feed.receive_json_from(timeout=5)
        finally:
            await feed.disconnect()
        return message

    message = async_to_sync(scenario)()

    notification = woman.notifications.get()
    assert message == {
        "type": "notification",
        "id": str(notification.public_id),
        "kind": "alarm",
        "title": "Blood pressure high",
        "body": "Please call the clinic.",
        "link": "/pregnancy/",
        "unread": 1,
    }


def test_anonymous_socket_is_refused() -> None:
    async def scenario() -> bool:
        feed = FeedClient(application, "/ws/feed/", headers=[ORIGIN])
        connected, _ = await feed.connect()
        await feed.disconnect()
        return connected

    assert async_to_sync(scenario)() is False


def test_foreign_origin_is_refused(make_user: Callable[..., User]) -> None:
    headers = [
        (b"origin", b"https://evil.example") if name == b"origin" else (name, value)
        for name, value in session_headers(make_user(Role.WOMAN))
    ]

    async def scenario() -> bool:
        feed = FeedClient(application, "/ws/feed/", headers=headers)
        connected, _ = await feed.connect()
        await feed.disconnect()
        return connected

    assert async_to_sync(scenario)() is False
