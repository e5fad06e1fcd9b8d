from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from anyun.accounts.models import Role, User
from anyun.core.errors import NotFound
from anyun.notify import adapters, services
from anyun.notify.models import Delivery, DeliveryState, Notification
from anyun.notify.selectors import inbox_for, unread_count_for

PHONE = "13812341234"

pytestmark = pytest.mark.django_db


def send(recipient: Any, **kwargs: Any) -> Notification:
    options: dict[str, Any] = {"kind": "test", "title": "Visit tomorrow", "body": "At 9:00."}
    options.update(kwargs)
    with transaction.atomic():
        return services.notification_send(recipient=recipient, **options)


def job_of(delivery: Delivery) -> DBTaskResult:
    assert delivery.job_id is not None
    return DBTaskResult.objects.get(id=delivery.job_id)


def deliveries(notification: Notification) -> dict[str, Delivery]:
    return {d.channel: d for d in notification.deliveries.all()}


@pytest.fixture
def woman(make_user: Callable[..., User]) -> User:
    return make_user(Role.WOMAN, phone=PHONE)


def test_send_writes_notification_deliveries_and_one_ready_job_each(woman: User) -> None:
    notification = send(woman, link="/pregnancy/", payload={"visit": 3})

    notification.refresh_from_db()
    assert (notification.recipient, notification.kind, notification.title) == (
        woman,
        "test",
        "Visit tomorrow",
    )
    assert (notification.body, notification.link, notification.payload) == (
        "At 9:00.",
        "/pregnancy/",
        {"visit": 3},
    )
    assert notification.in_inbox is True
    assert notification.read_at is None
    by_channel = deliveries(notification)
    assert sorted(by_channel) == ["in_app", "push"]
    jobs = DBTaskResult.objects.order_by("task_path")
    assert jobs.count() == 2
    for channel, delivery in by_channel.items():
        assert delivery.state == DeliveryState.PENDING, channel
        assert delivery.attempts == 0
        job = job_of(delivery)
        assert job.task_path == "anyun.notify.tasks.deliver"
        assert job.status == TaskResultStatus.READY
        assert job.args_kwargs == {"args": [], "kwargs": {"delivery_id": delivery.pk}}
        assert job.run_after == get_date_max()


def test_send_rolled_back_with_the_caller_leaves_nothing(woman: User) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notification_send(recipient=woman, kind="test", title="t", body="b")
        raise RuntimeError("the event failed")

    assert Notification.objects.count() == 0
    assert Delivery.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_repeated_dedup_key_returns_the_first_and_writes_nothing(woman: User) -> None:
    first = send(woman, dedup_key="visit-reminder:1")
    again = send(woman, dedup_key="visit-reminder:1", title="Other title")

    assert again.pk == first.pk
    assert again.title == "Visit tomorrow"
    assert Notification.objects.count() == 1
    assert Delivery.objects.count() == 2
    assert DBTaskResult.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_dedup_creates_one_notification(woman: User) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs a server database")
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with transaction.atomic():
                barrier.wait(timeout=5)
                n = services.notification_send(
                    recipient=woman, kind="race", title="t", body="b", dedup_key="race:1"
                )
            results.append(n.pk)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)

    assert errors == []
    assert len(results) == 2
    assert results[0] == results[1]
    assert Notification.objects.filter(dedup_key="race:1").count() == 1
    assert Delivery.objects.count() == 2
    assert DBTaskResult.objects.count() == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"link": "javascript:alert(1)"}, "link"),
        ({"link": "//evil.example/"}, "link"),
        ({"channels": ("fax",)}, "fax"),
        ({"channels": ()}, "channel"),
        ({"recipient": None}, "recipient"),
        ({"channels": ("sms",), "recipient": None}, "phone"),
        ({"channels": ("in_app", "sms"), "sensitive": True}, "SMS only"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_misuse_is_refused_and_writes_nothing(
    woman: User, kwargs: dict[str, Any], message: str
) -> None:
    options: dict[str, Any] = {"recipient": woman, "kind": "test", "title": "t", "body": "b"}
    options.update(kwargs)
    with pytest.raises(ValueError, match=message):
        services.notification_send(**options)
    assert Notification.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_in_app_and_push_attempts_mark_sent_and_a_second_run_skips(
    woman: User, time_machine: Any, t0: datetime
) -> None:
    time_machine.move_to(t0, tick=False)
    notification = send(woman)
    by_channel = deliveries(notification)
    assert services.delivery_attempt(delivery_id=by_channel["in_app"].pk) == "sent"
    assert services.delivery_attempt(delivery_id=by_channel["push"].pk) == "sent"
    assert services.delivery_attempt(delivery_id=by_channel["push"].pk) == "skipped"

    for delivery in deliveries(notification).values():
        assert delivery.state == DeliveryState.SENT
        assert delivery.attempts == 1
        assert delivery.sent_at == t0
        assert delivery.next_attempt_at is None
        assert delivery.last_error == ""


def test_sms_uses_the_recipients_phone_and_sends_title_and_body(
    woman: User, memory_sms: list[tuple[str, str]]
) -> None:
    notification = send(woman, channels=("sms",))
    delivery = deliveries(notification)["sms"]

    assert services.delivery_attempt(delivery_id=delivery.pk) == "sent"

    assert memory_sms == [(PHONE, "Visit tomorrow: At 9:00.")]
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT
    assert delivery.provider_reference.startswith("memory-")
    # Not sensitive: the copy stays for the record.
    assert delivery.text == "Visit tomorrow: At 9:00."
    assert notification.in_inbox is False


def test_sensitive_sms_is_sent_then_redacted(memory_sms: list[tuple[str, str]]) -> None:
    with transaction.atomic():
        notification = services.sms_send(
            phone="13900001111", text="Your code is 123456", kind="login_code"
        )
    notification.refresh_from_db()
    assert notification.recipient is None
    assert notification.body == ""  # the code never sits on the notification
    delivery = deliveries(notification)["sms"]
    assert delivery.redact_after_send is True
    assert delivery.text == "Your code is 123456"
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, text FROM notify_delivery WHERE id = %s", [delivery.pk])
        raw_phone, raw_text = cursor.fetchone()
    assert "13900001111" not in raw_phone
    assert "123456" not in raw_text

    assert services.delivery_attempt(delivery_id=delivery.pk) == "sent"

    assert memory_sms == [("13900001111", "Your code is 123456")]
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT
    assert delivery.text == ""
    assert delivery.phone == "13900001111"


@pytest.mark.usefixtures("failing_sms")
def test_failing_provider_backs_off_exactly_then_dies_and_redacts(
    time_machine: Any, t0: datetime
) -> None:
    time_machine.move_to(t0, tick=False)
    with transaction.atomic():
        notification = services.sms_send(phone=PHONE, text="Code 654321", kind="login_code")
    delivery = deliveries(notification)["sms"]
    expected_delays = [30, 120, 480, 1920, 3600]
    now = t0
    for attempt, delay in enumerate(expected_delays, start=1):
        assert services.delivery_attempt(delivery_id=delivery.pk) == "retry"
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        assert delivery.state == DeliveryState.FAILED
        assert delivery.next_attempt_at == now + timedelta(seconds=delay)
        assert delivery.last_error == "SmsProviderError: SMS gateway unavailable"
        job = job_of(delivery)
        assert (job.status, job.run_after) == (TaskResultStatus.READY, delivery.next_attempt_at)
        assert delivery.text == "Code 654321"
        # Not due yet: an early job does nothing.
        assert services.delivery_attempt(delivery_id=delivery.pk) == "skipped"
        now += timedelta(seconds=delay)
        time_machine.move_to(now, tick=False)

    assert services.delivery_attempt(delivery_id=delivery.pk) == "dead"

    delivery.refresh_from_db()
    assert delivery.attempts == services.MAX_ATTEMPTS == 6
    assert delivery.state == DeliveryState.DEAD
    assert delivery.next_attempt_at is None
    assert delivery.sent_at is None
    assert delivery.text == ""
    # One job per attempt: the first and five retries; none after death.
    assert DBTaskResult.objects.count() == 6


def test_a_failure_retrying_cannot_fix_is_dead_at_once(memory_sms: list[Any]) -> None:
    with transaction.atomic():
        notification = services.sms_send(phone=PHONE, text="hello", kind="x", sensitive=False)
    delivery = deliveries(notification)["sms"]
    Delivery.objects.filter(pk=delivery.pk).update(phone="")

    assert services.delivery_attempt(delivery_id=delivery.pk) == "dead"

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.DEAD, 1)
    assert delivery.last_error == "PermanentDeliveryError: no phone number"
    assert memory_sms == []


def test_retry_delays() -> None:
    assert [services.retry_delay(n).total_seconds() for n in range(1, 8)] == [
        30,
        120,
        480,
        1920,
        3600,
        3600,
        3600,
    ]


def test_redeliver_due_requeues_only_lost_jobs_and_is_safe_twice(
    woman: User, time_machine: Any, t0: datetime
) -> None:
    time_machine.move_to(t0, tick=False)
    lost = deliveries(send(woman, dedup_key="a"))["in_app"]
    queued = deliveries(send(woman, dedup_key="b"))["in_app"]
    failed_job = deliveries(send(woman, dedup_key="c"))["in_app"]
    stale = deliveries(send(woman, dedup_key="d"))["in_app"]
    future = deliveries(send(woman, dedup_key="e"))["in_app"]
    done = deliveries(send(woman, dedup_key="f"))["in_app"]
    assert services.delivery_attempt(delivery_id=done.pk) == "sent"
    DBTaskResult.objects.filter(id=str(lost.job_id)).delete()
    DBTaskResult.objects.filter(id=str(failed_job.job_id)).update(status=TaskResultStatus.FAILED)
    DBTaskResult.objects.filter(id=str(stale.job_id)).update(
        status=TaskResultStatus.RUNNING, started_at=t0 - timedelta(minutes=16)
    )
    Delivery.objects.filter(pk=future.pk).update(next_attempt_at=t0 + timedelta(minutes=1))
    DBTaskResult.objects.filter(id=str(future.job_id)).delete()
    # Push deliveries keep their queued jobs; they are not due for requeueing.
    time_machine.move_to(t0 + timedelta(seconds=1), tick=False)

    assert services.deliveries_redeliver_due() == 3
    assert services.deliveries_redeliver_due() == 0

    requeued = {lost.pk, failed_job.pk, stale.pk}
    for delivery in Delivery.objects.filter(pk__in=requeued):
        job = job_of(delivery)
        assert job.status == TaskResultStatus.READY
        assert job.args_kwargs["kwargs"] == {"delivery_id": delivery.pk}
    assert Delivery.objects.get(pk=queued.pk).job_id == queued.job_id
    assert Delivery.objects.get(pk=future.pk).job_id == future.job_id


def test_mark_read_own_notification(woman: User, time_machine: Any, t0: datetime) -> None:
    notification = send(woman)
    assert unread_count_for(user=woman) == 1

    time_machine.move_to(t0, tick=False)
    marked = services.notification_mark_read(user=woman, public_id=notification.public_id)
    again = services.notification_mark_read(user=woman, public_id=str(notification.public_id))

    assert marked.read_at == t0
    assert again.read_at == t0
    assert unread_count_for(user=woman) == 0


def test_marking_another_users_notification_is_not_found_and_changes_nothing(
    woman: User, make_user: Callable[..., User]
) -> None:
    other = make_user(Role.WOMAN)
    notification = send(woman)
    sms_only = send(woman, channels=("sms",))

    for public_id in (notification.public_id, "not-a-uuid"):
        with pytest.raises(NotFound):
            services.notification_mark_read(user=other, public_id=public_id)
    # An SMS-only notification is not in anyone's inbox, not even the recipient's.
    with pytest.raises(NotFound):
        services.notification_mark_read(user=woman, public_id=sms_only.public_id)

    assert Notification.objects.filter(read_at__isnull=False).count() == 0


def test_mark_all_read_touches_only_my_unread(woman: User, make_user: Callable[..., User]) -> None:
    other = make_user(Role.WOMAN)
    mine = [send(woman, dedup_key=f"m{i}") for i in range(3)]
    theirs = send(other)
    services.notification_mark_read(user=woman, public_id=mine[0].public_id)

    assert services.inbox_mark_all_read(user=woman) == 2
    assert services.inbox_mark_all_read(user=woman) == 0

    assert unread_count_for(user=woman) == 0
    assert unread_count_for(user=other) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_inbox_is_newest_first_and_in_app_only(
    woman: User, time_machine: Any, t0: datetime
) -> None:
    time_machine.move_to(t0, tick=False)
    older = send(woman, dedup_key="1")
    time_machine.move_to(t0 + timedelta(minutes=1), tick=False)
    newer = send(woman, dedup_key="2")
    send(woman, dedup_key="3", channels=("push",))

    assert list(inbox_for(user=woman)) == [newer, older]
    assert unread_count_for(user=woman) == 2


class _LoopRecordingLayer:
    """A channel layer over a network (not the in-memory one): records the loop of each send."""

    def __init__(self) -> None:
        self.loops: list[Any] = []
        self.groups: list[str] = []

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        self.loops.append(asyncio.get_running_loop())
        self.groups.append(group)


def test_pushes_over_a_network_layer_share_one_loop_from_call_to_call(
    make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A queue worker has no event loop of its own: its pushes go out on the process's own
    loop, the same one every time, so the layer's connections last (async_to_sync would make
    a new loop, and new connections, for each call)."""
    layer = _LoopRecordingLayer()
    monkeypatch.setattr(adapters, "get_channel_layer", lambda: layer)
    woman = make_user(Role.WOMAN)
    for n in range(2):
        services.notification_send(
            recipient=woman, kind="test", title=f"t{n}", body="b", channels=("push",)
        )
    deliveries = list(
        Delivery.objects.filter(channel="push").select_related("notification__recipient")
    )
    assert adapters.deliver_pushes(deliveries[:1]) == [""]
    assert adapters.deliver_pushes(deliveries[1:]) == [""]
    assert len(layer.loops) == 2 and layer.loops[0] is layer.loops[1]
    assert layer.loops[0].is_running()
    assert layer.groups == [adapters.user_group(woman.public_id.hex)] * 2
