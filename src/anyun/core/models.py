"""Abstract bases shared by every app: public UUIDs and timestamps."""

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
