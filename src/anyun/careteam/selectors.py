"""The one place that decides who may see a woman's data.

- the woman herself;
- the clinicians and nurses of her care team (assigned by the department, or while a
  consultation with her is open or recent: a membership with `ends_at` in the future);
- no other role sees individual health data (quality staff see aggregates; the three
  administrators see configuration and the audit trail, never records).
Every later feature loads a woman through `access_woman` or lists from `women_visible_to`
(her rows in another app: `of_women_visible_to`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Collection
from typing import Any, TypeVar
from uuid import UUID

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from anyun.accounts.models import CLINICAL_ROLES, Role, User
from anyun.accounts.services import local_today, phone_normalise
from anyun.careteam.models import CareTeamMember, CareTeamProposal, ProposalStatus
from anyun.clinical.errors import ClinicalValueError
from anyun.clinical.national_id import parse_national_id
from anyun.core import crypto
from anyun.core.errors import DomainError, NotFound
from anyun.core.prepared import PreparedReads, padded
from anyun.staff.selectors import clinician_for

M = TypeVar("M", bound=Model)


def _active_memberships(member: Any) -> QuerySet[CareTeamMember]:
    now = timezone.now()
    return CareTeamMember.objects.filter(
        member=member, ended_at__isnull=True, started_at__lte=now
    ).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))


def women_visible_to(user: Any) -> QuerySet[User]:
    women = User.objects.filter(role=Role.WOMAN, is_active=True)
    if not user.is_authenticated:
        return women.none()
    if user.role == Role.WOMAN:
        return women.filter(pk=user.pk)
    if user.role in CLINICAL_ROLES:
        return women.filter(pk__in=_active_memberships(user).values("woman_id"))
    return women.none()


def of_women_visible_to(user: Any, rows: QuerySet[M], *, field: str = "woman") -> QuerySet[M]:
    """`rows` narrowed to those whose `field` (a foreign key to a woman) names a woman `user`
    may see: the rule of `women_visible_to`.

    It filters by her care-team memberships' ids and checks the woman's own row only for the
    rows that pass. `field__in=women_visible_to(user)` says the same, but at 100,000 women
    PostgreSQL then joins every woman's row before the filter (a worklist of 200 alarms went
    from 146 to 40 ms this way).
    """
    if not user.is_authenticated:
        return rows.none()
    hers = {f"{field}__role": Role.WOMAN, f"{field}__is_active": True}
    if user.role == Role.WOMAN:
        return rows.filter(**{f"{field}_id": user.pk}, **hers)
    if user.role in CLINICAL_ROLES:
        ids = _active_memberships(user).values("woman_id")
        return rows.filter(**{f"{field}_id__in": ids}, **hers)
    return rows.none()


def can_see_woman(user: Any, woman: Any) -> bool:
    return women_visible_to(user).filter(pk=woman.pk).exists()


def access_woman(*, user: Any, woman_public_id: UUID | str) -> User:
    """The woman, if `user` may see her; the same NotFound for missing and not allowed."""
    try:
        woman = (
            women_visible_to(user).select_related("woman_profile").get(public_id=woman_public_id)
        )
    except (User.DoesNotExist, ValueError) as exc:
        raise NotFound() from exc
    return woman


def _in_force(now: dt.datetime) -> Q:
    """A care-team row in force at `now`: not ended, and not past a temporary access's end."""
    return Q(ended_at__isnull=True) & (Q(ends_at__isnull=True) | Q(ends_at__gt=now))


def _current_members() -> QuerySet[CareTeamMember]:
    """Care-team rows in force now, each member's department and hospital joined."""
    return CareTeamMember.objects.filter(_in_force(timezone.now())).select_related(
        "member__clinician_profile__department__hospital"
    )


# The order of a care team: her responsible clinician first, then by who joined first.
_TEAM_ORDER = ("-is_responsible", "started_at", "pk")


def care_team_of(woman: Any) -> QuerySet[CareTeamMember]:
    """Her current care team, the responsible clinician first; each member's department and
    hospital joined (`hospital_of_responsible(team=...)` reads nothing more)."""
    return _current_members().filter(woman=woman).order_by(*_TEAM_ORDER)


def care_teams_of(woman_ids: Collection[int]) -> dict[int, list[CareTeamMember]]:
    """The current care teams of many women, by woman id, ordered and joined as
    `care_team_of` gives them, each member once: her first row in that order (a woman
    without a team is left out). Each alarm routed to someone opens a membership of its own
    (its reference), so a woman with many alarms holds many rows of the same few people: the
    rows in force are read as keys alone, then each member's first row whole. Both reads
    are compiled once per power of two of their ids (`anyun.core.prepared`): the routing
    job reads the teams of every chunk."""
    if not woman_ids:
        return {}
    first: dict[tuple[int, int], int] = {}
    ids = padded(list(woman_ids))
    for pk, woman_id, member_id in _TEAM_KEYS[len(ids)].rows(timezone.now(), *ids):
        first.setdefault((woman_id, member_id), pk)
    teams: dict[int, list[CareTeamMember]] = {}
    if first:
        pks = padded(list(first.values()))
        for row in _TEAM_ROWS[len(pks)].all(*pks):
            teams.setdefault(row.woman_id, []).append(row)
    return teams


def _team_keys(count: int) -> Callable[..., QuerySet[Any]]:
    def build(now: dt.datetime, *woman_ids: int) -> QuerySet[Any]:
        return (
            CareTeamMember.objects.filter(_in_force(now), woman_id__in=woman_ids)
            .order_by("woman_id", *_TEAM_ORDER)
            .values_list("pk", "woman_id", "member_id")
        )

    return build


def _team_rows(count: int) -> Callable[..., QuerySet[Any]]:
    def build(*pks: int) -> QuerySet[Any]:
        return (
            CareTeamMember.objects.filter(pk__in=pks)
            .select_related("member__clinician_profile__department__hospital")
            .order_by("woman_id", *_TEAM_ORDER)
        )

    return build


_TEAM_KEYS: PreparedReads[int, Any] = PreparedReads(_team_keys)
_TEAM_ROWS: PreparedReads[int, CareTeamMember] = PreparedReads(_team_rows)


def responsible_of(woman: Any) -> User | None:
    """Her responsible clinician on the current care team, if she has one."""
    row = care_team_of(woman).filter(is_responsible=True).first()
    return row.member if row is not None else None


def hospital_of_responsible(woman: Any, *, team: Collection[CareTeamMember] | None = None) -> str:
    """The hospital of her responsible clinician's department, in one read, or from her care
    team when the caller has read it (`care_team_of`) ("" when she has no responsible
    clinician or that clinician has no professional profile)."""
    if team is not None:
        for row in team:
            if row.is_responsible:
                profile = getattr(row.member, "clinician_profile", None)
                return profile.department.hospital.name if profile is not None else ""
        return ""
    name = (
        care_team_of(woman)
        .filter(is_responsible=True)
        .values_list("member__clinician_profile__department__hospital__name", flat=True)
        .first()
    )
    return name or ""


def proposals_pending_for(user: Any) -> QuerySet[CareTeamProposal]:
    """Pending proposals `user` decides: all of the department's for its head; those for the
    women whose responsible clinician `user` is, otherwise."""
    pending = CareTeamProposal.objects.filter(status=ProposalStatus.PENDING).select_related(
        "woman", "member", "proposed_by"
    )
    profile = clinician_for(user)
    if profile is not None and profile.is_department_head:
        return pending.filter(proposed_by__clinician_profile__department=profile.department)
    responsible_for = CareTeamMember.objects.filter(
        member=user, is_responsible=True, ended_at__isnull=True
    ).values("woman")
    return pending.filter(woman__in=responsible_for)


def woman_by_number(raw: str) -> User | None:
    """The registered woman with this mobile or national ID number, typed in any of the ways
    the sign-in accepts (full-width digits, spaces, +86, lower-case x)."""
    indexes = []
    with contextlib.suppress(DomainError):
        indexes.append(crypto.blind_index(phone_normalise(raw)))
    with contextlib.suppress(ClinicalValueError):
        indexes.append(crypto.blind_index(parse_national_id(raw, today=local_today()).number))
    if not indexes:
        return None
    return (
        User.objects.filter(role=Role.WOMAN)
        .filter(Q(phone_index__in=indexes) | Q(woman_profile__national_id_index__in=indexes))
        .select_related("woman_profile")
        .first()
    )
