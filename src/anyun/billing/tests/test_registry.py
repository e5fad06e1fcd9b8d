"""The payable-kind registry's contract: what a kind must give, what billing calls and when.
A kind made here (not prescribing's) shows billing knows nothing of what it is paid for."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

from anyun.accounts.models import User
from anyun.billing import registry, services
from anyun.billing.models import OrderStatus
from anyun.billing.registry import Payable, PayableKind, PayableLine, Ready
from anyun.core.errors import DomainError, NotFound

pytestmark = pytest.mark.django_db


class Thing:
    """A test kind's bookkeeping: what billing asked, and which things are payable."""

    def __init__(self) -> None:
        self.payable = {"t-1": 1250}
        self.owner: dict[str, Any] = {}
        self.paid: list[str] = []
        self.refunded: list[str] = []

    def describe(self, ref: str, woman: Any, options: Mapping[str, Any]) -> Payable:
        if self.owner.get(ref) != woman.pk:
            raise NotFound()
        if ref not in self.payable:
            raise DomainError("not_payable", "not now")
        return Payable(title=f"thing {ref}", lines=[PayableLine("thing", self.payable[ref])])

    def kind(self) -> PayableKind:
        return PayableKind(
            name="test_thing",
            label="Test thing",
            describe=self.describe,
            is_payable=lambda ref: ref in self.payable,
            on_paid=lambda ref, order: self.paid.append(ref),
            on_refunded=lambda ref, order: self.refunded.append(ref),
            can_refund=lambda ref: ref not in self.paid or ref != "t-kept",
            ready_for=lambda woman: [Ready(ref="t-1", title="thing", amount_fen=1250)],
        )


@pytest.fixture
def thing() -> Iterator[Thing]:
    made = Thing()
    registry.register(made.kind())
    yield made
    registry.KINDS.pop("test_thing", None)


def test_prescribing_registers_its_kind_with_every_callback() -> None:
    kind = registry.kind_of("prescription")
    assert kind is not None
    assert str(kind.label)
    for name in ("describe", "is_payable", "on_paid", "on_refunded", "can_refund", "ready_for"):
        assert callable(getattr(kind, name))
    assert "prescription" in [k.name for k in registry.kinds()]


def test_a_kind_is_named_in_lower_case() -> None:
    with pytest.raises(ValueError, match="lower-case"):
        registry.register(Thing().kind().__class__(**{**Thing().kind().__dict__, "name": "Bad-1"}))


def test_billing_calls_the_kind_at_each_step(
    thing: Thing, make_woman: Callable[..., User], jobs: Callable[[], int]
) -> None:
    woman = make_woman()
    thing.owner["t-1"] = woman.pk
    thing.owner["t-2"] = woman.pk
    with pytest.raises(DomainError) as info:
        services.order_create(woman=woman, kind="test_thing", ref="t-2")
    assert info.value.code == "not_payable"
    with pytest.raises(NotFound):
        services.order_create(woman=make_woman(), kind="test_thing", ref="t-1")
    order, created = services.order_create(woman=woman, kind="test_thing", ref="t-1")
    assert (created, order.amount_fen, order.title) == (True, 1250, "thing t-1")
    services.sandbox_confirm(woman=woman, order_id=order.public_id)
    jobs()
    jobs()
    assert thing.paid == ["t-1"]  # once, however often the notification came
    services.order_cancel(woman=woman, order_id=order.public_id)
    jobs()
    order.refresh_from_db()
    assert (order.status, thing.refunded) == (OrderStatus.REFUNDED, ["t-1"])


def test_thing_no_longer_payable_when_money_arrives_is_refunded(
    thing: Thing, make_woman: Callable[..., User], jobs: Callable[[], int]
) -> None:
    woman = make_woman()
    thing.owner["t-1"] = woman.pk
    order, _ = services.order_create(woman=woman, kind="test_thing", ref="t-1")
    services.sandbox_confirm(woman=woman, order_id=order.public_id)
    del thing.payable["t-1"]
    jobs()
    order.refresh_from_db()
    assert thing.paid == []
    assert order.status == OrderStatus.REFUNDED
    assert order.refunds.get().reason == "not_payable"
