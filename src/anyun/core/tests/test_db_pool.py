"""PostgreSQL connections come from a bounded pool, however many requests run at once."""

from __future__ import annotations

import threading
import time
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from anyun.accounts.services import api_token_issue

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="connection pooling is a PostgreSQL feature; SQLite has no server connections",
    ),
]


def _connections_to(database: str, monitor: psycopg.Connection[Any]) -> int:
    row = monitor.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
        (database,),
    ).fetchone()
    return int(row[0]) if row else 0


def test_fifty_concurrent_requests_hold_at_most_the_pool(make_woman: Any) -> None:
    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
    assert pool, "PostgreSQL connections are pooled by default"
    pool_size = pool["max_size"]
    token = api_token_issue(user=make_woman())
    database = connection.settings_dict["NAME"]
    params = connection.get_connection_params()
    monitor = psycopg.connect(
        dbname=database,
        **{k: v for k, v in params.items() if k in {"host", "port", "user", "password"}},
        autocommit=True,
    )
    peak = 0
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _connections_to(database, monitor))
            time.sleep(0.002)

    statuses: list[int] = []
    start = threading.Barrier(50)

    def request() -> None:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        start.wait()
        try:
            statuses.append(client.get("/api/v1/auth/me").status_code)
        finally:
            # What the server's request_finished does (the test client leaves it out).
            connection.close()

    watcher = threading.Thread(target=watch)
    watcher.start()
    workers = [threading.Thread(target=request) for _ in range(50)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    done.set()
    watcher.join()
    monitor.close()
    assert statuses == [200] * 50
    assert 1 <= peak <= pool_size


def test_a_statement_run_again_is_prepared_on_the_server(make_woman: Any) -> None:
    """Values are bound on the server and a repeated statement is parsed and planned once
    per connection (`ANYUN_DB_PREPARE_THRESHOLD`)."""
    threshold = settings.ANYUN_DB_PREPARE_THRESHOLD
    assert threshold > 0, "on by default"
    woman = make_woman()
    sql = "SELECT username FROM accounts_user WHERE id = %s"
    with connection.cursor() as cursor:
        for _ in range(threshold + 1):
            cursor.execute(sql, [woman.pk])
            assert cursor.fetchone() == (woman.username,)
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert "SELECT username FROM accounts_user WHERE id = $1" in prepared
