"""Five-colour pregnancy risk: screening, grading, management and suitability for online care.

Source: 《孕产妇妊娠风险评估与管理工作规范》 (国卫办妇幼发〔2017〕35号), DOMAIN.md section 4;
the items and their marks are in :mod:`anyun.clinical.risk_tables`; the follow-up-only rule of
online care is DOMAIN.md section 9 (医师法 Art. 30 [V]); red flags are section 6.

The process [V]: at the first visit every woman is screened (:func:`screen`); screen-negative
means green; screen-positive means graded (:func:`grade`). She is graded again whenever her
condition changes (:func:`regrading_proposal` says when her new record would raise the colour).
Items the record can decide are pre-filled (:func:`prefill`); every answer the clinician gives
overrides the record and is kept, and each item of a result says where its value came from
(:class:`Basis`). The highest colour wins; purple is a flag shown beside it.
:func:`management_for` gives what the colour requires; :func:`suitability` decides whether she may
continue online. Every hospital choice is a field of :class:`RiskPolicy` with the documented
default.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from anyun.clinical.anthropometry import bmi, validate_height_cm, validate_weight_kg
from anyun.clinical.dating import GestationalAge
from anyun.clinical.errors import clinical_error
from anyun.clinical.national_id import age_on
from anyun.clinical.red_flags import RED_FLAGS, FlagAction, flag_of
from anyun.clinical.risk_tables import (
    GRADING_ITEMS,
    GRADING_SOURCE,
    HBSAG_CARRIER,
    RULESET_VERSION,
    SCREENING_ITEMS,
    AnyOf,
    Asked,
    BirthInterval,
    Bound,
    Confidence,
    Criterion,
    Diagnosis,
    Fact,
    HasDiagnosis,
    Is,
    ItemColour,
    Range,
    RiskColour,
    RiskItem,
    SharedBoundary,
    Table,
)

__all__ = [
    "DEFAULT_RISK_POLICY",
    "FACT_RANGES",
    "MANAGEMENT_SOURCES",
    "POLICY_SOURCES",
    "SUITABILITY_SOURCE",
    "AgeAt",
    "Basis",
    "BoundaryRule",
    "Grading",
    "ItemOutcome",
    "Management",
    "ManagementAction",
    "OnlineCare",
    "Prefill",
    "RiskFacts",
    "RiskPolicy",
    "ScreeningResult",
    "Suitability",
    "SuitabilityReason",
    "Urgency",
    "grade",
    "management_for",
    "prefill",
    "raises_risk",
    "regrading_proposal",
    "screen",
    "suitability",
]


# --- Policy ---------------------------------------------------------------------------------


class BoundaryRule(StrEnum):
    """Which colour a value on a :class:`SharedBoundary` belongs to."""

    MORE_SEVERE = "more_severe"
    LESS_SEVERE = "less_severe"


class AgeAt(StrEnum):
    """The day her age is counted on for the age items: the assessment or the due date."""

    ASSESSMENT = "assessment"
    EDD = "edd"


class OnlineCare(StrEnum):
    """May she continue online? Ordered from most open to closed."""

    ALLOWED = "allowed"
    CASE_MANAGED = "case_managed"  # only inside high-risk case management, clinician decides
    IN_PERSON = "in_person"  # online care stops: she is directed to in-person care

    @property
    def rank(self) -> int:
        return _ONLINE_RANKS[self]


_ONLINE_RANKS: Final = {OnlineCare.ALLOWED: 0, OnlineCare.CASE_MANAGED: 1, OnlineCare.IN_PERSON: 2}

LOCAL_POLICY: Final = "Hospital local policy"
SUITABILITY_SOURCE: Final = (
    "国卫办妇幼发〔2017〕35号 (management per colour); 互联网诊疗管理办法（试行）2018 (online "
    "follow-up after an in-person diagnosis); suitability for internet care is hospital policy"
)
PMTCT_2020: Final = "预防艾滋病、梅毒和乙肝母婴传播工作规范 (2020): HBV-infected women are purple"

# Source and mark of each policy default (DOMAIN.md section 4).
POLICY_SOURCES: Final[dict[str, tuple[str, Confidence]]] = {
    "hb_60": (GRADING_SOURCE + "; shared boundary rule", "V"),
    "hb_40": (GRADING_SOURCE + "; shared boundary rule", "V"),
    "platelets_50": (GRADING_SOURCE + "; shared boundary rule", "V"),
    "platelets_30": (GRADING_SOURCE + "; shared boundary rule", "V"),
    "hbsag_carrier_purple": (PMTCT_2020, "S"),
    "age_at": (LOCAL_POLICY, "P"),
    "online_green": (SUITABILITY_SOURCE, "V"),
    "online_yellow": (SUITABILITY_SOURCE, "V"),
    "online_orange": (SUITABILITY_SOURCE, "V"),
    "online_red": (SUITABILITY_SOURCE, "V"),
    "online_purple": (SUITABILITY_SOURCE, "V"),
    "orange_report_hours": ("Report to the district institution, deadline", "P"),
    "red_report_hours": ("Report to the district institution, deadline", "P"),
}


@dataclass(frozen=True)
class RiskPolicy:
    """The hospital's choices for risk grading and online care; defaults from DOMAIN.md s. 4.

    - ``hb_60``, ``hb_40``, ``platelets_50``, ``platelets_30``: the colour of a value two bands
      share; default the more severe colour (Hb 60 orange, Hb 40 red, platelets 50 orange,
      platelets 30 red).
    - ``hbsag_carrier_purple``: an HBsAg carrier with normal liver function (yellow in 附件2)
      also gets the purple flag; default yes, as the 2020 PMTCT rules treat HBV-infected women.
    - ``age_at``: the age items count her age on the assessment day (default) or on her EDD.
    - ``online_<colour>``: what each colour means for online care; default green and yellow
      allowed, orange and purple only inside high-risk case management, red in person. A higher
      colour can never be more open than a lower one (``risk_policy_online_order``).
    - ``orange_report_hours``, ``red_report_hours``: the deadline of the report to the
      district maternal-child health institution, default 3 days and 24 hours [P].

    Strings (from a settings form) are accepted for the enum fields; an unknown value or a
    deadline not above 0 is refused (``risk_policy_value``).
    """

    hb_60: BoundaryRule = BoundaryRule.MORE_SEVERE
    hb_40: BoundaryRule = BoundaryRule.MORE_SEVERE
    platelets_50: BoundaryRule = BoundaryRule.MORE_SEVERE
    platelets_30: BoundaryRule = BoundaryRule.MORE_SEVERE
    hbsag_carrier_purple: bool = True
    age_at: AgeAt = AgeAt.ASSESSMENT
    online_green: OnlineCare = OnlineCare.ALLOWED
    online_yellow: OnlineCare = OnlineCare.ALLOWED
    online_orange: OnlineCare = OnlineCare.CASE_MANAGED
    online_red: OnlineCare = OnlineCare.IN_PERSON
    online_purple: OnlineCare = OnlineCare.CASE_MANAGED
    orange_report_hours: int = 72
    red_report_hours: int = 24

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            kind = _POLICY_ENUMS.get(f.name)
            value = getattr(self, f.name)
            if kind is not None:
                try:
                    object.__setattr__(self, f.name, kind(value))
                except ValueError:
                    raise clinical_error(
                        "risk_policy_value", field=f.name, name=f.name, value=str(value)
                    ) from None
            elif not _plain_value_ok(f.name, value):
                raise clinical_error(
                    "risk_policy_value", field=f.name, name=f.name, value=str(value)
                )
        ranked = [RiskColour.GREEN, RiskColour.YELLOW, RiskColour.ORANGE, RiskColour.RED]
        for lower, higher in zip(ranked, ranked[1:], strict=False):
            if self.online_for(higher).rank < self.online_for(lower).rank:
                raise clinical_error(
                    "risk_policy_online_order",
                    field=f"online_{higher}",
                    higher=str(higher),
                    lower=str(lower),
                )

    def boundary(self, shared: SharedBoundary) -> BoundaryRule:
        return BoundaryRule(getattr(self, shared.value))

    def online_for(self, colour: RiskColour) -> OnlineCare:
        return OnlineCare(getattr(self, f"online_{colour}"))


def _plain_value_ok(name: str, value: object) -> bool:
    if name == "hbsag_carrier_purple":
        return isinstance(value, bool)
    # The report deadlines: a whole number of hours above 0.
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


_POLICY_ENUMS: Final[dict[str, type[StrEnum]]] = {
    "hb_60": BoundaryRule,
    "hb_40": BoundaryRule,
    "platelets_50": BoundaryRule,
    "platelets_30": BoundaryRule,
    "age_at": AgeAt,
    "online_green": OnlineCare,
    "online_yellow": OnlineCare,
    "online_orange": OnlineCare,
    "online_red": OnlineCare,
    "online_purple": OnlineCare,
}

DEFAULT_RISK_POLICY: Final = RiskPolicy()


# --- Facts of her record --------------------------------------------------------------------

# Values a lab or record can hold (refused outside: ``risk_fact_range``): local plausibility
# ranges [P]; fasting glucose and BP as DOMAIN.md section 5's impossible values.
FACT_RANGES: Final[dict[str, tuple[float, float]]] = {
    "hb_g_l": (20, 250),
    "platelets": (0, 2000),
    "ferritin": (0, 5000),
    "fasting_glucose": (0.5, 40),
    "fetuses": (1, 8),
    "previous_caesareans": (0, 10),
    "parity": (0, 20),
    "highest_systolic": (50, 300),
    "highest_diastolic": (20, 200),
}


@dataclass(frozen=True)
class RiskFacts:
    """What her record already says, on the day `on` of the assessment. None: not recorded.

    `height_cm` and `pre_pregnancy_weight_kg` give the BMI; `parity` and `last_birth_on` with
    `lmp` give the birth interval; `highest_systolic`/`highest_diastolic` are the highest
    confirmed pressures (a clinic reading, or a home reading confirmed by a repeat);
    `fasting_glucose_ga` is the GA when the fasting glucose was taken; `diagnoses` her known
    conditions; `diabetes_needs_drugs` whether her diabetes is treated with drugs.
    Refuses values outside :data:`FACT_RANGES` (``risk_fact_range``), a height or weight that
    cannot be (``height_range``, ``weight_range``) and a birth date after `on`
    (``date_before_birth``).
    """

    on: dt.date
    birth_date: dt.date | None = None
    edd: dt.date | None = None
    lmp: dt.date | None = None
    height_cm: float | None = None
    pre_pregnancy_weight_kg: float | None = None
    parity: int | None = None
    last_birth_on: dt.date | None = None
    previous_caesareans: int | None = None
    fetuses: int | None = None
    art_conception: bool | None = None
    rh_negative: bool | None = None
    hb_g_l: float | None = None
    platelets: float | None = None
    ferritin: float | None = None
    fasting_glucose: float | None = None
    fasting_glucose_ga: GestationalAge | None = None
    glycosuria: bool | None = None
    highest_systolic: int | None = None
    highest_diastolic: int | None = None
    syphilis_positive: bool | None = None
    hiv_positive: bool | None = None
    hbsag_positive: bool | None = None
    diagnoses: frozenset[Diagnosis] = frozenset()
    diabetes_needs_drugs: bool | None = None

    def __post_init__(self) -> None:
        for name, (low, high) in FACT_RANGES.items():
            value = getattr(self, name)
            if value is not None and not low <= value <= high:
                raise clinical_error(
                    "risk_fact_range",
                    field=name,
                    fact=name,
                    min_value=low,
                    max_value=high,
                    value=value,
                )
        if self.height_cm is not None:
            validate_height_cm(self.height_cm)
        if self.pre_pregnancy_weight_kg is not None:
            validate_weight_kg(self.pre_pregnancy_weight_kg)
        if self.birth_date is not None:
            age_on(self.birth_date, self.on)
        object.__setattr__(self, "diagnoses", frozenset(Diagnosis(d) for d in self.diagnoses))


def _fact_value(facts: RiskFacts, fact: Fact, policy: RiskPolicy) -> float | bool | None:
    if fact is Fact.AGE_YEARS:
        day = facts.on if policy.age_at is AgeAt.ASSESSMENT else facts.edd
        if facts.birth_date is None or day is None:
            return None
        return age_on(facts.birth_date, day)
    if fact is Fact.BMI:
        if facts.height_cm is None or facts.pre_pregnancy_weight_kg is None:
            return None
        return bmi(height_cm=facts.height_cm, weight_kg=facts.pre_pregnancy_weight_kg)
    if fact is Fact.FASTING_GLUCOSE_GA_DAYS:
        return None if facts.fasting_glucose_ga is None else facts.fasting_glucose_ga.days
    if fact is Fact.SYSTOLIC:
        return facts.highest_systolic
    if fact is Fact.DIASTOLIC:
        return facts.highest_diastolic
    value: float | bool | None = getattr(facts, fact.value)
    return value


# --- Deciding an item from the facts --------------------------------------------------------


def _inclusive(bound: Bound, policy: RiskPolicy) -> bool:
    if bound.shared is None:
        return bound.inclusive
    return (policy.boundary(bound.shared) is BoundaryRule.MORE_SEVERE) == bound.severe_side


def _in_range(value: float, criterion: Range, policy: RiskPolicy) -> bool:
    low, high = criterion.low, criterion.high
    if low is not None and not (
        value >= low.value if _inclusive(low, policy) else value > low.value
    ):
        return False
    return high is None or (value <= high.value if _inclusive(high, policy) else value < high.value)


def _add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months; a day past the month's end falls on its last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def _evaluate(
    criterion: Criterion, facts: RiskFacts, policy: RiskPolicy, evidence: dict[str, object]
) -> bool | None:
    """True, False, or None when the record cannot say; `evidence` collects the facts used."""
    if isinstance(criterion, Asked):
        return None
    if isinstance(criterion, Range | Is):
        value = _fact_value(facts, criterion.fact, policy)
        if value is None:
            return None
        evidence[criterion.fact.value] = value
        if isinstance(criterion, Is):
            return value is criterion.value
        return _in_range(float(value), criterion, policy)
    if isinstance(criterion, HasDiagnosis):
        present = sorted(str(d) for d in facts.diagnoses & criterion.diagnoses)
        if not present:
            return None
        evidence["diagnoses"] = present
        return True
    if isinstance(criterion, BirthInterval):
        return _birth_interval(criterion, facts, evidence)
    results = [_evaluate(part, facts, policy, evidence) for part in criterion.parts]
    if isinstance(criterion, AnyOf):
        if True in results:
            return True
        return False if all(r is False for r in results) else None
    if False in results:
        return False
    return True if all(r is True for r in results) else None


def _birth_interval(
    criterion: BirthInterval, facts: RiskFacts, evidence: dict[str, object]
) -> bool | None:
    if facts.parity == 0:
        evidence["parity"] = 0
        return False
    if facts.last_birth_on is None or facts.lmp is None:
        return None
    evidence["last_birth_on"] = facts.last_birth_on.isoformat()
    evidence["lmp"] = facts.lmp.isoformat()
    short_until = _add_months(facts.last_birth_on, criterion.short_months)
    long_after = _add_months(facts.last_birth_on, 12 * criterion.long_years)
    return facts.lmp < short_until or facts.lmp > long_after


@dataclass(frozen=True)
class Prefill:
    """What the record says for an item: `value` True/False (None: it cannot say)."""

    code: str
    value: bool | None
    evidence: Mapping[str, object]


def prefill(
    table: Table, facts: RiskFacts, policy: RiskPolicy = DEFAULT_RISK_POLICY
) -> dict[str, Prefill]:
    """The record's answer for each item of `table` it can decide, in table order.

    Only items with a criterion appear; a value None means the record holds part of what the
    item needs (the form shows the facts in `evidence` and asks the clinician).
    """
    items = SCREENING_ITEMS if table is Table.SCREENING else GRADING_ITEMS
    result: dict[str, Prefill] = {}
    for item in items:
        if item.decided_by is None:
            continue
        evidence: dict[str, object] = {}
        value = _evaluate(item.decided_by, facts, policy, evidence)
        result[item.code] = Prefill(item.code, value, MappingProxyType(evidence))
    return result


# --- Results --------------------------------------------------------------------------------


class Basis(StrEnum):
    """Where an item's value came from."""

    RECORD = "record"  # pre-filled from her record; the clinician gave no answer
    CONFIRMED = "confirmed"  # pre-filled, and the clinician gave the same answer
    CORRECTED = "corrected"  # the clinician's answer differs from the record's
    CLINICIAN = "clinician"  # the record could not say; the clinician answered


@dataclass(frozen=True)
class ItemOutcome:
    """One item of a result. `matched` None: neither the record nor the clinician answered."""

    item: RiskItem
    matched: bool | None
    basis: Basis | None
    record_value: bool | None
    evidence: Mapping[str, object]

    @property
    def code(self) -> str:
        return self.item.code


def _outcomes(
    table: Table,
    facts: RiskFacts,
    answers: Mapping[str, bool | None],
    policy: RiskPolicy,
) -> tuple[ItemOutcome, ...]:
    items = SCREENING_ITEMS if table is Table.SCREENING else GRADING_ITEMS
    known = {item.code for item in items}
    for code in answers:
        if code not in known:
            raise clinical_error(
                "risk_answer_unknown",
                field=code,
                item=code,
                table=str(table),
                version=RULESET_VERSION,
            )
    record = prefill(table, facts, policy)
    outcomes = []
    for item in items:
        pre = record.get(item.code)
        record_value = None if pre is None else pre.value
        evidence = MappingProxyType({}) if pre is None else pre.evidence
        answer = answers.get(item.code)
        if answer is None:
            basis = None if record_value is None else Basis.RECORD
            matched = record_value
        else:
            matched = bool(answer)
            if record_value is None:
                basis = Basis.CLINICIAN
            else:
                basis = Basis.CONFIRMED if matched == record_value else Basis.CORRECTED
        outcomes.append(ItemOutcome(item, matched, basis, record_value, evidence))
    return tuple(outcomes)


@dataclass(frozen=True)
class ScreeningResult:
    """The screening (附件1): positive when any item matched; then she is graded."""

    positive: bool
    items: tuple[ItemOutcome, ...]
    answers: Mapping[str, bool | None]
    ruleset_version: str = RULESET_VERSION

    @property
    def matched(self) -> tuple[ItemOutcome, ...]:
        return tuple(o for o in self.items if o.matched)

    @property
    def unanswered(self) -> tuple[str, ...]:
        return tuple(o.code for o in self.items if o.matched is None)


def screen(
    facts: RiskFacts,
    answers: Mapping[str, bool | None],
    policy: RiskPolicy = DEFAULT_RISK_POLICY,
) -> ScreeningResult:
    """Screen with 附件1 [V]: the record's pre-fill, overridden by the clinician's `answers`
    (item code -> yes/no; None or absent: no answer). Refuses a code not in the screening
    table (``risk_answer_unknown``)."""
    items = _outcomes(Table.SCREENING, facts, answers, policy)
    positive = any(o.matched for o in items)
    return ScreeningResult(positive, items, MappingProxyType(dict(answers)))


@dataclass(frozen=True)
class Grading:
    """The grading (附件2): `colour` the highest matched (green when none), `purple` beside.

    `purple_items` names the items that set the purple flag (the HBsAg carrier item when the
    policy makes it purple). Store it with the date, the grader and `answers`.
    """

    colour: RiskColour
    purple: bool
    items: tuple[ItemOutcome, ...]
    answers: Mapping[str, bool | None]
    purple_items: tuple[str, ...]
    ruleset_version: str = RULESET_VERSION

    @property
    def matched(self) -> tuple[ItemOutcome, ...]:
        """Every matched item, in table order, each with its source and mark."""
        return tuple(o for o in self.items if o.matched)

    @property
    def deciding(self) -> tuple[ItemOutcome, ...]:
        """The matched items of the grading's colour: the reason for it."""
        return tuple(o for o in self.matched if o.item.colour == self.colour.value)

    @property
    def prefilled(self) -> tuple[str, ...]:
        """Codes whose value the record gave (kept, confirmed or corrected)."""
        return tuple(o.code for o in self.items if o.record_value is not None)

    @property
    def answered(self) -> tuple[str, ...]:
        """Codes a clinician answered."""
        return tuple(
            o.code
            for o in self.items
            if o.basis in {Basis.CONFIRMED, Basis.CORRECTED, Basis.CLINICIAN}
        )

    @property
    def unanswered(self) -> tuple[str, ...]:
        return tuple(o.code for o in self.items if o.matched is None)


def grade(
    facts: RiskFacts,
    answers: Mapping[str, bool | None],
    policy: RiskPolicy = DEFAULT_RISK_POLICY,
) -> Grading:
    """Grade with 附件2 [V]: the highest colour matched wins, green when none; purple (an
    infectious disease) is a separate flag. Answers as for :func:`screen` (a code not in the
    grading table: ``risk_answer_unknown``). Grade only a screen-positive woman: for a
    screen-negative one the colour is green without grading (every item the record decides
    here screens positive from the same facts, so a grading from the record alone is green
    too)."""
    items = _outcomes(Table.GRADING, facts, answers, policy)
    colour = RiskColour.GREEN
    purple_items = []
    for outcome in items:
        if not outcome.matched or outcome.item.colour is None:
            continue
        ranked = outcome.item.colour.risk_colour
        if ranked is not None and ranked.rank > colour.rank:
            colour = ranked
        if outcome.item.colour is ItemColour.PURPLE or (
            outcome.code == HBSAG_CARRIER and policy.hbsag_carrier_purple
        ):
            purple_items.append(outcome.code)
    return Grading(
        colour,
        bool(purple_items),
        items,
        MappingProxyType(dict(answers)),
        tuple(purple_items),
    )


def raises_risk(previous: Grading, new: Grading) -> bool:
    """True when `new` has a higher colour than `previous`, or a purple flag it had not."""
    return new.colour.rank > previous.colour.rank or (new.purple and not previous.purple)


def regrading_proposal(
    previous: Grading, facts: RiskFacts, policy: RiskPolicy = DEFAULT_RISK_POLICY
) -> Grading | None:
    """The grading her current record gives, when it raises the risk over `previous`; else None.

    The clinician's earlier answers stand, except on items whose record value has changed
    since (a new lab result, a confirmed high BP, a new diagnosis): there the new record value
    is proposed for her clinician to confirm.
    """
    before = {o.code: o.record_value for o in previous.items}
    now = prefill(Table.GRADING, facts, policy)
    answers = {
        code: answer
        for code, answer in previous.answers.items()
        if code not in now or now[code].value == before.get(code)
    }
    proposal = grade(facts, answers, policy)
    return proposal if raises_risk(previous, proposal) else None


# --- Management per colour ------------------------------------------------------------------


class ManagementAction(StrEnum):
    """What a colour requires (DOMAIN.md section 4, management [V/S])."""

    ROUTINE_CARE = "routine_care"  # green
    SECONDARY_OR_HIGHER_HOSPITAL = "secondary_or_higher_hospital"  # yellow: care and delivery
    REFER_TERTIARY_IF_CHANGES = "refer_tertiary_if_changes"  # yellow
    HIGH_RISK_CASE = "high_risk_case"  # orange, red, purple
    REPORT_TO_DISTRICT = "report_to_district"  # orange, red
    REFER_TERTIARY_ASSESSMENT = "refer_tertiary_assessment"  # red: can the pregnancy continue


MANAGEMENT_SOURCE: Final = "国卫办妇幼发〔2017〕35号, management by colour"
MANAGEMENT_SOURCES: Final[dict[ManagementAction, tuple[str, Confidence]]] = {
    ManagementAction.ROUTINE_CARE: (MANAGEMENT_SOURCE, "V"),
    ManagementAction.SECONDARY_OR_HIGHER_HOSPITAL: (MANAGEMENT_SOURCE, "V"),
    ManagementAction.REFER_TERTIARY_IF_CHANGES: (MANAGEMENT_SOURCE, "V"),
    ManagementAction.HIGH_RISK_CASE: (MANAGEMENT_SOURCE, "V"),
    ManagementAction.REPORT_TO_DISTRICT: (MANAGEMENT_SOURCE, "V"),
    ManagementAction.REFER_TERTIARY_ASSESSMENT: (MANAGEMENT_SOURCE, "P"),
}

_COLOUR_ACTIONS: Final[dict[RiskColour, tuple[ManagementAction, ...]]] = {
    RiskColour.GREEN: (ManagementAction.ROUTINE_CARE,),
    RiskColour.YELLOW: (
        ManagementAction.SECONDARY_OR_HIGHER_HOSPITAL,
        ManagementAction.REFER_TERTIARY_IF_CHANGES,
    ),
    RiskColour.ORANGE: (ManagementAction.HIGH_RISK_CASE, ManagementAction.REPORT_TO_DISTRICT),
    RiskColour.RED: (
        ManagementAction.HIGH_RISK_CASE,
        ManagementAction.REPORT_TO_DISTRICT,
        ManagementAction.REFER_TERTIARY_ASSESSMENT,
    ),
}


@dataclass(frozen=True)
class Management:
    """What her colour and purple flag require. `report_within` None: no report is due."""

    colour: RiskColour
    purple: bool
    actions: tuple[ManagementAction, ...]
    report_within: dt.timedelta | None

    @property
    def high_risk_case(self) -> bool:
        return ManagementAction.HIGH_RISK_CASE in self.actions

    @property
    def report_to_district(self) -> bool:
        return ManagementAction.REPORT_TO_DISTRICT in self.actions

    def report_due(self, graded_at: dt.datetime) -> dt.datetime | None:
        """When the report to the district institution is due for a grading at `graded_at`."""
        return None if self.report_within is None else graded_at + self.report_within


def management_for(
    colour: RiskColour, purple: bool, policy: RiskPolicy = DEFAULT_RISK_POLICY
) -> Management:
    """Management per colour [V/S]: green routine care; yellow care and delivery at a
    secondary-or-higher hospital, referred to tertiary if anything changes; orange, red and
    purple a high-risk case (named clinician, individual and emergency plans, tracking);
    orange and red reported to the district maternal-child health institution within the
    policy's deadline (default 3 days, red 24 hours [P]); red referred to a tertiary hospital
    to judge whether the pregnancy can continue [P]."""
    colour = RiskColour(colour)
    actions = list(_COLOUR_ACTIONS[colour])
    if purple and ManagementAction.HIGH_RISK_CASE not in actions:
        actions.append(ManagementAction.HIGH_RISK_CASE)
    hours = {RiskColour.ORANGE: policy.orange_report_hours, RiskColour.RED: policy.red_report_hours}
    within = dt.timedelta(hours=hours[colour]) if colour in hours else None
    return Management(colour, purple, tuple(actions), within)


# --- Suitability for online care ------------------------------------------------------------


class SuitabilityReason(StrEnum):
    RED_FLAG = "red_flag"  # an open red-flag symptom (DOMAIN.md section 6)
    NO_IN_PERSON_DIAGNOSIS = "no_in_person_diagnosis"  # first visit: follow-up only (section 9)
    COLOUR_GREEN = "colour_green"
    COLOUR_YELLOW = "colour_yellow"
    COLOUR_ORANGE = "colour_orange"
    COLOUR_RED = "colour_red"
    PURPLE = "purple"


class Urgency(StrEnum):
    """How soon she must be seen in person."""

    EMERGENCY = "emergency"  # call 120 / go to emergency now
    WITHIN_24H = "within_24h"  # be seen in person within 24 hours
    IN_PERSON_NOW = "in_person_now"  # stop online care, come to the clinic now
    BOOK_VISIT = "book_visit"  # book an in-person visit (no diagnosis in person yet)
    NONE = "none"  # online care may go on


@dataclass(frozen=True)
class Suitability:
    """The decision on online care, with its reason code and the red flags behind it.

    CASE_MANAGED: she may be seen online only while she has an open high-risk case and the
    clinician records a decision at each consultation (`needs_clinician_decision`).
    """

    decision: OnlineCare
    reason: SuitabilityReason
    urgency: Urgency
    red_flags: tuple[str, ...] = ()
    source: str = SUITABILITY_SOURCE

    @property
    def needs_clinician_decision(self) -> bool:
        return self.decision is OnlineCare.CASE_MANAGED

    @property
    def needs_high_risk_case(self) -> bool:
        return self.decision is OnlineCare.CASE_MANAGED

    @property
    def online_possible(self) -> bool:
        return self.decision is not OnlineCare.IN_PERSON


_COLOUR_REASONS: Final = {
    RiskColour.GREEN: SuitabilityReason.COLOUR_GREEN,
    RiskColour.YELLOW: SuitabilityReason.COLOUR_YELLOW,
    RiskColour.ORANGE: SuitabilityReason.COLOUR_ORANGE,
    RiskColour.RED: SuitabilityReason.COLOUR_RED,
}


_STOPPING_ACTIONS: Final = frozenset({FlagAction.SEEK_CARE_NOW, FlagAction.IN_PERSON_24H})
_FLAGS_BY_RULE: Final = {flag.rule: flag for flag in RED_FLAGS if flag.rule}


def _red_flag_urgency(codes: Collection[str]) -> tuple[tuple[str, ...], Urgency | None]:
    """The red flags among `codes` (symptom or rule codes of the red-flag table) and the
    most urgent action; a code the table does not know counts as an emergency flag, while a
    symptom that is not a flag on its own (e.g. a felt fever: measure it) does not count."""
    flags = []
    urgency: Urgency | None = None
    for code in codes:
        flag = _FLAGS_BY_RULE.get(code) or flag_of(code)
        if flag is not None and flag.action not in _STOPPING_ACTIONS:
            continue
        flags.append(code)
        if flag is None or flag.action is FlagAction.SEEK_CARE_NOW:
            urgency = Urgency.EMERGENCY
        elif urgency is None:
            urgency = Urgency.WITHIN_24H
    return tuple(flags), urgency


def suitability(
    colour: RiskColour,
    purple: bool,
    open_red_flags: Collection[str],
    eligible_in_person: bool,
    policy: RiskPolicy = DEFAULT_RISK_POLICY,
) -> Suitability:
    """May she continue online? DOMAIN.md section 4, hospital policy with these defaults:

    1. any open red flag (section 6; symptom or rule codes): online care stops, she goes in
       person as the flag says (emergency, or within 24 hours) - not configurable;
    2. a colour the policy sends in person (default red): stop, in person now;
    3. no in-person diagnosis on record (a first visit): not eligible, book an in-person visit
       (医师法 Art. 30 [V], section 9) - not configurable;
    4. else the more restrictive of the colour's and the purple flag's policy: default orange
       and purple only inside high-risk case management, green and yellow allowed.
    """
    colour = RiskColour(colour)
    flags, flag_urgency = _red_flag_urgency(open_red_flags)
    if flag_urgency is not None:
        return Suitability(OnlineCare.IN_PERSON, SuitabilityReason.RED_FLAG, flag_urgency, flags)
    by_colour = policy.online_for(colour)
    reason = _COLOUR_REASONS[colour]
    if by_colour is OnlineCare.IN_PERSON:
        return Suitability(OnlineCare.IN_PERSON, reason, Urgency.IN_PERSON_NOW)
    if purple and policy.online_purple is OnlineCare.IN_PERSON:
        return Suitability(OnlineCare.IN_PERSON, SuitabilityReason.PURPLE, Urgency.IN_PERSON_NOW)
    if not eligible_in_person:
        return Suitability(
            OnlineCare.IN_PERSON, SuitabilityReason.NO_IN_PERSON_DIAGNOSIS, Urgency.BOOK_VISIT
        )
    decision: OnlineCare = by_colour
    if purple and policy.online_purple.rank > decision.rank:
        decision, reason = policy.online_purple, SuitabilityReason.PURPLE
    return Suitability(decision, reason, Urgency.NONE)
