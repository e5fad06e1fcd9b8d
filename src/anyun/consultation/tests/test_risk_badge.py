"""Her risk colour, in words, beside her name on the clinician's consultation pages: the list
of open consultations and of records to finish, the consultation room, the record; and the
scheduling workstation's no-show tracing list."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from conftest import staff_client

from anyun.consultation import services
from anyun.consultation.tests.conftest import Room
from anyun.scheduling import services as scheduling
from anyun.scheduling.tests.conftest import Clinic, at, book

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
# She was graded green at her in-person visit (scheduling's seen_in_person).
GREEN = (
    '<span class="risk-badges" data-testid="risk-badge" data-colour="green">'
    '<span class="badge risk risk-green">Green · low risk</span></span>'
)


def test_the_room_and_the_record_show_her_colour_in_the_heading(room: Room) -> None:
    client = staff_client(room.clinician)
    page = client.get(f"/consultation/{room.consultation.public_id}/", **EN).content.decode()
    assert re.search(r"<h1>Consultation · [^<]* " + re.escape(GREEN) + r"\s*</h1>", page)
    record = client.get(f"/consultation/{room.consultation.public_id}/record/", **EN)
    assert re.search(
        r"<h1>Consultation record · [^<]* " + re.escape(GREEN) + r"\s*</h1>",
        record.content.decode(),
    )


def test_the_clinic_lists_show_her_colour_beside_her_name(room: Room) -> None:
    client = staff_client(room.clinician)
    listing = client.get("/consultation/clinic/", **EN).content.decode()
    open_list = listing.split('data-testid="open-consultations"')[1].split("</ul>")[0]
    assert open_list.count(GREEN) == 1
    services.consultation_end(actor=room.clinician, consultation_id=room.consultation.public_id)
    listing = client.get("/consultation/clinic/", **EN).content.decode()
    records = listing.split('data-testid="records-open"')[1].split("</ul>")[0]
    assert records.count(GREEN) == 1


def test_the_no_show_tracing_list_shows_her_colour(
    clinic: Clinic, time_machine: Any, tomorrow: datetime
) -> None:
    time_machine.move_to(at(tomorrow, 6), tick=False)
    book(clinic, clinic.woman, at(tomorrow, 9))
    time_machine.move_to(at(tomorrow, 12), tick=False)
    scheduling.no_shows_mark()
    listing = staff_client(clinic.clinician).get("/scheduling/clinic/tracing/", **EN)
    assert listing.content.decode().count(GREEN) == 1
