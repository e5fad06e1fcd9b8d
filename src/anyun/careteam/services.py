"""Care-team changes: the department head or her responsible clinician assigns, a nurse
proposes. Consultations (a later feature) call `care_access_grant`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anyun.accounts.models import CLINICAL_ROLES, Role, User
from anyun.audit.services import audit_record
from anyun.careteam.models import AccessSource, CareTeamMember, CareTeamProposal, ProposalStatus
from anyun.careteam.selectors import responsible_of
from anyun.core.errors import DomainError, NotFound, PermissionDenied
from anyun.notify.services import notification_send
from anyun.staff.selectors import clinician_for


def _is_department_head(actor: Any) -> bool:
    if actor.role != Role.CLINICIAN:
        return False
    profile = clinician_for(actor)
    return bool(profile and profile.is_department_head)


def may_assign(actor: Any, woman: Any = None) -> bool:
    """The department head assigns any care team of the department; a woman's responsible
    clinician assigns hers. A nurse proposes (`care_team_propose`); others do neither."""
    if _is_department_head(actor):
        return True
    return woman is not None and actor.role == Role.CLINICIAN and responsible_of(woman) == actor


def may_propose(actor: Any) -> bool:
    return actor.role == Role.NURSE and clinician_for(actor) is not None


def _same_department(actor: Any, member: Any) -> None:
    actor_profile, member_profile = clinician_for(actor), clinician_for(member)
    if (
        actor_profile is None
        or member_profile is None
        or actor_profile.department_id != member_profile.department_id
    ):
        raise PermissionDenied(
            "other_department", _("You can only assign members of your own department.")
        )


def care_team_assign(
    *, actor: Any, woman: User, member: User, responsible: bool = False, request: Any = None
) -> CareTeamMember:
    """The department head, or her responsible clinician, puts a clinician or nurse of the
    department on a woman's team; her responsible clinician is told of every change."""
    if woman.role != Role.WOMAN or member.role not in CLINICAL_ROLES:
        raise DomainError("care_team_invalid", _("Choose a woman and a clinician or nurse."))
    if not may_assign(actor, woman):
        raise PermissionDenied(
            "not_allowed_to_assign",
            _(
                "Only the department head or her responsible clinician assigns her care team; "
                "a nurse can propose a member."
            ),
        )
    _same_department(actor, member)
    if member.pk == actor.pk and not _is_department_head(actor):
        raise PermissionDenied(
            "self_assignment", _("Ask the department head to put you on a care team.")
        )
    previous = responsible_of(woman)
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
            for clinician in {c for c in (previous, responsible_of(woman)) if c is not None}:
                if clinician.pk != actor.pk:
                    _tell(
                        clinician,
                        title=_("Care team changed"),
                        body=_("%(actor)s put %(member)s on the care team of %(woman)s.")
                        % {"actor": actor, "member": member, "woman": woman},
                        woman=woman,
                    )
    except IntegrityError as exc:
        raise DomainError(
            "care_team_duplicate", _("This person is already on her care team.")
        ) from exc
    return row


def care_team_propose(
    *, actor: Any, woman: User, member: User, responsible: bool = False, request: Any = None
) -> CareTeamProposal:
    """A nurse proposes a colleague of the department for a woman's team; the responsible
    clinician (or, without one, the department heads) decides."""
    if not may_propose(actor):
        raise PermissionDenied("not_allowed_to_propose", _("Only a nurse proposes care teams."))
    if woman.role != Role.WOMAN or member.role not in CLINICAL_ROLES:
        raise DomainError("care_team_invalid", _("Choose a woman and a clinician or nurse."))
    _same_department(actor, member)
    if CareTeamMember.objects.filter(woman=woman, member=member, ended_at__isnull=True).exists():
        raise DomainError("care_team_duplicate", _("This person is already on her care team."))
    try:
        with transaction.atomic():
            proposal = CareTeamProposal.objects.create(
                woman=woman, member=member, responsible=responsible, proposed_by=actor
            )
            audit_record(
                actor=actor,
                action="care_team_propose",
                object_type="care_team_proposal",
                object_id=proposal.public_id,
                subject=woman,
                request=request,
                detail={"member": member.username, "responsible": responsible},
            )
            for decider in _deciders(actor, woman):
                _tell(
                    decider,
                    title=_("Care team proposal to decide"),
                    body=_("%(actor)s proposes %(member)s for the care team of %(woman)s.")
                    % {"actor": actor, "member": member, "woman": woman},
                    woman=woman,
                )
    except IntegrityError as exc:
        raise DomainError(
            "proposal_duplicate", _("This person has already been proposed for her team.")
        ) from exc
    return proposal


def care_team_proposal_decide(
    *, actor: Any, proposal_public_id: Any, approve: bool, request: Any = None
) -> CareTeamProposal:
    proposal = CareTeamProposal.objects.filter(
        public_id=proposal_public_id, status=ProposalStatus.PENDING
    ).first()
    if proposal is None or not may_assign(actor, proposal.woman):
        raise NotFound()
    with transaction.atomic():
        if approve:
            care_team_assign(
                actor=actor,
                woman=proposal.woman,
                member=proposal.member,
                responsible=proposal.responsible,
                request=request,
            )
        proposal.status = ProposalStatus.APPROVED if approve else ProposalStatus.DECLINED
        proposal.decided_by, proposal.decided_at = actor, timezone.now()
        proposal.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action="care_team_proposal_" + proposal.status,
            object_type="care_team_proposal",
            object_id=proposal.public_id,
            subject=proposal.woman,
            request=request,
        )
        _tell(
            proposal.proposed_by,
            title=_("Care team proposal approved") if approve else _("Care team proposal declined"),
            body=_("%(member)s for the care team of %(woman)s.")
            % {"member": proposal.member, "woman": proposal.woman},
            woman=proposal.woman,
        )
    return proposal


def _deciders(actor: Any, woman: User) -> list[User]:
    responsible = responsible_of(woman)
    if responsible is not None:
        return [responsible]
    profile = clinician_for(actor)
    if profile is None:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            clinician_profile__department_id=profile.department_id,
            clinician_profile__is_department_head=True,
        )
    )


def _tell(recipient: User, *, title: Any, body: Any, woman: User) -> None:
    notification_send(
        recipient=recipient,
        kind="care_team",
        title=str(title),
        body=str(body),
        link=f"/clinic/patients/{woman.public_id}/",
        channels=("in_app",),
    )


def care_team_end(*, actor: Any, membership: CareTeamMember, request: Any = None) -> None:
    if not may_assign(actor, membership.woman):
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


@dataclass(frozen=True)
class AccessGrant:
    """One access of `care_access_grants`: arguments as `care_access_grant` (`until` given)."""

    woman: User
    clinician: User
    reference: str
    until: datetime
    source: str = AccessSource.ALARM


def care_access_grants(grants: Sequence[AccessGrant]) -> None:
    """`care_access_grant` for many at once (a batch of alarms routed together), in a constant
    number of statements: one read of the memberships already open under these references,
    one insert of the missing ones and one update of those ending too soon. A grant given
    twice in `grants` is given once, with the later end. Should another writer open one of
    them meanwhile, each grant is given on its own (`care_access_grant`)."""
    wanted: dict[tuple[int, int, str, str], AccessGrant] = {}
    for grant in grants:
        key = (grant.woman.pk, grant.clinician.pk, grant.source, grant.reference)
        if key not in wanted or wanted[key].until < grant.until:
            wanted[key] = grant
    if not wanted:
        return
    open_rows = {
        (row.woman_id, row.member_id, row.source, row.reference): row
        for row in CareTeamMember.objects.filter(
            # By woman too: the open-membership index leads with her (not with the reference).
            woman_id__in={key[0] for key in wanted},
            reference__in={key[3] for key in wanted},
            ended_at__isnull=True,
        )
    }
    now = timezone.now()
    extend: dict[datetime, list[int]] = {}
    for key, row in open_rows.items():
        if key in wanted and (row.ends_at is None or row.ends_at < wanted[key].until):
            extend.setdefault(wanted[key].until, []).append(row.pk)
    missing = [grant for key, grant in wanted.items() if key not in open_rows]
    try:
        with transaction.atomic():
            CareTeamMember.objects.bulk_create(
                CareTeamMember(
                    woman=grant.woman,
                    member=grant.clinician,
                    source=grant.source,
                    reference=grant.reference,
                    started_at=now,
                    ends_at=grant.until,
                )
                for grant in missing
            )
    except IntegrityError:
        for grant in missing:
            care_access_grant(
                woman=grant.woman,
                clinician=grant.clinician,
                reference=grant.reference,
                until=grant.until,
                source=grant.source,
            )
    # One update per end (the grants of one batch share theirs: they are given at one moment).
    for until, pks in extend.items():
        CareTeamMember.objects.filter(pk__in=pks).update(ends_at=until)
