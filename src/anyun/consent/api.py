from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema

from anyun.accounts.models import Role
from anyun.consent import services
from anyun.consent.models import ConsentDocument, ConsentSignature
from anyun.core.errors import NotFound

router = Router(tags=["consent"])


class DocumentOut(Schema):
    id: UUID
    kind: str
    version: int
    title: str
    body: str
    effective_at: datetime


class SignatureOut(Schema):
    id: UUID
    document: DocumentOut
    signed_at: datetime
    ip_address: str | None
    user_agent: str
    withdrawn_at: datetime | None
    withdrawal_reason: str


class WithdrawIn(Schema):
    reason: str = ""


def _doc(d: ConsentDocument) -> DocumentOut:
    return DocumentOut(
        id=d.public_id,
        kind=d.kind,
        version=d.version,
        title=d.title,
        body=d.body,
        effective_at=d.effective_at,
    )


def _sig(s: ConsentSignature) -> SignatureOut:
    return SignatureOut(
        id=s.public_id,
        document=_doc(s.document),
        signed_at=s.signed_at,
        ip_address=s.ip_address,
        user_agent=s.user_agent,
        withdrawn_at=s.withdrawn_at,
        withdrawal_reason=s.withdrawal_reason,
    )


def _woman(request: HttpRequest) -> object:
    if request.user.role != Role.WOMAN:  # type: ignore[union-attr]
        raise NotFound()
    return request.user


@router.get("/required", response=list[DocumentOut])
def required(request: HttpRequest) -> list[DocumentOut]:
    """Current documents she still has to sign (empty when all are signed)."""
    return [_doc(d) for d in services.consent_missing_for(_woman(request))]


@router.post("/documents/{document_id}/sign", response=SignatureOut)
def sign(request: HttpRequest, document_id: UUID) -> SignatureOut:
    return _sig(
        services.consent_sign(user=_woman(request), document_public_id=document_id, request=request)
    )


@router.get("/signatures", response=list[SignatureOut])
def signatures(request: HttpRequest) -> list[SignatureOut]:
    return [_sig(s) for s in services.signatures_of(_woman(request))]


@router.post("/signatures/{signature_id}/withdraw", response=SignatureOut)
def withdraw(request: HttpRequest, signature_id: UUID, data: WithdrawIn) -> SignatureOut:
    sig = services.consent_withdraw(
        user=_woman(request), signature_public_id=signature_id, reason=data.reason, request=request
    )
    return _sig(services.signatures_of(request.user).get(pk=sig.pk))
