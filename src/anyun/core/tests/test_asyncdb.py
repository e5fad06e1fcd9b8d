"""`db_async` keeps the consumers' database connection between calls, unless it is broken."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.db import connection
from django.db.backends.signals import connection_created

from anyun.accounts.models import User
from anyun.core.asyncdb import db_async

pytestmark = pytest.mark.django_db(transaction=True)


def _raw_connection() -> int:
    User.objects.exists()
    return id(connection.connection)


def _opened_by_two_calls(wrapper: Any) -> int:
    """How many database connections two calls through `wrapper` open."""
    opened: list[object] = []

    def count(sender: Any, connection: Any, **kwargs: Any) -> None:
        opened.append(connection)

    async def twice() -> None:
        await wrapper(_raw_connection)()
        await wrapper(_raw_connection)()

    connection_created.connect(count)
    try:
        async_to_sync(twice)()
    finally:
        connection_created.disconnect(count)
    return len(opened)


def test_the_connection_is_kept_from_one_call_to_the_next() -> None:
    assert _opened_by_two_calls(database_sync_to_async) == 2  # what channels' wrapper does
    assert _opened_by_two_calls(db_async) <= 1


def test_a_connection_left_in_a_transaction_is_closed_after_the_call() -> None:
    def leave_open() -> int:
        connection.set_autocommit(False)
        return _raw_connection()

    def is_closed() -> bool:
        return connection.connection is None

    async def calls() -> tuple[int, bool]:
        left = await db_async(leave_open)()
        closed = await db_async(is_closed)()
        return left, closed

    _left, closed = async_to_sync(calls)()
    assert closed is True
    assert connection.get_autocommit() is True
