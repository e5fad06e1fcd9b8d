"""Deliveries worked by the real queue worker (django-tasks-db, batch mode), committed data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from anyun.accounts.models import Role, User
from anyun.notify import services
from anyun.notify.models import DeliveryState

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_channel_delivered_by_the_worker_once(
    make_user: Callable[..., User],
    memory_sms: list[tuple[str, str]],
    run_worker: Callable[[], None],
) -> None:
    woman = make_user(Role.WOMAN, phone="13812341234")
    with transaction.atomic():
        notification = services.notification_send(
            recipient=woman,
            kind="visit_reminder",
            title="Visit tomorrow",
            body="At 9:00.",
            channels=("in_app", "push", "sms"),
        )

    run_worker()
    run_worker()

    states = {d.channel: (d.state, d.attempts) for d in notification.deliveries.all()}
    assert states == {
        "in_app": (DeliveryState.SENT, 1),
        "push": (DeliveryState.SENT, 1),
        "sms": (DeliveryState.SENT, 1),
    }
    assert memory_sms == [("13812341234", "Visit tomorrow: At 9:00.")]
    assert (
        list(DBTaskResult.objects.values_list("status", flat=True))
        == [TaskResultStatus.SUCCESSFUL] * 3
    )


@pytest.mark.usefixtures("failing_sms")
def test_retry_job_waits_for_its_back_off(
    run_worker: Callable[[], None], time_machine: Any, t0: datetime
) -> None:
    time_machine.move_to(t0, tick=False)
    with transaction.atomic():
        notification = services.sms_send(phone="13812341234", text="Code 1", kind="code")
    delivery = notification.deliveries.get()

    run_worker()
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.state) == (1, DeliveryState.FAILED)
    assert delivery.next_attempt_at == t0 + timedelta(seconds=30)

    time_machine.move_to(t0 + timedelta(seconds=29), tick=False)
    run_worker()
    delivery.refresh_from_db()
    assert delivery.attempts == 1

    time_machine.move_to(t0 + timedelta(seconds=30), tick=False)
    run_worker()
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.state) == (2, DeliveryState.FAILED)
    assert delivery.next_attempt_at == t0 + timedelta(seconds=150)

    statuses: dict[Any, int] = {}
    for status in DBTaskResult.objects.values_list("status", flat=True):
        statuses[status] = statuses.get(status, 0) + 1
    assert statuses == {TaskResultStatus.SUCCESSFUL: 2, TaskResultStatus.READY: 1}
