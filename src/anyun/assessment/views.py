"""The risk pages: grading a woman (workstation), her suitability decision, the department's
high-risk cases and district reports (print, CSV), and the hospital's risk policy (console)."""

from __future__ import annotations

import csv
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anyun.accounts.decorators import acting_user, staff_required, woman_required
from anyun.accounts.models import Role, User
from anyun.assessment import risk_labels, selectors, services
from anyun.assessment.models import (
    DistrictReport,
    EvidenceStatus,
    InPersonUrgency,
    OnlineCareDecision,
)
from anyun.assessment.prediction import predictions_for
from anyun.assessment.report_print import render_report_pdf
from anyun.audit.services import audit_record
from anyun.careteam.selectors import access_woman, women_visible_to
from anyun.clinical import risk
from anyun.clinical.risk_tables import GRADING_ITEMS, SCREENING_ITEMS, RiskItem
from anyun.core.errors import DomainError, NotFound
from anyun.pregnancy.selectors import current_pregnancy_of
from anyun.staff.selectors import clinician_for, is_clinical_head

CLINICAL = [Role.CLINICIAN, Role.NURSE]
CONSOLE = [Role.CLINICIAN, Role.QUALITY_MANAGER, Role.SYSTEM_ADMIN]
YES_NO = {"yes": True, "no": False}


def _woman(request: HttpRequest, woman_id: UUID) -> User:
    try:
        return access_woman(user=request.user, woman_public_id=woman_id)
    except NotFound as exc:
        raise Http404 from exc


def _parse_grading(post: Any) -> tuple[services.GradingInput, dict[str, str]]:
    """The form's values as a GradingInput, and the fields that could not be read."""
    errors: dict[str, str] = {}
    entered: dict[str, Any] = {}
    for name in selectors.ENTERED_FACTS:
        raw = (post.get(name) or "").strip()
        if not raw:
            entered[name] = None
        elif name in selectors.NUMBER_FACTS:
            try:
                number = float(raw)
            except ValueError:
                errors[name] = _("Enter a number.")
                continue
            entered[name] = int(number) if name == "fetuses" and number.is_integer() else number
        elif raw in YES_NO:
            entered[name] = YES_NO[raw]
        else:
            errors[name] = _("Choose yes or no.")
    data = services.GradingInput(
        answers=_answers(post, GRADING_ITEMS),
        entered=entered,
        diagnoses=post.getlist("diagnoses"),
        note=post.get("note", ""),
        screening=_answers(post, SCREENING_ITEMS),
    )
    return data, errors


def _answers(post: Any, items: tuple[RiskItem, ...]) -> dict[str, bool]:
    """An item the record can decide: "as the record says" (no answer), yes or no; any other
    item: ticked or not (the clinician went through the whole table)."""
    answers: dict[str, bool] = {}
    for item in items:
        raw = post.get(item.code, "")
        if item.decided_by is not None:
            if raw in YES_NO:
                answers[item.code] = YES_NO[raw]
        else:
            answers[item.code] = raw == "yes"
    return answers


@staff_required(CLINICAL)
def grade(request: HttpRequest, woman_id: UUID) -> HttpResponse:
    """Grade her: the items her record answers pre-filled and marked, the clinician confirms or
    corrects them and ticks the rest; 'Check' shows the result without storing it."""
    woman = _woman(request, woman_id)
    pregnancy = current_pregnancy_of(woman)
    user = acting_user(request)
    errors: dict[str, str] = {}
    form_values: dict[str, Any] = {}
    if request.method == "POST":
        if pregnancy is None:
            raise Http404
        data, errors = _parse_grading(request.POST)
        form_values = {
            "entered": data.entered,
            "diagnoses": data.diagnoses,
            "answers": data.answers,
            "screening": data.screening,
        }
        if not errors and request.POST.get("action") == "save":
            try:
                row = services.grading_record(
                    actor=user, pregnancy=pregnancy, data=data, request=request
                )
            except DomainError as exc:
                errors[exc.field or "general"] = str(exc.message)
            else:
                messages.success(
                    request,
                    _("Graded: %(colour)s.") % {"colour": risk_labels.colour_label(row.colour)},
                )
                return redirect("assessment:grade", woman_id=woman.public_id)
    if pregnancy is not None:
        audit_record(
            actor=user,
            action="risk_read",
            object_type="risk_grading",
            object_id=pregnancy.public_id,
            subject=woman,
            request=request,
        )
    form = selectors.grading_form(pregnancy, **form_values) if pregnancy is not None else None
    raw = request.POST if request.method == "POST" else None
    return render(
        request,
        "assessment/grade.html",
        {
            "woman": woman,
            "profile": woman.woman_profile,
            "pregnancy": pregnancy,
            "form": form,
            "errors": errors,
            "note": request.POST.get("note", "") if request.method == "POST" else "",
            "risk": selectors.risk_overview_for(woman),
            "decisions": OnlineCareDecision.choices,
            "urgencies": InPersonUrgency.choices,
            "is_doctor": user.role == Role.CLINICIAN,
            "entered_fields": _entered_fields(form, raw, errors) if form is not None else [],
            "cards": predictions_for(woman).cards,
            "evidence_pending": user.role == Role.CLINICIAN
            and selectors.evidence_pending_of(woman) is not None,
        },
    )


def _entered_fields(
    form: selectors.GradingForm, raw: Any, errors: dict[str, str]
) -> list[dict[str, Any]]:
    """The entered-facts fields: label, kind, the value the form holds (what was typed when
    it is sent back), whether it came from her pregnancy record, her last grading or a lab
    result (which one, when), the error beside it."""
    fields = []
    for name in selectors.ENTERED_FACTS:
        value = form.entered.get(name)
        if raw is not None:
            shown = raw.get(name, "")
        elif isinstance(value, bool):
            shown = "yes" if value else "no"
        elif isinstance(value, float):
            shown = f"{value:g}"
        else:
            shown = "" if value is None else str(value)
        fields.append(
            {
                "name": name,
                "label": risk_labels.fact_label(name),
                "number": name in selectors.NUMBER_FACTS,
                "value": shown,
                "from_record": raw is None and form.entered_sources.get(name) == "pregnancy",
                "from_last": raw is None and form.entered_sources.get(name) == "last_grading",
                "from_lab": form.entered_sourced.get(name) if raw is None else None,
                "error": errors.get(name, ""),
            }
        )
    return fields


@staff_required([Role.CLINICIAN])
@require_POST
def suitability(request: HttpRequest, woman_id: UUID) -> HttpResponse:
    """Her clinician records a decision on online care (clears a block, or sends her in
    person)."""
    woman = _woman(request, woman_id)
    try:
        services.suitability_decide(
            actor=acting_user(request),
            woman=woman,
            decision=request.POST.get("decision", ""),
            urgency=request.POST.get("urgency", ""),
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("assessment:grade", woman_id=woman.public_id)


@staff_required(CLINICAL)
def cases(request: HttpRequest) -> HttpResponse:
    """The department's open high-risk cases, next review first, with their reports."""
    user = acting_user(request)
    rows = list(selectors.cases_for(user))
    reports = list(selectors.reports_for(user).filter(submitted_at__isnull=True))
    tasks = selectors.task_rows(
        selectors.tasks_open_assigned_to(user)
        .filter(woman__in=women_visible_to(user))
        .select_related("woman__woman_profile")
    )
    # Her colour now beside her name; the colour that opened the case stays in its column.
    badges = selectors.risk_badges(
        {row.task.woman_id for row in tasks}
        | {c.woman_id for c in rows}
        | {r.case.woman_id for r in reports}
    )
    audit_record(
        actor=user,
        action="read",
        object_type="high_risk_case",
        request=request,
        detail={"cases": [str(c.public_id) for c in rows]},
    )
    return render(
        request,
        "assessment/cases.html",
        {
            "cases": [(c, badges[c.woman_id]) for c in rows],
            "reports": [(r, badges[r.case.woman_id]) for r in reports],
            "tasks": [(row, badges[row.task.woman_id]) for row in tasks],
            "today": timezone.localdate(),
            "now": timezone.now(),
            "is_head": is_clinical_head(user),
        },
    )


@staff_required(CLINICAL)
def case_detail(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """Her case: responsible clinician, individual plan, emergency plan, reviews, reports."""
    user = acting_user(request)
    try:
        case = selectors.access_case(user=user, case_public_id=case_id)
    except NotFound as exc:
        raise Http404 from exc
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "plan":
                services.case_plan_update(
                    actor=user,
                    case=case,
                    individual_plan=request.POST.get("individual_plan", ""),
                    emergency_plan=request.POST.get("emergency_plan", ""),
                    next_review_on=_date(request.POST.get("next_review_on"), "next_review_on"),
                    request=request,
                )
                messages.success(request, _("Plans saved."))
            elif action == "review":
                services.case_review_record(
                    actor=user,
                    case=case,
                    note=request.POST.get("note", ""),
                    next_review_on=_date(request.POST.get("review_next_on"), "review_next_on"),
                    request=request,
                )
                messages.success(request, _("Review recorded."))
            elif action == "close":
                services.case_close(
                    actor=user, case=case, reason=request.POST.get("reason", ""), request=request
                )
                messages.success(request, _("Case closed."))
            else:
                raise Http404
        except DomainError as exc:
            errors[exc.field or "general"] = str(exc.message)
        else:
            return redirect("assessment:case", case_id=case.public_id)
    audit_record(
        actor=user,
        action="read",
        object_type="high_risk_case",
        object_id=case.public_id,
        subject=case.woman,
        request=request,
    )
    return render(
        request,
        "assessment/case.html",
        {
            "case": case,
            "risk_badge": selectors.risk_badges({case.woman_id})[case.woman_id],
            "errors": errors,
            "post": request.POST if request.method == "POST" else {},
            "reviews": case.reviews.select_related("reviewed_by")[:20],
            "reports": selectors.reports_of_case(case),
            "grading_rows": selectors.matched_rows(case.opened_by_grading.items),
            "now": timezone.now(),
        },
    )


def _date(raw: str | None, field: str) -> Any:
    if not raw:
        return None
    try:
        value = parse_date(raw)
    except ValueError:
        value = None
    if value is None:
        raise DomainError("date_invalid", _("Enter a date as YYYY-MM-DD."), field=field)
    return value


def _report(request: HttpRequest, report_id: UUID) -> DistrictReport:
    user = acting_user(request)
    report = selectors.reports_for(user).filter(public_id=report_id).first()
    if report is None:
        raise Http404
    return report


@staff_required(CLINICAL)
def report_print(request: HttpRequest, report_id: UUID) -> HttpResponse:
    """The report to the district institution as a printable PDF (one A4 page)."""
    report = _report(request, report_id)
    audit_record(
        actor=acting_user(request),
        action="risk_report_print",
        object_type="district_report",
        object_id=report.public_id,
        subject=report.case.woman,
        request=request,
    )
    pdf = render_report_pdf(selectors.district_report_view(report, printed_at=timezone.now()))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="district-report.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required(CLINICAL)
@require_POST
def report_submit(request: HttpRequest, report_id: UUID) -> HttpResponse:
    report = _report(request, report_id)
    try:
        services.district_report_submit(actor=acting_user(request), report=report, request=request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Marked as sent to the district institution."))
    return redirect("assessment:cases")


@staff_required(CLINICAL)
def reports_csv(request: HttpRequest) -> HttpResponse:
    """The district reports this user may see, as CSV (UTF-8 with BOM, for spreadsheet use)."""
    user = acting_user(request)
    reports = list(selectors.reports_for(user))
    audit_record(
        actor=user,
        action="risk_report_export",
        object_type="district_report",
        request=request,
        detail={"reports": [str(r.public_id) for r in reports]},
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="district-reports.csv"'
    response["Cache-Control"] = "private, no-store"
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(selectors.REPORT_CSV_HEADER())
    for report in reports:
        row = selectors.district_report_view(report, printed_at=timezone.now()).csv_row
        writer.writerow([_csv_cell(cell) for cell in row])
    return response


def _csv_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading quote."""
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


@staff_required(CONSOLE)
def policy(request: HttpRequest) -> HttpResponse:
    """The hospital's risk policy: shown to the console; changed by a department head."""
    user = acting_user(request)
    head = is_clinical_head(user)
    if user.role == Role.CLINICIAN and not head:
        raise Http404
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not head:
            raise Http404
        values: dict[str, Any] = {
            name: request.POST.get(name, "")
            for name in selectors.policy_values(risk.DEFAULT_RISK_POLICY)
        }
        values["hbsag_carrier_purple"] = request.POST.get("hbsag_carrier_purple") == "on"
        parsed: dict[str, Any] = {}
        for name, value in values.items():
            if name.endswith("_hours"):
                try:
                    parsed[name] = int(value)
                except (TypeError, ValueError):
                    errors[name] = _("Enter a whole number of hours.")
            else:
                parsed[name] = value
        if not errors:
            try:
                services.risk_policy_set(
                    actor=user,
                    values=parsed,
                    reason=request.POST.get("reason", ""),
                    request=request,
                )
            except DomainError as exc:
                errors[exc.field or "general"] = str(exc.message)
            else:
                messages.success(request, _("Risk policy changed."))
                return redirect("assessment:policy")
    return render(
        request,
        "assessment/policy.html",
        {
            "rows": selectors.policy_rows(),
            "setting": selectors.risk_policy_setting(),
            "is_head": head,
            "errors": errors,
            "reason": request.POST.get("reason", "") if request.method == "POST" else "",
            "profile": clinician_for(user),
        },
    )


# --- Follow-up eligibility evidence (POL-13) ----------------------------------------------------


@woman_required
def evidence(request: HttpRequest) -> HttpResponse:
    """She uploads a record of an in-person diagnosis and sees what became of each upload."""
    woman = acting_user(request)
    errors: dict[str, str] = {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        visit_raw = (request.POST.get("visit_date") or "").strip()
        visit_date = parse_date(visit_raw) if visit_raw else None
        if upload is None:
            errors["file"] = _("Choose a photo or PDF of your record.")
        elif visit_raw and visit_date is None:
            errors["visit_date"] = _("Enter a date.")
        else:
            try:
                services.eligibility_evidence_submit(
                    woman=woman,
                    file=upload,
                    note=request.POST.get("note", ""),
                    hospital=request.POST.get("hospital", ""),
                    visit_date=visit_date,
                    request=request,
                )
            except DomainError as exc:
                errors[exc.field or "general"] = str(exc.message)
            else:
                messages.success(
                    request, _("Uploaded. A clinician of your care team will review it.")
                )
                return redirect("assessment:evidence")
    rows = list(selectors.evidence_of(woman))
    if rows:
        audit_record(
            actor=woman,
            action="eligibility_evidence_read",
            object_type="eligibility_evidence",
            subject=woman,
            request=request,
        )
    return render(
        request,
        "assessment/evidence.html",
        {
            "rows": rows,
            "pending": any(r.status == EvidenceStatus.SUBMITTED for r in rows),
            "eligible": selectors.eligible_in_person(woman),
            "errors": errors,
            "values": request.POST if request.method == "POST" else {},
        },
        status=400 if errors else 200,
    )


def evidence_file(request: HttpRequest, evidence_id: UUID) -> FileResponse:
    """The uploaded file, for her and her care team only (404 to anyone else; staff need
    their second factor verified)."""
    user = request.user
    if not user.is_authenticated:
        raise Http404
    if user.role != Role.WOMAN and not user.is_verified():  # type: ignore[attr-defined]
        raise Http404
    try:
        row = selectors.access_evidence(user=request.user, evidence_public_id=evidence_id)
    except NotFound as exc:
        raise Http404 from exc
    audit_record(
        actor=acting_user(request),
        action="eligibility_evidence_read",
        object_type="eligibility_evidence",
        object_id=row.public_id,
        subject=row.woman,
        request=request,
    )
    response = FileResponse(row.file.open("rb"), content_type=row.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required([Role.CLINICIAN])
def evidence_review_list(request: HttpRequest) -> HttpResponse:
    """Uploads waiting for review from the women of the clinician's care teams."""
    user = acting_user(request)
    rows = services.evidence_pending_read(actor=user, request=request)
    badges = selectors.risk_badges({row.woman_id for row in rows})
    return render(
        request,
        "assessment/evidence_review.html",
        {"rows": [(row, badges[row.woman_id]) for row in rows]},
    )


@staff_required([Role.CLINICIAN])
@require_POST
def evidence_review(request: HttpRequest, evidence_id: UUID) -> HttpResponse:
    try:
        services.eligibility_evidence_review(
            actor=acting_user(request),
            evidence_id=evidence_id,
            accept=request.POST.get("decision") == "accept",
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Review recorded."))
    return redirect("assessment:evidence_review_list")
