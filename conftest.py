"""Fixtures shared by every test: users of each role built the way the product builds them."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from anyun.accounts.models import Role, User

_seq = itertools.count(1)


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    def make(role: str = Role.CLINICIAN, username: str | None = None, **extra: Any) -> User:
        n = next(_seq)
        username = username or f"{role}{n}"
        extra.setdefault("display_name", f"{role.title()} {n}")
        return User.objects.create_user(username, password="Anyun-Test-Pass-1", role=role, **extra)

    return make
