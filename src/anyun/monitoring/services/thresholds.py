"""Changing a hospital's alarm thresholds (audited; the clinical defaults stay in code)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from anyun.accounts.models import Role, User
from anyun.audit.services import audit_record
from anyun.clinical.alarm_thresholds import (
    DEFAULT_THRESHOLDS,
    THRESHOLD_SOURCES,
    threshold_value,
)
from anyun.clinical.errors import ClinicalValueError
from anyun.core.errors import DomainError, PermissionDenied
from anyun.core.messages import clinical_message
from anyun.monitoring.models import (
    Grade,
    ThresholdOverride,
)
from anyun.monitoring.selectors import thresholds_current

FUTURE_TOLERANCE = dt.timedelta(minutes=5)
NOTE_MAX_LENGTH = 500  # a reading's or an instruction's note
OUTCOME_NOTE_MAX_LENGTH = 1000
ROUTED_GRADES = frozenset({Grade.ATTENTION, Grade.URGENT})


def threshold_set(
    *, actor: User, name: str, value: Decimal, reason: str, request: Any = None
) -> ThresholdOverride:
    """Change a configurable threshold (audited); the clinical defaults stay in code.

    The value is checked before it is stored: a finite number, whole where the threshold
    counts, inside the threshold's safe range and in order with the other thresholds.
    """
    if actor.role not in {Role.QUALITY_MANAGER, Role.SYSTEM_ADMIN}:
        raise PermissionDenied("not_allowed", _("Only quality managers change alarm thresholds."))
    default = getattr(DEFAULT_THRESHOLDS, name, None)
    if isinstance(default, bool) or not isinstance(default, int | float):
        raise DomainError("threshold_unknown", _("There is no such threshold."), field="name")
    if THRESHOLD_SOURCES.get(name, ("", "P"))[1] == "V":
        # DOMAIN.md: only [S] and [P] values are hospital-configurable.
        raise DomainError(
            "threshold_fixed",
            _("This threshold comes from a verified source and is fixed."),
            field="name",
        )
    if not reason.strip():
        raise DomainError("reason_required", _("Give the reason for the change."), field="reason")
    try:
        typed = threshold_value(name, value)
        dataclasses.replace(thresholds_current(), **{name: typed})  # type: ignore[arg-type]
    except ClinicalValueError as exc:
        raise DomainError(exc.code, clinical_message(exc), field="value") from exc
    value = Decimal(str(typed))
    with transaction.atomic():
        row, _created = ThresholdOverride.objects.update_or_create(
            name=name, defaults={"value": value, "reason": reason.strip(), "changed_by": actor}
        )
        audit_record(
            actor=actor,
            action="threshold_set",
            object_type="alarm_threshold",
            object_id=name,
            detail={"value": str(value), "default": str(default), "reason": reason.strip()},
            request=request,
        )
    return row
