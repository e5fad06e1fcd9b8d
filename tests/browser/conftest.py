"""Fixtures of the browser journeys: headless Debian Chromium driven by Playwright.

The browser is the system's /usr/bin/chromium (never a downloaded one). Playwright's sync API
runs an asyncio loop in the test thread, so Django's guard against ORM calls from async
contexts is lifted for these tests only; the ORM is still called from plain sync code.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from playwright.sync_api import Browser, Page, sync_playwright

from anyun.notify import providers

ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
CHROMIUM = "/usr/bin/chromium"
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


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for the journeys of this package, stopped after the last of them.

    While Playwright runs, its event loop counts as running in the test thread, so Django's
    async-safety guard would refuse every ORM call; it is lifted only for that time.
    """
    if not Path(CHROMIUM).exists():
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


@pytest.fixture
def memory_sms(settings: Any) -> Iterator[list[tuple[str, str]]]:
    settings.ANYUN_SMS_PROVIDER = "anyun.notify.providers.MemorySmsProvider"
    providers.sent_messages.clear()
    yield providers.sent_messages
    providers.sent_messages.clear()
