"""The consultation API routes (thin): her consultations, messages (since an id, post), end,
referral, the record, and the call's ICE servers. Access: her, or the clinician who received
her; anyone else 404. Every refusal is a 4xx in the project's error shape."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from anyun.accounts.decorators import acting_user
from anyun.audit.services import audit_record
from anyun.consultation import selectors, services
from anyun.consultation.models import Consultation, ConsultationRecord, ReferralUrgency
from anyun.consultation.turn import ice_servers
from anyun.core.errors import NotFound

router = Router(tags=["consultation"])


class ConsultationOut(Schema):
    id: UUID
    status: str
    status_label: str
    woman_id: UUID
    clinician: str
    opened_at: dt.datetime
    ended_at: dt.datetime | None
    referral_urgency: str
    referral_instructions: str
    referral_reason: str
    woman_read_upto: int
    clinician_read_upto: int


class MessageOut(Schema):
    id: int
    sender: str
    sender_name: str
    kind: str
    text: str
    image: str
    client_id: str
    sent_at: str


class MessageIn(Schema):
    text: str = Field(..., max_length=2000)
    client_id: str = Field("", max_length=64)


class ReferIn(Schema):
    reason: str = Field(..., max_length=500)
    urgency: str = Field(..., description="now, today, within_3_days or routine")


class ReadIn(Schema):
    upto: int = Field(..., ge=0)


class RecordOut(Schema):
    id: UUID
    version: int
    status: str
    history: str
    symptoms: str
    signs: str
    diagnoses: list[dict[str, str]]
    diagnosis_note: str
    treatment_plan: str
    correction_reason: str
    signed_at: dt.datetime | None


class IceOut(Schema):
    ice_servers: list[dict[str, object]]


def consultation_out(c: Consultation) -> ConsultationOut:
    return ConsultationOut(
        id=c.public_id,
        status=c.status,
        status_label=str(c.get_status_display()),
        woman_id=c.woman.public_id,
        clinician=str(c.clinician),
        opened_at=timezone.localtime(c.opened_at),
        ended_at=timezone.localtime(c.ended_at) if c.ended_at else None,
        referral_urgency=c.referral_urgency,
        referral_instructions=(
            str(ReferralUrgency(c.referral_urgency).label) if c.referral_urgency else ""
        ),
        referral_reason=c.referral_reason,
        woman_read_upto=c.woman_read_upto,
        clinician_read_upto=c.clinician_read_upto,
    )


def record_out(r: ConsultationRecord) -> RecordOut:
    return RecordOut(
        id=r.public_id,
        version=r.version,
        status=r.status,
        history=r.history,
        symptoms=r.symptoms,
        signs=r.signs,
        diagnoses=[{"code": code, "name": name} for code, name in selectors.diagnosis_rows(r)],
        diagnosis_note=r.diagnosis_note,
        treatment_plan=r.treatment_plan,
        correction_reason=r.correction_reason,
        signed_at=timezone.localtime(r.signed_at) if r.signed_at else None,
    )


@router.get("/", response=list[ConsultationOut])
def mine(request: HttpRequest) -> list[ConsultationOut]:
    """Her consultations (a woman), or the clinician's own, newest first."""
    user = acting_user(request)
    rows = (
        selectors.consultations_of_woman(user)
        if user.role == "woman"
        else selectors.consultations_of_clinician(user)
    )
    for c in rows:  # each a read of that woman's data
        audit_record(
            actor=user,
            action="consultation_read",
            object_type="consultation",
            object_id=c.public_id,
            subject=c.woman,
            request=request,
            detail={"view": "list"},
        )
    return [consultation_out(c) for c in rows]


@router.get("/{consultation_id}", response=ConsultationOut)
def one(request: HttpRequest, consultation_id: UUID) -> ConsultationOut:
    c = services.consultation_read(
        user=acting_user(request), consultation_id=consultation_id, request=request
    )
    return consultation_out(c)


@router.get("/{consultation_id}/messages", response=list[MessageOut])
def messages(
    request: HttpRequest,
    consultation_id: UUID,
    after: int = Query(0, ge=0),  # type: ignore[type-arg]
) -> list[MessageOut]:
    """Messages after the id the client holds (at most 200; ask again from the last)."""
    c = services.consultation_read(
        user=acting_user(request), consultation_id=consultation_id, request=request
    )
    return [MessageOut(**services.message_event(m)) for m in selectors.messages_since(c, after)]


@router.post("/{consultation_id}/messages", response={201: MessageOut, 200: MessageOut})
def post_message(request: HttpRequest, consultation_id: UUID, data: MessageIn) -> Status:
    """Send a text message; the same `client_id` again returns the first (200)."""
    message, created = services.message_post(
        actor=acting_user(request),
        consultation_id=consultation_id,
        text=data.text,
        client_id=data.client_id,
        request=request,
    )
    return Status(201 if created else 200, MessageOut(**services.message_event(message)))


@router.post("/{consultation_id}/read", response=ConsultationOut)
def read(request: HttpRequest, consultation_id: UUID, data: ReadIn) -> ConsultationOut:
    user = acting_user(request)
    services.messages_read(actor=user, consultation_id=consultation_id, upto=data.upto)
    return consultation_out(selectors.consultation_for(user, consultation_id))


@router.post("/{consultation_id}/end", response=ConsultationOut)
def end(request: HttpRequest, consultation_id: UUID) -> ConsultationOut:
    c = services.consultation_end(
        actor=acting_user(request), consultation_id=consultation_id, request=request
    )
    return consultation_out(c)


@router.post("/{consultation_id}/referral", response=ConsultationOut)
def referral(request: HttpRequest, consultation_id: UUID, data: ReferIn) -> ConsultationOut:
    c = services.consultation_refer(
        actor=acting_user(request),
        consultation_id=consultation_id,
        reason=data.reason,
        urgency=data.urgency,
        request=request,
    )
    return consultation_out(c)


@router.get("/{consultation_id}/record", response=RecordOut)
def record(request: HttpRequest, consultation_id: UUID) -> RecordOut:
    """The record in force (the highest signed version)."""
    c = services.consultation_read(
        user=acting_user(request), consultation_id=consultation_id, request=request
    )
    current = selectors.record_in_force(c)
    if current is None:
        raise NotFound()
    return record_out(current)


@router.get("/{consultation_id}/ice", response=IceOut)
def ice(request: HttpRequest, consultation_id: UUID) -> IceOut:
    """STUN/TURN servers for the call, with TURN credentials valid for a short time."""
    user = acting_user(request)
    selectors.consultation_for(user, consultation_id)
    return IceOut(ice_servers=ice_servers(user.public_id.hex))
