"""The demo holds a lab order with its result and one still to do."""

from __future__ import annotations

import pytest

from anyun import demo
from anyun.orders.models import LabOrder, OrderStatus, Result

pytestmark = pytest.mark.django_db


def test_the_demo_holds_a_result_and_a_test_to_do() -> None:
    demo.load_demo()
    done, todo = LabOrder.objects.order_by("pk")
    assert done.status == OrderStatus.RESULTED and todo.status == OrderStatus.ORDERED
    assert todo.tests == ["ogtt"] and todo.woman_id == done.woman_id
    assert Result.objects.get(observation="hb").flag == "low"
