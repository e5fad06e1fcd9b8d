"""Cancelling a lab order: who may, until when, the refund of a paid one, who is told, and
the page and API with their access."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import staff_client, woman_client
from django.test import Client
from django.utils.translation import gettext

from anyun.accounts.models import User
from anyun.audit.models import AuditEvent
from anyun.billing import services as billing
from anyun.billing.models import OrderStatus as PaymentStatus
from anyun.billing.models import PaymentOrder, Refund, RefundReason, RefundStatus
from anyun.billing.tests.conftest import run_billing_jobs
from anyun.careteam.services import care_team_assign
from anyun.core.errors import DomainError, NotFound, PermissionDenied
from anyun.notify.models import Notification
from anyun.orders import payable, selectors, services
from anyun.orders.models import LabOrder, OrderStatus
from anyun.orders.tests.conftest import World, next_weekday_morning, order, report, v

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orders"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def refused(code: str, **kwargs: Any) -> None:
    with pytest.raises(DomainError) as info:
        services.order_cancel(**kwargs)
    assert info.value.code == code, info.value.message


def paid(world: World, lab_order: LabOrder) -> PaymentOrder:
    payment, _created = billing.order_create(
        woman=world.woman, kind="lab_order", ref=str(lab_order.public_id)
    )
    billing.sandbox_confirm(woman=world.woman, order_id=payment.public_id)
    run_billing_jobs()
    payment.refresh_from_db()
    lab_order.refresh_from_db()
    assert payment.status == PaymentStatus.PAID and lab_order.paid_at is not None
    return payment


def test_the_ordering_clinician_cancels_with_a_reason_and_she_is_told(world: World) -> None:
    found = order(world, "fbc")
    refused("reason_required", actor=world.clinician, order_id=found.public_id, reason=" ")
    done = services.order_cancel(
        actor=world.clinician, order_id=found.public_id, reason="Done at the other hospital"
    )
    assert (done.status, done.cancelled_by, done.cancel_reason) == (
        OrderStatus.CANCELLED,
        world.clinician,
        "Done at the other hospital",
    )
    assert done.cancelled_at is not None
    told = Notification.objects.get(kind="lab_order_cancelled")
    assert (told.recipient, told.link) == (world.woman, f"/orders/mine/{found.public_id}/")
    assert told.body == gettext("Your clinician cancelled these tests. You need not come for them.")
    event = AuditEvent.objects.get(action="lab_order_cancel")
    assert (event.actor, event.subject, event.detail) == (
        world.clinician,
        world.woman,
        {"reason": "Done at the other hospital", "refund": ""},
    )
    assert not Refund.objects.exists()
    # Not on her to-do list, not payable, no result can be recorded for it, not cancelled twice.
    assert selectors.todo_of(world.woman) == []
    assert payable.is_payable(str(found.public_id)) is False
    assert payable.ready_for(world.woman) == []
    refused("order_not_cancellable", actor=world.clinician, order_id=found.public_id, reason="x")
    with pytest.raises(DomainError) as info:
        report(world, found, v("hb", 120))
    assert info.value.code == "order_cancelled"


def test_a_paid_order_is_refunded(world: World) -> None:
    found = order(world, "fbc", "urinalysis")
    payment = paid(world, found)
    services.order_cancel(actor=world.clinician, order_id=found.public_id, reason="Not needed")
    [refund] = Refund.objects.all()
    assert (refund.reason, refund.amount_fen, refund.requested_by) == (
        RefundReason.CANCELLED,
        3000,
        world.clinician,
    )
    told = Notification.objects.get(kind="lab_order_cancelled")
    assert told.body == gettext("Your clinician cancelled these tests. Your payment is refunded.")
    run_billing_jobs()
    refund.refresh_from_db()
    payment.refresh_from_db()
    found.refresh_from_db()
    assert (refund.status, payment.status) == (RefundStatus.SUCCEEDED, PaymentStatus.REFUNDED)
    assert found.paid_at is None
    assert AuditEvent.objects.get(action="lab_order_cancel").detail["refund"] == refund.number


def test_another_clinician_of_her_team_may_cancel(
    world: World, make_clinician: Callable[..., User]
) -> None:
    colleague = make_clinician()
    care_team_assign(actor=world.head, woman=world.woman, member=colleague)
    found = order(world, "fbc")
    services.order_cancel(actor=colleague, order_id=found.public_id, reason="Repeated by mistake")
    found.refresh_from_db()
    assert found.status == OrderStatus.CANCELLED


def test_she_cancels_her_own_unpaid_unbooked_one_only(world: World) -> None:
    found = order(world, "fbc")
    services.order_cancel(actor=world.woman, order_id=found.public_id, reason="I had it done")
    found.refresh_from_db()
    assert found.status == OrderStatus.CANCELLED
    told = Notification.objects.get(kind="lab_order_cancelled")
    assert told.recipient == world.clinician
    booked = order(world, "fbc")
    services.order_book(
        actor=world.woman, order_id=booked.public_id, starts_at=next_weekday_morning()
    )
    refused(
        "order_not_cancellable_by_her", actor=world.woman, order_id=booked.public_id, reason="x"
    )
    bought = order(world, "urinalysis")
    paid(world, bought)
    refused(
        "order_not_cancellable_by_her", actor=world.woman, order_id=bought.public_id, reason="x"
    )
    assert LabOrder.objects.filter(status=OrderStatus.CANCELLED).count() == 1


def test_who_may_not_cancel(world: World) -> None:
    found = order(world, "fbc")
    with pytest.raises(PermissionDenied):
        services.order_cancel(actor=world.nurse, order_id=found.public_id, reason="x")
    with pytest.raises(PermissionDenied):
        services.order_cancel(actor=world.pharmacist, order_id=found.public_id, reason="x")
    for actor in (world.outsider, world.other_woman):
        with pytest.raises(NotFound):
            services.order_cancel(actor=actor, order_id=found.public_id, reason="x")
    found.refresh_from_db()
    assert found.status == OrderStatus.ORDERED
    assert not AuditEvent.objects.filter(action="lab_order_cancel").exists()


def test_not_once_a_result_is_in(world: World) -> None:
    found = order(world, "fbc", "urinalysis")
    report(world, found, v("hb", 120))
    refused("order_not_cancellable", actor=world.clinician, order_id=found.public_id, reason="x")


def _post(client: Client, path: str, data: Any) -> Any:
    return client.post(f"{BASE}{path}", data, content_type="application/json")


def test_api_cancel_and_access(world: World) -> None:
    found = order(world, "fbc")
    path = f"/{found.public_id}/cancel"
    assert _post(Client(), path, {"reason": "x"}).status_code == 401
    assert _post(woman_client(world.other_woman), path, {"reason": "x"}).status_code == 404
    assert _post(staff_client(world.outsider), path, {"reason": "x"}).status_code == 404
    nurse = _post(staff_client(world.nurse), path, {"reason": "x"})
    assert (nurse.status_code, nurse.json()["code"]) == (403, "not_orderer")
    empty = _post(staff_client(world.clinician), path, {"reason": ""})
    assert (empty.status_code, empty.json()["field"]) == (400, "reason")
    done = _post(staff_client(world.clinician), path, {"reason": "Not needed"})
    assert done.status_code == 200
    assert done.json()["status"] == "cancelled"
    assert done.json()["cancel_reason"] == "Not needed"


def test_pages_cancel_and_access(world: World) -> None:
    found = order(world, "fbc")
    doctor = staff_client(world.clinician)
    page = doctor.get(f"/orders/clinic/{found.public_id}/", **EN).content.decode()
    assert 'data-testid="cancel-form"' in page
    path = f"/orders/clinic/{found.public_id}/cancel/"
    assert staff_client(world.nurse).post(path, {"reason": "x"}, **EN).status_code == 404
    assert staff_client(world.outsider).post(path, {"reason": "x"}, **EN).status_code == 404
    bad = doctor.post(path, {"reason": ""}, **EN)
    assert "State why the order is cancelled." in bad.content.decode()
    done = doctor.post(path, {"reason": "Not needed"}, **EN)
    assert done["Location"] == f"/orders/clinic/{found.public_id}/"
    found.refresh_from_db()
    assert found.status == OrderStatus.CANCELLED
    after = doctor.get(f"/orders/clinic/{found.public_id}/", **EN).content.decode()
    assert "Not needed" in after and 'data-testid="cancel-form"' not in after
    # Hers: the page offers cancelling her own unpaid, unbooked one.
    mine = order(world, "urinalysis")
    hers = woman_client(world.woman)
    assert (
        'data-testid="cancel-form"'
        in hers.get(f"/orders/mine/{mine.public_id}/", **EN).content.decode()
    )
    mine_path = f"/orders/mine/{mine.public_id}/cancel/"
    assert woman_client(world.other_woman).post(mine_path, {"reason": "x"}).status_code == 404
    gone = hers.post(mine_path, {"reason": "I had it done"}, **EN)
    assert gone["Location"] == f"/orders/mine/{mine.public_id}/"
    mine.refresh_from_db()
    assert mine.status == OrderStatus.CANCELLED
