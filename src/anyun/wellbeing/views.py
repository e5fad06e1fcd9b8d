"""Wellbeing pages: her scales and self-assessment (phone), her screening history and the
psychological support given (the clinician's workstation). Thin: services do the work."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from anyun.accounts.decorators import acting_user, staff_required
from anyun.accounts.models import Role, User
from anyun.assessment.selectors import risk_badges
from anyun.audit.services import audit_record
from anyun.careteam.selectors import access_woman
from anyun.clinical.red_flags import Stage
from anyun.clinical.scales import SCALES, Instrument
from anyun.consent.decorators import woman_ready_required
from anyun.core.errors import DomainError, NotFound
from anyun.core.forms import form_error
from anyun.monitoring import selectors as monitoring_selectors
from anyun.monitoring.forms import form_field_for
from anyun.monitoring.messages import action_text, rule_label
from anyun.monitoring.models import SIGN_LABELS, Alarm, Reading
from anyun.monitoring.services import (
    ConfirmationRequired,
    ConfirmItem,
    alarm_delivery,
    crisis_guidance,
    format_values,
)
from anyun.wellbeing import selectors, services
from anyun.wellbeing.display import assessment_rows, assessment_summary, screening_view
from anyun.wellbeing.forms import ScaleForm, SelfAssessmentForm, SupportForm, SymptomCheckForm
from anyun.wellbeing.messages import FOLLOW_UP_TEXT, WINDOW_LABELS
from anyun.wellbeing.models import ScreeningContext
from anyun.wellbeing.wording import wording_current

CLINICAL = [Role.CLINICIAN, Role.NURSE]


def _instrument(slug: str) -> Instrument:
    try:
        return Instrument(slug)
    except ValueError:
        raise Http404 from None


# --- the woman ---------------------------------------------------------------------------


@woman_ready_required
def home(request: HttpRequest) -> HttpResponse:
    """Her mood checks: what is due, the scales, the self-assessment, her results."""
    woman = acting_user(request)
    due = services.screening_status(woman)
    language = translation.get_language() or "zh-hans"
    return render(
        request,
        "wellbeing/home.html",
        {
            "due": due,
            "window_label": WINDOW_LABELS.get(str(due.window)) if due and due.window else None,
            "repeats": list(selectors.repeats_open_of(woman)),
            "scales": [
                (str(i), wording_current(i, language).text.title, len(SCALES[i].items))
                for i in Instrument
            ],
            "screenings": [screening_view(s) for s in selectors.screenings_of(woman)[:10]],
            "assessments": list(selectors.self_assessments_of(woman)[:5]),
        },
    )


@woman_ready_required
def screen(request: HttpRequest, instrument: str) -> HttpResponse:
    """One scale on one page; nothing she chose is lost when an answer is missing."""
    woman = acting_user(request)
    if monitoring_selectors.monitored_pregnancy_of(woman) is None:
        return redirect("pregnancy:record")
    scale = _instrument(instrument)
    wording = wording_current(scale, translation.get_language() or "zh-hans")
    form = ScaleForm(
        request.POST if request.method == "POST" else None,
        initial={"idempotency_key": uuid.uuid4().hex},
        wording=wording.text,
    )
    if request.method == "POST" and form.is_valid():
        context = request.GET.get("from") or ""
        try:
            outcome = services.screening_submit(
                actor=woman,
                woman=woman,
                instrument=scale,
                answers=form.answers(),
                language=wording.text.language,
                context=context if context in ScreeningContext.values else "",
                idempotency_key=form.cleaned_data.get("idempotency_key") or "",
                request=request,
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            return redirect("wellbeing:screening", screening_id=outcome.screening.public_id)
    return render(
        request,
        "wellbeing/screen.html",
        {"form": form, "wording": wording.text, "instrument": str(scale)},
    )


@woman_ready_required
def screening(request: HttpRequest, screening_id: UUID) -> HttpResponse:
    """Her result: what it means in plain words and, after a critical answer, the crisis
    guidance first."""
    woman = acting_user(request)
    try:
        row = selectors.screening_of_woman(woman, screening_id)
    except NotFound as exc:
        raise Http404 from exc
    alarm = row.safety_alarm
    return render(
        request,
        "wellbeing/result.html",
        {
            "s": screening_view(row),
            "crisis": crisis_guidance([alarm]) if alarm is not None else None,
            "text": FOLLOW_UP_TEXT.get(row.follow_up, ""),
            "repeat": row.repeats.first(),
        },
    )


def _stage(woman: User) -> Stage:
    return monitoring_selectors.stage_of(woman) or Stage.PREGNANT


def _alarm_cards(alarms: list[Alarm]) -> list[dict[str, Any]]:
    """Alarms as the check-in's cards show them to her: the instruction first."""
    cards = []
    for alarm in alarms:
        delivery = alarm_delivery(alarm)
        if delivery == "nobody":
            told = _(
                "No clinician could be reached online just now. If you are worried, call your "
                "hospital, or 120 in an emergency."
            )
        elif alarm.grade == "advice":
            told = _("This is advice for you; it was not sent to your care team.")
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


@woman_ready_required
def check(request: HttpRequest) -> HttpResponse:
    """Self-assessment, step 1: the warning signs. Any one ticked stops here: the flags go to
    her care team and she is told what to do now."""
    woman = acting_user(request)
    if monitoring_selectors.monitored_pregnancy_of(woman) is None:
        return redirect("pregnancy:record")
    form = SymptomCheckForm(
        request.POST if request.method == "POST" else None,
        initial={"idempotency_key": uuid.uuid4().hex},
        stage=_stage(woman),
    )
    if request.method == "POST" and form.is_valid():
        symptoms = form.cleaned_data["symptoms"]
        if not symptoms:
            return redirect("wellbeing:check_details")
        try:
            outcome = services.self_assessment_red_flags(
                actor=woman,
                woman=woman,
                symptoms=symptoms,
                idempotency_key=form.cleaned_data.get("idempotency_key") or "",
                request=request,
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            return redirect("wellbeing:check_result", assessment_id=outcome.assessment.public_id)
    return render(request, "wellbeing/check.html", {"form": form})


def _show_reading_error(form: SelfAssessmentForm, exc: DomainError, items: list[Any]) -> None:
    field = None
    if exc.field and exc.field.startswith("items."):
        _prefix, index, name = exc.field.split(".", 2)
        field = form_field_for(items[int(index)].kind, name)
    elif exc.field:
        field = exc.field
    form.add_error(field if field in form.fields else None, str(exc.message))


@woman_ready_required
def check_details(request: HttpRequest) -> HttpResponse:
    """Self-assessment, step 2: signs, sleep, mood, diet, activity, smoking and alcohol,
    medicines. Unusual values are asked to be confirmed; nothing she entered is lost."""
    woman = acting_user(request)
    if monitoring_selectors.monitored_pregnancy_of(woman) is None:
        return redirect("pregnancy:record")
    form = SelfAssessmentForm(
        request.POST if request.method == "POST" else None,
        initial={"idempotency_key": uuid.uuid4().hex},
        stage=_stage(woman),
    )
    confirm_items: list[ConfirmItem] = []
    if request.method == "POST" and form.is_valid():
        items = form.items()
        try:
            outcome = services.self_assessment_submit(
                actor=woman,
                woman=woman,
                data=form.data_input(),
                readings=items,
                confirm=bool(form.cleaned_data.get("confirm")),
                idempotency_key=form.cleaned_data.get("idempotency_key") or "",
                request=request,
            )
        except ConfirmationRequired as exc:
            confirm_items = exc.items
        except DomainError as exc:
            _show_reading_error(form, exc, items)
        else:
            return redirect("wellbeing:check_result", assessment_id=outcome.assessment.public_id)
    return render(
        request, "wellbeing/check_details.html", {"form": form, "confirm_items": confirm_items}
    )


@woman_ready_required
def check_result(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    """The end of her self-assessment: a plain summary (or, stopped by a red flag, what to
    do now)."""
    woman = acting_user(request)
    try:
        assessment = selectors.self_assessment_of_woman(woman, assessment_id)
    except NotFound as exc:
        raise Http404 from exc
    alarms = services.alarms_of_assessment(assessment)
    return render(
        request,
        "wellbeing/check_result.html",
        {
            "assessment": assessment,
            "alarms": _alarm_cards(alarms),
            "crisis": crisis_guidance(alarms),
            "summary": assessment_summary(assessment, _readings(assessment)),
        },
    )


def _readings(assessment: Any) -> list[Reading]:
    if assessment.reading_batch is None:
        return []
    return list(
        Reading.objects.filter(woman=assessment.woman, batch=assessment.reading_batch).order_by(
            "position"
        )
    )


# --- the clinician -----------------------------------------------------------------------


@staff_required(CLINICAL)
def patient(request: HttpRequest, woman_id: UUID) -> HttpResponse:
    """Her screening history with bands and findings, her self-assessments, and the
    psychological support given, with the form to record more (audited)."""
    actor = acting_user(request)
    try:
        woman = access_woman(user=actor, woman_public_id=woman_id)
    except NotFound as exc:
        raise Http404 from exc
    screenings = list(selectors.screenings_of(woman)[:50])
    form = SupportForm(
        request.POST if request.method == "POST" else None,
        initial={"given_on": timezone.localdate()},
        screenings=[
            (str(s.public_id), f"{s.done_at:%Y-%m-%d} {s.get_instrument_display()} {s.total}")
            for s in screenings
        ],
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.support_record(
                actor=actor,
                woman=woman,
                kind=d["kind"],
                given_on=d.get("given_on"),
                note=d.get("note") or "",
                screening_public_id=d.get("screening") or None,
                close_referral=bool(d.get("close_referral")),
                request=request,
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Support recorded."))
            return redirect("wellbeing:patient", woman_id=woman.public_id)
    assessments = list(selectors.self_assessments_of(woman)[:10])
    audit_record(
        actor=actor,
        action="read",
        object_type="screenings",
        object_id=woman.public_id,
        subject=woman,
        request=request,
    )
    profile = getattr(woman, "woman_profile", None)
    return render(
        request,
        "wellbeing/patient.html",
        {
            "woman": woman,
            "name": (profile.real_name if profile else "") or woman.display_name,
            "risk_badge": risk_badges({woman.pk})[woman.pk],
            "screenings": [screening_view(s) for s in screenings],
            "due": services.screening_status(woman),
            "repeats": list(selectors.repeats_open_of(woman)),
            "support": list(selectors.support_of(woman)[:50]),
            "assessments": [(a, assessment_rows(a, _readings(a))) for a in assessments],
            "form": form,
            "today": timezone.localdate(),
            "sign_labels": SIGN_LABELS,
        },
    )
