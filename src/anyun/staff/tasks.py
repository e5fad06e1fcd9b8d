"""Background jobs of the staff context: thin adapters over selectors and services."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from anyun.staff.selectors import credentials_expiring
from anyun.staff.services import credential_expiry_notify

logger = logging.getLogger(__name__)


@task()
def credential_expiry_warnings() -> int:
    """Daily: warn holders (and department heads) of credentials expiring or expired.

    Safe to run twice a day: every notification has a dedup key per credential, expiry date,
    stage and recipient. Returns the number of credentials considered.
    """
    today = timezone.localdate()
    credentials = list(
        credentials_expiring(
            within_days=settings.ANYUN_CREDENTIAL_WARNING_DAYS, on=today, include_expired=True
        )
    )
    for credential in credentials:
        credential_expiry_notify(credential=credential, on=today)
    logger.info("credential expiry warnings: %d credentials", len(credentials))
    return len(credentials)
