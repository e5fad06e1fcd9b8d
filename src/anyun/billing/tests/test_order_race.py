"""Two identical requests at the same moment on PostgreSQL: her order for one thing is made
once (the live-order constraint), and a lab order with one idempotency key is made once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from anyun.billing import services
from anyun.billing.models import PaymentOrder
from anyun.core.errors import DomainError
from anyun.orders import services as orders
from anyun.orders.models import LabOrder
from anyun.prescribing.models import Prescription
from anyun.prescribing.tests.conftest import World

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="SQLite serialises writers; the race needs concurrent transactions",
    ),
]


def _twice(call: Callable[[], Any]) -> tuple[list[Any], list[DomainError]]:
    barrier = threading.Barrier(2)
    results: list[Any] = []
    refusals: list[DomainError] = []

    def run() -> None:
        barrier.wait()
        try:
            results.append(call())
        except DomainError as exc:
            refusals.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, refusals


def test_two_identical_payment_orders_at_once_make_one(
    world: World, approved: Prescription
) -> None:
    results, refusals = _twice(
        lambda: services.order_create(
            woman=world.woman, kind="prescription", ref=str(approved.public_id)
        )[0]
    )
    [order] = PaymentOrder.objects.all()
    # The loser either waited on the row lock and got the same order, or lost at the
    # constraint and was told the order is being made; never a second order.
    assert all(r.pk == order.pk for r in results)
    assert [e.code for e in refusals] in ([], ["order_exists"])
    assert len(results) + len(refusals) == 2


def test_two_identical_lab_orders_at_once_make_one(world: World) -> None:
    results, refusals = _twice(
        lambda: orders.order_create(
            actor=world.clinician,
            woman_id=world.woman.public_id,
            tests=["fbc"],
            reason="First-visit tests",
            idempotency_key="race-1",
        )
    )
    [order] = LabOrder.objects.all()
    assert refusals == []
    assert [r.pk for r in results] == [order.pk, order.pk]
