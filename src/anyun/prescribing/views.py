"""Prescribing pages: the clinician's prescription (workstation), the pharmacist's review queue
and formulary (workstation), her prescriptions (phone). Thin: parse, call one service or
selector, render; refusals shown beside their field."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anyun.accounts.decorators import acting_user, staff_required, woman_required
from anyun.accounts.models import CLINICAL_ROLES, Role, User
from anyun.assessment.selectors import risk_badges
from anyun.audit.services import audit_record
from anyun.consultation.selectors import consultation_for, consultations_of_clinician
from anyun.core.errors import DomainError, NotFound
from anyun.core.forms import form_error
from anyun.pregnancy.selectors import current_pregnancy_of
from anyun.prescribing import forms, selectors, services
from anyun.prescribing.models import Drug, Prescription, PrescriptionStatus
from anyun.staff.selectors import practice_blockers

PHARMACY = (Role.PHARMACIST,)


def _input(form: forms.PrescriptionForm, lines: list[forms.LineForm]) -> services.PrescriptionInput:
    rows = [f for f in lines if not f.is_blank()]
    return services.PrescriptionInput(
        diagnosis=form.cleaned_data["diagnosis"],
        lines=[
            services.LineInput(
                drug=f.cleaned_data["drug"],
                dose=f.cleaned_data["dose"],
                frequency=f.cleaned_data["frequency"],
                days=f.cleaned_data["days"],
                quantity=f.cleaned_data["quantity"],
                instructions=f.cleaned_data.get("instructions") or "",
            )
            for f in rows
        ],
        advice=form.cleaned_data.get("advice") or "",
        supply_reason=form.cleaned_data.get("supply_reason") or "",
        validity_days=form.cleaned_data["validity_days"],
        validity_reason=form.cleaned_data.get("validity_reason") or "",
        breastfeeding=bool(form.cleaned_data.get("breastfeeding")),
    )


def _show_error(
    exc: DomainError, form: forms.PrescriptionForm, lines: list[forms.LineForm]
) -> None:
    """Beside its field: `lines.<i>.<name>` on the i-th filled line, else the form's field."""
    where = exc.field or ""
    if where.startswith("lines."):
        parts = where.split(".")
        filled = [f for f in lines if not f.is_blank()]
        if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(filled):
            target = filled[int(parts[1])]
            target.add_error(parts[2] if parts[2] in target.fields else None, str(exc.message))
            return
    form_error(form, exc)


def _writing_context(consultation: Any, user: User) -> dict[str, Any]:
    woman = consultation.woman
    pregnancy = current_pregnancy_of(woman)
    return {
        "consultation": consultation,
        "woman": woman,
        "woman_name": selectors.woman_name(woman),
        "risk_badge": risk_badges({woman.pk})[woman.pk],  # her colour beside her name
        "pregnancy": pregnancy,
        "allergies": selectors.allergies_of(woman),
        "allergy_form": forms.AllergyForm(substances=selectors.allergens_known()),
        "blockers": practice_blockers(user),
    }


@staff_required(CLINICAL_ROLES)
def clinic_home(request: HttpRequest) -> HttpResponse:
    """The clinician's consultations to prescribe in and the prescriptions written."""
    user = acting_user(request)
    written = list(
        selectors.prescriptions_visible_to(user)
        .filter(clinician=user)
        .exclude(status=PrescriptionStatus.SUPERSEDED)
        .order_by("-created_at")[:50]
    )
    consultations = consultations_of_clinician(user, open_only=True)
    rows: list[Any] = [*consultations, *written]
    badges = risk_badges({row.woman_id for row in rows})  # her colour beside her name
    for row in rows:
        row.risk_badge = badges[row.woman_id]
    return render(
        request,
        "prescribing/clinic_home.html",
        {
            "consultations": consultations,
            "written": written,
            "blockers": practice_blockers(user),
        },
    )


@staff_required(CLINICAL_ROLES)
def clinic_new(request: HttpRequest, consultation_id: UUID) -> HttpResponse:
    user = acting_user(request)
    try:
        consultation = consultation_for(user, consultation_id)
    except NotFound as exc:
        raise Http404 from exc
    form = forms.PrescriptionForm(request.POST or None)
    lines = forms.line_forms(request.POST or None)
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for f in lines):
        try:
            prescription = services.prescription_create(
                actor=user,
                consultation_id=consultation.public_id,
                data=_input(form, lines),
                idempotency_key=request.POST.get("idempotency_key", "")[:64],
                request=request,
            )
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            _show_error(exc, form, lines)
        else:
            return redirect("prescribing:clinic_detail", prescription_id=prescription.public_id)
    return render(
        request,
        "prescribing/clinic_write.html",
        {
            **_writing_context(consultation, user),
            "form": form,
            "lines": lines,
            "prescription": None,
            "idempotency_key": request.POST.get("idempotency_key")
            or timezone.now().strftime("%Y%m%d%H%M%S%f"),
        },
    )


def _initial(prescription: Prescription) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    head = {
        "diagnosis": prescription.diagnosis,
        "advice": prescription.advice,
        "supply_reason": prescription.supply_reason,
        "validity_days": prescription.validity_days,
        "validity_reason": prescription.validity_reason,
        "breastfeeding": prescription.breastfeeding,
    }
    rows = [
        {
            "drug": line.drug.code,
            "dose": line.dose,
            "frequency": line.frequency,
            "days": line.days,
            "quantity": line.quantity,
            "instructions": line.instructions,
        }
        for line in prescription.lines.select_related("drug")
    ]
    return head, rows


def _own(request: HttpRequest, prescription_id: UUID) -> tuple[User, Prescription]:
    user = acting_user(request)
    try:
        prescription = services.prescription_read(
            user=user, prescription_id=prescription_id, request=request
        )
    except NotFound as exc:
        raise Http404 from exc
    return user, prescription


@staff_required(CLINICAL_ROLES)
def clinic_edit(request: HttpRequest, prescription_id: UUID) -> HttpResponse:
    user, prescription = _own(request, prescription_id)
    if prescription.clinician_id != user.pk or prescription.status != PrescriptionStatus.DRAFT:
        return redirect("prescribing:clinic_detail", prescription_id=prescription.public_id)
    head, rows = _initial(prescription)
    form = forms.PrescriptionForm(request.POST or None, initial=head)
    lines = forms.line_forms(request.POST or None, initial=rows)
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for f in lines):
        try:
            services.prescription_update(
                actor=user,
                prescription_id=prescription.public_id,
                data=_input(form, lines),
                request=request,
            )
        except DomainError as exc:
            _show_error(exc, form, lines)
        else:
            return redirect("prescribing:clinic_detail", prescription_id=prescription.public_id)
    return render(
        request,
        "prescribing/clinic_write.html",
        {
            **_writing_context(prescription.consultation, user),
            "form": form,
            "lines": lines,
            "prescription": prescription,
        },
    )


def _detail_context(prescription: Prescription) -> dict[str, Any]:
    review = getattr(prescription, "review", None) if prescription.decided_at else None
    return {
        "prescription": prescription,
        "woman_name": selectors.woman_name(prescription.woman),
        "risk_badge": risk_badges({prescription.woman_id})[prescription.woman_id],
        "lines": list(prescription.lines.select_related("drug")),
        "findings": selectors.findings_view(prescription),
        "has_warnings": any(not f.blocking for f in selectors.findings_view(prescription)),
        "has_blocking": any(f.blocking for f in selectors.findings_view(prescription)),
        "plan": selectors.plan_of(prescription),
        "total_fen": selectors.total_fen(prescription),
        "versions": selectors.versions_of(prescription),
        "review": review,
        "review_reasons": selectors.reasons_view(review.reasons) if review else [],
        "verified": services.prescription_verify(prescription) if prescription.signed_at else None,
    }


@staff_required(CLINICAL_ROLES)
def clinic_detail(request: HttpRequest, prescription_id: UUID) -> HttpResponse:
    user, prescription = _own(request, prescription_id)
    sign_form = forms.SignForm(request.POST or None)
    if request.method == "POST" and sign_form.is_valid():
        try:
            services.prescription_sign(
                actor=user,
                prescription_id=prescription.public_id,
                otp_token=sign_form.cleaned_data["otp_token"],
                warning_reason=sign_form.cleaned_data.get("warning_reason") or "",
                request=request,
            )
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            form_error(sign_form, exc)
        else:
            messages.success(request, _("Signed: the prescription is with the pharmacist."))
            return redirect("prescribing:clinic_detail", prescription_id=prescription.public_id)
    return render(
        request,
        "prescribing/clinic_detail.html",
        {
            **_detail_context(prescription),
            "sign_form": sign_form,
            "mine": prescription.clinician_id == user.pk,
        },
    )


@require_POST
@staff_required(CLINICAL_ROLES)
def clinic_revise(request: HttpRequest, prescription_id: UUID) -> HttpResponse:
    user = acting_user(request)
    try:
        revised = services.prescription_revise(
            actor=user, prescription_id=prescription_id, request=request
        )
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("prescribing:clinic_detail", prescription_id=prescription_id)
    return redirect("prescribing:clinic_edit", prescription_id=revised.public_id)


@require_POST
@staff_required(CLINICAL_ROLES)
def clinic_allergy(request: HttpRequest, consultation_id: UUID) -> HttpResponse:
    user = acting_user(request)
    try:
        consultation = consultation_for(user, consultation_id)
    except NotFound as exc:
        raise Http404 from exc
    form = forms.AllergyForm(request.POST, substances=selectors.allergens_known())
    if form.is_valid():
        try:
            services.allergy_record(
                actor=user,
                woman_id=consultation.woman.public_id,
                substance=form.cleaned_data["substance"],
                reaction=form.cleaned_data.get("reaction") or "",
                request=request,
            )
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Allergy recorded: the checks use it at once."))
    else:
        messages.error(request, _("Choose an ingredient or drug class from the list."))
    return redirect("prescribing:clinic_new", consultation_id=consultation.public_id)


# --- the pharmacy --------------------------------------------------------------------------


@staff_required(PHARMACY)
def review_queue(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    rows = services.review_queue_read(actor=user, request=request)
    decided = selectors.recently_decided()
    # Her colour beside her name, read once for every woman on the page.
    badges = risk_badges({p.woman_id for p in [*rows, *decided]})
    for p in decided:
        p.risk_badge = badges[p.woman_id]  # type: ignore[attr-defined]
    now = timezone.now()
    return render(
        request,
        "prescribing/review_queue.html",
        {
            "rows": [
                {
                    "prescription": p,
                    "woman_name": selectors.woman_name(p.woman),
                    "risk_badge": badges[p.woman_id],
                    "waiting": selectors.waiting_minutes(p, now=now),
                    "blocking_or_warning": len(p.findings),
                    "drugs": ", ".join(line.chinese_name for line in p.lines.all()),
                }
                for p in rows
            ],
            "decided": decided,
        },
    )


@staff_required(PHARMACY)
def review_detail(request: HttpRequest, prescription_id: UUID) -> HttpResponse:
    user, prescription = _own(request, prescription_id)
    form = forms.ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_decide(
                actor=user,
                prescription_id=prescription.public_id,
                decision=form.cleaned_data["decision"],
                reasons=form.cleaned_data["reasons"],
                note=form.cleaned_data.get("note") or "",
                request=request,
            )
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Decision recorded; the clinician has been told."))
            return redirect("prescribing:review_queue")
    return _review_page(request, prescription, form=form)


def _review_page(
    request: HttpRequest,
    prescription: Prescription,
    *,
    form: forms.ReviewForm | None = None,
    return_form: forms.ReturnForm | None = None,
) -> HttpResponse:
    return render(
        request,
        "prescribing/review_detail.html",
        {
            **_detail_context(prescription),
            "form": form or forms.ReviewForm(),
            "return_form": return_form or forms.ReturnForm(),
            "allergies": selectors.allergies_of(prescription.woman),
            "pregnancy": current_pregnancy_of(prescription.woman),
            "waiting": selectors.waiting_minutes(prescription),
        },
    )


@require_POST
@staff_required(PHARMACY)
def review_return(request: HttpRequest, prescription_id: UUID) -> HttpResponse:
    """The pharmacist takes back an approval (before dispensing) with coded reasons."""
    user, prescription = _own(request, prescription_id)
    return_form = forms.ReturnForm(request.POST)
    if return_form.is_valid():
        try:
            services.approved_return(
                actor=user,
                prescription_id=prescription.public_id,
                reasons=return_form.cleaned_data["reasons"],
                note=return_form.cleaned_data.get("note") or "",
                request=request,
            )
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            form_error(return_form, exc)
        else:
            messages.success(
                request, _("Returned to the clinician; a payment, if any, is being refunded.")
            )
            return redirect("prescribing:review_queue")
    return _review_page(request, prescription, return_form=return_form)


@staff_required((*CLINICAL_ROLES, Role.PHARMACIST))
def formulary(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:60]
    return render(
        request,
        "prescribing/formulary.html",
        {
            "drugs": selectors.formulary_search(q, active_only=False),
            "q": q,
            "can_edit": acting_user(request).role == Role.PHARMACIST,
        },
    )


def _drug_input(data: dict[str, Any]) -> services.DrugInput:
    def split(text: str) -> list[str]:
        return [part.strip() for part in (text or "").replace("，", ",").split(",") if part.strip()]

    return services.DrugInput(
        **{
            **data,
            "ingredients": split(data["ingredients"]),
            "drug_classes": split(data.get("drug_classes") or ""),
        }
    )


@staff_required(PHARMACY)
def drug_edit(request: HttpRequest, drug_id: UUID | None = None) -> HttpResponse:
    user = acting_user(request)
    drug = Drug.objects.filter(public_id=drug_id).first() if drug_id else None
    if drug_id and drug is None:
        raise Http404
    initial = None
    if drug is not None:
        initial = {name: getattr(drug, name) for name in forms.DrugForm.base_fields}
        initial["ingredients"] = ", ".join(drug.ingredients)
        initial["drug_classes"] = ", ".join(drug.drug_classes)
    form = forms.DrugForm(request.POST or None, initial=initial)
    if drug is not None:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.drug_save(
                actor=user,
                data=_drug_input(form.cleaned_data),
                drug_id=drug.public_id if drug else None,
                request=request,
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Formulary entry saved."))
            return redirect("prescribing:formulary")
    return render(request, "prescribing/drug_edit.html", {"form": form, "drug": drug})


# --- her phone -----------------------------------------------------------------------------


@woman_required
def mine(request: HttpRequest) -> HttpResponse:
    woman = acting_user(request)
    rows = selectors.prescriptions_of_woman(woman)
    audit_record(
        actor=woman,
        action="prescription_read",
        object_type="prescription",
        subject=woman,
        request=request,
        detail={"count": len(rows)},
    )
    return render(
        request,
        "prescribing/mine.html",
        {"rows": [{"prescription": p, "plan": selectors.plan_of(p)} for p in rows]},
    )


@woman_required
def mine_detail(request: HttpRequest, prescription_id: UUID) -> HttpResponse:
    _user, prescription = _own(request, prescription_id)
    return render(
        request,
        "prescribing/mine_detail.html",
        {
            "prescription": prescription,
            "lines": list(prescription.lines.select_related("drug")),
            "plan": selectors.plan_of(prescription),
            "total_fen": selectors.total_fen(prescription),
            "pickup_link": selectors.pickup_link_of(prescription),
        },
    )
