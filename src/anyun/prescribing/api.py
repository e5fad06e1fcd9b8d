"""The prescribing API routes: thin, calling services and selectors.

Staff: formulary search; the clinician writes a prescription in her consultation (with an
`Idempotency-Key`), signs it with the current one-time code, revises a returned one, records an
allergy; the pharmacist reads the review queue and decides. The woman reads hers with the plan
in plain words. Refusals are 4xx in the JSON error shape, the field named.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Router, Schema, Status

from anyun.accounts.decorators import acting_user
from anyun.accounts.models import CLINICAL_ROLES, Role, User
from anyun.audit.services import audit_record
from anyun.core.errors import PermissionDenied
from anyun.prescribing import selectors, services
from anyun.prescribing.models import Drug, Frequency, Prescription

router = Router(tags=["prescribing"])


def _staff(request: HttpRequest) -> User:
    user = acting_user(request)
    if user.role not in {*CLINICAL_ROLES, Role.PHARMACIST}:
        raise PermissionDenied("not_staff", _("Only the hospital's clinical staff can do this."))
    return user


def _woman(request: HttpRequest) -> User:
    user = acting_user(request)
    if user.role != Role.WOMAN:
        raise PermissionDenied("not_a_woman", _("Only a woman can do this for herself."))
    return user


class DrugOut(Schema):
    code: str
    generic_name: str
    chinese_name: str
    form: str
    strength: str
    route: str
    unit: str
    usual_dosing: str
    pregnancy_safety: str
    pregnancy_note: str
    pregnancy_avoid_from_week: int | None
    lactation_safety: str
    lactation_note: str
    controlled_class: str
    ingredients: list[str]
    drug_classes: list[str]
    stock: int
    price_fen: int
    source: str


def drug_out(drug: Drug) -> DrugOut:
    return DrugOut(**{name: getattr(drug, name) for name in DrugOut.model_fields})


class LineIn(Schema):
    drug: str = Field(max_length=64)
    dose: str = Field(max_length=60)
    frequency: str = Field(max_length=8)
    days: int = Field(ge=1, le=services.MAX_DAYS_PER_LINE)
    quantity: int = Field(ge=1, le=services.MAX_QUANTITY)
    instructions: str = Field("", max_length=200)


class PrescriptionIn(Schema):
    consultation_id: UUID
    diagnosis: str = Field(max_length=300)
    lines: list[LineIn] = Field(max_length=20)
    advice: str = Field("", max_length=500)
    supply_reason: str = Field("", max_length=500)
    validity_days: int = Field(1, ge=1, le=3)
    validity_reason: str = Field("", max_length=500)
    breastfeeding: bool = False


class SignIn(Schema):
    otp_token: str = Field(max_length=16)
    warning_reason: str = Field("", max_length=500)


class ReviewIn(Schema):
    decision: str = Field(max_length=16)
    reasons: list[str] = Field(default_factory=list, max_length=20)
    note: str = Field("", max_length=500)


class ReturnIn(Schema):
    reasons: list[str] = Field(default_factory=list, max_length=20)
    note: str = Field("", max_length=500)


class AllergyIn(Schema):
    woman_id: UUID
    substance: str = Field(max_length=64)
    reaction: str = Field("", max_length=200)


class AllergyOut(Schema):
    id: UUID
    substance: str
    reaction: str


class LineOut(Schema):
    drug: str
    generic_name: str
    chinese_name: str
    strength: str
    dose: str
    frequency: str
    frequency_label: str
    days: int
    quantity: int
    instructions: str


class PrescriptionFindingOut(Schema):
    severity: str
    text: str
    source: str


class ReviewOut(Schema):
    decision: str
    reasons: list[str]
    note: str
    decided_at: dt.datetime
    review_seconds: int


class PrescriptionOut(Schema):
    id: UUID
    version: int
    status: str
    status_label: str
    woman_id: UUID
    clinician: str
    diagnosis: str
    advice: str
    lines: list[LineOut]
    findings: list[PrescriptionFindingOut]
    plan: list[str]
    total_fen: int
    signed_at: dt.datetime | None
    expires_at: dt.datetime | None
    review: ReviewOut | None


def prescription_out(p: Prescription, *, for_woman: bool = False) -> PrescriptionOut:
    review = getattr(p, "review", None) if p.decided_at else None
    lines = list(p.lines.select_related("drug"))
    return PrescriptionOut(
        id=p.public_id,
        version=p.version,
        status=p.status,
        status_label=str(p.get_status_display()),
        woman_id=p.woman.public_id,
        clinician=str(p.clinician),
        diagnosis=p.diagnosis,
        advice=p.advice,
        lines=[
            LineOut(
                drug=line.drug_code,
                generic_name=line.generic_name,
                chinese_name=line.chinese_name,
                strength=line.strength,
                dose=line.dose,
                frequency=line.frequency,
                frequency_label=str(Frequency(line.frequency).label),
                days=line.days,
                quantity=line.quantity,
                instructions=line.instructions,
            )
            for line in lines
        ],
        findings=[]
        if for_woman
        else [
            PrescriptionFindingOut(severity=f.severity, text=f.text, source=f.source)
            for f in selectors.findings_view(p)
        ],
        plan=selectors.plan_of(p),
        total_fen=selectors.total_fen(p),
        signed_at=p.signed_at,
        expires_at=p.expires_at,
        review=ReviewOut(
            decision=review.decision,
            reasons=selectors.reasons_view(review.reasons),
            note=review.note,
            decided_at=review.decided_at,
            review_seconds=review.review_seconds,
        )
        if review is not None
        else None,
    )


@router.get("/formulary", response=list[DrugOut])
def formulary(request: HttpRequest, q: str = "") -> list[DrugOut]:
    """Search the formulary by generic or Chinese name or code (staff)."""
    _staff(request)
    return [drug_out(d) for d in selectors.formulary_search(q[:60])[: selectors.SEARCH_LIMIT]]


@router.post("/prescriptions", response={201: PrescriptionOut, 200: PrescriptionOut})
def create(
    request: HttpRequest,
    data: PrescriptionIn,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
) -> Status:
    """Write a draft prescription in her consultation; the checks' findings come back. A repeat
    with the same `Idempotency-Key` returns the first draft (200) and writes nothing."""
    user = acting_user(request)
    key = idempotency_key.strip()
    existed = (
        bool(key) and Prescription.objects.filter(clinician=user, idempotency_key=key).exists()
    )
    prescription = services.prescription_create(
        actor=user,
        consultation_id=data.consultation_id,
        data=services.PrescriptionInput(
            diagnosis=data.diagnosis,
            lines=[services.LineInput(**line.model_dump()) for line in data.lines],
            advice=data.advice,
            supply_reason=data.supply_reason,
            validity_days=data.validity_days,
            validity_reason=data.validity_reason,
            breastfeeding=data.breastfeeding,
        ),
        idempotency_key=key,
        request=request,
    )
    return Status(200 if existed else 201, prescription_out(prescription))


@router.get("/prescriptions/{prescription_id}", response=PrescriptionOut)
def read(request: HttpRequest, prescription_id: UUID) -> PrescriptionOut:
    user = acting_user(request)
    prescription = services.prescription_read(
        user=user, prescription_id=prescription_id, request=request
    )
    return prescription_out(prescription, for_woman=user.role == Role.WOMAN)


@router.post("/prescriptions/{prescription_id}/sign", response=PrescriptionOut)
def sign(request: HttpRequest, prescription_id: UUID, data: SignIn) -> PrescriptionOut:
    """Sign a draft with the current one-time code (the identity re-check); a blocking finding
    refuses (400 `prescription_blocked`), warnings need `warning_reason`."""
    prescription = services.prescription_sign(
        actor=acting_user(request),
        prescription_id=prescription_id,
        otp_token=data.otp_token,
        warning_reason=data.warning_reason,
        request=request,
    )
    return prescription_out(prescription)


@router.post("/prescriptions/{prescription_id}/revise", response={201: PrescriptionOut})
def revise(request: HttpRequest, prescription_id: UUID) -> Status:
    """A new draft version of a returned prescription."""
    prescription = services.prescription_revise(
        actor=acting_user(request), prescription_id=prescription_id, request=request
    )
    return Status(201, prescription_out(prescription))


@router.get("/review-queue", response=list[PrescriptionOut])
def queue(request: HttpRequest) -> list[PrescriptionOut]:
    """Signed prescriptions waiting for review, the longest-waiting first (pharmacists)."""
    user = acting_user(request)
    if user.role != Role.PHARMACIST:
        raise PermissionDenied("not_pharmacist", _("Only a pharmacist can do this."))
    rows = services.review_queue_read(actor=user, request=request)
    return [prescription_out(p) for p in rows]


@router.post("/prescriptions/{prescription_id}/review", response=PrescriptionOut)
def review(request: HttpRequest, prescription_id: UUID, data: ReviewIn) -> PrescriptionOut:
    """Approve, or return with coded reasons (see the review page's list)."""
    user = acting_user(request)
    services.review_decide(
        actor=user,
        prescription_id=prescription_id,
        decision=data.decision,
        reasons=data.reasons,
        note=data.note,
        request=request,
    )
    return prescription_out(services.prescription_read(user=user, prescription_id=prescription_id))


@router.post("/prescriptions/{prescription_id}/return", response=PrescriptionOut)
def approved_return(request: HttpRequest, prescription_id: UUID, data: ReturnIn) -> PrescriptionOut:
    """Return an approved prescription before it is dispensed, with coded reasons (as a
    review's return); a paid one is refunded."""
    user = acting_user(request)
    services.approved_return(
        actor=user,
        prescription_id=prescription_id,
        reasons=data.reasons,
        note=data.note,
        request=request,
    )
    return prescription_out(services.prescription_read(user=user, prescription_id=prescription_id))


@router.get("/mine", response=list[PrescriptionOut])
def mine(request: HttpRequest) -> list[PrescriptionOut]:
    """Her prescriptions with their status and the plan in plain words."""
    woman = _woman(request)
    rows = selectors.prescriptions_of_woman(woman)
    audit_record(
        actor=woman,
        action="prescription_read",
        object_type="prescription",
        subject=woman,
        request=request,
        detail={"count": len(rows)},
    )
    return [prescription_out(p, for_woman=True) for p in rows]


@router.post("/allergies", response={201: AllergyOut})
def allergy(request: HttpRequest, data: AllergyIn) -> Status:
    """Record a drug allergy of hers (an ingredient or class code of the formulary)."""
    found = services.allergy_record(
        actor=acting_user(request),
        woman_id=data.woman_id,
        substance=data.substance,
        reaction=data.reaction,
        request=request,
    )
    return Status(
        201, AllergyOut(id=found.public_id, substance=found.substance, reaction=found.reaction)
    )
