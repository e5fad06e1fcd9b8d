"""A prescription returned after approval, once she paid: her money comes back."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils.translation import gettext

from anyun.audit.models import AuditEvent
from anyun.billing import services as billing
from anyun.billing.models import OrderStatus, PaymentOrder, Refund, RefundReason, RefundStatus
from anyun.billing.tests.conftest import run_billing_jobs
from anyun.core.errors import DomainError
from anyun.notify.models import Notification
from anyun.prescribing import services
from anyun.prescribing.dispensing import prescription_dispense
from anyun.prescribing.models import Prescription, PrescriptionStatus
from anyun.prescribing.tests.conftest import World, signed

pytestmark = pytest.mark.django_db


def _approved(world: World) -> Prescription:
    prescription = signed(world)
    services.review_decide(
        actor=world.pharmacist, prescription_id=prescription.public_id, decision="approved"
    )
    prescription.refresh_from_db()
    return prescription


def _order(world: World, prescription: Prescription) -> PaymentOrder:
    order, _created = billing.order_create(
        woman=world.woman, kind="prescription", ref=str(prescription.public_id)
    )
    return order


def test_paid_then_returned_is_refunded(world: World) -> None:
    prescription = _approved(world)
    order = _order(world, prescription)
    billing.sandbox_confirm(woman=world.woman, order_id=order.public_id)
    run_billing_jobs()
    prescription.refresh_from_db()
    assert prescription.paid_at is not None

    services.approved_return(
        actor=world.pharmacist, prescription_id=prescription.public_id, reasons=["indication"]
    )
    [refund] = Refund.objects.all()
    order.refresh_from_db()
    assert (refund.status, refund.reason, refund.amount_fen) == (
        RefundStatus.REQUESTED,
        RefundReason.RETURNED,
        order.amount_fen,
    )
    assert refund.requested_by == world.pharmacist
    assert order.status == OrderStatus.REFUNDING
    woman_note = Notification.objects.get(kind="prescription_returned", recipient=world.woman)
    assert woman_note.body == gettext(
        "The pharmacist sent it back to your clinician. Any payment is refunded."
    )

    run_billing_jobs()  # submitted to the sandbox; its signed refund notification applied
    refund.refresh_from_db()
    order.refresh_from_db()
    prescription.refresh_from_db()
    assert (refund.status, order.status) == (RefundStatus.SUCCEEDED, OrderStatus.REFUNDED)
    assert prescription.paid_at is None
    assert prescription.status == PrescriptionStatus.RETURNED


def test_returned_while_her_order_waits_refunds_nothing_and_refuses_the_payment(
    world: World,
) -> None:
    prescription = _approved(world)
    order = _order(world, prescription)
    services.approved_return(
        actor=world.pharmacist, prescription_id=prescription.public_id, reasons=["stock"]
    )
    assert not Refund.objects.exists()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    # Paid anyway at the provider: no longer payable, so billing refunds it itself.
    billing.sandbox_confirm(woman=world.woman, order_id=order.public_id)
    run_billing_jobs()
    order.refresh_from_db()
    [refund] = Refund.objects.all()
    assert refund.reason == RefundReason.NOT_PAYABLE


def test_a_dispensed_one_cannot_be_returned(world: World) -> None:
    prescription = _approved(world)
    order = _order(world, prescription)
    billing.sandbox_confirm(woman=world.woman, order_id=order.public_id)
    run_billing_jobs()
    with transaction.atomic():
        prescription_dispense(actor=world.pharmacist, prescription_id=prescription.pk)
    with pytest.raises(DomainError) as info:
        services.approved_return(
            actor=world.pharmacist, prescription_id=prescription.public_id, reasons=["dose"]
        )
    assert info.value.code == "already_dispensed"
    prescription.refresh_from_db()
    order.refresh_from_db()
    assert (prescription.status, order.status) == (PrescriptionStatus.APPROVED, OrderStatus.PAID)
    assert not Refund.objects.exists()
    assert not AuditEvent.objects.filter(action="prescription_return_approved").exists()
