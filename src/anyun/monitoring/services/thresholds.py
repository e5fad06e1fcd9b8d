"""Changing a hospital's alarm thresholds and alarm policy (the clinical defaults stay in code).

A threshold change takes two people: someone proposes it (a quality manager, the system
administrator or a clinician who heads a department) with a reason, and a clinician who
heads a department, not the proposer, approves or rejects it. Only an approved change is in
force. The value is checked when proposed and again when approved, against the thresholds
in force then (safe range, and the order rules over the whole resulting set).

The alarm policy (how a first high home blood pressure is handled) moves no limit: it is
changed in one step by a clinician who heads a department, with a reason, audited, and the
other heads are told.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anyun.accounts.models import Role, User
from anyun.audit.services import audit_record
from anyun.clinical.alarm_thresholds import (
    FIRST_HIGH_BP_GRADES,
    SAFE_RANGES,
    AlarmPolicy,
    thresholds_changed,
)
from anyun.clinical.errors import ClinicalValueError
from anyun.core.errors import DomainError, NotFound, PermissionDenied
from anyun.core.inputs import text_within
from anyun.core.locks import lock_name
from anyun.monitoring.models import (
    AlarmPolicySetting,
    ThresholdChange,
    ThresholdDecision,
    ThresholdOverride,
)
from anyun.monitoring.selectors import alarm_policy_current, thresholds_current
from anyun.monitoring.services.alarms import language_of
from anyun.monitoring.threshold_labels import (
    plain_number,
    threshold_error_message,
    threshold_label,
    with_unit,
)
from anyun.notify.services import notification_send
from anyun.staff.selectors import clinical_heads, is_clinical_head

REASON_MIN_LENGTH = 8
REASON_MAX_LENGTH = 500
PROPOSER_ROLES = frozenset({Role.QUALITY_MANAGER, Role.SYSTEM_ADMIN})
CONSOLE_LINK = "/console/thresholds/"
STORED_DECIMALS = 2  # ThresholdChange/ThresholdOverride keep two decimal places


def _reason(value: str, *, field: str = "reason") -> str:
    text = text_within(value, REASON_MAX_LENGTH, field=field)
    if len(text) < REASON_MIN_LENGTH:
        raise DomainError(
            "reason_required",
            _("Give the reason for the change in at least %(min)s characters.")
            % {"min": REASON_MIN_LENGTH},
            field=field,
        )
    return text


def _as_decimal(value: int | float) -> Decimal:
    return Decimal(str(value))


def _check(name: str, value: Decimal) -> Decimal:
    """`value` for `name` checked against the thresholds in force now; the stored form."""
    exponent = value.as_tuple().exponent
    if value.is_finite() and isinstance(exponent, int) and exponent < -STORED_DECIMALS:
        raise DomainError(
            "threshold_decimals",
            _("%(name)s: enter at most %(places)s decimal places.")
            % {"name": threshold_label(name), "places": STORED_DECIMALS},
            field="value",
        )
    try:
        changed = thresholds_changed(thresholds_current(), {name: value})
    except ClinicalValueError as exc:
        raise DomainError(exc.code, threshold_error_message(exc), field="value") from exc
    return _as_decimal(getattr(changed, name))


def _tell(
    people: list[User], *, kind: str, text: Callable[[], tuple[str, str]], dedup: str
) -> None:
    """Notify each person, title and body from `text()` in that person's language."""
    for person in people:
        with translation.override(language_of(person)):
            title, body = text()
            notification_send(
                recipient=person,
                kind=kind,
                title=title,
                body=body,
                link=CONSOLE_LINK,
                dedup_key=f"{dedup}:{person.pk}",
            )


def threshold_change_propose(
    *, actor: User, name: str, value: Decimal, reason: str, request: Any = None
) -> ThresholdChange:
    """Propose a new value for a configurable threshold; it is stored as pending, not in force.

    Refused: an actor who may not propose (403); an unknown or fixed threshold; a reason
    shorter than REASON_MIN_LENGTH; a value outside its safe range or out of order with the
    thresholds in force (the message names both); the value already in force; a second
    pending change of the same threshold. Audited; every department head is told (in the
    same transaction, through the notification outbox).
    """
    if actor.role not in PROPOSER_ROLES and not is_clinical_head(actor):
        raise PermissionDenied(
            "not_allowed",
            _("Only quality managers and department heads propose alarm threshold changes."),
        )
    if name not in SAFE_RANGES:
        # DOMAIN.md: only [S] and [P] values are hospital-configurable.
        raise DomainError("threshold_fixed", _("This threshold cannot be changed."), field="name")
    reason = _reason(reason)
    new_value = _check(name, value)
    old_value = _as_decimal(getattr(thresholds_current(), name))
    if new_value == old_value:
        raise DomainError(
            "threshold_unchanged", _("This value is already in force."), field="value"
        )
    try:
        with transaction.atomic():
            change = ThresholdChange.objects.create(
                name=name,
                old_value=old_value,
                new_value=new_value,
                reason=reason,
                proposed_by=actor,
            )
            audit_record(
                actor=actor,
                action="threshold_change_propose",
                object_type="alarm_threshold",
                object_id=name,
                detail={
                    "change": str(change.public_id),
                    "old_value": str(old_value),
                    "new_value": str(new_value),
                    "reason": reason,
                },
                request=request,
            )
            heads = [h for h in clinical_heads() if h.pk != actor.pk]
            _tell(
                heads,
                kind="threshold_change",
                text=lambda: (
                    gettext("Alarm threshold change to approve"),
                    gettext("%(name)s: %(old)s → %(new)s. Reason: %(reason)s")
                    % {
                        "name": threshold_label(name),
                        "old": with_unit(name, plain_number(old_value)),
                        "new": with_unit(name, plain_number(new_value)),
                        "reason": reason,
                    },
                ),
                dedup=f"threshold_change:{change.public_id}",
            )
    except IntegrityError as exc:  # the one-pending-per-threshold constraint
        raise DomainError(
            "threshold_change_pending",
            _("A change of this threshold is already awaiting approval."),
            field="name",
        ) from exc
    return change


def threshold_change_decide(
    *, actor: User, change_id: uuid.UUID | str, approve: bool, note: str = "", request: Any = None
) -> ThresholdChange:
    """Approve (the value comes into force) or reject a pending threshold change.

    Only a clinician who heads a department decides, never the proposer (403). Approval
    checks the value again against the thresholds in force now and is refused, leaving the
    change pending, when it no longer fits. A rejection needs a note. The row is locked, so
    two heads deciding at once decide once. Audited; the proposer is told.
    """
    if not is_clinical_head(actor):
        raise PermissionDenied(
            "not_allowed", _("Only a clinician who heads a department approves this change.")
        )
    note = text_within(note, REASON_MAX_LENGTH, field="note")
    if not approve and len(note) < REASON_MIN_LENGTH:
        raise DomainError(
            "note_required",
            _("Say why the change is rejected in at least %(min)s characters.")
            % {"min": REASON_MIN_LENGTH},
            field="note",
        )
    try:
        public_id = uuid.UUID(str(change_id))
    except ValueError as exc:
        raise NotFound() from exc
    with transaction.atomic():
        # One decision at a time: each is checked against the set the previous one left, so
        # two clashing approvals (high 150, severe 150) cannot both pass against the old set.
        lock_name("alarm_thresholds")
        change = (
            ThresholdChange.objects.select_for_update()
            .select_related("proposed_by")
            .filter(public_id=public_id)
            .first()
        )
        if change is None:
            raise NotFound()
        if change.decision != ThresholdDecision.PENDING:
            raise DomainError(
                "threshold_change_decided", _("This change has already been decided.")
            )
        if change.proposed_by_id == actor.pk:
            raise PermissionDenied(
                "own_change", _("A second person must approve a change you proposed.")
            )
        if approve:
            value = _check(change.name, change.new_value)
            ThresholdOverride.objects.update_or_create(
                name=change.name,
                defaults={"value": value, "reason": change.reason, "changed_by": actor},
            )
        change.decision = ThresholdDecision.APPROVED if approve else ThresholdDecision.REJECTED
        change.decided_by = actor
        change.decided_at = timezone.now()
        change.decision_note = note
        change.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
        audit_record(
            actor=actor,
            action="threshold_set" if approve else "threshold_change_reject",
            object_type="alarm_threshold",
            object_id=change.name,
            detail={
                "change": str(change.public_id),
                "old_value": str(change.old_value),
                "value": str(change.new_value),
                "reason": change.reason,
                "proposed_by": change.proposed_by.get_username(),
                "note": note,
            },
            request=request,
        )
        _tell(
            [change.proposed_by],
            kind="threshold_change",
            text=lambda: (
                gettext("Alarm threshold change approved")
                if approve
                else gettext("Alarm threshold change rejected"),
                gettext("%(name)s: %(new)s")
                % {
                    "name": threshold_label(change.name),
                    "new": with_unit(change.name, plain_number(change.new_value)),
                }
                + (f" · {note}" if note else ""),
            ),
            dedup=f"threshold_decided:{change.public_id}",
        )
    return change


def alarm_policy_set(
    *,
    actor: User,
    first_high_bp_grade: str,
    close_on_normal_repeat: bool,
    reason: str,
    request: Any = None,
) -> AlarmPolicy:
    """Change the hospital's alarm policy (one step, by a clinician who heads a department).

    Refused: anyone else (403); a grade other than attention or advice; a reason shorter
    than REASON_MIN_LENGTH; no change. Audited with the old and new choices; the other
    department heads are told.
    """
    if not is_clinical_head(actor):
        raise PermissionDenied(
            "not_allowed", _("Only a clinician who heads a department changes the alarm policy.")
        )
    if first_high_bp_grade not in FIRST_HIGH_BP_GRADES:
        raise DomainError(
            "alarm_policy_grade",
            _("Choose attention or advice for a first high blood pressure."),
            field="first_high_bp_grade",
        )
    reason = _reason(reason)
    policy = AlarmPolicy(
        first_high_bp_grade=first_high_bp_grade, close_on_normal_repeat=close_on_normal_repeat
    )
    with transaction.atomic():
        # The policy row is the lock: two heads changing it at once change it one by one.
        AlarmPolicySetting.objects.select_for_update().filter(pk=1).first()
        old = alarm_policy_current()
        if old == policy:
            raise DomainError("alarm_policy_unchanged", _("These choices are already in force."))
        AlarmPolicySetting.objects.update_or_create(
            pk=1,
            defaults={
                "first_high_bp_grade": policy.first_high_bp_grade,
                "close_on_normal_repeat": policy.close_on_normal_repeat,
                "reason": reason,
                "changed_by": actor,
            },
        )
        audit_record(
            actor=actor,
            action="alarm_policy_set",
            object_type="alarm_policy",
            object_id="alarm_policy",
            detail={
                "old": {
                    "first_high_bp_grade": old.first_high_bp_grade,
                    "close_on_normal_repeat": old.close_on_normal_repeat,
                },
                "new": {
                    "first_high_bp_grade": policy.first_high_bp_grade,
                    "close_on_normal_repeat": policy.close_on_normal_repeat,
                },
                "reason": reason,
            },
            request=request,
        )
        _tell(
            [h for h in clinical_heads() if h.pk != actor.pk],
            kind="alarm_policy",
            text=lambda: (
                gettext("Alarm policy changed"),
                gettext("Reason: %(reason)s") % {"reason": reason},
            ),
            dedup=f"alarm_policy:{timezone.now().isoformat()}",
        )
    return policy
