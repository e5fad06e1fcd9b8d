"""A received request opens one consultation; only she and the clinician who received her
see it (others: 404, as for one that does not exist); reads are audited."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import pytest
from conftest import staff_client, woman_client

from anyun.audit.models import AuditEvent
from anyun.consultation import selectors, services
from anyun.consultation.models import Consultation, ConsultationStatus
from anyun.consultation.tests.conftest import Room
from anyun.core.errors import NotFound
from anyun.notify.models import Notification
from anyun.scheduling import services as scheduling
from anyun.scheduling.tests.conftest import Clinic, at, book

pytestmark = pytest.mark.django_db


def test_accepting_opens_one_consultation_with_her_and_the_clinician(room: Room) -> None:
    c = room.consultation
    assert (c.woman, c.clinician, c.department) == (room.woman, room.clinician, room.department)
    assert c.status == ConsultationStatus.OPEN
    assert c.reference == f"queue:{room.entry.public_id}"
    assert c.opened_at is not None and c.ended_at is None
    # The same request again opens nothing new.
    again = services.consultation_open(
        woman=room.woman, clinician=room.clinician, reference=c.reference, queue_entry=room.entry
    )
    assert again.pk == c.pk
    assert Consultation.objects.count() == 1
    assert (
        AuditEvent.objects.filter(action="consultation_open", object_id=str(c.public_id)).count()
        == 1
    )
    assert Notification.objects.filter(recipient=room.woman, kind="consultation_opened").exists()


def test_a_received_appointment_opens_its_consultation_carrying_what_she_sent(
    clinic: Clinic, tomorrow: datetime, time_machine: Any
) -> None:
    time_machine.move_to(at(tomorrow, 6), tick=False)
    appointment = book(clinic, clinic.woman, at(tomorrow, 10))
    outcome = services.pre_consultation_submit(
        woman=clinic.woman, appointment_id=appointment.public_id, questions="Is my BP fine?"
    )
    time_machine.move_to(at(tomorrow, 9, 50), tick=False)
    scheduling.appointment_receive(actor=clinic.clinician, appointment_id=appointment.public_id)
    c = Consultation.objects.get(appointment=appointment)
    assert (c.woman, c.clinician, c.queue_entry) == (clinic.woman, clinic.clinician, None)
    assert c.reference == f"appointment:{appointment.public_id}"
    assert c.pre == outcome.pre


def test_she_and_her_clinician_see_it_others_get_not_found(room: Room) -> None:
    c = room.consultation
    assert selectors.consultation_for(room.woman, c.public_id).pk == c.pk
    assert selectors.consultation_for(room.clinician, c.public_id).pk == c.pk
    for stranger in (room.other_woman, room.outsider, room.head):
        with pytest.raises(NotFound):
            selectors.consultation_for(stranger, c.public_id)
    with pytest.raises(NotFound):
        selectors.consultation_for(room.woman, uuid.uuid4())


def test_the_room_page_opens_for_both_and_is_404_for_others(room: Room) -> None:
    url = f"/consultation/{room.consultation.public_id}/"
    assert woman_client(room.woman).get(url).status_code == 200
    page = staff_client(room.clinician).get(url)
    assert page.status_code == 200
    assert b'data-testid="side-panel"' in page.content
    assert woman_client(room.other_woman).get(url).status_code == 404
    assert staff_client(room.outsider).get(url).status_code == 404
    assert staff_client(room.head).get(url).status_code == 404
    reads = AuditEvent.objects.filter(
        action="consultation_read", object_id=str(room.consultation.public_id)
    )
    assert {e.actor_id for e in reads} == {room.woman.pk, room.clinician.pk}
