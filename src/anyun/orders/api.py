"""The orders API routes: thin, calling services and selectors.

Staff: the catalogue; a clinician orders tests for a woman of her care team (with an
`Idempotency-Key`); results posted as JSON (`POST /{order_id}/results`) or as FHIR R4
(`POST /results/fhir`: a DiagnosticReport with contained Observations, or a Bundle), matched to
the order; the results of the women she sees, abnormal first. The woman: her to-do list with the
preparation, booking a time, her results with plain words, the trend of one observation.
Refusals are 4xx in the JSON error shape, the field named.
"""

from __future__ import annotations

import datetime as dt
import json
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Router, Schema, Status

from anyun.accounts.decorators import acting_user
from anyun.accounts.models import Role, User
from anyun.core.errors import DomainError, PermissionDenied
from anyun.core.inputs import first_forbidden_text
from anyun.orders import fhir, selectors, services, words
from anyun.orders.models import LabOrder, Report

router = Router(tags=["orders"])


def _woman(request: HttpRequest) -> User:
    user = acting_user(request)
    if user.role != Role.WOMAN:
        raise PermissionDenied("not_a_woman", _("Only a woman can do this for herself."))
    return user


class LabTestOut(Schema):
    code: str
    label: str
    kind: str
    preparation: str


class LabOrderIn(Schema):
    woman_id: UUID | None = None
    consultation_id: UUID | None = None
    tests: list[str] = Field(max_length=20)
    reason: str = Field(max_length=500)


class LabOrderOut(Schema):
    id: UUID
    woman_id: UUID
    clinician: str
    status: str
    status_label: str
    reason: str
    tests: list[LabTestOut]
    preparations: list[str]
    booked_for: dt.datetime | None
    cancelled_at: dt.datetime | None = None
    cancel_reason: str = ""
    created_at: dt.datetime


def order_out(order: LabOrder) -> LabOrderOut:
    return LabOrderOut(
        id=order.public_id,
        woman_id=order.woman.public_id,
        clinician=str(order.clinician),
        status=order.status,
        status_label=str(order.get_status_display()),
        reason=order.reason,
        tests=[
            LabTestOut(code=t.code, label=t.label, kind=t.kind, preparation=t.preparation)
            for t in selectors.test_rows(order.tests)
        ],
        preparations=selectors.preparations_of(order),
        booked_for=order.booked_for,
        cancelled_at=order.cancelled_at,
        cancel_reason=order.cancel_reason,
        created_at=order.created_at,
    )


class LabBookingIn(Schema):
    starts_at: dt.datetime


class LabValueIn(Schema):
    code: str = Field(max_length=32)
    value: float | str
    unit: str = Field("", max_length=16)
    reference_low: float | None = None
    reference_high: float | None = None
    abnormal: bool = False


class LabReportIn(Schema):
    report_id: str = Field("", max_length=64)
    observed_at: dt.datetime | None = None
    conclusion: str = Field("", max_length=1000)
    observations: list[LabValueIn] = Field(max_length=50)


class LabResultOut(Schema):
    code: str
    label: str
    value: str
    number: float | None
    unit: str
    flag: str
    flag_label: str
    explanation: str
    meaning: str
    reference_range: str
    range_source: str


class LabReportOut(Schema):
    id: UUID
    order_id: UUID
    woman_id: UUID
    source: str
    report_id: str
    observed_at: dt.datetime
    gestational_weeks: int | None
    conclusion: str
    abnormal: bool
    critical: bool
    results: list[LabResultOut]


def report_out(report: Report) -> LabReportOut:
    return LabReportOut(
        id=report.public_id,
        order_id=report.order.public_id,
        woman_id=report.woman.public_id,
        source=report.source,
        report_id=report.external_id,
        observed_at=report.observed_at,
        gestational_weeks=report.ga_days // 7 if report.ga_days is not None else None,
        conclusion=report.conclusion,
        abnormal=report.abnormal,
        critical=report.critical,
        results=[
            LabResultOut(
                code=row.result.observation,
                label=row.label,
                value=row.value,
                number=row.result.number,
                unit=row.unit,
                flag=row.flag,
                flag_label=row.flag_label,
                explanation=row.explanation,
                meaning=row.flag_words,
                reference_range=row.range_text,
                range_source=row.range_source,
            )
            for row in selectors.result_rows(report)
        ],
    )


class LabTrendPointOut(Schema):
    observed_at: dt.datetime
    value: str
    flag: str


class LabTrendOut(Schema):
    code: str
    label: str
    unit: str
    points: list[LabTrendPointOut]


@router.get("/catalogue", response=list[LabTestOut])
def catalogue(request: HttpRequest) -> list[LabTestOut]:
    """The tests a clinician can order, with her preparation in plain words."""
    acting_user(request)
    return [
        LabTestOut(code=t.code, label=t.label, kind=t.kind, preparation=t.preparation)
        for t in selectors.catalogue_rows()
    ]


@router.post("/", response={201: LabOrderOut, 200: LabOrderOut})
def create(
    request: HttpRequest,
    data: LabOrderIn,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
) -> Status:
    """Order tests with a reason: for a woman of the care team (`woman_id`) or in a
    consultation the clinician received (`consultation_id`). A repeat with the same
    `Idempotency-Key` returns the first order (200)."""
    user = acting_user(request)
    key = idempotency_key.strip()
    existed = bool(key) and LabOrder.objects.filter(clinician=user, idempotency_key=key).exists()
    if data.woman_id is None and data.consultation_id is None:
        raise DomainError(
            "woman_required", _("Name the woman or the consultation."), field="woman_id"
        )
    order = services.order_create(
        actor=user,
        woman_id=data.woman_id,
        consultation_id=data.consultation_id,
        tests=data.tests,
        reason=data.reason,
        idempotency_key=key,
        request=request,
    )
    return Status(200 if existed else 201, order_out(order))


@router.get("/mine", response=list[LabOrderOut])
def mine(request: HttpRequest) -> list[LabOrderOut]:
    """Her to-do list: the orders whose results are not all in, with how to prepare."""
    woman = _woman(request)
    rows = selectors.todo_of(woman)
    services.list_read(user=woman, woman=woman, what="todo", count=len(rows), request=request)
    return [order_out(o) for o in rows]


@router.get("/results/mine", response=list[LabReportOut])
def my_results(request: HttpRequest) -> list[LabReportOut]:
    """Her results, the newest first, each value with its flag and plain words."""
    woman = _woman(request)
    rows = selectors.reports_of_woman(woman)
    services.list_read(user=woman, woman=woman, what="results", count=len(rows), request=request)
    return [report_out(r) for r in rows]


@router.get("/results/trend", response=LabTrendOut)
def trend(request: HttpRequest, code: str) -> LabTrendOut:
    """Her values of one observation over time (e.g. `hb`), the oldest first."""
    woman = _woman(request)
    if code not in words.OBSERVATION_LABELS:
        raise DomainError(
            "observation_unknown", _("This observation's code is not one we know."), field="code"
        )
    result = selectors.trend_for(woman, code)
    services.list_read(
        user=woman, woman=woman, what="results", count=len(result.points), request=request
    )
    return LabTrendOut(
        code=result.code,
        label=result.label,
        unit=result.unit,
        points=[
            LabTrendPointOut(observed_at=p.when, value=p.value, flag=p.flag) for p in result.points
        ],
    )


@router.get("/results/clinic", response=list[LabReportOut])
def clinic_results(request: HttpRequest) -> list[LabReportOut]:
    """The reports of the women the clinician sees: critical first, then abnormal, newest."""
    user = acting_user(request)
    if user.role == Role.WOMAN:
        raise PermissionDenied("not_staff", _("Only the hospital's clinical staff can do this."))
    rows = selectors.reports_for_clinician(user)
    services.list_read(user=user, woman=None, what="results", count=len(rows), request=request)
    return [report_out(r) for r in rows]


FHIR_BODY = {
    "requestBody": {
        "required": True,
        "description": "A FHIR R4 DiagnosticReport (Observations contained) or a Bundle.",
        "content": {
            "application/fhir+json": {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


@router.post(
    "/results/fhir",
    response={201: LabReportOut, 200: LabReportOut},
    openapi_extra=FHIR_BODY,
)
def post_fhir(request: HttpRequest) -> Status:
    """A FHIR R4 DiagnosticReport (Observations contained) or a Bundle holding one with its
    Observations, matched to our order by `basedOn` (`ServiceRequest/<order id>`). The same
    report identifier again: 200 with the first report, nothing written."""
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DomainError("body_invalid", _("The request body is not valid JSON.")) from exc
    where = first_forbidden_text(payload)
    if where is not None:
        raise DomainError(
            "text_invalid",
            _("This text holds a character that cannot be stored."),
            field=where or None,
        )
    order_id, data = fhir.report_from_fhir(payload)
    report, created = services.report_record(
        actor=acting_user(request), order_id=order_id, data=data, request=request
    )
    return Status(201 if created else 200, report_out(report))


@router.get("/results/{report_id}", response=LabReportOut)
def read_report(request: HttpRequest, report_id: UUID) -> LabReportOut:
    report = services.report_read(user=acting_user(request), report_id=report_id, request=request)
    return report_out(report)


@router.get("/{order_id}", response=LabOrderOut)
def read(request: HttpRequest, order_id: UUID) -> LabOrderOut:
    order = services.order_read(user=acting_user(request), order_id=order_id, request=request)
    return order_out(order)


@router.post("/{order_id}/booking", response=LabOrderOut)
def book(request: HttpRequest, order_id: UUID, data: LabBookingIn) -> LabOrderOut:
    """She books the time she comes (LOCAL POLICY hours: Monday to Saturday, 08:00-11:30 and
    13:30-16:30 on the half hour, fasting tests by 10:00; from tomorrow to 30 days ahead)."""
    order = services.order_book(
        actor=acting_user(request), order_id=order_id, starts_at=data.starts_at, request=request
    )
    return order_out(order)


class LabCancelIn(Schema):
    reason: str = Field(max_length=500)


@router.post("/{order_id}/cancel", response=LabOrderOut)
def cancel(request: HttpRequest, order_id: UUID, data: LabCancelIn) -> LabOrderOut:
    """Cancel an order before any result is in, with a reason: the ordering clinician or one of
    her care team (a paid order is refunded), or she herself while it is unpaid and unbooked."""
    order = services.order_cancel(
        actor=acting_user(request), order_id=order_id, reason=data.reason, request=request
    )
    return order_out(order)


@router.post("/{order_id}/results", response={201: LabReportOut, 200: LabReportOut})
def post_results(request: HttpRequest, order_id: UUID, data: LabReportIn) -> Status:
    """A report's observations as JSON: `code` (the catalogue's observation codes), `value` (a
    number, or a word for a qualitative result: negative, trace, 1+ .. 4+, positive), `unit`,
    the laboratory's reference range, `abnormal` for a written finding. The same `report_id`
    again: 200 with the first report, nothing written."""
    values = []
    for i, item in enumerate(data.observations):
        number = item.value if isinstance(item.value, float | int) else None
        text = item.value if isinstance(item.value, str) else ""
        if number is None and text.strip():
            try:
                number = float(text)
                text = ""
            except ValueError:
                pass
        if len(text) > 1000:
            raise DomainError(
                "text_too_long",
                _("Keep this to %(max)s characters.") % {"max": 1000},
                field=f"observations.{i}.value",
            )
        values.append(
            services.ValueInput(
                code=item.code,
                number=number,
                text=text,
                unit=item.unit,
                reported_low=item.reference_low,
                reported_high=item.reference_high,
                abnormal=item.abnormal,
            )
        )
    try:
        report, created = services.report_record(
            actor=acting_user(request),
            order_id=order_id,
            data=services.ReportInput(
                values=values,
                source="json",
                external_id=data.report_id,
                conclusion=data.conclusion,
                observed_at=data.observed_at,
            ),
            request=request,
        )
    except DomainError as exc:
        if exc.field and exc.field.startswith("values."):
            exc.field = "observations." + exc.field.removeprefix("values.")
        raise
    return Status(201 if created else 200, report_out(report))
