"""Her colour badge (in words, not colour alone) beside her name on the clinician's lab pages:
the lists of the clinic home, the order form, the order with its result entry and the report;
the home reads the colours once, however many rows it lists."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from conftest import staff_client
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anyun.assessment.tests.badges import GREEN, ORANGE, regrade_orange, squash
from anyun.orders.selectors import woman_name
from anyun.orders.tests.conftest import World, order, report, v
from anyun.orders.tests.test_consultation import _consultation

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def heading(page: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    assert found is not None
    return squash(found.group(1)).strip()


def test_her_colour_beside_her_name_in_each_list_of_the_clinic_home(
    world: World, tomorrow: datetime
) -> None:
    regrade_orange(actor=world.clinician, woman=world.woman)
    held = _consultation(world, timezone.localtime(tomorrow).replace(hour=9))
    report(world, order(world, "fbc"), v("hb", 98))
    report(world, order(world, "fbc", woman=world.other_woman), v("hb", 120))
    page = squash(staff_client(world.clinician).get("/orders/clinic/", **EN).content.decode())
    name, other = woman_name(world.woman), woman_name(world.other_woman)

    results = re.findall(r'<tr data-testid="clinic-report".*?</tr>', page, re.S)
    assert len(results) == 2
    assert f"{name}</a>{ORANGE}</td>" in results[0]  # her abnormal result first
    assert f"{other}</a>{GREEN}</td>" in results[1]
    consultations = re.search(r'data-testid="order-from-consultation">(.*?)</ul>', page, re.S)
    assert consultations is not None
    assert re.findall(r"<li>.*?</li>", consultations.group(1)) == [
        f'<li><a href="/orders/clinic/woman/{world.woman.public_id}/new/?consultation='
        f'{held.public_id}">{timezone.localtime(held.opened_at):%Y-%m-%d %H:%M} · '
        f"{world.woman}</a>{ORANGE}</li>"
    ]
    team = re.search(r'data-testid="order-for-woman">(.*?)</section>', page, re.S)
    assert team is not None
    assert sorted(re.findall(r"<li>.*?</li>", team.group(1))) == sorted(
        [
            f'<li><a href="/orders/clinic/woman/{world.woman.public_id}/new/">{name}</a>{ORANGE}</li>',
            f'<li><a href="/orders/clinic/woman/{world.other_woman.public_id}/new/">{other}</a>'
            f"{GREEN}</li>",
        ]
    )


def test_her_colour_in_the_heading_of_the_order_form_the_order_and_the_report(
    world: World,
) -> None:
    regrade_orange(actor=world.clinician, woman=world.woman)
    found = order(world, "fbc")
    entered = report(world, found, v("hb", 98))
    doctor = staff_client(world.clinician)
    name = woman_name(world.woman)
    for url, words in (
        (f"/orders/clinic/woman/{world.woman.public_id}/new/", f"Order tests for {name}"),
        (f"/orders/clinic/{found.public_id}/", f"Lab order for {name}"),
        (f"/orders/clinic/results/{entered.public_id}/", f"Lab report of {name}"),
    ):
        page = doctor.get(url, **EN)
        assert page.status_code == 200, url
        assert heading(page.content.decode()) == f"{words}{ORANGE}", url
    nurse = staff_client(world.nurse).get(f"/orders/clinic/{found.public_id}/", **EN)
    assert heading(nurse.content.decode()) == f"Lab order for {name}{ORANGE}"


def test_the_clinic_home_reads_the_colours_once_however_many_rows(world: World) -> None:
    regrade_orange(actor=world.clinician, woman=world.woman)
    report(world, order(world, "fbc"), v("hb", 98))
    doctor = staff_client(world.clinician)
    doctor.get("/orders/clinic/", **EN)  # sessions and caches warmed
    with CaptureQueriesContext(connection) as one:
        first = doctor.get("/orders/clinic/", **EN)
    assert first.content.decode().count('data-testid="risk-badge"') == 1 + 2
    report(world, order(world, "fbc"), v("hb", 97))
    report(world, order(world, "fbc", woman=world.other_woman), v("hb", 96))
    with CaptureQueriesContext(connection) as three:
        page = doctor.get("/orders/clinic/", **EN)
    text = page.content.decode()
    assert text.count('data-testid="clinic-report"') == 3
    assert text.count('data-testid="risk-badge"') == 3 + 2
    assert text.count(ORANGE) == 2 + 1 and text.count(GREEN) == 1 + 1
    assert len(three.captured_queries) == len(one.captured_queries)
    colour_reads = [
        q["sql"] for q in three.captured_queries if 'FROM "assessment_riskgrading"' in q["sql"]
    ]
    assert len(colour_reads) == 1
