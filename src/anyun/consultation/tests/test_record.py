"""The consultation record (SUM-1, FB-6): drafted from the session, written after the end,
signed = locked, a correction is a new version with its reason (the old kept); due within 24
hours: warned at 20 h, overdue at 24 h on the department head's list (the sweep, time
travelled forward only); she reads it and downloads the PDF."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from conftest import staff_client, woman_client
from django.utils import timezone

from anyun.consultation import selectors, services
from anyun.consultation.models import ConsultationRecord, RecordStatus
from anyun.consultation.services import RecordInput
from anyun.consultation.tests.conftest import Room
from anyun.core.errors import DomainError, PermissionDenied
from anyun.notify.models import Notification

pytestmark = pytest.mark.django_db


def ended(room: Room) -> None:
    services.consultation_end(actor=room.clinician, consultation_id=room.consultation.public_id)
    room.consultation.refresh_from_db()


def test_the_draft_is_proposed_from_what_the_session_holds(room: Room) -> None:
    c = room.consultation
    services.message_post(actor=room.woman, consultation_id=c.public_id, text="Swollen ankles")
    services.consultation_refer(
        actor=room.clinician, consultation_id=c.public_id, reason="Check BP", urgency="today"
    )
    c.refresh_from_db()
    proposal = services.record_proposal(c)
    assert "Swollen ankles" in proposal.history
    assert "Check BP" in proposal.treatment_plan
    page = staff_client(room.clinician).get(f"/consultation/{c.public_id}/record/")
    assert "Swollen ankles" in page.content.decode()


def test_the_record_waits_for_the_end_and_only_her_clinician_writes_it(room: Room) -> None:
    c = room.consultation
    with pytest.raises(DomainError) as excinfo:
        services.record_save(actor=room.clinician, consultation_id=c.public_id, data=RecordInput())
    assert excinfo.value.code == "consultation_open"
    ended(room)
    with pytest.raises(PermissionDenied):
        services.record_save(actor=room.woman, consultation_id=c.public_id, data=RecordInput())
    with pytest.raises(DomainError) as excinfo:
        services.record_save(
            actor=room.clinician,
            consultation_id=c.public_id,
            data=RecordInput(diagnoses=["X99.9"]),
        )
    assert excinfo.value.field == "diagnoses"


def test_signed_is_locked_and_a_correction_is_a_new_version_with_its_reason(room: Room) -> None:
    c = room.consultation
    ended(room)
    services.record_save(
        actor=room.clinician,
        consultation_id=c.public_id,
        data=RecordInput(
            history="Headache", diagnoses=["o13"], treatment_plan="Home BP twice daily"
        ),
    )
    first = services.record_sign(actor=room.clinician, consultation_id=c.public_id)
    assert (first.version, first.status, first.diagnoses) == (1, RecordStatus.SIGNED, ["O13"])
    with pytest.raises(DomainError) as excinfo:
        services.record_sign(actor=room.clinician, consultation_id=c.public_id)
    assert excinfo.value.code == "record_no_draft"
    with pytest.raises(DomainError) as excinfo:
        services.record_save(
            actor=room.clinician, consultation_id=c.public_id, data=RecordInput(history="Changed")
        )
    assert excinfo.value.code == "correction_reason_required"
    services.record_save(
        actor=room.clinician,
        consultation_id=c.public_id,
        data=RecordInput(history="Headache", diagnoses=["O14.0"], treatment_plan="Admit"),
        correction_reason="Protein 2+ came back after the call",
    )
    second = services.record_sign(actor=room.clinician, consultation_id=c.public_id)
    assert second.version == 2
    kept = ConsultationRecord.objects.get(pk=first.pk)
    assert (kept.status, kept.diagnoses, kept.treatment_plan) == (
        RecordStatus.SIGNED,
        ["O13"],
        "Home BP twice daily",
    )
    assert selectors.record_in_force(c) == second
    # She reads both versions (the one in force first) and downloads the PDF.
    client = woman_client(room.woman)
    page = client.get(f"/consultation/{c.public_id}/record/").content.decode()
    assert page.count('data-testid="record-version"') == 2
    assert "Protein 2+ came back after the call" in page
    assert "O14.0" in page
    pdf = client.get(f"/consultation/{c.public_id}/record/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert (
        woman_client(room.other_woman).get(f"/consultation/{c.public_id}/record/pdf/").status_code
        == 404
    )
    api = client.get(f"/api/v1/consultation/{c.public_id}/record").json()
    assert api["version"] == 2
    assert api["diagnoses"] == [{"code": "O14.0", "name": "轻度至中度先兆子痫"}]


def test_the_deadline_sweep_warns_at_20_hours_and_lists_overdue_at_24(
    room: Room, tomorrow: datetime, time_machine: Any
) -> None:
    start = tomorrow.replace(hour=8)
    time_machine.move_to(start, tick=False)
    ended(room)
    c = room.consultation
    assert c.record_due_at == timezone.now() + timedelta(hours=24)
    time_machine.move_to(start + timedelta(hours=19, minutes=59), tick=False)
    assert services.record_deadlines_sweep() == (0, 0)
    time_machine.move_to(start + timedelta(hours=20), tick=False)
    assert services.record_deadlines_sweep() == (1, 0)
    assert services.record_deadlines_sweep() == (0, 0)  # once
    assert (
        Notification.objects.filter(recipient=room.clinician, kind="record_due_soon").count() == 1
    )
    assert selectors.overdue_records_for_head(room.head) == []
    time_machine.move_to(start + timedelta(hours=24), tick=False)
    assert services.record_deadlines_sweep() == (0, 1)
    assert services.record_deadlines_sweep() == (0, 0)
    assert Notification.objects.filter(recipient=room.head, kind="record_overdue").count() == 1
    assert selectors.overdue_records_for_head(room.head) == [c]
    assert selectors.overdue_records_for_head(room.clinician) == []  # not a head
    page = staff_client(room.head).get("/consultation/clinic/overdue/").content.decode()
    assert page.count('data-testid="overdue-record"') == 1
    # Signed late, it leaves the list.
    services.record_save(
        actor=room.clinician, consultation_id=c.public_id, data=RecordInput(history="x")
    )
    services.record_sign(actor=room.clinician, consultation_id=c.public_id)
    assert selectors.overdue_records_for_head(room.head) == []


def test_a_record_signed_in_time_is_never_warned(
    room: Room, tomorrow: datetime, time_machine: Any
) -> None:
    start = tomorrow.replace(hour=8)
    time_machine.move_to(start, tick=False)
    ended(room)
    services.record_save(
        actor=room.clinician,
        consultation_id=room.consultation.public_id,
        data=RecordInput(history="x"),
    )
    services.record_sign(actor=room.clinician, consultation_id=room.consultation.public_id)
    time_machine.move_to(start + timedelta(hours=30), tick=False)
    assert services.record_deadlines_sweep() == (0, 0)
