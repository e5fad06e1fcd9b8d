"""Her prescription page links her pick-up or delivery of it once she has paid (delivery
registers the page with prescribing's `links`); the link opens for her and for no one else."""

from __future__ import annotations

import pytest
from conftest import woman_client

from anyun.billing import services as billing
from anyun.billing.tests.conftest import run_billing_jobs
from anyun.delivery.models import Fulfilment
from anyun.prescribing import services
from anyun.prescribing.models import Prescription
from anyun.prescribing.tests.conftest import World, signed

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
LINK_TEXT = "Pick up or follow the delivery of your medicines"


def approved(world: World) -> Prescription:
    prescription = signed(world)
    services.review_decide(
        actor=world.pharmacist, prescription_id=prescription.public_id, decision="approved"
    )
    return prescription


def pay(world: World, prescription: Prescription) -> None:
    order, _created = billing.order_create(
        woman=world.woman, kind="prescription", ref=str(prescription.public_id)
    )
    billing.sandbox_confirm(woman=world.woman, order_id=order.public_id)
    run_billing_jobs()


def test_her_paid_prescription_links_her_pick_up(world: World) -> None:
    prescription = approved(world)
    her = woman_client(world.woman)
    page = f"/prescribing/mine/{prescription.public_id}/"
    before = her.get(page, **EN).content.decode()
    assert LINK_TEXT not in before
    assert 'data-testid="pickup-link"' not in before
    assert "You can pay and choose pick-up or delivery once payment opens here." in before

    pay(world, prescription)
    pickup = Fulfilment.objects.get(prescription=prescription)
    link = f"/delivery/{pickup.public_id}/"
    after = her.get(page, **EN).content.decode()
    assert (
        f'<a class="btn primary" href="{link}" data-testid="pickup-link">{LINK_TEXT}</a>' in after
    )
    assert "once payment opens here" not in after
    opened = her.get(link, **EN)
    assert opened.status_code == 200
    assert f'data-testid="pickup-code">{pickup.pickup_code}<' in opened.content.decode()
    # Another woman is not shown her pick-up, nor her prescription.
    other = woman_client(world.other_woman)
    assert other.get(link, **EN).status_code == 404
    assert other.get(page, **EN).status_code == 404
