"""A request signed with a bearer token leaves no session behind; old sessions are swept."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from conftest import woman_client
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anyun.accounts.services import api_token_issue
from anyun.accounts.sessions import IDLE_KEY, START_KEY
from anyun.accounts.tasks import sessions_clear_expired
from anyun.core.periodic import PERIODIC_JOBS

pytestmark = pytest.mark.django_db


def test_token_requests_write_no_session(make_woman: Any) -> None:
    woman = make_woman()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=woman)}")
    before = Session.objects.count()
    for _ in range(5):
        response = client.get("/api/v1/auth/me")
        assert response.status_code == 200, response.content
    assert Session.objects.count() == before
    assert "sessionid" not in client.cookies


def test_a_browser_session_still_gets_its_clocks(make_woman: Any) -> None:
    woman = make_woman()
    client = woman_client(woman)
    assert client.get("/api/v1/auth/me").status_code == 200
    session = Session.objects.get(session_key=client.cookies["sessionid"].value)
    assert {IDLE_KEY, START_KEY} <= session.get_decoded().keys()


def test_expired_sessions_are_cleared_by_a_periodic_job(make_woman: Any) -> None:
    woman_client(make_woman())
    stale = Session.objects.create(
        session_key="x" * 32, session_data="", expire_date=timezone.now() - dt.timedelta(days=1)
    )
    live = Session.objects.exclude(pk=stale.pk).count()
    assert live >= 1
    sessions_clear_expired.call()
    assert not Session.objects.filter(pk=stale.pk).exists()
    assert Session.objects.count() == live
    assert "anyun.accounts.tasks.sessions_clear_expired" in {j.task_path for j in PERIODIC_JOBS}


def _session_writes(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return sum(
        1
        for q in ctx.captured_queries
        if q["sql"].startswith(("UPDATE", "INSERT")) and '"django_session"' in q["sql"]
    )


def test_the_idle_clock_is_written_at_most_once_a_minute(
    make_woman: Any, time_machine: Any
) -> None:
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    client = woman_client(make_woman())
    assert _session_writes(client, "/api/v1/auth/me") == 1  # the first view starts the clock
    time_machine.move_to(start + dt.timedelta(seconds=30), tick=False)
    assert _session_writes(client, "/api/v1/auth/me") == 0
    time_machine.move_to(start + dt.timedelta(seconds=61), tick=False)
    assert _session_writes(client, "/api/v1/auth/me") == 1
    session = Session.objects.get(session_key=client.cookies["sessionid"].value)
    assert session.get_decoded()[IDLE_KEY] == (start + dt.timedelta(seconds=61)).timestamp()
    # Idle for the limit after the clock last moved: signed out, as before.
    time_machine.move_to(start + dt.timedelta(seconds=61, minutes=31), tick=False)
    assert client.get("/api/v1/auth/me").status_code == 401


def test_a_short_idle_limit_moves_the_clock_at_half_of_it(
    make_woman: Any, time_machine: Any, settings: Any
) -> None:
    settings.ANYUN_IDLE_TIMEOUT_MINUTES = 1  # the clock moves every 30 s, not every minute
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    client = woman_client(make_woman())
    for seconds in (0, 40, 80, 120):  # active every 40 s: never idle for a minute
        time_machine.move_to(start + dt.timedelta(seconds=seconds), tick=False)
        assert client.get("/api/v1/auth/me").status_code == 200
