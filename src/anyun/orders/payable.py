"""The lab order as a payable kind of billing (registered in `OrdersConfig.ready`).

An order can be paid while none of its results are in (ordered or booked) and it is not paid
yet; the bill is one line per test at the hospital's price (:data:`PRICES_FEN`). A paid order
can be refunded until a result arrives.

LOCAL POLICY: the prices are the demo hospital's, in integer fen; a hospital replaces them with
its own price list (they are not medical facts).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from anyun.billing.registry import Payable, PayableKind, PayableLine, Ready
from anyun.core.errors import DomainError, NotFound
from anyun.orders.models import LabOrder, OrderStatus
from anyun.orders.words import test_label

KIND = "lab_order"
UNPAID_STATUSES = (OrderStatus.ORDERED, OrderStatus.BOOKED)
PRICES_FEN: dict[str, int] = {
    "fbc": 2000,
    "urinalysis": 1000,
    "blood_group": 2500,
    "fasting_glucose": 800,
    "ogtt": 4000,
    "liver": 5000,
    "kidney": 3000,
    "thyroid": 9000,
    "ferritin": 4500,
    "hbsag": 1500,
    "hiv": 3000,
    "syphilis": 2500,
    "ultrasound": 15000,
    "nst": 6000,
}


def _order(ref: str, **filters: Any) -> LabOrder | None:
    try:
        return LabOrder.objects.filter(public_id=ref, **filters).first()
    except (ValueError, TypeError):
        return None


def _lines(order: LabOrder) -> list[PayableLine]:
    return [
        PayableLine(label=test_label(code), amount_fen=PRICES_FEN[code])
        for code in order.tests
        if code in PRICES_FEN
    ]


def total_fen(order: LabOrder) -> int:
    return sum(line.amount_fen for line in _lines(order))


def _title(order: LabOrder) -> str:
    return f"{order.created_at:%Y-%m-%d} · " + ", ".join(test_label(c) for c in order.tests)[:180]


def describe(ref: str, woman: Any, options: Mapping[str, Any]) -> Payable:
    order = _order(ref, woman=woman)
    if order is None:
        raise NotFound()
    if order.paid_at is not None:
        raise DomainError("already_paid", _("This has been paid for already."))
    if order.status not in UNPAID_STATUSES:
        raise DomainError("not_payable", _("Results for this order are already in."))
    return Payable(title=_title(order), lines=_lines(order))


def is_payable(ref: str) -> bool:
    return _order(ref, paid_at__isnull=True, status__in=UNPAID_STATUSES) is not None


def on_paid(ref: str, order: Any) -> None:
    LabOrder.objects.filter(public_id=ref, paid_at__isnull=True).update(paid_at=order.paid_at)


def on_refunded(ref: str, order: Any) -> None:
    LabOrder.objects.filter(public_id=ref).update(paid_at=None)


def can_refund(ref: str) -> bool:
    return _order(ref, status__in=UNPAID_STATUSES) is not None


def ready_for(woman: Any) -> list[Ready]:
    rows = LabOrder.objects.filter(woman=woman, status__in=UNPAID_STATUSES, paid_at__isnull=True)
    return [Ready(ref=str(o.public_id), title=_title(o), amount_fen=total_fen(o)) for o in rows]


def link(ref: str) -> str:
    return f"/orders/mine/{ref}/"


LAB_ORDER = PayableKind(
    name=KIND,
    label=_("Lab and exam order"),
    describe=describe,
    is_payable=is_payable,
    on_paid=on_paid,
    on_refunded=on_refunded,
    can_refund=can_refund,
    ready_for=ready_for,
    link=link,
)
