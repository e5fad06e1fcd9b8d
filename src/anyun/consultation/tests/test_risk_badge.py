"""Her risk colour, in words, beside her name on the clinician's consultation pages: the list
of open consultations and of records to finish, the consultation room, the record; and the
scheduling workstation's no-show tracing list. A colour that allows online care only with a
clinician's decision at each consultation asks for it in the room."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from conftest import staff_client

from anyun.assessment.services import GradingInput, grading_record, suitability_decide
from anyun.consultation import services
from anyun.consultation.models import RecordStatus
from anyun.consultation.services import RecordInput
from anyun.consultation.tests.conftest import Room
from anyun.pregnancy.selectors import current_pregnancy_of
from anyun.scheduling import services as scheduling
from anyun.scheduling.models import TracingCase
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


def test_the_no_show_tracing_list_and_case_show_her_colour(
    clinic: Clinic, time_machine: Any, tomorrow: datetime
) -> None:
    time_machine.move_to(at(tomorrow, 6), tick=False)
    book(clinic, clinic.woman, at(tomorrow, 9))
    time_machine.move_to(at(tomorrow, 12), tick=False)
    scheduling.no_shows_mark()
    desk = staff_client(clinic.clinician)
    listing = desk.get("/scheduling/clinic/tracing/", **EN)
    assert listing.content.decode().count(GREEN) == 1
    case = TracingCase.objects.get()
    page = desk.get(f"/scheduling/clinic/tracing/{case.public_id}/", **EN).content.decode()
    assert page.count(GREEN) == 1


def _grade(room: Room, **answers: bool) -> None:
    pregnancy = current_pregnancy_of(room.woman)
    assert pregnancy is not None
    grading_record(
        actor=room.clinician,
        pregnancy=pregnancy,
        data=GradingInput(answers=dict(answers), entered={}, diagnoses=[]),
    )


def test_an_orange_woman_asks_for_the_decision_at_each_consultation(room: Room) -> None:
    """Orange: online follow-up only inside case management with a clinician's decision at
    each consultation (DOMAIN.md section 4); the room asks for it until it is recorded."""
    client = staff_client(room.clinician)
    url = f"/consultation/{room.consultation.public_id}/"
    assert 'data-testid="suitability-due"' not in client.get(url, **EN).content.decode()  # green
    _grade(room, g_asthma=True)  # orange: her case opens, online care stays open
    page = client.get(url, **EN).content.decode()
    assert (
        'data-testid="suitability-due"><a href="'
        f'/assessment/women/{room.woman.public_id}/risk/#suitability">Her risk colour allows'
        " online care only with your decision at each consultation: record it for this one.</a>"
    ) in page
    suitability_decide(
        actor=room.clinician, woman=room.woman, decision="allowed", reason="Stable, plan in place"
    )
    assert 'data-testid="suitability-due"' not in client.get(url, **EN).content.decode()


def test_an_orange_womans_record_is_signed_only_after_the_decision(room: Room) -> None:
    """The decision at each consultation is part of finishing it: the record page asks for it
    and signing waits for it; a consultation referred to in-person care needs none."""
    _grade(room, g_asthma=True)  # orange
    c = room.consultation
    services.consultation_end(actor=room.clinician, consultation_id=c.public_id)
    client = staff_client(room.clinician)
    url = f"/consultation/{c.public_id}/record/"
    assert 'data-testid="suitability-due"' in client.get(url, **EN).content.decode()
    refused = client.post(url, {"history": "Wheeze settled", "sign": "1"}, **EN)
    assert refused.status_code == 200
    assert "Record your online-care decision for this consultation before signing" in (
        refused.content.decode()
    )
    assert not c.records.filter(status=RecordStatus.SIGNED).exists()
    assert c.records.get().history == "Wheeze settled"  # the draft is kept
    suitability_decide(
        actor=room.clinician, woman=room.woman, decision="allowed", reason="Stable, plan in place"
    )
    assert 'data-testid="suitability-due"' not in client.get(url, **EN).content.decode()
    signed = services.record_sign(actor=room.clinician, consultation_id=c.public_id)
    assert signed.status == RecordStatus.SIGNED


def test_a_referred_orange_womans_record_is_signed_without_a_decision(room: Room) -> None:
    _grade(room, g_asthma=True)  # orange
    c = room.consultation
    services.consultation_refer(
        actor=room.clinician, consultation_id=c.public_id, reason="Wheeze", urgency="today"
    )
    services.record_save(
        actor=room.clinician, consultation_id=c.public_id, data=RecordInput(history="Wheeze")
    )
    signed = services.record_sign(actor=room.clinician, consultation_id=c.public_id)
    assert signed.status == RecordStatus.SIGNED
