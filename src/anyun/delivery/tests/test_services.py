"""Delivery rules: the fulfilment opened by the payment, pick-up by code, dispensing decrements
stock once, only a pharmacist dispenses, only paid approved prescriptions are dispensed, the
courier's timeline, a failure sent again or refunded, her address book."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from anyun.audit.models import AuditEvent
from anyun.billing import services as billing
from anyun.billing.models import OrderStatus, Refund
from anyun.core.errors import DomainError, NotFound, PermissionDenied
from anyun.delivery import services
from anyun.delivery.models import Address, EventKind, Fulfilment, FulfilmentStatus, Method
from anyun.delivery.providers import DeliveryProvider, Handover, Parcel, ProviderError, _provider
from anyun.delivery.tests.conftest import (
    approved_rx,
    home,
    order_of,
    pay,
    run_delivery_jobs,
)
from anyun.notify.models import Notification
from anyun.prescribing.dispensing import prescription_dispense
from anyun.prescribing.models import Drug, Prescription
from anyun.prescribing.services import prescriptions_expire_due
from anyun.prescribing.tests.conftest import World, signed

pytestmark = pytest.mark.django_db


def stock(code: str) -> int:
    return Drug.objects.get(code=code).stock


def kinds(fulfilment: Fulfilment) -> list[str]:
    return list(fulfilment.events.values_list("kind", flat=True))


# --- opened by the payment ------------------------------------------------------------------


def test_payment_without_delivery_opens_a_pickup_with_a_random_code(
    world: World, pickup: Fulfilment
) -> None:
    assert pickup.method == Method.PICKUP
    assert pickup.status == FulfilmentStatus.WAITING
    assert len(pickup.pickup_code) == services.CODE_LENGTH
    assert set(pickup.pickup_code) <= set(services.CODE_ALPHABET)
    assert kinds(pickup) == [EventKind.PAID]
    assert Notification.objects.filter(recipient=world.woman, kind="delivery_opened").count() == 1
    assert AuditEvent.objects.filter(action="delivery_open", object_id=str(pickup.public_id))


def test_codes_differ_and_an_open_code_is_unique(world: World) -> None:
    codes = {services.new_pickup_code() for _i in range(200)}
    assert len(codes) == 200


def test_payment_with_delivery_goes_to_her_default_address_with_a_promise(
    world: World, settings: Any
) -> None:
    settings.ANYUN_DELIVERY_PROMISE_HOURS = 6
    address = home(world)
    before = timezone.now()
    fulfilment = pay(world, approved_rx(world), delivery=True)
    assert fulfilment.method == Method.DELIVERY
    assert fulfilment.pickup_code == ""
    assert fulfilment.address == address
    assert fulfilment.promised_by is not None
    assert (
        before + timedelta(hours=6) <= fulfilment.promised_by <= timezone.now() + timedelta(hours=6)
    )


def test_delivery_without_an_address_waits_for_her_choice(world: World) -> None:
    fulfilment = pay(world, approved_rx(world), delivery=True)
    assert fulfilment.address is None
    assert fulfilment.promised_by is None
    with pytest.raises(DomainError) as refused:
        services.delivery_dispense(actor=world.pharmacist, fulfilment_id=fulfilment.public_id)
    assert refused.value.code == "address_missing"
    address = home(world)
    chosen = services.address_choose(
        woman=world.woman, fulfilment_id=fulfilment.public_id, address_id=address.public_id
    )
    assert chosen.address == address
    assert chosen.promised_by is not None
    assert kinds(chosen) == [EventKind.PAID, EventKind.ADDRESS]


# --- pick-up --------------------------------------------------------------------------------


def test_pickup_by_code_decrements_stock_once(world: World, pickup: Fulfilment) -> None:
    folic, iron = stock("folic_acid_0_4"), stock("ferrous_succinate_0_1")
    typed = " " + pickup.pickup_code[:5].lower() + " " + pickup.pickup_code[5:] + " "
    done = services.pickup_dispense(actor=world.pharmacist, code=typed)
    assert done.status == FulfilmentStatus.COLLECTED
    assert done.dispensed_by == world.pharmacist
    assert stock("folic_acid_0_4") == folic - 7
    assert stock("ferrous_succinate_0_1") == iron - 28
    done.prescription.refresh_from_db()
    assert done.prescription.dispensed_at == done.dispensed_at
    assert kinds(done) == [EventKind.PAID, EventKind.DISPENSED, EventKind.COLLECTED]
    with pytest.raises(NotFound):
        services.pickup_dispense(actor=world.pharmacist, code=pickup.pickup_code)
    assert stock("folic_acid_0_4") == folic - 7


def test_a_wrong_code_finds_nothing(world: World, pickup: Fulfilment) -> None:
    wrong = ("A" if pickup.pickup_code[0] != "A" else "B") + pickup.pickup_code[1:]
    for code in (wrong, "", pickup.pickup_code[:-1], pickup.pickup_code + "X"):
        with pytest.raises(NotFound):
            services.pickup_dispense(actor=world.pharmacist, code=code)
    assert Fulfilment.objects.get().status == FulfilmentStatus.WAITING


@pytest.mark.parametrize("who", ["nurse", "clinician", "woman", "head"])
def test_only_a_pharmacist_dispenses(world: World, pickup: Fulfilment, who: str) -> None:
    folic = stock("folic_acid_0_4")
    with pytest.raises(PermissionDenied) as refused:
        services.pickup_dispense(actor=getattr(world, who), code=pickup.pickup_code)
    assert refused.value.code == "not_pharmacist"
    assert stock("folic_acid_0_4") == folic


def test_short_stock_refuses_the_whole_dispense(world: World, pickup: Fulfilment) -> None:
    Drug.objects.filter(code="ferrous_succinate_0_1").update(stock=27)
    folic = stock("folic_acid_0_4")
    with pytest.raises(DomainError) as refused:
        services.pickup_dispense(actor=world.pharmacist, code=pickup.pickup_code)
    assert refused.value.code == "stock_short"
    assert stock("folic_acid_0_4") == folic
    assert stock("ferrous_succinate_0_1") == 27
    assert Fulfilment.objects.get().status == FulfilmentStatus.WAITING
    Drug.objects.filter(code="ferrous_succinate_0_1").update(stock=28)
    services.pickup_dispense(actor=world.pharmacist, code=pickup.pickup_code)
    assert stock("ferrous_succinate_0_1") == 0


# --- the dispensing rules (prescribing.dispensing) ------------------------------------------


def dispense(world: World, prescription: Prescription) -> Prescription:
    with transaction.atomic():
        return prescription_dispense(actor=world.pharmacist, prescription_id=prescription.pk)


def test_an_unpaid_approved_prescription_is_not_dispensed(world: World) -> None:
    with pytest.raises(DomainError) as refused:
        dispense(world, approved_rx(world))
    assert refused.value.code == "not_paid"


def test_an_unreviewed_prescription_is_not_dispensed(world: World) -> None:
    pending = signed(world)
    Prescription.objects.filter(pk=pending.pk).update(paid_at=timezone.now())
    with pytest.raises(DomainError) as refused:
        dispense(world, pending)
    assert refused.value.code == "not_approved"


def test_paid_after_expiry_is_not_dispensed(world: World, pickup: Fulfilment) -> None:
    rx = pickup.prescription
    assert rx.expires_at is not None
    Prescription.objects.filter(pk=rx.pk).update(paid_at=rx.expires_at + timedelta(minutes=1))
    with pytest.raises(DomainError) as refused:
        services.pickup_dispense(actor=world.pharmacist, code=pickup.pickup_code)
    assert refused.value.code == "paid_after_expiry"


def test_paid_in_time_is_dispensed_after_the_expiry_sweep(
    world: World, pickup: Fulfilment, time_machine: Any
) -> None:
    rx = pickup.prescription
    assert rx.expires_at is not None
    time_machine.move_to(rx.expires_at + timedelta(hours=1), tick=False)
    prescriptions_expire_due()
    done = services.pickup_dispense(actor=world.pharmacist, code=pickup.pickup_code)
    assert done.status == FulfilmentStatus.COLLECTED


# --- delivery -------------------------------------------------------------------------------


def test_delivery_timeline_dispensed_handed_over_delivered(
    world: World, delivery: Fulfilment, settings: Any, time_machine: Any
) -> None:
    settings.ANYUN_DELIVERY_DEMO_MINUTES = 30
    folic = stock("folic_acid_0_4")
    done = services.delivery_dispense(actor=world.pharmacist, fulfilment_id=delivery.public_id)
    assert done.status == FulfilmentStatus.DISPENSED
    assert "13800138000" in done.ship_to
    assert stock("folic_acid_0_4") == folic - 7
    assert run_delivery_jobs() == 1  # the hand-over; the courier comes in 30 minutes
    done.refresh_from_db()
    assert done.status == FulfilmentStatus.HANDED_OVER
    assert done.provider == "demo"
    assert done.provider_ref.startswith("DEMO")
    assert done.attempts == 1
    time_machine.move_to(timezone.now() + timedelta(minutes=31), tick=False)
    assert run_delivery_jobs() == 1
    done.refresh_from_db()
    assert done.status == FulfilmentStatus.DELIVERED
    assert kinds(done) == [
        EventKind.PAID,
        EventKind.DISPENSED,
        EventKind.HANDED_OVER,
        EventKind.DELIVERED,
    ]
    told = Notification.objects.filter(recipient=world.woman).values_list("kind", flat=True)
    assert {"delivery_dispensed", "delivery_handed_over", "delivery_delivered"} <= set(told)
    with pytest.raises(DomainError) as again:
        services.delivery_dispense(actor=world.pharmacist, fulfilment_id=delivery.public_id)
    assert again.value.code == "already_dispensed"
    assert stock("folic_acid_0_4") == folic - 7


def test_the_same_courier_news_twice_changes_nothing(world: World, delivery: Fulfilment) -> None:
    services.delivery_dispense(actor=world.pharmacist, fulfilment_id=delivery.public_id)
    services.handover_submit(fulfilment_id=delivery.pk)
    services.handover_submit(fulfilment_id=delivery.pk)  # a job run twice
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    ref = delivery.provider_ref
    assert services.provider_event(provider="demo", provider_ref=ref, event="delivered") is True
    assert services.provider_event(provider="demo", provider_ref=ref, event="delivered") is False
    assert services.provider_event(provider="demo", provider_ref=ref, event="failed") is False
    assert kinds(delivery).count(EventKind.DELIVERED) == 1
    with pytest.raises(NotFound):
        services.provider_event(provider="demo", provider_ref="DEMO-unknown", event="delivered")


def handed_over(world: World, delivery: Fulfilment) -> Fulfilment:
    services.delivery_dispense(actor=world.pharmacist, fulfilment_id=delivery.public_id)
    services.handover_submit(fulfilment_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery


def test_a_failed_delivery_is_sent_again(world: World, delivery: Fulfilment) -> None:
    parcel = handed_over(world, delivery)
    first = parcel.provider_ref
    services.provider_event(provider="demo", provider_ref=first, event="failed", note="无人签收")
    parcel.refresh_from_db()
    assert parcel.status == FulfilmentStatus.FAILED
    assert Notification.objects.filter(recipient=world.woman, kind="delivery_failed").count() == 1
    assert Notification.objects.filter(
        recipient=world.pharmacist, kind="delivery_failed_pharmacy"
    ).exists()
    folic = stock("folic_acid_0_4")
    again = services.delivery_resend(actor=world.pharmacist, fulfilment_id=parcel.public_id)
    assert again.status == FulfilmentStatus.DISPENSED
    services.handover_submit(fulfilment_id=parcel.pk)
    parcel.refresh_from_db()
    assert parcel.status == FulfilmentStatus.HANDED_OVER
    assert parcel.attempts == 2
    assert parcel.provider_ref != first
    assert stock("folic_acid_0_4") == folic  # sent again, not dispensed again
    assert kinds(parcel)[-3:] == [EventKind.FAILED, EventKind.RESENT, EventKind.HANDED_OVER]
    with pytest.raises(DomainError) as refused:
        services.delivery_resend(actor=world.pharmacist, fulfilment_id=parcel.public_id)
    assert refused.value.code == "not_failed"


def test_a_failed_delivery_is_refunded(world: World, delivery: Fulfilment) -> None:
    parcel = handed_over(world, delivery)
    services.delivery_fail(actor=world.pharmacist, fulfilment_id=parcel.public_id, note="地址错误")
    refunded = services.delivery_refund(actor=world.pharmacist, fulfilment_id=parcel.public_id)
    assert refunded.status == FulfilmentStatus.REFUNDED
    refund = Refund.objects.get()
    assert refund.amount_fen == order_of(parcel).amount_fen
    assert order_of(parcel).status == OrderStatus.REFUNDING
    run_delivery_jobs()  # the sandbox refund and its notification
    assert order_of(parcel).status == OrderStatus.REFUNDED
    assert Notification.objects.filter(recipient=world.woman, kind="delivery_refunded").exists()
    with pytest.raises(DomainError) as refused:
        services.delivery_refund(actor=world.pharmacist, fulfilment_id=parcel.public_id)
    assert refused.value.code == "not_failed"


def test_only_a_parcel_with_the_courier_can_fail(world: World, delivery: Fulfilment) -> None:
    with pytest.raises(DomainError) as refused:
        services.delivery_fail(actor=world.pharmacist, fulfilment_id=delivery.public_id)
    assert refused.value.code == "not_with_courier"


class RefusingProvider(DeliveryProvider):
    name = "refusing"

    def hand_over(self, parcel: Parcel) -> Handover:
        raise ProviderError("no courier today")


def test_a_refused_hand_over_is_a_failure(
    world: World, delivery: Fulfilment, settings: Any
) -> None:
    settings.ANYUN_DELIVERY_PROVIDER = f"{__name__}.RefusingProvider"
    _provider.cache_clear()
    try:
        services.delivery_dispense(actor=world.pharmacist, fulfilment_id=delivery.public_id)
        services.handover_submit(fulfilment_id=delivery.pk)
    finally:
        _provider.cache_clear()
    delivery.refresh_from_db()
    assert delivery.status == FulfilmentStatus.FAILED
    assert delivery.events.get(kind=EventKind.FAILED).note == "no courier today"


def test_the_address_is_fixed_once_on_its_way(world: World, delivery: Fulfilment) -> None:
    other = home(world, address="上海市徐汇区2号")
    parcel = handed_over(world, delivery)
    with pytest.raises(DomainError) as refused:
        services.address_choose(
            woman=world.woman, fulfilment_id=parcel.public_id, address_id=other.public_id
        )
    assert refused.value.code == "address_fixed"


def test_she_cannot_choose_anothers_address_or_delivery(world: World, delivery: Fulfilment) -> None:
    theirs = services.address_add(
        woman=world.other_woman, recipient="王", phone="13900139000", address="天津市1号"
    )
    with pytest.raises(NotFound):
        services.address_choose(
            woman=world.woman, fulfilment_id=delivery.public_id, address_id=theirs.public_id
        )
    with pytest.raises(NotFound):
        services.address_choose(
            woman=world.other_woman, fulfilment_id=delivery.public_id, address_id=theirs.public_id
        )


# --- the address book -----------------------------------------------------------------------


def test_address_book_one_default_encrypted_at_rest(world: World) -> None:
    first = home(world)
    second = home(world, address="上海市徐汇区2号", make_default=True)
    first.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)
    services.address_make_default(woman=world.woman, address_id=first.public_id)
    second.refresh_from_db()
    assert second.is_default is False
    services.address_remove(woman=world.woman, address_id=first.public_id)
    second.refresh_from_db()
    assert second.is_default is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, address FROM delivery_address WHERE id = %s", [second.pk])
        phone, address = cursor.fetchone()
    assert "13800138000" not in phone
    assert "上海" not in address
    assert [a.pk for a in services.addresses_read(woman=world.woman)] == [second.pk]


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("phone", {"phone": "call me"}),
        ("recipient", {"recipient": "  "}),
        ("address", {"address": "x" * 301}),
    ],
)
def test_address_checks(world: World, field: str, values: dict[str, str]) -> None:
    with pytest.raises(DomainError) as refused:
        home(world, **values)
    assert refused.value.field == field
    assert not Address.objects.exists()


def test_at_most_ten_addresses(world: World) -> None:
    for n in range(10):
        home(world, address=f"北京市{n}号")
    with pytest.raises(DomainError) as refused:
        home(world)
    assert refused.value.code == "too_many_addresses"


def test_only_she_keeps_an_address_book(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.address_add(
            woman=world.pharmacist, recipient="x", phone="13800138000", address="y"
        )


def test_a_refund_before_dispensing_closes_the_pickup(world: World, pickup: Fulfilment) -> None:
    order = order_of(pickup)
    billing.order_cancel(woman=world.woman, order_id=order.public_id)
    run_delivery_jobs()  # the sandbox refund and its notification
    assert order_of(pickup).status == OrderStatus.REFUNDED
    pickup.refresh_from_db()
    assert pickup.status == FulfilmentStatus.REFUNDED
    assert kinds(pickup) == [EventKind.PAID, EventKind.REFUNDED]
    with pytest.raises(NotFound):
        services.pickup_dispense(actor=world.pharmacist, code=pickup.pickup_code)


def test_once_dispensed_she_cannot_cancel_for_a_refund(world: World, pickup: Fulfilment) -> None:
    services.pickup_dispense(actor=world.pharmacist, code=pickup.pickup_code)
    with pytest.raises(DomainError) as refused:
        billing.order_cancel(woman=world.woman, order_id=order_of(pickup).public_id)
    assert refused.value.code == "not_refundable"
    assert order_of(pickup).status == OrderStatus.PAID
