"""Console page: the hospital's crisis lines, shown by the mental-health safety pathway."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from anyun.accounts.decorators import acting_user, staff_required
from anyun.accounts.models import Role
from anyun.core.errors import DomainError
from anyun.monitoring import selectors, services


@staff_required([Role.QUALITY_MANAGER, Role.CLINICIAN])
def crisis_lines(request: HttpRequest) -> HttpResponse:
    """List, add and change the lines (quality manager or department head; audited)."""
    user = acting_user(request)
    if not services.may_edit_crisis_lines(user):
        raise Http404
    if request.method == "POST":
        try:
            order = int(request.POST.get("order") or 0)
        except ValueError:
            messages.error(request, _("The order must be 0 to 999."))
            return redirect("monitoring_console:crisis_lines")
        try:
            services.crisis_line_save(
                actor=user,
                line_public_id=request.POST.get("line") or None,
                name=request.POST.get("name", ""),
                number=request.POST.get("number", ""),
                hours=request.POST.get("hours", ""),
                order=order,
                active=request.POST.get("active") == "on",
                request=request,
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Crisis line saved."))
        return redirect("monitoring_console:crisis_lines")
    return render(request, "monitoring/crisis_lines.html", {"lines": selectors.crisis_lines_all()})
