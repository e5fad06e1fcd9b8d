"""The three front ends' own pages: the woman's home, the workstation and the console."""

from __future__ import annotations

import sys
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anyun.accounts.decorators import acting_user, staff_required
from anyun.accounts.models import CLINICAL_ROLES, Role, User
from anyun.accounts.views import home_for
from anyun.assessment import selectors as assessment_selectors
from anyun.audit.services import audit_record
from anyun.careteam import selectors as careteam_selectors
from anyun.careteam import services as careteam_services
from anyun.clinical.national_id import age_on
from anyun.consent.models import ConsentSignature
from anyun.consent.services import consent_missing_for
from anyun.core import crypto
from anyun.core.errors import DomainError, NotFound
from anyun.core.failures import failure_for, failure_for_status, failure_response
from anyun.core.inputs import parse_uuid
from anyun.monitoring import selectors as monitoring_selectors
from anyun.monitoring.messages import rule_label
from anyun.monitoring.models import SIGN_LABELS
from anyun.monitoring.services import format_values
from anyun.pregnancy import selectors as pregnancy_selectors
from anyun.pregnancy.models import Pregnancy, PregnancyStatus
from anyun.staff import selectors as staff_selectors
from anyun.staff.selectors import clinician_for
from anyun.web import selectors as web_selectors
from anyun.web.text_size import TEXT_SIZE_COOKIE, TEXT_SIZE_MAX_AGE, TEXT_SIZES

HELP_TOPICS = ("account", "consent", "record", "messages", "privacy", "emergency")
WORKSTATION_ROLES = [Role.CLINICIAN, Role.NURSE, Role.PHARMACIST]
CONSOLE_ROLES = [
    Role.QUALITY_MANAGER,
    Role.FINANCE,
    Role.SYSTEM_ADMIN,
    Role.SECURITY_ADMIN,
    Role.AUDIT_ADMIN,
]


def woman_home(request: HttpRequest) -> HttpResponse:
    """The woman's home: weeks, due date and next steps. Visitors see the welcome page."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "web/welcome.html")
    if user.role != Role.WOMAN:  # type: ignore[union-attr]
        return redirect(home_for(user))  # type: ignore[arg-type]
    profile = user.woman_profile  # type: ignore[union-attr]
    pregnancy = pregnancy_selectors.current_pregnancy_of(user)
    steps = []
    if profile.guide_seen_at is None:
        steps.append(("guide", _("Read the two-minute guide"), "/accounts/guide/"))
    if not profile.is_verified:
        steps.append(("identity", _("Verify your real-name identity"), "/accounts/identity/"))
    elif consent_missing_for(user):
        steps.append(("consent", _("Read and sign the informed consent"), "/consent/"))
    elif pregnancy is None:
        steps.append(("pregnancy", _("Open your pregnancy record"), "/pregnancy/"))
    summary = pregnancy_selectors.pregnancy_summary(pregnancy) if pregnancy else None
    latest = [(SIGN_LABELS[k], k, r) for k, r in monitoring_selectors.latest_by_kind(user).items()]
    if pregnancy is not None:
        audit_record(
            actor=user,
            action="read",
            object_type="pregnancy",
            object_id=pregnancy.public_id,
            subject=user,
            request=request,
        )
    return render(
        request,
        "web/woman_home.html",
        {
            "steps": steps,
            "summary": summary,
            "profile": profile,
            "latest": latest,
            "team": careteam_selectors.care_team_of(user),
            "online_care": assessment_selectors.online_care_for(user) if pregnancy else None,
        },
    )


@staff_required(WORKSTATION_ROLES)
def clinic_home(request: HttpRequest) -> HttpResponse:
    """The women this clinician may see, with what she triages by, sortable and paged."""
    query = request.GET.get("q", "").strip()[:64]
    sort = web_selectors.patient_sort(request.GET.get("sort"))
    colour = web_selectors.risk_filter(request.GET.get("colour"))
    page, rows = web_selectors.patient_list_for(
        request.user,
        query=query,
        sort=sort,
        page=request.GET.get("page"),
        today=timezone.localdate(),
        colour=colour,
    )
    # What was shown of whom: the list carries GA, EDD, alarms and the last reading.
    audit_record(
        actor=request.user,
        action="read",
        object_type="patient_list",
        request=request,
        detail={
            "women": [str(row.public_id) for row in rows],
            "sort": sort,
            "query": bool(query),
            "colour": colour,
        },
    )
    profile = staff_selectors.clinician_for(request.user)
    if profile is not None:
        prefetch_related_objects([profile], "credentials")
    return render(
        request,
        "web/clinic_home.html",
        {
            "page": page,
            "rows": rows,
            "query": query,
            "sort": sort,
            "colour": colour,
            "colours": web_selectors.RISK_FILTERS,
            "warnings": staff_selectors.credential_warnings_for(request.user, profile=profile),
            "blockers": staff_selectors.practice_blockers(request.user, profile=profile),
        },
    )


@staff_required([Role.CLINICIAN, Role.NURSE])
def patient_overview(request: HttpRequest, woman_id: UUID) -> HttpResponse:
    try:
        woman = careteam_selectors.access_woman(user=request.user, woman_public_id=woman_id)
    except NotFound as exc:
        raise Http404 from exc
    pregnancy, past_pregnancies = pregnancy_selectors.pregnancies_of(woman)
    history = list(pregnancy_selectors.history_of(woman))
    audit_record(
        actor=request.user,
        action="read",
        object_type="patient_overview",
        object_id=woman.public_id,
        subject=woman,
        request=request,
    )
    profile = woman.woman_profile
    team = list(careteam_selectors.care_team_of(woman))
    risk = assessment_selectors.risk_overview_for(
        woman, pregnancy=pregnancy, history=history, team=team
    )
    context = {
        "woman": woman,
        "profile": profile,
        "age": age_on(profile.birth_date, timezone.localdate()) if profile.birth_date else None,
        "masked_id": crypto.mask_national_id(profile.national_id) if profile.national_id else "",
        "masked_phone": crypto.mask_phone(woman.phone) if woman.phone else "",
        "pregnancy": pregnancy,
        "summary": pregnancy_selectors.pregnancy_summary(pregnancy) if pregnancy else None,
        "history": history,
        "past_pregnancies": past_pregnancies,
        "reports": pregnancy.reports.all() if pregnancy else [],
        "revisions": pregnancy_selectors.revisions_of(pregnancy) if pregnancy else [],
        "team": team,
        "alarms": [
            {"alarm": a, "label": rule_label(a.rule), "values": format_values(a)}
            for a in risk.online.open_alarms[:10]
        ],
        "latest": [
            (SIGN_LABELS[k], k, r) for k, r in monitoring_selectors.latest_by_kind(woman).items()
        ],
        "risk": risk,
    }
    return render(request, "web/patient_overview.html", context)


@staff_required([Role.CLINICIAN, Role.NURSE])
def care_team(request: HttpRequest) -> HttpResponse:
    """Care teams of the department: find a woman by exact mobile or ID number; the head or
    her responsible clinician assigns, a nurse proposes; pending proposals to decide."""
    user = acting_user(request)
    found = None
    lookup = request.GET.get("lookup", "").strip()[:40]
    if lookup:
        found = careteam_selectors.woman_by_number(lookup)
        audit_record(
            actor=user,
            action="lookup",
            object_type="woman",
            object_id=found.public_id if found else "",
            subject=found,
            request=request,
            detail={"found": found is not None},
        )
    profile = clinician_for(user)
    members = User.objects.filter(
        role__in=CLINICAL_ROLES,
        is_active=True,
        clinician_profile__department=profile.department if profile else None,
    ).order_by("display_name")
    shown_name = ""
    knows = False
    if found is not None:
        # Only someone who decides her team (or already sees her record) sees her full name.
        name = str(found.woman_profile.real_name or found.display_name)
        knows = careteam_services.may_assign(user, found) or careteam_selectors.can_see_woman(
            user, found
        )
        shown_name = name if knows else name[:1] + "*" * max(1, len(name) - 1)
    proposals = list(careteam_selectors.proposals_pending_for(user))
    # Her colour beside her name for whoever decides her team (not for a masked lookup).
    badges = assessment_selectors.risk_badges(
        {p.woman_id for p in proposals} | ({found.pk} if found is not None and knows else set())
    )
    for proposal in proposals:
        proposal.risk_badge = badges[proposal.woman_id]  # type: ignore[attr-defined]
    return render(
        request,
        "web/care_team.html",
        {
            "found": found,
            "shown_name": shown_name,
            "lookup": lookup,
            "members": members,
            "can_assign": found is not None and careteam_services.may_assign(user, found),
            "can_propose": careteam_services.may_propose(user),
            "proposals": proposals,
            "found_badge": badges.get(found.pk) if found is not None else None,
        },
    )


@staff_required([Role.CLINICIAN, Role.NURSE])
@require_POST
def care_team_assign(request: HttpRequest) -> HttpResponse:
    """Assign (head or responsible clinician) or propose (nurse) a member for her team."""
    woman_id, member_id = (
        parse_uuid(request.POST.get("woman")),
        parse_uuid(request.POST.get("member")),
    )
    if woman_id is None or member_id is None:
        raise Http404
    woman = User.objects.filter(role=Role.WOMAN, public_id=woman_id).first()
    member = User.objects.filter(public_id=member_id).first()
    if woman is None or member is None:
        raise Http404
    user = acting_user(request)
    responsible = request.POST.get("responsible") == "on"
    try:
        if careteam_services.may_assign(user, woman):
            careteam_services.care_team_assign(
                actor=user, woman=woman, member=member, responsible=responsible, request=request
            )
            messages.success(request, _("Assigned. Her responsible clinician has been told."))
        else:
            careteam_services.care_team_propose(
                actor=user, woman=woman, member=member, responsible=responsible, request=request
            )
            messages.success(
                request, _("Proposed. The decision is with her responsible clinician.")
            )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("web:care_team")


@staff_required([Role.CLINICIAN])
@require_POST
def care_team_decide(request: HttpRequest, proposal_id: UUID) -> HttpResponse:
    approve = request.POST.get("decision") == "approve"
    try:
        careteam_services.care_team_proposal_decide(
            actor=acting_user(request),
            proposal_public_id=proposal_id,
            approve=approve,
            request=request,
        )
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Approved.") if approve else _("Declined."))
    return redirect("web:care_team")


@staff_required(CONSOLE_ROLES)
def console_home(request: HttpRequest) -> HttpResponse:
    stats = {}
    if request.user.role == Role.QUALITY_MANAGER:  # type: ignore[union-attr]
        stats = {
            "women": User.objects.filter(role=Role.WOMAN).count(),
            "verified": User.objects.filter(
                role=Role.WOMAN, woman_profile__verified_at__isnull=False
            ).count(),
            "consents": ConsentSignature.objects.filter(withdrawn_at__isnull=True).count(),
            "current_pregnancies": Pregnancy.objects.filter(status=PregnancyStatus.CURRENT).count(),
        }
    return render(request, "web/console_home.html", {"stats": stats})


def help_index(request: HttpRequest) -> HttpResponse:
    return render(request, "web/help_index.html", {"topics": HELP_TOPICS})


def help_topic(request: HttpRequest, topic: str) -> HttpResponse:
    if topic not in HELP_TOPICS:
        raise Http404
    return render(request, f"web/help/{topic}.html", {"topic": topic})


@require_POST
def text_size_set(request: HttpRequest) -> HttpResponse:
    """Keep her text size (standard or large) in a cookie and go back to the page she was on.

    Like Django's set_language: an unknown size changes nothing, and `next` must be ours.
    """
    size = request.POST.get("size", "")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = redirect(next_url)
    if size in TEXT_SIZES:
        response.set_cookie(
            TEXT_SIZE_COOKIE,
            size,
            max_age=TEXT_SIZE_MAX_AGE,
            samesite="Lax",
            httponly=True,
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


# --- error pages (also the JSON error shape under /api/) -----------------------------------


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return failure_response(request, failure_for_status(400))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return failure_response(request, failure_for_status(403))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return failure_response(request, failure_for_status(404))


def server_error(request: HttpRequest) -> HttpResponse:
    """Django calls this inside its handler for an uncaught exception: one that input or
    the database's state explains still gets its own answer."""
    exception = sys.exc_info()[1]
    failure = failure_for(exception) if exception is not None else None
    return failure_response(request, failure or failure_for_status(500))
