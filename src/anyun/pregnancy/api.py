"""The pregnancy record over the API. Every load goes through the care-team access check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from anyun.accounts.decorators import acting_user
from anyun.accounts.models import Role
from anyun.audit.services import audit_record
from anyun.core.errors import DomainError, NotFound
from anyun.pregnancy import selectors, services
from anyun.pregnancy.models import ExamReport, Pregnancy

router = Router(tags=["pregnancy"])


class PregnancyIn(Schema):
    lmp: dt.date | None = None
    cycle_length_days: int = 28
    scan_date: dt.date | None = None
    scan_crl_mm: Decimal | None = None
    scan_ga_weeks: int | None = None
    scan_ga_days: int | None = None
    gravidity: int = 1
    parity: int = 0
    height_cm: Decimal | None = None
    pre_pregnancy_weight_kg: Decimal | None = None
    fetus_count: int | None = Field(
        None, description="Number of fetuses, 1 to 5; null: not yet known"
    )
    art_conception: bool | None = Field(
        None, description="Conceived by assisted reproduction (ART); null: not known"
    )
    allergies: str = ""
    chronic_conditions: str = ""
    previous_surgeries: str = ""
    family_history: str = ""


class PregnancyPatch(Schema):
    lmp: dt.date | None = None
    cycle_length_days: int | None = None
    scan_date: dt.date | None = None
    scan_crl_mm: Decimal | None = None
    scan_ga_weeks: int | None = None
    scan_ga_days: int | None = None
    gravidity: int | None = None
    parity: int | None = None
    height_cm: Decimal | None = None
    pre_pregnancy_weight_kg: Decimal | None = None
    fetus_count: int | None = Field(
        None, description="Number of fetuses, 1 to 5; null: not yet known (omitted: unchanged)"
    )
    art_conception: bool | None = Field(
        None, description="Conceived by assisted reproduction; null: not known (omitted: unchanged)"
    )
    allergies: str | None = None
    chronic_conditions: str | None = None
    previous_surgeries: str | None = None
    family_history: str | None = None
    reason: str = ""


# Fields a PATCH may change but not empty (the dates and measurements may be cleared).
REQUIRED_ON_PATCH = frozenset(
    {
        "cycle_length_days",
        "gravidity",
        "parity",
        "allergies",
        "chronic_conditions",
        "previous_surgeries",
        "family_history",
    }
)


class PregnancyOut(Schema):
    id: UUID
    woman_id: UUID
    status: str
    lmp: dt.date | None
    scan_date: dt.date | None
    scan_crl_mm: Decimal | None
    scan_ga_days: int | None
    edd: dt.date
    dating_method: str
    lmp_edd: dt.date | None
    ultrasound_edd: dt.date | None
    gestational_age: str | None
    gestational_age_days: int | None
    trimester: int | None
    gravidity: int
    parity: int
    height_cm: Decimal | None
    pre_pregnancy_weight_kg: Decimal | None
    bmi: float | None
    bmi_category: str | None
    fetus_count: int | None
    art_conception: bool | None
    allergies: str
    chronic_conditions: str
    previous_surgeries: str
    family_history: str


class HistoryIn(Schema):
    year: int
    outcome: str
    delivery_mode: str = ""
    gestational_weeks: int | None = None
    complications: str = ""


class HistoryOut(Schema):
    id: UUID
    year: int
    outcome: str
    delivery_mode: str
    gestational_weeks: int | None
    complications: str


class ReportOut(Schema):
    id: UUID
    title: str
    exam_date: dt.date | None
    content_type: str
    size_bytes: int
    created_at: dt.datetime


def pregnancy_out(p: Pregnancy) -> PregnancyOut:
    s = selectors.pregnancy_summary(p)
    return PregnancyOut(
        id=p.public_id,
        woman_id=p.woman.public_id,
        status=p.status,
        lmp=p.lmp,
        scan_date=p.scan_date,
        scan_crl_mm=p.scan_crl_mm,
        scan_ga_days=p.scan_ga_days,
        edd=p.edd,
        dating_method=p.dating_method,
        lmp_edd=p.lmp_edd,
        ultrasound_edd=p.ultrasound_edd,
        gestational_age=str(s.ga) if s.ga else None,
        gestational_age_days=s.ga.days if s.ga else None,
        trimester=s.trimester,
        gravidity=p.gravidity,
        parity=p.parity,
        height_cm=p.height_cm,
        pre_pregnancy_weight_kg=p.pre_pregnancy_weight_kg,
        bmi=s.bmi,
        bmi_category=s.bmi_category,
        fetus_count=p.fetus_count,
        art_conception=p.art_conception,
        allergies=p.allergies,
        chronic_conditions=p.chronic_conditions,
        previous_surgeries=p.previous_surgeries,
        family_history=p.family_history,
    )


def _report_out(r: ExamReport) -> ReportOut:
    return ReportOut(
        id=r.public_id,
        title=r.title,
        exam_date=r.exam_date,
        content_type=r.content_type,
        size_bytes=r.size_bytes,
        created_at=r.created_at,
    )


def _load(request: HttpRequest, pregnancy_id: UUID) -> Pregnancy:
    pregnancy = selectors.access_pregnancy(user=request.user, pregnancy_public_id=pregnancy_id)
    audit_record(
        actor=acting_user(request),
        action="read",
        object_type="pregnancy",
        object_id=pregnancy.public_id,
        subject=pregnancy.woman,
        request=request,
    )
    return pregnancy


@router.get("/current", response=PregnancyOut)
def current(request: HttpRequest) -> PregnancyOut:
    """The signed-in woman's current pregnancy (404 when she has none)."""
    if request.user.role != Role.WOMAN:  # type: ignore[union-attr]
        raise NotFound()
    pregnancy = selectors.current_pregnancy_of(request.user)
    if pregnancy is None:
        raise NotFound()
    return pregnancy_out(_load(request, pregnancy.public_id))


@router.post("/", response={201: PregnancyOut})
def open_pregnancy(request: HttpRequest, data: PregnancyIn) -> Status:
    if request.user.role != Role.WOMAN:  # type: ignore[union-attr]
        raise NotFound()
    pregnancy = services.pregnancy_open(
        actor=acting_user(request),
        woman=acting_user(request),  # type: ignore[arg-type]
        data=services.PregnancyInput(**data.dict()),
        request=request,
    )
    return Status(201, pregnancy_out(pregnancy))


@router.get("/{pregnancy_id}", response=PregnancyOut)
def detail(request: HttpRequest, pregnancy_id: UUID) -> PregnancyOut:
    return pregnancy_out(_load(request, pregnancy_id))


@router.patch("/{pregnancy_id}", response=PregnancyOut)
def update(request: HttpRequest, pregnancy_id: UUID, data: PregnancyPatch) -> PregnancyOut:
    pregnancy = selectors.access_pregnancy(user=request.user, pregnancy_public_id=pregnancy_id)
    changes: dict[str, Any] = data.dict(exclude_unset=True)
    reason = changes.pop("reason", "") or ""
    emptied = sorted(REQUIRED_ON_PATCH & {k for k, v in changes.items() if v is None})
    if emptied:
        raise DomainError("field_required", _("This field cannot be empty."), field=emptied[0])
    merged = services.input_merge(services.input_from_pregnancy(pregnancy), changes)
    updated = services.pregnancy_update(
        actor=acting_user(request),
        pregnancy=pregnancy,
        data=merged,
        reason=reason,
        request=request,  # type: ignore[arg-type]
    )
    return pregnancy_out(updated)


@router.get("/{pregnancy_id}/history", response=list[HistoryOut])
def history(request: HttpRequest, pregnancy_id: UUID) -> list[HistoryOut]:
    pregnancy = _load(request, pregnancy_id)
    return [
        HistoryOut(
            id=h.public_id,
            year=h.year,
            outcome=h.outcome,
            delivery_mode=h.delivery_mode,
            gestational_weeks=h.gestational_weeks,
            complications=h.complications,
        )
        for h in selectors.history_of(pregnancy.woman)
    ]


@router.post("/{pregnancy_id}/history", response={201: HistoryOut})
def history_add(request: HttpRequest, pregnancy_id: UUID, data: HistoryIn) -> Status:
    pregnancy = selectors.access_pregnancy(user=request.user, pregnancy_public_id=pregnancy_id)
    h = services.previous_pregnancy_add(
        actor=acting_user(request),
        woman=pregnancy.woman,
        request=request,
        **data.dict(),  # type: ignore[arg-type]
    )
    return Status(
        201,
        HistoryOut(
            id=h.public_id,
            year=h.year,
            outcome=h.outcome,
            delivery_mode=h.delivery_mode,
            gestational_weeks=h.gestational_weeks,
            complications=h.complications,
        ),
    )


@router.get("/{pregnancy_id}/reports", response=list[ReportOut])
def reports(request: HttpRequest, pregnancy_id: UUID) -> list[ReportOut]:
    return [_report_out(r) for r in _load(request, pregnancy_id).reports.all()]


@router.post("/{pregnancy_id}/reports", response={201: ReportOut})
def report_upload(
    request: HttpRequest,
    pregnancy_id: UUID,
    title: str = Form(...),
    exam_date: dt.date | None = Form(None),
    file: UploadedFile = File(...),
) -> Status:
    pregnancy = selectors.access_pregnancy(user=request.user, pregnancy_public_id=pregnancy_id)
    report = services.report_upload(
        actor=acting_user(request),
        pregnancy=pregnancy,
        upload=file,
        title=title,  # type: ignore[arg-type]
        exam_date=exam_date,
        request=request,
    )
    return Status(201, _report_out(report))


@router.get("/reports/{report_id}/file")
def report_file(request: HttpRequest, report_id: UUID) -> FileResponse:
    report = selectors.access_report(user=request.user, report_public_id=report_id)
    audit_record(
        actor=acting_user(request),
        action="read",
        object_type="exam_report",
        object_id=report.public_id,
        subject=report.pregnancy.woman,
        request=request,
    )
    return FileResponse(report.file.open("rb"), content_type=report.content_type)
