"""Abstract bases shared by every app (public UUIDs, timestamps), the scheduler lease and the
leases of running queue jobs."""

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


class JobLease(models.Model):
    """A queue job in hand, and until when the worker running it vouches for it.

    Taken when django-tasks-db's worker starts the job, renewed every few seconds while it runs,
    removed when it finishes (`anyun.core.jobleases`). A RUNNING job whose lease has run out
    belongs to a worker that died; the next worker round puts it back on the queue.
    """

    job_id = models.UUIDField(_("job"), unique=True)
    worker_id = models.CharField(_("worker"), max_length=64)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("job lease")
        verbose_name_plural = _("job leases")

    def __str__(self) -> str:
        return str(self.job_id)
