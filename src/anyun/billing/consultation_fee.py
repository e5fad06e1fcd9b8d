"""The consultation fee as a payable kind (registered in `BillingConfig.ready`).

Billing sits above consultation, so this kind lives here and consultation knows nothing of it.
What she pays for: a consultation a clinician received (an appointment or live-queue request
becomes a `Consultation` only when it is received), open or ended, once. A consultation that
ended in a referral to in-person care is not charged online (LOCAL POLICY: she is sent on to
the hospital, where its own rules apply). The fee is one line of `ANYUN_CONSULTATION_FEE_FEN`
(0, the default: no fee is taken online and nothing is offered).

Nothing is marked on the consultation: billing's own order (one live order per thing, by its
constraint) is the record that it was paid, so `on_paid`/`on_refunded` have nothing to write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anyun.billing.models import OrderStatus, PaymentOrder
from anyun.billing.registry import Payable, PayableKind, PayableLine, Ready
from anyun.consultation.models import Consultation, ConsultationStatus
from anyun.core.errors import DomainError, NotFound

KIND = "consultation"
CHARGED_STATUSES = (ConsultationStatus.OPEN, ConsultationStatus.ENDED)
# A paid (or refunding, or refunded) order closes the fee: she pays a consultation once.
SETTLED = (OrderStatus.PAID, OrderStatus.REFUNDING, OrderStatus.REFUNDED)
LINE_CODE = "consultation"


def fee_fen() -> int:
    return max(0, int(settings.ANYUN_CONSULTATION_FEE_FEN))


def _consultation(ref: str, **filters: Any) -> Consultation | None:
    try:
        return (
            Consultation.objects.select_related("clinician")
            .filter(public_id=ref, **filters)
            .first()
        )
    except (ValidationError, ValueError, TypeError):  # not a UUID
        return None


def _settled(ref: str) -> bool:
    return PaymentOrder.objects.filter(kind=KIND, ref=str(ref), status__in=SETTLED).exists()


def _title(consultation: Consultation) -> str:
    opened = timezone.localtime(consultation.opened_at)
    return f"{opened:%Y-%m-%d} · {consultation.clinician}"[:200]


def describe(ref: str, woman: Any, options: Mapping[str, Any]) -> Payable:
    consultation = _consultation(ref, woman=woman)
    if consultation is None:
        raise NotFound()
    if _settled(ref):
        raise DomainError("already_paid", _("This has been paid for already."))
    if fee_fen() <= 0 or consultation.status not in CHARGED_STATUSES:
        raise DomainError("not_payable", _("No online fee is taken for this consultation."))
    return Payable(
        title=_title(consultation),
        lines=[PayableLine(label="consultation", amount_fen=fee_fen(), code=LINE_CODE)],
    )


def is_payable(ref: str) -> bool:
    return fee_fen() > 0 and _consultation(ref, status__in=CHARGED_STATUSES) is not None


def on_paid(ref: str, order: Any) -> None:
    """Nothing to mark: the paid order is the record."""


def on_refunded(ref: str, order: Any) -> None:
    """Nothing to clear: the refunded order is the record."""


def ready_for(woman: Any) -> list[Ready]:
    if fee_fen() <= 0:
        return []
    settled = PaymentOrder.objects.filter(kind=KIND, woman=woman, status__in=SETTLED).values_list(
        "ref", flat=True
    )
    rows = (
        Consultation.objects.select_related("clinician")
        .filter(woman=woman, status__in=CHARGED_STATUSES)
        .exclude(public_id__in=list(settled))
        .order_by("-opened_at")
    )
    return [Ready(ref=str(c.public_id), title=_title(c), amount_fen=fee_fen()) for c in rows]


def link(ref: str) -> str:
    return f"/consultation/{ref}/"


CONSULTATION_FEE = PayableKind(
    name=KIND,
    label=_("Online consultation"),
    describe=describe,
    is_payable=is_payable,
    on_paid=on_paid,
    on_refunded=on_refunded,
    ready_for=ready_for,
    link=link,
)
