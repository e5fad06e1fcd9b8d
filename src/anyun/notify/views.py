"""Inbox pages and the delivery console: thin, they call selectors and services."""

from __future__ import annotations

import json
import uuid

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from anyun.accounts.decorators import staff_required
from anyun.accounts.models import Role
from anyun.core.crypto import mask_phone
from anyun.core.errors import NotFound
from anyun.notify import selectors, services
from anyun.notify.models import Channel, DeliveryState

INBOX_PAGE_SIZE = 30
DELIVERIES_PAGE_SIZE = 50


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox_for(user=request.user), INBOX_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notify/inbox.html",
        {"page": page, "notifications": page.object_list},
    )


@require_POST
@login_required
def mark_read(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    try:
        notification = services.notification_mark_read(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    if _is_htmx(request):
        # The row, and the unread summary swapped out of band so it shows the new count.
        response = render(request, "notify/_mark_read.html", {"n": notification})
        # Lets feed.js / the page update every unread badge.
        response["HX-Trigger"] = json.dumps(
            {"anyun:unread": selectors.unread_count_for(user=request.user)}
        )
        return response
    return redirect("notify:inbox")


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.inbox_mark_all_read(user=request.user)
    return redirect("notify:inbox")


@require_GET
@staff_required([Role.SYSTEM_ADMIN])
def deliveries(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state") or ""
    channel = request.GET.get("channel") or ""
    page = Paginator(
        selectors.deliveries_for_console(state=state, channel=channel), DELIVERIES_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = [(d, mask_phone(d.phone) if d.phone else "") for d in page.object_list]
    return render(
        request,
        "notify/deliveries.html",
        {
            "page": page,
            "rows": rows,
            "state": state if state in DeliveryState.values else "",
            "channel": channel if channel in Channel.values else "",
            "states": DeliveryState.choices,
            "channels": Channel.choices,
        },
    )
