"""Home-monitoring pages: the woman's check-in and look-back, the chart, the clinician's alarms."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anyun.accounts.decorators import acting_user, staff_required, woman_required
from anyun.accounts.models import Role, User
from anyun.audit.services import audit_record
from anyun.careteam.selectors import access_woman
from anyun.clinical.red_flags import SAFETY_PATHWAY_SYMPTOMS, Stage
from anyun.clinical.signs import SignKind
from anyun.consent.decorators import missing_step, woman_ready_required
from anyun.core.errors import DomainError, NotFound
from anyun.core.forms import form_error
from anyun.monitoring import selectors, services
from anyun.monitoring.chart_data import ChartLabels
from anyun.monitoring.forms import AlarmCloseForm, CheckInForm, PlanForm, form_field_for
from anyun.monitoring.messages import NORMAL_REPEAT_TEXT, action_text, rule_label
from anyun.monitoring.models import (
    SIGN_LABELS,
    Alarm,
    AlarmStatus,
    Grade,
    Reading,
    ReadingSource,
)
from anyun.monitoring.name_badges import badges_of, with_badges
from anyun.monitoring.services.readings import normal_on_repeat_of
from anyun.pregnancy.selectors import access_pregnancy, current_pregnancy_of

# `charts` (matplotlib) and `chart_print` (WeasyPrint) are imported in the views that draw:
# a process loads them with its first chart, not at start.
CLINICAL = [Role.CLINICIAN, Role.NURSE]


def _check_in(
    request: HttpRequest, *, woman: User, source: str, template: str, extra: dict[str, Any]
) -> HttpResponse:
    """Shared by the woman's check-in and the clinician's in-clinic measurements."""
    initial = {"idempotency_key": uuid.uuid4().hex}
    form = CheckInForm(
        request.POST or None, initial=initial, stage=selectors.stage_of(woman) or Stage.PREGNANT
    )
    confirm_items: list[services.ConfirmItem] = []
    reported: services.RecordResult | None = None
    if request.method == "POST" and form.is_valid():
        items = form.items()
        if not items:
            form.add_error(None, _("Enter at least one value."))
        else:
            try:
                result = services.readings_record(
                    actor=acting_user(request),
                    woman=woman,
                    items=items,
                    idempotency_key=form.cleaned_data.get("idempotency_key") or "",
                    confirm=bool(form.cleaned_data.get("confirm")),
                    source=source,
                    request=request,
                )
            except services.ConfirmationRequired as exc:
                confirm_items = exc.items
                reported = getattr(exc, "reported", None)
            except DomainError as exc:
                _show_error(form, items, exc)
                reported = getattr(exc, "reported", None)
            else:
                batch = result.readings[0].batch
                if source == ReadingSource.CLINIC:
                    messages.success(request, _("Measurements saved."))
                    return redirect(f"/clinic/patients/{woman.public_id}/")
                return redirect("monitoring:checkin", batch=batch)
    return render(
        request,
        template,
        {"form": form, "confirm_items": confirm_items, **_reported_context(reported), **extra},
    )


def _reported_context(reported: services.RecordResult | None) -> dict[str, Any]:
    """The red flags of a refused or unconfirmed check-in, raised already: what to do now."""
    if reported is None:
        return {}
    return {
        "flag_alarms": _alarm_views(reported.alarms),
        "crisis": services.crisis_guidance(reported.alarms),
    }


def _show_error(form: CheckInForm, items: list[services.ReadingInput], exc: DomainError) -> None:
    field = None
    if exc.field and exc.field.startswith("items."):
        _prefix, index, name = exc.field.split(".", 2)
        field = form_field_for(items[int(index)].kind, name)
    form.add_error(field if field in form.fields else None, str(exc.message))


@woman_ready_required
def home(request: HttpRequest) -> HttpResponse:
    woman = acting_user(request)
    pregnancy = current_pregnancy_of(woman)
    latest = selectors.latest_by_kind(woman)
    return render(
        request,
        "monitoring/home.html",
        {
            "pregnancy": pregnancy,
            "latest": [(SIGN_LABELS[k], k, r) for k, r in latest.items()],
            "signs": [(str(k), v) for k, v in SIGN_LABELS.items()],
            "alarms": selectors.alarms_of(woman, open_only=True)[:5],
            "plans": selectors.plans_of(woman),
        },
    )


@woman_required
def record(request: HttpRequest) -> HttpResponse:
    woman = acting_user(request)
    step = missing_step(request)
    if step is not None:
        return _record_not_ready(request, woman=woman, step=step)
    if selectors.monitored_pregnancy_of(woman) is None:
        return redirect("pregnancy:record")
    return _check_in(
        request, woman=woman, source=ReadingSource.HOME, template="monitoring/record.html", extra={}
    )


def _record_not_ready(request: HttpRequest, *, woman: User, step: HttpResponse) -> HttpResponse:
    """Not verified or a consent unsigned: nothing is recorded and she is sent to that step,
    except that thoughts of self-harm start the safety pathway and she sees the crisis
    guidance first, with the way on to the missing step."""
    if request.method != "POST" or not set(request.POST.getlist("symptoms")) & set(
        SAFETY_PATHWAY_SYMPTOMS
    ):
        return step
    form = CheckInForm(request.POST, stage=selectors.stage_of(woman) or Stage.PREGNANT)
    items = form.items() if form.is_valid() else []
    if not items:
        items = [
            services.ReadingInput(
                kind=SignKind.SYMPTOM_REPORT, symptoms=sorted(SAFETY_PATHWAY_SYMPTOMS)
            )
        ]
    reported = None
    try:
        services.readings_record(
            actor=woman,
            woman=woman,
            items=items,
            idempotency_key=request.POST.get("idempotency_key") or "",
            request=request,
        )
    except DomainError as exc:
        reported = getattr(exc, "reported", None)
    context = _reported_context(reported)
    if not context.get("crisis"):
        context["crisis"] = services.crisis_guidance_now()
    return render(
        request,
        "monitoring/crisis_not_ready.html",
        {**context, "next_step": step["Location"]},
        status=403,
    )


@woman_ready_required
def checkin(request: HttpRequest, batch: UUID) -> HttpResponse:
    """What she just recorded and, at once, what she should do now."""
    woman = acting_user(request)
    readings = list(Reading.objects.filter(woman=woman, batch=batch).order_by("position"))
    if not readings:
        raise Http404
    alarms = selectors.alarms_of_check_in(readings)
    views = _alarm_views(alarms)
    for view in views:
        if normal_on_repeat_of(view["alarm"], readings):
            # Her earlier alarm, found normal now: the outcome, not its old instruction.
            view.update(action=NORMAL_REPEAT_TEXT, more_actions=[], repeat_outcome=True)
    current = [a for a in alarms if not normal_on_repeat_of(a, readings)]
    return render(
        request,
        "monitoring/checkin.html",
        {
            "readings": readings,
            "alarms": views,
            "highest": current[0].grade if current else None,
            "crisis": services.crisis_guidance(alarms),
        },
    )


def _alarm_views(alarms: list[Alarm], *, told: bool = True) -> list[dict[str, Any]]:
    readings = selectors.finding_readings(alarms)
    return [_alarm_view(a, readings, told=told) for a in alarms]


def _alarm_view(
    alarm: Alarm, readings: dict[str, Reading] | None = None, *, told: bool = True
) -> dict[str, Any]:
    """One alarm as a card: one instruction (the first finding's action), the reasons under
    it (every rule that fired, with its reading), and (`told`, for her pages) what was really
    done about it."""
    readings = readings if readings is not None else selectors.finding_readings([alarm])
    rows = alarm.findings or [
        {"rule": alarm.rule, "values": alarm.values, "sign": alarm.sign, "action": alarm.action}
    ]
    reasons = []
    for row in rows:
        reading = readings.get(row.get("reading", ""), alarm.reading)
        reasons.append(
            {
                "label": rule_label(row["rule"]),
                "reading": reading,
                "values": row.get("values") or {},
                "sign": row.get("sign", alarm.sign),
                "source": row.get("source", alarm.source),
                "confidence": row.get("confidence", alarm.confidence),
            }
        )
    more = []
    for row in rows[1:]:
        text = action_text(row["action"])
        if row["action"] != alarm.action and text not in more:
            more.append(text)
    return {
        "alarm": alarm,
        "label": rule_label(alarm.rule),
        "action": action_text(alarm.action),
        "more_actions": more,
        "values": services.format_values(alarm),
        "reasons": reasons,
        "told": _told(alarm) if told else "",
    }


def _told(alarm: Alarm) -> str:
    """What was really done with it, for her: never "told" when nothing was sent."""
    if alarm.grade == Grade.ADVICE:
        return _("This is advice for you; it was not sent to your care team.")
    delivery = services.alarm_delivery(alarm)
    if delivery == "pending":
        # Raised; the queue worker is giving it to her responder chain right now.
        if alarm.grade == Grade.URGENT:
            return _("We are telling your care team now. Do not wait for their reply.")
        return _("We are telling your care team now; they will review it within 24 hours.")
    if delivery == "nobody":
        return _(
            "No clinician could be reached online just now. If you are worried, call your "
            "hospital, or 120 in an emergency."
        )
    if alarm.grade == Grade.URGENT:
        return _("Your care team has been told. Do not wait for their reply.")
    return _("Your care team has been told and will review it within 24 hours.")


def _range(request: HttpRequest) -> tuple[dt.datetime | None, dt.datetime | None, str, str]:
    raw_from, raw_to = request.GET.get("from", ""), request.GET.get("to", "")
    since = until = None
    try:
        if raw_from:
            since = timezone.make_aware(
                dt.datetime.combine(dt.date.fromisoformat(raw_from), dt.time.min)
            )
        if raw_to:
            until = timezone.make_aware(
                dt.datetime.combine(dt.date.fromisoformat(raw_to), dt.time.min)
            ) + dt.timedelta(days=1)
    except ValueError:
        since = until = None
    return since, until, raw_from, raw_to


@woman_ready_required
def sign_history(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in SIGN_LABELS:
        raise Http404
    woman = acting_user(request)
    since, until, raw_from, raw_to = _range(request)
    readings = list(selectors.readings_of(woman, kind=kind, since=since, until=until)[:200])
    trend = selectors.trend_for(
        woman, kind=kind, readings=_trend_readings(woman, kind, since=since, until=until)
    )
    return render(
        request,
        "monitoring/sign_history.html",
        {
            "kind": kind,
            "label": SIGN_LABELS[kind],
            "rows": selectors.sign_history_rows(readings),
            "trend_summary": selectors.trend_summary(trend),
            "trend_table": selectors.trend_table(trend),
            "from": raw_from,
            "to": raw_to,
            "query": request.GET.urlencode(),
        },
    )


@woman_ready_required
def sign_trend_svg(request: HttpRequest, kind: str) -> HttpResponse:
    from anyun.monitoring.charts import render_trend_svg

    if kind not in SIGN_LABELS:
        raise Http404
    woman = acting_user(request)
    since, until, _f, _t = _range(request)
    readings = _trend_readings(woman, kind, since=since, until=until)
    svg = render_trend_svg(selectors.trend_for(woman, kind=kind, readings=readings))
    return HttpResponse(svg, content_type="image/svg+xml")


def _trend_readings(woman: Any, kind: str, *, since: Any, until: Any) -> list[Any]:
    """What a sign's trend plots: the same for the drawing and for its table."""
    if kind == SignKind.SYMPTOM_REPORT:
        found = selectors.readings_with_symptoms(woman, since=since, until=until)
    else:
        found = selectors.readings_of(woman, kind=kind, since=since, until=until)
    return list(found[:500])


@woman_ready_required
def my_alarms(request: HttpRequest) -> HttpResponse:
    alarms = selectors.alarms_of(acting_user(request))[:100]
    return render(request, "monitoring/my_alarms.html", {"alarms": _alarm_views(list(alarms))})


def _chart_pregnancy(request: HttpRequest, pregnancy_id: UUID) -> Any:
    if not request.user.is_authenticated:
        raise Http404
    try:
        pregnancy = access_pregnancy(user=request.user, pregnancy_public_id=pregnancy_id)
    except NotFound as exc:
        raise Http404 from exc
    audit_record(
        actor=request.user,
        action="read",
        object_type="pregnancy_chart",
        object_id=pregnancy.public_id,
        subject=pregnancy.woman,
        request=request,
    )
    return pregnancy


@woman_ready_required
def chart(request: HttpRequest) -> HttpResponse:
    pregnancy = current_pregnancy_of(acting_user(request))
    if pregnancy is None:
        return redirect("pregnancy:record")
    from anyun.monitoring.charts import chart_description

    data = selectors.chart_data_for(pregnancy, labels=chart_labels())
    return render(
        request,
        "monitoring/chart.html",
        {
            "pregnancy": pregnancy,
            "chart_summary": chart_description(data),
            "chart_tables": selectors.chart_tables(data),
        },
    )


def chart_svg(request: HttpRequest, pregnancy_id: UUID) -> HttpResponse:
    from anyun.monitoring.charts import render_chart_svg

    pregnancy = _chart_pregnancy(request, pregnancy_id)
    svg = render_chart_svg(selectors.chart_data_for(pregnancy, labels=chart_labels()))
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


def chart_pdf(request: HttpRequest, pregnancy_id: UUID) -> HttpResponse:
    from anyun.monitoring.chart_print import render_chart_pdf

    pregnancy = _chart_pregnancy(request, pregnancy_id)
    pdf = render_chart_pdf(
        selectors.chart_data_for(pregnancy, labels=chart_labels()),
        selectors.chart_print_header_for(pregnancy, printed_at=timezone.now()),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="pregnancy-chart.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def chart_labels() -> Any:
    return ChartLabels(
        title=_("Pregnancy chart"),
        ga_axis=_("Gestational age (weeks)"),
        sfh=_("Fundal height (cm)"),
        weight=_("Weight gain (kg)"),
        ac=_("Abdominal circumference (cm)"),
        bp=_("Blood pressure (mmHg)"),
        home=_("Home reading"),
        clinic=_("Clinic measurement"),
        band=_("Recommended range"),
        systolic=_("Systolic"),
        diastolic=_("Diastolic"),
        today=_("Today"),
        no_data=_("No measurements yet"),
    )


# --- clinician ------------------------------------------------------------------------------


@staff_required(CLINICAL)
def worklist(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "active")
    grade = request.GET.get("grade", "")
    mine = request.GET.get("mine") == "1"
    alarms = selectors.alarm_worklist_for(request.user, status=status, grade=grade, mine=mine)[:200]
    rows = _alarm_views(list(alarms), told=False)  # her wording is for her pages
    with_badges(rows, lambda row: row["alarm"].woman)  # her risk colour beside her name
    context = {
        "alarms": rows,
        "status": status,
        "grade": grade,
        "mine": mine,
        "statuses": AlarmStatus.choices,
        "grades": Grade.choices,
        "query": request.GET.urlencode(),
    }
    template = (
        "monitoring/_worklist_rows.html"
        if request.headers.get("HX-Request")
        else "monitoring/worklist.html"
    )
    return render(request, template, context)


def _access_alarm(request: HttpRequest, alarm_id: UUID) -> Alarm:
    try:
        return services.access_alarm(user=acting_user(request), alarm_public_id=alarm_id)
    except NotFound as exc:
        raise Http404 from exc


@staff_required(CLINICAL)
def alarm_detail(request: HttpRequest, alarm_id: UUID) -> HttpResponse:
    alarm = _access_alarm(request, alarm_id)
    audit_record(
        actor=request.user,
        action="read",
        object_type="alarm",
        object_id=alarm.public_id,
        subject=alarm.woman,
        request=request,
    )
    return _render_alarm(request, alarm, AlarmCloseForm(normal_on_repeat=_normal_on_repeat(alarm)))


def _normal_on_repeat(alarm: Alarm) -> bool:
    return services.may_close_normal_on_repeat(alarm)


def _render_alarm(request: HttpRequest, alarm: Alarm, form: AlarmCloseForm) -> HttpResponse:
    context = {
        "a": _alarm_view(alarm),
        "alarm": alarm,
        "events": alarm.events.select_related("actor", "recipient"),
        "form": form,
        "normal_on_repeat": alarm.status != AlarmStatus.CLOSED and _normal_on_repeat(alarm),
        "badges": badges_of(alarm.woman),  # her risk colour beside her name
    }
    return render(request, "monitoring/alarm_detail.html", context)


@staff_required(CLINICAL)
@require_POST
def alarm_acknowledge(request: HttpRequest, alarm_id: UUID) -> HttpResponse:
    _access_alarm(request, alarm_id)
    try:
        services.alarm_acknowledge(
            actor=acting_user(request), alarm_public_id=alarm_id, request=request
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Acknowledged."))
    return redirect("monitoring_clinic:alarm", alarm_id=alarm_id)


@staff_required(CLINICAL)
@require_POST
def alarm_close(request: HttpRequest, alarm_id: UUID) -> HttpResponse:
    alarm = _access_alarm(request, alarm_id)
    form = AlarmCloseForm(request.POST, normal_on_repeat=_normal_on_repeat(alarm))
    if form.is_valid():
        try:
            services.alarm_close(
                actor=acting_user(request),
                alarm_public_id=alarm_id,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The alarm is closed."))
            return redirect("monitoring_clinic:worklist")
    return _render_alarm(request, alarm, form)


def _woman_for(request: HttpRequest, woman_id: UUID) -> User:
    try:
        return access_woman(user=request.user, woman_public_id=woman_id)
    except NotFound as exc:
        raise Http404 from exc


@staff_required(CLINICAL)
def clinic_measurements(request: HttpRequest, woman_id: UUID) -> HttpResponse:
    woman = _woman_for(request, woman_id)
    return _check_in(
        request,
        woman=woman,
        source=ReadingSource.CLINIC,
        template="monitoring/clinic_measurements.html",
        extra={"woman": woman, "badges": badges_of(woman)},
    )


@staff_required(CLINICAL)
def plans(request: HttpRequest, woman_id: UUID) -> HttpResponse:
    woman = _woman_for(request, woman_id)
    form = PlanForm(request.POST or None)
    if request.method == "POST" and request.POST.get("end"):
        try:
            services.plan_end(actor=acting_user(request), plan_public_id=request.POST["end"])
        except NotFound as exc:
            raise Http404 from exc
        return redirect("monitoring_clinic:plans", woman_id=woman_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_set(
                actor=acting_user(request),
                woman=woman,
                kind=form.cleaned_data["kind"],
                times=form.cleaned_data["times"].split(","),
                from_ga_weeks=form.cleaned_data["from_ga_weeks"],
                until_ga_weeks=form.cleaned_data["until_ga_weeks"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Instructions saved. She will be reminded at those times."))
            return redirect("monitoring_clinic:plans", woman_id=woman_id)
    adherence = [selectors.adherence_of(p) for p in selectors.plans_of(woman)]
    return render(
        request,
        "monitoring/plans.html",
        {"woman": woman, "form": form, "adherence": adherence, "badges": badges_of(woman)},
    )
