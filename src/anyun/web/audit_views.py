"""The audit administrator's search of the trail (the console composes it over audit's selector)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from anyun.accounts.decorators import staff_required
from anyun.accounts.models import Role
from anyun.audit.selectors import audit_search


@staff_required([Role.AUDIT_ADMIN])
def search(request: HttpRequest) -> HttpResponse:
    """Only the audit administrator reads the trail; nobody can change it."""
    text = request.GET.get("q", "").strip()
    action = request.GET.get("action", "").strip()
    events = audit_search(text=text, action=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "web/audit_search.html", {"page": page, "q": text, "action": action})
