"""The workstation's patient list and patient overview over the API: her care team (careteam)
and her pregnancy, so it lives with the pregnancy app, above careteam."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Q
from django.http import HttpRequest
from ninja import Router, Schema

from anyun.accounts.decorators import acting_user
from anyun.accounts.models import CLINICAL_ROLES, User
from anyun.audit.services import audit_record
from anyun.careteam.selectors import access_woman, care_team_of, women_visible_to
from anyun.core import crypto
from anyun.core.errors import NotFound
from anyun.pregnancy.api import PregnancyOut, pregnancy_out
from anyun.pregnancy.selectors import current_pregnancy_of

router = Router(tags=["clinic"])


class PatientOut(Schema):
    id: UUID
    name: str
    verified: bool


class TeamMemberOut(Schema):
    name: str
    role: str
    source: str
    responsible: bool


class OverviewOut(Schema):
    patient: PatientOut
    masked_national_id: str
    masked_phone: str
    pregnancy: PregnancyOut | None
    care_team: list[TeamMemberOut]


def _clinical(request: HttpRequest) -> None:
    if acting_user(request).role not in CLINICAL_ROLES:
        raise NotFound()


def _patient(w: User) -> PatientOut:
    profile = w.woman_profile
    return PatientOut(
        id=w.public_id, name=profile.real_name or str(w), verified=profile.is_verified
    )


@router.get("/patients", response=list[PatientOut])
def patients(request: HttpRequest, q: str = "") -> list[PatientOut]:
    _clinical(request)
    women = women_visible_to(request.user).select_related("woman_profile")
    if q:
        women = women.filter(
            Q(woman_profile__real_name__icontains=q)
            | Q(phone_index=crypto.blind_index(q))
            | Q(woman_profile__national_id_index=crypto.blind_index(q))
        )
    return [_patient(w) for w in women.order_by("display_name")[:200]]


@router.get("/patients/{woman_id}", response=OverviewOut)
def overview(request: HttpRequest, woman_id: UUID) -> OverviewOut:
    _clinical(request)
    woman = access_woman(user=request.user, woman_public_id=woman_id)
    audit_record(
        actor=request.user,
        action="read",
        object_type="patient_overview",
        object_id=woman.public_id,
        subject=woman,
        request=request,
    )
    pregnancy = current_pregnancy_of(woman)
    profile = woman.woman_profile
    return OverviewOut(
        patient=_patient(woman),
        masked_national_id=crypto.mask_national_id(profile.national_id)
        if profile.national_id
        else "",
        masked_phone=crypto.mask_phone(woman.phone) if woman.phone else "",
        pregnancy=pregnancy_out(pregnancy) if pregnancy else None,
        care_team=[
            TeamMemberOut(
                name=str(m.member),
                role=m.member.role,
                source=m.source,
                responsible=m.is_responsible,
            )
            for m in care_team_of(woman)
        ],
    )
