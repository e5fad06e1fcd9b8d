"""Billing reads: who sees which order, her orders, the daily reconciliation figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anyun.accounts.models import Role
from anyun.billing.models import OrderStatus, PaymentOrder, Refund, RefundStatus
from anyun.core.errors import DomainError, NotFound

# accounts has no finance role yet: the quality manager (the management role that reads the
# hospital's aggregates) reads the reconciliation. A finance role would be added here.
FINANCE_ROLES = frozenset({Role.FINANCE, Role.QUALITY_MANAGER})
MAX_REPORT_DAYS = 93


def fen_to_yuan(fen: int) -> str:
    """12345 -> "123.45": integer arithmetic only, never a float."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole}.{cents:02d}"


def orders_visible_to(user: Any) -> QuerySet[PaymentOrder]:
    """Her own orders for a woman; every order for finance staff; none for anyone else."""
    rows = PaymentOrder.objects.all()
    if user is None or not user.is_authenticated:
        return rows.none()
    if user.role == Role.WOMAN:
        return rows.filter(woman=user)
    if user.role in FINANCE_ROLES:
        return rows
    return rows.none()


def access_order(*, user: Any, order_id: UUID | str) -> PaymentOrder:
    """The order if `user` may see it; the same NotFound for missing and not allowed."""
    try:
        return orders_visible_to(user).select_related("woman").get(public_id=order_id)
    except (PaymentOrder.DoesNotExist, ValueError) as exc:
        raise NotFound() from exc


def orders_of_woman(woman: Any, *, limit: int = 100) -> list[PaymentOrder]:
    return list(PaymentOrder.objects.filter(woman=woman).order_by("-created_at")[:limit])


@dataclass
class DayFigures:
    """One day of the reconciliation (business day in Asia/Shanghai), amounts in fen."""

    day: dt.date
    paid_count: int = 0
    paid_fen: int = 0
    refunded_count: int = 0
    refunded_fen: int = 0
    pending_count: int = 0
    pending_fen: int = 0

    @property
    def net_fen(self) -> int:
        return self.paid_fen - self.refunded_fen


@dataclass
class Reconciliation:
    start: dt.date
    end: dt.date
    days: list[DayFigures] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(d, name) for d in self.days)


def _bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Midnight to midnight of a business day, in the server's time zone (Asia/Shanghai)."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def reconciliation_for(*, start: dt.date, end: dt.date) -> Reconciliation:
    """Per business day from `start` to `end` (both included): orders paid that day (by the
    time the money came in, whatever happened later), refunds that succeeded that day, and
    orders opened that day that still wait for payment now."""
    report = Reconciliation(start=start, end=end)
    by_day: dict[dt.date, DayFigures] = {}
    day = start
    while day <= end:
        by_day[day] = DayFigures(day=day)
        report.days.append(by_day[day])
        day += dt.timedelta(days=1)
    lower, _ = _bounds(start)
    _, upper = _bounds(end)
    for paid_at, amount in PaymentOrder.objects.filter(
        paid_at__gte=lower, paid_at__lt=upper
    ).values_list("paid_at", "amount_fen"):
        figures = by_day[timezone.localdate(paid_at)]
        figures.paid_count += 1
        figures.paid_fen += amount
    for succeeded_at, amount in Refund.objects.filter(
        status=RefundStatus.SUCCEEDED, succeeded_at__gte=lower, succeeded_at__lt=upper
    ).values_list("succeeded_at", "amount_fen"):
        figures = by_day[timezone.localdate(succeeded_at)]
        figures.refunded_count += 1
        figures.refunded_fen += amount
    for created_at, amount in PaymentOrder.objects.filter(
        status=OrderStatus.PENDING, created_at__gte=lower, created_at__lt=upper
    ).values_list("created_at", "amount_fen"):
        figures = by_day[timezone.localdate(created_at)]
        figures.pending_count += 1
        figures.pending_fen += amount
    return report


def reconciliation_period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """The report's days: `end` defaults to today, `start` to six days before `end`."""
    last = end or timezone.localdate()
    first = start or last - dt.timedelta(days=6)
    if first > last:
        raise DomainError(
            "period_invalid", _("The first day must not be after the last."), field="start"
        )
    if (last - first).days >= MAX_REPORT_DAYS:
        raise DomainError(
            "period_too_long",
            _("Choose at most %(days)s days.") % {"days": MAX_REPORT_DAYS},
            field="start",
        )
    return first, last
