"""The lab order as billing's payable kind: the bill per test, payable until results arrive."""

from __future__ import annotations

import pytest
from django.utils import timezone

from anyun.billing import registry
from anyun.billing import services as billing
from anyun.core.errors import DomainError, NotFound
from anyun.orders import payable
from anyun.orders.tests.conftest import World, order, report, v

pytestmark = pytest.mark.django_db


def test_registered_and_billed_per_test(world: World) -> None:
    assert registry.kind_of("lab_order") is payable.LAB_ORDER
    found = order(world, "fbc", "ogtt")
    bill = payable.describe(str(found.public_id), world.woman, {})
    assert [line.amount_fen for line in bill.lines] == [2000, 4000]
    assert bill.total_fen == 6000
    with pytest.raises(NotFound):
        payable.describe(str(found.public_id), world.other_woman, {})
    [ready] = payable.ready_for(world.woman)
    assert (ready.ref, ready.amount_fen) == (str(found.public_id), 6000)


def test_billing_order_and_paid_mark(world: World) -> None:
    found = order(world, "fbc")
    bill, created = billing.order_create(
        woman=world.woman, kind="lab_order", ref=str(found.public_id)
    )
    assert created and bill.amount_fen == 2000
    bill.paid_at = timezone.now()
    payable.on_paid(str(found.public_id), bill)
    found.refresh_from_db()
    assert found.paid_at == bill.paid_at
    assert not payable.is_payable(str(found.public_id))
    payable.on_refunded(str(found.public_id), bill)
    found.refresh_from_db()
    assert found.paid_at is None


def test_not_payable_once_results_are_in(world: World) -> None:
    found = order(world, "fbc")
    report(world, found, v("hb", 120))
    assert not payable.is_payable(str(found.public_id))
    assert not payable.can_refund(str(found.public_id))
    with pytest.raises(DomainError) as caught:
        payable.describe(str(found.public_id), world.woman, {})
    assert caught.value.code == "not_payable"
