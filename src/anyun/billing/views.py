"""Billing pages: her orders, the order and its pay page, the sandbox's hosted pay page, the
result (phone); the daily reconciliation with its CSV (management console). Thin: parse,
call one service or selector, render; refusals shown as messages."""

from __future__ import annotations

import csv
import datetime as dt
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from anyun.accounts.decorators import acting_user, staff_required, woman_required
from anyun.audit.services import audit_record
from anyun.billing import registry, selectors, services
from anyun.billing.models import OrderStatus, PaymentOrder
from anyun.billing.providers import SandboxProvider, provider_named
from anyun.core.errors import DomainError, NotFound


def _order(request: HttpRequest, order_id: UUID) -> PaymentOrder:
    try:
        return services.order_read(user=acting_user(request), order_id=order_id, request=request)
    except NotFound as exc:
        raise Http404 from exc


@woman_required
def mine(request: HttpRequest) -> HttpResponse:
    """Her orders with their states in words, and what she can pay for now."""
    woman = acting_user(request)
    rows = selectors.orders_of_woman(woman)
    audit_record(
        actor=woman,
        action="billing_order_read",
        object_type="payment_order",
        subject=woman,
        request=request,
        detail={"count": len(rows)},
    )
    ready = [(kind, item) for kind in registry.kinds() for item in kind.ready_for(woman)]
    return render(request, "billing/mine.html", {"orders": rows, "ready": ready})


@woman_required
@require_POST
def order_new(request: HttpRequest, kind: str, ref: str) -> HttpResponse:
    try:
        order, _created = services.order_create(
            woman=acting_user(request),
            kind=kind,
            ref=ref,
            delivery=request.POST.get("delivery") == "1",
            idempotency_key=request.POST.get("idempotency_key", "")[:64],
            request=request,
        )
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("billing:mine")
    return redirect("billing:order_detail", order_id=order.public_id)


@woman_required
def order_detail(request: HttpRequest, order_id: UUID) -> HttpResponse:
    order = _order(request, order_id)
    kind = registry.kind_of(order.kind)
    return render(
        request,
        "billing/order.html",
        {
            "order": order,
            "refunds": list(order.refunds.order_by("created_at")),
            "link": kind.link(order.ref) if kind is not None else "",
            "payable": order.status == OrderStatus.PENDING,
            "cancellable": order.status in {OrderStatus.PENDING, OrderStatus.PAID},
        },
    )


@woman_required
@require_POST
def order_pay(request: HttpRequest, order_id: UUID) -> HttpResponse:
    try:
        start = services.order_pay_start(
            woman=acting_user(request), order_id=order_id, request=request
        )
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("billing:order_detail", order_id=order_id)
    if start.mode == "page" and start.url.startswith("/"):
        return redirect(start.url)
    order = _order(request, order_id)
    return render(request, "billing/pay_qr.html", {"order": order, "start": start})


@woman_required
def sandbox_page(request: HttpRequest, order_id: UUID) -> HttpResponse:
    """The sandbox provider's hosted pay page: no money moves; she confirms."""
    order = _order(request, order_id)
    if not isinstance(provider_named(order.provider), SandboxProvider):
        raise Http404
    if request.method == "POST":
        try:
            services.sandbox_confirm(woman=acting_user(request), order_id=order_id, request=request)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect("billing:order_detail", order_id=order_id)
        return redirect("billing:order_result", order_id=order_id)
    return render(request, "billing/sandbox.html", {"order": order})


@woman_required
def order_result(request: HttpRequest, order_id: UUID) -> HttpResponse:
    order = _order(request, order_id)
    return render(request, "billing/result.html", {"order": order})


@woman_required
@require_POST
def order_cancel(request: HttpRequest, order_id: UUID) -> HttpResponse:
    try:
        order = services.order_cancel(
            woman=acting_user(request), order_id=order_id, request=request
        )
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("billing:order_detail", order_id=order_id)
    if order.status == OrderStatus.CANCELLED:
        messages.success(request, _("The order is cancelled."))
    else:
        messages.success(request, _("Your refund is on its way."))
    return redirect("billing:order_detail", order_id=order_id)


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    start = parse_date(request.GET.get("start", "")[:10]) if request.GET.get("start") else None
    end = parse_date(request.GET.get("end", "")[:10]) if request.GET.get("end") else None
    return selectors.reconciliation_period(start, end)


def _report(request: HttpRequest) -> tuple[selectors.Reconciliation | None, str]:
    try:
        first, last = _period(request)
    except (DomainError, ValueError) as exc:
        return None, str(getattr(exc, "message", _("Enter a valid date.")))
    services.reconciliation_read(actor=acting_user(request), request=request, start=first, end=last)
    return selectors.reconciliation_for(start=first, end=last), ""


@staff_required(selectors.FINANCE_ROLES)
def reconciliation(request: HttpRequest) -> HttpResponse:
    """Paid, refunded and pending orders per day, with totals in yuan."""
    report, error = _report(request)
    return render(request, "billing/reconciliation.html", {"report": report, "error": error})


@staff_required(selectors.FINANCE_ROLES)
def reconciliation_csv(request: HttpRequest) -> HttpResponse:
    report, error = _report(request)
    if report is None:
        messages.error(request, error)
        return redirect("billing:reconciliation")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="reconciliation-{report.start}-{report.end}.csv"'
    )
    response.write("\ufeff")  # Excel opens UTF-8 (the Chinese headings) only with a BOM
    writer = csv.writer(response)
    writer.writerow(
        [
            pgettext("billing", "Day"),
            _("Paid orders"),
            _("Paid (yuan)"),
            _("Refunds"),
            _("Refunded (yuan)"),
            _("Waiting orders"),
            _("Waiting (yuan)"),
            _("Net (yuan)"),
        ]
    )
    for d in report.days:
        writer.writerow(
            [
                d.day.isoformat(),
                d.paid_count,
                selectors.fen_to_yuan(d.paid_fen),
                d.refunded_count,
                selectors.fen_to_yuan(d.refunded_fen),
                d.pending_count,
                selectors.fen_to_yuan(d.pending_fen),
                selectors.fen_to_yuan(d.net_fen),
            ]
        )
    writer.writerow(
        [
            _("Total"),
            report.total("paid_count"),
            selectors.fen_to_yuan(report.total("paid_fen")),
            report.total("refunded_count"),
            selectors.fen_to_yuan(report.total("refunded_fen")),
            report.total("pending_count"),
            selectors.fen_to_yuan(report.total("pending_fen")),
            selectors.fen_to_yuan(report.total("net_fen")),
        ]
    )
    return response
