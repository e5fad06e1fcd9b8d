"""Assessments: clinical tasks shared by the assessment rooms (risk grading, suitability and the
mental-health screening above it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anyun.core.models import TimeStampedModel

TASK_REASON_MAX_LENGTH = 1000


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ClinicalTask(TimeStampedModel):
    """Something a clinician must do for one woman: refer her in person, regrade her, repeat a
    screening. Kinds are codes registered in ``anyun.assessment.task_kinds``.

    ``key`` makes opening idempotent: at most one open task per woman and key.
    """

    woman = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clinical_tasks"
    )
    kind = models.CharField(_("kind"), max_length=48)
    key = models.CharField(max_length=128)
    status = models.CharField(
        _("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    reason = models.CharField(_("reason"), max_length=TASK_REASON_MAX_LENGTH, blank=True)
    details = models.JSONField(default=dict, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clinical_tasks_assigned",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=TASK_REASON_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ("due_on", "created_at")
        indexes = (
            models.Index(fields=("status", "assigned_to")),
            models.Index(fields=("woman", "status")),
        )
        constraints = (
            models.UniqueConstraint(
                fields=("woman", "key"),
                condition=models.Q(status="open"),
                name="assessment_one_open_task_per_key",
            ),
        )
        verbose_name = _("clinical task")
        verbose_name_plural = _("clinical tasks")

    def __str__(self) -> str:
        return f"{self.kind} {self.woman_id} {self.status}"
