"""The billing API routes: thin, calling services and selectors.

She: what she can pay for now, her orders, a new order for one payable thing (with an
`Idempotency-Key`), starting payment, the sandbox's confirmation, cancelling. Finance staff:
the daily reconciliation, refunds. The provider: its signed notifications (no sign-in; the
signature is the credential), answered 2xx once taken, 400 for a bad signature or amount, 404
for an order we do not have. Refusals are 4xx in the JSON error shape.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Router, Schema, Status

from anyun.accounts.decorators import acting_user
from anyun.accounts.models import Role, User
from anyun.audit.services import audit_record
from anyun.billing import registry, selectors, services
from anyun.billing.models import PaymentOrder, Refund
from anyun.core.errors import PermissionDenied

router = Router(tags=["billing"])


def _woman(request: HttpRequest) -> User:
    user = acting_user(request)
    if user.role != Role.WOMAN:
        raise PermissionDenied("not_a_woman", _("Only a woman can do this for herself."))
    return user


def _finance(request: HttpRequest) -> User:
    user = acting_user(request)
    if user.role not in selectors.FINANCE_ROLES:
        raise PermissionDenied("not_finance", _("Only the hospital's finance staff can do this."))
    return user


class BillLineOut(Schema):
    label: str
    quantity: int
    amount_fen: int


class RefundOut(Schema):
    id: UUID
    number: str
    status: str
    status_label: str
    reason: str
    reason_label: str
    amount_fen: int
    created_at: dt.datetime
    succeeded_at: dt.datetime | None


class PaymentOrderOut(Schema):
    id: UUID
    number: str
    kind: str
    kind_label: str
    ref: str
    title: str
    lines: list[BillLineOut]
    amount_fen: int
    amount_yuan: str
    status: str
    status_label: str
    provider: str
    created_at: dt.datetime
    expires_at: dt.datetime
    paid_at: dt.datetime | None
    refunds: list[RefundOut]


def _line_label(line: dict[str, object]) -> str:
    if line.get("code") == "delivery":
        return str(_("Delivery fee"))
    return str(line.get("label", ""))


def refund_out(refund: Refund) -> RefundOut:
    return RefundOut(
        id=refund.public_id,
        number=refund.number,
        status=refund.status,
        status_label=str(refund.get_status_display()),
        reason=refund.reason,
        reason_label=str(refund.get_reason_display()),
        amount_fen=refund.amount_fen,
        created_at=refund.created_at,
        succeeded_at=refund.succeeded_at,
    )


def order_out(order: PaymentOrder) -> PaymentOrderOut:
    return PaymentOrderOut(
        id=order.public_id,
        number=order.number,
        kind=order.kind,
        kind_label=registry.kind_label(order.kind),
        ref=order.ref,
        title=order.title,
        lines=[
            BillLineOut(
                label=_line_label(line),
                quantity=int(line.get("quantity", 1)),
                amount_fen=int(line.get("amount_fen", 0)),
            )
            for line in order.lines
        ],
        amount_fen=order.amount_fen,
        amount_yuan=selectors.fen_to_yuan(order.amount_fen),
        status=order.status,
        status_label=str(order.get_status_display()),
        provider=order.provider,
        created_at=order.created_at,
        expires_at=order.expires_at,
        paid_at=order.paid_at,
        refunds=[refund_out(r) for r in order.refunds.order_by("created_at")],
    )


class ReadyOut(Schema):
    kind: str
    kind_label: str
    ref: str
    title: str
    amount_fen: int
    delivery_offered: bool


class OrderIn(Schema):
    kind: str = Field(max_length=32)
    ref: str = Field(max_length=64)
    delivery: bool = False


class PayIn(Schema):
    openid: str = Field("", max_length=128)


class PayStartOut(Schema):
    mode: str
    url: str
    code_url: str
    params: dict[str, str]


class RefundIn(Schema):
    reason: str = Field("staff", max_length=32)


class DayOut(Schema):
    day: dt.date
    paid_count: int
    paid_fen: int
    refunded_count: int
    refunded_fen: int
    pending_count: int
    pending_fen: int
    net_fen: int


class ReconciliationOut(Schema):
    start: dt.date
    end: dt.date
    days: list[DayOut]
    paid_fen: int
    refunded_fen: int
    pending_fen: int
    net_fen: int


class NotificationAckOut(Schema):
    code: str
    message: str


@router.get("/payable", response=list[ReadyOut])
def payable(request: HttpRequest) -> list[ReadyOut]:
    """What she can pay for now (an approved prescription not paid yet, ...)."""
    woman = _woman(request)
    return [
        ReadyOut(
            kind=kind.name,
            kind_label=str(kind.label),
            ref=ready.ref,
            title=ready.title,
            amount_fen=ready.amount_fen,
            delivery_offered=ready.delivery_offered,
        )
        for kind in registry.kinds()
        for ready in kind.ready_for(woman)
    ]


@router.get("/orders", response=list[PaymentOrderOut])
def orders(request: HttpRequest) -> list[PaymentOrderOut]:
    """Her orders, newest first."""
    woman = _woman(request)
    rows = selectors.orders_of_woman(woman)
    audit_record(
        actor=woman,
        action="billing_order_read",
        object_type="payment_order",
        subject=woman,
        request=request,
        detail={"count": len(rows)},
    )
    return [order_out(o) for o in rows]


@router.post("/orders", response={201: PaymentOrderOut, 200: PaymentOrderOut})
def create(
    request: HttpRequest,
    data: OrderIn,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
) -> Status:
    """Her order for one payable thing. The order waiting for payment of the same thing (or of
    the same `Idempotency-Key`) is returned with 200 and nothing is written."""
    order, created = services.order_create(
        woman=_woman(request),
        kind=data.kind,
        ref=data.ref,
        delivery=data.delivery,
        idempotency_key=idempotency_key.strip(),
        request=request,
    )
    return Status(201 if created else 200, order_out(order))


@router.get("/orders/{order_id}", response=PaymentOrderOut)
def read(request: HttpRequest, order_id: UUID) -> PaymentOrderOut:
    order = services.order_read(user=acting_user(request), order_id=order_id, request=request)
    return order_out(order)


@router.post("/orders/{order_id}/pay", response=PayStartOut)
def pay(request: HttpRequest, order_id: UUID, data: PayIn) -> PayStartOut:
    """Start paying: the page to open (sandbox), the QR code's URL (WeChat Native) or the
    parameters for WeChat's JS bridge (JSAPI, when her `openid` is given)."""
    start = services.order_pay_start(
        woman=_woman(request), order_id=order_id, openid=data.openid, request=request
    )
    return PayStartOut(mode=start.mode, url=start.url, code_url=start.code_url, params=start.params)


@router.post("/orders/{order_id}/sandbox-confirm", response={202: PaymentOrderOut})
def sandbox_confirm(request: HttpRequest, order_id: UUID) -> Status:
    """The sandbox's pay page: she confirms; the signed notification follows from the queue."""
    order = services.sandbox_confirm(woman=_woman(request), order_id=order_id, request=request)
    return Status(202, order_out(order))


@router.post("/orders/{order_id}/cancel", response=PaymentOrderOut)
def cancel(request: HttpRequest, order_id: UUID) -> PaymentOrderOut:
    """Cancel: an unpaid order closes; a paid one is refunded when the thing allows it."""
    order = services.order_cancel(woman=_woman(request), order_id=order_id, request=request)
    return order_out(order)


@router.post("/orders/{order_id}/refund", response={201: RefundOut})
def refund(request: HttpRequest, order_id: UUID, data: RefundIn) -> Status:
    """Finance staff refund a paid order."""
    made = services.refund_request_by_staff(
        actor=_finance(request), order_id=order_id, reason=data.reason, request=request
    )
    return Status(201, refund_out(made))


@router.post("/refunds/{refund_id}/retry", response={201: RefundOut})
def refund_retry(request: HttpRequest, refund_id: UUID) -> Status:
    """Finance staff try a failed refund again."""
    made = services.refund_retry(actor=_finance(request), refund_id=refund_id, request=request)
    return Status(201, refund_out(made))


@router.get("/reconciliation", response=ReconciliationOut)
def reconciliation(
    request: HttpRequest,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> ReconciliationOut:
    """Paid, refunded and pending orders per business day (Asia/Shanghai), amounts in fen;
    the last 7 days unless told, at most 93."""
    user = _finance(request)
    first, last = selectors.reconciliation_period(start, end)
    services.reconciliation_read(actor=user, request=request, start=first, end=last)
    report = selectors.reconciliation_for(start=first, end=last)
    return ReconciliationOut(
        start=first,
        end=last,
        days=[
            DayOut(
                day=d.day,
                paid_count=d.paid_count,
                paid_fen=d.paid_fen,
                refunded_count=d.refunded_count,
                refunded_fen=d.refunded_fen,
                pending_count=d.pending_count,
                pending_fen=d.pending_fen,
                net_fen=d.net_fen,
            )
            for d in report.days
        ],
        paid_fen=report.total("paid_fen"),
        refunded_fen=report.total("refunded_fen"),
        pending_fen=report.total("pending_fen"),
        net_fen=report.total("net_fen"),
    )


@router.post("/callbacks/{provider}", response=NotificationAckOut, auth=None)
def callback(request: HttpRequest, provider: str) -> NotificationAckOut:
    """The payment provider's notification of a payment or refund (`sandbox`: HMAC-SHA256 of
    the body in `X-Anyun-Signature`; `wechatpay`: WeChat Pay API v3's signed, encrypted
    notification). Taken once: the same notification again is answered the same and changes
    nothing."""
    services.notification_receive(
        provider_name=provider[:32], headers=request.headers, body=request.body
    )
    return NotificationAckOut(code="SUCCESS", message="")
