"""Headers on every dynamic answer: nothing with health data is stored by a browser or proxy;
the live feed may connect to our own origin only."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import World, staff_client
from django.test import Client

pytestmark = pytest.mark.django_db


def _no_store(response: Any) -> None:
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_pages_and_api_answers_are_never_stored(world: World) -> None:
    woman = Client()
    woman.force_login(world.woman)
    _no_store(woman.get("/"))
    _no_store(woman.get("/pregnancy/"))
    clinician = staff_client(world.inside)
    _no_store(clinician.get(f"/clinic/patients/{world.woman.public_id}/"))
    _no_store(Client().get("/api/v1/staff/clinicians"))
    _no_store(Client().get("/api/v1/auth/me"))  # a 401 too


def test_csp_connects_to_our_own_origin_only() -> None:
    policy = Client().get("/accounts/login/")["Content-Security-Policy"]
    connect = next(p for p in policy.split(";") if p.strip().startswith("connect-src"))
    assert connect.split() == ["connect-src", "'self'"]
