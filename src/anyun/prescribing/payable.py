"""The prescription as a payable kind of billing (registered in `PrescribingConfig.ready`).

Only a prescription the pharmacist approved, within its validity and not paid yet, can be paid
(`services.prescription_payable`, 处方审核规范 2018: review before charging). The bill is the
prescription's lines at the prices written on them, plus the delivery fee when she asks for
delivery (`ANYUN_DELIVERY_FEE_FEN`; the delivery choice itself comes with the delivery app).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from anyun.billing.registry import Payable, PayableKind, PayableLine, Ready
from anyun.core.errors import DomainError, NotFound
from anyun.prescribing.models import Prescription, PrescriptionStatus
from anyun.prescribing.selectors import total_fen
from anyun.prescribing.services import prescription_payable
from anyun.prescribing.signals import prescription_paid, prescription_refunded

KIND = "prescription"


def _prescription(ref: str, **filters: Any) -> Prescription | None:
    try:
        return Prescription.objects.filter(public_id=ref, **filters).first()
    except (ValidationError, ValueError, TypeError):  # not a UUID
        return None


def _title(prescription: Prescription) -> str:
    signed = prescription.signed_at or prescription.created_at
    return f"{signed:%Y-%m-%d} · {prescription.diagnosis}"[:200]


def describe(ref: str, woman: Any, options: Mapping[str, Any]) -> Payable:
    prescription = _prescription(ref, woman=woman)
    if prescription is None:
        raise NotFound()
    if prescription.paid_at is not None:
        raise DomainError("already_paid", _("This has been paid for already."))
    if not prescription_payable(prescription):
        raise DomainError(
            "not_payable",
            _("Only a prescription the pharmacist approved can be paid, before it expires."),
        )
    lines = [
        PayableLine(
            label=f"{line.chinese_name} {line.generic_name} {line.strength} × {line.quantity}",
            amount_fen=line.unit_price_fen * line.quantity,
            quantity=line.quantity,
        )
        for line in prescription.lines.order_by("position")
    ]
    fee = settings.ANYUN_DELIVERY_FEE_FEN
    if options.get("delivery") and fee > 0:
        lines.append(PayableLine(label="delivery", amount_fen=fee, code="delivery"))
    return Payable(title=_title(prescription), lines=lines)


def is_payable(ref: str) -> bool:
    prescription = _prescription(ref, paid_at__isnull=True)
    return prescription is not None and prescription_payable(prescription)


def on_paid(ref: str, order: Any) -> None:
    marked = Prescription.objects.filter(public_id=ref, paid_at__isnull=True).update(
        paid_at=order.paid_at
    )
    prescription = _prescription(ref)
    if marked and prescription is not None:
        prescription_paid.send(sender=Prescription, prescription=prescription, order=order)


def on_refunded(ref: str, order: Any) -> None:
    Prescription.objects.filter(public_id=ref).update(paid_at=None)
    prescription = _prescription(ref)
    if prescription is not None:
        prescription_refunded.send(sender=Prescription, prescription=prescription)


def can_refund(ref: str) -> bool:
    """Her own cancellation refunds it only until the pharmacy dispensed it."""
    prescription = _prescription(ref)
    return prescription is not None and prescription.dispensed_at is None


def ready_for(woman: Any) -> list[Ready]:
    rows = Prescription.objects.filter(
        woman=woman, status=PrescriptionStatus.APPROVED, paid_at__isnull=True
    ).prefetch_related("lines")
    return [
        Ready(
            ref=str(p.public_id),
            title=_title(p),
            amount_fen=total_fen(p),
            delivery_offered=settings.ANYUN_DELIVERY_FEE_FEN > 0,
        )
        for p in rows
        if prescription_payable(p)
    ]


def link(ref: str) -> str:
    return f"/prescribing/mine/{ref}/"


PRESCRIPTION = PayableKind(
    name=KIND,
    label=_("Prescription"),
    describe=describe,
    is_payable=is_payable,
    on_paid=on_paid,
    on_refunded=on_refunded,
    can_refund=can_refund,
    ready_for=ready_for,
    link=link,
)
