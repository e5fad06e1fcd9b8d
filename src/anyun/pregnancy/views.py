"""Pregnancy-record pages for the woman and her care team."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from anyun.accounts.decorators import acting_user
from anyun.accounts.models import Role
from anyun.audit.services import audit_record
from anyun.consent.decorators import woman_ready_required
from anyun.core.errors import DomainError, NotFound
from anyun.core.forms import form_error
from anyun.pregnancy import selectors, services
from anyun.pregnancy.forms import PregnancyForm, PreviousPregnancyForm, ReportForm
from anyun.pregnancy.models import Pregnancy


def _input(form: PregnancyForm) -> services.PregnancyInput:
    data = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
    for text in ("allergies", "chronic_conditions", "previous_surgeries", "family_history"):
        data[text] = data.get(text) or ""
    return services.PregnancyInput(**data)


def _back_to(request: HttpRequest, pregnancy: Pregnancy) -> str:
    if request.user.role == Role.WOMAN:  # type: ignore[union-attr]
        return "/pregnancy/"
    return f"/clinic/patients/{pregnancy.woman.public_id}/"


@woman_ready_required
def record(request: HttpRequest) -> HttpResponse:
    """Her current pregnancy, or the form to open one."""
    woman = acting_user(request)
    pregnancy = selectors.current_pregnancy_of(woman)
    if pregnancy is None:
        form = PregnancyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.pregnancy_open(
                    actor=woman, woman=woman, data=_input(form), request=request
                )  # type: ignore[arg-type]
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("Your pregnancy record is open."))
                return redirect("web:woman_home")
        return render(request, "pregnancy/open.html", {"form": form})
    audit_record(
        actor=woman,
        action="read",
        object_type="pregnancy",
        object_id=pregnancy.public_id,
        subject=woman,
        request=request,
    )
    return render(request, "pregnancy/record.html", _record_context(pregnancy))


def _record_context(pregnancy: Pregnancy) -> dict:
    return {
        "pregnancy": pregnancy,
        "summary": selectors.pregnancy_summary(pregnancy),
        "history": selectors.history_of(pregnancy.woman),
        "reports": pregnancy.reports.all(),
        "revisions": selectors.revisions_of(pregnancy),
    }


def _access(request: HttpRequest, pregnancy_id: UUID) -> Pregnancy:
    if not request.user.is_authenticated:
        raise Http404
    try:
        pregnancy = selectors.access_pregnancy(user=request.user, pregnancy_public_id=pregnancy_id)
    except NotFound as exc:
        raise Http404 from exc
    audit_record(
        actor=acting_user(request),
        action="read",
        object_type="pregnancy",
        object_id=pregnancy.public_id,
        subject=pregnancy.woman,
        request=request,
    )
    return pregnancy


def edit(request: HttpRequest, pregnancy_id: UUID) -> HttpResponse:
    pregnancy = _access(request, pregnancy_id)
    current = services.input_from_pregnancy(pregnancy)
    form = PregnancyForm(request.POST or None, initial=vars(current))
    if request.method == "POST" and form.is_valid():
        try:
            services.pregnancy_update(
                actor=acting_user(request),  # type: ignore[arg-type]
                pregnancy=pregnancy,
                data=_input(form),
                reason=form.cleaned_data.get("reason") or "",
                request=request,
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(_back_to(request, pregnancy))
    return render(request, "pregnancy/edit.html", {"form": form, "pregnancy": pregnancy})


def history_add(request: HttpRequest, pregnancy_id: UUID) -> HttpResponse:
    pregnancy = _access(request, pregnancy_id)
    form = PreviousPregnancyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.previous_pregnancy_add(
                actor=acting_user(request),
                woman=pregnancy.woman,
                request=request,
                **form.cleaned_data,  # type: ignore[arg-type]
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Added to the obstetric history."))
            return redirect(_back_to(request, pregnancy))
    return render(request, "pregnancy/history_add.html", {"form": form, "pregnancy": pregnancy})


def report_upload(request: HttpRequest, pregnancy_id: UUID) -> HttpResponse:
    pregnancy = _access(request, pregnancy_id)
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_upload(
                actor=acting_user(request),  # type: ignore[arg-type]
                pregnancy=pregnancy,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                exam_date=form.cleaned_data.get("exam_date"),
                request=request,
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The report has been uploaded."))
            return redirect(_back_to(request, pregnancy))
    return render(request, "pregnancy/report_upload.html", {"form": form, "pregnancy": pregnancy})


def report_file(request: HttpRequest, report_id: UUID) -> FileResponse:
    if not request.user.is_authenticated:
        raise Http404
    try:
        report = selectors.access_report(user=request.user, report_public_id=report_id)
    except NotFound as exc:
        raise Http404 from exc
    audit_record(
        actor=acting_user(request),
        action="read",
        object_type="exam_report",
        object_id=report.public_id,
        subject=report.pregnancy.woman,
        request=request,
    )
    response = FileResponse(report.file.open("rb"), content_type=report.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    return response
