"""Whether the database is ready for commands that use it, asked without changing it.

Connecting to an SQLite file that does not exist creates it, so a missing file is reported
before any connection is opened.
"""

from __future__ import annotations

from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor


def database_unready_reason(alias: str = DEFAULT_DB_ALIAS) -> str | None:
    """One sentence saying why the database cannot serve yet, or None when it is migrated."""
    connection = connections[alias]
    name = str(connection.settings_dict.get("NAME") or "")
    if connection.vendor == "sqlite" and name != ":memory:" and not Path(name).exists():
        return f"The database {name} does not exist yet: run `anyun migrate` (or `make run`) first."
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return f"The database cannot be read ({exc}): check DATABASE_URL and that it is running."
    if plan:
        return (
            f"The database is not set up ({len(plan)} migrations not applied): "
            "run `anyun migrate` (or `make run`) first."
        )
    return None
