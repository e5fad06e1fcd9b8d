"""Every read or change of health data is audited; nobody can edit or delete the trail."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from conftest import PASSWORD, staff_client
from django.db import DatabaseError, connection, transaction
from django.test import Client, RequestFactory

from anyun.accounts.models import Role
from anyun.accounts.tests.test_staff_sign_in import totp_now
from anyun.audit.models import AuditEvent, AuditImmutable
from anyun.audit.selectors import audit_search
from anyun.audit.services import audit_record, audit_verify
from anyun.monitoring.selectors import threshold_changes_pending, thresholds_current
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


def test_search_matches_what_it_says_and_a_nonsense_query_finds_nothing(world: Any) -> None:
    """A query that is no address must not match every event recorded without one."""

    audit_record(actor=world.inside, action="read", object_type="pregnancy", object_id="p-1")
    request = RequestFactory().get("/", REMOTE_ADDR="10.20.30.40")
    audit_record(
        actor=world.inside, action="read", object_type="pregnancy", object_id="p-2", request=request
    )
    assert AuditEvent.objects.filter(ip_address__isnull=True).exists()
    assert list(audit_search(text="zzqx-no-such-thing")) == []
    assert [e.object_id for e in audit_search(text="10.20.30.40")] == ["p-2"]
    assert {e.object_id for e in audit_search(text="p-")} >= {"p-1", "p-2"}


def test_sign_ins_and_threshold_changes_record_the_address(
    make_staff: Any, make_clinician: Any
) -> None:

    quality = make_staff(Role.QUALITY_MANAGER)
    Client(REMOTE_ADDR="10.7.7.7").post(
        "/api/v1/auth/staff-token",
        data={"username": quality.username, "password": PASSWORD, "token": totp_now(quality)},
        content_type="application/json",
    )
    Client(REMOTE_ADDR="10.7.7.8").post(
        "/api/v1/auth/staff-token",
        data={"username": quality.username, "password": "Wrong-Pass-1", "token": "0"},
        content_type="application/json",
    )
    assert AuditEvent.objects.get(action="login").ip_address == "10.7.7.7"
    assert AuditEvent.objects.get(action="login_failed").ip_address == "10.7.7.8"
    console = staff_client(quality)
    console.post(
        "/console/thresholds/",
        {"name": "pulse_high", "value": "105", "reason": "cardiology advice"},
        REMOTE_ADDR="10.7.7.9",
        HTTP_USER_AGENT="Console/1.0",
    )
    proposed = AuditEvent.objects.get(action="threshold_change_propose")
    assert (proposed.ip_address, proposed.user_agent) == ("10.7.7.9", "Console/1.0")
    change = threshold_changes_pending()[0].change
    staff_client(make_clinician(head=True)).post(
        f"/console/thresholds/changes/{change.public_id}/decide/",
        {"decision": "approve"},
        REMOTE_ADDR="10.7.7.10",
        HTTP_USER_AGENT="Console/2.0",
    )
    changed = AuditEvent.objects.get(action="threshold_set")
    assert (changed.ip_address, changed.user_agent) == ("10.7.7.10", "Console/2.0")
    assert thresholds_current().pulse_high == 105
    assert Decimal("105") == Decimal(changed.detail["value"])
