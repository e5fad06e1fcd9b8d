from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from anyun.accounts.models import Role, User
from anyun.notify import services
from anyun.notify.models import Notification

pytestmark = pytest.mark.django_db

INBOX = "/api/v1/inbox/"


def send(recipient: Any, title: str) -> Notification:
    with transaction.atomic():
        return services.notification_send(
            recipient=recipient, kind="test", title=title, body="b", payload={"n": title}
        )


@pytest.fixture
def woman(make_user: Callable[..., User]) -> User:
    return make_user(Role.WOMAN)


@pytest.fixture
def client(woman: User) -> Client:
    client = Client()
    client.force_login(woman)
    return client


def test_anonymous_is_refused() -> None:
    anonymous = Client()
    assert anonymous.get(INBOX).status_code == 401
    assert anonymous.post(f"{INBOX}read-all").status_code == 401


def test_inbox_is_paginated_newest_first_with_the_unread_count(
    client: Client, woman: User, make_user: Callable[..., User], time_machine: Any, t0: datetime
) -> None:
    sent = []
    for i in range(3):
        time_machine.move_to(t0 + timedelta(minutes=i), tick=False)
        sent.append(send(woman, f"n{i}"))
    time_machine.move_to(t0 + timedelta(minutes=3), tick=False)
    send(make_user(Role.WOMAN), "not mine")
    services.notification_mark_read(user=woman, public_id=sent[0].public_id)

    first = client.get(INBOX, {"page_size": 2}).json()
    second = client.get(INBOX, {"page_size": 2, "page": 2}).json()

    assert (first["count"], first["unread"], first["page"], first["page_size"]) == (3, 2, 1, 2)
    assert [item["title"] for item in first["items"]] == ["n2", "n1"]
    assert [item["title"] for item in second["items"]] == ["n0"]
    assert first["items"][0] == {
        "id": str(sent[2].public_id),
        "kind": "test",
        "title": "n2",
        "body": "b",
        "link": "",
        "payload": {"n": "n2"},
        "created_at": f"{t0.astimezone(UTC) + timedelta(minutes=2):%Y-%m-%dT%H:%M:%SZ}",
        "read_at": None,
        "unread": True,
    }
    assert second["items"][0]["unread"] is False


def test_page_size_is_bounded(client: Client) -> None:
    assert client.get(INBOX, {"page_size": 101}).status_code == 422
    assert client.get(INBOX, {"page": 0}).status_code == 422


def test_read_one_and_read_all(client: Client, woman: User) -> None:
    one, _two, _three = (send(woman, t) for t in ("a", "b", "c"))

    response = client.post(f"{INBOX}{one.public_id}/read")
    assert response.status_code == 200
    assert response.json()["unread"] is False
    assert response.json()["read_at"] is not None

    response = client.post(f"{INBOX}read-all")
    assert response.status_code == 200
    assert response.json() == {"marked": 2, "unread": 0}
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_the_inbox_api_takes_the_project_bearer_token(make_user: Callable[..., User]) -> None:
    from django.test import Client

    from anyun.accounts.services import api_token_issue

    woman = make_user(Role.WOMAN)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=woman)}")
    assert api.get("/api/v1/inbox/").status_code == 200
