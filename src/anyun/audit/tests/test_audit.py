"""Every read or change of health data is audited; nobody can edit or delete the trail."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import staff_client
from django.db import DatabaseError, connection, transaction

from anyun.audit.models import AuditEvent, AuditImmutable
from anyun.audit.services import audit_record, audit_verify
from anyun.pregnancy.selectors import current_pregnancy_of

pytestmark = pytest.mark.django_db


def test_a_read_records_who_what_when_and_from_where(world: Any) -> None:
    client = staff_client(world.inside)
    client.get(
        f"/clinic/patients/{world.woman.public_id}/",
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT="WS/2",
    )
    event = AuditEvent.objects.get(action="read", object_type="patient_overview")
    assert event.actor == world.inside
    assert event.actor_role == "clinician"
    assert event.subject == world.woman
    assert event.object_id == str(world.woman.public_id)
    assert event.ip_address == "203.0.113.9"
    assert event.user_agent == "WS/2"
    assert event.path == f"/clinic/patients/{world.woman.public_id}/"
    assert audit_verify(event)


def test_the_orm_refuses_to_change_or_delete_an_event(world: Any) -> None:
    event = audit_record(actor=world.inside, action="read", object_type="x", subject=world.woman)
    event.action = "nothing"
    with pytest.raises(AuditImmutable):
        event.save()
    with pytest.raises(AuditImmutable):
        event.delete()


def test_the_database_refuses_updates(world: Any) -> None:
    event = audit_record(actor=world.inside, action="read", object_type="x", subject=world.woman)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    event.refresh_from_db()
    assert event.action == "read"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite's trigger refuses UPDATE only"
)
def test_postgresql_also_refuses_deletes(world: Any) -> None:
    event = audit_record(actor=world.inside, action="read", object_type="x", subject=world.woman)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_tampered_row_fails_its_seal(world: Any) -> None:
    event = audit_record(actor=world.inside, action="read", object_type="x", subject=world.woman)
    event.object_type = "y"
    assert not audit_verify(event)


def test_only_the_audit_administrator_can_search_the_trail(world: Any, make_staff: Any) -> None:
    pregnancy = current_pregnancy_of(world.woman)
    staff_client(world.inside).get(f"/pregnancy/{pregnancy.public_id}/edit/")
    page = staff_client(world.auditor).get("/console/audit/", {"q": world.inside.username})
    assert page.status_code == 200
    assert world.inside.username in page.content.decode()
    for role in ("system_admin", "security_admin", "quality_manager"):
        assert staff_client(make_staff(role)).get("/console/audit/").status_code == 404
    assert staff_client(world.inside).get("/console/audit/").status_code == 404
