"""Notifications written in bulk (`notifications_send_many`): the same outcome as one
`notification_send` per message, in a number of statements that does not grow with the batch."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from anyun.accounts.models import Role, User
from anyun.core.worker import run_jobs_once
from anyun.notify import delivery as outbox
from anyun.notify import services
from anyun.notify.models import Delivery, DeliveryState, Notification
from anyun.notify.services import Message
from anyun.notify.tasks import delivery_enqueue

pytestmark = pytest.mark.django_db


def send_many(messages: list[Message], **kwargs: Any) -> list[Notification]:
    with transaction.atomic():
        return services.notifications_send_many(messages, **kwargs)


def messages_for(women: list[User], prefix: str = "k") -> list[Message]:
    return [
        Message(
            recipient=woman,
            kind="test",
            title=f"Visit {n}",
            body="At 9:00.",
            link="/scheduling/",
            dedup_key=f"{prefix}:{n}",
        )
        for n, woman in enumerate(women)
    ]


@pytest.fixture
def women(make_user: Callable[..., User]) -> list[User]:
    return [make_user(Role.WOMAN, phone=f"138000010{n:02d}") for n in range(12)]


def test_many_writes_each_notification_with_its_deliveries_and_jobs_of_a_hundred(
    women: list[User], monkeypatch: Any
) -> None:
    monkeypatch.setattr(services, "DELIVERIES_PER_JOB", 5)
    written = send_many(messages_for(women))

    assert len(written) == 12
    assert all(n.pk is not None for n in written)
    rows = Notification.objects.order_by("id")
    assert [(n.recipient, n.title, n.link, n.in_inbox) for n in rows] == [
        (woman, f"Visit {n}", "/scheduling/", True) for n, woman in enumerate(women)
    ]
    deliveries = list(Delivery.objects.order_by("id"))
    assert len(deliveries) == 24  # in-app and push for each
    assert {d.state for d in deliveries} == {DeliveryState.PENDING}
    jobs = DBTaskResult.objects.all()
    assert jobs.count() == 5  # 24 deliveries, 5 per job
    assert {j.status for j in jobs} == {TaskResultStatus.READY}
    covered = sorted(pk for job in jobs for pk in job.args_kwargs["kwargs"]["delivery_ids"])
    assert covered == [d.pk for d in deliveries]
    for delivery in deliveries:
        assert delivery.job_id is not None
        assert (
            delivery.pk
            in DBTaskResult.objects.get(id=delivery.job_id).args_kwargs["kwargs"]["delivery_ids"]
        )


@pytest.mark.django_db(transaction=True)
def test_the_jobs_deliver_every_one(women: list[User]) -> None:
    send_many(messages_for(women))
    run_jobs_once()
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}


def test_keys_seen_before_or_twice_in_the_batch_write_nothing(women: list[User]) -> None:
    first = send_many(messages_for(women[:3]))
    again = messages_for(women[:5]) + messages_for(women[4:5])  # 0-2 seen, 4 twice

    written = send_many(again)

    assert [n.dedup_key for n in written] == ["k:3", "k:4"]
    assert Notification.objects.count() == 5
    assert Delivery.objects.count() == 10
    assert send_many(messages_for(women[:5])) == []
    assert {n.pk for n in first} <= set(Notification.objects.values_list("pk", flat=True))


def test_the_statements_do_not_grow_with_the_batch(women: list[User]) -> None:
    with CaptureQueriesContext(connection) as two:
        send_many(messages_for(women[:2], prefix="a"))
    with CaptureQueriesContext(connection) as twelve:
        send_many(messages_for(women, prefix="b"))
    assert len(twelve) == len(two)
    assert Notification.objects.count() == 14


def test_a_misuse_refuses_the_whole_batch(women: list[User]) -> None:
    bad = messages_for(women[:2]) + [Message(recipient=None, kind="test", title="x", body="y")]
    with pytest.raises(ValueError):
        send_many(bad)
    unsafe = [Message(recipient=women[0], kind="test", title="x", body="y", link="javascript:x")]
    with pytest.raises(ValueError):
        send_many(unsafe)
    assert Notification.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_a_key_taken_by_another_writer_is_left_out_by_the_insert_itself(
    women: list[User],
) -> None:
    """Keys are not read before the insert: one taken already (an earlier batch, or another
    writer a moment ago) is left out by the INSERT, in the same statement, and the caller's
    transaction goes on; nothing is doubled."""
    send_many(messages_for(women[:1]))  # k:0
    with CaptureQueriesContext(connection) as captured:  # in the test's transaction
        written = services.notifications_send_many(messages_for(women[:3]))
    assert [n.dedup_key for n in written] == ["k:1", "k:2"]
    assert not [q for q in captured if q["sql"].startswith("SAVEPOINT")]
    assert not [q for q in captured if '"dedup_key" IN' in q["sql"]]
    assert Notification.objects.count() == 3
    assert Delivery.objects.count() == 6
    assert send_many(messages_for(women[:3])) == []


def test_a_batch_job_run_again_after_its_worker_died_takes_over_its_claimed_attempts(
    women: list[User],
) -> None:
    send_many(messages_for(women[:2]))
    in_app, push, later, _other = Delivery.objects.order_by("id")
    job = in_app.job_id
    assert job is not None and {push.job_id, later.job_id} == {job}
    # The first run claimed all of them, then its worker died mid-send.
    Delivery.objects.update(
        attempts=1, next_attempt_at=in_app.created_at + timedelta(seconds=outbox.CLAIM_SECONDS)
    )
    # Meanwhile one of them was queued again on a job of its own.
    delivery_enqueue(Delivery.objects.get(pk=later.pk))
    ids = [in_app.pk, push.pk, later.pk]

    def attempt(job_id: UUID, *, resuming: bool) -> int:
        return outbox.deliveries_attempt_job(
            delivery_ids=ids, job_id=job_id, resuming=resuming, requeue=delivery_enqueue
        )

    assert attempt(job, resuming=False) == 0  # still claimed: a duplicate run skips them
    assert attempt(UUID(int=1), resuming=True) == 0  # not the job that owns them
    assert attempt(job, resuming=True) == 2
    states = dict(Delivery.objects.values_list("pk", "state"))
    assert (states[in_app.pk], states[push.pk]) == (DeliveryState.SENT, DeliveryState.SENT)
    assert states[later.pk] == DeliveryState.PENDING  # its own job attempts it
