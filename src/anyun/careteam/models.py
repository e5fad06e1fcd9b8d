"""Who may see a woman's data: her care team, by department assignment or by consultation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anyun.core.models import PublicIdModel


class AccessSource(models.TextChoices):
    ASSIGNMENT = "assignment", _("Assigned by the department")
    CONSULTATION = "consultation", _("Open or recent consultation")
    ALARM = "alarm", _("Handling her alarm")


class CareTeamMember(PublicIdModel):
    woman = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_team"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_of"
    )
    source = models.CharField(_("source"), max_length=16, choices=AccessSource.choices)
    is_responsible = models.BooleanField(_("responsible clinician"), default=False)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    reference = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = (models.Index(fields=("member", "woman")),)
        constraints = (
            models.UniqueConstraint(
                fields=("woman", "member", "source", "reference"),
                condition=models.Q(ended_at__isnull=True),
                name="careteam_one_open_membership",
            ),
        )
        verbose_name = _("care team member")
        verbose_name_plural = _("care team members")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class CareTeamProposal(PublicIdModel):
    """A nurse's proposal to put a colleague on a woman's team; the department head or her
    responsible clinician decides, and only an approval opens her record to the colleague."""

    woman = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    responsible = models.BooleanField(_("as responsible clinician"), default=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("woman", "member"),
                condition=models.Q(status="pending"),
                name="careteam_one_pending_proposal",
            ),
        )
        verbose_name = _("care team proposal")
        verbose_name_plural = _("care team proposals")
