"""The woman's instructions (IMP-3b): what to record and when, and the reminders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from anyun.accounts.models import CLINICAL_ROLES, User
from anyun.audit.services import audit_record
from anyun.careteam.selectors import can_see_woman, women_visible_to
from anyun.clinical import signs
from anyun.consent.services import women_consented
from anyun.core.errors import DomainError, NotFound
from anyun.core.inputs import parse_uuid, text_within
from anyun.monitoring.messages import plan_text, reminder_text
from anyun.monitoring.models import (
    Grade,
    MonitoringPlan,
    Reading,
)
from anyun.monitoring.services.alarms import language_of, require_handler
from anyun.monitoring.services.readings import ga_days_on
from anyun.notify.services import notification_send
from anyun.pregnancy.selectors import current_pregnancy_of
from anyun.pregnancy.services import require_woman_ready

FUTURE_TOLERANCE = dt.timedelta(minutes=5)
NOTE_MAX_LENGTH = 500  # a reading's or an instruction's note
OUTCOME_NOTE_MAX_LENGTH = 1000
ROUTED_GRADES = frozenset({Grade.ATTENTION, Grade.URGENT})


def _parse_times(times: Sequence[str]) -> list[str]:
    parsed = []
    for raw in times:
        try:
            moment = dt.time.fromisoformat(raw.strip())
        except ValueError as exc:
            raise DomainError(
                "time_invalid", _("Give times as HH:MM, e.g. 08:00."), field="times"
            ) from exc
        parsed.append(moment.strftime("%H:%M"))
    if not parsed or len(parsed) > 8:
        raise DomainError("times_count", _("Give one to eight times a day."), field="times")
    return sorted(set(parsed))


def plan_set(
    *,
    actor: User,
    woman: User,
    kind: str,
    times: Sequence[str],
    from_ga_weeks: int = 0,
    until_ga_weeks: int = 42,
    note: str = "",
    request: Any = None,
) -> MonitoringPlan:
    """The clinician tells her what to record and when; replaces her plan for that sign.
    She is told in-app, in her language, in this transaction."""

    if actor.role not in CLINICAL_ROLES or not can_see_woman(actor, woman):
        raise NotFound()
    require_handler(actor)
    if kind not in signs.SignKind.__members__.values() and kind not in {
        k.value for k in signs.SignKind
    }:
        raise DomainError("sign_unknown", _("Choose a sign."), field="kind")
    if not 0 <= from_ga_weeks < until_ga_weeks <= 44:
        raise DomainError(
            "weeks_invalid",
            _("The weeks must run forwards within 0 to 44."),
            field="until_ga_weeks",
        )
    pregnancy = current_pregnancy_of(woman)
    if pregnancy is None:
        raise DomainError("pregnancy_required", _("She has no current pregnancy."))
    parsed = _parse_times(times)

    require_woman_ready(woman)  # withdrawn consent: no new instructions
    with transaction.atomic():
        MonitoringPlan.objects.filter(woman=woman, kind=kind, active=True).update(active=False)
        plan = MonitoringPlan.objects.create(
            woman=woman,
            pregnancy=pregnancy,
            kind=kind,
            times=parsed,
            from_ga_weeks=from_ga_weeks,
            until_ga_weeks=until_ga_weeks,
            note=text_within(note, NOTE_MAX_LENGTH, field="note"),
            set_by=actor,
        )
        with translation.override(language_of(woman)):
            title, body = plan_text(plan)
        notification_send(
            recipient=woman,
            kind="monitoring_plan",
            title=title,
            body=body,
            link="/monitoring/",
            payload={"plan": str(plan.public_id)},
            channels=("in_app", "push"),
            dedup_key=f"plan-set:{plan.public_id}",
        )
        audit_record(
            actor=actor,
            action="plan_set",
            object_type="monitoring_plan",
            object_id=plan.public_id,
            subject=woman,
            request=request,
        )
    return plan


def plan_end(*, actor: User, plan_public_id: Any) -> None:

    public_id = parse_uuid(plan_public_id)
    plan = (
        MonitoringPlan.objects.filter(
            public_id=public_id, woman__in=women_visible_to(actor)
        ).first()
        if public_id is not None
        else None
    )
    if plan is None or actor.role not in CLINICAL_ROLES:
        raise NotFound()
    MonitoringPlan.objects.filter(pk=plan.pk).update(active=False)


REMINDER_WINDOW = dt.timedelta(hours=2)


def reminders_send_due(*, now: dt.datetime | None = None) -> int:
    """Sweep: a reminder for each plan time that has come within the last two hours and has
    no reading of that sign since an hour before it. De-duplicated per plan, day and time.

    Set-based: one query for the plans, one for the women's consent, one for the readings
    that answer the due times; then one notification per reminder actually due.
    """

    now = now or timezone.now()
    local = timezone.localtime(now)
    plans = list(
        MonitoringPlan.objects.filter(active=True, pregnancy__status="current").select_related(
            "pregnancy", "woman"
        )
    )
    due: list[tuple[MonitoringPlan, dt.datetime, str]] = []
    for plan in plans:
        ga = ga_days_on(plan.pregnancy, now)
        if ga is None or not plan.from_ga_weeks * 7 <= ga < plan.until_ga_weeks * 7:
            continue
        for hhmm in plan.times:
            for day in (local, local - dt.timedelta(days=1)):  # a slot just before midnight
                slot = day.replace(
                    hour=int(hhmm[:2]), minute=int(hhmm[3:]), second=0, microsecond=0
                )
                if slot <= local < slot + REMINDER_WINDOW:
                    due.append((plan, slot, hhmm))
    if not due:
        return 0
    consented = women_consented({plan.woman_id for plan, _s, _t in due})
    answered: dict[tuple[int, str], dt.datetime] = {}
    for woman_id, kind, measured_at in Reading.objects.filter(
        woman_id__in={plan.woman_id for plan, _s, _t in due},
        kind__in={plan.kind for plan, _s, _t in due},
        measured_at__gte=min(slot for _p, slot, _t in due) - dt.timedelta(hours=1),
    ).values_list("woman_id", "kind", "measured_at"):
        key = (woman_id, kind)
        answered[key] = max(answered.get(key, measured_at), measured_at)
    sent = 0
    for plan, slot, hhmm in due:
        last = answered.get((plan.woman_id, plan.kind))
        if plan.woman_id not in consented or (last and last >= slot - dt.timedelta(hours=1)):
            continue
        with transaction.atomic(), translation.override(language_of(plan.woman)):
            title, body = reminder_text(plan)
            notification_send(
                recipient=plan.woman,
                kind="monitoring_reminder",
                title=title,
                body=body,
                link="/monitoring/record/",
                dedup_key=f"plan:{plan.public_id}:{slot.date()}:{hhmm}",
            )
        sent += 1
    return sent
