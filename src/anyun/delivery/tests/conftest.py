"""A paid prescription to dispense: the prescribing world (her consultation, her clinician,
a pharmacist, another woman, a nurse and an outsider), a prescription signed and approved
through the services, and paid through billing's sandbox notification."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from anyun.billing import services as billing
from anyun.billing.models import OrderStatus, PaymentOrder
from anyun.billing.tests.conftest import LINES, approve, sandbox_post
from anyun.delivery import services
from anyun.delivery.models import Address, Fulfilment
from anyun.prescribing.models import Prescription
from anyun.prescribing.tests.conftest import World, signed, world  # noqa: F401 (fixture)

API = "/api/v1/delivery"


def pay(world: World, prescription: Prescription, *, delivery: bool) -> Fulfilment:  # noqa: F811
    """Her order and the sandbox's signed payment notification, applied at once."""
    order, _created = billing.order_create(
        woman=world.woman, kind="prescription", ref=str(prescription.public_id), delivery=delivery
    )
    answer = sandbox_post(Client(), order)
    assert answer.status_code == 200, answer.content
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    return Fulfilment.objects.get(prescription=prescription)


def approved_rx(world: World) -> Prescription:  # noqa: F811
    return approve(world, signed(world, *LINES))


def home(world: World, **kw: Any) -> Address:  # noqa: F811
    values = {"recipient": "陈思", "phone": "13800138000", "address": "北京市朝阳区幸福路1号"}
    values.update(kw)
    return services.address_add(woman=world.woman, **values)


@pytest.fixture
def pickup(world: World) -> Fulfilment:  # noqa: F811
    return pay(world, approved_rx(world), delivery=False)


@pytest.fixture
def delivery(world: World) -> Fulfilment:  # noqa: F811
    home(world)
    return pay(world, approved_rx(world), delivery=True)


def run_delivery_jobs() -> int:
    """Run delivery's (and billing's) queued jobs that are due, in order, inside the test's
    transaction. Returns how many ran."""
    ran = 0
    while True:
        job = (
            DBTaskResult.objects.ready()
            .filter(task_path__regex=r"^anyun\.(delivery|billing)\.")
            .order_by("enqueued_at")
            .first()
        )
        if job is None:
            return ran
        DBTaskResult.objects.filter(pk=job.pk).update(
            status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now()
        )
        job.task.call(*job.args_kwargs["args"], **job.args_kwargs["kwargs"])
        ran += 1


def order_of(fulfilment: Fulfilment) -> PaymentOrder:
    return PaymentOrder.objects.get(kind="prescription", ref=str(fulfilment.prescription.public_id))
