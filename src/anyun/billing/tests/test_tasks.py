"""The timeout sweep is a periodic job of the scheduler, and its task runs the sweep."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils.module_loading import import_string

from anyun.billing import services
from anyun.billing.models import OrderStatus
from anyun.core.periodic import PERIODIC_JOBS
from anyun.prescribing.models import Prescription
from anyun.prescribing.tests.conftest import World


def test_the_sweep_is_scheduled_every_minute() -> None:
    [job] = [j for j in PERIODIC_JOBS if j.name == "billing.orders_expire_due"]
    assert job.trigger == {"trigger": "cron", "minute": "*"}
    assert job.task_path == "anyun.billing.tasks.orders_expire_due"


@pytest.mark.django_db
def test_the_task_expires_due_orders(
    world: World, approved: Prescription, time_machine: Any
) -> None:
    order, _ = services.order_create(
        woman=world.woman, kind="prescription", ref=str(approved.public_id)
    )
    time_machine.move_to(order.expires_at + timedelta(seconds=1), tick=False)
    task = import_string("anyun.billing.tasks.orders_expire_due")
    assert task.call() == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED
