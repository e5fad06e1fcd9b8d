"""Scheduling pages: hers on the phone (book, my appointments, the live queue) and the
workstation's (today's list and the queue, schedules and closed days, no-show follow-up)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anyun.accounts.decorators import acting_user, staff_required, woman_required
from anyun.accounts.models import CLINICAL_ROLES, User
from anyun.assessment.selectors import eligible_in_person, risk_badges
from anyun.audit.services import audit_record
from anyun.core.errors import DomainError, NotFound
from anyun.core.forms import form_error
from anyun.scheduling import forms, selectors, services
from anyun.scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentStatus, QueueStatus
from anyun.staff.models import ClinicianProfile, Department
from anyun.staff.selectors import clinician_for, practice_blockers

# --- her pages ----------------------------------------------------------------------------


@woman_required
def home(request: HttpRequest) -> HttpResponse:
    woman = acting_user(request)
    now = timezone.now()
    appointments = selectors.appointments_of(woman)
    upcoming = [a for a in appointments if a.ends_at > now and a.status in ACTIVE_STATUSES]
    entry = selectors.queue_entry_of(woman)
    return render(
        request,
        "scheduling/home.html",
        {
            "upcoming": upcoming,
            "past": [a for a in appointments if a not in upcoming],
            "entry": entry,
            "place": selectors.queue_place(entry) if entry else None,
        },
    )


def _owner_from(params: Any) -> tuple[Department, ClinicianProfile | None]:
    raw_department, raw_clinician = params.get("department", ""), params.get("clinician", "")
    try:
        department = selectors.department_by_id(uuid.UUID(raw_department))
        clinician = (
            selectors.clinician_in(department, uuid.UUID(raw_clinician)) if raw_clinician else None
        )
    except (ValueError, NotFound) as exc:
        raise Http404 from exc
    return department, clinician


def _starts_at(raw: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise DomainError(
            "starts_at_invalid", _("Choose one of the free times."), field="starts_at"
        ) from None
    if timezone.is_naive(value):
        raise DomainError(
            "starts_at_invalid", _("Choose one of the free times."), field="starts_at"
        )
    return value


def _slot_page(
    request: HttpRequest,
    *,
    department: Department,
    clinician: ClinicianProfile | None,
    action: str,
    appointment: Appointment | None = None,
    error: str = "",
    needs_evidence: bool = False,
    status: int = 200,
) -> HttpResponse:
    free = selectors.free_slots(department, clinician)
    return render(
        request,
        "scheduling/slots.html",
        {
            "department": department,
            "clinician": clinician,
            "days": selectors.slots_by_day(free),
            "action": action,
            "appointment": appointment,
            "error": error,
            "needs_evidence": needs_evidence,
            "token": uuid.uuid4().hex,
        },
        status=status,
    )


@woman_required
def book(request: HttpRequest) -> HttpResponse:
    """Choose the department or a clinician, then a free time."""
    woman = acting_user(request)
    if request.method == "POST":
        department, clinician = _owner_from(request.POST)
        try:
            appointment, _created = services.appointment_book(
                woman=woman,
                department=department,
                clinician=clinician,
                starts_at=_starts_at(request.POST.get("starts_at", "")),
                idempotency_key=request.POST.get("token", "")[:64],
                request=request,
            )
        except DomainError as exc:
            return _slot_page(
                request,
                department=department,
                clinician=clinician,
                action="book",
                error=str(exc.message),
                needs_evidence=_needs_evidence(woman, exc),
                status=400,
            )
        messages.success(request, _("Your appointment is booked."))
        return redirect("scheduling:appointment", appointment_id=appointment.public_id)
    if request.GET.get("department"):
        department, clinician = _owner_from(request.GET)
        return _slot_page(request, department=department, clinician=clinician, action="book")
    return render(
        request,
        "scheduling/choose.html",
        {
            "departments": [
                (d, selectors.has_department_schedule(d), selectors.bookable_clinicians(d))
                for d in selectors.bookable_departments()
            ]
        },
    )


@woman_required
def appointment(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    woman = acting_user(request)
    try:
        row = selectors.appointment_of_woman(woman, appointment_id)
    except NotFound as exc:
        raise Http404 from exc
    error = ""
    if request.method == "POST":
        try:
            services.appointment_cancel(
                actor=woman,
                appointment_id=row.public_id,
                reason=request.POST.get("reason", "")[:200],
                request=request,
            )
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("Your appointment is cancelled."))
            return redirect("scheduling:home")
    else:
        audit_record(
            actor=woman,
            action="read",
            object_type="appointment",
            object_id=row.public_id,
            subject=woman,
            request=request,
        )
    return render(
        request,
        "scheduling/appointment.html",
        {
            "appointment": row,
            "error": error,
            "changeable": row.status == AppointmentStatus.BOOKED,
            "change_hours": settings.ANYUN_BOOKING_CHANGE_HOURS,
        },
        status=400 if error else 200,
    )


@woman_required
def move(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    woman = acting_user(request)
    try:
        row = selectors.appointment_of_woman(woman, appointment_id)
    except NotFound as exc:
        raise Http404 from exc
    if request.method == "POST":
        try:
            services.appointment_reschedule(
                woman=woman,
                appointment_id=row.public_id,
                starts_at=_starts_at(request.POST.get("starts_at", "")),
                request=request,
            )
        except DomainError as exc:
            return _slot_page(
                request,
                department=row.department,
                clinician=row.clinician,
                action="move",
                appointment=row,
                error=str(exc.message),
                status=400,
            )
        messages.success(request, _("Your appointment is moved."))
        return redirect("scheduling:appointment", appointment_id=row.public_id)
    return _slot_page(
        request, department=row.department, clinician=row.clinician, action="move", appointment=row
    )


def _needs_evidence(woman: User, exc: DomainError) -> bool:
    """Refused because she has not been seen in person (POL-13): the page then shows the way to
    have her evidence accepted, not another time to choose."""
    return exc.code == "online_care_unsuitable" and not eligible_in_person(woman)


def _queue_context(woman: User) -> dict[str, Any]:
    entry = selectors.queue_entry_of(woman)
    return {
        "entry": entry,
        "place": selectors.queue_place(entry) if entry else None,
        "departments": list(selectors.bookable_departments()),
        "waiting": entry is not None and entry.status == QueueStatus.WAITING,
    }


@woman_required
def queue(request: HttpRequest) -> HttpResponse:
    """The live queue: join, see her place (the page refreshes it), leave."""
    woman = acting_user(request)
    error = ""
    needs_evidence = False
    if request.method == "POST":
        try:
            if request.POST.get("action") == "leave":
                services.queue_leave(woman=woman, request=request)
                messages.success(request, _("You have left the queue."))
            else:
                department, _clinician = _owner_from(request.POST)
                services.queue_join(woman=woman, department=department, request=request)
                messages.success(request, _("You are in the queue."))
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            error = str(exc.message)
            needs_evidence = _needs_evidence(woman, exc)
        else:
            return redirect("scheduling:queue")
    return render(
        request,
        "scheduling/queue.html",
        {**_queue_context(woman), "error": error, "needs_evidence": needs_evidence},
        status=400 if error else 200,
    )


@woman_required
def queue_status(request: HttpRequest) -> HttpResponse:
    """Her place in the queue, for the page's periodic refresh."""
    return render(request, "scheduling/_queue_status.html", _queue_context(acting_user(request)))


# --- the workstation ----------------------------------------------------------------------


def _staff_profile(request: HttpRequest) -> tuple[User, ClinicianProfile]:
    user = acting_user(request)
    profile = clinician_for(user)
    if profile is None:
        raise Http404
    return user, profile


@staff_required(CLINICAL_ROLES)
def clinic_today(request: HttpRequest) -> HttpResponse:
    user, profile = _staff_profile(request)
    day = selectors.workday(user)
    rows: list[Any] = [*day.appointments, *day.queue]
    badges = risk_badges({row.woman_id for row in rows})  # her colour beside her name
    for row in rows:
        row.risk_badge = badges[row.woman_id]
    audit_record(
        actor=user,
        action="workday_read",
        object_type="workday",
        request=request,
        detail={"appointments": len(day.appointments), "queue": len(day.queue)},
    )
    return render(
        request,
        "scheduling/clinic_today.html",
        {
            "day": day,
            "blockers": practice_blockers(user, profile=profile),
            "is_head": profile.is_department_head,
            "now": timezone.now(),
        },
    )


def _report(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, str(exc.message))


@require_POST
@staff_required(CLINICAL_ROLES)
def clinic_receive(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    user, _profile = _staff_profile(request)
    try:
        services.appointment_receive(actor=user, appointment_id=appointment_id, request=request)
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Received: her record is open to you for the consultation."))
    return redirect("scheduling:clinic_today")


@require_POST
@staff_required(CLINICAL_ROLES)
def clinic_cancel(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    user, _profile = _staff_profile(request)
    try:
        services.appointment_cancel(
            actor=user,
            appointment_id=appointment_id,
            reason=request.POST.get("reason", "")[:200],
            request=request,
        )
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Appointment cancelled; she has been told."))
    return redirect("scheduling:clinic_today")


@require_POST
@staff_required(CLINICAL_ROLES)
def clinic_accept(request: HttpRequest, entry_id: UUID) -> HttpResponse:
    user, _profile = _staff_profile(request)
    try:
        services.queue_accept(actor=user, entry_id=entry_id, request=request)
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Accepted: her record is open to you for the consultation."))
    return redirect("scheduling:clinic_today")


def _clinician_choice(profile: ClinicianProfile, raw: str) -> ClinicianProfile | None:
    if not raw:
        return None
    try:
        return selectors.clinician_in(profile.department, uuid.UUID(raw))
    except (ValueError, NotFound):
        raise DomainError(
            "clinician_invalid", _("Choose a clinician."), field="clinician"
        ) from None


@staff_required(CLINICAL_ROLES)
def clinic_schedules(request: HttpRequest) -> HttpResponse:
    """The department's schedules, the hospital's closed days, leave and the live queue's
    times: the head edits all; a clinician their own schedule and leave."""
    user, profile = _staff_profile(request)
    head = profile.is_department_head
    view = selectors.management(profile, head=head)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    data = request.POST if request.method == "POST" else None
    rule_form = forms.ScheduleRuleForm(
        data if action == "rule" else None, clinicians=view.clinicians, head=head, prefix="rule"
    )
    holiday_form = forms.HolidayForm(data if action == "holiday" else None, prefix="holiday")
    leave_form = forms.LeaveForm(
        data if action == "leave" else None, clinicians=view.clinicians, prefix="leave"
    )
    policy_form = forms.QueuePolicyForm(
        data if action == "policy" else None,
        prefix="policy",
        initial={
            "accept_minutes": view.accept_minutes,
            "minutes_per_woman": view.minutes_per_woman,
        },
    )
    if request.method == "POST":
        done = _schedules_post(
            request, user, profile, action, rule_form, holiday_form, leave_form, policy_form
        )
        if done:
            return redirect("scheduling:clinic_schedules")
    return render(
        request,
        "scheduling/clinic_schedules.html",
        {
            "view": view,
            "is_head": head,
            "profile": profile,
            "rule_form": rule_form,
            "holiday_form": holiday_form,
            "leave_form": leave_form,
            "policy_form": policy_form,
        },
        status=400 if request.method == "POST" else 200,
    )


def _schedules_post(
    request: HttpRequest,
    user: User,
    profile: ClinicianProfile,
    action: str,
    rule_form: forms.ScheduleRuleForm,
    holiday_form: forms.HolidayForm,
    leave_form: forms.LeaveForm,
    policy_form: forms.QueuePolicyForm,
) -> bool:
    """Carry out one of the page's forms; True when it was done (redirect)."""
    target = request.POST.get("target", "")
    form: Any = None
    try:
        if action == "rule" and rule_form.is_valid():
            form, d = rule_form, rule_form.cleaned_data
            services.schedule_rule_add(
                actor=user,
                department=profile.department,
                clinician=_clinician_choice(profile, d["clinician"]),
                weekday=d["weekday"],
                start=d["start"],
                end=d["end"],
                slot_minutes=d["slot_minutes"],
                capacity=d["capacity"],
                valid_from=d["valid_from"],
                valid_until=d["valid_until"],
                request=request,
            )
            messages.success(request, _("Schedule added."))
        elif action == "holiday" and holiday_form.is_valid():
            form = holiday_form
            _holiday, cancelled = services.holiday_add(
                actor=user,
                day=holiday_form.cleaned_data["day"],
                name=holiday_form.cleaned_data["name"],
                request=request,
            )
            messages.success(
                request,
                _("Closed day set; %(n)s booked appointments cancelled and the women told.")
                % {"n": cancelled},
            )
        elif action == "leave" and leave_form.is_valid():
            form, d = leave_form, leave_form.cleaned_data
            clinician = _clinician_choice(profile, d["clinician"])
            assert clinician is not None
            _leave, cancelled = services.leave_add(
                actor=user,
                clinician=clinician,
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
                reason=d["reason"],
                request=request,
            )
            messages.success(
                request,
                _("Leave recorded; %(n)s booked appointments cancelled and the women told.")
                % {"n": cancelled},
            )
        elif action == "policy" and policy_form.is_valid():
            form = policy_form
            services.queue_policy_set(
                actor=user,
                accept_minutes=policy_form.cleaned_data["accept_minutes"],
                minutes_per_woman=policy_form.cleaned_data["minutes_per_woman"],
                request=request,
            )
            messages.success(request, _("Live-queue times saved."))
        elif action == "remove_rule":
            services.schedule_rule_remove(actor=user, rule_id=target, request=request)
            messages.success(request, _("Schedule removed. Appointments already booked stay."))
        elif action == "remove_holiday":
            services.holiday_remove(actor=user, holiday_id=target, request=request)
            messages.success(request, _("Closed day removed."))
        elif action == "remove_leave":
            services.leave_remove(actor=user, leave_id=target, request=request)
            messages.success(request, _("Leave removed."))
        else:
            return False
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        if form is None:
            _report(request, exc)
            return True
        form_error(form, exc)
        return False
    return True


def _period(request: HttpRequest) -> tuple[forms.PeriodForm, date, date]:
    today = selectors.local_today()
    first, last = today.replace(day=1), today
    form = forms.PeriodForm(request.GET or None, initial={"first": first, "last": last})
    if request.GET and form.is_valid():
        first, last = form.cleaned_data["first"], form.cleaned_data["last"]
    return form, first, last


@staff_required(CLINICAL_ROLES)
def clinic_tracing(request: HttpRequest) -> HttpResponse:
    """Missed appointments to follow up (the head sees the department's; others theirs and
    the unassigned), and the counts for a period."""
    user, profile = _staff_profile(request)
    head = profile.is_department_head
    cases = selectors.tracing_cases(profile, mine_only=not head)
    badges = risk_badges({case.woman_id for case in cases})  # her colour beside her name
    for case in cases:
        case.risk_badge = badges[case.woman_id]  # type: ignore[attr-defined]
    form, first, last = _period(request)
    audit_record(
        actor=user,
        action="tracing_read",
        object_type="tracing_case",
        request=request,
        detail={"cases": len(cases)},
    )
    return render(
        request,
        "scheduling/clinic_tracing.html",
        {
            "cases": cases,
            "is_head": head,
            "period_form": form,
            "counts": selectors.period_counts(profile.department_id, first=first, last=last),
        },
        status=400 if request.GET and form.errors else 200,
    )


@staff_required(CLINICAL_ROLES)
def clinic_tracing_case(request: HttpRequest, case_id: UUID) -> HttpResponse:
    user, profile = _staff_profile(request)
    head = profile.is_department_head
    try:
        case = selectors.tracing_case(case_id, profile)
    except NotFound as exc:
        raise Http404 from exc
    staff = selectors.department_staff(profile.department_id)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    data = request.POST if request.method == "POST" else None
    attempt_form = forms.AttemptForm(data if action == "attempt" else None, prefix="attempt")
    close_form = forms.CloseForm(data if action == "close" else None, prefix="close")
    assign_form = forms.AssignForm(
        data if action == "assign" else None,
        staff=staff,
        prefix="assign",
        initial={"assignee": str(case.assigned_to.public_id) if case.assigned_to else ""},
    )
    if request.method == "POST":
        try:
            if action == "attempt" and attempt_form.is_valid():
                services.tracing_attempt_record(
                    actor=user,
                    case_id=case.public_id,
                    method=attempt_form.cleaned_data["method"],
                    reached=attempt_form.cleaned_data["reached"],
                    note=attempt_form.cleaned_data["note"],
                    request=request,
                )
                messages.success(request, _("Contact attempt recorded."))
                return redirect("scheduling:clinic_tracing_case", case_id=case.public_id)
            if action == "close" and close_form.is_valid():
                services.tracing_close(
                    actor=user,
                    case_id=case.public_id,
                    outcome=close_form.cleaned_data["outcome"],
                    request=request,
                )
                messages.success(request, _("Follow-up closed."))
                return redirect("scheduling:clinic_tracing")
            if action == "assign" and assign_form.is_valid():
                assignee = next(
                    u for u in staff if str(u.public_id) == assign_form.cleaned_data["assignee"]
                )
                services.tracing_assign(
                    actor=user, case_id=case.public_id, assignee=assignee, request=request
                )
                messages.success(request, _("Follow-up assigned."))
                return redirect("scheduling:clinic_tracing_case", case_id=case.public_id)
        except DomainError as exc:
            target = {"attempt": attempt_form, "close": close_form, "assign": assign_form}.get(
                action
            )
            if target is not None:
                form_error(target, exc)
            else:
                _report(request, exc)
    else:
        audit_record(
            actor=user,
            action="read",
            object_type="tracing_case",
            object_id=case.public_id,
            subject=case.woman,
            request=request,
        )
    return render(
        request,
        "scheduling/clinic_tracing_case.html",
        {
            "case": case,
            "is_head": head,
            "may_act": head or case.assigned_to_id in (None, user.pk),
            "attempt_form": attempt_form,
            "close_form": close_form,
            "assign_form": assign_form,
            "woman_name": selectors.woman_name(case.woman),
            "risk_badge": risk_badges({case.woman_id})[case.woman_id],
        },
        status=400 if request.method == "POST" else 200,
    )
