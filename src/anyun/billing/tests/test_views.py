"""Her pages: my payments (empty, ready to pay, orders with states in words), the order, the
sandbox's pay page and the result; another woman gets 404."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import woman_client

from anyun.billing.models import OrderStatus, PaymentOrder
from anyun.prescribing.models import Prescription
from anyun.prescribing.tests.conftest import World

pytestmark = pytest.mark.django_db


def test_empty_state(world: World) -> None:
    page = woman_client(world.woman).get("/billing/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="no-orders"' in text
    assert 'data-testid="ready-to-pay"' not in text


def test_pay_in_the_sandbox_through_the_pages(
    world: World, approved: Prescription, jobs: Callable[[], int]
) -> None:
    her = woman_client(world.woman)
    home = her.get("/billing/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="ready-to-pay"' in home
    made = her.post(f"/billing/new/prescription/{approved.public_id}/", {"delivery": "1"})
    order = PaymentOrder.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/billing/orders/{order.public_id}/"
    assert order.lines[-1]["code"] == "delivery"
    detail = her.get(made["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Delivery fee" in detail and "Waiting for payment" in detail
    pay = her.post(f"/billing/orders/{order.public_id}/pay/")
    assert pay["Location"] == f"/billing/orders/{order.public_id}/sandbox/"
    sandbox = her.get(pay["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="sandbox-confirm"' in sandbox
    confirmed = her.post(pay["Location"])
    assert confirmed["Location"] == f"/billing/orders/{order.public_id}/result/"
    waiting = her.get(confirmed["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "waiting for the payment service" in waiting
    jobs()
    result = her.get(confirmed["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "We received your payment" in result
    listing = her.get("/billing/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="rx-status bill-paid" data-testid="order-status">Paid<' in listing
    chinese = her.get("/billing/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-testid="order-status">已支付<' in chinese


def test_another_woman_gets_404_on_every_page(world: World, approved: Prescription) -> None:
    her = woman_client(world.woman)
    her.post(f"/billing/new/prescription/{approved.public_id}/")
    order = PaymentOrder.objects.get()
    other = woman_client(world.other_woman)
    for path in ("", "sandbox/", "result/"):
        assert other.get(f"/billing/orders/{order.public_id}/{path}").status_code == 404
    for path in ("pay/", "cancel/", "sandbox/"):
        assert other.post(f"/billing/orders/{order.public_id}/{path}").status_code == 404
    assert other.post(f"/billing/new/prescription/{approved.public_id}/").status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_she_cancels_from_the_order_page(world: World, approved: Prescription) -> None:
    her = woman_client(world.woman)
    her.post(f"/billing/new/prescription/{approved.public_id}/")
    order = PaymentOrder.objects.get()
    her.post(f"/billing/orders/{order.public_id}/cancel/")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    page = her.get(f"/billing/orders/{order.public_id}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "You cancelled this order." in page.content.decode()
