"""A live-feed socket lives no longer than the session that opened it (issue: an idle-expired
session still connected and kept receiving names and alarm values)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from conftest import staff_client
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.utils import timezone

from anyun.accounts.models import Role, User
from anyun.accounts.sessions import IDLE_KEY, START_KEY
from anyun.asgi import application
from anyun.notify.consumers import CLOSE_UNAUTHENTICATED
from anyun.notify.tests.wsclient import FeedClient

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://testserver")


def _headers(client: Client) -> list[tuple[bytes, bytes]]:
    return [ORIGIN, (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]


def _signed_in(user: User, **clocks: float) -> Client:
    client = Client()
    client.force_login(user)
    if clocks:
        store = SessionStore(client.cookies["sessionid"].value)
        store.update(clocks)
        store.save()
    return client


def _connects(headers: list[tuple[bytes, bytes]]) -> tuple[bool, Any]:
    async def scenario() -> tuple[bool, Any]:
        feed = FeedClient(application, "/ws/feed/", headers=headers)
        result = await feed.connect()
        await feed.disconnect()
        return result

    return async_to_sync(scenario)()


def test_a_session_idle_past_the_limit_cannot_open_the_feed(
    make_user: Callable[..., User],
) -> None:
    now = timezone.now().timestamp()
    client = _signed_in(
        make_user(Role.WOMAN), **{IDLE_KEY: now - 2 * 3600, START_KEY: now - 3 * 3600}
    )
    assert _connects(_headers(client)) == (False, CLOSE_UNAUTHENTICATED)


def test_a_session_past_the_absolute_limit_cannot_open_the_feed(
    make_user: Callable[..., User],
) -> None:
    now = timezone.now().timestamp()
    client = _signed_in(make_user(Role.WOMAN), **{IDLE_KEY: now - 60, START_KEY: now - 13 * 3600})
    assert _connects(_headers(client)) == (False, CLOSE_UNAUTHENTICATED)


def test_a_fresh_session_opens_the_feed(make_user: Callable[..., User]) -> None:
    now = timezone.now().timestamp()
    client = _signed_in(make_user(Role.WOMAN), **{IDLE_KEY: now - 60, START_KEY: now - 3600})
    assert _connects(_headers(client))[0] is True


def test_a_staff_session_needs_its_second_factor(make_staff: Callable[..., User]) -> None:
    clinician = make_staff(Role.CLINICIAN)
    assert _connects(_headers(_signed_in(clinician))) == (False, CLOSE_UNAUTHENTICATED)
    assert _connects(_headers(staff_client(clinician)))[0] is True


def _closed_after(headers: list[tuple[bytes, bytes]], action: Callable[[], Any]) -> Any:
    """Open the feed, run `action` (sync), and return what the socket receives next."""

    async def scenario() -> Any:
        feed = FeedClient(application, "/ws/feed/", headers=headers)
        connected, _ = await feed.connect()
        assert connected
        await sync_to_async(action)()
        message = await feed.receive_output(timeout=5)
        await feed.disconnect()  # the client's side of the closing handshake
        return message

    return async_to_sync(scenario)()


def test_signing_out_closes_that_sessions_open_socket_at_once(
    make_user: Callable[..., User], settings: Any
) -> None:
    settings.ANYUN_FEED_SESSION_CHECK_SECONDS = 3600  # the periodic check plays no part here
    client = _signed_in(make_user(Role.WOMAN))
    message = _closed_after(_headers(client), lambda: client.post("/accounts/logout/"))
    assert message == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}


def test_another_session_of_the_same_user_keeps_its_socket(
    make_user: Callable[..., User], settings: Any
) -> None:
    settings.ANYUN_FEED_SESSION_CHECK_SECONDS = 3600
    woman = make_user(Role.WOMAN)
    phone, tablet = _signed_in(woman), _signed_in(woman)

    async def scenario() -> bool:
        feed = FeedClient(application, "/ws/feed/", headers=_headers(tablet))
        assert (await feed.connect())[0]
        await sync_to_async(phone.post)("/accounts/logout/")
        still_open = await feed.receive_nothing(timeout=0.3)
        await feed.disconnect()
        return still_open

    assert async_to_sync(scenario)() is True


def test_a_role_change_closes_the_open_socket(
    make_staff: Callable[..., User], settings: Any
) -> None:
    settings.ANYUN_FEED_SESSION_CHECK_SECONDS = 0.05
    nurse = make_staff(Role.NURSE)
    client = staff_client(nurse)
    message = _closed_after(
        _headers(client), lambda: User.objects.filter(pk=nurse.pk).update(role=Role.CLINICIAN)
    )
    assert message == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}


def test_an_open_socket_closes_when_its_session_goes_idle(
    make_user: Callable[..., User], settings: Any, time_machine: Any
) -> None:
    settings.ANYUN_FEED_SESSION_CHECK_SECONDS = 0.05
    now = timezone.now().timestamp()
    client = _signed_in(make_user(Role.WOMAN), **{IDLE_KEY: now, START_KEY: now})
    later = timezone.now() + timedelta(minutes=settings.ANYUN_IDLE_TIMEOUT_MINUTES, seconds=5)
    message = _closed_after(_headers(client), lambda: time_machine.move_to(later))
    assert message == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}
