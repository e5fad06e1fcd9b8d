"""The clinician's page of a woman's disease-risk predictions (FI-4): read only, audited."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from anyun.accounts.decorators import staff_required
from anyun.accounts.models import Role
from anyun.assessment.prediction import predictions_for
from anyun.assessment.selectors import risk_badges
from anyun.audit.services import audit_record
from anyun.careteam.selectors import access_woman
from anyun.core.errors import NotFound

CLINICAL = [Role.CLINICIAN, Role.NURSE]


@staff_required(CLINICAL)
def predictions(request: HttpRequest, woman_id: UUID) -> HttpResponse:
    try:
        woman = access_woman(user=request.user, woman_public_id=woman_id)
    except NotFound as exc:
        raise Http404 from exc
    view = predictions_for(woman)
    audit_record(
        actor=request.user,
        action="read",
        object_type="woman",
        object_id=woman.public_id,
        subject=woman,
        request=request,
        detail={
            "view": "disease_risk_predictions",
            "fired": [str(p.kind) for p in view.predictions],
        },
    )
    return render(
        request,
        "assessment/predictions.html",
        {"woman": woman, "cards": view.cards, "risk_badge": risk_badges({woman.pk})[woman.pk]},
    )
