"""Consultation pages: her pre-consultation step, the consultation room (chat and video, with
the clinician's side panel), referral, the record and its PDF, rating; the clinician's list
and the department head's overdue records. Thin: services and selectors do the work."""

from __future__ import annotations

import json
import uuid
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anyun.accounts.decorators import acting_user, staff_required
from anyun.accounts.models import Role
from anyun.assessment.selectors import risk_badges, suitability_decision_due
from anyun.audit.services import audit_record
from anyun.clinical.red_flags import Stage
from anyun.consent.decorators import woman_ready_required
from anyun.consultation import record_print, selectors, services
from anyun.consultation.forms import (
    FollowUpForm,
    MessageForm,
    PreConsultationForm,
    RatingForm,
    RecordForm,
    ReferralForm,
)
from anyun.consultation.models import (
    Consultation,
    ConsultationStatus,
    Message,
    MessageKind,
    PreConsultation,
    PreConsultationPhoto,
    RecordStatus,
)
from anyun.consultation.turn import ice_servers
from anyun.core.errors import DomainError, NotFound
from anyun.core.forms import form_error
from anyun.monitoring import selectors as monitoring_selectors
from anyun.monitoring.messages import action_text, rule_label
from anyun.monitoring.models import Alarm
from anyun.monitoring.services import alarm_delivery, crisis_guidance, format_values

CLINICAL = [Role.CLINICIAN, Role.NURSE]


def _stage(woman: Any) -> Stage:
    return monitoring_selectors.stage_of(woman) or Stage.PREGNANT


def _consultation(request: HttpRequest, consultation_id: UUID) -> Consultation:
    if not request.user.is_authenticated:
        raise Http404
    try:
        return selectors.consultation_for(acting_user(request), consultation_id)
    except NotFound as exc:
        raise Http404 from exc


def _alarm_cards(alarms: list[Alarm]) -> list[dict[str, Any]]:
    cards = []
    for alarm in alarms:
        if alarm_delivery(alarm) == "nobody":
            told = _(
                "No clinician could be reached online just now. If you are worried, call your "
                "hospital, or 120 in an emergency."
            )
        else:
            told = _("Your care team is being told. Do not wait for their reply.")
        cards.append(
            {
                "alarm": alarm,
                "label": rule_label(alarm.rule),
                "action": action_text(alarm.action),
                "more_actions": [],
                "values": format_values(alarm),
                "reasons": [],
                "told": told,
            }
        )
    return cards


# --- the woman -------------------------------------------------------------------------------


@woman_ready_required
def home(request: HttpRequest) -> HttpResponse:
    woman = acting_user(request)
    return render(
        request,
        "consultation/home.html",
        {"consultations": selectors.consultations_of_woman(woman)},
    )


def _pre(
    request: HttpRequest, *, appointment_id: UUID | None = None, entry_id: UUID | None = None
) -> HttpResponse:
    woman = acting_user(request)
    rows = PreConsultation.objects.filter(woman=woman)
    sent = (
        rows.filter(appointment__public_id=appointment_id)
        if appointment_id is not None
        else rows.filter(queue_entry__public_id=str(entry_id))
    ).first()
    if sent is not None:  # sent already: what she sent, not a second form
        return redirect("consultation:pre_result", pre_id=sent.public_id)
    form = PreConsultationForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        stage=_stage(woman),
    )
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.pre_consultation_submit(
                woman=woman,
                appointment_id=appointment_id,
                queue_entry_id=entry_id,
                questions=form.cleaned_data["questions"],
                symptoms=form.cleaned_data["symptoms"],
                photos=form.cleaned_data["photos"],
                request=request,
            )
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            form_error(form, exc)
        else:
            return redirect("consultation:pre_result", pre_id=outcome.pre.public_id)
    back = f"/scheduling/appointments/{appointment_id}/" if appointment_id else "/scheduling/queue/"
    return render(request, "consultation/pre.html", {"form": form, "back": back})


@woman_ready_required
def pre_appointment(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    return _pre(request, appointment_id=appointment_id)


@woman_ready_required
def pre_queue(request: HttpRequest, entry_id: UUID) -> HttpResponse:
    return _pre(request, entry_id=entry_id)


@woman_ready_required
def pre_result(request: HttpRequest, pre_id: UUID) -> HttpResponse:
    woman = acting_user(request)
    pre = PreConsultation.objects.filter(public_id=pre_id, woman=woman).first()
    if pre is None:
        raise Http404
    alarms: list[Alarm] = []
    if pre.reading_batch is not None:
        alarms = list(
            Alarm.objects.filter(woman=woman, reading__batch=pre.reading_batch).order_by(
                "-grade_rank"
            )
        )
    return render(
        request,
        "consultation/pre_result.html",
        {
            "pre": pre,
            "alarms": _alarm_cards(alarms),
            "crisis": crisis_guidance(alarms),
            "back": (
                f"/scheduling/appointments/{pre.appointment.public_id}/"
                if pre.appointment
                else "/scheduling/queue/"
            ),
        },
    )


# --- the room (both sides) ----------------------------------------------------------------------


def room(request: HttpRequest, consultation_id: UUID) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    user = acting_user(request)
    services.consultation_read(user=user, consultation_id=consultation.public_id, request=request)
    side = selectors.side_of(consultation, user)
    context: dict[str, Any] = {
        "c": consultation,
        "side": side,
        "history": selectors.messages_since(consultation, 0),
        "message_form": MessageForm(initial={"client_id": uuid.uuid4().hex}),
        "ice": json.dumps(ice_servers(user.public_id.hex)),
        "me": user.public_id.hex,
        "read_upto": (
            consultation.clinician_read_upto if side == "woman" else consultation.woman_read_upto
        ),
    }
    if side == "clinician":
        context["summary"] = services.pre_summary(consultation.pre)
        context["panel"] = selectors.side_panel(consultation)
        context["risk_badge"] = risk_badges({consultation.woman_id})[consultation.woman_id]
        context["decision_due"] = suitability_decision_due(
            consultation.woman, since=consultation.opened_at
        )
        context["referral_form"] = ReferralForm()
        context["follow_up_form"] = FollowUpForm()
        template = "consultation/room_clinic.html"
    else:
        context["rating_form"] = RatingForm()
        context["rated"] = hasattr(consultation, "rating")
        template = "consultation/room_woman.html"
    return render(request, template, context)


@require_POST
def message_send(request: HttpRequest, consultation_id: UUID) -> HttpResponse:
    """The form's way to send (no script, or the socket is down): the message is stored and
    delivered live all the same."""
    consultation = _consultation(request, consultation_id)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.message_post(
                actor=acting_user(request),
                consultation_id=consultation.public_id,
                text=form.cleaned_data["text"] or "",
                image=form.cleaned_data["image"],
                client_id=form.cleaned_data["client_id"] or "",
                request=request,
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("consultation:room", consultation_id=consultation.public_id)


@require_POST
def end(request: HttpRequest, consultation_id: UUID) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    try:
        services.consultation_end(
            actor=acting_user(request), consultation_id=consultation.public_id, request=request
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("consultation:room", consultation_id=consultation.public_id)


@staff_required(CLINICAL)
@require_POST
def refer(request: HttpRequest, consultation_id: UUID) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    form = ReferralForm(request.POST)
    if form.is_valid():
        try:
            services.consultation_refer(
                actor=acting_user(request),
                consultation_id=consultation.public_id,
                reason=form.cleaned_data["reason"],
                urgency=form.cleaned_data["urgency"],
                request=request,
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            return redirect("consultation:room", consultation_id=consultation.public_id)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))
    return redirect("consultation:room", consultation_id=consultation.public_id)


@staff_required(CLINICAL)
@require_POST
def follow_up(request: HttpRequest, consultation_id: UUID) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        starts_at = timezone.make_aware(form.cleaned_data["starts_at"].replace(tzinfo=None))
        try:
            services.follow_up_book(
                actor=acting_user(request),
                consultation_id=consultation.public_id,
                starts_at=starts_at,
                request=request,
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Follow-up booked."))
    else:
        messages.error(request, _("Choose the date and time of the follow-up."))
    return redirect("consultation:room", consultation_id=consultation.public_id)


@woman_ready_required
@require_POST
def rate(request: HttpRequest, consultation_id: UUID) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.rating_submit(
                woman=acting_user(request),
                consultation_id=consultation.public_id,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                request=request,
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Thank you for your rating."))
    else:
        messages.error(request, _("Choose 1 to 5 stars."))
    return redirect("consultation:room", consultation_id=consultation.public_id)


# --- the record -------------------------------------------------------------------------------


def record(request: HttpRequest, consultation_id: UUID) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    user = acting_user(request)
    side = selectors.side_of(consultation, user)
    audit_record(
        actor=user,
        action="record_read",
        object_type="consultation",
        object_id=consultation.public_id,
        subject=consultation.woman,
        request=request,
    )
    versions = selectors.records_of(consultation)
    signed = [v for v in versions if v.status == RecordStatus.SIGNED]
    context: dict[str, Any] = {
        "c": consultation,
        "side": side,
        "signed": [(v, selectors.diagnosis_rows(v)) for v in signed],
    }
    if side == "woman":
        return render(request, "consultation/record_woman.html", context)
    context["risk_badge"] = risk_badges({consultation.woman_id})[consultation.woman_id]
    draft = selectors.record_draft_of(consultation)
    context["decision_due"] = (
        (draft is not None or not signed)  # a record still to sign
        and consultation.status != ConsultationStatus.REFERRED
        and suitability_decision_due(consultation.woman, since=consultation.opened_at)
    )
    form: RecordForm | None = None
    if not consultation.is_open:
        if request.method == "POST":
            form = RecordForm(request.POST)
            if form.is_valid():
                try:
                    services.record_save(
                        actor=user,
                        consultation_id=consultation.public_id,
                        data=form.data_input(),
                        correction_reason=form.cleaned_data["correction_reason"],
                        request=request,
                    )
                    if request.POST.get("sign"):
                        services.record_sign(
                            actor=user, consultation_id=consultation.public_id, request=request
                        )
                except DomainError as exc:
                    form_error(form, exc)
                else:
                    return redirect("consultation:record", consultation_id=consultation.public_id)
        else:
            source = draft or (signed[-1] if signed else None)
            if source is not None:
                initial = {
                    "history": source.history,
                    "symptoms": source.symptoms,
                    "signs": source.signs,
                    "diagnoses": source.diagnoses,
                    "diagnosis_note": source.diagnosis_note,
                    "treatment_plan": source.treatment_plan,
                    "correction_reason": draft.correction_reason if draft else "",
                }
            else:
                proposal = services.record_proposal(consultation)
                initial = {
                    "history": proposal.history,
                    "symptoms": proposal.symptoms,
                    "signs": proposal.signs,
                    "treatment_plan": proposal.treatment_plan,
                }
            form = RecordForm(initial=initial)
    context.update({"form": form, "draft": draft, "correcting": bool(signed)})
    return render(request, "consultation/record_clinic.html", context)


def record_pdf(request: HttpRequest, consultation_id: UUID) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    current = selectors.record_in_force(consultation)
    if current is None:
        raise Http404
    audit_record(
        actor=acting_user(request),
        action="record_read",
        object_type="consultation_record",
        object_id=current.public_id,
        subject=consultation.woman,
        request=request,
        detail={"pdf": True, "version": current.version},
    )
    pdf = record_print.render_record_pdf(current, selectors.diagnosis_rows(current))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="consultation-record-v{current.version}.pdf"'
    )
    return response


# --- files ----------------------------------------------------------------------------------------


def _file(row_file: Any, content_type: str) -> FileResponse:
    response = FileResponse(row_file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    return response


def message_image(request: HttpRequest, message_id: int) -> FileResponse:
    message = Message.objects.filter(pk=message_id, kind=MessageKind.IMAGE).first()
    if message is None or not request.user.is_authenticated:
        raise Http404
    consultation = _consultation(request, message.consultation.public_id)
    audit_record(
        actor=acting_user(request),
        action="consultation_read",
        object_type="consultation",
        object_id=consultation.public_id,
        subject=consultation.woman,
        request=request,
        detail={"image": message.id},
    )
    return _file(message.image, message.content_type)


def pre_photo(request: HttpRequest, photo_id: UUID) -> FileResponse:
    photo = PreConsultationPhoto.objects.select_related("pre").filter(public_id=photo_id).first()
    if photo is None or not request.user.is_authenticated:
        raise Http404
    user = acting_user(request)
    if photo.pre.woman_id != user.pk:
        consultation = Consultation.objects.filter(pre=photo.pre).first()
        if consultation is None:
            raise Http404
        _consultation(request, consultation.public_id)
    audit_record(
        actor=user,
        action="pre_consultation_read",
        object_type="pre_consultation",
        object_id=photo.pre.public_id,
        subject=photo.pre.woman,
        request=request,
    )
    return _file(photo.file, photo.content_type)


# --- the clinic -----------------------------------------------------------------------------------


@staff_required(CLINICAL)
def clinic(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    current = selectors.consultations_of_clinician(user, open_only=True)
    records = selectors.records_open_for(user)
    overdue = selectors.overdue_records_for_head(user)
    # Her colour beside her name on every list of the page (one read for all).
    badges = risk_badges({c.woman_id for c in (*current, *records, *overdue)})
    for c in (*current, *records, *overdue):
        c.risk_badge = badges[c.woman_id]  # type: ignore[attr-defined]
    return render(
        request,
        "consultation/clinic.html",
        {
            "open": current,
            "records": records,
            "overdue": overdue,
            "status": ConsultationStatus,
        },
    )
