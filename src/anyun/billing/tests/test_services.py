"""Her order, the sandbox's notification, idempotency, the timeout sweep, cancellation and
refunds with their states."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from anyun.accounts.models import User
from anyun.audit.models import AuditEvent
from anyun.billing import services
from anyun.billing.models import (
    NotificationOutcome,
    OrderStatus,
    PaymentOrder,
    ProviderNotification,
    Refund,
    RefundReason,
    RefundStatus,
)
from anyun.billing.providers import NotificationRefused, RefundResult, SandboxProvider
from anyun.billing.tests.conftest import LINES, sandbox_post
from anyun.core.errors import DomainError, NotFound, PermissionDenied
from anyun.notify.models import Notification
from anyun.prescribing.models import Prescription
from anyun.prescribing.tests.conftest import World, signed

pytestmark = pytest.mark.django_db


def create(world: World, prescription: Prescription, **kw: Any) -> PaymentOrder:
    order, _created = services.order_create(
        woman=kw.pop("woman", world.woman),
        kind="prescription",
        ref=str(prescription.public_id),
        **kw,
    )
    return order


def paid(world: World, prescription: Prescription, jobs: Callable[[], int]) -> PaymentOrder:
    order = create(world, prescription)
    services.sandbox_confirm(woman=world.woman, order_id=order.public_id)
    jobs()
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    return order


# --- order creation: only a payable thing ----------------------------------------------------


def test_order_of_an_approved_prescription_has_its_lines_in_fen(
    world: World, approved: Prescription
) -> None:
    order = create(world, approved)
    prices = {line.drug_code: line.unit_price_fen for line in approved.lines.all()}
    expected = prices["folic_acid_0_4"] * 7 + prices["ferrous_succinate_0_1"] * 28
    assert order.amount_fen == expected
    assert [line["amount_fen"] for line in order.lines] == [
        prices["folic_acid_0_4"] * 7,
        prices["ferrous_succinate_0_1"] * 28,
    ]
    assert order.status == OrderStatus.PENDING
    assert order.provider == "sandbox"
    assert abs((order.expires_at - order.created_at) - timedelta(minutes=30)) < timedelta(seconds=1)
    assert (
        AuditEvent.objects.filter(action="billing_order_create", subject=world.woman).count() == 1
    )


def test_delivery_adds_the_configured_fee(
    world: World, approved: Prescription, settings: Any
) -> None:
    settings.ANYUN_DELIVERY_FEE_FEN = 800
    order = create(world, approved, delivery=True)
    assert order.lines[-1] == {
        "label": "delivery",
        "amount_fen": 800,
        "quantity": 1,
        "code": "delivery",
    }
    assert order.amount_fen == sum(line["amount_fen"] for line in order.lines)


def test_asking_again_returns_the_same_pending_order(world: World, approved: Prescription) -> None:
    first, created = services.order_create(
        woman=world.woman, kind="prescription", ref=str(approved.public_id)
    )
    again, created_again = services.order_create(
        woman=world.woman, kind="prescription", ref=str(approved.public_id)
    )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert PaymentOrder.objects.count() == 1


def test_unreviewed_prescription_is_refused(world: World) -> None:
    waiting = signed(world, *LINES)
    with pytest.raises(DomainError) as info:
        create(world, waiting)
    assert info.value.code == "not_payable"
    assert PaymentOrder.objects.count() == 0


def test_expired_prescription_is_refused(
    world: World, approved: Prescription, time_machine: Any
) -> None:
    assert approved.expires_at is not None
    time_machine.move_to(approved.expires_at + timedelta(minutes=1), tick=False)
    with pytest.raises(DomainError) as info:
        create(world, approved)
    assert info.value.code == "not_payable"
    assert PaymentOrder.objects.count() == 0


def test_another_womans_prescription_is_not_found(world: World, approved: Prescription) -> None:
    with pytest.raises(NotFound):
        create(world, approved, woman=world.other_woman)
    with pytest.raises(PermissionDenied):
        create(world, approved, woman=world.pharmacist)
    assert PaymentOrder.objects.count() == 0


def test_unknown_kind_is_refused(world: World) -> None:
    with pytest.raises(DomainError) as info:
        services.order_create(woman=world.woman, kind="lottery", ref="1")
    assert (info.value.code, info.value.field) == ("kind_unknown", "kind")


# --- the sandbox pay flow ---------------------------------------------------------------------


def test_sandbox_flow_marks_order_and_prescription_paid(
    world: World, approved: Prescription, jobs: Callable[[], int]
) -> None:
    order = create(world, approved)
    start = services.order_pay_start(woman=world.woman, order_id=order.public_id)
    assert (start.mode, start.url) == ("page", f"/billing/orders/{order.public_id}/sandbox/")
    services.sandbox_confirm(woman=world.woman, order_id=order.public_id)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING  # the notification comes from the queue
    jobs()
    order.refresh_from_db()
    approved.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.provider_transaction.startswith("sandbox-")
    assert approved.paid_at == order.paid_at
    [row] = ProviderNotification.objects.all()
    assert (row.outcome, row.order_id, row.amount_fen) == ("applied", order.pk, order.amount_fen)
    assert Notification.objects.filter(recipient=world.woman, kind="billing_paid").count() == 1
    # Paid: no second order for the same prescription.
    with pytest.raises(DomainError) as info:
        create(world, approved)
    assert info.value.code == "already_paid"


def test_same_notification_twice_changes_nothing(
    world: World, approved: Prescription, jobs: Callable[[], int]
) -> None:
    order = create(world, approved)
    headers, body = SandboxProvider().notification(
        event="payment", order_number=order.number, amount_fen=order.amount_fen
    )
    first = services.notification_receive(provider_name="sandbox", headers=headers, body=body)
    order.refresh_from_db()
    paid_at, txn = order.paid_at, order.provider_transaction
    audits = AuditEvent.objects.count()
    second = services.notification_receive(provider_name="sandbox", headers=headers, body=body)
    order.refresh_from_db()
    assert second.pk == first.pk
    assert (order.status, order.paid_at, order.provider_transaction) == ("paid", paid_at, txn)
    assert ProviderNotification.objects.count() == 1
    assert AuditEvent.objects.count() == audits
    assert Notification.objects.filter(kind="billing_paid").count() == 1


def test_a_second_payment_notification_under_a_new_id_is_a_duplicate(
    world: World, approved: Prescription, jobs: Callable[[], int]
) -> None:
    order = paid(world, approved, jobs)
    paid_at = order.paid_at
    headers, body = SandboxProvider().notification(
        event="payment", order_number=order.number, amount_fen=order.amount_fen
    )
    row = services.notification_receive(provider_name="sandbox", headers=headers, body=body)
    order.refresh_from_db()
    assert row.outcome == NotificationOutcome.DUPLICATE
    assert (order.status, order.paid_at) == ("paid", paid_at)


def test_bad_signature_is_refused_and_changes_nothing(world: World, approved: Prescription) -> None:
    order = create(world, approved)
    headers, body = SandboxProvider().notification(
        event="payment", order_number=order.number, amount_fen=order.amount_fen
    )
    forged = body.replace(b'"succeeded":true', b'"succeeded":true ')
    for bad_headers, bad_body in (
        (headers, forged),
        ({"X-Anyun-Signature": "0" * 64}, body),
        ({}, body),
    ):
        with pytest.raises(NotificationRefused):
            services.notification_receive(
                provider_name="sandbox", headers=bad_headers, body=bad_body
            )
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert ProviderNotification.objects.count() == 0


def test_stale_notification_is_refused(
    world: World, approved: Prescription, time_machine: Any
) -> None:
    order = create(world, approved)
    headers, body = SandboxProvider().notification(
        event="payment", order_number=order.number, amount_fen=order.amount_fen
    )
    time_machine.move_to(timezone.now() + timedelta(minutes=6), tick=False)
    with pytest.raises(NotificationRefused):
        services.notification_receive(provider_name="sandbox", headers=headers, body=body)


def test_amount_mismatch_is_refused_and_recorded(
    world: World, approved: Prescription, client: Client
) -> None:
    order = create(world, approved)
    answer = sandbox_post(client, order, amount_fen=order.amount_fen - 1, notification_id="n-1")
    assert answer.status_code == 400
    assert answer.json()["code"] == "amount_mismatch"
    again = sandbox_post(client, order, amount_fen=order.amount_fen - 1, notification_id="n-1")
    assert again.status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    [row] = ProviderNotification.objects.all()
    assert (row.outcome, row.amount_fen, row.detail["expected"]) == (
        "amount_mismatch",
        order.amount_fen - 1,
        order.amount_fen,
    )
    assert AuditEvent.objects.filter(action="billing_amount_mismatch").count() == 1


def test_unknown_order_is_404(world: World, approved: Prescription, client: Client) -> None:
    order = create(world, approved)
    order.number = "AY20990101NOSUCHORDER"
    answer = sandbox_post(client, order)
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"
    assert ProviderNotification.objects.count() == 0


# --- timeout and cancellation -----------------------------------------------------------------


def test_timeout_sweep_expires_unpaid_orders(
    world: World, approved: Prescription, time_machine: Any, settings: Any
) -> None:
    settings.ANYUN_PAYMENT_TIMEOUT_MINUTES = 15
    order = create(world, approved)
    time_machine.move_to(order.created_at + timedelta(minutes=14), tick=False)
    assert services.orders_expire_due() == 0
    time_machine.move_to(order.created_at + timedelta(minutes=15, seconds=1), tick=False)
    assert services.orders_expire_due() == 1
    assert services.orders_expire_due() == 0
    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED
    with pytest.raises(DomainError) as info:
        services.order_pay_start(woman=world.woman, order_id=order.public_id)
    assert info.value.code == "not_pending"
    # A new order may be made for the same prescription while it is valid.
    fresh = create(world, approved)
    assert fresh.pk != order.pk and fresh.status == OrderStatus.PENDING


def test_payment_after_timeout_is_refunded(
    world: World, approved: Prescription, time_machine: Any, jobs: Callable[[], int]
) -> None:
    order = create(world, approved)
    time_machine.move_to(order.expires_at + timedelta(seconds=1), tick=False)
    services.orders_expire_due()
    headers, body = SandboxProvider().notification(
        event="payment", order_number=order.number, amount_fen=order.amount_fen
    )
    row = services.notification_receive(provider_name="sandbox", headers=headers, body=body)
    assert row.outcome == NotificationOutcome.REFUNDED
    jobs()
    order.refresh_from_db()
    approved.refresh_from_db()
    [refund] = Refund.objects.all()
    assert (refund.reason, refund.status, refund.amount_fen) == (
        RefundReason.PAID_AFTER_CLOSE,
        RefundStatus.SUCCEEDED,
        order.amount_fen,
    )
    assert order.status == OrderStatus.REFUNDED
    assert approved.paid_at is None
    # The provider tells it again under a new id: nothing more is refunded.
    headers, body = SandboxProvider().notification(
        event="payment", order_number=order.number, amount_fen=order.amount_fen
    )
    again = services.notification_receive(provider_name="sandbox", headers=headers, body=body)
    assert again.outcome == NotificationOutcome.DUPLICATE
    assert Refund.objects.count() == 1


def test_she_cancels_an_unpaid_order(world: World, approved: Prescription) -> None:
    order = create(world, approved)
    cancelled = services.order_cancel(woman=world.woman, order_id=order.public_id)
    assert cancelled.status == OrderStatus.CANCELLED
    assert cancelled.cancelled_at is not None
    with pytest.raises(DomainError) as info:
        services.order_cancel(woman=world.woman, order_id=order.public_id)
    assert info.value.code == "not_cancellable"
    with pytest.raises(NotFound):
        services.order_cancel(woman=world.other_woman, order_id=order.public_id)


# --- refunds ----------------------------------------------------------------------------------


def test_cancelling_a_paid_order_refunds_it_through_the_states(
    world: World, approved: Prescription, jobs: Callable[[], int]
) -> None:
    order = paid(world, approved, jobs)
    after = services.order_cancel(woman=world.woman, order_id=order.public_id)
    assert after.status == OrderStatus.REFUNDING
    [refund] = Refund.objects.all()
    assert (refund.status, refund.reason) == (RefundStatus.REQUESTED, RefundReason.CANCELLED)
    jobs()  # submit to the sandbox, then its signed refund notification
    refund.refresh_from_db()
    order.refresh_from_db()
    approved.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert refund.succeeded_at is not None
    assert order.status == OrderStatus.REFUNDED
    assert approved.paid_at is None
    assert Notification.objects.filter(recipient=world.woman, kind="billing_refunded").count() == 1
    assert ProviderNotification.objects.filter(event="refund", outcome="applied").count() == 1


def test_returned_prescription_after_payment_is_refunded(
    world: World, approved: Prescription, jobs: Callable[[], int]
) -> None:
    order = paid(world, approved, jobs)
    refund = services.refund_for_payable(
        kind="prescription", ref=str(approved.public_id), reason=RefundReason.RETURNED
    )
    assert refund is not None and refund.status == RefundStatus.REQUESTED
    # Asking again while it is in flight gives the same refund.
    again = services.refund_for_payable(kind="prescription", ref=str(approved.public_id))
    assert again is not None and again.pk == refund.pk
    jobs()
    refund.refresh_from_db()
    order.refresh_from_db()
    assert (refund.status, order.status) == (RefundStatus.SUCCEEDED, OrderStatus.REFUNDED)


def test_failed_refund_keeps_the_order_paid_and_can_be_retried(
    world: World,
    approved: Prescription,
    jobs: Callable[[], int],
    monkeypatch: Any,
    finance: User,
) -> None:
    order = paid(world, approved, jobs)
    monkeypatch.setattr(
        SandboxProvider, "refund", lambda self, r: RefundResult(status="failed", failure="closed")
    )
    services.refund_request_by_staff(actor=finance, order_id=order.public_id)
    jobs()
    [failed] = Refund.objects.all()
    order.refresh_from_db()
    assert (failed.status, failed.failure, order.status) == ("failed", "closed", "paid")
    monkeypatch.undo()
    retried = services.refund_retry(actor=finance, refund_id=failed.public_id)
    assert retried.status == RefundStatus.REQUESTED and retried.pk != failed.pk
    jobs()
    retried.refresh_from_db()
    order.refresh_from_db()
    assert (retried.status, order.status) == ("succeeded", "refunded")


def test_duplicate_refund_notification_changes_nothing(
    world: World, approved: Prescription, jobs: Callable[[], int]
) -> None:
    order = paid(world, approved, jobs)
    services.order_cancel(woman=world.woman, order_id=order.public_id)
    jobs()
    refund = Refund.objects.get()
    headers, body = SandboxProvider().notification(
        event="refund",
        order_number=order.number,
        amount_fen=refund.amount_fen,
        refund_number=refund.number,
    )
    row = services.notification_receive(provider_name="sandbox", headers=headers, body=body)
    assert row.outcome == NotificationOutcome.DUPLICATE
    assert Notification.objects.filter(kind="billing_refunded").count() == 1


def test_only_finance_staff_refund(
    world: World, approved: Prescription, jobs: Callable[[], int]
) -> None:
    order = paid(world, approved, jobs)
    for who in (world.pharmacist, world.clinician, world.woman):
        with pytest.raises(PermissionDenied):
            services.refund_request_by_staff(actor=who, order_id=order.public_id)
    assert Refund.objects.count() == 0
