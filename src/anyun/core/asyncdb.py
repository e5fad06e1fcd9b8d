"""Database calls from WebSocket consumers, without a new connection for every call.

Channels' `database_sync_to_async` runs `close_old_connections()` before and after each call.
With `CONN_MAX_AGE = 0` (our setting: HTTP requests under ASGI each run in a thread of their
own, so a kept connection would never be reused there) that closes the connection every time,
and the next call opens a new one: on SQLite that is a file open plus the WAL pragmas, on
PostgreSQL a trip to the pool. A consultation chat makes several such calls per message.

Consumers' calls all run on one thread per process (asgiref's thread-sensitive executor), so
the connection of that thread can be kept: `db_async` closes it only when an error made it
unusable or a call left it outside autocommit (a transaction nobody ended) - Django's own
health check without the age limit - and otherwise keeps it for the next call.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import SyncToAsync
from django.db import connections


def _drop_broken_connections() -> None:
    """Django's `close_if_unusable_or_obsolete` without the age limit."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is None:
            continue
        if connection.get_autocommit() != connection.settings_dict["AUTOCOMMIT"]:
            connection.close()
        elif connection.errors_occurred:
            if connection.is_usable():
                connection.errors_occurred = False
            else:
                connection.close()


class _KeepConnection(SyncToAsync):  # type: ignore[type-arg]
    def thread_handler(self, loop: Any, *args: Any, **kwargs: Any) -> Any:
        _drop_broken_connections()
        try:
            return super().thread_handler(loop, *args, **kwargs)
        finally:
            _drop_broken_connections()


# Used like channels' database_sync_to_async: `await db_async(function)(*args)`.
db_async = _KeepConnection
