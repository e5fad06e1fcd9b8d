"""The daily reconciliation: figures per business day, the page and its CSV, who may read it."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from conftest import staff_client, woman_client
from django.utils import timezone

from anyun.accounts.models import User
from anyun.billing import services
from anyun.billing.models import PaymentOrder
from anyun.billing.selectors import fen_to_yuan, reconciliation_for
from anyun.billing.tests.conftest import LINES, approve
from anyun.prescribing.models import Prescription
from anyun.prescribing.tests.conftest import World, later, signed

pytestmark = pytest.mark.django_db


def three_day(world: World) -> Prescription:
    return approve(
        world,
        signed(world, *LINES, validity_days=3, validity_reason="She lives far from the hospital"),
    )


def order_for(world: World, prescription: Prescription) -> PaymentOrder:
    order, _ = services.order_create(
        woman=world.woman, kind="prescription", ref=str(prescription.public_id)
    )
    return order


def pay(world: World, order: PaymentOrder, jobs: Callable[[], int]) -> None:
    services.sandbox_confirm(woman=world.woman, order_id=order.public_id)
    jobs()


def test_fen_to_yuan() -> None:
    assert [fen_to_yuan(v) for v in (0, 5, 100, 12345, -250)] == [
        "0.00",
        "0.05",
        "1.00",
        "123.45",
        "-2.50",
    ]


@pytest.fixture
def two_days(
    world: World,
    tomorrow: datetime,
    time_machine: Any,
    settings: Any,
    jobs: Callable[[], int],
) -> tuple[PaymentOrder, PaymentOrder, PaymentOrder]:
    """Day 1: A paid, B opened and left waiting. Day 2: A refunded, C paid."""
    settings.ANYUN_PAYMENT_TIMEOUT_MINUTES = 3 * 24 * 60
    a = three_day(world)
    later(time_machine)  # a one-time code signs once
    b = three_day(world)
    later(time_machine)
    c = three_day(world)
    time_machine.move_to(tomorrow.replace(hour=10), tick=False)
    order_a = order_for(world, a)
    pay(world, order_a, jobs)
    order_b = order_for(world, b)
    time_machine.move_to(tomorrow.replace(hour=10) + timedelta(days=1), tick=False)
    services.order_cancel(woman=world.woman, order_id=order_a.public_id)
    jobs()
    order_c = order_for(world, c)
    pay(world, order_c, jobs)
    for order in (order_a, order_b, order_c):
        order.refresh_from_db()
    assert [o.status for o in (order_a, order_b, order_c)] == ["refunded", "pending", "paid"]
    return order_a, order_b, order_c


def test_figures_per_day(
    two_days: tuple[PaymentOrder, PaymentOrder, PaymentOrder], tomorrow: datetime
) -> None:
    a, b, c = two_days
    day1 = timezone.localdate(tomorrow)
    report = reconciliation_for(start=day1, end=day1 + timedelta(days=1))
    first, second = report.days
    assert (first.day, first.paid_count, first.paid_fen) == (day1, 1, a.amount_fen)
    assert (first.refunded_count, first.refunded_fen) == (0, 0)
    assert (first.pending_count, first.pending_fen) == (1, b.amount_fen)
    assert (second.paid_count, second.paid_fen) == (1, c.amount_fen)
    assert (second.refunded_count, second.refunded_fen) == (1, a.amount_fen)
    assert (second.pending_count, second.pending_fen) == (0, 0)
    assert second.net_fen == c.amount_fen - a.amount_fen
    assert report.total("paid_fen") == a.amount_fen + c.amount_fen
    assert report.total("net_fen") == c.amount_fen


def test_page_and_csv_in_yuan(
    two_days: tuple[PaymentOrder, PaymentOrder, PaymentOrder],
    tomorrow: datetime,
    finance: User,
    world: World,
) -> None:
    a, b, c = two_days
    day1 = timezone.localdate(tomorrow)
    query = f"?start={day1:%Y-%m-%d}&end={day1 + timedelta(days=1):%Y-%m-%d}"
    money = staff_client(finance)
    page = money.get(f"/billing/reconciliation/{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"¥{fen_to_yuan(a.amount_fen)}" in text
    assert f"¥{fen_to_yuan(b.amount_fen)}" in text
    download = money.get(f"/billing/reconciliation.csv{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Day"
    assert rows[1] == [
        f"{day1:%Y-%m-%d}",
        "1",
        fen_to_yuan(a.amount_fen),
        "0",
        "0.00",
        "1",
        fen_to_yuan(b.amount_fen),
        fen_to_yuan(a.amount_fen),
    ]
    assert rows[2][1:5] == ["1", fen_to_yuan(c.amount_fen), "1", fen_to_yuan(a.amount_fen)]
    assert rows[3][0] == "Total"
    assert rows[3][-1] == fen_to_yuan(c.amount_fen)
    zh = money.get(f"/billing/reconciliation.csv{query}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert zh.content.decode("utf-8-sig").splitlines()[0].split(",")[0] != "Day"
    # Everyone else: 404, as the console's pages do for another role.
    for who in (world.clinician, world.pharmacist, world.nurse):
        assert staff_client(who).get("/billing/reconciliation/").status_code == 404
        assert staff_client(who).get("/billing/reconciliation.csv").status_code == 404
    assert woman_client(world.woman).get("/billing/reconciliation/").status_code == 404
