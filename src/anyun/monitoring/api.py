"""Home monitoring over the API: a device gateway or mini-program submits readings in bulk;
apps read the look-back, chart data and alarms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Header, Router, Schema, Status

from anyun.accounts.api_auth import TokenAuth, VerifiedSessionAuth
from anyun.accounts.decorators import acting_user
from anyun.accounts.models import CLINICAL_ROLES, Role, User
from anyun.audit.services import audit_record
from anyun.careteam.selectors import access_woman
from anyun.clinical import sfh
from anyun.clinical.red_flags import SAFETY_PATHWAY_SYMPTOMS
from anyun.clinical.signs import Symptom
from anyun.core.errors import DomainError, NotFound, PermissionDenied
from anyun.monitoring import selectors, services
from anyun.monitoring.messages import (
    action_text,
    crisis_emergency_text,
    crisis_text,
    rule_label,
)
from anyun.monitoring.models import Alarm, Reading, ReadingSource
from anyun.pregnancy.selectors import current_pregnancy_of, woman_gate_by_token

router = Router(tags=["monitoring"])


class GatedTokenAuth(TokenAuth):
    """A token read together with its user's readiness and current pregnancy (one statement),
    kept on the request for the service (`request.woman_gate`)."""

    def lookup(self, request: HttpRequest, token: str) -> User | None:
        gate = woman_gate_by_token(token)
        if gate is None:
            return None
        request.woman_gate = gate  # type: ignore[attr-defined]
        return gate.user


SUBMIT_AUTH = [GatedTokenAuth(), VerifiedSessionAuth(csrf=True)]


class ReadingIn(Schema):
    kind: str
    measured_at: dt.datetime | None = None
    systolic: int | None = None
    diastolic: int | None = None
    pulse: int | None = None
    value: Decimal | None = None
    glucose_context: str = ""
    movement_period: str = ""
    symptoms: list[Symptom] = Field(
        default_factory=list,
        max_length=len(Symptom),
        description="Symptoms she has now: the codes of the red-flag table (anyun.clinical.red_flags).",
    )
    note: str = ""


class SubmitIn(Schema):
    items: list[ReadingIn] = Field(
        ...,
        min_length=1,
        max_length=1000,
        description="The readings of one check-in: at most ANYUN_CHECKIN_MAX_READINGS (20 unless "
        "the hospital sets more, up to 1000); more is refused with readings_too_many.",
    )
    confirm: bool = False
    woman_id: UUID | None = None  # a clinician recording in-clinic measurements


class ReadingOut(Schema):
    id: UUID
    kind: str
    measured_at: dt.datetime
    ga_days: int | None
    systolic: int | None
    diastolic: int | None
    pulse: int | None
    value: Decimal | None
    glucose_context: str
    movement_period: str
    symptoms: list[str]
    note: str
    source: str


class FindingOut(Schema):
    """One rule that fired; an alarm lists every rule of its check-in at its grade."""

    rule: str
    label: str
    grade: str
    sign: str
    values: dict[str, object]
    action: str
    action_text: str
    source: str
    confidence: str
    reading_id: UUID | None


class AlarmOut(Schema):
    """One alarm per grade per check-in: `rule`, `values`, `action` are the first finding's
    (her instruction); `findings` lists every rule that fired, most severe first."""

    id: UUID
    woman_id: UUID
    reading_id: UUID
    grade: str
    rule: str
    label: str
    sign: str
    values: dict[str, object]
    action: str
    action_text: str
    source: str
    confidence: str
    status: str
    status_label: str
    findings: list[FindingOut]
    confirmation: str
    confirmation_label: str
    repeat_reading_id: UUID | None
    assigned_to: str | None
    escalation_level: int
    created_at: dt.datetime
    acknowledged_at: dt.datetime | None
    closed_at: dt.datetime | None
    outcome: str


class CrisisLineOut(Schema):
    name: str
    number: str
    hours: str
    dial: str


class CrisisOut(Schema):
    """The safety pathway's guidance: show it at once, before anything else."""

    message: str
    team_alerted: bool
    lines: list[CrisisLineOut]
    emergency_number: str
    emergency_text: str


class SubmitOut(Schema):
    readings: list[ReadingOut]
    alarms: list[AlarmOut]
    highest_grade: str | None
    replayed: bool
    crisis: CrisisOut | None = None


class CloseIn(Schema):
    outcome: str
    note: str = ""


class PlanIn(Schema):
    woman_id: UUID
    kind: str
    times: list[str]
    from_ga_weeks: int = 0
    until_ga_weeks: int = 42
    note: str = ""


class PlanOut(Schema):
    id: UUID
    kind: str
    times: list[str]
    from_ga_weeks: int
    until_ga_weeks: int
    note: str
    expected_last_7_days: int
    done_last_7_days: int


class PointOut(Schema):
    ga_days: int
    value: float
    source: str


class BpPointOut(Schema):
    ga_days: int
    systolic: int
    diastolic: int
    source: str


class CentileOut(Schema):
    ga_weeks: float
    p10: float
    p50: float
    p90: float


class ChartOut(Schema):
    pregnancy_id: UUID
    today_ga_days: int | None
    bmi_category: str | None
    fundal_height: list[PointOut]
    fundal_height_reference: list[CentileOut]
    weight_gain: list[PointOut]
    abdominal_circumference: list[PointOut]
    blood_pressure: list[BpPointOut]


# The response objects below are built from stored rows, already checked: constructed without
# validation (`model_construct`; ninja's schema validator wraps every field read otherwise,
# a tenth of a check-in's CPU), serialised by ninja as usual.


def reading_out(r: Reading) -> ReadingOut:
    return ReadingOut.model_construct(
        id=r.public_id,
        kind=r.kind,
        measured_at=r.measured_at,
        ga_days=r.ga_days,
        systolic=r.systolic,
        diastolic=r.diastolic,
        pulse=r.pulse,
        value=r.value,
        glucose_context=r.glucose_context,
        movement_period=r.movement_period,
        symptoms=list(r.symptoms or []),
        note=r.note,
        source=r.source,
    )


def _finding_out(row: dict[str, Any]) -> FindingOut:
    return FindingOut.model_construct(
        rule=row["rule"],
        label=rule_label(row["rule"]),
        grade=row["grade"],
        sign=row["sign"],
        values=row.get("values") or {},
        action=row["action"],
        action_text=action_text(row["action"]),
        source=row.get("source", ""),
        confidence=row.get("confidence", ""),
        reading_id=UUID(row["reading"]) if row.get("reading") else None,
    )


def alarm_out(a: Alarm) -> AlarmOut:
    return AlarmOut.model_construct(
        id=a.public_id,
        woman_id=a.woman.public_id,
        reading_id=a.reading.public_id,
        grade=a.grade,
        rule=a.rule,
        label=rule_label(a.rule),
        sign=a.sign,
        values=a.values,
        action=a.action,
        action_text=action_text(a.action),
        source=a.source,
        confidence=a.confidence,
        status=a.status,
        status_label=str(a.get_status_display()),
        findings=[_finding_out(row) for row in a.findings],
        confirmation=a.confirmation,
        confirmation_label=str(a.get_confirmation_display()) if a.confirmation else "",
        repeat_reading_id=a.repeat_reading.public_id if a.repeat_reading is not None else None,
        assigned_to=str(a.assigned_to) if a.assigned_to else None,
        escalation_level=a.escalation_level,
        created_at=a.created_at,
        acknowledged_at=a.acknowledged_at,
        closed_at=a.closed_at,
        outcome=a.outcome,
    )


def crisis_out(guidance: dict[str, Any] | None) -> CrisisOut | None:
    if guidance is None:
        return None
    return CrisisOut(
        message=crisis_text(team_alerted=guidance["team_alerted"]),
        team_alerted=guidance["team_alerted"],
        lines=[CrisisLineOut(**line) for line in guidance["lines"]],
        emergency_number=guidance["emergency_number"],
        emergency_text=crisis_emergency_text(),
    )


def _red_flag_out(a: Alarm) -> dict[str, Any]:
    """An alarm raised from the red flags of a refused check-in, as the error body shows it."""
    return {
        "alarm_id": str(a.public_id),
        "grade": a.grade,
        "rule": a.rule,
        "label": rule_label(a.rule),
        "action": a.action,
        "action_text": action_text(a.action),
    }


def _subject(request: HttpRequest, woman_id: UUID | None) -> User:
    """Herself, or (for her care team) the woman named."""
    user = acting_user(request)
    if user.role == Role.WOMAN:
        if woman_id is not None and woman_id != user.public_id:
            raise NotFound()
        return user
    if user.role not in CLINICAL_ROLES or woman_id is None:
        raise NotFound()
    return access_woman(user=user, woman_public_id=woman_id)


@router.post("/readings", response={201: SubmitOut, 200: SubmitOut}, auth=SUBMIT_AUTH)
def submit(
    request: HttpRequest,
    data: SubmitIn,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
) -> Status:
    """Submit one or more readings at once. Send an `Idempotency-Key` header: a repeat with the
    same key returns the first result (200) and stores nothing. Implausible values give 409
    with `details`; resubmit with `confirm: true`. Red flags ticked in a refused (400, 403) or
    unconfirmed (409) submission are raised at once all the same: the error body then lists
    them in `red_flags` (with the instruction) and carries `crisis` for thoughts of self-harm."""
    user = acting_user(request)
    woman = _subject(request, data.woman_id)
    try:
        result = services.readings_record(
            actor=user,
            woman=woman,
            items=[services.ReadingInput(**item.dict()) for item in data.items],
            idempotency_key=idempotency_key,
            confirm=data.confirm,
            source=ReadingSource.HOME if user.role == Role.WOMAN else ReadingSource.CLINIC,
            request=request,
            gate=getattr(request, "woman_gate", None),
        )
    except DomainError as exc:
        reported = getattr(exc, "reported", None)
        guidance = services.crisis_guidance(reported.alarms) if reported is not None else None
        if guidance is None and isinstance(exc, PermissionDenied):
            ticked = {s for item in data.items for s in item.symptoms}
            if ticked & SAFETY_PATHWAY_SYMPTOMS:
                guidance = services.crisis_guidance_now()
        if reported is not None or guidance is not None:
            # The red flags she ticked were raised even though the check-in was refused.
            crisis = crisis_out(guidance)
            exc.body_extra = {  # type: ignore[attr-defined]
                "red_flags": [_red_flag_out(a) for a in (reported.alarms if reported else [])],
                "crisis": crisis.model_dump(mode="json") if crisis is not None else None,
            }
        raise
    out = SubmitOut.model_construct(
        readings=[reading_out(r) for r in result.readings],
        alarms=[alarm_out(a) for a in result.alarms],
        highest_grade=result.highest_grade,
        replayed=result.replayed,
        crisis=crisis_out(services.crisis_guidance(result.alarms)),
    )
    return Status((200 if result.replayed else 201), out)


@router.get("/readings", response=list[ReadingOut])
def readings(
    request: HttpRequest,
    kind: str = "",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    woman_id: UUID | None = None,
    limit: int = 200,
) -> list[ReadingOut]:
    woman = _subject(request, woman_id)
    audit_record(
        actor=request.user,
        action="read",
        object_type="readings",
        object_id=kind or "all",
        subject=woman,
        request=request,
    )
    rows = selectors.readings_of(woman, kind=kind or None, since=since, until=until)[
        : max(1, min(limit, 1000))
    ]
    return [reading_out(r) for r in rows]


@router.get("/chart", response=ChartOut)
def chart(request: HttpRequest, woman_id: UUID | None = None) -> ChartOut:
    """The pregnancy chart as data (the SVG/PDF are at /monitoring/chart/<pregnancy>.svg|pdf)."""
    woman = _subject(request, woman_id)
    pregnancy = current_pregnancy_of(woman)
    if pregnancy is None:
        raise NotFound()
    audit_record(
        actor=request.user,
        action="read",
        object_type="pregnancy_chart",
        object_id=pregnancy.public_id,
        subject=woman,
        request=request,
    )
    data = selectors.chart_data_for(pregnancy)
    weeks = [w / 2 for w in range(int(sfh.SFH_MIN_GA_WEEKS * 2), int(sfh.SFH_MAX_GA_WEEKS * 2) + 1)]
    return ChartOut(
        pregnancy_id=pregnancy.public_id,
        today_ga_days=data.today_ga_days,
        bmi_category=str(data.bmi_category) if data.bmi_category else None,
        fundal_height=[PointOut(**vars(p)) for p in data.sfh],
        fundal_height_reference=[
            CentileOut(
                ga_weeks=w,
                p10=round(sfh.sfh_p10(w), 1),
                p50=round(sfh.sfh_p50(w), 1),
                p90=round(sfh.sfh_p90(w), 1),
            )
            for w in weeks
        ],
        weight_gain=[PointOut(**vars(p)) for p in data.weight_gain],
        abdominal_circumference=[PointOut(**vars(p)) for p in data.ac],
        blood_pressure=[BpPointOut(**vars(p)) for p in data.bp],
    )


@router.get("/alarms", response=list[AlarmOut])
def alarms(
    request: HttpRequest, status: str = "active", grade: str = "", mine: bool = False
) -> list[AlarmOut]:
    """A woman's own alarms; for a clinician, the worklist (most severe, then oldest, first)."""
    user = acting_user(request)
    if user.role == Role.WOMAN:
        rows = selectors.alarms_of(user).select_related("woman")
    elif user.role in CLINICAL_ROLES:
        rows = selectors.alarm_worklist_for(user, status=status, grade=grade, mine=mine)
    else:
        raise NotFound()
    return [alarm_out(a) for a in rows.select_related("assigned_to", "repeat_reading")[:200]]


@router.get("/alarms/{alarm_id}", response=AlarmOut)
def alarm(request: HttpRequest, alarm_id: UUID) -> AlarmOut:
    found = services.access_alarm(user=acting_user(request), alarm_public_id=alarm_id)
    audit_record(
        actor=request.user,
        action="read",
        object_type="alarm",
        object_id=found.public_id,
        subject=found.woman,
        request=request,
    )
    return alarm_out(found)


@router.post("/alarms/{alarm_id}/acknowledge", response=AlarmOut)
def acknowledge(request: HttpRequest, alarm_id: UUID) -> AlarmOut:
    return alarm_out(
        services.alarm_acknowledge(
            actor=acting_user(request), alarm_public_id=alarm_id, request=request
        )
    )


@router.post("/alarms/{alarm_id}/close", response=AlarmOut)
def close(request: HttpRequest, alarm_id: UUID, data: CloseIn) -> AlarmOut:
    return alarm_out(
        services.alarm_close(
            actor=acting_user(request),
            alarm_public_id=alarm_id,
            outcome=data.outcome,
            note=data.note,
            request=request,
        )
    )


def _plan_out(plan: object) -> PlanOut:
    adherence = selectors.adherence_of(plan)  # type: ignore[arg-type]
    p = adherence.plan
    return PlanOut(
        id=p.public_id,
        kind=p.kind,
        times=p.times,
        from_ga_weeks=p.from_ga_weeks,
        until_ga_weeks=p.until_ga_weeks,
        note=p.note,
        expected_last_7_days=adherence.expected,
        done_last_7_days=adherence.done,
    )


@router.get("/plans", response=list[PlanOut])
def plans(request: HttpRequest, woman_id: UUID | None = None) -> list[PlanOut]:
    woman = _subject(request, woman_id)
    return [_plan_out(p) for p in selectors.plans_of(woman)]


@router.post("/plans", response={201: PlanOut})
def plan_set(request: HttpRequest, data: PlanIn) -> Status:
    user = acting_user(request)
    woman = _subject(request, data.woman_id)
    plan = services.plan_set(
        actor=user,
        woman=woman,
        kind=data.kind,
        times=data.times,
        from_ga_weeks=data.from_ga_weeks,
        until_ga_weeks=data.until_ga_weeks,
        note=data.note,
        request=request,
    )
    return Status(201, _plan_out(plan))
