"""Wellbeing use cases: a screening scored, stored and acted on (referral task, repeat, safety
pathway), the psychological support given, the health self-assessment, and the reminders of
due screenings. Medical rules come from `anyun.clinical.scales` and
`anyun.clinical.self_assessment`."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anyun.accounts.models import CLINICAL_ROLES, Role, User
from anyun.assessment.models import ClinicalTask, TaskStatus
from anyun.assessment.services import task_close, task_open
from anyun.audit.services import audit_record
from anyun.careteam.selectors import can_see_woman
from anyun.clinical import scales
from anyun.clinical import self_assessment as rules
from anyun.clinical.dating import GestationalAge
from anyun.clinical.errors import ClinicalValueError
from anyun.clinical.red_flags import flag_of
from anyun.clinical.signs import SignKind
from anyun.consent.services import women_consented
from anyun.core.errors import DomainError, NotFound, PermissionDenied
from anyun.core.inputs import idempotency_key_clean, parse_uuid, text_within
from anyun.core.messages import clinical_message
from anyun.monitoring.models import Alarm
from anyun.monitoring.selectors import BIRTH_OUTCOMES, monitored_pregnancy_of
from anyun.monitoring.services import (
    ReadingInput,
    RecordResult,
    crisis_guidance,
    crisis_guidance_now,
    readings_record,
    safety_pathway_start,
)
from anyun.monitoring.services.alarms import language_of
from anyun.notify.models import Notification
from anyun.notify.services import notification_send
from anyun.pregnancy.models import Pregnancy, PregnancyStatus
from anyun.pregnancy.selectors import pregnancy_summary, woman_gate
from anyun.wellbeing.models import (
    MEDICINES_NOTE_MAX_LENGTH,
    SUPPORT_NOTE_MAX_LENGTH,
    AlcoholChoice,
    Appetite,
    MedicineChoice,
    RepeatStatus,
    Screening,
    ScreeningContext,
    ScreeningRepeat,
    SelfAssessment,
    SleepQuality,
    SmokingChoice,
    SupportKind,
    SupportRecord,
)
from anyun.wellbeing.policy import scale_policy
from anyun.wellbeing.wording import wording_current

REFERRAL_KIND = "mental_health_referral"
REPEAT_KIND = "screening_repeat"
KEY_MAX_LENGTH = 80


def _domain_error(exc: ClinicalValueError) -> DomainError:
    return DomainError(exc.code, clinical_message(exc), field=exc.field)


def _require_for(*, actor: User, woman: User) -> None:
    """She herself, or a clinician or nurse on her care team (in clinic): else NotFound."""
    if actor.pk == woman.pk and actor.role == Role.WOMAN:
        return
    if actor.role in CLINICAL_ROLES and can_see_woman(actor, woman):
        return
    raise NotFound()


# --- the screening schedule ---------------------------------------------------------------


def stage_facts(
    woman: User, *, today: dt.date
) -> tuple[Pregnancy | None, GestationalAge | None, int | None]:
    """Her pregnancy the screening belongs to and, for the schedule, her GA today (pregnant)
    or the days since the birth (after it); both None when neither applies."""
    pregnancy = monitored_pregnancy_of(woman, today=today)
    if pregnancy is None:
        return None, None, None
    if pregnancy.status == PregnancyStatus.CURRENT:
        ga = pregnancy_summary(pregnancy, today=today).ga
        return pregnancy, ga, None
    assert pregnancy.ended_on is not None
    return pregnancy, None, (today - pregnancy.ended_on).days


def _due_on(
    *,
    today: dt.date,
    last_done: dt.date | None,
    ga: GestationalAge | None,
    postpartum_days: int | None,
) -> scales.ScreeningDue | None:
    if ga is None and postpartum_days is None:
        return None
    return scales.screening_due(
        today=today, last_done=last_done, ga=ga, postpartum_days=postpartum_days
    )


def screening_status(woman: User, *, today: dt.date | None = None) -> scales.ScreeningDue | None:
    """Whether her scheduled screening is due today (None when she is neither pregnant nor
    within a year after a birth)."""
    today = today or timezone.localdate()
    _pregnancy, ga, postpartum_days = stage_facts(woman, today=today)
    last = Screening.objects.filter(woman=woman, done_at__date__lte=today).aggregate(
        last=Max("done_at")
    )["last"]
    return _due_on(
        today=today,
        last_done=timezone.localdate(last) if last else None,
        ga=ga,
        postpartum_days=postpartum_days,
    )


# --- a screening ------------------------------------------------------------------------


@dataclass(frozen=True)
class ScreeningOutcome:
    screening: Screening
    result: scales.ScaleResult
    crisis: dict[str, Any] | None
    repeat: ScreeningRepeat | None
    replayed: bool = False


def _answers(raw: Mapping[Any, Any] | Sequence[tuple[Any, Any]]) -> list[tuple[int, int]]:
    """Item -> option pairs from a form or a JSON body (string numbers allowed)."""
    pairs = raw.items() if isinstance(raw, Mapping) else raw
    out: list[tuple[int, int]] = []
    for item, option in pairs:
        out.append((_int(item, "answers"), _int(option, f"item_{item}")))
    return out


def _int(value: Any, field_name: str) -> int:
    if isinstance(value, bool):
        raise DomainError("answer_invalid", _("Choose one of the answers."), field=field_name)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text.isdigit() or len(text) > 3:
        raise DomainError("answer_invalid", _("Choose one of the answers."), field=field_name)
    return int(text)


def _replay(woman: User, key: str) -> Screening | None:
    if not key:
        return None
    return Screening.objects.filter(woman=woman, idempotency_key=key).first()


def _outcome_of(screening: Screening, *, replayed: bool) -> ScreeningOutcome:
    result = scales.score(
        screening.instrument,
        {a["item"]: a["option"] for a in screening.answers},
        policy=scale_policy(),
    )
    alarm = screening.safety_alarm
    repeat = ScreeningRepeat.objects.filter(asked_by=screening).first()
    return ScreeningOutcome(
        screening=screening,
        result=result,
        crisis=crisis_guidance([alarm]) if alarm is not None else None,
        repeat=repeat,
        replayed=replayed,
    )


def screening_submit(
    *,
    actor: User,
    woman: User,
    instrument: str,
    answers: Mapping[Any, Any] | Sequence[tuple[Any, Any]],
    language: str | None = None,
    context: str = "",
    idempotency_key: str = "",
    request: Any = None,
) -> ScreeningOutcome:
    """Score and store one completed scale, then act on it in the same transaction: a critical
    item (EPDS item 10 > 0, PHQ-9 item 9 > 0) starts the safety pathway at once; a referral
    result opens (or joins) her referral task; an EPDS 10-12 schedules a repeat in 2-4 weeks
    (a due row and a task). A repeat of the same `idempotency_key` returns the first result
    and does nothing more. Refuses an incomplete or malformed set of answers (field named)."""
    _require_for(actor=actor, woman=woman)
    _require_ready(
        actor=actor, woman=woman, instrument=instrument, answers=answers, request=request
    )
    try:
        key = idempotency_key_clean(idempotency_key, KEY_MAX_LENGTH)
        if context and context not in ScreeningContext.values:
            raise DomainError("context_unknown", _("Unknown reason."), field="context")
    except DomainError as refused:
        # Refused and not stored, but a critical answer is still heard at once.
        refused.crisis = _safety_before_ready(  # type: ignore[attr-defined]
            actor=actor, woman=woman, instrument=instrument, answers=answers, request=request
        )
        raise
    replay = _replay(woman, key)
    if replay is not None:
        return _outcome_of(replay, replayed=True)
    scale, pairs, result = _scored(instrument, answers)
    language = language or translation.get_language() or "zh-hans"
    wording = wording_current(scale.instrument, language)
    now = timezone.now()
    today = timezone.localdate(now)
    pregnancy, ga, postpartum_days = stage_facts(woman, today=today)
    if pregnancy is None:
        # Screenings belong to a pregnancy (or the year after a birth); a critical answer
        # still gets the crisis guidance ("call 120": nobody can be alerted without a record).
        exc = DomainError("pregnancy_required", _("Open your pregnancy record first."))
        exc.crisis = crisis_guidance_now() if result.safety_trigger else None  # type: ignore[attr-defined]
        raise exc
    due = _due_on(today=today, last_done=None, ga=ga, postpartum_days=postpartum_days)
    chosen = dict(pairs)
    open_repeat = ScreeningRepeat.objects.filter(
        woman=woman, instrument=scale.instrument, status=RepeatStatus.OPEN
    ).first()
    if not context:
        context = ScreeningContext.REPEAT if open_repeat is not None else ScreeningContext.DUE
    try:
        with transaction.atomic():
            screening = Screening.objects.create(
                woman=woman,
                pregnancy=pregnancy,
                instrument=scale.instrument,
                context=context,
                window=str(due.window) if due is not None and due.window else "",
                wording_language=wording.text.language,
                wording_source=wording.text.source[:300],
                wording_demonstration=wording.text.demonstration,
                wording_version=wording.version,
                answers=[
                    {"item": n, "option": chosen[n], "points": result.points[n - 1]}
                    for n in range(1, len(scale.items) + 1)
                ],
                total=result.total,
                max_total=result.max_total,
                band=result.band.code,
                follow_up=str(result.follow_up),
                findings=[
                    {
                        "rule": f.rule,
                        "follow_up": str(f.follow_up),
                        "values": f.values,
                        "source": f.source,
                        "confidence": f.confidence,
                    }
                    for f in result.findings
                ],
                screen_positive=result.screen_positive,
                safety_trigger=str(result.safety_trigger or ""),
                done_by=actor,
                done_at=now,
                idempotency_key=key,
            )
            audit_record(
                actor=actor,
                action="screening_submit",
                object_type="screening",
                object_id=screening.public_id,
                subject=woman,
                request=request,
                detail={
                    "instrument": scale.instrument,
                    "total": result.total,
                    "band": result.band.code,
                    "follow_up": str(result.follow_up),
                    "safety_trigger": str(result.safety_trigger or ""),
                },
            )
            crisis = None
            if result.safety_trigger is not None:
                pathway = safety_pathway_start(
                    woman=woman,
                    trigger=str(result.safety_trigger),
                    actor=actor,
                    request=request,
                )
                screening.safety_alarm = pathway.alarm
                crisis = crisis_guidance([pathway.alarm])
            if result.follow_up is scales.FollowUp.REFERRAL:
                screening.referral_task = _referral_open(screening, result, actor=actor)
            if open_repeat is not None:
                _repeat_done(open_repeat, screening, actor=actor, request=request)
            repeat = None
            window = scales.repeat_window(result, today)
            if window is not None:
                repeat = _repeat_schedule(screening, window, actor=actor)
            screening.save(update_fields=("safety_alarm", "referral_task"))
    except IntegrityError:
        # The same key submitted at the same moment: the first one stored answers.
        replay = _replay(woman, key)
        if replay is None:
            raise
        return _outcome_of(replay, replayed=True)
    return ScreeningOutcome(
        screening=screening, result=result, crisis=crisis, repeat=repeat, replayed=False
    )


def _scored(
    instrument: str, answers: Mapping[Any, Any] | Sequence[tuple[Any, Any]]
) -> tuple[scales.Scale, list[tuple[int, int]], scales.ScaleResult]:
    """The scale, the answers as pairs and the result; refusals name the field."""
    try:
        scale = scales.SCALES[scales.Instrument(instrument)]
    except ValueError:
        raise DomainError(
            "scale_unknown", _("Choose one of the questionnaires."), field="instrument"
        ) from None
    pairs = _answers(answers)
    try:
        return scale, pairs, scales.score(scale.instrument, pairs, policy=scale_policy())
    except ClinicalValueError as exc:
        raise _domain_error(exc) from None


def _require_ready(
    *,
    actor: User,
    woman: User,
    instrument: str,
    answers: Mapping[Any, Any] | Sequence[tuple[Any, Any]],
    request: Any,
) -> None:
    """Identity and consent first: nothing is stored before, but a critical answer still
    starts the safety pathway and the refusal carries the crisis guidance (`exc.crisis`)."""
    try:
        woman_gate(woman).require_ready()
    except PermissionDenied as exc:
        exc.crisis = _safety_before_ready(  # type: ignore[attr-defined]
            actor=actor, woman=woman, instrument=instrument, answers=answers, request=request
        )
        raise


def _safety_before_ready(
    *,
    actor: User,
    woman: User,
    instrument: str,
    answers: Mapping[Any, Any] | Sequence[tuple[Any, Any]],
    request: Any,
) -> dict[str, Any] | None:
    """The crisis guidance when answers not stored (she is not ready yet) carry a critical
    item: the pathway is started (or, without a pregnancy record, "call 120" is given)."""
    try:
        result = scales.score(instrument, _answers(answers), policy=scale_policy())
    except (ClinicalValueError, DomainError):
        return None
    if result.safety_trigger is None:
        return None
    try:
        pathway = safety_pathway_start(
            woman=woman, trigger=str(result.safety_trigger), actor=actor, request=request
        )
    except DomainError:
        return crisis_guidance_now()
    return crisis_guidance([pathway.alarm])


def _referral_open(
    screening: Screening, result: scales.ScaleResult, *, actor: User
) -> ClinicalTask:
    """One open mental-health referral task per woman: a later positive screening joins it."""
    return task_open(
        woman=screening.woman,
        kind=REFERRAL_KIND,
        key=REFERRAL_KIND,
        reason=gettext("%(scale)s %(total)s/%(max)s: further assessment needed")
        % {
            "scale": screening.get_instrument_display(),
            "total": result.total,
            "max": result.max_total,
        },
        details={
            "screening": str(screening.public_id),
            "instrument": str(screening.instrument),
            "total": result.total,
            "rules": [f.rule for f in result.findings],
        },
        due_on=timezone.localdate(),
        opened_by=actor,
    )


def _repeat_schedule(
    screening: Screening, window: tuple[dt.date, dt.date], *, actor: User
) -> ScreeningRepeat:
    due_from, due_until = window
    task = task_open(
        woman=screening.woman,
        kind=REPEAT_KIND,
        key=f"{REPEAT_KIND}:{screening.instrument}",
        reason=gettext("Repeat %(scale)s between %(start)s and %(end)s")
        % {
            "scale": screening.get_instrument_display(),
            "start": due_from.isoformat(),
            "end": due_until.isoformat(),
        },
        details={"screening": str(screening.public_id), "due_from": due_from.isoformat()},
        due_on=due_until,
        opened_by=actor,
    )
    return ScreeningRepeat.objects.create(
        woman=screening.woman,
        instrument=screening.instrument,
        asked_by=screening,
        due_from=due_from,
        due_until=due_until,
        task=task,
    )


def _repeat_done(
    repeat: ScreeningRepeat, screening: Screening, *, actor: User, request: Any
) -> None:
    repeat.status = RepeatStatus.DONE
    repeat.done_by_screening = screening
    repeat.save(update_fields=("status", "done_by_screening", "updated_at"))
    task = repeat.task
    if task is not None and task.status == TaskStatus.OPEN:
        task_close(
            actor=actor,
            task=task,
            outcome=gettext("Repeated: %(total)s/%(max)s")
            % {"total": screening.total, "max": screening.max_total},
            request=request,
        )


# --- psychological support (IMP-3a) ------------------------------------------------------


def support_record(
    *,
    actor: User,
    woman: User,
    kind: str,
    given_on: dt.date | None = None,
    note: str = "",
    screening_public_id: Any = None,
    close_referral: bool = False,
    request: Any = None,
) -> SupportRecord:
    """A clinician on her care team records the psychological support given (optionally for
    one of her screenings, and closing her open referral task with it); audited."""
    if actor.role not in CLINICAL_ROLES or not can_see_woman(actor, woman):
        raise NotFound()
    if kind not in SupportKind.values:
        raise DomainError("support_kind_unknown", _("Choose the support given."), field="kind")
    today = timezone.localdate()
    given_on = given_on or today
    if given_on > today:
        raise DomainError(
            "given_on_future", _("The date cannot be in the future."), field="given_on"
        )
    note = text_within(note, SUPPORT_NOTE_MAX_LENGTH, field="note")
    screening = None
    if screening_public_id:
        public_id = parse_uuid(screening_public_id)
        screening = (
            Screening.objects.filter(woman=woman, public_id=public_id).first()
            if public_id is not None
            else None
        )
        if screening is None:
            raise DomainError(
                "screening_unknown", _("Choose one of her screenings."), field="screening"
            )
    with transaction.atomic():
        record = SupportRecord.objects.create(
            woman=woman,
            screening=screening,
            kind=kind,
            given_on=given_on,
            note=note,
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action="support_record",
            object_type="support_record",
            object_id=record.public_id,
            subject=woman,
            request=request,
            detail={
                "kind": kind,
                "given_on": given_on.isoformat(),
                "screening": str(screening.public_id) if screening else None,
            },
        )
        if close_referral:
            task = ClinicalTask.objects.filter(
                woman=woman, key=REFERRAL_KIND, status=TaskStatus.OPEN
            ).first()
            if task is not None:
                task_close(
                    actor=actor,
                    task=task,
                    outcome=str(SupportKind(kind).label),
                    request=request,
                )
    return record


# --- the health self-assessment (FA-7, ASM-2) --------------------------------------------


@dataclass
class SelfAssessmentInput:
    """Her answers after the symptom check (each optional unless the form says so)."""

    sleep_hours: Decimal | None = None
    sleep_quality: str = ""
    mood_low: bool | None = None
    mood_little_interest: bool | None = None
    appetite: str = ""
    fruit_veg_daily: bool | None = None
    activity_minutes_week: int | None = None
    smoking: str = ""
    alcohol: str = ""
    second_hand_smoke: bool | None = None
    medicines: list[str] = field(default_factory=list)
    medicines_note: str = ""
    missed_doses: bool | None = None


@dataclass(frozen=True)
class SelfAssessmentOutcome:
    assessment: SelfAssessment
    record: RecordResult | None
    replayed: bool = False


def _choice(value: str, allowed: Any, field_name: str) -> str:
    if value and value not in allowed.values:
        raise DomainError("choice_unknown", _("Choose one of the answers."), field=field_name)
    return value


def _checked_input(data: SelfAssessmentInput) -> SelfAssessmentInput:
    _choice(data.sleep_quality, SleepQuality, "sleep_quality")
    _choice(data.appetite, Appetite, "appetite")
    _choice(data.smoking, SmokingChoice, "smoking")
    _choice(data.alcohol, AlcoholChoice, "alcohol")
    for medicine in data.medicines:
        _choice(medicine, MedicineChoice, "medicines")
    if data.sleep_hours is not None and not Decimal(0) <= data.sleep_hours <= Decimal(24):
        raise DomainError(
            "sleep_hours_range", _("Give the hours of sleep, 0 to 24."), field="sleep_hours"
        )
    if data.activity_minutes_week is not None and not 0 <= data.activity_minutes_week <= 5000:
        raise DomainError(
            "activity_range",
            _("Give the minutes of activity in a week, 0 to 5000."),
            field="activity_minutes_week",
        )
    data.medicines_note = text_within(
        data.medicines_note, MEDICINES_NOTE_MAX_LENGTH, field="medicines_note"
    )
    return data


def self_assessment_findings(data: SelfAssessmentInput) -> list[dict[str, Any]]:
    """The codes of her answers her care team should look at, each with its source."""
    found: list[dict[str, Any]] = []
    if data.mood_low is not None or data.mood_little_interest is not None:
        mood = rules.mood_screen(
            low_mood=bool(data.mood_low), little_interest=bool(data.mood_little_interest)
        )
        if mood.positive:
            found.append(
                {
                    "code": "mood_screen_positive",
                    "offer": [str(i) for i in mood.offer],
                    "source": mood.source,
                    "confidence": mood.confidence,
                }
            )
    for finding in rules.lifestyle_findings(
        smoking=data.smoking or None,
        alcohol=data.alcohol or None,
        second_hand_smoke=data.second_hand_smoke,
        activity_minutes_week=data.activity_minutes_week,
    ):
        found.append(
            {"code": finding.code, "source": finding.source, "confidence": finding.confidence}
        )
    # Her own answers, shown to the team without a rule behind them.
    if data.sleep_quality == SleepQuality.POOR:
        found.append({"code": "sleep_poor", "source": "", "confidence": "P"})
    if data.missed_doses:
        found.append({"code": "missed_doses", "source": "", "confidence": "P"})
    return found


def self_assessment_red_flags(
    *,
    actor: User,
    woman: User,
    symptoms: Sequence[str],
    idempotency_key: str = "",
    request: Any = None,
) -> SelfAssessmentOutcome:
    """The symptom check of a self-assessment: any red flag ticked stops it. The flags are
    reported through monitoring (alarms graded, routed; thoughts of self-harm start the safety
    pathway) and a stopped self-assessment is stored for her care team."""
    _require_for(actor=actor, woman=woman)
    key = idempotency_key_clean(idempotency_key, KEY_MAX_LENGTH)
    existing = (
        SelfAssessment.objects.filter(woman=woman, idempotency_key=key).first() if key else None
    )
    if existing is not None:
        return SelfAssessmentOutcome(existing, None, replayed=True)
    ticked = sorted(set(symptoms))
    if not ticked or any(flag_of(s) is None for s in ticked):
        raise DomainError("symptom_unknown", _("Tick the symptoms you have now."), field="symptoms")
    record = readings_record(
        actor=actor,
        woman=woman,
        items=[ReadingInput(kind=SignKind.SYMPTOM_REPORT, symptoms=ticked)],
        idempotency_key=f"sa:{key}" if key else "",
        request=request,
    )
    with transaction.atomic():
        assessment = SelfAssessment.objects.create(
            woman=woman,
            pregnancy=record.readings[0].pregnancy if record.readings else None,
            done_at=timezone.now(),
            stopped=True,
            symptoms=ticked,
            reading_batch=record.readings[0].batch if record.readings else None,
            idempotency_key=key,
        )
        audit_record(
            actor=actor,
            action="self_assessment_submit",
            object_type="self_assessment",
            object_id=assessment.public_id,
            subject=woman,
            request=request,
            detail={"stopped": True, "symptoms": ticked},
        )
    return SelfAssessmentOutcome(assessment, record)


def self_assessment_submit(
    *,
    actor: User,
    woman: User,
    data: SelfAssessmentInput,
    readings: Sequence[ReadingInput] = (),
    confirm: bool = False,
    idempotency_key: str = "",
    request: Any = None,
) -> SelfAssessmentOutcome:
    """Store her self-assessment after a symptom check without a red flag. The signs she
    entered are recorded through monitoring (graded, alarms raised) first; unusual values
    raise `ConfirmationRequired` and impossible ones a DomainError naming the item, and
    nothing is stored then. The same `idempotency_key` returns the first one stored."""
    _require_for(actor=actor, woman=woman)
    key = idempotency_key_clean(idempotency_key, KEY_MAX_LENGTH)
    existing = (
        SelfAssessment.objects.filter(woman=woman, idempotency_key=key).first() if key else None
    )
    if existing is not None:
        return SelfAssessmentOutcome(existing, None, replayed=True)
    data = _checked_input(data)
    record = None
    if readings:
        if any(item.symptoms for item in readings):
            raise DomainError(
                "symptoms_in_signs",
                _("Symptoms are checked first, on their own."),
                field="symptoms",
            )
        record = readings_record(
            actor=actor,
            woman=woman,
            items=list(readings),
            idempotency_key=f"sa:{key}" if key else "",
            confirm=confirm,
            request=request,
        )
    else:
        woman_gate(woman).require_ready()
        if monitored_pregnancy_of(woman) is None:
            raise DomainError("pregnancy_required", _("Open your pregnancy record first."))
    findings = self_assessment_findings(data)
    pregnancy = (
        record.readings[0].pregnancy
        if record and record.readings
        else monitored_pregnancy_of(woman)
    )
    with transaction.atomic():
        assessment = SelfAssessment.objects.create(
            woman=woman,
            pregnancy=pregnancy,
            done_at=timezone.now(),
            reading_batch=record.readings[0].batch if record and record.readings else None,
            sleep_hours=data.sleep_hours,
            sleep_quality=data.sleep_quality,
            mood_low=data.mood_low,
            mood_little_interest=data.mood_little_interest,
            mood_positive=any(f["code"] == "mood_screen_positive" for f in findings),
            appetite=data.appetite,
            fruit_veg_daily=data.fruit_veg_daily,
            activity_minutes_week=data.activity_minutes_week,
            smoking=data.smoking,
            alcohol=data.alcohol,
            second_hand_smoke=data.second_hand_smoke,
            medicines=sorted(set(data.medicines)),
            medicines_note=data.medicines_note,
            missed_doses=data.missed_doses,
            findings=findings,
            idempotency_key=key,
        )
        audit_record(
            actor=actor,
            action="self_assessment_submit",
            object_type="self_assessment",
            object_id=assessment.public_id,
            subject=woman,
            request=request,
            detail={"findings": [f["code"] for f in findings]},
        )
    return SelfAssessmentOutcome(assessment, record)


def alarms_of_assessment(assessment: SelfAssessment) -> list[Alarm]:
    """The alarms raised by the check-in of `assessment` (its red flags or its signs)."""
    if assessment.reading_batch is None:
        return []
    return list(
        Alarm.objects.filter(
            woman=assessment.woman, reading__batch=assessment.reading_batch
        ).order_by("-grade_rank", "id")
    )


# --- reminders of due screenings (the periodic sweep) ------------------------------------


def screening_reminders_send_due(*, today: dt.date | None = None) -> int:
    """Sweep (daily): remind each woman whose scheduled screening is due (a trimester's, or the
    42-day one after a birth) once per window, and each whose repeat has come due once.

    Set-based: one query for the current pregnancies with her last screening date, one for
    the recent births, one for the repeats now due, one for consent; then one notification per
    reminder (de-duplicated per window and per repeat)."""
    today = today or timezone.localdate()
    last_done = {
        row["woman_id"]: timezone.localdate(row["last"])
        for row in Screening.objects.values("woman_id").annotate(last=Max("done_at"))
        if row["last"] is not None
    }
    due: list[tuple[User, str, str]] = []  # (woman, dedup key, window code)
    for pregnancy in Pregnancy.objects.filter(status=PregnancyStatus.CURRENT).select_related(
        "woman"
    ):
        ga = pregnancy_summary(pregnancy, today=today).ga
        if ga is None:
            continue
        status = scales.screening_due(
            today=today, last_done=_not_after(last_done.get(pregnancy.woman_id), today), ga=ga
        )
        if status.due and status.window is not None:
            due.append(
                (
                    pregnancy.woman,
                    f"screening-due:{pregnancy.public_id}:{status.window}",
                    str(status.window),
                )
            )
    # Her latest birth, 42 days to a year ago, when she is not pregnant again.
    births = (
        Pregnancy.objects.filter(
            status=PregnancyStatus.ENDED,
            end_reason__in=BIRTH_OUTCOMES,
            ended_on__gte=today - dt.timedelta(days=365),
            ended_on__lte=today - dt.timedelta(days=scales.POSTPARTUM_SCREENING_DAY),
        )
        .exclude(woman__pregnancies__status=PregnancyStatus.CURRENT)
        .select_related("woman")
        .order_by("woman_id", "-ended_on", "-id")
    )
    seen: set[int] = set()
    for pregnancy in births:
        if pregnancy.woman_id in seen or pregnancy.ended_on is None:
            continue
        seen.add(pregnancy.woman_id)
        status = scales.screening_due(
            today=today,
            last_done=_not_after(last_done.get(pregnancy.woman_id), today),
            postpartum_days=(today - pregnancy.ended_on).days,
        )
        if status.due and status.window is not None:
            due.append(
                (
                    pregnancy.woman,
                    f"screening-due:{pregnancy.public_id}:{status.window}",
                    str(status.window),
                )
            )
    repeats = list(
        ScreeningRepeat.objects.filter(
            status=RepeatStatus.OPEN, due_from__lte=today, reminded_on__isnull=True
        ).select_related("woman")
    )
    women = {w.pk for w, _k, _c in due} | {r.woman_id for r in repeats}
    if not women:
        return 0
    consented = women_consented(women)
    sent_before = set(
        Notification.objects.filter(
            dedup_key__in=[k for _w, k, _c in due]
            + [f"screening-repeat:{r.public_id}" for r in repeats]
        ).values_list("dedup_key", flat=True)
    )
    sent = 0
    for woman, key, window in due:
        if woman.pk not in consented or key in sent_before:
            continue
        with transaction.atomic(), translation.override(language_of(woman)):
            notification_send(
                recipient=woman,
                kind="screening_due",
                title=gettext("Time for your mood check"),
                body=gettext(
                    "A short questionnaire about how you have been feeling is due now. It "
                    "takes about 5 minutes."
                ),
                link="/wellbeing/",
                payload={"window": window},
                dedup_key=key,
            )
        sent += 1
    for repeat in repeats:
        if repeat.woman_id not in consented:
            continue
        with transaction.atomic(), translation.override(language_of(repeat.woman)):
            notification_send(
                recipient=repeat.woman,
                kind="screening_repeat",
                title=gettext("Please repeat your mood questionnaire"),
                body=gettext("Please fill in the same questions again by %(date)s.")
                % {"date": repeat.due_until.isoformat()},
                link=f"/wellbeing/screen/{repeat.instrument}/",
                payload={"repeat": str(repeat.public_id)},
                dedup_key=f"screening-repeat:{repeat.public_id}",
            )
            ScreeningRepeat.objects.filter(pk=repeat.pk).update(reminded_on=today)
        sent += 1
    return sent


SWEEP_BATCH = 2000  # pregnancies read, and reminders sent, per batch of the self-check sweep


def self_check_reminders_send_due(*, today: dt.date | None = None) -> int:
    """Sweep (daily): remind each pregnant woman whose health self-assessment is due, every
    `ANYUN_SELF_CHECK_REMINDER_DAYS` days since her last one (or since her pregnancy was
    recorded), once per period while she does not fill it in; 0 turns the reminder off.

    Set-based, in batches: per batch one read of the current pregnancies of active women with
    her last self-assessment (a subquery on its index), one for consent and one for the
    reminders already sent; then one notification per reminder."""
    every = settings.ANYUN_SELF_CHECK_REMINDER_DAYS
    if every <= 0:
        return 0
    today = today or timezone.localdate()
    last_done = (
        SelfAssessment.objects.filter(woman=OuterRef("woman_id"))
        .order_by("-done_at")
        .values("done_at")[:1]
    )
    pregnancies = (
        Pregnancy.objects.filter(status=PregnancyStatus.CURRENT, woman__is_active=True)
        .annotate(last_done=Subquery(last_done))
        .select_related("woman")
        .only("public_id", "created_at", "woman")
        .order_by("pk")
    )
    sent = 0
    batch: list[tuple[User, str]] = []
    for pregnancy in pregnancies.iterator(chunk_size=SWEEP_BATCH):
        done = pregnancy.last_done
        since = max(
            timezone.localdate(pregnancy.created_at),
            _not_after(timezone.localdate(done) if done else None, today) or dt.date.min,
        )
        periods = (today - since).days // every
        if periods >= 1:
            due_on = since + dt.timedelta(days=periods * every)
            batch.append((pregnancy.woman, f"self-check-due:{pregnancy.public_id}:{due_on}"))
        if len(batch) >= SWEEP_BATCH:
            sent += _self_check_remind(batch)
            batch = []
    return sent + _self_check_remind(batch)


def _self_check_remind(due: list[tuple[User, str]]) -> int:
    """Send the self-check reminders of one batch: consented women, once per period."""
    if not due:
        return 0
    consented = women_consented({w.pk for w, _k in due})
    sent_before = set(
        Notification.objects.filter(dedup_key__in=[k for _w, k in due]).values_list(
            "dedup_key", flat=True
        )
    )
    sent = 0
    for woman, key in due:
        if woman.pk not in consented or key in sent_before:
            continue
        with transaction.atomic(), translation.override(language_of(woman)):
            notification_send(
                recipient=woman,
                kind="self_check_due",
                title=gettext("Time for your health self-check"),
                body=gettext(
                    "Your signs, how you feel, sleep, food and activity: a few minutes, and "
                    "your care team sees it before your next consultation."
                ),
                link="/wellbeing/check/",
                dedup_key=key,
            )
        sent += 1
    return sent


def _not_after(day: dt.date | None, today: dt.date) -> dt.date | None:
    return day if day is not None and day <= today else None


def new_key() -> str:
    return uuid.uuid4().hex
