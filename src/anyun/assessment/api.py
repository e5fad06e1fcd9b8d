"""The assessment API routes: thin, calling services and selectors.

Risk: a clinician of her care team reads her colour, grading history and suitability for online
care, and creates a grading; the woman reads her own colour and suitability in plain words.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from anyun.accounts.decorators import acting_user
from anyun.accounts.models import CLINICAL_ROLES, Role, User
from anyun.assessment import risk_labels, selectors, services
from anyun.assessment.models import (
    EVIDENCE_REASON_MAX_LENGTH,
    EligibilityEvidence,
    RiskGrading,
)
from anyun.audit.services import audit_record
from anyun.careteam.selectors import access_woman
from anyun.core.errors import NotFound
from anyun.pregnancy.selectors import current_pregnancy_of

router = Router(tags=["assessment"])


class RiskItemOut(Schema):
    code: str
    label: str
    colour: str
    basis: str = Field(description="record, confirmed, corrected or clinician")
    source: str
    confidence: str
    evidence: dict[str, Any]


class GradingOut(Schema):
    id: UUID
    graded_at: dt.datetime
    graded_by: str
    colour: str
    colour_label: str
    purple: bool
    ruleset_version: str
    items: list[RiskItemOut]
    screening_positive: bool | None
    screening_items: list[RiskItemOut]


class SuitabilityOut(Schema):
    allowed: bool
    block: str = Field(description="Why a new online request is refused; empty when allowed")
    urgency: str = Field(description="emergency, within_24h, in_person_now, book_visit, none")
    message: str
    colour: str | None
    colour_label: str
    purple: bool


class RiskOut(Schema):
    colour: str | None
    colour_label: str
    purple: bool
    suitability: SuitabilityOut
    history: list[GradingOut]


class RiskFactOut(Schema):
    name: str
    label: str
    value: Any
    source: str = Field(
        description="Where the value comes from: record (her ID, pregnancy record, confirmed "
        "pressures, diagnoses), pregnancy (fetuses or ART conception her pregnancy record "
        "holds, over her last grading's), lab (a result newer than her last grading) or "
        "last_grading (entered by a clinician at her last grading)"
    )
    source_label: str = Field(description="The lab report and date it came from, in words")
    taken_at: dt.datetime | None
    ref: str = Field(description="Id of the lab report behind a lab value; empty otherwise")


class RiskPrefillOut(Schema):
    pregnancy: UUID
    last_grading: UUID | None
    facts: list[RiskFactOut]


class GradingIn(Schema):
    answers: dict[str, bool] = Field(
        default_factory=dict, description="Grading item code (附件2) -> yes/no"
    )
    entered: dict[str, Any] = Field(
        default_factory=dict,
        description="Facts the clinician enters: hb_g_l, platelets, fetuses, art_conception, "
        "rh_negative, syphilis_positive, hiv_positive, hbsag_positive, diabetes_needs_drugs; "
        "fetuses and art_conception left out are taken from her pregnancy record when it "
        "holds them",
    )
    diagnoses: list[str] | None = Field(
        None,
        max_length=20,
        description="Her known conditions now, the whole set (a code left out is ended); "
        "omit to keep those on her record",
    )
    note: str = ""
    screening: dict[str, bool] = Field(
        default_factory=dict, description="Screening item code (附件1) -> yes/no"
    )


def _grading_out(row: RiskGrading) -> GradingOut:
    return GradingOut(
        id=row.public_id,
        graded_at=row.graded_at,
        graded_by=str(row.graded_by),
        colour=row.colour,
        colour_label=risk_labels.colour_label(row.colour),
        purple=row.purple,
        ruleset_version=row.ruleset_version,
        items=[_item_out(item) for item in row.items],
        screening_positive=row.screening_positive,
        screening_items=[_item_out(item) for item in row.screening_items],
    )


def _item_out(item: dict[str, Any]) -> RiskItemOut:
    return RiskItemOut(
        code=item["code"],
        label=risk_labels.item_label(item["code"]),
        colour=item.get("colour", ""),
        basis=item.get("basis", ""),
        source=item.get("source", ""),
        confidence=item.get("confidence", ""),
        evidence=item.get("evidence") or {},
    )


def _suitability_out(status: selectors.OnlineCareStatus) -> SuitabilityOut:
    return SuitabilityOut(
        allowed=status.allowed,
        block=status.block,
        urgency=status.urgency,
        message=status.message,
        colour=status.colour,
        colour_label=risk_labels.colour_label(status.colour) if status.colour else "",
        purple=status.purple,
    )


def _clinical_subject(request: HttpRequest, woman_id: UUID) -> tuple[User, User]:
    user = acting_user(request)
    if user.role not in CLINICAL_ROLES:
        raise NotFound()
    return user, access_woman(user=user, woman_public_id=woman_id)


@router.get("/risk", response=SuitabilityOut)
def my_risk(request: HttpRequest) -> SuitabilityOut:
    """The woman's own colour and whether she may continue online, in plain words."""
    user = acting_user(request)
    if user.role != Role.WOMAN:
        raise NotFound()
    status = selectors.online_care_for(user)
    audit_record(
        actor=user,
        action="suitability_read",
        object_type="suitability_decision",
        subject=user,
        request=request,
    )
    return _suitability_out(status)


@router.get("/women/{woman_id}/risk", response=RiskOut)
def risk_of(request: HttpRequest, woman_id: UUID) -> RiskOut:
    """Her colour, purple flag, suitability for online care and grading history (newest first)."""
    user, woman = _clinical_subject(request, woman_id)
    overview = selectors.risk_overview_for(woman)
    audit_record(
        actor=user,
        action="risk_read",
        object_type="risk_grading",
        object_id=overview.pregnancy.public_id if overview.pregnancy else "",
        subject=woman,
        request=request,
    )
    current = overview.current
    return RiskOut(
        colour=current.colour if current else None,
        colour_label=risk_labels.colour_label(current.colour) if current else "",
        purple=current.purple if current else False,
        suitability=_suitability_out(overview.online),
        history=[_grading_out(entry.grading) for entry in overview.timeline],
    )


@router.get("/women/{woman_id}/risk/prefill", response=RiskPrefillOut)
def risk_prefill(request: HttpRequest, woman_id: UUID) -> RiskPrefillOut:
    """What the grading form starts from: each fact her record already answers, with where it
    came from, for the clinician to confirm or correct in the grading she posts."""
    user, woman = _clinical_subject(request, woman_id)
    pregnancy = current_pregnancy_of(woman)
    if pregnancy is None:
        raise NotFound()
    record = selectors.record_facts(pregnancy)
    audit_record(
        actor=user,
        action="risk_read",
        object_type="risk_grading",
        object_id=pregnancy.public_id,
        subject=woman,
        request=request,
    )
    facts = []
    for name, source in sorted(record.sources.items()):
        lab = record.sourced.get(name)
        facts.append(
            RiskFactOut(
                name=name,
                label=risk_labels.fact_label(name),
                value=record.values[name],
                source=source,
                source_label=lab.label if lab else "",
                taken_at=lab.taken_at if lab else None,
                ref=lab.ref if lab else "",
            )
        )
    return RiskPrefillOut(
        pregnancy=pregnancy.public_id,
        last_grading=record.last_grading.public_id if record.last_grading else None,
        facts=facts,
    )


@router.get("/women/{woman_id}/suitability", response=SuitabilityOut)
def suitability_of(request: HttpRequest, woman_id: UUID) -> SuitabilityOut:
    user, woman = _clinical_subject(request, woman_id)
    audit_record(
        actor=user,
        action="suitability_read",
        object_type="suitability_decision",
        subject=woman,
        request=request,
    )
    return _suitability_out(selectors.online_care_for(woman))


@router.post("/women/{woman_id}/gradings", response={201: GradingOut})
def grading_create(request: HttpRequest, woman_id: UUID, data: GradingIn) -> Status:
    """Grade her current pregnancy. 400 with the field for a code not in the table or a fact
    out of range; 403 for anyone but a clinician with valid credentials; 404 not hers."""
    user, woman = _clinical_subject(request, woman_id)
    pregnancy = current_pregnancy_of(woman)
    if pregnancy is None:
        raise NotFound()
    row = services.grading_record(
        actor=user,
        pregnancy=pregnancy,
        data=services.GradingInput(
            answers=data.answers,
            entered=data.entered,
            diagnoses=data.diagnoses,
            note=data.note,
            screening=data.screening,
        ),
        request=request,
    )
    return Status(201, _grading_out(row))


# --- Follow-up eligibility evidence (POL-13) ----------------------------------------------------


class EvidenceOut(Schema):
    id: UUID
    woman_id: UUID
    status: str = Field(description="submitted, accepted or rejected")
    status_label: str
    content_type: str
    size_bytes: int
    note: str
    hospital: str
    visit_date: dt.date | None
    reason: str
    created_at: dt.datetime
    reviewed_at: dt.datetime | None
    file_url: str


class EvidenceReviewIn(Schema):
    accept: bool
    reason: str = Field("", max_length=EVIDENCE_REASON_MAX_LENGTH)


def _evidence_out(row: EligibilityEvidence) -> EvidenceOut:
    return EvidenceOut(
        id=row.public_id,
        woman_id=row.woman.public_id,
        status=row.status,
        status_label=str(row.get_status_display()),
        content_type=row.content_type,
        size_bytes=row.size_bytes,
        note=row.note,
        hospital=row.hospital,
        visit_date=row.visit_date,
        reason=row.reason,
        created_at=row.created_at,
        reviewed_at=row.reviewed_at,
        file_url=reverse("assessment:evidence_file", args=[row.public_id]),
    )


@router.post("/eligibility-evidence", response={201: EvidenceOut})
def evidence_submit(
    request: HttpRequest,
    file: UploadedFile = File(...),
    note: str = Form(""),
    hospital: str = Form(""),
    visit_date: dt.date | None = Form(None),
) -> Status:
    """She uploads a record of an in-person diagnosis (image or PDF, checked by content).
    400 for a file refused or one already waiting for review; 404 for anyone but a woman."""
    user = acting_user(request)
    if user.role != Role.WOMAN:
        raise NotFound()
    row = services.eligibility_evidence_submit(
        woman=user,
        file=file,
        note=note,
        hospital=hospital,
        visit_date=visit_date,
        request=request,
    )
    return Status(201, _evidence_out(row))


@router.get("/eligibility-evidence", response=list[EvidenceOut])
def evidence_mine(request: HttpRequest) -> list[EvidenceOut]:
    user = acting_user(request)
    if user.role != Role.WOMAN:
        raise NotFound()
    rows = list(selectors.evidence_of(user).select_related("woman"))
    audit_record(
        actor=user,
        action="eligibility_evidence_read",
        object_type="eligibility_evidence",
        subject=user,
        request=request,
    )
    return [_evidence_out(row) for row in rows]


@router.get("/eligibility-evidence/pending", response=list[EvidenceOut])
def evidence_pending(request: HttpRequest) -> list[EvidenceOut]:
    """Uploads waiting for review from the women of the clinician's care teams."""
    user = acting_user(request)
    if user.role not in CLINICAL_ROLES:
        raise NotFound()
    rows = services.evidence_pending_read(actor=user, request=request)
    return [_evidence_out(row) for row in rows]


@router.post("/eligibility-evidence/{evidence_id}/review", response=EvidenceOut)
def evidence_review(request: HttpRequest, evidence_id: UUID, data: EvidenceReviewIn) -> EvidenceOut:
    """Accept or reject (reason required). 403 for anyone but a clinician with valid
    credentials; 404 when she is not on the clinician's care team."""
    row = services.eligibility_evidence_review(
        actor=acting_user(request),
        evidence_id=evidence_id,
        accept=data.accept,
        reason=data.reason,
        request=request,
    )
    return _evidence_out(row)
