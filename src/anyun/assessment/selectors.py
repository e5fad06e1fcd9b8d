"""Assessment reads: clinical tasks, and the five-colour risk (her facts as the record gives
them, her gradings, the policy, the high-risk cases and reports, and whether she may continue
online: ASM-3, IMP-3d).

Facts the record holds are read from their apps' selectors: her birth date (from her verified
ID), height and pre-pregnancy weight, parity and previous caesareans (pregnancy), the highest
confirmed blood pressure (monitoring: a clinic measurement, or a home reading confirmed on
repeat), her open diagnoses. Laboratory facts (Hb, platelets, Rh, infection screens) come from
the registered fact sources (``fact_sources``: orders gives its results) when a result is newer
than her last grading; the clinician confirms or corrects them with the grading. The number of
fetuses and the conception (natural or ART) come from her pregnancy record once it holds them
(source "pregnancy"), unless a clinician entered them at her last grading and only she has
changed the record since; until then the clinician enters them and they are read back from her
last grading, marked as such. A value entered with a grading stays in that grading only: the record
is changed on the record's own page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from anyun.accounts.models import CLINICAL_ROLES, User
from anyun.assessment import fact_sources, risk_labels
from anyun.assessment.models import (
    CaseStatus,
    ClinicalTask,
    DistrictReport,
    EligibilityEvidence,
    EvidenceStatus,
    HighRiskCase,
    OnlineCareDecision,
    RiskGrading,
    RiskPolicySetting,
    SuitabilityDecision,
    TaskStatus,
)
from anyun.assessment.task_kinds import kind_label
from anyun.careteam.models import CareTeamMember
from anyun.careteam.selectors import hospital_of_responsible, women_visible_to
from anyun.clinical import risk
from anyun.clinical.anthropometry import bmi
from anyun.clinical.dating import PREGNANCY_LENGTH_DAYS, GestationalAge
from anyun.clinical.errors import ClinicalValueError
from anyun.clinical.national_id import age_on
from anyun.clinical.red_flags import RED_FLAGS
from anyun.clinical.risk_tables import GRADING_ITEMS, SCREENING_ITEMS, RiskColour, RiskItem
from anyun.core.errors import NotFound
from anyun.core.versioned import VersionedValue
from anyun.monitoring.models import Alarm, AlarmConfirmation, ReadingSource
from anyun.monitoring.selectors import (
    ALARM_NOT_OPEN,
    alarms_of,
    chart_print_header_for,
    readings_of,
)
from anyun.pregnancy.models import (
    DeliveryMode,
    DiagnosisCode,
    Pregnancy,
    PregnancyRevision,
    PreviousPregnancy,
)
from anyun.pregnancy.selectors import current_pregnancy_of, diagnoses_open, history_of


def tasks_open_for(woman: Any) -> QuerySet[ClinicalTask]:
    """Her open clinical tasks, soonest due first."""
    return ClinicalTask.objects.filter(woman=woman, status=TaskStatus.OPEN).select_related(
        "assigned_to"
    )


def tasks_open_assigned_to(user: Any) -> QuerySet[ClinicalTask]:
    """The open tasks a clinician has to do, soonest due first."""
    return ClinicalTask.objects.filter(assigned_to=user, status=TaskStatus.OPEN).select_related(
        "woman"
    )


logger = logging.getLogger("anyun.assessment")

# "Not passed: read it" for the optional already-read arguments below (None means "none").
_READ: Any = object()

# Facts the clinician enters with a grading, read back from her last grading on the next one.
# Laboratory values may come from a newer result (fact_sources); "fetuses" and "art_conception"
# from her pregnancy record (Pregnancy.fetus_count, .art_conception) once it holds them.
ENTERED_FACTS: tuple[str, ...] = (
    "hb_g_l",
    "platelets",
    "fetuses",
    "art_conception",
    "rh_negative",
    "syphilis_positive",
    "hiv_positive",
    "hbsag_positive",
    "diabetes_needs_drugs",
)
NUMBER_FACTS = frozenset({"hb_g_l", "platelets", "fetuses"})
_DATE_FACTS = ("on", "birth_date", "edd", "lmp", "last_birth_on")
RED_FLAG_RULES = frozenset(flag.rule for flag in RED_FLAGS if flag.rule)


# --- Policy -----------------------------------------------------------------------------------


def risk_policy_current() -> risk.RiskPolicy:
    """The hospital's policy (`risk_policy_stored`), with no query while it is unchanged."""
    return RISK_POLICY.get()


def risk_policy_stored() -> risk.RiskPolicy:
    """The hospital's policy: the stored setting over the documented defaults. A stored value
    the rules refuse (written past the service) is logged and the defaults are used."""
    values = RiskPolicySetting.objects.filter(pk=1).values_list("values", flat=True).first()
    if not values:
        return risk.DEFAULT_RISK_POLICY
    try:
        return risk.RiskPolicy(**values)
    except (ClinicalValueError, TypeError) as exc:
        logger.error("Risk policy: stored values %r not used (%s).", values, exc)
        return risk.DEFAULT_RISK_POLICY


# Every grading, overview and online-care check reads the policy; it changes a few times a
# year, through `services.risk_policy_set`, which bumps this.
RISK_POLICY: VersionedValue[risk.RiskPolicy] = VersionedValue("risk_policy", risk_policy_stored)


def risk_policy_setting() -> RiskPolicySetting | None:
    return RiskPolicySetting.objects.select_related("changed_by").filter(pk=1).first()


def policy_values(policy: risk.RiskPolicy) -> dict[str, Any]:
    """The policy as plain values (stored with each grading)."""
    return {f.name: _plain(getattr(policy, f.name)) for f in dataclasses.fields(policy)}


def _plain(value: Any) -> Any:
    return value if isinstance(value, bool | int) else str(value)


# --- Facts of her record ----------------------------------------------------------------------


@dataclass(frozen=True)
class RecordFacts:
    """What her record says today, and where each value came from (``sources``: fact ->
    "record", "pregnancy" (an entered fact her pregnancy record holds: fetuses, ART), "lab"
    or "last_grading"; ``sourced``: the lab result behind each "lab" fact)."""

    values: dict[str, Any]
    sources: dict[str, str]
    last_grading: RiskGrading | None
    sourced: dict[str, fact_sources.SourcedFact] = dataclasses.field(default_factory=dict)


def highest_confirmed_bp(woman: Any, pregnancy: Pregnancy) -> tuple[int | None, int | None]:
    """The highest systolic and diastolic of this pregnancy's confirmed pressures: clinic
    measurements and home readings of an alarm confirmed on repeat (DOMAIN.md section 5)."""
    readings = readings_of(woman, kind="blood_pressure").filter(pregnancy=pregnancy)
    confirmed = alarms_of(woman).filter(
        confirmation=AlarmConfirmation.CONFIRMED, reading__pregnancy=pregnancy
    )
    # One statement: the alarms' readings and repeats as subqueries of the readings' read.
    rows = readings.filter(
        Q(source=ReadingSource.CLINIC)
        | Q(pk__in=confirmed.values("reading_id"))
        | Q(pk__in=confirmed.filter(repeat_reading__isnull=False).values("repeat_reading_id"))
    ).values_list("systolic", "diastolic")
    systolic = max((s for s, _d in rows if s is not None), default=None)
    diastolic = max((d for _s, d in rows if d is not None), default=None)
    return systolic, diastolic


# Entered facts the pregnancy record also holds: fact -> the record's field.
RECORD_ENTERED_FACTS: Mapping[str, str] = {
    "fetuses": "fetus_count",
    "art_conception": "art_conception",
}


def _changed_by_clinician_since(pregnancy: Pregnancy, field_name: str, since: dt.datetime) -> bool:
    """Whether a clinician or nurse changed this field of her record after `since`."""
    return any(
        field_name in (revision.changes or {})
        for revision in PregnancyRevision.objects.filter(
            pregnancy=pregnancy, changed_at__gt=since, changed_by__role__in=CLINICAL_ROLES
        ).only("changes")
    )


def record_facts(
    pregnancy: Pregnancy,
    *,
    on: dt.date | None = None,
    last: Any = _READ,
    history: Collection[PreviousPregnancy] | None = None,
) -> RecordFacts:
    """Her facts as the record gives them on `on` (default today); `last`: her latest grading
    of this pregnancy when the caller has read it already (None: she has none); `history`:
    her earlier pregnancies when the caller has read them."""
    woman = pregnancy.woman
    on = on or timezone.localdate()
    profile = getattr(woman, "woman_profile", None)
    values: dict[str, Any] = {"on": on, "edd": pregnancy.edd, "lmp": pregnancy.lmp}
    sources: dict[str, str] = {}

    def put(name: str, value: Any, source: str = "record") -> None:
        if value is not None:
            values[name] = value
            sources[name] = source

    put("birth_date", getattr(profile, "birth_date", None))
    put("height_cm", float(pregnancy.height_cm) if pregnancy.height_cm else None)
    put(
        "pre_pregnancy_weight_kg",
        float(pregnancy.pre_pregnancy_weight_kg) if pregnancy.pre_pregnancy_weight_kg else None,
    )
    put("parity", pregnancy.parity)
    history = list(history_of(woman)) if history is None else history
    if history or pregnancy.parity == 0:
        put(
            "previous_caesareans",
            sum(1 for p in history if p.delivery_mode == DeliveryMode.CAESAREAN),
        )
    systolic, diastolic = highest_confirmed_bp(woman, pregnancy)
    put("highest_systolic", systolic)
    put("highest_diastolic", diastolic)
    values["diagnoses"] = sorted(diagnoses_open(pregnancy).values_list("code", flat=True))
    if values["diagnoses"]:
        sources["diagnoses"] = "record"
    if last is _READ:
        last = latest_grading(pregnancy)
    if last is not None:
        for name in ENTERED_FACTS:
            put(name, last.facts.get(name), "last_grading")
    # Her pregnancy record's number of fetuses and conception, unless a clinician entered them
    # at her last grading and no clinician has changed the record's value since (she may edit
    # her own record: her word does not undo a clinician's entry).
    for name, field_name in RECORD_ENTERED_FACTS.items():
        value = getattr(pregnancy, field_name)
        if value is not None and (
            last is None
            or last.facts.get(name) is None
            or _changed_by_clinician_since(pregnancy, field_name, last.graded_at)
        ):
            put(name, value, "pregnancy")
    # A result taken after her last grading is newer than what the clinician entered there.
    sourced: dict[str, fact_sources.SourcedFact] = {}
    for name, fact in fact_sources.sourced_facts(woman, pregnancy).items():
        if name not in ENTERED_FACTS or fact.value is None or sources.get(name) == "pregnancy":
            continue
        if last is None or fact.taken_at > last.graded_at or name not in last.facts:
            put(name, fact.value, "lab")
            sourced[name] = fact
    return RecordFacts(values, sources, last, sourced)


def entered_over_record(record: RecordFacts, entered: Mapping[str, Any]) -> dict[str, Any]:
    """The entered facts a grading uses: what the clinician entered, else what her pregnancy
    record holds (fetuses, ART), so a twin pregnancy on record is graded as one without being
    entered again. Values from her last grading or a result are only the form's pre-fill."""
    held = {name: entered.get(name) for name in ENTERED_FACTS}
    for name in ENTERED_FACTS:
        if held[name] is None and record.sources.get(name) == "pregnancy":
            held[name] = record.values[name]
    return {name: value for name, value in held.items() if value is not None}


def facts_from_values(values: Mapping[str, Any]) -> risk.RiskFacts:
    """RiskFacts from stored or entered plain values (dates as ISO strings or dates)."""
    data: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            continue
        is_date = name in _DATE_FACTS and isinstance(value, str)
        data[name] = dt.date.fromisoformat(value) if is_date else value
    data["diagnoses"] = frozenset(data.get("diagnoses", ()))
    return risk.RiskFacts(**data)


def facts_to_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Plain values for storing (dates as ISO strings, diagnoses as a sorted list)."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, dt.date):
            out[name] = value.isoformat()
        elif isinstance(value, set | frozenset | tuple | list):
            out[name] = sorted(str(v) for v in value)
        else:
            out[name] = value
    return out


# --- Gradings ---------------------------------------------------------------------------------


def gradings_of(pregnancy: Pregnancy) -> QuerySet[RiskGrading]:
    """Her gradings in this pregnancy, newest first."""
    return RiskGrading.objects.filter(pregnancy=pregnancy).select_related("graded_by")


def latest_grading(pregnancy: Pregnancy) -> RiskGrading | None:
    return gradings_of(pregnancy).first()


def grading_result(row: RiskGrading) -> risk.Grading:
    """The grading a stored row was made of, rebuilt from its facts, answers and policy."""
    policy = risk.RiskPolicy(**row.policy) if row.policy else risk.DEFAULT_RISK_POLICY
    return risk.grade(facts_from_values(row.facts), row.answers, policy)


def regrading_proposal_for(
    pregnancy: Pregnancy,
    *,
    last: Any = _READ,
    policy: risk.RiskPolicy | None = None,
    history: Collection[PreviousPregnancy] | None = None,
) -> risk.Grading | None:
    """The grading her record now gives when it would raise the colour (or add purple) over
    her last grading: a new diagnosis, a confirmed high blood pressure. None: no grading yet,
    or nothing that raises it. `last`, `policy` and `history` when the caller has read them
    already."""
    if last is None:
        return None  # ungraded: nothing to raise (and her record's facts need no read)
    facts = record_facts(pregnancy, last=last, history=history)
    if facts.last_grading is None:
        return None
    policy = policy or risk_policy_current()
    previous = grading_result(facts.last_grading)
    try:
        now = facts_from_values(facts.values)
    except ClinicalValueError:
        return None
    return risk.regrading_proposal(previous, now, policy)


@dataclass(frozen=True)
class CurrentRisk:
    """Her colour now (from the last grading of the current pregnancy), None when ungraded."""

    colour: str | None
    purple: bool
    grading: RiskGrading | None


def current_risk_of(woman: Any) -> CurrentRisk:
    grading = (
        RiskGrading.objects.filter(woman=woman, pregnancy__status="current")
        .select_related("graded_by")
        .first()
    )
    if grading is None:
        return CurrentRisk(None, False, None)
    return CurrentRisk(grading.colour, grading.purple, grading)


def current_colours_of(woman_ids: list[int]) -> dict[int, tuple[str, bool]]:
    """Her current colour and purple flag for each woman graded in her current pregnancy
    (one query): woman id -> (colour, purple)."""
    rows = (
        RiskGrading.objects.filter(woman_id__in=woman_ids, pregnancy__status="current")
        .order_by("woman_id", "-graded_at", "-id")
        .values_list("woman_id", "colour", "purple")
    )
    result: dict[int, tuple[str, bool]] = {}
    for woman_id, colour, purple in rows:
        result.setdefault(woman_id, (colour, purple))
    return result


# --- Cases and reports ------------------------------------------------------------------------


def open_case_of(pregnancy: Pregnancy) -> HighRiskCase | None:
    return (
        HighRiskCase.objects.filter(pregnancy=pregnancy, status=CaseStatus.OPEN)
        .select_related("responsible", "opened_by_grading")
        .first()
    )


def cases_for(user: Any, *, status: str = CaseStatus.OPEN) -> QuerySet[HighRiskCase]:
    """The high-risk cases of the women this user may see (their care teams: the only door to
    a woman's data), next review first; `status` "" for every case."""
    cases = HighRiskCase.objects.filter(woman__in=women_visible_to(user))
    if status:
        cases = cases.filter(status=status)
    return cases.select_related(
        "woman__woman_profile", "responsible", "opened_by_grading"
    ).order_by("next_review_on", "created_at")


def access_case(*, user: Any, case_public_id: Any) -> HighRiskCase:
    try:
        return cases_for(user, status="").get(public_id=case_public_id)
    except (HighRiskCase.DoesNotExist, ValueError) as exc:
        raise NotFound() from exc


def reports_of_case(case: HighRiskCase) -> QuerySet[DistrictReport]:
    return DistrictReport.objects.filter(case=case).select_related("grading", "submitted_by")


def reports_for(user: Any) -> QuerySet[DistrictReport]:
    """The district reports of the cases this user may see, soonest due first."""
    return (
        DistrictReport.objects.filter(case__in=cases_for(user, status=""))
        .select_related("case__woman__woman_profile", "grading__graded_by", "submitted_by")
        .order_by("submitted_at", "due_at")
    )


# --- Suitability for online care (ASM-3, IMP-3d) -----------------------------------------------

BLOCK_RED_FLAG = "red_flag"
BLOCK_COLOUR = "colour"
BLOCK_NOT_ELIGIBLE = "not_eligible"
BLOCK_CASE_REQUIRED = "case_required"
BLOCK_CLINICIAN = "clinician"
BLOCK_RED_FLAG_UNCLEARED = "red_flag_uncleared"


@dataclass(frozen=True)
class OnlineCareStatus:
    """May she start a new online request, and if not why, where to go and how urgently.

    ``suitability`` is the clinical decision (colour, purple, open red flags, eligibility);
    ``block`` the reason a request is refused ("" when allowed): the clinical decision, a
    case-managed colour with no open high-risk case, a clinician's in-person decision, or a
    red flag raised since the last clearance (it stays until a clinician clears it).
    """

    allowed: bool
    block: str
    suitability: risk.Suitability
    urgency: str
    colour: str | None
    purple: bool
    eligible: bool
    case: HighRiskCase | None
    decision: SuitabilityDecision | None
    hospital: str
    # Her open alarms, newest first, when the caller asked for them (`open_alarms=True`): read
    # in the red flags' own statement.
    open_alarms: list[Alarm] = dataclasses.field(default_factory=list)

    @property
    def message(self) -> str:
        return online_care_message(self)


@dataclass(frozen=True)
class _RedFlags:
    open: list[str]  # the red-flag rules of her open alarms
    since: list[str]  # those of every alarm raised after `since` (all of hers: no `since`)
    open_alarms: list[Alarm]  # her open alarms, newest first (only when `rows`)


def _red_flags(woman: Any, *, since: dt.datetime | None, rows: bool = False) -> _RedFlags:
    """Both in one read: her open alarms and those raised after `since`; with `rows`, whole
    alarms (their readings joined) instead of their findings alone, and her open ones kept."""
    alarms = alarms_of(woman)
    if since is not None:
        alarms = alarms.filter(Q(created_at__gt=since) | ~Q(status__in=ALARM_NOT_OPEN))
    open_rules: list[str] = []
    since_rules: list[str] = []
    open_alarms: list[Alarm] = []
    read: Any = (
        ((a.findings, a.status, a.created_at, a) for a in alarms)
        if rows
        else ((*row, None) for row in alarms.values_list("findings", "status", "created_at"))
    )
    for findings, status, created_at, alarm in read:
        rules = [row.get("rule", "") for row in findings or []]
        if status not in ALARM_NOT_OPEN:
            open_rules.extend(rules)
            if alarm is not None:
                open_alarms.append(alarm)
        if since is None or created_at > since:
            since_rules.extend(rules)
    return _RedFlags(_red_flag_rules(open_rules), _red_flag_rules(since_rules), open_alarms)


def _red_flag_rules(rules: list[str]) -> list[str]:
    return [rule for rule in dict.fromkeys(rules) if rule in RED_FLAG_RULES]


def eligible_in_person(woman: Any) -> bool:
    """She has been seen in person (DOMAIN.md section 9, follow-up only): the hospital record
    shows a risk grading entered by a clinician (an in-person assessment) or a clinic
    measurement, or a clinician of her care team accepted the evidence she uploaded of an
    in-person diagnosis elsewhere (POL-13)."""
    # One statement: each door an EXISTS of its own, so each stops at its first row.
    return (
        User.objects.filter(pk=woman.pk)
        .filter(
            Exists(RiskGrading.objects.filter(woman=woman))
            | Exists(
                EligibilityEvidence.objects.filter(woman=woman, status=EvidenceStatus.ACCEPTED)
            )
            | Exists(readings_of(woman).filter(source=ReadingSource.CLINIC))
        )
        .exists()
    )


def _hospital_of(woman: Any, *, team: Collection[CareTeamMember] | None = None) -> str:
    """The hospital of her responsible clinician's department (one read, or none from her
    team already read), else ours."""
    name = hospital_of_responsible(woman, team=team)
    return str(name) if name else str(settings.ANYUN_HOSPITAL_NAME)


def online_care_for(
    woman: User,
    *,
    pregnancy: Any = _READ,
    grading: Any = _READ,
    case: Any = _READ,
    policy: risk.RiskPolicy | None = None,
    team: Collection[CareTeamMember] | None = None,
    open_alarms: bool = False,
) -> OnlineCareStatus:
    """The decision on her online care with its reason and urgency (see OnlineCareStatus).
    Her current pregnancy, its latest grading, its open case, the policy and her care team
    (`care_team_of`) may be passed when the caller has read them already (None: there is
    none); `open_alarms`: her open alarms are wanted too (read with the red flags)."""
    policy = policy or risk_policy_current()
    if pregnancy is _READ:
        pregnancy = current_pregnancy_of(woman)
    if grading is _READ:
        current = current_risk_of(woman)
    elif grading is None:
        current = CurrentRisk(None, False, None)
    else:
        current = CurrentRisk(grading.colour, grading.purple, grading)
    colour = RiskColour(current.colour) if current.colour else RiskColour.GREEN
    eligible = current.grading is not None or eligible_in_person(woman)
    decision = SuitabilityDecision.objects.filter(woman=woman).select_related("decided_by").first()
    # A red flag stays until a clinician clears it: those raised since her last decision, in
    # this pregnancy (a flag of an earlier pregnancy was that pregnancy's).
    starts = [
        t for t in (decision and decision.created_at, pregnancy and pregnancy.created_at) if t
    ]
    red_flags = _red_flags(woman, since=max(starts) if starts else None, rows=open_alarms)
    decided = risk.suitability(colour, current.purple, red_flags.open, eligible, policy)
    if case is _READ:
        case = open_case_of(pregnancy) if pregnancy is not None else None
    hospital = _hospital_of(woman, team=team)

    def status(block: str, urgency: str) -> OnlineCareStatus:
        return OnlineCareStatus(
            allowed=not block,
            block=block,
            suitability=decided,
            urgency=urgency,
            colour=current.colour,
            purple=current.purple,
            eligible=eligible,
            case=case,
            decision=decision,
            hospital=hospital,
            open_alarms=red_flags.open_alarms,
        )

    if decided.decision is risk.OnlineCare.IN_PERSON:
        block = {
            risk.SuitabilityReason.RED_FLAG: BLOCK_RED_FLAG,
            risk.SuitabilityReason.NO_IN_PERSON_DIAGNOSIS: BLOCK_NOT_ELIGIBLE,
        }.get(decided.reason, BLOCK_COLOUR)
        return status(block, decided.urgency.value)
    if decision is not None and decision.decision == OnlineCareDecision.IN_PERSON:
        return status(BLOCK_CLINICIAN, decision.urgency or risk.Urgency.IN_PERSON_NOW.value)
    flags = red_flags.since
    if flags:
        # The flags' own urgency, as the clinical rule words it for open flags.
        latched = risk.suitability(colour, current.purple, flags, eligible, policy)
        return status(BLOCK_RED_FLAG_UNCLEARED, latched.urgency.value)
    if decided.needs_high_risk_case and case is None:
        return status(BLOCK_CASE_REQUIRED, risk.Urgency.IN_PERSON_NOW.value)
    return status("", risk.Urgency.NONE.value)


def suitability_decision_due(woman: User, *, since: dt.datetime) -> bool:
    """Whether her clinician still has to record an online-care decision for the consultation
    that began at `since`: her colour allows online follow-up only inside high-risk case
    management with a clinician's decision at each consultation (DOMAIN.md section 4: orange
    and purple by default), and no decision was recorded since it began."""
    status = online_care_for(woman)
    if not status.allowed or not status.suitability.needs_clinician_decision:
        return False
    return status.decision is None or status.decision.created_at < since


def online_care_message(status: OnlineCareStatus) -> str:
    """What she is told: why online care is paused, where to go and how urgently."""
    if status.allowed:
        return gettext("You may continue your care online.")
    place = status.hospital or gettext("your hospital")
    where = {
        "emergency": gettext(
            "Call 120 or go to the emergency department of the nearest hospital now."
        ),
        "within_24h": gettext("Go to the obstetric clinic of %(place)s in person within 24 hours.")
        % {"place": place},
        "in_person_now": gettext("Come to the obstetric clinic of %(place)s in person today.")
        % {"place": place},
        "book_visit": gettext(
            "Book an in-person prenatal visit at %(place)s; online care can follow it."
        )
        % {"place": place},
    }.get(status.urgency, gettext("Come to the clinic in person."))
    why = {
        BLOCK_RED_FLAG: gettext("You reported a warning sign that must be seen in person."),
        BLOCK_RED_FLAG_UNCLEARED: gettext(
            "You reported a warning sign; a clinician must see you before online care goes on."
        ),
        BLOCK_COLOUR: gettext("Your pregnancy risk needs care in person."),
        BLOCK_NOT_ELIGIBLE: gettext(
            "Online care is for follow-up after you have been seen in person."
        ),
        BLOCK_CASE_REQUIRED: gettext(
            "Your pregnancy risk needs a high-risk care plan before online care can go on."
        ),
        BLOCK_CLINICIAN: gettext("Your clinician has asked to see you in person."),
    }.get(status.block, "")
    if not why:
        return where
    # Two sentences: a space between them in English, none in Chinese.
    return gettext("%(why)s %(where)s") % {"why": why, "where": where}


# --- The grading page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemRow:
    """One grading item as the form shows it. ``decidable``: the record can answer it (a
    select "as the record says / yes / no"); otherwise a tick box. ``answer`` is what the
    form holds ("", "yes", "no")."""

    code: str
    label: str
    colour: str
    confidence: str
    source: str
    decidable: bool
    record_value: bool | None
    evidence: str
    answer: str
    matched: bool


@dataclass(frozen=True)
class ItemGroup:
    code: str
    label: str
    items: list[ItemRow]


@dataclass(frozen=True)
class FactRow:
    name: str
    label: str
    value: str
    source: str  # "record", "last_grading", "" (not known)


@dataclass(frozen=True)
class MatchedRow:
    code: str
    label: str
    colour: str
    basis: str
    basis_label: str
    source: str
    confidence: str
    confidence_label: str
    evidence: str

    @property
    def colour_label(self) -> str:
        return risk_labels.colour_label(self.colour)


@dataclass(frozen=True)
class GradingForm:
    groups: list[ItemGroup]
    screening_groups: list[ItemGroup]
    screening: risk.ScreeningResult | None
    screening_rows: list[MatchedRow]
    record: list[FactRow]
    entered: dict[str, Any]
    entered_sources: dict[str, str]
    entered_sourced: dict[str, fact_sources.SourcedFact]
    diagnoses: list[tuple[str, str, bool]]
    preview: risk.Grading | None
    preview_rows: list[MatchedRow]
    last_grading: RiskGrading | None


def matched_rows(items: list[dict[str, Any]]) -> list[MatchedRow]:
    """A stored grading's matched items in words (the history, the overview)."""
    return [
        MatchedRow(
            code=row["code"],
            label=risk_labels.item_label(row["code"]),
            colour=row.get("colour", ""),
            basis=row.get("basis", ""),
            basis_label=str(risk_labels.BASIS_LABELS.get(row.get("basis", ""), "")),
            source=row.get("source", ""),
            confidence=row.get("confidence", ""),
            confidence_label=str(risk_labels.CONFIDENCE_LABELS.get(row.get("confidence", ""), "")),
            evidence=risk_labels.evidence_text(row.get("evidence") or {}),
        )
        for row in items
    ]


def _shown(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def grading_form(
    pregnancy: Pregnancy,
    *,
    entered: Mapping[str, Any] | None = None,
    diagnoses: list[str] | None = None,
    answers: Mapping[str, bool] | None = None,
    screening: Mapping[str, bool] | None = None,
) -> GradingForm:
    """The grading page: every item of 附件2 by factor, pre-filled from her record (and the
    values the form now holds), the record's facts with where each came from, and the
    grading the form would store now (``preview``; None when the facts are refused)."""
    record = record_facts(pregnancy)
    policy = risk_policy_current()
    held = {k: record.values.get(k) for k in ENTERED_FACTS}
    if entered is not None:
        held = {k: entered.get(k) for k in ENTERED_FACTS} | entered_over_record(record, entered)
    open_codes = list(record.values.get("diagnoses", []))
    chosen = open_codes if diagnoses is None else list(diagnoses)
    values = {k: v for k, v in record.values.items() if k not in ENTERED_FACTS}
    values.update({k: v for k, v in held.items() if v is not None})
    values["diagnoses"] = sorted(set(chosen))
    answers = dict(answers or {})
    screening = dict(screening or {})
    preview: risk.Grading | None = None
    screened: risk.ScreeningResult | None = None
    prefilled: dict[str, risk.Prefill] = {}
    screen_prefilled: dict[str, risk.Prefill] = {}
    try:
        facts = facts_from_values(values)
        preview = risk.grade(facts, answers, policy)
        prefilled = risk.prefill(risk.Table.GRADING, facts, policy)
        screened = risk.screen(facts, screening, policy)
        screen_prefilled = risk.prefill(risk.Table.SCREENING, facts, policy)
    except ClinicalValueError:
        pass
    groups = _item_groups(GRADING_ITEMS, prefilled, answers, preview)
    screening_groups = _item_groups(SCREENING_ITEMS, screen_prefilled, screening, screened)
    profile = getattr(pregnancy.woman, "woman_profile", None)
    birth = getattr(profile, "birth_date", None)
    facts_shown: list[FactRow] = []
    if birth is not None:
        facts_shown.append(
            FactRow(
                "age_years",
                risk_labels.fact_label("age_years"),
                str(age_on(birth, record.values["on"])),
                "record",
            )
        )
    for name in (
        "height_cm",
        "pre_pregnancy_weight_kg",
        "parity",
        "previous_caesareans",
        "highest_systolic",
        "highest_diastolic",
    ):
        value = record.values.get(name)
        facts_shown.append(
            FactRow(
                name,
                risk_labels.fact_label(name),
                _shown(name, value) if value is not None else "",
                record.sources.get(name, ""),
            )
        )
    if record.values.get("height_cm") and record.values.get("pre_pregnancy_weight_kg"):
        facts_shown.append(
            FactRow(
                "bmi",
                risk_labels.fact_label("bmi"),
                f"{bmi(height_cm=values['height_cm'], weight_kg=values['pre_pregnancy_weight_kg']):g}",
                "record",
            )
        )
    return GradingForm(
        groups=groups,
        screening_groups=screening_groups,
        screening=screened,
        screening_rows=matched_rows(_preview_items(screened.matched)) if screened else [],
        record=facts_shown,
        entered=held,
        entered_sources={k: record.sources.get(k, "") for k in ENTERED_FACTS},
        entered_sourced=record.sourced,
        diagnoses=[(code, str(label), code in chosen) for code, label in DiagnosisCode.choices],
        preview=preview,
        preview_rows=matched_rows(_preview_items(preview.matched)) if preview is not None else [],
        last_grading=record.last_grading,
    )


def _item_groups(
    items: tuple[RiskItem, ...],
    prefilled: Mapping[str, risk.Prefill],
    answers: Mapping[str, bool],
    result: risk.Grading | risk.ScreeningResult | None,
) -> list[ItemGroup]:
    """The items of one table by group as the form shows them."""
    outcome = {o.code: o for o in result.items} if result is not None else {}
    groups: dict[str, ItemGroup] = {}
    for item in items:
        group = groups.setdefault(
            str(item.group),
            ItemGroup(str(item.group), risk_labels.group_label(str(item.group)), []),
        )
        pre = prefilled.get(item.code)
        answer = answers.get(item.code)
        group.items.append(
            ItemRow(
                code=item.code,
                label=risk_labels.item_label(item.code),
                colour=str(item.colour) if item.colour else "",
                confidence=item.confidence,
                source=item.source,
                decidable=item.decided_by is not None,
                record_value=pre.value if pre is not None else None,
                evidence=risk_labels.evidence_text(dict(pre.evidence)) if pre else "",
                answer="" if answer is None else ("yes" if answer else "no"),
                matched=bool(outcome[item.code].matched) if item.code in outcome else False,
            )
        )
    return list(groups.values())


def _preview_items(matched: tuple[risk.ItemOutcome, ...]) -> list[dict[str, Any]]:
    return [
        {
            "code": o.code,
            "colour": str(o.item.colour) if o.item.colour else "",
            "basis": str(o.basis) if o.basis else "",
            "source": o.item.source,
            "confidence": o.item.confidence,
            "evidence": dict(o.evidence),
        }
        for o in matched
    ]


# --- Her risk as the overview and the history show it -----------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    grading: RiskGrading
    rows: list[MatchedRow]


@dataclass(frozen=True)
class RiskOverview:
    """Her risk for the clinician's pages: the current grading, the history (newest first),
    the regrading proposal, her open case, her online-care status."""

    current: RiskGrading | None
    current_rows: list[MatchedRow]
    timeline: list[TimelineEntry]
    proposal: risk.Grading | None
    case: HighRiskCase | None
    online: OnlineCareStatus
    pregnancy: Pregnancy | None
    tasks: list[TaskRow]


@dataclass(frozen=True)
class TaskRow:
    """An open clinical task in words (its kind's label, never the code)."""

    task: ClinicalTask
    label: str


def task_rows(tasks: QuerySet[ClinicalTask]) -> list[TaskRow]:
    return [TaskRow(task, kind_label(task.kind)) for task in tasks[:50]]


def risk_overview_for(
    woman: User,
    *,
    pregnancy: Any = _READ,
    history: Collection[PreviousPregnancy] | None = None,
    team: Collection[CareTeamMember] | None = None,
) -> RiskOverview:
    """Her risk on her overview: her current pregnancy's gradings (the latest first), a
    proposed regrading, her open case, her online care (with her open alarms) and her open
    tasks. Each thing is read once and handed on (`pregnancy`, her earlier pregnancies,
    `history`, and her care team, `team`, when the caller has read them already)."""
    if pregnancy is _READ:
        pregnancy = current_pregnancy_of(woman)
    if pregnancy is not None:
        pregnancy.woman = woman  # the caller's woman, her profile already read
    gradings = list(gradings_of(pregnancy)[:20]) if pregnancy is not None else []
    current = gradings[0] if gradings else None
    # A case is opened by a grading of its pregnancy (HighRiskCase.opened_by_grading): an
    # ungraded pregnancy has none to read.
    case = open_case_of(pregnancy) if current is not None else None
    policy = risk_policy_current()
    return RiskOverview(
        current=current,
        current_rows=matched_rows(current.items) if current else [],
        timeline=[TimelineEntry(g, matched_rows(g.items)) for g in gradings],
        proposal=(
            regrading_proposal_for(pregnancy, last=current, policy=policy, history=history)
            if pregnancy is not None
            else None
        ),
        case=case,
        online=online_care_for(
            woman,
            pregnancy=pregnancy,
            grading=current,
            case=case,
            policy=policy,
            team=team,
            open_alarms=True,
        ),
        pregnancy=pregnancy,
        tasks=task_rows(tasks_open_for(woman)),
    )


# --- Policy page, district report -----------------------------------------------------------


@dataclass(frozen=True)
class PolicyRow:
    name: str
    label: str
    value: Any
    default: Any
    choices: list[tuple[str, str]]
    source: str
    confidence: str

    @property
    def value_label(self) -> str:
        return _choice_word(self.value)

    @property
    def default_label(self) -> str:
        return _choice_word(self.default)


def _choice_word(value: Any) -> str:
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    label = risk_labels.CHOICE_LABELS.get(str(value))
    return str(label) if label is not None else str(value)


_POLICY_CHOICES: dict[str, list[str]] = {
    "boundary": [r.value for r in risk.BoundaryRule],
    "age_at": [a.value for a in risk.AgeAt],
    "online": [o.value for o in risk.OnlineCare],
}


def policy_rows() -> list[PolicyRow]:
    """Each policy field: its value in force, the documented default, its choices, source."""
    current = policy_values(risk_policy_current())
    default = policy_values(risk.DEFAULT_RISK_POLICY)
    rows = []
    for name, value in current.items():
        if name.startswith(("hb_", "platelets_")):
            choices = _POLICY_CHOICES["boundary"]
        elif name == "age_at":
            choices = _POLICY_CHOICES["age_at"]
        elif name.startswith("online_"):
            choices = _POLICY_CHOICES["online"]
        else:
            choices = []
        source, confidence = risk.POLICY_SOURCES.get(name, ("", ""))
        rows.append(
            PolicyRow(
                name=name,
                label=str(risk_labels.POLICY_LABELS.get(name, name)),
                value=value,
                default=default[name],
                choices=[(c, _choice_word(c)) for c in choices],
                source=source,
                confidence=confidence,
            )
        )
    return rows


@dataclass(frozen=True)
class ReportView:
    """The report to the district maternal-child health institution, as printed and exported."""

    report: DistrictReport
    header: Any  # monitoring's PrintHeader: hospital, name, masked ID, EDD, printed at
    colour_label: str
    purple: bool
    ga: str
    rows: list[MatchedRow]
    responsible: str
    grader: str

    @property
    def csv_row(self) -> list[str]:
        r = self.report
        return [
            self.header.name,
            self.header.masked_id,
            self.header.edd.isoformat(),
            self.ga,
            self.colour_label,
            gettext("yes") if self.purple else gettext("no"),
            "; ".join(row.label for row in self.rows),
            timezone.localtime(r.grading.graded_at).strftime("%Y-%m-%d %H:%M"),
            self.grader,
            self.responsible,
            timezone.localtime(r.due_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(r.submitted_at).strftime("%Y-%m-%d %H:%M") if r.submitted_at else "",
        ]


def REPORT_CSV_HEADER() -> list[str]:  # noqa: N802 - a constant in the active language
    return [
        gettext("Name"),
        gettext("ID number (masked)"),
        gettext("Due date (EDD)"),
        gettext("Gestational age at grading"),
        gettext("Colour"),
        gettext("Purple"),
        gettext("Matched items"),
        gettext("Graded at"),
        gettext("Graded by"),
        gettext("Responsible clinician"),
        gettext("Report due"),
        gettext("Sent"),
    ]


def district_report_view(report: DistrictReport, *, printed_at: dt.datetime) -> ReportView:
    grading = report.grading
    pregnancy = grading.pregnancy
    header = chart_print_header_for(pregnancy, printed_at=printed_at)
    days = (
        PREGNANCY_LENGTH_DAYS - (pregnancy.edd - timezone.localtime(grading.graded_at).date()).days
    )
    return ReportView(
        report=report,
        header=header,
        colour_label=risk_labels.colour_label(report.colour),
        purple=grading.purple,
        ga=str(GestationalAge(days)) if 0 <= days <= 45 * 7 else "",
        rows=matched_rows(grading.items),
        responsible=str(report.case.responsible or ""),
        grader=str(grading.graded_by),
    )


def risk_colours_of(woman_ids: Collection[int]) -> dict[int, tuple[str, bool]]:
    """(colour, purple) of each woman's last grading in her current pregnancy: one read for
    a whole page of women; the ungraded are absent."""
    found: dict[int, tuple[str, bool]] = {}
    rows = (
        RiskGrading.objects.filter(woman_id__in=woman_ids, pregnancy__status="current")
        .order_by("woman_id", "-graded_at", "-id")
        .values_list("woman_id", "colour", "purple")
    )
    for woman_id, colour, purple in rows:
        found.setdefault(woman_id, (colour, purple))
    return found


def risk_badges(woman_ids: Collection[int]) -> dict[int, SafeString]:
    """Her colour badge (words, not colour alone) for the pages of the apps below this one
    (`monitoring.name_badges`): "not graded" too, so a missing grading is seen."""
    colours = risk_colours_of(woman_ids)
    return {
        pk: render_to_string(
            "assessment/_risk_badge.html",
            {"colour": colours.get(pk, ("", False))[0], "purple": colours.get(pk, ("", False))[1]},
        )
        for pk in woman_ids
    }


# --- Follow-up eligibility evidence (POL-13) ----------------------------------------------------


def evidence_of(woman: Any) -> QuerySet[EligibilityEvidence]:
    """Her uploaded evidence, newest first."""
    return EligibilityEvidence.objects.filter(woman=woman).select_related("reviewed_by")


def evidence_pending_of(woman: Any) -> EligibilityEvidence | None:
    return EligibilityEvidence.objects.filter(woman=woman, status=EvidenceStatus.SUBMITTED).first()


def evidence_pending_for(user: Any) -> QuerySet[EligibilityEvidence]:
    """Evidence waiting for review from the women on the user's care teams, oldest first."""
    return (
        EligibilityEvidence.objects.filter(
            status=EvidenceStatus.SUBMITTED, woman__in=women_visible_to(user)
        )
        .select_related("woman", "woman__woman_profile")
        .order_by("created_at", "id")
    )


def access_evidence(*, user: Any, evidence_public_id: Any) -> EligibilityEvidence:
    """The evidence if the user may see it (she, or a member of her care team); the same
    NotFound for missing and not allowed."""
    try:
        return EligibilityEvidence.objects.select_related("woman").get(
            public_id=evidence_public_id, woman__in=women_visible_to(user)
        )
    except (EligibilityEvidence.DoesNotExist, ValueError, ValidationError) as exc:
        raise NotFound() from exc
