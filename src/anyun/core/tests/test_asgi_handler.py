"""The ASGI handler runs the middleware chain and the view in one trip to a thread: no
middleware or view of ours waits on an extra `sync_to_async` or `async_to_sync` hop, and the
responses, headers and errors are what Django's own handler gives."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from asgiref.sync import AsyncToSync, SyncToAsync, async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.core.handlers.asgi import ASGIHandler
from django.core.signals import request_started

from anyun.core.asgi_handler import RequestThread, RequestThreads, SyncChainASGIHandler

pytestmark = pytest.mark.django_db(transaction=True)


def _scope(path: str) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"accept-language", b"zh-hans")],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }


def _get(handler: ASGIHandler, path: str) -> tuple[int, dict[bytes, bytes], bytes]:
    async def run() -> list[dict[str, Any]]:
        communicator = ApplicationCommunicator(handler, _scope(path))
        await communicator.send_input({"type": "http.request", "body": b""})
        start = await communicator.receive_output(10)
        body = await communicator.receive_output(10)
        await communicator.wait(10)
        return [start, body]

    start, body = async_to_sync(run)()
    headers = {name.lower(): value for name, value in start["headers"]}
    return start["status"], headers, body["body"]


@pytest.fixture
def hops() -> Iterator[list[str]]:
    """What goes through `sync_to_async` or `async_to_sync` while a request is served."""
    seen: list[str] = []
    to_thread, to_loop = SyncToAsync.__call__, AsyncToSync.__call__

    async def counted_to_thread(self: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append("sync_to_async " + getattr(self.func, "__qualname__", repr(self.func)))
        return await to_thread(self, *args, **kwargs)

    def counted_to_loop(self: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append("async_to_sync " + getattr(self.awaitable, "__qualname__", "?"))
        return to_loop(self, *args, **kwargs)

    with (
        mock.patch.object(SyncToAsync, "__call__", counted_to_thread),
        mock.patch.object(AsyncToSync, "__call__", counted_to_loop),
    ):
        yield seen


def _chain(hops: list[str]) -> list[str]:
    """The hops of the middleware chain and the view (not this test's own way in, not the
    request signals or the closing of the response, which Django's handler does itself)."""
    return [
        h for h in hops if not any(part in h for part in ("_get.<locals>", "Signal.", ".close"))
    ]


def test_a_page_is_served_in_one_trip_to_a_thread(hops: list[str]) -> None:
    handler = SyncChainASGIHandler()
    status, headers, body = _get(handler, "/accounts/login/")
    assert status == 200 and "登录".encode() in body
    assert b"content-security-policy" in headers and b"x-frame-options" in headers
    assert _chain(hops) == ["sync_to_async convert_exception_to_response.<locals>.inner"], hops


def test_django_s_own_handler_makes_more_trips_for_the_same_page(hops: list[str]) -> None:
    # Why the handler exists: the stock one hops for each middleware and for the view.
    status, _headers, _body = _get(ASGIHandler(), "/accounts/login/")
    assert status == 200
    assert len(_chain(hops)) >= 4, hops


def test_the_same_answers_as_django_s_handler(hops: list[str]) -> None:
    for path in ("/accounts/login/", "/no-such-page/", "/api/v1/readings"):
        ours, stock = _get(SyncChainASGIHandler(), path), _get(ASGIHandler(), path)
        assert ours[0] == stock[0], path
        assert ours[1].get(b"content-type") == stock[1].get(b"content-type"), path


def test_a_request_thread_is_kept_for_the_next_request() -> None:
    names: list[str] = []

    def started(**_kwargs: Any) -> None:  # Django sends it in the request's thread
        names.append(threading.current_thread().name)

    handler = SyncChainASGIHandler()
    request_started.connect(started)
    try:
        for _ in range(3):
            status, _headers, _body = _get(handler, "/accounts/login/")
            assert status == 200
    finally:
        request_started.disconnect(started)
    assert len(names) == 3 and names[0].startswith("anyun-request")
    assert len(set(names)) == 1, names  # one thread started, used three times
    assert len(handler.threads) == 1


def test_requests_at_the_same_time_each_have_a_thread_and_a_busy_one_is_not_kept() -> None:
    threads = RequestThreads(keep=2)
    first, second = threads.take(), threads.take()
    assert first is not second
    release = threading.Event()
    running = second.submit(release.wait, 10)  # a view still running: its client went away
    threads.give_back(first)
    threads.give_back(second)
    assert len(threads) == 1 and threads.take() is first  # the busy one was let go
    release.set()
    assert running.result(10) is True
    assert second._shutdown  # type: ignore[attr-defined]  # ends once its work returned
    for _ in range(3):
        threads.give_back(RequestThread())
    assert len(threads) == 2  # no more than `keep` idle
