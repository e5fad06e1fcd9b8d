"""Orders pages: her to-do list, one order with its preparation and booking, her results and
one result with plain words, the trend and the PDF (phone); the clinician's order form (from a
consultation or her overview), results list with the abnormal first, an order with the staff's
result entry, and one report (workstation). Thin: parse, call one service or selector,
render; refusals shown beside their field."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anyun.accounts.decorators import acting_user, staff_required, woman_required
from anyun.accounts.models import CLINICAL_ROLES, Role
from anyun.assessment.selectors import risk_badges
from anyun.careteam.selectors import access_woman, women_visible_to
from anyun.clinical import labs
from anyun.consultation.selectors import consultation_for, consultations_of_clinician
from anyun.core.errors import DomainError, NotFound
from anyun.core.forms import form_error
from anyun.orders import forms, payable, selectors, services
from anyun.orders.report_print import render_report_pdf
from anyun.staff.selectors import practice_blockers


def _order(request: HttpRequest, order_id: UUID) -> Any:
    try:
        return services.order_read(user=acting_user(request), order_id=order_id, request=request)
    except NotFound as exc:
        raise Http404 from exc


def _report(request: HttpRequest, report_id: UUID, *, pdf: bool = False) -> Any:
    try:
        return services.report_read(
            user=acting_user(request), report_id=report_id, request=request, pdf=pdf
        )
    except NotFound as exc:
        raise Http404 from exc


# --- her phone ---------------------------------------------------------------------------------


@woman_required
def mine(request: HttpRequest) -> HttpResponse:
    woman = acting_user(request)
    todo = selectors.todo_of(woman)
    reports = selectors.reports_of_woman(woman)
    services.list_read(user=woman, woman=woman, what="todo", count=len(todo), request=request)
    services.list_read(user=woman, woman=woman, what="results", count=len(reports), request=request)
    return render(
        request,
        "orders/mine.html",
        {
            "todo": [
                {
                    "order": o,
                    "tests": selectors.test_rows(o.tests),
                    "preparations": selectors.preparations_of(o),
                }
                for o in todo
            ],
            "reports": [{"report": r, "rows": selectors.result_rows(r)} for r in reports],
        },
    )


@woman_required
def mine_order(request: HttpRequest, order_id: UUID) -> HttpResponse:
    order = _order(request, order_id)
    day = parse_date(request.GET.get("day", "")[:10]) if request.GET.get("day") else None
    days = services.booking_days(order)
    day = day if day in days else (days[0] if days else None)
    times = services.booking_times(order, day) if day else []
    choices = [(t.isoformat(), timezone.localtime(t).strftime("%H:%M")) for t in times]
    form = forms.BookingForm(request.POST or None, times=choices)
    if request.method == "POST":
        # The day's times are those of the posted time's day.
        posted = parse_datetime(request.POST.get("starts_at", "")[:40])
        if posted is not None:
            posted_day = (
                timezone.localtime(posted).date() if timezone.is_aware(posted) else posted.date()
            )
            form = forms.BookingForm(
                request.POST,
                times=[
                    (t.isoformat(), t.isoformat())
                    for t in services.booking_times(order, posted_day)
                ],
            )
        if form.is_valid() and posted is not None:
            try:
                services.order_book(
                    actor=acting_user(request),
                    order_id=order.public_id,
                    starts_at=posted,
                    request=request,
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("Your time is booked."))
                return redirect("orders:mine_order", order_id=order.public_id)
    return _mine_order_page(request, order, days=days, day=day, form=form)


def _mine_order_page(
    request: HttpRequest,
    order: Any,
    *,
    days: list[Any] | None = None,
    day: Any = None,
    form: forms.BookingForm | None = None,
    cancel_form: forms.CancelForm | None = None,
) -> HttpResponse:
    if days is None:
        days = services.booking_days(order)
        day = days[0] if days else None
    if form is None:
        times = services.booking_times(order, day) if day else []
        form = forms.BookingForm(
            times=[(t.isoformat(), timezone.localtime(t).strftime("%H:%M")) for t in times]
        )
    return render(
        request,
        "orders/mine_order.html",
        {
            "order": order,
            "tests": selectors.test_rows(order.tests),
            "preparations": selectors.preparations_of(order),
            "days": days,
            "day": day,
            "form": form,
            "bookable": order.status in ("ordered", "booked"),
            "total_fen": payable.total_fen(order),
            "cancellable": order.status == "ordered" and order.paid_at is None,
            "cancel_form": cancel_form or forms.CancelForm(),
        },
    )


def _cancel(request: HttpRequest, order_id: UUID) -> tuple[Any, forms.CancelForm, bool]:
    """Cancel from a page: (order, form with any refusal beside its field, done)."""
    order = _order(request, order_id)
    form = forms.CancelForm(request.POST)
    if form.is_valid():
        try:
            services.order_cancel(
                actor=acting_user(request),
                order_id=order.public_id,
                reason=form.cleaned_data.get("reason") or "",
                request=request,
            )
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            if exc.code in ("not_orderer",):
                raise Http404 from exc
            form_error(form, exc)
        else:
            return order, form, True
    return order, form, False


@require_POST
@woman_required
def mine_cancel(request: HttpRequest, order_id: UUID) -> HttpResponse:
    order, form, done = _cancel(request, order_id)
    if done:
        messages.success(request, _("The order is cancelled; your clinician has been told."))
        return redirect("orders:mine_order", order_id=order.public_id)
    return _mine_order_page(request, order, cancel_form=form)


@woman_required
def mine_report(request: HttpRequest, report_id: UUID) -> HttpResponse:
    report = _report(request, report_id)
    return render(
        request,
        "orders/mine_report.html",
        {
            "report": report,
            "tests": selectors.test_rows(report.order.tests),
            "rows": selectors.result_rows(report),
            "trends": selectors.trends_of_report(report),
        },
    )


def report_pdf(request: HttpRequest, report_id: UUID) -> HttpResponse:
    """The report as PDF, for her and the clinicians who see her."""
    user = request.user
    if not user.is_authenticated:
        raise Http404
    if user.role != Role.WOMAN and not (user.role in CLINICAL_ROLES and user.is_verified()):  # type: ignore[union-attr,attr-defined]
        raise Http404
    report = _report(request, report_id, pdf=True)
    response = HttpResponse(render_report_pdf(report), content_type="application/pdf")
    day = timezone.localtime(report.observed_at).strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="lab-report-{day}.pdf"'
    return response


# --- the workstation ---------------------------------------------------------------------------


@staff_required(CLINICAL_ROLES)
def clinic_home(request: HttpRequest) -> HttpResponse:
    """The results of the women she sees, critical and abnormal first."""
    user = acting_user(request)
    reports = selectors.reports_for_clinician(user)
    consultations = consultations_of_clinician(user, open_only=True)
    women = list(women_visible_to(user).select_related("woman_profile")[:100])
    services.list_read(user=user, woman=None, what="results", count=len(reports), request=request)
    # Her colour beside her name, in each list, read once for the whole page.
    badges = risk_badges(
        {r.woman_id for r in reports} | {c.woman_id for c in consultations} | {w.pk for w in women}
    )
    return render(
        request,
        "orders/clinic_home.html",
        {
            "reports": [
                {
                    "report": r,
                    "name": selectors.woman_name(r.woman),
                    "risk_badge": badges[r.woman_id],
                    "rows": [x for x in selectors.result_rows(r) if x.abnormal],
                }
                for r in reports
            ],
            "consultations": [(c, badges[c.woman_id]) for c in consultations],
            "women": [(w, selectors.woman_name(w), badges[w.pk]) for w in women],
            "open_orders": list(
                selectors.orders_visible_to(user)
                .filter(clinician=user, status__in=services.OPEN_STATUSES)
                .order_by("-created_at")[:50]
            ),
        },
    )


@staff_required(CLINICAL_ROLES)
def clinic_new(request: HttpRequest, woman_id: UUID) -> HttpResponse:
    """The order form, from her overview or (with `?consultation=`) from a consultation."""
    user = acting_user(request)
    consultation_id = request.GET.get("consultation") or request.POST.get("consultation") or ""
    try:
        woman = access_woman(user=user, woman_public_id=woman_id)
        consultation = consultation_for(user, consultation_id) if consultation_id else None
    except NotFound as exc:
        raise Http404 from exc
    if consultation is not None and consultation.woman_id != woman.pk:
        raise Http404
    form = forms.OrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.order_create(
                actor=user,
                woman_id=woman.public_id,
                consultation_id=consultation.public_id if consultation else None,
                tests=form.cleaned_data["tests"],
                reason=form.cleaned_data["reason"],
                idempotency_key=request.POST.get("idempotency_key", "")[:64],
                request=request,
            )
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Tests ordered; she has been told how to prepare."))
            return redirect("orders:clinic_order", order_id=order.public_id)
    return render(
        request,
        "orders/clinic_new.html",
        {
            "woman": woman,
            "woman_name": selectors.woman_name(woman),
            "risk_badge": risk_badges({woman.pk})[woman.pk],
            "consultation": consultation,
            "form": form,
            "catalogue": selectors.catalogue_rows(),
            "blockers": practice_blockers(user),
        },
    )


def _observations(order: Any) -> list[str]:
    codes: list[str] = []
    for code in order.tests:
        test = labs.CATALOGUE.get(code)
        for observation in test.observations if test else ():
            if observation not in codes:
                codes.append(observation)
    return codes


def _entered(form: Any, codes: list[str]) -> list[services.ValueInput]:
    values = []
    for code in codes:
        value = form.cleaned_data.get(code)
        if value in (None, ""):
            continue
        observation = labs.OBSERVATIONS[code]
        if observation.kind == labs.Kind.QUANTITY:
            values.append(services.ValueInput(code, number=float(value)))
        else:
            values.append(
                services.ValueInput(
                    code, text=str(value), abnormal=bool(form.cleaned_data.get(f"{code}__abnormal"))
                )
            )
    return values


@staff_required(CLINICAL_ROLES)
def clinic_order(request: HttpRequest, order_id: UUID) -> HttpResponse:
    """One order, its reports, and the form staff type results into."""
    order = _order(request, order_id)
    codes = _observations(order)
    form = forms.result_form_class(codes)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report, _created = services.report_record(
                actor=acting_user(request),
                order_id=order.public_id,
                data=services.ReportInput(
                    values=_entered(form, codes),
                    source="staff",
                    conclusion=form.cleaned_data.get("conclusion") or "",
                ),
                request=request,
            )
        except DomainError as exc:
            where = exc.field or ""
            if where.startswith("values."):
                index = where.split(".")[1]
                entered = _entered(form, codes)
                if index.isdigit() and int(index) < len(entered):
                    form.add_error(entered[int(index)].code, str(exc.message))
                else:
                    form.add_error(None, str(exc.message))
            else:
                form_error(form, exc)
        else:
            messages.success(request, _("Results recorded; she has been told."))
            return redirect("orders:clinic_report", report_id=report.public_id)
    return _clinic_order_page(request, order, form=form)


def _clinic_order_page(
    request: HttpRequest,
    order: Any,
    *,
    form: Any = None,
    cancel_form: forms.CancelForm | None = None,
) -> HttpResponse:
    reports = list(order.reports.all())
    return render(
        request,
        "orders/clinic_order.html",
        {
            "order": order,
            "woman_name": selectors.woman_name(order.woman),
            "risk_badge": risk_badges({order.woman_id})[order.woman_id],
            "tests": selectors.test_rows(order.tests),
            "reports": reports,
            "form": form or forms.result_form_class(_observations(order))(),
            "cancellable": (
                acting_user(request).role == Role.CLINICIAN
                and order.status in ("ordered", "booked")
                and not reports
            ),
            "cancel_form": cancel_form or forms.CancelForm(),
        },
    )


@require_POST
@staff_required(CLINICAL_ROLES)
def clinic_cancel(request: HttpRequest, order_id: UUID) -> HttpResponse:
    order, form, done = _cancel(request, order_id)
    if done:
        messages.success(request, _("The order is cancelled; she has been told."))
        return redirect("orders:clinic_order", order_id=order.public_id)
    order.refresh_from_db()
    return _clinic_order_page(request, order, cancel_form=form)


@staff_required(CLINICAL_ROLES)
def clinic_report(request: HttpRequest, report_id: UUID) -> HttpResponse:
    report = _report(request, report_id)
    return render(
        request,
        "orders/clinic_report.html",
        {
            "report": report,
            "woman_name": selectors.woman_name(report.woman),
            "risk_badge": risk_badges({report.woman_id})[report.woman_id],
            "rows": selectors.result_rows(report),
            "trends": selectors.trends_of_report(report),
        },
    )
