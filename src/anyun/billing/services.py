"""Billing use cases: her order for a payable thing, paying it, the provider's notifications,
cancellation, the timeout sweep and refunds. Amounts are integer fen throughout.

Each use case that writes is one transaction, audited in it. Calls to the provider's servers
happen outside any transaction (`order_pay_start` in the request; closing an order and
submitting a refund in queued jobs). The jobs live in `tasks.py`, which calls these use cases;
here they are named by path (`_enqueue`), as `core.periodic` names its jobs, so that the
dependency runs one way (tasks -> services).

Payment state changes only on a verified notification (`notification_receive`), and each
notification id is applied once: the same notification again finds its row and changes nothing.
What billing pays for is not known here: the payable kind's callbacks (`registry`) describe the
thing, say whether it is still payable, and mark it paid or refunded.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from anyun.accounts.models import Role, User
from anyun.audit.services import audit_record
from anyun.billing import registry
from anyun.billing.models import (
    LIVE_STATUSES,
    NotificationOutcome,
    OrderStatus,
    PaymentOrder,
    ProviderNotification,
    Refund,
    RefundReason,
    RefundStatus,
)
from anyun.billing.providers import (
    PaymentProvider,
    PayStart,
    ProviderEvent,
    RefundResult,
    SandboxProvider,
    payment_provider,
    provider_named,
)
from anyun.billing.selectors import FINANCE_ROLES, access_order
from anyun.core.errors import DomainError, NotFound, PermissionDenied
from anyun.core.worker import enqueue
from anyun.notify.services import notification_send

logger = logging.getLogger("anyun.billing")
SWEEP_BATCH = 500


class ProviderUnavailable(DomainError):
    status = 503

    def __init__(self) -> None:
        super().__init__(
            "provider_unavailable",
            _("The payment service cannot be reached. Try again in a few minutes."),
        )


class AmountMismatch(DomainError):
    def __init__(self) -> None:
        super().__init__("amount_mismatch", _("The amount paid differs from the order's amount."))


def _enqueue(name: str, **kwargs: Any) -> None:
    """Queue `anyun.billing.tasks.<name>(**kwargs)` in the caller's transaction."""
    enqueue(import_string(f"anyun.billing.tasks.{name}"), **kwargs)


def _number(prefix: str) -> str:
    """A provider-safe number (WeChat Pay: 6-32 of [A-Za-z0-9]), readable by staff:
    prefix, the business date, 12 random hex digits."""
    return f"{prefix}{timezone.localdate():%Y%m%d}{secrets.token_hex(6).upper()}"


def order_link(order: PaymentOrder) -> str:
    return f"/billing/orders/{order.public_id}/"


def _require_woman(user: User) -> None:
    if user.role != Role.WOMAN:
        raise PermissionDenied("not_a_woman", _("Only a woman can do this for herself."))


def _kind(name: str) -> registry.PayableKind:
    kind = registry.kind_of(name)
    if kind is None:
        raise DomainError("kind_unknown", _("This cannot be paid for online."), field="kind")
    return kind


def _audit(
    action: str, order: PaymentOrder, *, actor: Any = None, request: Any = None, **detail: Any
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="payment_order",
        object_id=order.public_id,
        subject=order.woman,
        request=request,
        detail={"number": order.number, "status": order.status, **detail},
    )


# --- her order ------------------------------------------------------------------------------


def order_create(
    *,
    woman: User,
    kind: str,
    ref: str,
    delivery: bool = False,
    idempotency_key: str = "",
    request: Any = None,
) -> tuple[PaymentOrder, bool]:
    """Her order for one payable thing; (order, created). One live order per thing: asking
    again while one waits for payment returns it; a paid thing is refused. The kind checks
    the thing is hers and payable now (an unreviewed or expired prescription is refused)."""
    _require_woman(woman)
    payable_kind = _kind(kind)
    key = (idempotency_key or "")[:64]
    if key:
        earlier = PaymentOrder.objects.filter(woman=woman, idempotency_key=key).first()
        if earlier is not None:
            return earlier, False
    payable = payable_kind.describe(str(ref), woman, {"delivery": bool(delivery)})
    total = payable.total_fen
    if total <= 0 or any(line.amount_fen < 0 for line in payable.lines):
        raise DomainError("nothing_to_pay", _("There is nothing to pay for this."))
    now = timezone.now()
    with transaction.atomic():
        live = (
            PaymentOrder.objects.select_for_update()
            .filter(kind=kind, ref=str(ref), status__in=LIVE_STATUSES)
            .first()
        )
        if live is not None and live.status == OrderStatus.PENDING and live.expires_at <= now:
            _expire(live, now=now)
            live = None
        if live is not None:
            if live.woman_id != woman.pk:
                raise NotFound()
            if live.status == OrderStatus.PENDING:
                return live, False
            raise DomainError("already_paid", _("This has been paid for already."))
        try:
            with transaction.atomic():
                order = PaymentOrder.objects.create(
                    number=_number("AY"),
                    woman=woman,
                    kind=kind,
                    ref=str(ref),
                    title=payable.title[:200],
                    lines=[
                        {
                            "label": line.label,
                            "amount_fen": line.amount_fen,
                            "quantity": line.quantity,
                            "code": line.code,
                        }
                        for line in payable.lines
                    ],
                    amount_fen=total,
                    provider=payment_provider().name,
                    idempotency_key=key,
                    expires_at=now + timedelta(minutes=settings.ANYUN_PAYMENT_TIMEOUT_MINUTES),
                )
        except IntegrityError as exc:
            # A concurrent request for the same thing (or key) won: answer with its order.
            raise DomainError(
                "order_exists", _("An order for this is being made. Open your orders.")
            ) from exc
        _audit("billing_order_create", order, actor=woman, request=request, amount_fen=total)
    return order, True


def order_read(*, user: User, order_id: Any, request: Any = None) -> PaymentOrder:
    order = access_order(user=user, order_id=order_id)
    _audit("billing_order_read", order, actor=user, request=request)
    return order


def _require_pending(order: PaymentOrder, *, now: datetime | None = None) -> None:
    if order.status != OrderStatus.PENDING:
        raise DomainError("not_pending", _("This order is not waiting for payment."))
    if order.expires_at <= (now or timezone.now()):
        raise DomainError("order_expired", _("This order has timed out. Start a new one."))


def order_pay_start(
    *, woman: User, order_id: Any, openid: str = "", request: Any = None
) -> PayStart:
    """Start paying a pending order at the provider (outside any transaction): the hosted page,
    QR code or JSAPI parameters she pays with. Refused once the thing is no longer payable."""
    _require_woman(woman)
    order = access_order(user=woman, order_id=order_id)
    _require_pending(order)
    if not _kind(order.kind).is_payable(order.ref):
        raise DomainError("not_payable", _("This can no longer be paid for."))
    provider = provider_named(order.provider)
    if provider is None:
        raise DomainError("provider_changed", _("Cancel this order and start a new one."))
    try:
        start = provider.start(order, openid=openid)
    except Exception as exc:  # the provider's SDK raises its own kinds; none is ours to show
        logger.warning("payment start failed for %s: %s", order.number, exc)
        raise ProviderUnavailable from exc
    with transaction.atomic():
        PaymentOrder.objects.filter(pk=order.pk, status=OrderStatus.PENDING).update(
            provider_ref=start.provider_ref[:256], updated_at=timezone.now()
        )
        _audit("billing_pay_start", order, actor=woman, request=request, mode=start.mode)
    return start


def sandbox_confirm(*, woman: User, order_id: Any, request: Any = None) -> PaymentOrder:
    """She confirms on the sandbox's pay page: the sandbox's signed notification is queued
    (it arrives asynchronously, as a real provider's would)."""
    _require_woman(woman)
    order = access_order(user=woman, order_id=order_id)
    if not isinstance(provider_named(order.provider), SandboxProvider):
        raise NotFound()
    _require_pending(order)
    with transaction.atomic():
        _enqueue("sandbox_notify", order_id=order.pk, event="payment")
        _audit("billing_sandbox_confirm", order, actor=woman, request=request)
    return order


def order_cancel(*, woman: User, order_id: Any, request: Any = None) -> PaymentOrder:
    """She cancels: an unpaid order is closed (and closed at the provider by a queued job); a
    paid one is refunded, if the kind still allows it (a dispensed prescription does not)."""
    _require_woman(woman)
    order = access_order(user=woman, order_id=order_id)
    now = timezone.now()
    with transaction.atomic():
        locked = PaymentOrder.objects.select_for_update().select_related("woman").get(pk=order.pk)
        if locked.status == OrderStatus.PENDING:
            locked.status = OrderStatus.CANCELLED
            locked.cancelled_at = now
            locked.save(update_fields=["status", "cancelled_at", "updated_at"])
            _enqueue("order_close", order_id=locked.pk)
            _audit("billing_order_cancel", locked, actor=woman, request=request)
            return locked
        if locked.status != OrderStatus.PAID:
            raise DomainError("not_cancellable", _("This order cannot be cancelled now."))
        if not _kind(locked.kind).can_refund(locked.ref):
            raise DomainError(
                "not_refundable", _("This can no longer be refunded: ask the hospital.")
            )
        _refund_open(locked, reason=RefundReason.CANCELLED, actor=woman, request=request)
    locked.refresh_from_db()
    return locked


def _expire(order: PaymentOrder, *, now: datetime) -> None:
    """Inside the caller's transaction, the order row locked."""
    PaymentOrder.objects.filter(pk=order.pk, status=OrderStatus.PENDING).update(
        status=OrderStatus.EXPIRED, expired_at=now, updated_at=now
    )
    order.status = OrderStatus.EXPIRED
    _enqueue("order_close", order_id=order.pk)
    _audit("billing_order_expire", order)


def orders_expire_due(*, now: datetime | None = None) -> int:
    """The timeout sweep: every pending order past its time is expired and closed at the
    provider. Safe to run twice and beside itself (rows locked, skipped when held)."""
    now = now or timezone.now()
    done = 0
    while True:
        with transaction.atomic():
            batch = list(
                PaymentOrder.objects.select_for_update(skip_locked=True)
                .filter(status=OrderStatus.PENDING, expires_at__lte=now)
                .select_related("woman")
                .order_by("expires_at", "pk")[:SWEEP_BATCH]
            )
            if not batch:
                return done
            for order in batch:
                _expire(order, now=now)
            done += len(batch)


def order_close_at_provider(*, order_id: int) -> None:
    """The queued job's work: tell the provider an unpaid order is closed. A failure is
    logged; the order is closed here whatever the provider says (a late payment is refunded)."""
    order = PaymentOrder.objects.filter(pk=order_id).first()
    if order is None or order.status not in {OrderStatus.CANCELLED, OrderStatus.EXPIRED}:
        return
    provider = provider_named(order.provider)
    if provider is None:
        return
    try:
        provider.close(order)
    except Exception as exc:  # the provider's own errors: logged, nothing to undo
        logger.warning("closing %s at the provider failed: %s", order.number, exc)


# --- notifications from the provider -------------------------------------------------------


def notification_receive(
    *, provider_name: str, headers: Mapping[str, str], body: bytes
) -> ProviderNotification:
    """Verify and apply one notification. Raises `NotificationRefused` (400) for a bad
    signature, `NotFound` (404) for an order we do not have, `AmountMismatch` (400, recorded)
    when the amount differs. The same notification id again returns its row unchanged
    (a recorded refusal is refused again), so the provider's retries change nothing."""
    provider = provider_named(provider_name)
    if provider is None:
        raise NotFound()
    event = provider.parse_notification(headers, body)
    earlier = ProviderNotification.objects.filter(
        provider=provider.name, notification_id=event.notification_id
    ).first()
    if earlier is not None:
        return _again(earlier)
    order = PaymentOrder.objects.filter(number=event.order_number, provider=provider.name).first()
    if order is None:
        raise NotFound()
    try:
        with transaction.atomic():
            if event.event == "payment":
                row = _payment_apply(provider, order, event)
            else:
                row = _refund_event_apply(provider, order, event)
    except IntegrityError:
        # The same notification applied concurrently: the winner's row answers.
        winner = ProviderNotification.objects.filter(
            provider=provider.name, notification_id=event.notification_id
        ).first()
        if winner is None:
            raise
        row = winner
    return _again(row) if row.outcome == NotificationOutcome.AMOUNT_MISMATCH else row


def _again(row: ProviderNotification) -> ProviderNotification:
    if row.outcome == NotificationOutcome.AMOUNT_MISMATCH:
        raise AmountMismatch
    return row


def _record(
    provider: PaymentProvider,
    event: ProviderEvent,
    order: PaymentOrder | None,
    outcome: str,
    **detail: Any,
) -> ProviderNotification:
    return ProviderNotification.objects.create(
        provider=provider.name,
        notification_id=event.notification_id,
        event=event.event,
        order=order,
        amount_fen=max(0, event.amount_fen),
        outcome=outcome,
        detail={"provider_ref": event.provider_ref, "succeeded": event.succeeded, **detail},
        received_at=timezone.now(),
    )


def _payment_apply(
    provider: PaymentProvider, order: PaymentOrder, event: ProviderEvent
) -> ProviderNotification:
    locked = PaymentOrder.objects.select_for_update().select_related("woman").get(pk=order.pk)
    if not event.succeeded:
        return _record(provider, event, locked, NotificationOutcome.FAILED)
    if event.amount_fen != locked.amount_fen:
        row = _record(
            provider, event, locked, NotificationOutcome.AMOUNT_MISMATCH, expected=locked.amount_fen
        )
        _audit(
            "billing_amount_mismatch",
            locked,
            expected_fen=locked.amount_fen,
            notified_fen=event.amount_fen,
        )
        return row
    if locked.paid_at is not None or locked.status in {
        OrderStatus.PAID,
        OrderStatus.REFUNDING,
        OrderStatus.REFUNDED,
    }:
        # Paid already under another notification id (a provider re-sent it anew).
        return _record(provider, event, locked, NotificationOutcome.DUPLICATE)
    now = timezone.now()
    kind = _kind(locked.kind)
    was = locked.status
    locked.paid_at = now
    locked.provider_transaction = event.provider_ref[:64]
    if was != OrderStatus.PENDING or not kind.is_payable(locked.ref):
        # The money came in after she cancelled or the order timed out, or for a thing no
        # longer payable: it goes back at once. A closed order stays closed (she may have a
        # new order for the same thing by now).
        if was == OrderStatus.PENDING:
            locked.status = OrderStatus.PAID
        locked.save(update_fields=["status", "paid_at", "provider_transaction", "updated_at"])
        row = _record(provider, event, locked, NotificationOutcome.REFUNDED, was=was)
        reason = (
            RefundReason.PAID_AFTER_CLOSE
            if was != OrderStatus.PENDING
            else RefundReason.NOT_PAYABLE
        )
        _audit("billing_order_paid", locked, was=was)
        _refund_open(locked, reason=reason, actor=None)
        return row
    locked.status = OrderStatus.PAID
    locked.save(update_fields=["status", "paid_at", "provider_transaction", "updated_at"])
    kind.on_paid(locked.ref, locked)
    row = _record(provider, event, locked, NotificationOutcome.APPLIED)
    _audit("billing_order_paid", locked, amount_fen=locked.amount_fen)
    notification_send(
        recipient=locked.woman,
        kind="billing_paid",
        title=str(_("Payment received")),
        body=str(_("We received your payment. Thank you.")),
        link=order_link(locked),
        dedup_key=f"billing-paid:{locked.pk}",
    )
    return row


def _refund_event_apply(
    provider: PaymentProvider, order: PaymentOrder, event: ProviderEvent
) -> ProviderNotification:
    refund = (
        Refund.objects.select_for_update()
        .select_related("order__woman")
        .filter(order=order, number=event.refund_number)
        .first()
    )
    if refund is None:
        raise NotFound()
    if refund.status != RefundStatus.REQUESTED:
        return _record(provider, event, order, NotificationOutcome.DUPLICATE)
    if event.succeeded and event.amount_fen != refund.amount_fen:
        row = _record(
            provider, event, order, NotificationOutcome.AMOUNT_MISMATCH, expected=refund.amount_fen
        )
        _audit(
            "billing_amount_mismatch",
            order,
            expected_fen=refund.amount_fen,
            notified_fen=event.amount_fen,
        )
        return row
    if event.succeeded:
        _refund_succeeded(refund, provider_ref=event.provider_ref)
    else:
        _refund_failed(refund, failure=str(event.raw.get("refund_status", "failed"))[:200])
    return _record(provider, event, order, NotificationOutcome.APPLIED)


# --- refunds --------------------------------------------------------------------------------


def _refund_open(order: PaymentOrder, *, reason: str, actor: Any, request: Any = None) -> Refund:
    """Inside the caller's transaction, the order row locked and paid: a refund of the whole
    amount, submitted to the provider by a queued job."""
    refund = Refund.objects.create(
        number=_number("RF"),
        order=order,
        amount_fen=order.amount_fen,
        reason=reason,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if order.status == OrderStatus.PAID:
        order.status = OrderStatus.REFUNDING
        order.save(update_fields=["status", "updated_at"])
    _enqueue("refund_submit", refund_id=refund.pk)
    audit_record(
        actor=actor,
        action="billing_refund_request",
        object_type="refund",
        object_id=refund.public_id,
        subject=order.woman,
        request=request,
        detail={"order": order.number, "reason": reason, "amount_fen": refund.amount_fen},
    )
    return refund


def refund_for_payable(
    *, kind: str, ref: str, reason: str = RefundReason.RETURNED, actor: Any = None
) -> Refund | None:
    """For the app that owns a thing: refund its paid order (a prescription returned after
    payment). None when the thing has no paid order; the refund in flight when one is."""
    if reason not in RefundReason.values:
        raise DomainError("choice_invalid", _("Choose one of the listed values."), field="reason")
    with transaction.atomic():
        order = (
            PaymentOrder.objects.select_for_update()
            .select_related("woman")
            .filter(kind=kind, ref=str(ref), status__in=LIVE_STATUSES)
            .first()
        )
        if order is None or order.status == OrderStatus.PENDING:
            return None
        if order.status == OrderStatus.REFUNDING:
            return order.refunds.filter(status=RefundStatus.REQUESTED).first()
        return _refund_open(order, reason=reason, actor=actor)


def refund_request_by_staff(
    *, actor: User, order_id: Any, reason: str = RefundReason.STAFF, request: Any = None
) -> Refund:
    """Finance staff refund a paid order (a complaint settled, a failed delivery)."""
    if actor.role not in FINANCE_ROLES:
        raise PermissionDenied("not_finance", _("Only the hospital's finance staff can do this."))
    if reason not in RefundReason.values:
        raise DomainError("choice_invalid", _("Choose one of the listed values."), field="reason")
    order = access_order(user=actor, order_id=order_id)
    with transaction.atomic():
        locked = PaymentOrder.objects.select_for_update().select_related("woman").get(pk=order.pk)
        if locked.status != OrderStatus.PAID:
            raise DomainError("not_paid", _("Only a paid order can be refunded."))
        return _refund_open(locked, reason=reason, actor=actor, request=request)


def refund_retry(*, actor: User, refund_id: Any, request: Any = None) -> Refund:
    """Finance staff try a failed refund again (a new refund of the same order)."""
    if actor.role not in FINANCE_ROLES:
        raise PermissionDenied("not_finance", _("Only the hospital's finance staff can do this."))
    with transaction.atomic():
        failed = (
            Refund.objects.select_for_update()
            .select_related("order__woman")
            .filter(public_id=refund_id, status=RefundStatus.FAILED)
            .first()
        )
        if failed is None:
            raise NotFound()
        order = PaymentOrder.objects.select_for_update().get(pk=failed.order_id)
        if order.status != OrderStatus.PAID:
            raise DomainError("not_paid", _("Only a paid order can be refunded."))
        order.woman = failed.order.woman
        return _refund_open(order, reason=failed.reason, actor=actor, request=request)


def refund_submit(*, refund_id: int) -> None:
    """The queued job's work: send a requested refund to the provider (outside a transaction)
    and apply an immediate answer; a pending one ends with the provider's notification."""
    refund = Refund.objects.select_related("order").filter(pk=refund_id).first()
    if refund is None or refund.status != RefundStatus.REQUESTED:
        return
    provider = provider_named(refund.order.provider)
    if provider is None:
        return
    try:
        result = provider.refund(refund)
    except Exception as exc:  # the provider's own errors: failed, finance staff retry it
        logger.warning("refund %s at the provider failed: %s", refund.number, exc)
        result = RefundResult(status="failed", failure="provider_unreachable")
    with transaction.atomic():
        locked = Refund.objects.select_for_update().select_related("order__woman").get(pk=refund.pk)
        if locked.status != RefundStatus.REQUESTED:
            return
        if result.status == "succeeded":
            _refund_succeeded(locked, provider_ref=result.provider_ref)
        elif result.status == "failed":
            _refund_failed(locked, failure=result.failure)
        else:
            Refund.objects.filter(pk=locked.pk).update(
                provider_ref=result.provider_ref[:64], updated_at=timezone.now()
            )
            if isinstance(provider, SandboxProvider):
                _enqueue(
                    "sandbox_notify", order_id=locked.order_id, event="refund", refund_id=locked.pk
                )


def _refund_succeeded(refund: Refund, *, provider_ref: str) -> None:
    now = timezone.now()
    refund.status = RefundStatus.SUCCEEDED
    refund.succeeded_at = now
    refund.provider_ref = provider_ref[:64] or refund.provider_ref
    refund.save(update_fields=["status", "succeeded_at", "provider_ref", "updated_at"])
    order = PaymentOrder.objects.select_for_update().select_related("woman").get(pk=refund.order_id)
    order.status = OrderStatus.REFUNDED
    order.refunded_at = now
    order.save(update_fields=["status", "refunded_at", "updated_at"])
    kind = registry.kind_of(order.kind)
    if kind is not None:
        kind.on_refunded(order.ref, order)
    audit_record(
        actor=None,
        action="billing_refund_succeeded",
        object_type="refund",
        object_id=refund.public_id,
        subject=order.woman,
        detail={"order": order.number, "amount_fen": refund.amount_fen},
    )
    notification_send(
        recipient=order.woman,
        kind="billing_refunded",
        title=str(_("Refund made")),
        body=str(_("Your payment was refunded. It may take a few days to reach your account.")),
        link=order_link(order),
        dedup_key=f"billing-refunded:{refund.pk}",
    )


def _refund_failed(refund: Refund, *, failure: str) -> None:
    now = timezone.now()
    refund.status = RefundStatus.FAILED
    refund.failed_at = now
    refund.failure = failure[:200]
    refund.save(update_fields=["status", "failed_at", "failure", "updated_at"])
    order = PaymentOrder.objects.select_for_update().select_related("woman").get(pk=refund.order_id)
    if order.status == OrderStatus.REFUNDING:
        # Still paid: finance staff see the failed refund and try again.
        order.status = OrderStatus.PAID
        order.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=None,
        action="billing_refund_failed",
        object_type="refund",
        object_id=refund.public_id,
        subject=order.woman,
        detail={"order": order.number, "failure": refund.failure},
    )


def sandbox_notification_send(*, order_id: int, event: str, refund_id: int | None = None) -> None:
    """The queued job of the sandbox: sign and deliver its notification to the entry the
    callback endpoint uses (the sandbox's 'server' is this process)."""
    order = PaymentOrder.objects.filter(pk=order_id).first()
    provider = provider_named(order.provider) if order is not None else None
    if order is None or not isinstance(provider, SandboxProvider):
        return
    if event == "refund":
        refund = Refund.objects.filter(pk=refund_id or 0, order=order).first()
        if refund is None:
            return
        headers, body = provider.notification(
            event="refund",
            order_number=order.number,
            amount_fen=refund.amount_fen,
            refund_number=refund.number,
            notification_id=f"refund-{refund.number}",
        )
    else:
        headers, body = provider.notification(
            event="payment",
            order_number=order.number,
            amount_fen=order.amount_fen,
            notification_id=f"pay-{order.number}",
        )
    notification_receive(provider_name=provider.name, headers=headers, body=body)


def reconciliation_read(*, actor: User, request: Any = None, **period: Any) -> None:
    """Audit a read of the reconciliation (finance staff only)."""
    if actor.role not in FINANCE_ROLES:
        raise PermissionDenied("not_finance", _("Only the hospital's finance staff can do this."))
    audit_record(
        actor=actor,
        action="billing_reconciliation_read",
        object_type="reconciliation",
        request=request,
        detail={k: str(v) for k, v in period.items()},
    )
