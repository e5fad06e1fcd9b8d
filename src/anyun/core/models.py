"""Abstract bases shared by every app (public UUIDs, timestamps) and the scheduler lease."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicIdModel(models.Model):
    """A row that leaves the server: URLs and the API use `public_id`, never the integer key."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class TimeStampedModel(PublicIdModel):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class SchedulerLease(models.Model):
    """Who may fire a periodic job right now. One row per job name.

    Taken with a conditional UPDATE (`anyun.core.scheduler.lease_acquire`), so when several
    processes run the scheduler exactly one of them fires each tick.
    """

    name = models.CharField(_("name"), max_length=128, unique=True)
    holder = models.CharField(_("holder"), max_length=128, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("scheduler lease")
        verbose_name_plural = _("scheduler leases")

    def __str__(self) -> str:
        return self.name
