"""Public pages of the staff context (FB-2): directory, profile, photo, licence lookup."""

from __future__ import annotations

import uuid

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from anyun.core.errors import NotFound
from anyun.staff import selectors
from anyun.staff.models import ClinicianProfile, Department

QUERY_MAX_LENGTH = 100


def _query(request: HttpRequest) -> str:
    return request.GET.get("q", "").strip()[:QUERY_MAX_LENGTH]


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    departments = list(selectors.directory_departments())
    chosen: Department | None = None
    raw = request.GET.get("department", "")
    if raw:
        chosen = next((d for d in departments if str(d.public_id) == raw), None)
    query = _query(request)
    clinicians: list[ClinicianProfile] = []
    if chosen is not None or not raw:
        clinicians = list(selectors.directory(department=chosen, query=query))
    return render(
        request,
        "staff/directory.html",
        {
            "clinicians": clinicians,
            "departments": departments,
            "chosen_department": chosen,
            "query": query,
        },
    )


@require_GET
def profile(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    try:
        clinician = selectors.listed_clinician(public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc
    return render(
        request,
        "staff/profile.html",
        {"clinician": clinician, "credentials": selectors.public_credentials(clinician)},
    )


@require_GET
def photo(request: HttpRequest, public_id: uuid.UUID) -> FileResponse:
    try:
        image = selectors.listed_photo(public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc
    response = FileResponse(
        image.open("rb"), content_type=selectors.photo_content_type(image.name or "")
    )
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    query = _query(request)
    records = selectors.licence_lookup(query=query) if query else []
    return render(request, "staff/lookup.html", {"query": query, "records": records})
