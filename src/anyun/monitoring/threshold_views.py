"""The thresholds console: alarm thresholds and the alarm policy, changes and approvals.

Quality managers (and the system administrator) and clinicians who head a department open
it; a head approves or rejects the changes others proposed and sets the alarm policy.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anyun.accounts.decorators import acting_user, staff_required
from anyun.accounts.models import Role, User
from anyun.clinical.alarm_thresholds import FIRST_HIGH_BP_GRADES
from anyun.core.errors import DomainError
from anyun.monitoring import selectors, services
from anyun.monitoring.services.thresholds import REASON_MIN_LENGTH
from anyun.monitoring.threshold_labels import FIRST_HIGH_BP_GRADE_LABELS
from anyun.staff.selectors import is_clinical_head

CONSOLE_ROLES = [Role.QUALITY_MANAGER, Role.SYSTEM_ADMIN, Role.CLINICIAN]


def _console_user(request: HttpRequest) -> tuple[User, bool]:
    """The signed-in user and whether they head a department; other clinicians see a 404."""
    user = acting_user(request)
    head = is_clinical_head(user)
    if user.role == Role.CLINICIAN and not head:
        raise Http404
    return user, head


def _error(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, str(exc.message))


@staff_required(CONSOLE_ROLES)
def thresholds(request: HttpRequest) -> HttpResponse:
    """Every threshold with its label, unit, default, safe range and source; the changes
    awaiting approval; the alarm policy. A POST proposes a change (not yet in force)."""
    user, head = _console_user(request)
    if request.method == "POST":
        try:
            value = Decimal(request.POST.get("value", "").strip())
        except InvalidOperation:
            messages.error(request, _("Enter a number."))
        else:
            try:
                services.threshold_change_propose(
                    actor=user,
                    name=request.POST.get("name", ""),
                    value=value,
                    reason=request.POST.get("reason", ""),
                    request=request,
                )
            except DomainError as exc:
                _error(request, exc)
            else:
                messages.success(
                    request,
                    _("Change proposed. It takes effect once a department head approves it."),
                )
        return redirect("monitoring_console:thresholds")
    policy = selectors.alarm_policy_current()
    return render(
        request,
        "monitoring/thresholds.html",
        {
            "rows": selectors.thresholds_table(),
            "pending": selectors.threshold_changes_pending(),
            "decided": selectors.threshold_changes_decided(),
            "policy": policy,
            "policy_setting": selectors.alarm_policy_setting(),
            "grade_choices": [(g, FIRST_HIGH_BP_GRADE_LABELS[g]) for g in FIRST_HIGH_BP_GRADES],
            "first_high_bp_grade_label": FIRST_HIGH_BP_GRADE_LABELS[policy.first_high_bp_grade],
            "is_head": head,
            "reason_min": REASON_MIN_LENGTH,
        },
    )


@require_POST
@staff_required(CONSOLE_ROLES)
def threshold_change_decide(request: HttpRequest, change_id: str) -> HttpResponse:
    user, _head = _console_user(request)
    approve = request.POST.get("decision") == "approve"
    try:
        change = services.threshold_change_decide(
            actor=user,
            change_id=change_id,
            approve=approve,
            note=request.POST.get("note", ""),
            request=request,
        )
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(
            request,
            _("Change approved: it is in force now.")
            if change.decision == "approved"
            else _("Change rejected."),
        )
    return redirect("monitoring_console:thresholds")


@require_POST
@staff_required(CONSOLE_ROLES)
def alarm_policy(request: HttpRequest) -> HttpResponse:
    user, _head = _console_user(request)
    try:
        services.alarm_policy_set(
            actor=user,
            first_high_bp_grade=request.POST.get("first_high_bp_grade", ""),
            close_on_normal_repeat=request.POST.get("close_on_normal_repeat") == "on",
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Alarm policy changed."))
    return redirect("monitoring_console:thresholds")
