from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anyun.accounts.decorators import woman_required
from anyun.consent import services
from anyun.core.errors import DomainError, NotFound


@woman_required
def index(request: HttpRequest) -> HttpResponse:
    profile = request.user.woman_profile  # type: ignore[union-attr]
    if not profile.is_verified:
        return redirect("accounts:identity")
    missing = services.consent_missing_for(request.user)
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = ""
    if not missing:
        return redirect(next_url or "web:woman_home")
    return render(
        request,
        "consent/index.html",
        {
            "documents": missing,
            "next": next_url,
            "withdrawn": services.consent_withdrawn(request.user),
        },
    )


@woman_required
@require_POST
def sign(request: HttpRequest, document_id: UUID) -> HttpResponse:
    if request.POST.get("agree") != "yes":
        messages.error(request, _("Tick the box to confirm you have read the document."))
    else:
        try:
            services.consent_sign(
                user=request.user, document_public_id=document_id, request=request
            )
            messages.success(request, _("Signed. Thank you."))
        except DomainError as exc:
            messages.error(request, str(exc.message))
    next_url = request.POST.get("next", "")
    return redirect(f"/consent/?next={next_url}" if next_url else "/consent/")


@woman_required
def signature(request: HttpRequest, signature_id: UUID) -> HttpResponse:
    sig = services.signatures_of(request.user).filter(public_id=signature_id).first()
    if sig is None:
        raise Http404
    if request.method == "POST":
        try:
            services.consent_withdraw(
                user=request.user,
                signature_public_id=signature_id,
                reason=request.POST.get("reason", ""),
                request=request,
            )
        except NotFound as exc:
            raise Http404 from exc
        messages.warning(
            request,
            _("Consent withdrawn. You cannot start new services; your records are kept."),
        )
        return redirect("accounts:me")
    return render(request, "consent/signature.html", {"sig": sig})


def document(request: HttpRequest, kind: str) -> HttpResponse:
    """The version in force of a document, readable by anyone (linked from the sign-in page)."""
    try:
        doc = services.document_current(kind)
    except NotFound as exc:
        raise Http404 from exc
    return render(request, "consent/document.html", {"doc": doc})
