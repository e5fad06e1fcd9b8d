"""The consultation fee: her received consultation, once, at the configured fee, offered on
her payments page; none when the fee is 0 or she was referred; not another woman's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import woman_client

from anyun.billing import consultation_fee, services
from anyun.billing.models import OrderStatus, PaymentOrder
from anyun.billing.registry import kind_of
from anyun.consultation.models import ConsultationStatus
from anyun.consultation.services import consultation_refer
from anyun.core.errors import DomainError, NotFound
from anyun.prescribing.tests.conftest import World

pytestmark = pytest.mark.django_db


def create(world: World, **kw: Any) -> PaymentOrder:
    order, _created = services.order_create(
        woman=kw.pop("woman", world.woman),
        kind="consultation",
        ref=str(world.consultation.public_id),
    )
    return order


def test_registered_by_billing() -> None:
    kind = kind_of("consultation")
    assert kind is not None and kind.describe is consultation_fee.describe


def test_no_fee_by_default_offers_nothing(world: World, settings: Any) -> None:
    settings.ANYUN_CONSULTATION_FEE_FEN = 0
    assert consultation_fee.ready_for(world.woman) == []
    with pytest.raises(DomainError) as info:
        create(world)
    assert info.value.code == "not_payable"
    assert not PaymentOrder.objects.exists()


def test_she_pays_her_consultation_once(
    world: World, settings: Any, jobs: Callable[[], int]
) -> None:
    settings.ANYUN_CONSULTATION_FEE_FEN = 3000
    [ready] = consultation_fee.ready_for(world.woman)
    assert (ready.ref, ready.amount_fen) == (str(world.consultation.public_id), 3000)
    order = create(world)
    assert (order.amount_fen, order.lines[0]["code"], order.status) == (
        3000,
        "consultation",
        OrderStatus.PENDING,
    )
    assert create(world).pk == order.pk  # asked again while it waits: the same order
    services.sandbox_confirm(woman=world.woman, order_id=order.public_id)
    jobs()
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert consultation_fee.ready_for(world.woman) == []
    with pytest.raises(DomainError) as info:
        create(world)
    assert info.value.code == "already_paid"
    assert PaymentOrder.objects.count() == 1


def test_not_another_womans_and_not_a_referred_one(world: World, settings: Any) -> None:
    settings.ANYUN_CONSULTATION_FEE_FEN = 3000
    with pytest.raises(NotFound):
        create(world, woman=world.other_woman)
    assert consultation_fee.ready_for(world.other_woman) == []
    referred = consultation_refer(
        actor=world.clinician,
        consultation_id=world.consultation.public_id,
        reason="Blood pressure 160/110",
        urgency="now",
    )
    assert referred.status == ConsultationStatus.REFERRED
    assert consultation_fee.ready_for(world.woman) == []
    assert consultation_fee.is_payable(str(world.consultation.public_id)) is False
    with pytest.raises(DomainError) as info:
        create(world)
    assert info.value.code == "not_payable"


def test_her_payments_page_offers_it(world: World, settings: Any) -> None:
    settings.ANYUN_CONSULTATION_FEE_FEN = 3000
    page = woman_client(world.woman).get("/billing/", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Online consultation" in text
    assert f"/billing/new/consultation/{world.consultation.public_id}/" in text
    other = woman_client(world.other_woman).get("/billing/", HTTP_ACCEPT_LANGUAGE="en")
    assert str(world.consultation.public_id) not in other.content.decode()
