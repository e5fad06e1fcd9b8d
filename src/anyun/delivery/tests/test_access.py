"""Who reaches which delivery page and API route: anonymous, she, another woman, her
clinician, a nurse, the pharmacist. Another woman's delivery is 404, like a missing one; a
nurse or clinician cannot dispense."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from conftest import staff_client, woman_client
from django.test import Client

from anyun.accounts.models import User
from anyun.core.errors import NotFound
from anyun.delivery import selectors
from anyun.delivery.models import Fulfilment, FulfilmentStatus
from anyun.delivery.tests.conftest import API, approved_rx, home, pay
from anyun.prescribing.tests.conftest import World, later

pytestmark = pytest.mark.django_db


def client_for(world: World, who: str) -> Client:
    if who == "anonymous":
        return Client()
    user: User = getattr(world, who)
    return woman_client(user) if who in {"woman", "other_woman"} else staff_client(user)


HER_PAGE = {"anonymous": 302, "woman": 200, "other_woman": 404, "clinician": 404, "nurse": 404}
HER_PAGE["pharmacist"] = 404


@pytest.mark.parametrize(("who", "status"), HER_PAGE.items())
def test_her_delivery_page(world: World, pickup: Fulfilment, who: str, status: int) -> None:
    answer = client_for(world, who).get(f"/delivery/{pickup.public_id}/")
    assert answer.status_code == status


PHARMACY = {"anonymous": 302, "woman": 404, "other_woman": 404, "clinician": 404, "nurse": 404}
PHARMACY["pharmacist"] = 200


@pytest.mark.parametrize(("who", "status"), PHARMACY.items())
def test_the_pharmacy_pages(world: World, delivery: Fulfilment, who: str, status: int) -> None:
    client = client_for(world, who)
    assert client.get("/delivery/pharmacy/").status_code == status
    assert client.get(f"/delivery/pharmacy/{delivery.public_id}/").status_code == status


@pytest.mark.parametrize("who", ["woman", "other_woman", "clinician", "nurse"])
def test_no_one_but_the_pharmacist_dispenses_on_the_web(
    world: World, pickup: Fulfilment, who: str, time_machine: Any
) -> None:
    later(time_machine)  # a second signature takes the next one-time code
    home(world)
    delivery = pay(world, approved_rx(world), delivery=True)
    client = client_for(world, who)
    assert (
        client.post("/delivery/pharmacy/pickup/", {"code": pickup.pickup_code}).status_code == 404
    )
    act = client.post(f"/delivery/pharmacy/{delivery.public_id}/dispense/")
    assert act.status_code == 404
    pickup.refresh_from_db()
    delivery.refresh_from_db()
    assert (pickup.status, delivery.status) == (FulfilmentStatus.WAITING, FulfilmentStatus.WAITING)


API_MINE = {"anonymous": 401, "woman": 200, "other_woman": 404, "clinician": 403, "nurse": 403}
API_MINE["pharmacist"] = 403


@pytest.mark.parametrize(("who", "status"), API_MINE.items())
def test_her_delivery_in_the_api(world: World, pickup: Fulfilment, who: str, status: int) -> None:
    answer = client_for(world, who).get(f"{API}/mine/{pickup.public_id}")
    assert answer.status_code == status
    if status >= 400:
        assert set(answer.json()) >= {"code", "message", "field"}


API_DISPENSE = {"anonymous": 401, "woman": 403, "other_woman": 403, "clinician": 403}
API_DISPENSE["nurse"] = 403


@pytest.mark.parametrize(("who", "status"), API_DISPENSE.items())
def test_dispensing_in_the_api_is_the_pharmacists(
    world: World, pickup: Fulfilment, who: str, status: int
) -> None:
    answer = client_for(world, who).post(
        f"{API}/pharmacy/pickup", {"code": pickup.pickup_code}, content_type="application/json"
    )
    assert answer.status_code == status
    if who != "anonymous":
        assert answer.json()["code"] in {"not_pharmacist", "not_a_woman"}
    pickup.refresh_from_db()
    assert pickup.status == FulfilmentStatus.WAITING


def test_missing_and_not_hers_are_the_same_404(world: World, pickup: Fulfilment) -> None:
    for user, ident in ((world.other_woman, pickup.public_id), (world.woman, uuid.uuid4())):
        with pytest.raises(NotFound):
            selectors.access_fulfilment(user=user, fulfilment_id=ident)
    other = client_for(world, "other_woman").get(f"{API}/mine/{pickup.public_id}").json()
    missing = client_for(world, "woman").get(f"{API}/mine/{uuid.uuid4()}").json()
    assert other == missing


def test_another_woman_cannot_touch_her_addresses(world: World, delivery: Fulfilment) -> None:
    assert delivery.address is not None
    other = client_for(world, "other_woman")
    address_id = delivery.address.public_id
    assert other.post(f"/delivery/addresses/{address_id}/remove/").status_code == 404
    assert other.post(f"/delivery/addresses/{address_id}/default/").status_code == 404
    assert other.delete(f"{API}/addresses/{address_id}").status_code == 404
    assert other.get(f"{API}/addresses").json() == []
    delivery.address.refresh_from_db()
    assert delivery.address.removed_at is None
