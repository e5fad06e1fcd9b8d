from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from conftest import staff_client
from django.db import transaction
from django.test import Client
from django.urls import reverse

from anyun.accounts.models import Role, User
from anyun.notify import services
from anyun.notify.models import DeliveryState, Notification

pytestmark = pytest.mark.django_db


def send(recipient: Any, title: str, **kwargs: Any) -> Notification:
    with transaction.atomic():
        return services.notification_send(
            recipient=recipient, kind="test", title=title, body=f"{title} body", **kwargs
        )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def woman(make_user: Callable[..., User]) -> User:
    return make_user(Role.WOMAN)


def test_inbox_requires_login() -> None:
    response = Client().get(reverse("notify:inbox"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:staff_login"))


def test_inbox_lists_newest_first_with_unread_marked_and_counted(
    woman: User, make_user: Callable[..., User], time_machine: Any, t0: datetime
) -> None:
    time_machine.move_to(t0, tick=False)
    older = send(woman, "Older message", link="/pregnancy/")
    time_machine.move_to(t0 + timedelta(minutes=5), tick=False)
    newer = send(woman, "Newer message")
    send(make_user(Role.WOMAN), "Someone else's message")
    services.notification_mark_read(user=woman, public_id=older.public_id)

    response = client_for(woman).get(reverse("notify:inbox"))

    assert response.status_code == 200
    assert response.context["unread_count"] == 1
    assert list(response.context["notifications"]) == [newer, older]
    html = response.content.decode()
    assert html.index("Newer message") < html.index("Older message")
    assert "Someone else" not in html
    assert f'class="notification unread" id="n-{newer.public_id}"' in html
    assert f'class="notification" id="n-{older.public_id}"' in html
    assert 'href="/pregnancy/"' in html
    assert reverse("notify:mark_all_read") in html


def test_inbox_empty_state(woman: User) -> None:
    response = client_for(woman).get(reverse("notify:inbox"))

    assert response.status_code == 200
    assert response.context["unread_count"] == 0
    assert list(response.context["notifications"]) == []
    assert 'class="empty"' in response.content.decode()


def test_mark_read_redirects_and_htmx_gets_the_row(woman: User) -> None:
    first = send(woman, "First")
    second = send(woman, "Second")
    client = client_for(woman)

    response = client.post(reverse("notify:mark_read", args=[first.public_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("notify:inbox")

    response = client.post(
        reverse("notify:mark_read", args=[second.public_id]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(f'<li class="notification" id="n-{second.public_id}" tabindex="-1">')
    assert response["HX-Trigger"] == '{"anyun:unread": 0}'
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_mark_read_by_htmx_swaps_in_the_unread_summary_with_the_new_count(woman: User) -> None:
    first = send(woman, "First")
    send(woman, "Second")
    send(woman, "Third")

    response = client_for(woman).post(
        reverse("notify:mark_read", args=[first.public_id]),
        headers={"HX-Request": "true", "Accept-Language": "zh-hans"},
    )

    html = response.content.decode()
    summary = (
        '<p class="muted" id="unread-summary" data-unread-summary role="status"'
        ' hx-swap-oob="true">2条未读消息</p>'
    )
    assert summary in html
    # The row keeps focus on itself after the swap (a11y.js reads data-keep-focus).
    assert f'data-keep-focus="#n-{first.public_id}"' not in html  # read now: no form left
    assert response["HX-Trigger"] == '{"anyun:unread": 2}'


def test_the_inbox_link_is_named_with_the_unread_count(woman: User) -> None:
    send(woman, "First")
    send(woman, "Second")

    page = client_for(woman).get(reverse("notify:inbox"), headers={"Accept-Language": "zh-hans"})

    html = page.content.decode()
    assert 'aria-label="消息，2 条未读"' in html
    assert 'data-label-some="消息，{n} 条未读"' in html
    assert 'data-label-none="消息"' in html
    unread = Notification.objects.filter(recipient=woman, read_at__isnull=True)
    for n in unread:
        assert f'data-keep-focus="#n-{n.public_id}"' in html


def test_mark_read_needs_post(woman: User) -> None:
    notification = send(woman, "First")
    response = client_for(woman).get(reverse("notify:mark_read", args=[notification.public_id]))
    assert response.status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_another_user_marking_my_notification_gets_404_and_nothing_changes(
    woman: User, make_user: Callable[..., User], make_staff: Callable[..., User]
) -> None:
    mine = send(woman, "Mine")
    for client in (client_for(make_user(Role.WOMAN)), staff_client(make_staff(Role.CLINICIAN))):
        response = client.post(reverse("notify:mark_read", args=[mine.public_id]))
        assert response.status_code == 404
    mine.refresh_from_db()
    assert mine.read_at is None


def test_mark_all_read(woman: User, make_user: Callable[..., User]) -> None:
    send(woman, "One")
    send(woman, "Two")
    other = make_user(Role.WOMAN)
    send(other, "Theirs")

    response = client_for(woman).post(reverse("notify:mark_all_read"))

    assert response.status_code == 302
    assert Notification.objects.filter(recipient=woman, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 1


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.CLINICIAN, 404),
        (Role.SECURITY_ADMIN, 404),
        (Role.AUDIT_ADMIN, 404),
        (Role.SYSTEM_ADMIN, 200),
    ],
)
def test_deliveries_page_only_for_the_system_administrator(
    make_staff: Callable[..., User], role: str, status: int
) -> None:
    response = staff_client(make_staff(role)).get(reverse("notify:deliveries"))
    assert response.status_code == status


def test_deliveries_page_refuses_women_and_staff_without_second_factor(
    woman: User, make_staff: Callable[..., User]
) -> None:
    assert client_for(woman).get(reverse("notify:deliveries")).status_code == 404
    response = client_for(make_staff(Role.SYSTEM_ADMIN)).get(reverse("notify:deliveries"))
    assert response.status_code == 302


def test_deliveries_page_anonymous_is_sent_to_login() -> None:
    response = Client().get(reverse("notify:deliveries"))
    assert response.status_code == 302


def test_deliveries_page_filters_by_state_and_channel(
    woman: User, make_staff: Callable[..., User]
) -> None:
    notification = send(woman, "Hello", channels=("in_app", "push", "sms"), phone="13812341234")
    in_app = notification.deliveries.get(channel="in_app")
    assert services.delivery_attempt(delivery_id=in_app.pk) == "sent"
    client = staff_client(make_staff(Role.SYSTEM_ADMIN))

    every = client.get(reverse("notify:deliveries"))
    sent = client.get(reverse("notify:deliveries"), {"state": "sent"})
    sms = client.get(reverse("notify:deliveries"), {"channel": "sms", "state": "pending"})
    bogus = client.get(reverse("notify:deliveries"), {"state": "bogus"})

    assert [d.channel for d, _ in every.context["rows"]] == ["sms", "push", "in_app"]
    assert [(d.channel, d.state) for d, _ in sent.context["rows"]] == [
        ("in_app", DeliveryState.SENT)
    ]
    assert [(d.channel, phone) for d, phone in sms.context["rows"]] == [("sms", "138****1234")]
    assert "13812341234" not in sms.content.decode()
    assert len(bogus.context["rows"]) == 3
