"""Consent use cases: what a woman must sign, signing, withdrawing, and the gate services call."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anyun.audit.services import audit_record, client_ip
from anyun.consent.models import (
    CONSENT_KINDS,
    SIGN_IN_KINDS,
    ConsentDocument,
    ConsentSignature,
    DocumentKind,
)
from anyun.core.errors import DomainError, NotFound, PermissionDenied
from anyun.core.versioned import VersionedValue


def documents_current(
    kinds: tuple[DocumentKind, ...] = CONSENT_KINDS,
) -> list[ConsentDocument]:
    """The newest effective version of each of `kinds` (by default the consents signed before
    care; the sign-in documents are `sign_in_documents`)."""
    newest: dict[str, ConsentDocument] = {}
    for doc in ConsentDocument.objects.filter(
        effective_at__lte=timezone.now(), kind__in=kinds
    ).order_by("kind", "-version"):
        newest.setdefault(doc.kind, doc)
    return [newest[kind] for kind in kinds if kind in newest]


def _consent_versions() -> tuple[tuple[str, int, int, dt.datetime], ...]:
    return tuple(
        ConsentDocument.objects.filter(kind__in=CONSENT_KINDS)
        .order_by("kind", "-version")
        .values_list("kind", "version", "pk", "effective_at")
    )


# Every version of the documents signed before care (no bodies), held in the process and
# loaded afresh after any change to a document (`consent_versions_changed`).
CONSENT_VERSIONS: VersionedValue[tuple[tuple[str, int, int, dt.datetime], ...]] = VersionedValue(
    "consent_versions", _consent_versions
)


def consent_versions_changed() -> None:
    CONSENT_VERSIONS.bump()


def current_consent_ids(now: dt.datetime | None = None) -> list[int]:
    """The ids of the versions in force of the documents signed before care (no query while
    none changed): what `documents_current()` returns, as ids."""
    now = now or timezone.now()
    newest: dict[str, int] = {}
    for kind, _version, pk, effective_at in CONSENT_VERSIONS.get():
        if effective_at <= now:
            newest.setdefault(kind, pk)
    return [newest[kind] for kind in CONSENT_KINDS if kind in newest]


def sign_in_documents() -> list[ConsentDocument]:
    """The user agreement and the privacy notice in force, accepted before a sign-in code."""
    return documents_current(SIGN_IN_KINDS)


def sign_in_terms() -> list[dict[str, Any]]:
    """What a tick on the sign-in page accepts: each document's kind, version and id."""
    return [
        {"kind": doc.kind, "version": doc.version, "document": str(doc.public_id)}
        for doc in sign_in_documents()
    ]


def document_current(kind: str) -> ConsentDocument:
    """The version in force of one document, for reading (public: the sign-in page links it)."""
    for doc in documents_current(tuple(k for k in DocumentKind if k == kind)):
        return doc
    raise NotFound()


def consent_missing_for(user: Any) -> list[ConsentDocument]:
    """Current documents she has not signed (or has withdrawn). A new version is unsigned.

    One statement when she has signed them all (the versions in force are held in the
    process); the documents themselves are read only when some are missing."""
    current = current_consent_ids()
    signed = set(
        ConsentSignature.objects.filter(
            user=user, document_id__in=current, withdrawn_at__isnull=True
        ).values_list("document_id", flat=True)
    )
    missing = [pk for pk in current if pk not in signed]
    if not missing:
        return []
    documents = ConsentDocument.objects.in_bulk(missing)
    return [documents[pk] for pk in missing if pk in documents]


def consent_withdrawn(user: Any) -> bool:
    """True when her latest signature of some kind was withdrawn and not signed again since."""
    latest: dict[str, ConsentSignature] = {}
    for sig in ConsentSignature.objects.filter(user=user).select_related("document"):
        latest.setdefault(sig.document.kind, sig)
    return any(sig.withdrawn_at is not None for sig in latest.values())


def women_consented(user_ids: Any) -> set[int]:
    """Of these users, the ids of those who have signed every current document (one query)."""
    current = current_consent_ids()
    if not current:
        return set(user_ids)
    rows = (
        ConsentSignature.objects.filter(
            user_id__in=user_ids, document_id__in=current, withdrawn_at__isnull=True
        )
        .values("user_id")
        .annotate(signed=Count("document_id", distinct=True))
        .filter(signed=len(current))
    )
    return {row["user_id"] for row in rows}


def consent_refusal() -> PermissionDenied:
    """The refusal of a service to a woman who has not signed every current document."""
    return PermissionDenied(
        "consent_required",
        _("Please read and sign the informed consent before using this service."),
    )


def require_consent(user: Any) -> None:
    """The gate every clinical service calls before it serves a woman (ACC-1)."""
    if consent_missing_for(user):
        raise consent_refusal()


def consent_sign(*, user: Any, document_public_id: Any, request: Any = None) -> ConsentSignature:
    doc = ConsentDocument.objects.filter(public_id=document_public_id).first()
    if doc is None or doc not in documents_current():
        raise DomainError(
            "consent_version_outdated",
            _("This version of the document is no longer in force. Read the current one."),
        )
    try:
        with transaction.atomic():
            signature = ConsentSignature.objects.create(
                user=user,
                document=doc,
                signed_at=timezone.now(),
                ip_address=client_ip(request),
                user_agent=(request.META.get("HTTP_USER_AGENT", "")[:256] if request else ""),
            )
            audit_record(
                actor=user,
                action="consent_sign",
                object_type="consent_document",
                object_id=doc.public_id,
                subject=user,
                request=request,
                detail={"kind": doc.kind, "version": doc.version},
            )
    except IntegrityError:
        return ConsentSignature.objects.get(user=user, document=doc, withdrawn_at__isnull=True)
    return signature


def consent_withdraw(
    *, user: Any, signature_public_id: Any, reason: str, request: Any = None
) -> ConsentSignature:
    """Withdrawal stops new services; the signature and all records made under it stay."""
    with transaction.atomic():
        signature = (
            ConsentSignature.objects.select_for_update()
            .filter(user=user, public_id=signature_public_id)
            .first()
        )
        if signature is None:
            raise NotFound()
        if signature.withdrawn_at is None:
            signature.withdrawn_at = timezone.now()
            signature.withdrawal_reason = (reason or "").strip()[:500]
            signature.save(update_fields=["withdrawn_at", "withdrawal_reason"])
            audit_record(
                actor=user,
                action="consent_withdraw",
                object_type="consent_signature",
                object_id=signature.public_id,
                subject=user,
                request=request,
            )
    return signature


def signatures_of(user: Any) -> QuerySet[ConsentSignature]:
    return ConsentSignature.objects.filter(user=user).select_related("document")


def document_publish(
    *, kind: str, title_zh: str, title_en: str, body_zh: str, body_en: str, effective_at: Any = None
) -> ConsentDocument:
    """Publish a new version; everyone re-consents at next use."""
    with transaction.atomic():
        last = (
            ConsentDocument.objects.select_for_update()
            .filter(kind=kind)
            .order_by("-version")
            .first()
        )
        return ConsentDocument.objects.create(
            kind=kind,
            version=(last.version + 1) if last else 1,
            title_zh=title_zh,
            title_en=title_en,
            body_zh=body_zh,
            body_en=body_en,
            effective_at=effective_at or timezone.now(),
        )
