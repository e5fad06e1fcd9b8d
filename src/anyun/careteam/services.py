"""Care-team changes. Consultations (a later feature) call `care_access_grant`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anyun.accounts.models import CLINICAL_ROLES, Role, User
from anyun.audit.services import audit_record
from anyun.careteam.models import AccessSource, CareTeamMember
from anyun.core.errors import DomainError, PermissionDenied


def may_assign(actor: Any) -> bool:
    """The department's head, or one of its nurses, puts people on care teams."""
    if actor.role == Role.NURSE:
        return True
    if actor.role == Role.CLINICIAN:
        from anyun.staff.selectors import clinician_for

        profile = clinician_for(actor)
        return bool(profile and profile.is_department_head)
    return False


def care_team_assign(
    *, actor: Any, woman: User, member: User, responsible: bool = False, request: Any = None
) -> CareTeamMember:
    """The department (its head or a nurse) puts a clinician or nurse on a woman's team."""
    if not may_assign(actor):
        raise PermissionDenied(
            "not_allowed_to_assign",
            _("Only the department head or a nurse can assign care teams."),
        )
    if woman.role != Role.WOMAN or member.role not in CLINICAL_ROLES:
        raise DomainError("care_team_invalid", _("Choose a woman and a clinician or nurse."))
    from anyun.staff.selectors import clinician_for

    actor_profile, member_profile = clinician_for(actor), clinician_for(member)
    if (
        actor_profile is None
        or member_profile is None
        or actor_profile.department_id != member_profile.department_id
    ):
        raise PermissionDenied(
            "other_department", _("You can only assign members of your own department.")
        )
    if member.pk == actor.pk and not actor_profile.is_department_head:
        raise PermissionDenied(
            "self_assignment", _("Ask the department head to put you on a care team.")
        )
    try:
        with transaction.atomic():
            if responsible:
                CareTeamMember.objects.filter(woman=woman, is_responsible=True).update(
                    is_responsible=False
                )
            row = CareTeamMember.objects.create(
                woman=woman,
                member=member,
                source=AccessSource.ASSIGNMENT,
                is_responsible=responsible,
                assigned_by=actor,
                started_at=timezone.now(),
            )
            audit_record(
                actor=actor,
                action="care_team_assign",
                object_type="care_team_member",
                object_id=row.public_id,
                subject=woman,
                request=request,
                detail={"member": member.username, "responsible": responsible},
            )
    except IntegrityError as exc:
        raise DomainError(
            "care_team_duplicate", _("This person is already on her care team.")
        ) from exc
    return row


def care_team_end(*, actor: Any, membership: CareTeamMember, request: Any = None) -> None:
    if not may_assign(actor):
        raise PermissionDenied(
            "not_allowed_to_assign",
            _("Only the department head or a nurse can assign care teams."),
        )
    with transaction.atomic():
        CareTeamMember.objects.filter(pk=membership.pk, ended_at__isnull=True).update(
            ended_at=timezone.now()
        )
        audit_record(
            actor=actor,
            action="care_team_end",
            object_type="care_team_member",
            object_id=membership.public_id,
            subject=membership.woman,
            request=request,
        )


def care_access_grant(
    *,
    woman: User,
    clinician: User,
    reference: str,
    until: datetime | None = None,
    source: str = AccessSource.CONSULTATION,
) -> CareTeamMember:
    """Access while a consultation is open and for a configured time after (default 30 days).

    Idempotent per consultation reference: a second call extends the same membership.
    An on-duty clinician handling an alarm is given access the same way (`source=ALARM`).
    """
    until = until or timezone.now() + timedelta(days=settings.ANYUN_CARE_TEAM_CONSULT_DAYS)
    row, created = CareTeamMember.objects.get_or_create(
        woman=woman,
        member=clinician,
        source=source,
        reference=reference,
        ended_at=None,
        defaults={"started_at": timezone.now(), "ends_at": until},
    )
    if not created and (row.ends_at is None or row.ends_at < until):
        CareTeamMember.objects.filter(pk=row.pk).update(ends_at=until)
        row.ends_at = until
    return row
