"""The billing API: her journey through the sandbox, refusals in the JSON shape, access for
every kind of caller, the audit of reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import staff_client, woman_client
from django.test import Client

from anyun.accounts.models import User
from anyun.audit.models import AuditEvent
from anyun.billing.models import OrderStatus, PaymentOrder
from anyun.billing.tests.conftest import API, LINES, sandbox_post
from anyun.prescribing.models import Prescription
from anyun.prescribing.tests.conftest import World, signed

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, data: Any = None, **headers: str) -> Any:
    return client.post(f"{API}{path}", data or {}, content_type="application/json", headers=headers)


def new_order(client: Client, prescription: Prescription, **kw: Any) -> Any:
    return post(
        client, "/orders", {"kind": "prescription", "ref": str(prescription.public_id), **kw}
    )


def test_her_journey_through_the_sandbox(
    world: World, approved: Prescription, jobs: Callable[[], int]
) -> None:
    her = woman_client(world.woman)
    ready = her.get(f"{API}/payable").json()
    assert [(r["kind"], r["ref"]) for r in ready] == [("prescription", str(approved.public_id))]
    created = new_order(her, approved, delivery=True)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "pending"
    assert body["amount_fen"] == sum(line["amount_fen"] for line in body["lines"])
    assert body["amount_yuan"] == f"{body['amount_fen'] // 100}.{body['amount_fen'] % 100:02d}"
    again = new_order(her, approved)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    pay = post(her, f"/orders/{body['id']}/pay")
    assert pay.status_code == 200
    assert pay.json()["mode"] == "page"
    confirmed = post(her, f"/orders/{body['id']}/sandbox-confirm")
    assert confirmed.status_code == 202
    assert confirmed.json()["status"] == "pending"
    assert jobs() == 1
    read = her.get(f"{API}/orders/{body['id']}", HTTP_ACCEPT_LANGUAGE="en")
    assert read.json()["status"] == "paid"
    assert read.json()["status_label"] == "Paid"
    assert her.get(f"{API}/payable").json() == []
    assert [o["id"] for o in her.get(f"{API}/orders").json()] == [body["id"]]
    assert AuditEvent.objects.filter(action="billing_order_read", subject=world.woman).count() == 2


def test_idempotency_key_returns_the_first_order(world: World, approved: Prescription) -> None:
    her = woman_client(world.woman)
    first = post(
        her,
        "/orders",
        {"kind": "prescription", "ref": str(approved.public_id)},
        **{"Idempotency-Key": "pay-1"},
    )
    second = post(
        her,
        "/orders",
        {"kind": "prescription", "ref": str(approved.public_id)},
        **{"Idempotency-Key": "pay-1"},
    )
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert PaymentOrder.objects.count() == 1


def test_unreviewed_prescription_refused_in_our_error_shape(world: World) -> None:
    waiting = signed(world, *LINES)
    answer = new_order(woman_client(world.woman), waiting)
    assert answer.status_code == 400
    assert answer.json() == {
        "code": "not_payable",
        "message": answer.json()["message"],
        "field": None,
    }
    assert answer.json()["message"]
    assert PaymentOrder.objects.count() == 0


def test_bad_signature_is_400_and_nothing_changes(
    world: World, approved: Prescription, client: Client
) -> None:
    order = PaymentOrder.objects.get(
        public_id=new_order(woman_client(world.woman), approved).json()["id"]
    )
    answer = client.post(
        f"{API}/callbacks/sandbox",
        b'{"id":"x","event":"payment"}',
        content_type="application/json",
        headers={"X-Anyun-Signature": "f" * 64},
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "signature_invalid"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    ok = sandbox_post(client, order)
    assert ok.status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_unknown_provider_is_404(client: Client) -> None:
    answer = client.post(f"{API}/callbacks/paypal", b"{}", content_type="application/json")
    assert answer.status_code == 404


def test_access_to_an_order(
    world: World, approved: Prescription, finance: User, make_staff: Callable[..., User]
) -> None:
    order_id = new_order(woman_client(world.woman), approved).json()["id"]
    path = f"{API}/orders/{order_id}"
    assert Client().get(path).status_code == 401
    assert woman_client(world.woman).get(path).status_code == 200
    assert woman_client(world.other_woman).get(path).status_code == 404
    for staff in (world.clinician, world.pharmacist, world.nurse, world.outsider):
        assert staff_client(staff).get(path).status_code == 404
    assert staff_client(finance).get(path).status_code == 200
    # Another woman can neither pay, confirm nor cancel it: 404, nothing changes.
    other = woman_client(world.other_woman)
    for action in ("pay", "sandbox-confirm", "cancel"):
        assert post(other, f"/orders/{order_id}/{action}").status_code == 404
    assert PaymentOrder.objects.get().status == OrderStatus.PENDING
    # Staff are not her: her actions are 403.
    assert post(staff_client(world.clinician), f"/orders/{order_id}/cancel").status_code == 403
    # The other woman cannot order her prescription either.
    assert new_order(other, approved).status_code == 404


def test_reconciliation_and_refunds_need_the_finance_role(
    world: World, approved: Prescription, finance: User, jobs: Callable[[], int]
) -> None:
    her = woman_client(world.woman)
    order_id = new_order(her, approved).json()["id"]
    post(her, f"/orders/{order_id}/sandbox-confirm")
    jobs()
    for who in (world.clinician, world.pharmacist, world.nurse):
        client = staff_client(who)
        assert client.get(f"{API}/reconciliation").status_code == 403
        assert post(client, f"/orders/{order_id}/refund").status_code == 403
    assert her.get(f"{API}/reconciliation").status_code == 403
    money = staff_client(finance)
    report = money.get(f"{API}/reconciliation")
    assert report.status_code == 200
    assert report.json()["paid_fen"] == PaymentOrder.objects.get().amount_fen
    refund = post(money, f"/orders/{order_id}/refund", {"reason": "staff"})
    assert refund.status_code == 201
    assert refund.json()["status"] == "requested"
    jobs()
    assert her.get(f"{API}/orders/{order_id}").json()["status"] == "refunded"
    assert AuditEvent.objects.filter(action="billing_reconciliation_read").count() == 1


def test_reconciliation_period_refusals(finance: User) -> None:
    money = staff_client(finance)
    backwards = money.get(f"{API}/reconciliation?start=2026-03-10&end=2026-03-01")
    assert backwards.status_code == 400
    assert (backwards.json()["code"], backwards.json()["field"]) == ("period_invalid", "start")
    too_long = money.get(f"{API}/reconciliation?start=2026-01-01&end=2026-12-31")
    assert too_long.status_code == 400
    assert too_long.json()["code"] == "period_too_long"
    bad = money.get(f"{API}/reconciliation?start=yesterday")
    assert bad.status_code == 422


def test_a_ref_that_names_nothing_is_404(world: World) -> None:
    her = woman_client(world.woman)
    for ref in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        answer = post(her, "/orders", {"kind": "prescription", "ref": ref})
        assert (answer.status_code, answer.json()["code"]) == (404, "not_found")
    unknown = post(her, "/orders", {"kind": "lottery", "ref": "1"})
    assert (unknown.status_code, unknown.json()["field"]) == (400, "kind")
