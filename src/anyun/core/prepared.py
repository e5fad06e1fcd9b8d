"""Reads of one fixed shape, compiled to SQL once and run again with new values.

Building and compiling a queryset with joins, `select_related` and `Exists` annotations costs
more CPU than the database spends answering it (the readings API's gate read was half of a
request's CPU). A `PreparedRead` builds its queryset once per `key` with placeholder values in
its slots, keeps the SQL, the parameter positions of the slots and Django's own row layout
(`klass_info`, converters, related populators), and later only substitutes the values, runs
the statement through the connection's cursor (so it is counted, logged and wrapped like any
other) and builds the instances exactly as `QuerySet.first()` would.

Slots hold text or aware datetimes (a datetime is adapted for the database as a
`DateTimeField` value would be). `key` names whatever else the queryset's shape depends on
(e.g. the ids of the documents in force); a new key compiles a new shape.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

M = TypeVar("M", bound=Model)
Slot = str | dt.datetime

MAX_SHAPES = 16  # per PreparedRead: old keys (superseded document versions) are let go


@dataclass(frozen=True)
class _Shape:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, ...], ...]
    model: type[Model]
    init_list: tuple[str, ...]
    start: int
    end: int
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]
    populators: tuple[Any, ...]
    annotations: tuple[tuple[str, int], ...]


def _placeholder(n: int, example: Slot) -> Slot:
    if isinstance(example, dt.datetime):
        # A moment no row holds, told apart by its microseconds.
        return dt.datetime(1901, 2, 3, 4, 5, 6, 123400 + n, tzinfo=dt.UTC)
    return f"anyun-prepared-slot-{n}-7f3a9c"


def _adapt(connection: Any, value: Slot) -> Any:
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


class PreparedRead(Generic[M]):
    """`build(*slots)` returns the queryset (ordered; its first row is read)."""

    def __init__(self, build: Callable[..., QuerySet[M]]) -> None:
        self._build = build
        self._shapes: dict[tuple[str, Hashable], _Shape] = {}
        self._lock = threading.Lock()

    def first(self, *values: Slot, key: Hashable = None, using: str = "default") -> M | None:
        """The first row for these slot values, as `build(*values).first()` would give it."""
        shape = self._shapes.get((using, key)) or self._prepare(using, key, values)
        connection = connections[using]
        params = list(shape.params)
        for positions, value in zip(shape.slots, values, strict=True):
            adapted = _adapt(connection, value)
            for position in positions:
                params[position] = adapted
        with connection.cursor() as cursor:
            cursor.execute(shape.sql, params)
            fetched = cursor.fetchone()
        if fetched is None:
            return None
        row = list(fetched)
        for position, converters, expression in shape.converters:
            value = row[position]
            for converter in converters:
                value = converter(value, expression, connection)
            row[position] = value
        obj: M = shape.model.from_db(using, shape.init_list, row[shape.start : shape.end])  # type: ignore[assignment]
        for populator in shape.populators:
            populator.populate(row, obj)
        for name, position in shape.annotations:
            setattr(obj, name, row[position])
        return obj

    def _prepare(self, using: str, key: Hashable, values: Sequence[Slot]) -> _Shape:
        placeholders = [_placeholder(n, v) for n, v in enumerate(values)]
        queryset = self._build(*placeholders)
        if not queryset.ordered:
            queryset = queryset.order_by("pk")
        query = queryset[:1].query
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        connection = connections[using]
        slots = []
        for placeholder in placeholders:
            adapted = _adapt(connection, placeholder)
            positions = tuple(i for i, p in enumerate(params) if p == adapted)
            if not positions:
                raise ValueError(f"{placeholder!r} does not reach the SQL of {self._build!r}")
            slots.append(positions)
        select, klass_info = compiler.select, compiler.klass_info
        assert klass_info is not None
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        converters = compiler.get_converters([s[0] for s in select[: compiler.col_count]])
        shape = _Shape(
            sql=sql,
            params=tuple(params),
            slots=tuple(slots),
            model=klass_info["model"],
            init_list=tuple(f[0].target.attname for f in select[start:end]),
            start=start,
            end=end,
            converters=tuple(
                (pos, tuple(convs), expr) for pos, (convs, expr) in converters.items()
            ),
            populators=tuple(get_related_populators(klass_info, select, using)),
            annotations=tuple(compiler.annotation_col_map.items()),
        )
        with self._lock:
            if len(self._shapes) >= MAX_SHAPES:
                self._shapes.clear()
            self._shapes[(using, key)] = shape
        return shape
