"""Reads of one fixed shape, compiled to SQL once and run again with new values.

Building and compiling a queryset with joins, `select_related` and `Exists` annotations costs
more CPU than the database spends answering it (the readings API's gate read was half of a
request's CPU). A `PreparedRead` builds its queryset once per `key` with placeholder values in
its slots, keeps the SQL, the parameter positions of the slots and Django's own row layout
(`klass_info`, converters, related populators), and later only substitutes the values, runs
the statement through the connection's cursor (so it is counted, logged and wrapped like any
other) and builds the instances exactly as `QuerySet.first()` would.

`first()` reads the first row, `all()` every row (model instances, as iterating the
queryset would build them), `rows()` the tuples of a `values_list()` queryset.

Slots hold text, integers (ids; not booleans) or aware datetimes (a datetime is adapted for
the database as a `DateTimeField` value would be). `key` names whatever else the queryset's
shape depends on (e.g. the ids of the documents in force); a new key compiles a new shape.

A `PreparedInsert` does the same for the INSERT of new rows of one model (`save()` and
`bulk_create()` build and compile an `InsertQuery` on every call): the values prepared by each
field as `bulk_create()` prepares them, the new primary keys read back with RETURNING. On
PostgreSQL the rows go as one JSON parameter, an array of rows, each value cast to its
column's type by the server (`INSERT ... SELECT ... FROM jsonb_array_elements(%s)`): one
statement with one parameter for any number of rows (a VALUES list of 20 rows has 380
parameters, and psycopg parses such a long statement afresh every time; an array per column
is dumped element by element in Python); a plain value of one of Django's own field classes
(text, a number, a moment, a UUID) goes into that JSON as it is, without the field's
preparation, which on PostgreSQL returns it unchanged. On other databases it is one VALUES
statement per row count (per row where a multi-row INSERT returns no keys). It sends no model
signals (the hot tables it serves have none).

`PreparedInsert(model, skip_taken=field)`: a row whose `field` (a unique column) holds a value
taken already is not written (`ON CONFLICT (field) DO NOTHING`), where a plain INSERT fails
and aborts the transaction: `create_many` returns the rows it wrote, each found again by its
`identity` (a unique value the row carries before it is written, its public id), in one
statement, with no read of the values taken before it and no savepoint around it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import threading
import uuid
from collections.abc import Callable, Hashable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any, Generic, TypeVar

from django.db import connections, transaction
from django.db.models import (
    AutoField,
    BigAutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    DateTimeField,
    DecimalField,
    Field,
    ForeignKey,
    IntegerField,
    Model,
    PositiveBigIntegerField,
    PositiveIntegerField,
    PositiveSmallIntegerField,
    QuerySet,
    SmallAutoField,
    SmallIntegerField,
    TextField,
    UUIDField,
)
from django.db.models.fields import AutoFieldMixin
from django.db.models.query import (  # type: ignore[attr-defined]
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)
from psycopg.types.json import Jsonb

K = TypeVar("K", bound=Hashable)
M = TypeVar("M", bound=Model)
Slot = str | int | dt.datetime

MAX_SHAPES = 16  # per PreparedRead: old keys (superseded document versions) are let go


@dataclass(frozen=True)
class _Shape:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, ...], ...]
    columns: int
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]
    # Model rows only (None: a values_list() read).
    model: type[Model] | None
    init_list: tuple[str, ...]
    start: int
    end: int
    populators: tuple[Any, ...]
    annotations: tuple[tuple[str, int], ...]


_FIRST, _ALL, _ROWS = "first", "all", "rows"


def _placeholder(n: int, example: Slot) -> Slot:
    if isinstance(example, bool):
        raise TypeError("a PreparedRead slot is text, an integer or a datetime, not a bool")
    if isinstance(example, dt.datetime):
        # A moment no row holds, told apart by its microseconds.
        return dt.datetime(1901, 2, 3, 4, 5, 6, 123400 + n, tzinfo=dt.UTC)
    if isinstance(example, int):
        return -1_987_650_000 - n  # an id no row holds
    return f"anyun-prepared-slot-{n}-7f3a9c"


def _adapt(connection: Any, value: Slot) -> Any:
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def padded(ids: list[int]) -> list[int]:
    """`ids` and the last of them again up to the next power of two: a read of "these ids"
    whose count varies (`pk IN (...)`) takes a few shapes, each compiled once, not one per
    count (repeated ids change nothing an IN finds)."""
    return ids + ids[-1:] * ((1 << (len(ids) - 1).bit_length()) - len(ids)) if ids else ids


class PreparedRead(Generic[M]):
    """`build(*slots)` returns the queryset (ordered; `first()` reads its first row)."""

    def __init__(self, build: Callable[..., QuerySet[Any]]) -> None:
        self._build = build
        self._shapes: dict[tuple[str, str, Hashable], _Shape] = {}
        self._lock = threading.Lock()

    def first(self, *values: Slot, key: Hashable = None, using: str = "default") -> M | None:
        """The first row for these slot values, as `build(*values).first()` would give it."""
        shape, fetched = self._run(_FIRST, values, key, using, many=False)
        if not fetched:
            return None
        return self._instance(shape, self._converted(shape, fetched[0], connections[using]), using)

    def all(self, *values: Slot, key: Hashable = None, using: str = "default") -> list[M]:
        """Every row for these slot values, as `list(build(*values))` would give them."""
        shape, fetched = self._run(_ALL, values, key, using, many=True)
        connection = connections[using]
        return [
            self._instance(shape, self._converted(shape, r, connection), using) for r in fetched
        ]

    def rows(
        self, *values: Slot, key: Hashable = None, using: str = "default"
    ) -> list[tuple[Any, ...]]:
        """The tuples of a `values_list()` queryset, as `list(build(*values))` gives them."""
        shape, fetched = self._run(_ROWS, values, key, using, many=True)
        connection = connections[using]  # looked up once: a thread-local read each time
        return [tuple(self._converted(shape, r, connection)[: shape.columns]) for r in fetched]

    def _run(
        self, mode: str, values: Sequence[Slot], key: Hashable, using: str, *, many: bool
    ) -> tuple[_Shape, list[Any]]:
        shape = self._shapes.get((using, mode, key)) or self._prepare(mode, using, key, values)
        connection = connections[using]
        params = list(shape.params)
        for positions, value in zip(shape.slots, values, strict=True):
            adapted = _adapt(connection, value)
            for position in positions:
                params[position] = adapted
        with connection.cursor() as cursor:
            cursor.execute(shape.sql, params)
            if many:
                return shape, cursor.fetchall()
            fetched = cursor.fetchone()
        return shape, [] if fetched is None else [fetched]

    @staticmethod
    def _converted(shape: _Shape, fetched: Sequence[Any], connection: Any) -> list[Any]:
        row = list(fetched)
        for position, converters, expression in shape.converters:
            value = row[position]
            for converter in converters:
                value = converter(value, expression, connection)
            row[position] = value
        return row

    @staticmethod
    def _instance(shape: _Shape, row: list[Any], using: str) -> M:
        assert shape.model is not None
        obj: M = shape.model.from_db(using, shape.init_list, row[shape.start : shape.end])  # type: ignore[assignment]
        for populator in shape.populators:
            populator.populate(row, obj)
        for name, position in shape.annotations:
            setattr(obj, name, row[position])
        return obj

    def _prepare(self, mode: str, using: str, key: Hashable, values: Sequence[Slot]) -> _Shape:
        placeholders = [_placeholder(n, v) for n, v in enumerate(values)]
        queryset = self._build(*placeholders)
        if mode == _FIRST:
            if not queryset.ordered:
                queryset = queryset.order_by("pk")
            queryset = queryset[:1]
        compiler = queryset.query.get_compiler(using=using)
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
        converters = compiler.get_converters([s[0] for s in select[: compiler.col_count]])
        model: type[Model] | None = None
        init_list: tuple[str, ...] = ()
        start = end = 0
        populators: tuple[Any, ...] = ()
        iterable = queryset._iterable_class  # type: ignore[attr-defined]
        if mode == _ROWS:
            if iterable is not ValuesListIterable:
                raise ValueError(f"rows() reads a values_list() queryset, not {self._build!r}")
        else:
            if iterable is not ModelIterable or klass_info is None:
                raise ValueError(f"first() and all() read model rows, not {self._build!r}")
            fields = klass_info["select_fields"]
            start, end = fields[0], fields[-1] + 1
            model = klass_info["model"]
            init_list = tuple(f[0].target.attname for f in select[start:end])
            populators = tuple(get_related_populators(klass_info, select, using))
        shape = _Shape(
            sql=sql,
            params=tuple(params),
            slots=tuple(slots),
            columns=compiler.col_count,
            converters=tuple(
                (pos, tuple(convs), expr) for pos, (convs, expr) in converters.items()
            ),
            model=model,
            init_list=init_list,
            start=start,
            end=end,
            populators=populators,
            annotations=tuple(compiler.annotation_col_map.items()),
        )
        with self._lock:
            if len(self._shapes) >= MAX_SHAPES:
                self._shapes.clear()
            self._shapes[(using, mode, key)] = shape
        return shape


class PreparedReads(Generic[K, M]):
    """A `PreparedRead` for each value of something the query's shape is built from (the
    documents in force, the kinds of a check-in): `reads[key]` builds the read with
    `build(key)` on first use. Past `most` keys (superseded values) all are let go."""

    def __init__(
        self, build: Callable[[K], Callable[..., QuerySet[Any]]], *, most: int = MAX_SHAPES
    ) -> None:
        self._build = build
        self._most = most
        self._reads: dict[K, PreparedRead[M]] = {}
        self._lock = threading.Lock()

    def __getitem__(self, key: K) -> PreparedRead[M]:
        read = self._reads.get(key)
        if read is None:
            with self._lock:
                read = self._reads.get(key)
                if read is None:
                    if len(self._reads) >= self._most:
                        self._reads.clear()
                    read = self._reads[key] = PreparedRead(self._build(key))
        return read


class PreparedInsert(Generic[M]):
    """`create(obj)` / `create_many(objs)`: INSERT new, unsaved instances of `model` (no
    primary key set, no expressions as values) and set their primary keys, as `save()` and
    `bulk_create()` would."""

    def __init__(
        self, model: type[M], *, skip_taken: str | None = None, identity: str = "public_id"
    ) -> None:
        self._model = model
        self._sql: dict[tuple[str, int], str] = {}
        self._skip_taken = skip_taken
        self._identity = identity

    @cached_property
    def _pk(self) -> Any:  # read on first use: a model's fields are complete once apps load
        pk = self._model._meta.pk
        assert isinstance(pk, AutoFieldMixin), f"{self._model}: an auto-increment key"
        return pk

    @cached_property
    def _fields(self) -> tuple[Any, ...]:
        fields = tuple(
            f for f in self._model._meta.concrete_fields if f is not self._pk and not f.generated
        )
        # A field that wraps its value in SQL of its own (a geometry) is not for this.
        assert not any(hasattr(f, "get_placeholder") for f in fields), self._model
        return fields

    @cached_property
    def _json_plan(self) -> tuple[tuple[Any, Callable[[Any], Any] | None, bool], ...]:
        """Each field, how a plain value of it goes into a PostgreSQL JSON row (None: only by
        the field's own preparation), and whether its value comes from `pre_save` (a moment
        set when the row is added)."""
        plan = []
        for field in self._fields:
            as_json = _AS_JSON.get(type(field))
            if type(field) is ForeignKey and type(field.target_field) in _AUTO_KEYS:
                as_json = _int_as_json
            pre_save = bool(
                getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
            )
            plan.append((field, as_json, pre_save))
        return tuple(plan)

    def create(self, obj: M, *, using: str = "default") -> M:
        self.create_many([obj], using=using)
        return obj

    def create_many(self, objs: Sequence[M], *, using: str = "default") -> list[M]:
        """Write `objs` and return them with their keys set (with `skip_taken`: those written,
        in their order)."""
        if not objs:
            return []
        connection = connections[using]
        postgresql = connection.vendor == "postgresql"
        plan = self._json_plan if postgresql else tuple((f, None, False) for f in self._fields)
        rows: list[list[Any]] = []
        for obj in objs:
            if obj.pk is not None or not obj._state.adding:
                raise ValueError(f"{obj!r} is stored already: a PreparedInsert adds new rows")
            # An unsaved related object is refused, as save() refuses it.
            obj._prepare_related_fields_for_save(operation_name="create")  # type: ignore[attr-defined]
            row = []
            for field, as_json, pre_save in plan:
                if as_json is not None:
                    # A plain value of its field's own type goes into the JSON row as it is
                    # (what the field would prepare, as text); any other the long way.
                    value = (
                        field.pre_save(obj, add=True)
                        if pre_save
                        else obj.__dict__.get(field.attname, _MISSING)
                    )
                    if value is not _MISSING:
                        ready = as_json(value)
                        if ready is not _SLOW:
                            row.append(ready)
                            continue
                value = field.pre_save(obj, add=True)
                if hasattr(value, "resolve_expression"):
                    raise ValueError(f"{field.name}: a PreparedInsert takes values, not SQL")
                prepared = field.get_db_prep_save(value, connection)
                row.append(_json_ready(prepared) if postgresql else prepared)
            rows.append(row)
        if postgresql:  # one statement for any number of rows
            statements: list[tuple[int, list[Any]]] = [(0, [_json_rows(rows)])]
        elif connection.features.can_return_rows_from_bulk_insert:
            statements = [(len(rows), [value for row in rows for value in row])]
        else:  # keys come back from a single-row INSERT only: one statement per row
            statements = [(1, row) for row in rows]
        keys: list[Any] = []
        # Atomic on its own, like bulk_create, outside a transaction too: one statement is so
        # by itself (no BEGIN and COMMIT around a page's audit row); several are wrapped.
        atomic = transaction.atomic(using=using, savepoint=False)
        with atomic if len(statements) > 1 else nullcontext(), connection.cursor() as cursor:
            for count, params in statements:
                sql = self._sql.get((using, count)) or self._prepare(using, count)
                cursor.execute(sql, params)
                keys += cursor.fetchall()
        if self._skip_taken is not None:
            return self._written(objs, keys, using)
        if len(keys) != len(objs):  # pragma: no cover - the database broke RETURNING
            raise RuntimeError(f"{len(objs)} rows inserted, {len(keys)} keys returned")
        for obj, (key,) in zip(objs, keys, strict=True):
            self._stored(obj, key, using)
        return list(objs)

    def _stored(self, obj: M, key: Any, using: str) -> None:
        setattr(obj, self._pk.attname, key)
        obj._state.adding = False
        obj._state.db = using

    def _column(self, name: str) -> Field[Any, Any]:
        field = self._model._meta.get_field(name)
        assert isinstance(field, Field) and field.column, f"{self._model}.{name}: a column"
        return field

    def _written(self, objs: Sequence[M], keys: list[Any], using: str) -> list[M]:
        """The rows the database wrote (the others' `skip_taken` value was taken), found by
        their identity (RETURNING gives no order)."""
        field = self._column(self._identity)
        key_of = {field.to_python(identity): key for key, identity in keys}
        written = []
        for obj in objs:
            key = key_of.get(getattr(obj, field.attname))
            if key is not None:
                self._stored(obj, key, using)
                written.append(obj)
        return written

    def _prepare(self, using: str, count: int) -> str:
        """`count` rows in a VALUES list; 0: any number, as one JSON array (PostgreSQL)."""
        connection = connections[using]
        quote = connection.ops.quote_name
        returning, returning_params = connection.ops.return_insert_columns([self._pk])
        assert not returning_params
        columns = ", ".join(quote(f.column) for f in self._fields)
        if count:
            row = f"({', '.join(['%s'] * len(self._fields))})"
            rows = f"VALUES {', '.join([row] * count)}"
        else:
            # The rows in the order of the array (the keys are handed out in that order). A
            # JSON column takes the value as it is; SQL NULL went as JSON null.
            values = ", ".join(
                f"NULLIF(e->{k}, 'null'::jsonb)"
                if f.get_internal_type() == "JSONField"
                else f"(e->>{k})::{f.db_type(connection)}"
                for k, f in enumerate(self._fields)
            )
            rows = (
                f"SELECT {values} FROM jsonb_array_elements(%s::jsonb) "  # noqa: S608
                "WITH ORDINALITY AS r(e, n) ORDER BY n"
            )
        if self._skip_taken is not None:
            taken = quote(self._column(self._skip_taken).column)
            identity = quote(self._column(self._identity).column)
            returning = (
                f"ON CONFLICT ({taken}) DO NOTHING RETURNING {quote(self._pk.column)}, {identity}"
            )
        # Identifiers and types from the model; the values go as parameters.
        sql = (
            f"INSERT INTO {quote(self._model._meta.db_table)} "  # noqa: S608
            f"({columns}) {rows} {returning}"
        )
        if len(self._sql) >= MAX_SHAPES:
            self._sql.clear()
        self._sql[(using, count)] = sql
        return sql


def _json_rows(rows: list[list[Any]]) -> str:
    """`rows`, ready for JSON (`_json_ready`, `_AS_JSON`), as one JSON array of arrays: text
    for what the database reads from text (moments, UUIDs, decimals, addresses)."""
    return json.dumps(rows, default=_json_text, ensure_ascii=False, allow_nan=False)


# A field's value not read yet (deferred), and a value to prepare the long way.
_MISSING = object()
_SLOW = object()


def _str_as_json(value: Any) -> Any:
    return value if value is None or type(value) is str else _SLOW


def _int_as_json(value: Any) -> Any:
    return value if value is None or type(value) is int else _SLOW


def _bool_as_json(value: Any) -> Any:
    return value if value is None or type(value) is bool else _SLOW


def _datetime_as_json(value: Any) -> Any:
    if value is None:
        return None
    # A naive moment is made aware (with Django's warning) by the field itself.
    if type(value) is dt.datetime and value.tzinfo is not None:
        return value.isoformat()
    return _SLOW


def _uuid_as_json(value: Any) -> Any:
    if value is None:
        return None
    return str(value) if type(value) is uuid.UUID else _SLOW


def _decimal_as_json(value: Any) -> Any:
    if value is None:
        return None
    # NaN and infinities are refused by the field itself.
    return str(value) if type(value) is Decimal and value.is_finite() else _SLOW


# Django's own field classes whose preparation of a value of their type, on PostgreSQL, is
# that value (a subclass, such as an encrypted field, prepares its own).
_AS_JSON: dict[type[Field[Any, Any]], Callable[[Any], Any]] = {
    CharField: _str_as_json,
    TextField: _str_as_json,
    IntegerField: _int_as_json,
    SmallIntegerField: _int_as_json,
    BigIntegerField: _int_as_json,
    PositiveIntegerField: _int_as_json,
    PositiveSmallIntegerField: _int_as_json,
    PositiveBigIntegerField: _int_as_json,
    BooleanField: _bool_as_json,
    DateTimeField: _datetime_as_json,
    UUIDField: _uuid_as_json,
    DecimalField: _decimal_as_json,
}
_AUTO_KEYS = (AutoField, BigAutoField, SmallAutoField)


def _json_ready(value: Any) -> Any:
    if isinstance(value, Jsonb):  # a JSON column: what its own dumps writes, as JSON again
        dumps = value.dumps or json.dumps
        return json.loads(dumps(value.obj))
    return value


def _json_text(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal | ipaddress.IPv4Address | ipaddress.IPv6Address):
        return str(value)
    raise TypeError(f"a PreparedInsert does not send {type(value).__name__} values")
