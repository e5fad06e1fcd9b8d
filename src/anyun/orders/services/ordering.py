"""Ordering tests and booking a time, and the audited reads of orders and reports (see the
package docstring for the rules)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anyun.accounts.models import Role, User
from anyun.audit.services import audit_record
from anyun.billing.models import RefundReason
from anyun.billing.services import refund_for_payable
from anyun.careteam.selectors import access_woman
from anyun.clinical import labs
from anyun.consultation.models import ConsultationStatus
from anyun.consultation.selectors import consultation_for
from anyun.core.errors import DomainError, NotFound, PermissionDenied
from anyun.core.inputs import idempotency_key_clean, text_within
from anyun.notify.services import notification_send
from anyun.orders.models import (
    REASON_MAX_LENGTH,
    LabOrder,
    OrderStatus,
    Report,
)
from anyun.orders.selectors import access_order, access_report
from anyun.staff.selectors import require_online_practice

MAX_TESTS = 10
# The payable kind's name (orders.payable registers it under this name).
PAYABLE_KIND = "lab_order"
CANCELLABLE = (OrderStatus.ORDERED, OrderStatus.BOOKED)

# LOCAL POLICY: the hospital's sample and examination hours for booked tests: Monday to
# Saturday, 08:00-11:30 and 13:30-16:30 in 30-minute steps, from tomorrow to 30 days ahead;
# tests that need fasting (fasting glucose, OGTT, liver and kidney function) in the morning
# only, by 10:00, so she is not fasting past noon.
OPEN_DAYS = frozenset(range(6))  # Monday .. Saturday
OPEN_HOURS = ((dt.time(8, 0), dt.time(11, 30)), (dt.time(13, 30), dt.time(16, 30)))
FASTING_LAST_START = dt.time(10, 0)
STEP = timedelta(minutes=30)
BOOK_AHEAD_DAYS = 30
FASTING_PREPARATIONS = frozenset({labs.Preparation.FASTING, labs.Preparation.OGTT})


def link_for_woman(order: LabOrder) -> str:
    return f"/orders/mine/{order.public_id}/"


# --- ordering ----------------------------------------------------------------------------------


def _require_orderer(actor: User) -> None:
    if actor.role != Role.CLINICIAN:
        raise PermissionDenied("not_orderer", _("Only a clinician can order tests."))
    require_online_practice(actor)


def _tests(codes: Sequence[str]) -> list[str]:
    chosen: list[str] = []
    for code in codes:
        text = (code or "").strip()
        if text not in labs.CATALOGUE:
            raise DomainError("test_unknown", _("Choose tests from the catalogue."), field="tests")
        if text not in chosen:
            chosen.append(text)
    if not chosen:
        raise DomainError("tests_required", _("Choose at least one test."), field="tests")
    if len(chosen) > MAX_TESTS:
        raise DomainError(
            "too_many_tests",
            _("An order holds at most %(max)s tests.") % {"max": MAX_TESTS},
            field="tests",
        )
    return chosen


def order_create(
    *,
    actor: User,
    woman_id: Any,
    tests: Sequence[str],
    reason: str,
    consultation_id: Any = None,
    idempotency_key: str = "",
    request: Any = None,
) -> LabOrder:
    """Order tests for her with a reason. From a consultation: only the clinician who received
    it, while it is open or within a day of its end. A repeat with the same idempotency key
    returns the first order. She is told, with the preparation, in the same transaction."""
    _require_orderer(actor)
    key = idempotency_key_clean(idempotency_key, 64)
    if key:
        earlier = LabOrder.objects.filter(clinician=actor, idempotency_key=key).first()
        if earlier is not None:
            return earlier
    consultation = None
    if consultation_id:
        consultation = consultation_for(actor, consultation_id)
        if consultation.clinician_id != actor.pk:
            raise NotFound()
        if consultation.status == ConsultationStatus.REFERRED:
            raise DomainError(
                "consultation_referred",
                _("She was referred to in-person care: order her tests there."),
            )
        woman = consultation.woman
    else:
        woman = access_woman(user=actor, woman_public_id=woman_id)
    codes = _tests(tests)
    why = text_within(reason, REASON_MAX_LENGTH, field="reason")
    if not why:
        raise DomainError("reason_required", _("State why the tests are needed."), field="reason")
    try:
        with transaction.atomic():
            order = LabOrder.objects.create(
                woman=woman,
                clinician=actor,
                consultation=consultation,
                tests=codes,
                reason=why,
                idempotency_key=key,
            )
            audit_record(
                actor=actor,
                action="lab_order_create",
                object_type="lab_order",
                object_id=order.public_id,
                subject=woman,
                request=request,
                detail={"tests": codes},
            )
            notification_send(
                recipient=woman,
                kind="lab_order",
                title=str(_("Tests ordered for you")),
                body=str(_("Your clinician ordered tests. See how to prepare and book a time.")),
                link=link_for_woman(order),
                dedup_key=f"lab-order:{order.pk}",
            )
    except IntegrityError:
        earlier = LabOrder.objects.filter(clinician=actor, idempotency_key=key).first()
        if key and earlier is not None:
            return earlier
        raise
    return order


# --- booking -----------------------------------------------------------------------------------


def _needs_fasting(order: LabOrder) -> bool:
    return any(
        labs.CATALOGUE[code].preparation in FASTING_PREPARATIONS
        for code in order.tests
        if code in labs.CATALOGUE
    )


def booking_times(order: LabOrder, day: dt.date) -> list[datetime]:
    """The times she may book on `day` (LOCAL POLICY, see the module constants)."""
    today = timezone.localdate()
    if day <= today or day > today + timedelta(days=BOOK_AHEAD_DAYS):
        return []
    if day.weekday() not in OPEN_DAYS:
        return []
    fasting = _needs_fasting(order)
    times = []
    for start, end in OPEN_HOURS:
        moment = timezone.make_aware(datetime.combine(day, start))
        close = timezone.make_aware(datetime.combine(day, end))
        while moment < close:
            if not fasting or timezone.localtime(moment).time() <= FASTING_LAST_START:
                times.append(moment)
            moment += STEP
    return times


def booking_days(order: LabOrder) -> list[dt.date]:
    today = timezone.localdate()
    days = (today + timedelta(days=n) for n in range(1, BOOK_AHEAD_DAYS + 1))
    return [d for d in days if booking_times(order, d)]


def order_book(*, actor: User, order_id: Any, starts_at: datetime, request: Any = None) -> LabOrder:
    """She books (or moves) the time she comes to the hospital for an order's tests."""
    if actor.role != Role.WOMAN:
        raise PermissionDenied("not_a_woman", _("Only she can book her tests."))
    order = access_order(user=actor, order_id=order_id)
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    local = timezone.localtime(starts_at)
    if local not in booking_times(order, local.date()):
        raise DomainError(
            "time_unavailable",
            _("Choose one of the offered times within the hospital's opening hours."),
            field="starts_at",
        )
    with transaction.atomic():
        locked = LabOrder.objects.select_for_update().get(pk=order.pk)
        if locked.status not in (OrderStatus.ORDERED, OrderStatus.BOOKED):
            raise DomainError("order_not_bookable", _("Results for this order are already in."))
        locked.booked_for = starts_at
        locked.booked_at = timezone.now()
        locked.status = OrderStatus.BOOKED
        locked.save(update_fields=["booked_for", "booked_at", "status", "updated_at"])
        audit_record(
            actor=actor,
            action="lab_order_book",
            object_type="lab_order",
            object_id=locked.public_id,
            subject=locked.woman,
            request=request,
            detail={"booked_for": starts_at.isoformat()},
        )
    return locked


# --- cancelling --------------------------------------------------------------------------------


def _may_cancel(actor: User, order: LabOrder) -> None:
    """A clinician who sees her (the ordering one, or one of her care team) cancels any order
    without results; she cancels her own only while it is neither paid nor booked."""
    if actor.role == Role.WOMAN and (
        order.paid_at is not None or order.status != OrderStatus.ORDERED
    ):
        raise DomainError(
            "order_not_cancellable_by_her",
            _("A paid or booked order is cancelled by your clinician: ask in a message."),
        )


def order_cancel(*, actor: User, order_id: Any, reason: str, request: Any = None) -> LabOrder:
    """Cancel an order before any result is recorded, with a reason. A paid order is refunded
    through billing in the same transaction (`refund_for_payable`, the refund submitted by its
    queued job); an order she is still paying for is refused by billing when the money comes
    (`is_payable`). She (or, when she cancelled, the ordering clinician) is told."""
    if actor.role not in (Role.WOMAN, Role.CLINICIAN):
        raise PermissionDenied("not_orderer", _("Only a clinician can cancel an order."))
    order = access_order(user=actor, order_id=order_id)
    why = text_within(reason, REASON_MAX_LENGTH, field="reason")
    if not why:
        raise DomainError("reason_required", _("State why the order is cancelled."), field="reason")
    now = timezone.now()
    with transaction.atomic():
        locked = (
            LabOrder.objects.select_for_update()
            .select_related("woman", "clinician")
            .get(pk=order.pk)
        )
        if locked.status not in CANCELLABLE or locked.reports.exists():
            raise DomainError(
                "order_not_cancellable",
                _("Results for this order are already in: it cannot be cancelled."),
            )
        _may_cancel(actor, locked)
        locked.status = OrderStatus.CANCELLED
        locked.cancelled_at = now
        locked.cancelled_by = actor
        locked.cancel_reason = why
        locked.save(
            update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason", "updated_at"]
        )
        refund = refund_for_payable(
            kind=PAYABLE_KIND,
            ref=str(locked.public_id),
            reason=RefundReason.CANCELLED,
            actor=actor,
        )
        audit_record(
            actor=actor,
            action="lab_order_cancel",
            object_type="lab_order",
            object_id=locked.public_id,
            subject=locked.woman,
            request=request,
            detail={"reason": why, "refund": refund.number if refund is not None else ""},
        )
        if actor.role == Role.WOMAN:
            notification_send(
                recipient=locked.clinician,
                kind="lab_order_cancelled",
                title=str(_("Lab order cancelled")),
                body=str(_("She cancelled the tests you ordered.")),
                link=f"/orders/clinic/{locked.public_id}/",
                dedup_key=f"lab-order-cancelled:{locked.pk}",
            )
        else:
            notification_send(
                recipient=locked.woman,
                kind="lab_order_cancelled",
                title=str(_("Your tests were cancelled")),
                body=str(
                    _("Your clinician cancelled these tests. Your payment is refunded.")
                    if refund is not None
                    else _("Your clinician cancelled these tests. You need not come for them.")
                ),
                link=link_for_woman(locked),
                dedup_key=f"lab-order-cancelled:{locked.pk}",
            )
    return locked


# --- reads -------------------------------------------------------------------------------------


def order_read(*, user: User, order_id: Any, request: Any = None) -> LabOrder:
    order = access_order(user=user, order_id=order_id)
    audit_record(
        actor=user,
        action="lab_order_read",
        object_type="lab_order",
        object_id=order.public_id,
        subject=order.woman,
        request=request,
    )
    return order


def report_read(*, user: User, report_id: Any, request: Any = None, pdf: bool = False) -> Report:
    report = access_report(user=user, report_id=report_id)
    audit_record(
        actor=user,
        action="lab_report_print" if pdf else "lab_report_read",
        object_type="lab_report",
        object_id=report.public_id,
        subject=report.woman,
        request=request,
    )
    return report


def list_read(
    *, user: User, woman: User | None, what: str, count: int, request: Any = None
) -> None:
    """Audit a list read (her to-do list or results; a clinician's results list)."""
    object_type = "lab_report" if what == "results" else "lab_order"
    audit_record(
        actor=user,
        action="lab_list_read",
        object_type=object_type,
        subject=woman,
        request=request,
        detail={"what": what, "count": count},
    )
