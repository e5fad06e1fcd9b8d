"""Her pages (the code, the QR as server-drawn SVG, the address choice, the address book) and
the pharmacist's (the queue, the code form, dispensing, a failure resent), in Chinese."""

from __future__ import annotations

import pytest
from conftest import staff_client, woman_client

from anyun.audit.models import AuditEvent
from anyun.delivery import services
from anyun.delivery.models import Address, Fulfilment, FulfilmentStatus
from anyun.delivery.tests.conftest import approved_rx, home, pay, run_delivery_jobs
from anyun.prescribing.tests.conftest import World

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_her_pickup_page_shows_the_code_and_qr(world: World, pickup: Fulfilment) -> None:
    her = woman_client(world.woman)
    page = her.get(f"/delivery/{pickup.public_id}/", **ZH).content.decode()
    assert pickup.pickup_code in page
    assert "<svg" in page and "<script" not in page.split("</header>", 1)[-1]
    assert "您的取药码" in page
    listing = her.get("/delivery/", **ZH).content.decode()
    assert f"/delivery/{pickup.public_id}/" in listing
    assert AuditEvent.objects.filter(action="delivery_read", object_id=str(pickup.public_id))


def test_she_adds_an_address_and_chooses_it(world: World) -> None:
    fulfilment = pay(world, approved_rx(world), delivery=True)
    her = woman_client(world.woman)
    page = her.get(f"/delivery/{fulfilment.public_id}/", **ZH).content.decode()
    assert 'data-testid="add-address-link"' in page
    back = f"/delivery/{fulfilment.public_id}/"
    saved = her.post(
        f"/delivery/addresses/?next={back}",
        {"recipient": "陈思", "phone": "13800138000", "address": "北京市朝阳区1号", "next": back},
    )
    assert saved.status_code == 302 and saved["Location"] == back
    address = Address.objects.get()
    assert address.is_default
    chosen = her.post(f"/delivery/{fulfilment.public_id}/address/", {"address": address.public_id})
    assert chosen.status_code == 302
    fulfilment.refresh_from_db()
    assert fulfilment.address == address


def test_an_unsafe_next_is_ignored(world: World) -> None:
    her = woman_client(world.woman)
    answer = her.post(
        "/delivery/addresses/",
        {"recipient": "陈思", "phone": "13800138000", "address": "北京", "next": "//evil.example"},
    )
    assert answer["Location"] == "/delivery/addresses/"


def test_a_bad_phone_is_shown_beside_the_field(world: World) -> None:
    page = woman_client(world.woman).post(
        "/delivery/addresses/", {"recipient": "陈思", "phone": "abc", "address": "北京"}, **ZH
    )
    assert page.status_code == 200
    assert "请输入有效的电话号码" in page.content.decode()
    assert not Address.objects.exists()


def test_the_pharmacist_dispenses_a_pickup_by_code(world: World, pickup: Fulfilment) -> None:
    desk = staff_client(world.pharmacist)
    queue = desk.get("/delivery/pharmacy/", **ZH).content.decode()
    assert "取药" in queue
    answer = desk.post("/delivery/pharmacy/pickup/", {"code": pickup.pickup_code.lower()})
    assert answer.status_code == 302
    assert answer["Location"] == f"/delivery/pharmacy/{pickup.public_id}/"
    pickup.refresh_from_db()
    assert pickup.status == FulfilmentStatus.COLLECTED
    again = desk.post("/delivery/pharmacy/pickup/", {"code": pickup.pickup_code}, follow=True, **ZH)
    assert "没有以此取药码等待取药的记录" in again.content.decode()


def test_the_pharmacist_dispenses_resends_and_refunds(world: World, delivery: Fulfilment) -> None:
    desk = staff_client(world.pharmacist)
    queue = desk.get("/delivery/pharmacy/").content.decode()
    assert f"/delivery/pharmacy/{delivery.public_id}/" in queue
    base = f"/delivery/pharmacy/{delivery.public_id}"
    assert desk.post(f"{base}/dispense/").status_code == 302
    run_delivery_jobs()
    delivery.refresh_from_db()
    assert delivery.status == FulfilmentStatus.HANDED_OVER
    page = desk.get(f"{base}/").content.decode()
    assert delivery.provider_ref in page
    desk.post(f"{base}/fail/", {"note": "电话无人接听"})
    desk.post(f"{base}/resend/")
    delivery.refresh_from_db()
    assert delivery.status == FulfilmentStatus.DISPENSED
    run_delivery_jobs()
    services.provider_event(
        provider="demo",
        provider_ref=Fulfilment.objects.get().provider_ref,
        event="failed",
    )
    desk.post(f"{base}/refund/")
    delivery.refresh_from_db()
    assert delivery.status == FulfilmentStatus.REFUNDED
    assert desk.post(f"{base}/nonsense/").status_code == 404


def test_her_home_and_the_workstation_link_the_pages(world: World) -> None:
    assert "/delivery/" in woman_client(world.woman).get("/").content.decode()
    home_page = staff_client(world.pharmacist).get("/clinic/", follow=True).content.decode()
    assert "/delivery/pharmacy/" in home_page


def test_her_address_book_page(world: World) -> None:
    home(world, label="家")
    page = woman_client(world.woman).get("/delivery/addresses/", **ZH).content.decode()
    assert "家" in page and "13800138000" in page


def test_the_pharmacy_sees_her_colour_beside_her_name(world: World, delivery: Fulfilment) -> None:
    pharmacy = staff_client(world.pharmacist)
    queue = pharmacy.get("/delivery/pharmacy/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = queue.split('data-testid="dispense-row"', 1)[1].split("</tr>", 1)[0]
    assert f"{world.woman} " in row and 'data-testid="risk-badge"' in row
    assert "Green · low risk" in row  # graded green at her in-person visit
    page = pharmacy.get(f"/delivery/pharmacy/{delivery.public_id}/", HTTP_ACCEPT_LANGUAGE="en")
    heading = page.content.decode().split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert str(world.woman) in heading and "Green · low risk" in heading
