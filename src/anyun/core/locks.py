"""A lock on a name for the rest of the current transaction (check-then-act on no row).

PostgreSQL: a transaction-level advisory lock. SQLite: writers are already serialised
(transactions begin IMMEDIATE), so nothing more is needed.
"""

from __future__ import annotations

import hashlib

from django.db import connection


def lock_name(name: str) -> None:
    """Precondition: inside `transaction.atomic`. Released at commit or rollback."""
    if connection.vendor != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
