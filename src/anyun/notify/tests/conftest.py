"""Fixtures of the notify tests: SMS providers that stay in the process, a queue runner."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from anyun.core.worker import run_jobs_once
from anyun.notify import providers


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # make_user sets a password; full PBKDF2 costs ~0.4 s per user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def t0() -> datetime:
    """A whole second a moment from now: a test travels forward to it, after the fixtures it
    lists before `t0` were built (and within their sessions' lifetime)."""
    return timezone.now().replace(microsecond=0) + timedelta(seconds=2)


@pytest.fixture
def memory_sms(settings: Any) -> Iterator[list[tuple[str, str]]]:
    settings.ANYUN_SMS_PROVIDER = "anyun.notify.providers.MemorySmsProvider"
    providers.sent_messages.clear()
    yield providers.sent_messages
    providers.sent_messages.clear()


@pytest.fixture
def failing_sms(settings: Any) -> None:
    settings.ANYUN_SMS_PROVIDER = "anyun.notify.providers.FailingSmsProvider"


@pytest.fixture
def run_worker() -> Callable[[], None]:
    """Run every ready job with django-tasks-db's worker (batch mode), then return."""
    return run_jobs_once
