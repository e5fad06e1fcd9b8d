"""Writing the audit trail. Every read or change of a woman's health data calls `audit_record`."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from anyun.audit.models import AuditEvent
from anyun.core.prepared import PreparedInsert

# Every request writes one: its INSERT is built once (`anyun.core.prepared`).
_INSERT: PreparedInsert[AuditEvent] = PreparedInsert(AuditEvent)


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _seal(fields: dict[str, Any]) -> str:
    key = hashlib.sha256(f"audit:{settings.SECRET_KEY}".encode()).digest()
    canonical = json.dumps(fields, sort_keys=True, default=str, ensure_ascii=False)
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


def audit_record(
    *,
    actor: Any,
    action: str,
    object_type: str,
    object_id: object = "",
    subject: Any = None,
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event. `subject` is the woman whose data was read or changed; `ip` is the
    address when a use case has it without the request (sign-in)."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    fields: dict[str, Any] = {
        "occurred_at": timezone.now(),
        "actor_label": (actor.get_username() if authenticated else "anonymous"),
        "actor_role": getattr(actor, "role", "") if authenticated else "",
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "ip_address": client_ip(request) or ip or None,
        "user_agent": (request.META.get("HTTP_USER_AGENT", "")[:256] if request else ""),
        "path": (request.path[:256] if request else ""),
        "detail": detail or {},
    }
    seal = _seal(
        {**fields, "actor": actor.pk if authenticated else None, "subject": subject and subject.pk}
    )
    return _INSERT.create(
        AuditEvent(actor=actor if authenticated else None, subject=subject, seal=seal, **fields)
    )


def audit_verify(event: AuditEvent) -> bool:
    """True when the row still carries the seal computed when it was written."""
    fields = {
        "occurred_at": event.occurred_at,
        "actor_label": event.actor_label,
        "actor_role": event.actor_role,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "ip_address": event.ip_address,
        "user_agent": event.user_agent,
        "path": event.path,
        "detail": event.detail,
        "actor": event.actor_id,
        "subject": event.subject_id,
    }
    return hmac.compare_digest(_seal(fields), event.seal)
