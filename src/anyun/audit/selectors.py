from __future__ import annotations

import ipaddress
from datetime import datetime

from django.db.models import Q, QuerySet

from anyun.audit.models import AuditEvent


def audit_search(
    *,
    text: str = "",
    action: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor", "subject")
    if text:
        matches = (
            Q(actor_label__icontains=text)
            | Q(object_id__icontains=text)
            | Q(subject__username__iexact=text)
            | Q(subject__display_name__icontains=text)
        )
        if _looks_like_ip(text):
            matches |= Q(ip_address=text)
        events = events.filter(matches)
    if action:
        events = events.filter(action=action)
    if since:
        events = events.filter(occurred_at__gte=since)
    if until:
        events = events.filter(occurred_at__lt=until)
    return events


def _looks_like_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
