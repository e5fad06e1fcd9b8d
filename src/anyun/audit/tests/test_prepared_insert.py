"""The audit trail's INSERT is built once (`anyun.core.prepared.PreparedInsert`): the rows it
writes are the rows `objects.create()` writes, field for field, and a second event compiles
no SQL and runs one statement."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.sql.compiler import SQLInsertCompiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anyun.audit.models import AuditEvent
from anyun.audit.services import audit_record, audit_verify
from anyun.core.prepared import PreparedInsert

pytestmark = pytest.mark.django_db


def _fields(world: Any, **changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "occurred_at": timezone.now().replace(microsecond=123456),
        "actor": world.inside,
        "actor_label": "wang.li",
        "actor_role": "clinician",
        "action": "read",
        "object_type": "patient_overview",
        "object_id": "42",
        "subject": world.woman,
        "ip_address": "2001:db8::7",
        "user_agent": "WS/2",
        "path": "/clinic/",
        "detail": {"kinds": ["blood_pressure"], "note": "血压 150/95", "n": 1.5},
        "seal": "0" * 64,
    }
    return {**fields, **changes}


def _event(world: Any, **changes: Any) -> AuditEvent:
    return AuditEvent(**_fields(world, **changes))


def _stored(pk: int) -> dict[str, Any]:
    row: dict[str, Any] = dict(AuditEvent.objects.filter(pk=pk).values().get())
    del row["id"], row["public_id"]
    return row


def test_a_prepared_insert_stores_what_create_stores(world: Any) -> None:
    insert: PreparedInsert[AuditEvent] = PreparedInsert(AuditEvent)
    made = AuditEvent.objects.create(**_fields(world))
    prepared = insert.create(_event(world))
    assert prepared.pk is not None and prepared.pk != made.pk
    assert not prepared._state.adding and prepared._state.db == "default"
    assert _stored(prepared.pk) == _stored(made.pk)
    assert AuditEvent.objects.get(pk=prepared.pk).public_id == prepared.public_id
    # No actor, no address: NULLs as create() writes them.
    bare: dict[str, Any] = {"actor": None, "ip_address": None, "detail": {}}
    made = AuditEvent.objects.create(**_fields(world, **bare))
    assert _stored(insert.create(_event(world, **bare)).pk) == _stored(made.pk)


def test_many_rows_in_one_statement_get_their_keys_in_order(world: Any) -> None:
    insert: PreparedInsert[AuditEvent] = PreparedInsert(AuditEvent)
    events = [_event(world, object_id=str(n)) for n in range(3)]
    with CaptureQueriesContext(connection) as ctx:
        insert.create_many(events)
    assert [q["sql"].split()[0] for q in ctx.captured_queries] == ["INSERT"]
    for event in events:
        assert AuditEvent.objects.get(pk=event.pk).object_id == event.object_id
    assert insert.create_many([]) == []


def test_a_second_audit_event_compiles_no_sql_and_is_one_statement(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit_record(actor=world.inside, action="read", object_type="x", subject=world.woman)
    compiled: list[object] = []
    real = SQLInsertCompiler.as_sql

    def counting(self: SQLInsertCompiler, *args: Any, **kwargs: Any) -> Any:
        compiled.append(self)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SQLInsertCompiler, "as_sql", counting)
    with CaptureQueriesContext(connection) as ctx:
        event = audit_record(
            actor=world.inside,
            action="read",
            object_type="patient_overview",
            subject=world.woman,
            detail={"kinds": ["weight"]},
        )
    assert compiled == []
    assert len(ctx.captured_queries) == 1
    assert audit_verify(AuditEvent.objects.get(pk=event.pk))  # sealed as written


def test_a_stored_row_or_an_unsaved_relation_is_refused(world: Any) -> None:
    insert: PreparedInsert[AuditEvent] = PreparedInsert(AuditEvent)
    stored = insert.create(_event(world))
    before = AuditEvent.objects.count()
    with pytest.raises(ValueError, match="stored already"):
        insert.create(stored)
    unsaved = type(world.woman)(username=f"nobody-{uuid.uuid4().hex[:6]}")
    with pytest.raises(ValueError, match="unsaved"):
        insert.create(_event(world, subject=unsaved))
    assert AuditEvent.objects.count() == before


def test_a_constraint_broken_by_an_insert_is_an_integrity_error(world: Any) -> None:
    insert: PreparedInsert[AuditEvent] = PreparedInsert(AuditEvent)
    first = insert.create(_event(world))
    before = AuditEvent.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        insert.create(_event(world, public_id=first.public_id))  # unique
    assert AuditEvent.objects.count() == before


def _one_row_per_insert(monkeypatch: pytest.MonkeyPatch) -> None:
    """A database whose multi-row INSERT returns no keys (PostgreSQL's JSON rows never ask)."""
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL sends the rows as one JSON array whatever this feature says")
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)


def test_where_a_multi_row_insert_returns_no_keys_each_row_is_its_own(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _one_row_per_insert(monkeypatch)
    insert: PreparedInsert[AuditEvent] = PreparedInsert(AuditEvent)
    events = [_event(world, object_id=str(n)) for n in range(3)]
    with CaptureQueriesContext(connection) as ctx:
        insert.create_many(events)
    assert [q["sql"].split()[0] for q in ctx.captured_queries] == ["INSERT"] * 3
    assert [AuditEvent.objects.get(pk=e.pk).object_id for e in events] == ["0", "1", "2"]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_one_event_is_its_statement_alone(world: Any) -> None:
    """A page's audit row in autocommit: the INSERT alone, no BEGIN and COMMIT around it (one
    statement is atomic on its own)."""
    audit_record(actor=world.inside, action="read", object_type="x", subject=world.woman)
    assert connection.get_autocommit()
    with CaptureQueriesContext(connection) as ctx:
        audit_record(actor=world.inside, action="read", object_type="y", subject=world.woman)
    assert [q["sql"].split()[0] for q in ctx.captured_queries] == ["INSERT"]


@pytest.mark.django_db(transaction=True)
def test_rows_written_one_statement_each_are_written_all_or_none(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _one_row_per_insert(monkeypatch)
    insert: PreparedInsert[AuditEvent] = PreparedInsert(AuditEvent)
    first = insert.create(_event(world, object_id="first"))
    before = AuditEvent.objects.count()
    events = [_event(world, object_id="a"), _event(world, public_id=first.public_id)]
    with pytest.raises(IntegrityError):
        insert.create_many(events)  # the second breaks the unique public id
    assert AuditEvent.objects.count() == before  # the first of them was rolled back


def test_rows_whose_unique_value_is_taken_are_skipped_and_the_others_written(world: Any) -> None:
    """`skip_taken`: a row whose unique value is taken is left out (the transaction goes on);
    the rows written come back with their keys, in their order, in one statement."""
    insert: PreparedInsert[AuditEvent] = PreparedInsert(AuditEvent, skip_taken="public_id")
    first = PreparedInsert(AuditEvent).create(_event(world, object_id="first"))
    events = [
        _event(world, object_id="a"),
        _event(world, object_id="taken", public_id=first.public_id),
        _event(world, object_id="b"),
    ]
    with CaptureQueriesContext(connection) as ctx:
        written = insert.create_many(events)
    assert len(ctx.captured_queries) == 1
    assert [e.object_id for e in written] == ["a", "b"]
    assert [AuditEvent.objects.get(pk=e.pk).object_id for e in written] == ["a", "b"]
    assert events[1].pk is None and events[1]._state.adding
    assert AuditEvent.objects.get(public_id=first.public_id).object_id == "first"
    assert insert.create_many([_event(world, public_id=first.public_id)]) == []
