"""Fixtures of the browser journeys: headless Debian Chromium driven by Playwright.

The browser is the system's Chromium (`chromium` on PATH, or $CHROMIUM; never a downloaded one). Playwright's sync API
runs an asyncio loop in the test thread, so Django's guard against ORM calls from async
contexts is lifted for these tests only; the ORM is still called from plain sync code.

Pages are served by pytest-django's `live_server` (WSGI), or by `asgi_server` when a journey
needs the live feed's WebSocket: the real ASGI application under uvicorn in a thread of the
test process, with its lifespan running the embedded queue worker.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import shutil
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from django.apps import apps as django_apps
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.signals import connection_created
from playwright.sync_api import Browser, Page, sync_playwright

from anyun.notify import providers

ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
CHROMIUM = (
    os.environ.get("CHROMIUM")
    or shutil.which("chromium")
    or shutil.which("chromium-browser")
    or "/usr/bin/chromium"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Fail fast: every page here is served from the local live server.
TIMEOUT_MS = 10_000
ASGI_HOST = "127.0.0.1"
# The embedded worker's pause between rounds while `asgi_server` runs (settings default: 1 s).
ASGI_WORKER_INTERVAL = 0.2
ASGI_START_TIMEOUT = 10.0
# Open connections (a page's live feed) get this long to close before uvicorn cancels them.
ASGI_GRACEFUL_SHUTDOWN = 5
ASGI_STOP_TIMEOUT = 30.0
# How long a statement waits for another connection's shared-cache lock: the product's
# SQLite busy timeout (settings, OPTIONS "timeout").
SQLITE_LOCK_WAIT = 20.0
_SQLITE_BUSY_OR_LOCKED = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for the journeys of this package, stopped after the last of them.

    While Playwright runs, its event loop counts as running in the test thread, so Django's
    async-safety guard would refuse every ORM call; it is lifted only for that time.
    """
    if not Path(CHROMIUM).exists():
        # `make test` installs Chromium first; in CI a missing browser is a failure, not a skip.
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is not installed")
        pytest.skip(f"{CHROMIUM} is not installed")
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh browser context (own cookies) of the given viewport size."""
    contexts = []

    def open_(*, viewport: dict[str, int]) -> Page:
        context = browser.new_context(
            viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # Staff accounts get passwords; full PBKDF2 costs ~0.4 s per hash and per sign-in.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def consent_documents(transactional_db: Any) -> None:
    """Version 1 of each consent document, as the data migration publishes it.

    Transactional tests flush every table afterwards, migration data included, so a journey
    that runs after another would otherwise find no document to sign.
    """
    migration = importlib.import_module("anyun.consent.migrations.0002_initial_documents")
    migration.publish(django_apps, None)


@pytest.fixture(autouse=True)
def formulary(transactional_db: Any) -> None:
    """The pharmacy's formulary as its data migration loads it (flushed like the documents)."""
    migration = importlib.import_module("anyun.prescribing.migrations.0002_prenatal_formulary")
    migration.load(django_apps, None)


@pytest.fixture
def memory_sms(settings: Any) -> Iterator[list[tuple[str, str]]]:
    settings.ANYUN_SMS_PROVIDER = "anyun.notify.providers.MemorySmsProvider"
    providers.sent_messages.clear()
    yield providers.sent_messages
    providers.sent_messages.clear()


def _wait_for_lock(run: Callable[[], Any]) -> Any:
    """Run `run`, again and again while SQLite says another connection holds a lock."""
    deadline = time.monotonic() + SQLITE_LOCK_WAIT
    pause = 0.001
    while True:
        try:
            return run()
        except sqlite3.OperationalError as exc:
            code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
            if code not in _SQLITE_BUSY_OR_LOCKED or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.02)


class SharedCacheConnection(sqlite3.Connection):
    """A connection to SQLite's shared in-memory test database that waits for locks.

    A file database (the product's) waits up to its busy timeout for another connection's
    lock. Connections sharing the in-memory database's cache get SQLITE_LOCKED at once
    instead, which a busy timeout does not cover: one server request or test query that
    meets the embedded worker's exclusive poll (every round) would fail. Waiting here, as
    SQLite's unlock-notify pattern does (retry the statement once the lock is gone), gives
    these connections the file database's behaviour.
    """

    def execute(self, *args: Any, **kwargs: Any) -> sqlite3.Cursor:
        run = super().execute
        return _wait_for_lock(lambda: run(*args, **kwargs))

    def commit(self) -> None:
        _wait_for_lock(super().commit)

    def cursor(self, factory: Any = sqlite3.Cursor) -> Any:  # type: ignore[override]
        return super().cursor(_waiting_cursor_class(factory))


_cursor_classes: dict[type, type] = {}


def _waiting_cursor_class(base: type) -> type:
    """`base` (Django's SQLiteCursorWrapper, or sqlite3.Cursor) whose statements wait."""
    if base not in _cursor_classes:

        class WaitingCursor(base):  # type: ignore[valid-type, misc]
            def execute(self, *args: Any, **kwargs: Any) -> Any:
                run = super().execute
                return _wait_for_lock(lambda: run(*args, **kwargs))

            def executemany(self, sql: str, params: Any) -> Any:
                run = super().executemany
                if not isinstance(params, list | tuple):
                    return run(sql, params)  # an iterator cannot be replayed
                return _wait_for_lock(lambda: run(sql, params))

        _cursor_classes[base] = WaitingCursor
    return _cursor_classes[base]


@contextlib.contextmanager
def _sqlite_waits_for_locks() -> Iterator[None]:
    """On SQLite's in-memory test database, open every connection (any thread) as a
    SharedCacheConnection while the block runs, this thread's own included.

    The database lives only while a connection to it is open, so this thread's connection
    is kept (not closed) while its replacement is used, and put back afterwards.
    """
    wrapper = connections[DEFAULT_DB_ALIAS]
    name = str(wrapper.settings_dict["NAME"])
    if wrapper.vendor != "sqlite" or not (name == ":memory:" or "mode=memory" in name):
        yield
        return
    options = wrapper.settings_dict["OPTIONS"]
    options["factory"] = SharedCacheConnection
    kept = wrapper.connection
    wrapper.connection = None
    wrapper.ensure_connection()
    try:
        yield
    finally:
        del options["factory"]
        if kept is not None:
            replacement, wrapper.connection = wrapper.connection, kept
            if replacement is not None:
                replacement.close()


@dataclass(frozen=True)
class AsgiServer:
    url: str
    server: uvicorn.Server
    thread: threading.Thread


@contextlib.contextmanager
def _server_connections_closed_after() -> Iterator[None]:
    """Close, after the block, every database connection other threads opened in it.

    The server's threads (requests, socket handshakes on asgiref's process-wide executor,
    the worker's rounds) keep theirs open beyond the request (CONN_MAX_AGE) or until garbage
    collection; on PostgreSQL an open one keeps the test database from being dropped at the
    end of the session. The server has stopped when the block ends: nothing uses them.
    """
    test_thread = threading.get_ident()
    opened: list[Any] = []

    def remember(sender: Any, connection: Any, **kwargs: Any) -> None:
        if threading.get_ident() != test_thread:
            opened.append(connection)

    connection_created.connect(remember, weak=False)
    try:
        yield
    finally:
        connection_created.disconnect(remember)
        for wrapper in {id(w): w for w in opened}.values():
            if wrapper.connection is None:
                continue
            wrapper.inc_thread_sharing()
            try:
                wrapper.close()  # a no-op on SQLite's in-memory database, by design
            finally:
                wrapper.dec_thread_sharing()


@pytest.fixture
def asgi_server(transactional_db: Any, settings: Any) -> Iterator[AsgiServer]:
    """`anyun.asgi:application` under uvicorn in a thread of this process, lifespan on.

    One process: the same test database (SQLite's shared in-memory one, or PostgreSQL) and the
    same in-memory channel layer as the test. The lifespan starts the embedded queue worker
    (rounds every ASGI_WORKER_INTERVAL s), so deliveries, the WebSocket push included, run in
    the server's loop as in the embedded deployment. The port is bound here (a free one) and
    handed to uvicorn, so no other process can take it in between. On SQLite's in-memory
    test database, connections wait for each other's locks (see SharedCacheConnection).
    """
    from anyun.asgi import application

    settings.ANYUN_EMBEDDED_WORKER = True
    settings.ANYUN_WORKER_INTERVAL = ASGI_WORKER_INTERVAL
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((ASGI_HOST, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        application,
        host=ASGI_HOST,
        port=port,
        lifespan="on",
        log_level="warning",
        timeout_graceful_shutdown=ASGI_GRACEFUL_SHUTDOWN,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="asgi-server", daemon=True
    )
    with _sqlite_waits_for_locks(), _server_connections_closed_after():
        thread.start()
        try:
            deadline = time.monotonic() + ASGI_START_TIMEOUT
            while not server.started:
                if not thread.is_alive() or time.monotonic() > deadline:
                    pytest.fail(f"The ASGI server did not start on {ASGI_HOST}:{port}.")
                time.sleep(0.02)
            yield AsgiServer(url=f"http://{ASGI_HOST}:{port}", server=server, thread=thread)
        finally:
            server.should_exit = True
            thread.join(ASGI_STOP_TIMEOUT)
            sock.close()
    assert not thread.is_alive(), "The ASGI server thread did not stop."
