"""The wellbeing API routes: thin, calling services and selectors.

The scales with the wording to show; a screening submitted (idempotent; the crisis guidance in
the body after a critical answer); her screening history; a health self-assessment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import translation
from ninja import Field, Header, Router, Schema, Status

from anyun.accounts.decorators import acting_user
from anyun.accounts.models import CLINICAL_ROLES, Role, User
from anyun.audit.services import audit_record
from anyun.careteam.selectors import access_woman
from anyun.clinical.scales import SCALES, Instrument
from anyun.clinical.signs import Symptom
from anyun.core.errors import DomainError, NotFound
from anyun.monitoring.api import AlarmOut, CrisisOut, alarm_out, crisis_out
from anyun.monitoring.services import ReadingInput, crisis_guidance
from anyun.wellbeing import selectors, services
from anyun.wellbeing.messages import band_label, finding_label, follow_up_label
from anyun.wellbeing.models import Screening, SelfAssessment
from anyun.wellbeing.wording import wording_current

router = Router(tags=["wellbeing"])


class OptionOut(Schema):
    option: int
    text: str
    points: int


class ScaleItemOut(Schema):
    number: int
    prompt: str
    options: list[OptionOut]


class InstrumentOut(Schema):
    instrument: str
    title: str
    instructions: str
    language: str
    demonstration: bool = Field(description="Our own wording, to be shown marked so.")
    source: str
    wording_version: str
    recall_days: int
    max_total: int
    items: list[ScaleItemOut]


class AnswerIn(Schema):
    item: int = Field(ge=1, le=20)
    option: int = Field(ge=0, le=9)


class ScreeningIn(Schema):
    instrument: str
    answers: list[AnswerIn] = Field(max_length=20)
    language: str = Field("", max_length=16)
    context: str = Field("", max_length=16)


class ScreeningFindingOut(Schema):
    rule: str
    label: str
    follow_up: str
    source: str
    confidence: str


class ScreeningOut(Schema):
    id: UUID
    instrument: str
    done_at: dt.datetime
    total: int
    max_total: int
    band: str
    band_label: str
    follow_up: str
    follow_up_label: str
    answers: list[dict[str, int]]
    findings: list[ScreeningFindingOut]
    safety_pathway: bool
    referral_task: UUID | None
    repeat_from: dt.date | None = None
    repeat_until: dt.date | None = None
    wording_language: str
    wording_version: str
    wording_demonstration: bool


class ScreeningSubmitOut(Schema):
    screening: ScreeningOut
    replayed: bool
    crisis: CrisisOut | None = None


class SelfAssessmentIn(Schema):
    symptoms: list[Symptom] = Field(default_factory=list, max_length=30)
    systolic: int | None = None
    diastolic: int | None = None
    weight: Decimal | None = Field(None, max_digits=6, decimal_places=2)
    temperature: Decimal | None = Field(None, max_digits=5, decimal_places=2)
    sleep_hours: Decimal | None = Field(None, max_digits=3, decimal_places=1)
    sleep_quality: str = Field("", max_length=8)
    mood_low: bool | None = None
    mood_little_interest: bool | None = None
    appetite: str = Field("", max_length=8)
    fruit_veg_daily: bool | None = None
    activity_minutes_week: int | None = None
    smoking: str = Field("", max_length=16)
    alcohol: str = Field("", max_length=16)
    second_hand_smoke: bool | None = None
    medicines: list[str] = Field(default_factory=list, max_length=10)
    medicines_note: str = Field("", max_length=300)
    missed_doses: bool | None = None
    confirm: bool = False


class AssessmentFindingOut(Schema):
    code: str
    label: str
    source: str


class SelfAssessmentOut(Schema):
    id: UUID
    done_at: dt.datetime
    stopped: bool = Field(description="A red flag ended it: do what the alarms say now.")
    symptoms: list[str]
    findings: list[AssessmentFindingOut]
    offer_scales: list[str]
    alarms: list[AlarmOut]
    replayed: bool
    crisis: CrisisOut | None = None


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


def _screening_out(s: Screening) -> ScreeningOut:
    repeat = s.repeats.first()
    return ScreeningOut(
        id=s.public_id,
        instrument=s.instrument,
        done_at=s.done_at,
        total=s.total,
        max_total=s.max_total,
        band=s.band,
        band_label=band_label(s.band),
        follow_up=s.follow_up,
        follow_up_label=follow_up_label(s.follow_up),
        answers=s.answers,
        findings=[
            ScreeningFindingOut(
                rule=f["rule"],
                label=finding_label(f["rule"]),
                follow_up=f["follow_up"],
                source=f["source"],
                confidence=f["confidence"],
            )
            for f in s.findings
        ],
        safety_pathway=bool(s.safety_trigger),
        referral_task=s.referral_task.public_id if s.referral_task else None,
        repeat_from=repeat.due_from if repeat else None,
        repeat_until=repeat.due_until if repeat else None,
        wording_language=s.wording_language,
        wording_version=s.wording_version,
        wording_demonstration=s.wording_demonstration,
    )


@router.get("/instruments", response=list[InstrumentOut])
def instruments(request: HttpRequest, language: str = "") -> list[InstrumentOut]:
    """EPDS, PHQ-9 and GAD-7 with the wording to show in `language` (default: the request's):
    the hospital's validated text where loaded, else ours marked `demonstration`. Each option
    gives the points it scores."""
    language = (language or translation.get_language() or "zh-hans")[:16]
    out = []
    for instrument in Instrument:
        scale = SCALES[instrument]
        wording = wording_current(instrument, language)
        out.append(
            InstrumentOut(
                instrument=str(instrument),
                title=wording.text.title,
                instructions=wording.text.instructions,
                language=wording.text.language,
                demonstration=wording.text.demonstration,
                source=wording.text.source,
                wording_version=wording.version,
                recall_days=scale.recall_days,
                max_total=scale.max_total,
                items=[
                    ScaleItemOut(
                        number=item.number,
                        prompt=text.prompt,
                        options=[
                            OptionOut(option=i, text=option, points=item.points[i])
                            for i, option in enumerate(text.options)
                        ],
                    )
                    for item, text in zip(scale.items, wording.text.items, strict=True)
                ],
            )
        )
    return out


@router.post("/screenings", response={201: ScreeningSubmitOut, 200: ScreeningSubmitOut})
def screening_submit(
    request: HttpRequest,
    data: ScreeningIn,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
) -> Status:
    """Submit a completed scale (every item once, options 0-based in the scale's order). Send
    an `Idempotency-Key` header: a repeat returns the first result (200). A critical answer
    (EPDS item 10, PHQ-9 item 9 above 0) starts the safety pathway at once: show `crisis`
    first, also in the 403 refusal before her identity or consent is done (nothing stored)."""
    user = acting_user(request)
    if user.role != Role.WOMAN:
        raise NotFound()
    try:
        outcome = services.screening_submit(
            actor=user,
            woman=user,
            instrument=data.instrument,
            answers=[(a.item, a.option) for a in data.answers],
            language=data.language or None,
            context=data.context,
            idempotency_key=idempotency_key,
            request=request,
        )
    except DomainError as exc:
        # Not stored before identity, consent or a pregnancy record; a critical answer still
        # gets the crisis guidance.
        crisis = crisis_out(getattr(exc, "crisis", None))
        if crisis is not None:
            exc.body_extra = {"crisis": crisis.model_dump(mode="json")}  # type: ignore[attr-defined]
        raise
    body = ScreeningSubmitOut(
        screening=_screening_out(outcome.screening),
        replayed=outcome.replayed,
        crisis=crisis_out(outcome.crisis),
    )
    return Status(200 if outcome.replayed else 201, body)


@router.get("/screenings", response=list[ScreeningOut])
def screenings(request: HttpRequest, woman_id: UUID | None = None) -> list[ScreeningOut]:
    """Her screenings, newest first (a clinician on her care team names her by `woman_id`)."""
    woman = _subject(request, woman_id)
    rows = list(selectors.screenings_of(woman).select_related("referral_task")[:100])
    audit_record(
        actor=acting_user(request),
        action="read",
        object_type="screenings",
        object_id=woman.public_id,
        subject=woman,
        request=request,
    )
    return [_screening_out(s) for s in rows]


def _assessment_out(a: SelfAssessment, *, replayed: bool, alarms: list[Any]) -> SelfAssessmentOut:
    offer: list[str] = []
    for f in a.findings:
        offer.extend(f.get("offer", []))
    return SelfAssessmentOut(
        id=a.public_id,
        done_at=a.done_at,
        stopped=a.stopped,
        symptoms=a.symptoms,
        findings=[
            AssessmentFindingOut(
                code=f["code"], label=finding_label(f["code"]), source=f.get("source", "")
            )
            for f in a.findings
        ],
        offer_scales=offer,
        alarms=[alarm_out(x) for x in alarms],
        replayed=replayed,
        crisis=crisis_out(crisis_guidance(alarms)),
    )


@router.post("/self-assessments", response={201: SelfAssessmentOut, 200: SelfAssessmentOut})
def self_assessment_submit(
    request: HttpRequest,
    data: SelfAssessmentIn,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
) -> Status:
    """Submit a health self-assessment. Any red flag in `symptoms` stops it: the flags are
    raised as alarms (`stopped: true`, their instructions in `alarms`, `crisis` for thoughts of
    self-harm) and nothing else is stored. Otherwise the signs become monitoring readings
    (unusual values: 409, resubmit with `confirm: true`) and the answers are stored."""
    user = acting_user(request)
    if user.role != Role.WOMAN:
        raise NotFound()
    if data.symptoms:
        outcome = services.self_assessment_red_flags(
            actor=user,
            woman=user,
            symptoms=[str(s) for s in data.symptoms],
            idempotency_key=idempotency_key,
            request=request,
        )
    else:
        readings = []
        if data.systolic is not None or data.diastolic is not None:
            readings.append(
                ReadingInput(
                    kind="blood_pressure", systolic=data.systolic, diastolic=data.diastolic
                )
            )
        for kind, value in (("weight", data.weight), ("temperature", data.temperature)):
            if value is not None:
                readings.append(ReadingInput(kind=kind, value=value))
        outcome = services.self_assessment_submit(
            actor=user,
            woman=user,
            data=services.SelfAssessmentInput(
                sleep_hours=data.sleep_hours,
                sleep_quality=data.sleep_quality,
                mood_low=data.mood_low,
                mood_little_interest=data.mood_little_interest,
                appetite=data.appetite,
                fruit_veg_daily=data.fruit_veg_daily,
                activity_minutes_week=data.activity_minutes_week,
                smoking=data.smoking,
                alcohol=data.alcohol,
                second_hand_smoke=data.second_hand_smoke,
                medicines=list(data.medicines),
                medicines_note=data.medicines_note,
                missed_doses=data.missed_doses,
            ),
            readings=readings,
            confirm=data.confirm,
            idempotency_key=idempotency_key,
            request=request,
        )
    alarms = services.alarms_of_assessment(outcome.assessment)
    body = _assessment_out(outcome.assessment, replayed=outcome.replayed, alarms=alarms)
    return Status(200 if outcome.replayed else 201, body)
