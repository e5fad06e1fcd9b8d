"""Assessment reads: clinical tasks, and the five-colour risk (her facts as the record gives
them, her gradings, the policy, the high-risk cases and reports, and whether she may continue
online: ASM-3, IMP-3d).

Facts the record holds are read from their apps' selectors: her birth date (from her verified
ID), height and pre-pregnancy weight, parity and previous caesareans (pregnancy), the highest
confirmed blood pressure (monitoring: a clinic measurement, or a home reading confirmed on
repeat), her open diagnoses. Facts no app holds yet (Hb, platelets, infection tests, the number
of fetuses, ART conception) are entered by the clinician with a grading and read back from her
last grading, marked as such.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from anyun.accounts.models import User
from anyun.assessment.models import (
    CaseStatus,
    ClinicalTask,
    DistrictReport,
    HighRiskCase,
    OnlineCareDecision,
    RiskGrading,
    RiskPolicySetting,
    SuitabilityDecision,
    TaskStatus,
)
from anyun.careteam.selectors import responsible_of, women_visible_to
from anyun.clinical import risk
from anyun.clinical.errors import ClinicalValueError
from anyun.clinical.red_flags import RED_FLAGS
from anyun.clinical.risk_tables import RiskColour
from anyun.core.errors import NotFound
from anyun.monitoring.models import AlarmConfirmation, ReadingSource
from anyun.monitoring.selectors import alarms_of, readings_of
from anyun.pregnancy.models import DeliveryMode, Pregnancy
from anyun.pregnancy.selectors import current_pregnancy_of, diagnoses_open, history_of
from anyun.staff.selectors import clinician_for


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

# Facts the clinician enters with a grading (no app records them yet), read back from her
# last grading on the next one.
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
    "record" or "last_grading")."""

    values: dict[str, Any]
    sources: dict[str, str]
    last_grading: RiskGrading | None


def highest_confirmed_bp(woman: Any, pregnancy: Pregnancy) -> tuple[int | None, int | None]:
    """The highest systolic and diastolic of this pregnancy's confirmed pressures: clinic
    measurements and home readings of an alarm confirmed on repeat (DOMAIN.md section 5)."""
    readings = readings_of(woman, kind="blood_pressure").filter(pregnancy=pregnancy)
    confirmed = alarms_of(woman).filter(
        confirmation=AlarmConfirmation.CONFIRMED, reading__pregnancy=pregnancy
    )
    ids = set(confirmed.values_list("reading_id", flat=True)) | set(
        confirmed.values_list("repeat_reading_id", flat=True)
    )
    rows = readings.filter(Q(source=ReadingSource.CLINIC) | Q(pk__in=ids - {None})).values_list(
        "systolic", "diastolic"
    )
    systolic = max((s for s, _d in rows if s is not None), default=None)
    diastolic = max((d for _s, d in rows if d is not None), default=None)
    return systolic, diastolic


def record_facts(pregnancy: Pregnancy, *, on: dt.date | None = None) -> RecordFacts:
    """Her facts as the record gives them on `on` (default today)."""
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
    history = list(history_of(woman))
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
    last = latest_grading(pregnancy)
    if last is not None:
        for name in ENTERED_FACTS:
            put(name, last.facts.get(name), "last_grading")
    return RecordFacts(values, sources, last)


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


def regrading_proposal_for(pregnancy: Pregnancy) -> risk.Grading | None:
    """The grading her record now gives when it would raise the colour (or add purple) over
    her last grading: a new diagnosis, a confirmed high blood pressure. None: no grading yet,
    or nothing that raises it."""
    facts = record_facts(pregnancy)
    if facts.last_grading is None:
        return None
    policy = risk_policy_current()
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
    """The department's high-risk cases this user may see: a department head sees every case
    whose responsible clinician is in the department; others the cases of the women on
    their care teams. Next review first."""
    visible = Q(woman__in=women_visible_to(user))
    profile = clinician_for(user)
    if profile is not None and profile.is_department_head:
        visible |= Q(responsible__clinician_profile__department=profile.department)
    cases = HighRiskCase.objects.filter(visible)
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

    @property
    def message(self) -> str:
        return online_care_message(self)


def _open_red_flags(woman: Any) -> list[str]:
    rules: list[str] = []
    for findings in alarms_of(woman, open_only=True).values_list("findings", flat=True):
        rules.extend(row.get("rule", "") for row in findings or [])
    return [rule for rule in dict.fromkeys(rules) if rule in RED_FLAG_RULES]


def _red_flag_since(woman: Any, since: dt.datetime | None) -> list[str]:
    alarms = alarms_of(woman)
    if since is not None:
        alarms = alarms.filter(created_at__gt=since)
    rules: list[str] = []
    for findings in alarms.values_list("findings", flat=True):
        rules.extend(row.get("rule", "") for row in findings or [])
    return [rule for rule in dict.fromkeys(rules) if rule in RED_FLAG_RULES]


def eligible_in_person(woman: Any) -> bool:
    """The hospital record shows an in-person visit: a risk grading entered by a clinician (an
    in-person assessment) or a clinic measurement (DOMAIN.md section 9, follow-up only)."""
    if RiskGrading.objects.filter(woman=woman).exists():
        return True
    return readings_of(woman).filter(source=ReadingSource.CLINIC).exists()


def _hospital_of(woman: Any) -> str:
    responsible = responsible_of(woman)
    profile = clinician_for(responsible) if responsible is not None else None
    return profile.department.hospital.name if profile is not None else ""


def online_care_for(woman: User) -> OnlineCareStatus:
    """The decision on her online care with its reason and urgency (see OnlineCareStatus)."""
    policy = risk_policy_current()
    current = current_risk_of(woman)
    colour = RiskColour(current.colour) if current.colour else RiskColour.GREEN
    eligible = eligible_in_person(woman)
    decided = risk.suitability(colour, current.purple, _open_red_flags(woman), eligible, policy)
    pregnancy = current_pregnancy_of(woman)
    case = open_case_of(pregnancy) if pregnancy is not None else None
    decision = SuitabilityDecision.objects.filter(woman=woman).select_related("decided_by").first()
    hospital = _hospital_of(woman)

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
        )

    if decided.decision is risk.OnlineCare.IN_PERSON:
        block = {
            risk.SuitabilityReason.RED_FLAG: BLOCK_RED_FLAG,
            risk.SuitabilityReason.NO_IN_PERSON_DIAGNOSIS: BLOCK_NOT_ELIGIBLE,
        }.get(decided.reason, BLOCK_COLOUR)
        return status(block, decided.urgency.value)
    if decision is not None and decision.decision == OnlineCareDecision.IN_PERSON:
        return status(BLOCK_CLINICIAN, decision.urgency or risk.Urgency.IN_PERSON_NOW.value)
    cleared_at = decision.created_at if decision is not None else None
    flags = _red_flag_since(woman, cleared_at)
    if flags:
        # The flags' own urgency, as the clinical rule words it for open flags.
        latched = risk.suitability(colour, current.purple, flags, eligible, policy)
        return status(BLOCK_RED_FLAG_UNCLEARED, latched.urgency.value)
    if decided.needs_high_risk_case and case is None:
        return status(BLOCK_CASE_REQUIRED, risk.Urgency.IN_PERSON_NOW.value)
    return status("", risk.Urgency.NONE.value)


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
    return f"{why} {where}".strip()
