"""The delivery API: her address book and choice, the pharmacist's queue and actions, the
refusals in the JSON error shape."""

from __future__ import annotations

import pytest
from conftest import staff_client, woman_client
from django.test import Client

from anyun.delivery.models import FulfilmentStatus
from anyun.delivery.tests.conftest import API, approved_rx, pay, run_delivery_jobs
from anyun.prescribing.models import Drug
from anyun.prescribing.tests.conftest import World

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, data: object = None) -> object:
    return client.post(f"{API}{path}", data or {}, content_type="application/json")


def test_her_delivery_through_the_api(world: World) -> None:
    fulfilment = pay(world, approved_rx(world), delivery=True)
    her = woman_client(world.woman)
    mine = her.get(f"{API}/mine").json()
    assert [(m["method"], m["status"], m["address"]) for m in mine] == [
        ("delivery", "waiting", None)
    ]
    saved = post(
        her, "/addresses", {"recipient": "陈思", "phone": "13800138000", "address": "北京"}
    )
    assert saved.status_code == 201  # type: ignore[attr-defined]
    address = saved.json()  # type: ignore[attr-defined]
    assert address["is_default"] is True
    chosen = post(her, f"/mine/{fulfilment.public_id}/address", {"address_id": address["id"]})
    assert chosen.json()["address"]["id"] == address["id"]  # type: ignore[attr-defined]
    assert chosen.json()["promised_by"] is not None  # type: ignore[attr-defined]

    desk = staff_client(world.pharmacist)
    queue = desk.get(f"{API}/pharmacy").json()
    assert [f["id"] for f in queue["to_dispense"]] == [str(fulfilment.public_id)]
    done = post(desk, f"/pharmacy/{fulfilment.public_id}/dispense")
    assert done.json()["status"] == "dispensed"  # type: ignore[attr-defined]
    again = post(desk, f"/pharmacy/{fulfilment.public_id}/dispense")
    assert again.status_code == 400  # type: ignore[attr-defined]
    assert again.json()["code"] == "already_dispensed"  # type: ignore[attr-defined]
    run_delivery_jobs()
    one = desk.get(f"{API}/pharmacy/{fulfilment.public_id}").json()
    assert one["status"] == "handed_over"
    assert [e["kind"] for e in one["events"]] == ["paid", "address", "dispensed", "handed_over"]
    failed = post(desk, f"/pharmacy/{fulfilment.public_id}/fail", {"note": "拒收"})
    assert failed.json()["status"] == "failed"  # type: ignore[attr-defined]
    resent = post(desk, f"/pharmacy/{fulfilment.public_id}/resend")
    assert resent.json()["status"] == "dispensed"  # type: ignore[attr-defined]


def test_pickup_through_the_api(world: World, pickup: object) -> None:
    her = woman_client(world.woman)
    mine = her.get(f"{API}/mine").json()
    code = mine[0]["pickup_code"]
    assert code and len(code) == 10
    desk = staff_client(world.pharmacist)
    assert desk.get(f"{API}/pharmacy").json()["pickups_waiting"] == 1
    folic = Drug.objects.get(code="folic_acid_0_4").stock
    done = post(desk, "/pharmacy/pickup", {"code": code})
    assert done.json()["status"] == FulfilmentStatus.COLLECTED  # type: ignore[attr-defined]
    assert done.json()["pickup_code"] is None  # type: ignore[attr-defined]
    assert Drug.objects.get(code="folic_acid_0_4").stock == folic - 7
    again = post(desk, "/pharmacy/pickup", {"code": code})
    assert again.status_code == 404  # type: ignore[attr-defined]
    assert her.get(f"{API}/mine").json()[0]["pickup_code"] is None


def test_refusals_name_the_field(world: World) -> None:
    her = woman_client(world.woman)
    bad = post(her, "/addresses", {"recipient": "陈思", "phone": "abc", "address": "北京"})
    assert bad.status_code == 400  # type: ignore[attr-defined]
    assert bad.json()["field"] == "phone"  # type: ignore[attr-defined]
    missing = post(her, "/addresses", {"recipient": "陈思"})
    assert missing.status_code == 422  # type: ignore[attr-defined]


def test_the_api_documents_its_routes(world: World) -> None:
    schema = Client().get("/api/openapi.json").json()
    assert "/api/v1/delivery/pharmacy/pickup" in schema["paths"]
    assert "/api/v1/delivery/mine/{fulfilment_id}" in schema["paths"]
