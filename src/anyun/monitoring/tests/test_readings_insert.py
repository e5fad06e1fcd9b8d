"""A check-in's readings go in with one INSERT built once per count (`PreparedInsert`): the
rows are the rows `bulk_create()` writes, value for value (decimals, symptom lists, notes,
the batch's UUID), in the order she sent them, and a repeat of the count compiles no SQL."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLInsertCompiler
from django.test.utils import CaptureQueriesContext

from anyun.clinical import signs
from anyun.monitoring.models import Reading
from anyun.monitoring.services import ReadingInput, readings_record
from anyun.monitoring.services import readings as readings_services
from anyun.monitoring.tests.conftest import Ward, ago, ward
from anyun.pregnancy.selectors import current_pregnancy_of

pytestmark = pytest.mark.django_db
__all__ = ["ward"]  # the fixture


def _bp(systolic: int, diastolic: int) -> ReadingInput:
    return ReadingInput(kind="blood_pressure", systolic=systolic, diastolic=diastolic)


def _rows(ward: Ward, batch: uuid.UUID, key: str, at: dt.datetime) -> list[Reading]:
    pregnancy = current_pregnancy_of(ward.woman)
    common = {
        "woman": ward.woman,
        "pregnancy": pregnancy,
        "recorded_by": ward.woman,
        "batch": batch,
        "idempotency_key": key,
    }
    return [
        Reading(
            kind="blood_pressure",
            systolic=131,
            diastolic=84,
            pulse=77,
            measured_at=at - dt.timedelta(hours=1),
            ga_days=212,
            symptoms=["headache", "blurred_vision"],
            note="早上起床后测的",
            position=0,
            **common,
        ),
        Reading(
            kind="glucose",
            value=Decimal("5.35"),
            glucose_context="fasting",
            measured_at=at,
            ga_days=212,
            position=1,
            **common,
        ),
    ]


def _stored(batch: uuid.UUID) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        dict(row) for row in Reading.objects.filter(batch=batch).order_by("position").values()
    ]
    for row in rows:
        del row["id"], row["public_id"], row["batch"], row["idempotency_key"]
        del row["created_at"], row["updated_at"]
    return rows


def test_the_prepared_insert_stores_what_bulk_create_stores(ward: Ward) -> None:
    made, prepared, at = uuid.uuid4(), uuid.uuid4(), ago(hours=1)
    Reading.objects.bulk_create(_rows(ward, made, "a", at))
    rows = readings_services._READINGS_INSERT.create_many(_rows(ward, prepared, "b", at))
    assert [r.pk for r in rows] == sorted(r.pk for r in rows)  # keys in the order sent
    assert _stored(prepared) == _stored(made)
    assert _stored(prepared)[0]["symptoms"] == ["headache", "blurred_vision"]
    assert _stored(prepared)[1]["value"] == Decimal("5.35")


def test_values_not_of_their_fields_own_type_are_stored_as_bulk_create_stores_them(
    ward: Ward,
) -> None:
    # A plain value of a field's own type goes into the PostgreSQL JSON row as it is; any
    # other (an enum member, a number as text, a float for a decimal, a UUID as text) is
    # prepared by its field first, as bulk_create() prepares it.
    def odd(rows: list[Reading]) -> list[Reading]:
        first, second = rows
        first.kind = signs.SignKind.BLOOD_PRESSURE
        first.systolic = "131"  # type: ignore[assignment]
        first.pulse = 77.0  # type: ignore[assignment]  # as JSON, not a smallint
        first.confirmed_implausible = 1  # type: ignore[assignment]
        second.value = 5.35  # type: ignore[assignment]
        second.batch = str(second.batch)  # type: ignore[assignment]
        return rows

    made, prepared, at = uuid.uuid4(), uuid.uuid4(), ago(hours=1)
    Reading.objects.bulk_create(odd(_rows(ward, made, "a", at)))
    readings_services._READINGS_INSERT.create_many(odd(_rows(ward, prepared, "b", at)))
    assert _stored(prepared) == _stored(made)
    first, second = _stored(prepared)
    assert (first["kind"], first["systolic"], first["pulse"]) == ("blood_pressure", 131, 77)
    assert first["confirmed_implausible"] is True
    assert second["value"] == Decimal("5.35")
    assert Reading.objects.filter(batch=prepared).count() == 2


def test_a_repeated_check_in_compiles_no_insert(
    ward: Ward, monkeypatch: pytest.MonkeyPatch
) -> None:
    readings_record(actor=ward.woman, woman=ward.woman, items=[_bp(120, 80)])
    compiled: list[object] = []
    real = SQLInsertCompiler.as_sql

    def counting(self: SQLInsertCompiler, *args: Any, **kwargs: Any) -> Any:
        compiled.append(self.query.model)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SQLInsertCompiler, "as_sql", counting)
    with CaptureQueriesContext(connection) as ctx:
        result = readings_record(actor=ward.woman, woman=ward.woman, items=[_bp(118, 78)])
    assert Reading not in compiled
    inserts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("INSERT")]
    assert sum('"monitoring_reading"' in s for s in inserts) == 1
    assert Reading.objects.get(pk=result.readings[0].pk).systolic == 118


def test_on_postgresql_one_statement_serves_any_number_of_readings(ward: Ward) -> None:
    insert = readings_services._READINGS_INSERT
    insert._sql.clear()
    for count in (1, 3, 20):
        items = [_bp(110 + n, 78) for n in range(count)]
        result = readings_record(actor=ward.woman, woman=ward.woman, items=items)
        stored = Reading.objects.filter(batch=result.readings[0].batch).order_by("pk")
        assert [r.systolic for r in stored] == [110 + n for n in range(count)]
        assert [r.position for r in stored] == list(range(count))
    if connection.vendor == "postgresql":  # the rows as one JSON value: the same statement
        assert list(insert._sql) == [("default", 0)]
        assert "jsonb_array_elements(" in insert._sql[("default", 0)]
    else:  # a VALUES list per row count
        assert sorted(insert._sql) == [("default", 1), ("default", 3), ("default", 20)]
