"""Alarms: raise and route to the responder chain, acknowledge, close, escalate when unanswered."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from anyun.accounts.models import CLINICAL_ROLES, Role, User
from anyun.audit.services import audit_record
from anyun.careteam.models import AccessSource, CareTeamMember
from anyun.careteam.selectors import care_team_of, care_teams_of, women_visible_to
from anyun.careteam.services import AccessGrant, care_access_grant, care_access_grants
from anyun.clinical import alarms as rules
from anyun.core.errors import DomainError, NotFound
from anyun.core.inputs import text_within
from anyun.core.prepared import PreparedInsert, PreparedReads, padded
from anyun.core.worker import enqueue
from anyun.monitoring.display import reading_value
from anyun.monitoring.messages import rule_label
from anyun.monitoring.models import (
    GRADE_RANK,
    Alarm,
    AlarmConfirmation,
    AlarmEvent,
    AlarmEventKind,
    AlarmOutcome,
    AlarmStatus,
    Grade,
    Reading,
)
from anyun.monitoring.signals import bp_confirmed
from anyun.notify.models import Notification
from anyun.notify.services import (
    Message,
    notification_send,
    notifications_deliver_now,
    notifications_send_many,
)
from anyun.staff.models import Department
from anyun.staff.selectors import (
    department_heads,
    duty_list,
    practising_online,
    require_online_practice,
)

FUTURE_TOLERANCE = dt.timedelta(minutes=5)
NOTE_MAX_LENGTH = 500  # a reading's or an instruction's note
OUTCOME_NOTE_MAX_LENGTH = 1000
ROUTED_GRADES = frozenset({Grade.ATTENTION, Grade.URGENT})
FIRST_HIGH_BP_RULE = "bp_high_first"
# An alarm still unrouted this long after it was raised had its routing job fail (or lost):
# the minute sweep routes it (`alarms_route_stale`).
ROUTE_STALE_AFTER = dt.timedelta(seconds=60)
# A routing job also routes the other alarms still waiting (gravest first), so a busy queue's
# later jobs find theirs routed already; bounded so that one job never runs for long.
ROUTE_BATCH_MAX = 200
ROUTE_BATCH_SECONDS = 5.0
# Alarms routed together in one transaction (one set of bulk writes).
ROUTE_CHUNK = 25
# Queue priority of a routing job with an urgent alarm (others: the default, 0).
URGENT_ROUTE_PRIORITY = 50
# The job that routes raised alarms (`anyun.monitoring.tasks`, which imports these services).
ROUTE_TASK = "anyun.monitoring.tasks.alarms_route"
# A check-in's alarms and their RAISED events, and the NOTIFIED events of alarms routed
# together: INSERTs built once (`anyun.core.prepared`).
_ALARMS_INSERT: PreparedInsert[Alarm] = PreparedInsert(Alarm)
_EVENTS_INSERT: PreparedInsert[AlarmEvent] = PreparedInsert(AlarmEvent)

logger = logging.getLogger("anyun.monitoring")
T = TypeVar("T")


def _event(
    alarm: Alarm,
    kind: str,
    *,
    actor: User | None = None,
    recipient: User | None = None,
    **detail: Any,
) -> None:
    AlarmEvent.objects.create(
        alarm=alarm, at=timezone.now(), kind=kind, actor=actor, recipient=recipient, detail=detail
    )


def finding_row(reading: Reading, finding: rules.Finding) -> dict[str, Any]:
    """A finding as an alarm keeps it (JSON), tied to the reading it came from."""
    return {
        "rule": finding.rule,
        "grade": finding.grade.value,
        "sign": finding.sign.value,
        "values": finding.values,
        "action": finding.action,
        "source": finding.source,
        "confidence": finding.confidence,
        "reading": str(reading.public_id),
    }


def alarm_raise(
    *,
    woman: User,
    reading: Reading,
    findings: Sequence[rules.Finding] = (),
    finding: rules.Finding | None = None,
) -> Alarm:
    """Raise ONE alarm for `findings` of `reading`, graded by the most severe of them.

    For a use case with its own findings, e.g. the mental-health safety pathway's urgent
    alarm: every finding is listed on the alarm, most severe first; an urgent alarm reaches
    her responsible clinician (in-app, push, SMS) and the department's on-duty clinicians
    (SMS) at once and escalates until acknowledged. `finding` is shorthand for one finding.
    Precondition: inside the caller's `transaction.atomic`; at least one finding.
    """
    listed = [*findings, *([finding] if finding is not None else [])]
    if not listed:
        raise ValueError("An alarm needs at least one finding.")
    return _alarm_create(woman=woman, pairs=[(reading, f) for f in listed])


def alarms_raise_grouped(
    *, woman: User, pairs: Sequence[tuple[Reading, rules.Finding]], route: bool = True
) -> list[Alarm]:
    """One check-in's findings as one alarm per grade, most severe first (item: one check-in,
    one alarm to handle): the alarms and their RAISED events in one statement each and, with
    `route`, one job that routes the attention and urgent ones (`alarms_route_soon`).
    Precondition: inside the caller's `transaction.atomic`."""
    alarms = _ALARMS_INSERT.create_many(
        [_alarm_build(woman=woman, pairs=group) for _grade, group in rules.group_by_grade(pairs)]
    )
    now = timezone.now()
    _EVENTS_INSERT.create_many(
        [
            AlarmEvent(
                alarm=alarm,
                at=now,
                kind=AlarmEventKind.RAISED,
                detail={"rules": [row["rule"] for row in alarm.findings]},
            )
            for alarm in alarms
        ]
    )
    if route:
        alarms_route_soon(alarms)
    return alarms


def _alarm_build(*, woman: User, pairs: Sequence[tuple[Reading, rules.Finding]]) -> Alarm:
    ordered = [pair for _grade, group in rules.group_by_grade(pairs) for pair in group]
    reading, primary = ordered[0]
    grade = Grade(primary.grade.value)
    unconfirmed = any(f.rule == FIRST_HIGH_BP_RULE for _r, f in ordered)
    return Alarm(
        woman=woman,
        reading=reading,
        findings=[finding_row(r, f) for r, f in ordered],
        confirmation=AlarmConfirmation.UNCONFIRMED if unconfirmed else AlarmConfirmation.NONE,
        rule=primary.rule,
        grade=grade,
        grade_rank=GRADE_RANK[grade],
        sign=primary.sign.value,
        values=primary.values,
        action=primary.action,
        source=primary.source,
        confidence=primary.confidence,
        status=AlarmStatus.OPEN if grade in ROUTED_GRADES else AlarmStatus.INFORMATION,
    )


def _alarm_create(*, woman: User, pairs: Sequence[tuple[Reading, rules.Finding]]) -> Alarm:
    """One alarm, routed in this transaction (the safety pathway: whether someone was reached
    is what she is told at once)."""
    alarm = _alarm_build(woman=woman, pairs=pairs)
    alarm.save()
    _event(alarm, AlarmEventKind.RAISED, actor=None, rules=[row["rule"] for row in alarm.findings])
    if alarm.grade in ROUTED_GRADES:
        _alarms_route_together([alarm])
    return alarm


def alarms_route_soon(alarms: Sequence[Alarm]) -> None:
    """One job, written in the caller's transaction (the outbox: it exists only if the alarms
    commit), that routes the attention and urgent ones of `alarms` (`alarms_route`)."""
    routed = [alarm for alarm in alarms if alarm.grade in ROUTED_GRADES]
    if routed:
        urgent = any(alarm.grade == Grade.URGENT for alarm in routed)
        enqueue(
            ROUTE_TASK,
            alarm_ids=[alarm.pk for alarm in sorted(routed, key=lambda a: -a.grade_rank)],
            priority=URGENT_ROUTE_PRIORITY if urgent else None,
        )


def alarms_route(*, alarm_ids: Sequence[int], batch: bool = True) -> int:
    """The queue worker's half of raising an alarm: each one still open and not yet routed
    goes to the first of her responder chain (access to her record, a notification delivered
    at once to the in-app inbox and the live feed; urgent: an SMS to that person and the
    on-duty clinicians, once each, and the time it escalates). Safe to run twice: a routed
    alarm is left alone. Alarms are routed ROUTE_CHUNK at a time, together in one transaction
    of bulk writes (`_alarms_route_together`); should that fail, each of them is routed in
    its own, and one that fails there too is logged and left for `alarms_route_stale` while
    the others still go out.

    With `batch`, the job then routes the other alarms still waiting, gravest and oldest
    first, picking the next chunk after each (an urgent alarm raised meanwhile goes next), up
    to ROUTE_BATCH_MAX more or ROUTE_BATCH_SECONDS: under load one job routes what many were
    written for, and theirs then find nothing to do. Returns how many it routed."""
    with _routing_memo():
        return _route_batch(list(dict.fromkeys(alarm_ids)), batch=batch)


def _route_batch(tried: list[int], *, batch: bool) -> int:
    routed = 0
    for start in range(0, len(tried), ROUTE_CHUNK):
        routed += _route_chunk(tried[start : start + ROUTE_CHUNK], tried=tried)
    if not batch:
        return routed
    until = time.monotonic() + ROUTE_BATCH_SECONDS
    more = 0
    while more < ROUTE_BATCH_MAX and time.monotonic() <= until:
        before = len(tried)
        more += _route_chunk(None, tried=tried, limit=min(ROUTE_CHUNK, ROUTE_BATCH_MAX - more))
        if len(tried) == before:
            break  # nothing else waiting (or all of it held by another worker)
    return routed + more


def _route_chunk(pks: list[int] | None, *, tried: list[int], limit: int = ROUTE_CHUNK) -> int:
    """Route together, in one transaction, the alarms `pks` (the job's own, waiting for any
    lock) or else the next `limit` still waiting that nobody holds, gravest and oldest
    first; each one picked is added to `tried`. Their in-app and live-feed deliveries are
    made together once it has committed. Should that transaction fail, each alarm is tried in
    its own (`_route_one`), so that one that cannot be routed holds back no other."""
    picked: list[int] = list(pks or ())
    to_deliver: list[Notification] = []
    try:
        with transaction.atomic():
            if pks is None:  # the next waiting, but for those tried
                ids = padded(tried)  # a few shapes: tried grows chunk by chunk
                alarms = _WAITING[("next", len(ids), limit)].all(*ids)
            else:
                ids = padded(pks)
                alarms = _WAITING[("own", len(ids), 0)].all(*ids)
            if pks is None:
                picked = [alarm.pk for alarm in alarms]
                tried.extend(picked)
            if not alarms:
                return 0
            _alarms_route_together(alarms, deliver_now=to_deliver)
    except Exception:
        logger.exception("alarms %s: routing together failed; each is tried alone", picked)
        return sum(_route_one(pk, skip_locked=True) for pk in picked)
    try:
        notifications_deliver_now(to_deliver)
    except Exception:
        logger.exception("alarms %s: delivery failed; notify's sweep retries it", picked)
    return len(alarms)


def _waiting(shape: tuple[str, int, int]) -> Callable[..., Any]:
    """The unrouted alarms to route, locked, gravest and oldest first: the job's own `count`
    (waiting for their locks) or the next `limit` nobody holds but for `count` tried."""
    which, count, limit = shape

    def build(*ids: int) -> Any:
        waiting = (
            _unrouted()
            .select_for_update(skip_locked=which == "next", of=("self",))
            .select_related("woman__woman_profile", "reading")
            .order_by("-grade_rank", "created_at", "pk")
        )
        if which == "next":
            return waiting.exclude(pk__in=ids)[:limit] if ids else waiting[:limit]
        return waiting.filter(pk__in=ids)

    assert which in {"next", "own"} and count >= 0
    return build


# Compiled once per shape (`anyun.core.prepared`): a routing job runs it once or more.
_WAITING: PreparedReads[tuple[str, int, int], Alarm] = PreparedReads(_waiting, most=128)


def alarms_route_stale(*, now: dt.datetime | None = None) -> int:
    """Sweep: open attention and urgent alarms that nobody was told of (no NOTIFIED event,
    not assigned) `ROUTE_STALE_AFTER` after they were raised, because their routing job
    failed or never ran, are routed now. Set-based selection; each row is locked, skipping
    rows the worker or another sweep holds. Returns how many it routed."""
    now = now or timezone.now()
    stale = list(
        _unrouted()
        .filter(created_at__lte=now - ROUTE_STALE_AFTER)
        .order_by("-grade_rank", "created_at")
        .values_list("pk", flat=True)[:500]
    )
    with _routing_memo():
        return sum(_route_one(pk, skip_locked=True) for pk in stale)


def _unrouted() -> Any:
    notified = AlarmEvent.objects.filter(alarm=OuterRef("pk"), kind=AlarmEventKind.NOTIFIED)
    return Alarm.objects.filter(
        status=AlarmStatus.OPEN, grade__in=ROUTED_GRADES, assigned_to__isnull=True
    ).exclude(Exists(notified))


def _route_one(pk: int, *, skip_locked: bool) -> int:
    """Route one alarm if it is still open and unrouted: 1 if routed. A failure rolls back
    this alarm only and is logged (the sweep retries it). Once it has committed, its in-app
    and live-feed deliveries are made at once, in this job (no job of their own to wait for
    behind a busy queue; one not made is queued by notify's minute sweep)."""
    to_deliver: list[Notification] = []
    try:
        with transaction.atomic():
            alarm = (
                _unrouted()
                .select_for_update(skip_locked=skip_locked, of=("self",))
                .select_related("woman__woman_profile", "reading")
                .filter(pk=pk)
                .first()
            )
            if alarm is None:
                return 0
            _alarms_route_together([alarm], deliver_now=to_deliver)
    except Exception:
        logger.exception("alarm %s: routing failed; the sweep retries it", pk)
        return 0
    try:
        notifications_deliver_now(to_deliver)
    except Exception:
        logger.exception("alarm %s: delivery failed; notify's sweep retries it", pk)
    return 1


def alarm_routed(alarm: Alarm) -> bool:
    """Whether the alarm has gone to someone, or was found to have nobody to go to."""
    return alarm_delivery(alarm) != "pending"


def alarm_delivery(alarm: Alarm) -> str:
    """Where routing stands, from one read of its events: "pending" (the worker has not run),
    "nobody" (no one could be reached) or "told" (someone was notified).

    Decided from the events, so an `alarm` read before the worker committed (a page that
    loaded it a moment earlier) is never taken for "nobody reachable"; an alarm already
    assigned needs no read."""
    if alarm.assigned_to_id is not None:
        return "told"
    recipients = set(
        AlarmEvent.objects.filter(alarm=alarm, kind=AlarmEventKind.NOTIFIED).values_list(
            "recipient_id", flat=True
        )
    )
    if recipients - {None}:
        return "told"
    return "nobody" if recipients else "pending"


def _alarms_route_together(
    alarms: Sequence[Alarm], *, deliver_now: list[Notification] | None = None
) -> None:
    """Give each new (or newly routed) alarm to the first of her responder chain (access, an
    in-app and live-feed notice); urgent: an SMS to that person and to those on duty, and
    the time it escalates. Nobody to give it to is recorded too (a NOTIFIED event without a
    recipient). In a constant number of statements whatever their number: everything is
    written in bulk (the responder chains come from the routing memo). `deliver_now`:
    collects the notices the caller delivers after commit (else each is queued)."""
    now = timezone.now()
    escalate_at = now + dt.timedelta(minutes=settings.ANYUN_ALARM_ESCALATION_MINUTES)
    grant_until = now + dt.timedelta(days=7)
    grants: list[AccessGrant] = []
    messages: list[Message] = []
    texts: list[Message] = []
    events: list[AlarmEvent] = []

    def text(alarm: Alarm, person: User) -> bool:
        if not person.phone:
            return False
        grants.append(_alarm_grant(alarm, person, until=grant_until))
        texts.append(_urgent_sms_message(alarm, person))
        return True

    _remember_teams([alarm.woman for alarm in alarms])
    for alarm in alarms:
        chain = responder_chain(alarm.woman)
        urgent = alarm.grade == Grade.URGENT
        if chain:
            person = chain[0]
            alarm.assigned_to = person
            grants.append(_alarm_grant(alarm, person, until=grant_until))
            messages.append(_assigned_message(alarm, person))
            detail: dict[str, Any] = {
                "level": alarm.escalation_level,
                "sms": urgent and text(alarm, person),
            }
            events.append(_event_row(alarm, AlarmEventKind.NOTIFIED, person, now, detail))
        else:
            events.append(
                _event_row(alarm, AlarmEventKind.NOTIFIED, None, now, {"reachable": False})
            )
        if urgent:
            alarm.escalate_at = escalate_at
            for other in on_duty_for(alarm.woman):
                if other != alarm.assigned_to and text(alarm, other):
                    detail = {"level": alarm.escalation_level, "channel": "sms"}
                    events.append(_event_row(alarm, AlarmEventKind.NOTIFIED, other, now, detail))
    Alarm.objects.bulk_update(alarms, ["assigned_to", "escalate_at"])
    care_access_grants(grants)
    notices = notifications_send_many(messages, queue=deliver_now is None)
    if deliver_now is not None:
        deliver_now.extend(notices)
    notifications_send_many(texts, channels=("sms",))
    _EVENTS_INSERT.create_many(events)


def _event_row(
    alarm: Alarm, kind: str, recipient: User | None, at: dt.datetime, detail: dict[str, Any]
) -> AlarmEvent:
    return AlarmEvent(alarm=alarm, at=at, kind=kind, recipient=recipient, detail=detail)


def _alarm_grant(alarm: Alarm, person: User, *, until: dt.datetime) -> AccessGrant:
    return AccessGrant(
        woman=alarm.woman,
        clinician=person,
        reference=f"alarm:{alarm.public_id}",
        until=until,
        source=AccessSource.ALARM,
    )


def _set_primary(alarm: Alarm, rows: list[dict[str, Any]]) -> None:
    alarm.findings = rows
    first = rows[0]
    alarm.rule, alarm.sign, alarm.values = first["rule"], first["sign"], first["values"]
    alarm.action, alarm.source = first["action"], first["source"]
    alarm.confidence = first["confidence"]


def alarm_confirm_on_repeat(
    alarm: Alarm, *, repeat: Reading, pairs: Sequence[tuple[Reading, rules.Finding]]
) -> bool:
    """A high repeat 4 h to 7 days after her unconfirmed first high blood pressure: the alarm
    is confirmed on repeat and lists the confirming finding first (no second alarm). Advice
    (the hospital's choice for a first reading) becomes attention: True, the caller routes it
    (`alarms_route_soon`). Precondition: `alarm` locked in the caller's transaction."""
    alarm.confirmation = AlarmConfirmation.CONFIRMED
    alarm.repeat_reading = repeat
    _set_primary(alarm, [*(finding_row(r, f) for r, f in pairs), *alarm.findings])
    route = alarm.grade == Grade.ADVICE
    if route:
        alarm.grade, alarm.grade_rank = Grade.ATTENTION, GRADE_RANK[Grade.ATTENTION]
        alarm.status = AlarmStatus.OPEN
    alarm.save()
    _event(alarm, AlarmEventKind.CONFIRMED, repeat=str(repeat.public_id))
    bp_confirmed.send(sender=Alarm, alarm=alarm, woman=alarm.woman, reading=repeat)
    return route


def alarm_add_findings(
    alarm: Alarm, *, repeat: Reading, pairs: Sequence[tuple[Reading, rules.Finding]]
) -> None:
    """Another high reading too soon to confirm it: listed on the same unconfirmed alarm."""
    alarm.repeat_reading = repeat
    alarm.findings = [*alarm.findings, *(finding_row(r, f) for r, f in pairs)]
    alarm.save(update_fields=["repeat_reading", "findings"])
    _event(alarm, AlarmEventKind.FINDING_ADDED, repeat=str(repeat.public_id))


def only_first_high_bp(alarm: Alarm) -> bool:
    """Whether every finding of the alarm is a first high blood pressure: only then does a
    normal repeat settle it (nothing else listed on it is left unhandled)."""
    return bool(alarm.findings) and all(row["rule"] == FIRST_HIGH_BP_RULE for row in alarm.findings)


def may_close_normal_on_repeat(alarm: Alarm) -> bool:
    """Whether "normal on repeat" is an outcome for this alarm: its repeat was normal and it
    lists nothing but first high blood pressure."""
    return alarm.confirmation == AlarmConfirmation.NORMAL_ON_REPEAT and only_first_high_bp(alarm)


def alarm_normal_on_repeat(alarm: Alarm, *, repeat: Reading, close: bool) -> None:
    """A normal repeat 4 h to 7 days after her unconfirmed first high blood pressure: marked
    normal on repeat, for the clinician to close in one action; with `close` (the hospital's
    choice) it closes itself when nothing else is listed on it, and she is told."""
    alarm.confirmation = AlarmConfirmation.NORMAL_ON_REPEAT
    alarm.repeat_reading = repeat
    alarm.save(update_fields=["confirmation", "repeat_reading"])
    _event(alarm, AlarmEventKind.NORMAL_ON_REPEAT, repeat=str(repeat.public_id))
    if not (close and only_first_high_bp(alarm)):
        return
    alarm.status = AlarmStatus.CLOSED
    alarm.closed_at = timezone.now()
    alarm.outcome = AlarmOutcome.NORMAL_ON_REPEAT
    alarm.escalate_at = None
    alarm.save(update_fields=["status", "closed_at", "outcome", "escalate_at"])
    _event(alarm, AlarmEventKind.CLOSED, outcome=AlarmOutcome.NORMAL_ON_REPEAT, automatic=True)
    with translation.override(language_of(alarm.woman)):
        _tell_woman(
            alarm,
            "closed",
            title=gettext("Your repeat blood pressure was normal"),
            body=gettext(
                "%(alarm)s: your repeat reading (%(repeat)s) was normal, so the alarm is closed."
            )
            % {"alarm": _reasons_summary(alarm), "repeat": reading_value(repeat)},
        )


# While a routing job runs (`alarms_route`, at most ROUTE_BATCH_SECONDS), the directory reads
# the chain is made of are read once per woman, member, department and person: a batch of
# alarms of a ward reuses them. Outside a job (the safety pathway, escalation) nothing is kept.
_ROUTE_MEMO: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar(
    "anyun_route_memo", default=None
)


def _memo(key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    memo = _ROUTE_MEMO.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return cast(T, memo[key])


@contextlib.contextmanager
def _routing_memo() -> Iterator[None]:
    token = _ROUTE_MEMO.set({})
    try:
        yield
    finally:
        _ROUTE_MEMO.reset(token)


def _answering(people: Sequence[User]) -> list[User]:
    """Those of `people` who may practise online, in their order, nobody twice; whoever the
    job has not asked about yet is read in one go (`practising_online`)."""
    memo = _ROUTE_MEMO.get()
    unknown = [p for p in people if memo is None or ("online", p.pk) not in memo]
    may = practising_online(unknown)
    if memo is not None:
        memo.update({("online", p.pk): p.pk in may for p in unknown})
    answering: list[User] = []
    for person in people:
        known = memo[("online", person.pk)] if memo is not None else person.pk in may
        if known and person not in answering:
            answering.append(person)
    return answering


def _duty_list(department: Department) -> list[User]:
    return _memo(("duty", department.pk), lambda: duty_list(department=department))


def _heads(department: Department) -> list[User]:
    return _memo(("heads", department.pk), lambda: department_heads(department=department))


def _team_and_departments(woman: User) -> tuple[list[User], list[Department]]:
    """Her care team (clinicians, then nurses) and their departments (else the first one)."""
    return _memo(("team", woman.pk), lambda: _read_team_and_departments(woman))


def _remember_teams(women: Sequence[User]) -> None:
    """The care teams of those of `women` the job has not read yet, in one read, into its
    memo (a chunk of alarms is of many women: one read, not one per woman)."""
    memo = _ROUTE_MEMO.get()
    if memo is None:
        return
    unknown = {woman.pk for woman in women if ("team", woman.pk) not in memo}
    if unknown:
        teams = care_teams_of(unknown)
        for pk in unknown:
            memo[("team", pk)] = _team_and_departments_of(teams.get(pk, []))


def _read_team_and_departments(woman: User) -> tuple[list[User], list[Department]]:
    # Each member's profile and department come with her team, in the one read.
    return _team_and_departments_of(list(care_team_of(woman)))


def _team_and_departments_of(
    rows: Sequence[CareTeamMember],
) -> tuple[list[User], list[Department]]:
    members = [m.member for m in rows]
    team = [m for m in members if m.role == Role.CLINICIAN]
    team += [m for m in members if m.role == Role.NURSE]
    departments = []
    for member in team:
        profile = getattr(member, "clinician_profile", None)
        if profile and profile.department not in departments:
            departments.append(profile.department)
    if not departments:
        first = _memo(("first_department",), lambda: Department.objects.order_by("pk").first())
        departments = [first] if first else []
    return team, departments


def on_duty_for(woman: User) -> list[User]:
    """The on-duty clinicians and nurses of her care team's departments who may practise
    online, in calling order."""
    _team, departments = _team_and_departments(woman)
    return _answering([p for d in departments for p in _duty_list(d)])


def responder_chain(woman: User) -> list[User]:
    """Who answers her alarms, in order: her responsible clinician, the rest of her care team,
    the department's on-duty list, then the department head(s). Only people who may practise
    online are included; nobody twice."""
    team, departments = _team_and_departments(woman)
    return _answering(
        team
        + [p for d in departments for p in _duty_list(d)]
        + [p for d in departments for p in _heads(d)]
    )


def _alarm_assign(
    alarm: Alarm,
    person: User,
    *,
    escalation: bool,
    deliver_now: list[Notification] | None = None,
) -> None:
    """Give the alarm to `person`: access to her record, a notification, a live push and,
    for an urgent alarm, an SMS (once per person and alarm, whatever the escalation).
    `deliver_now`: the in-app and push deliveries are written without a job and the
    notification appended, for the caller to deliver once its transaction commits."""

    alarm.assigned_to = person
    alarm.save(update_fields=["assigned_to"])
    care_access_grant(
        woman=alarm.woman,
        clinician=person,
        reference=f"alarm:{alarm.public_id}",
        until=timezone.now() + dt.timedelta(days=7),
        source=AccessSource.ALARM,
    )
    urgent = alarm.grade == Grade.URGENT
    message = _assigned_message(alarm, person)
    notification = notification_send(
        recipient=person,
        kind=message.kind,
        title=message.title,
        body=message.body,
        link=message.link,
        payload=message.payload,
        channels=("in_app", "push"),
        dedup_key=message.dedup_key,
        queue=deliver_now is None,
    )
    if deliver_now is not None:
        deliver_now.append(notification)
    texted = urgent and _urgent_sms(alarm, person)
    _event(
        alarm,
        AlarmEventKind.ESCALATED if escalation else AlarmEventKind.NOTIFIED,
        recipient=person,
        level=alarm.escalation_level,
        sms=texted,
    )


def _assigned_message(alarm: Alarm, person: User) -> Message:
    """The in-app and live-feed notice to whoever the alarm is given to (their language)."""
    urgent = alarm.grade == Grade.URGENT
    name = _memo(
        ("name", alarm.woman_id),
        lambda: (
            getattr(getattr(alarm.woman, "woman_profile", None), "real_name", "")
            or str(alarm.woman)
        ),
    )
    with translation.override(language_of(person)):
        title = str(_("Urgent alarm") if urgent else _("Alarm to review"))
        body = f"{name}: {_reasons_summary(alarm)}"
    return Message(
        recipient=person,
        kind="alarm",
        title=title,
        body=body,
        link=f"/clinic/alarms/{alarm.public_id}/",
        payload={
            "alarm": str(alarm.public_id),
            "grade": alarm.grade,
            "woman": str(alarm.woman.public_id),
            "escalation": alarm.escalation_level,
        },
        dedup_key=f"alarm:{alarm.public_id}:{alarm.escalation_level}:{person.pk}",
    )


def _urgent_sms_message(alarm: Alarm, person: User) -> Message:
    """The text to `person` of an urgent alarm: "urgent alarm, open the app" and the link."""
    link = f"/clinic/alarms/{alarm.public_id}/"
    with translation.override(language_of(person)):
        body = gettext("Anyun: an urgent alarm needs you now. Open the app: %(link)s") % {
            "link": f"{settings.ANYUN_SITE_URL}{link}"
        }
    return Message(
        recipient=person,
        kind="alarm_sms",
        title="",
        body=body,
        link=link,
        payload={"alarm": str(alarm.public_id)},
        dedup_key=f"alarm-sms:{alarm.public_id}:{person.pk}",
    )


def _urgent_sms(alarm: Alarm, person: User) -> bool:
    """An SMS through the outbox and the SMS provider: "urgent alarm, open the app" and the
    link, nothing about her health or who she is (an SMS is read on a lock screen). Gives
    `person` access to her record, so the link opens. One per person and alarm (escalating
    to someone already texted sends nothing again). False when `person` has no phone."""
    if not person.phone:
        return False
    care_access_grant(
        woman=alarm.woman,
        clinician=person,
        reference=f"alarm:{alarm.public_id}",
        until=timezone.now() + dt.timedelta(days=7),
        source=AccessSource.ALARM,
    )
    message = _urgent_sms_message(alarm, person)
    notification_send(
        recipient=person,
        kind=message.kind,
        title=message.title,
        body=message.body,
        link=message.link,
        payload=message.payload,
        channels=("sms",),
        dedup_key=message.dedup_key,
    )
    return True


def _tell_woman(alarm: Alarm, what: str, *, title: str, body: str) -> None:
    """An in-app message to her about her alarm (in the caller's transaction)."""
    notification_send(
        recipient=alarm.woman,
        kind="alarm_update",
        title=title[:200],
        body=body,
        link="/monitoring/alarms/",
        payload={"alarm": str(alarm.public_id), "what": what},
        channels=("in_app", "push"),
        dedup_key=f"alarm-woman:{alarm.public_id}:{what}",
    )
    _event(alarm, AlarmEventKind.WOMAN_TOLD, recipient=alarm.woman, what=what)


def _reasons_summary(alarm: Alarm) -> str:
    """What the alarm was about, in words (the current language): reasons and reading."""
    labels = []
    for row in alarm.findings or [{"rule": alarm.rule}]:
        label = rule_label(row["rule"])
        if label not in labels:
            labels.append(label)
    return gettext("%(reasons)s (%(reading)s)") % {
        "reasons": pgettext("list separator", "; ").join(labels),
        "reading": format_values(alarm),
    }


def language_of(user: User) -> str:
    return user.preferred_language or settings.LANGUAGE_CODE


def alarm_summary(alarm: Alarm) -> str:

    return f"{rule_label(alarm.rule)} · {format_values(alarm)}"


def format_values(alarm: Alarm) -> str:
    """The alarm's reading as a person reads it (unit, decimals, labels)."""
    return reading_value(alarm.reading)


def access_alarm(*, user: User, alarm_public_id: Any) -> Alarm:
    """An alarm of a woman the user may see (her, her team, whoever it was given to)."""

    try:
        return Alarm.objects.select_related("reading", "woman", "assigned_to").get(
            public_id=alarm_public_id, woman__in=women_visible_to(user)
        )
    except (Alarm.DoesNotExist, ValueError, DjangoValidationError) as exc:
        raise NotFound() from exc


def require_handler(actor: User) -> None:
    if actor.role not in CLINICAL_ROLES:
        raise NotFound()

    require_online_practice(actor)


def alarm_acknowledge(*, actor: User, alarm_public_id: Any, request: Any = None) -> Alarm:
    """The clinician has seen it: escalation stops. Idempotent."""
    require_handler(actor)
    alarm = access_alarm(user=actor, alarm_public_id=alarm_public_id)
    with transaction.atomic():
        alarm = Alarm.objects.select_for_update().get(pk=alarm.pk)
        if alarm.status == AlarmStatus.OPEN:
            alarm.status = AlarmStatus.ACKNOWLEDGED
            alarm.acknowledged_by = actor
            alarm.acknowledged_at = timezone.now()
            alarm.escalate_at = None
            alarm.save(
                update_fields=["status", "acknowledged_by", "acknowledged_at", "escalate_at"]
            )
            _event(alarm, AlarmEventKind.ACKNOWLEDGED, actor=actor)
            with translation.override(language_of(alarm.woman)):
                _tell_woman(
                    alarm,
                    "acknowledged",
                    title=gettext("Your care team has seen your alarm"),
                    body=gettext("%(alarm)s: seen by %(name)s.")
                    % {"alarm": _reasons_summary(alarm), "name": actor.display_name or actor},
                )
            audit_record(
                actor=actor,
                action="alarm_acknowledge",
                object_type="alarm",
                object_id=alarm.public_id,
                subject=alarm.woman,
                request=request,
            )
    return alarm


def alarm_close(
    *, actor: User, alarm_public_id: Any, outcome: str, note: str = "", request: Any = None
) -> Alarm:
    """Record what was done and close; she is told (in-app). "No action" needs a reason;
    "normal on repeat" only for a first high blood pressure whose repeat was normal."""
    require_handler(actor)
    if outcome not in AlarmOutcome.values:
        raise DomainError("outcome_invalid", _("Choose what was done."), field="outcome")
    note = (note or "").strip()
    if outcome == AlarmOutcome.NO_ACTION and not note:
        raise DomainError(
            "reason_required", _("Give the reason for taking no action."), field="note"
        )
    alarm = access_alarm(user=actor, alarm_public_id=alarm_public_id)
    with transaction.atomic():
        alarm = Alarm.objects.select_for_update().get(pk=alarm.pk)
        if alarm.status == AlarmStatus.CLOSED:
            raise DomainError("alarm_closed", _("This alarm is already closed."))
        if outcome == AlarmOutcome.NORMAL_ON_REPEAT:
            if alarm.confirmation != AlarmConfirmation.NORMAL_ON_REPEAT:
                raise DomainError(
                    "outcome_invalid",
                    _("Only an alarm whose repeat reading was normal closes as normal on repeat."),
                    field="outcome",
                )
            if not only_first_high_bp(alarm):
                raise DomainError(
                    "outcome_invalid",
                    _(
                        "This alarm lists more than a first high blood pressure: close it "
                        "with what was done for the other findings."
                    ),
                    field="outcome",
                )
        now = timezone.now()
        if alarm.status in {AlarmStatus.OPEN, AlarmStatus.INFORMATION}:
            alarm.acknowledged_by, alarm.acknowledged_at = actor, now
            _event(alarm, AlarmEventKind.ACKNOWLEDGED, actor=actor)
        alarm.status = AlarmStatus.CLOSED
        alarm.closed_by, alarm.closed_at = actor, now
        alarm.outcome = outcome
        alarm.outcome_note = text_within(note, OUTCOME_NOTE_MAX_LENGTH, field="note")
        alarm.escalate_at = None
        alarm.save()
        _event(alarm, AlarmEventKind.CLOSED, actor=actor, outcome=outcome)
        with translation.override(language_of(alarm.woman)):
            _tell_woman(
                alarm,
                "closed",
                title=gettext("Your alarm is closed"),
                body=gettext("%(alarm)s: closed by %(name)s. What was done: %(outcome)s.")
                % {
                    "alarm": _reasons_summary(alarm),
                    "name": actor.display_name or actor,
                    "outcome": alarm.get_outcome_display(),
                },
            )
        audit_record(
            actor=actor,
            action="alarm_close",
            object_type="alarm",
            object_id=alarm.public_id,
            subject=alarm.woman,
            request=request,
            detail={"outcome": outcome},
        )
    return alarm


def alarms_escalate_due(*, now: dt.datetime | None = None) -> int:
    """Sweep: urgent alarms not acknowledged in time go to the next responder.

    Set-based selection of due rows; each is locked (skipping rows another sweep holds),
    so two schedulers never escalate the same alarm twice.
    """
    now = now or timezone.now()
    due = list(
        Alarm.objects.filter(status=AlarmStatus.OPEN, escalate_at__lte=now).values_list(
            "pk", flat=True
        )[:500]
    )
    done = 0
    for pk in due:
        with transaction.atomic():
            alarm = (
                Alarm.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=AlarmStatus.OPEN, escalate_at__lte=now)
                .select_related("woman")
                .first()
            )
            if alarm is None:
                continue
            chain = responder_chain(alarm.woman)
            current = chain.index(alarm.assigned_to) if alarm.assigned_to in chain else -1
            alarm.escalation_level += 1
            if current + 1 < len(chain):
                alarm.escalate_at = now + dt.timedelta(
                    minutes=settings.ANYUN_ALARM_ESCALATION_MINUTES
                )
                alarm.save(update_fields=["escalation_level", "escalate_at"])
                _alarm_assign(alarm, chain[current + 1], escalation=True)
            else:
                # Nobody further up: keep it with the last person and stop the clock.
                alarm.escalate_at = None
                alarm.save(update_fields=["escalation_level", "escalate_at"])
                _event(
                    alarm,
                    AlarmEventKind.ESCALATED,
                    recipient=None,
                    level=alarm.escalation_level,
                    exhausted=True,
                )
            done += 1
    return done
