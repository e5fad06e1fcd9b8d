"""Prescription checks: pure rules a prescription is held to before the clinician signs it.

Each check gives findings; a finding is blocking (the prescription cannot be signed) or a
warning (it can be signed when the clinician acknowledges it with a reason). The words are the
app's, keyed by the finding's code; the parameters fill them in.

Sources:
- [处方管理办法 2007] 卫生部令第53号: Art. 6(6) at most 5 drugs per prescription; Art. 18 valid on
  the day issued, up to 3 days when the prescriber says so; Art. 19 at most 7 days' supply, longer
  only with the reason stated.
- [互联网诊疗管理办法 2018] 国卫医发〔2018〕25号 Art. 19: no prescriptions of narcotic,
  psychotropic or other specially controlled drugs online (DOMAIN.md section 9). The specially
  controlled classes are those of the 药品管理法 2019 Art. 112: narcotic, psychotropic, toxic
  (医疗用毒性药品) and radioactive drugs.
- [处方审核规范 2018] 国卫办医发〔2018〕14号 Art. 15-16: the review looks at allergies,
  duplicate ingredients, interactions and special populations (pregnancy, lactation).
- Interactions and cross-reactivity: the named label or guideline on each row of the tables.

Local policy (the hospital may change it, marked LOCAL POLICY below): a duplicate ingredient
blocks (one line per ingredient, the dose adjusted on that line); a drug rated "caution" for her
stage warns, "avoid" blocks; a recorded class allergy blocks every drug of the class.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

__all__ = [
    "CROSS_REACTIVITY",
    "INTERACTIONS",
    "MAX_DRUGS",
    "MAX_SUPPLY_DAYS",
    "MAX_VALIDITY_DAYS",
    "ControlledClass",
    "CrossReactivity",
    "DrugFacts",
    "Finding",
    "Interaction",
    "Line",
    "Patient",
    "Safety",
    "Severity",
    "Stage",
    "check_prescription",
    "has_blocking",
    "warnings_of",
]

MAX_DRUGS: Final = 5  # 处方管理办法 2007 Art. 6(6)
MAX_SUPPLY_DAYS: Final = 7  # 处方管理办法 2007 Art. 19
MAX_VALIDITY_DAYS: Final = 3  # 处方管理办法 2007 Art. 18


class Stage(StrEnum):
    """Her stage as the checks see it."""

    PREGNANT = "pregnant"
    BREASTFEEDING = "breastfeeding"
    NEITHER = "neither"


class Safety(StrEnum):
    """A drug's rating for one stage, as the formulary records it with its source."""

    COMPATIBLE = "compatible"
    CAUTION = "caution"
    AVOID = "avoid"


class ControlledClass(StrEnum):
    """Special-control classes of the 药品管理法 2019 Art. 112."""

    NONE = "none"
    NARCOTIC = "narcotic"
    PSYCHOTROPIC = "psychotropic"
    TOXIC = "toxic"
    RADIOACTIVE = "radioactive"


class Severity(StrEnum):
    BLOCK = "block"
    WARN = "warn"


@dataclass(frozen=True)
class DrugFacts:
    """What the checks need of one formulary drug. `ingredients` and `classes` are lower-case
    codes (e.g. "amoxicillin", "penicillin"); an allergy or interaction names either."""

    code: str
    name: str
    ingredients: frozenset[str]
    classes: frozenset[str] = frozenset()
    controlled: ControlledClass = ControlledClass.NONE
    pregnancy: Safety = Safety.CAUTION
    # Rated `pregnancy` before this completed week and AVOID from it (e.g. NSAIDs from 20 weeks).
    pregnancy_avoid_from_week: int | None = None
    lactation: Safety = Safety.CAUTION

    @property
    def substances(self) -> frozenset[str]:
        return self.ingredients | self.classes


@dataclass(frozen=True)
class Line:
    drug: DrugFacts
    days: int


@dataclass(frozen=True)
class Patient:
    stage: Stage
    gestational_weeks: int | None = None
    allergies: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Finding:
    """One result of the checks. `code` keys the words; `drugs` are the drug codes concerned;
    `params` fill the words in; `source` names the rule's origin."""

    code: str
    severity: Severity
    drugs: tuple[str, ...] = ()
    params: Mapping[str, str | int] = field(default_factory=dict)
    source: str = ""

    @property
    def key(self) -> str:
        """Stable identity of the finding, for acknowledging a warning."""
        return ":".join((self.code, *sorted(self.drugs)))


@dataclass(frozen=True)
class Interaction:
    """Two substances (ingredient or class codes) that interact when prescribed together."""

    code: str
    a: str
    b: str
    severity: Severity
    effect: str
    advice: str
    source: str


@dataclass(frozen=True)
class CrossReactivity:
    """An allergy to `allergen` and a drug of `drug_class`: a possible cross-reaction."""

    allergen: str
    drug_class: str
    severity: Severity
    source: str


# Known interactions among the drugs of the prenatal formulary. Each row names its source; the
# words she and the clinician read are the app's, keyed by `code`.
INTERACTIONS: Final[tuple[Interaction, ...]] = (
    Interaction(
        code="iron_calcium",
        a="iron",
        b="calcium",
        severity=Severity.WARN,
        effect="Calcium reduces the absorption of oral iron.",
        advice="Take them at least 2 hours apart.",
        source="WHO 2016 recommendations on antenatal care for a positive pregnancy experience, "
        "recommendation A.3 remarks (calcium and iron taken several hours apart); BNF, "
        "interactions of ferrous salts with calcium salts",
    ),
    Interaction(
        code="beta_blocker_insulin",
        a="beta_blocker",
        b="insulin",
        severity=Severity.WARN,
        effect="A beta-blocker can mask the warning signs of low blood sugar (a fast heartbeat).",
        advice="Tell her to check her glucose when she feels unwell; review insulin doses.",
        source="Labetalol hydrochloride tablets, US FDA label (Trandate), Precautions: "
        "patients with diabetes (beta-blockade may mask tachycardia of hypoglycaemia)",
    ),
    Interaction(
        code="antihypertensives_additive",
        a="beta_blocker",
        b="calcium_channel_blocker",
        severity=Severity.WARN,
        effect="Two blood-pressure drugs together lower the pressure more.",
        advice="Check her blood pressure after the first doses; watch for dizziness.",
        source="ACOG Practice Bulletin No. 222 (2020), Gestational hypertension and "
        "preeclampsia: labetalol and nifedipine, alone or combined, with monitoring",
    ),
    Interaction(
        code="antacid_cefuroxime",
        a="antacid",
        b="cefuroxime",
        severity=Severity.WARN,
        effect="Drugs that reduce stomach acid lower the absorption of cefuroxime axetil.",
        advice="Take cefuroxime with food and apart from the calcium tablet.",
        source="Cefuroxime axetil tablets, US FDA label (Ceftin), Drug interactions: drugs "
        "that reduce gastric acidity",
    ),
    Interaction(
        code="dopamine_antagonist_antihistamine_sedation",
        a="metoclopramide",
        b="doxylamine",
        severity=Severity.WARN,
        effect="Both cause drowsiness; together the sedation adds up.",
        advice="Usually one antiemetic at a time; she should not drive if drowsy.",
        source="Metoclopramide tablets, US FDA label (Reglan), Drug interactions: CNS "
        "depressants (additive sedation); doxylamine-pyridoxine, US FDA label (Diclegis) 5.1",
    ),
)

# An allergy to one class and a drug of a related class. LOCAL POLICY: a warning, not a block,
# because the cross-reaction is uncommon and the pharmacist reviews every prescription.
CROSS_REACTIVITY: Final[tuple[CrossReactivity, ...]] = (
    CrossReactivity(
        allergen="penicillin",
        drug_class="cephalosporin",
        severity=Severity.WARN,
        source="AAAAI/ACAAI Drug allergy: a 2022 practice parameter update: cross-reactivity "
        "between penicillins and cephalosporins is low and mostly through similar side chains "
        "(amoxicillin and cefalexin share one)",
    ),
    CrossReactivity(
        allergen="cephalosporin",
        drug_class="penicillin",
        severity=Severity.WARN,
        source="AAAAI/ACAAI Drug allergy: a 2022 practice parameter update",
    ),
)

_LAW_2007 = "处方管理办法 2007"
_LAW_ONLINE = "互联网诊疗管理办法 2018 Art. 19"
_REVIEW_2018 = "处方审核规范 2018"


def _count(lines: Sequence[Line]) -> list[Finding]:
    if len(lines) <= MAX_DRUGS:
        return []
    return [
        Finding(
            "too_many_drugs",
            Severity.BLOCK,
            params={"count": len(lines), "max": MAX_DRUGS},
            source=f"{_LAW_2007} Art. 6",
        )
    ]


def _supply(lines: Sequence[Line], *, reason_given: bool) -> list[Finding]:
    found = []
    for line in lines:
        if line.days > MAX_SUPPLY_DAYS:
            found.append(
                Finding(
                    "supply_long_with_reason" if reason_given else "supply_too_long",
                    Severity.WARN if reason_given else Severity.BLOCK,
                    drugs=(line.drug.code,),
                    params={"drug": line.drug.name, "days": line.days, "max": MAX_SUPPLY_DAYS},
                    source=f"{_LAW_2007} Art. 19",
                )
            )
    return found


def _controlled(lines: Sequence[Line]) -> list[Finding]:
    return [
        Finding(
            "controlled_online",
            Severity.BLOCK,
            drugs=(line.drug.code,),
            params={"drug": line.drug.name, "class": str(line.drug.controlled)},
            source=_LAW_ONLINE,
        )
        for line in lines
        if line.drug.controlled != ControlledClass.NONE
    ]


def _allergies(lines: Sequence[Line], patient: Patient) -> list[Finding]:
    found = []
    for line in lines:
        matched = sorted(line.drug.substances & patient.allergies)
        if matched:
            # LOCAL POLICY: a recorded allergy to the ingredient or its class blocks.
            found.append(
                Finding(
                    "allergy",
                    Severity.BLOCK,
                    drugs=(line.drug.code,),
                    params={"drug": line.drug.name, "allergen": ", ".join(matched)},
                    source=f"{_REVIEW_2018} Art. 15",
                )
            )
            continue
        for rule in CROSS_REACTIVITY:
            if rule.allergen in patient.allergies and rule.drug_class in line.drug.classes:
                found.append(
                    Finding(
                        "allergy_cross",
                        rule.severity,
                        drugs=(line.drug.code,),
                        params={"drug": line.drug.name, "allergen": rule.allergen},
                        source=rule.source,
                    )
                )
    return found


def _stage_safety(lines: Sequence[Line], patient: Patient) -> list[Finding]:
    found = []
    for line in lines:
        drug = line.drug
        if patient.stage == Stage.PREGNANT:
            rating = drug.pregnancy
            late = (
                drug.pregnancy_avoid_from_week is not None
                and patient.gestational_weeks is not None
                and patient.gestational_weeks >= drug.pregnancy_avoid_from_week
            )
            if late:
                rating = Safety.AVOID
            prefix = "pregnancy"
        elif patient.stage == Stage.BREASTFEEDING:
            rating, prefix, late = drug.lactation, "lactation", False
        else:
            continue
        if rating == Safety.COMPATIBLE:
            continue
        params: dict[str, str | int] = {"drug": drug.name}
        if late and drug.pregnancy_avoid_from_week is not None:
            params["week"] = drug.pregnancy_avoid_from_week
        found.append(
            Finding(
                f"{prefix}_{rating}" + ("_from_week" if late else ""),
                Severity.BLOCK if rating == Safety.AVOID else Severity.WARN,
                drugs=(drug.code,),
                params=params,
                source=f"{_REVIEW_2018} Art. 16; the drug's formulary entry",
            )
        )
    return found


def _duplicates(lines: Sequence[Line]) -> list[Finding]:
    seen: dict[str, str] = {}
    found = []
    for line in lines:
        for ingredient in sorted(line.drug.ingredients):
            first = seen.get(ingredient)
            if first is None:
                seen[ingredient] = line.drug.code
                continue
            # LOCAL POLICY: blocking; one line per ingredient, its dose set on that line.
            found.append(
                Finding(
                    "duplicate_ingredient",
                    Severity.BLOCK,
                    drugs=tuple(sorted({first, line.drug.code})),
                    params={"ingredient": ingredient},
                    source=f"{_REVIEW_2018} Art. 16 (重复给药)",
                )
            )
    return found


def _interactions(lines: Sequence[Line]) -> list[Finding]:
    found = []
    for i, first in enumerate(lines):
        for second in lines[i + 1 :]:
            if first.drug.code == second.drug.code:
                continue
            for rule in INTERACTIONS:
                pair = (rule.a in first.drug.substances and rule.b in second.drug.substances) or (
                    rule.b in first.drug.substances and rule.a in second.drug.substances
                )
                if pair:
                    found.append(
                        Finding(
                            f"interaction_{rule.code}",
                            rule.severity,
                            drugs=tuple(sorted((first.drug.code, second.drug.code))),
                            params={"first": first.drug.name, "second": second.drug.name},
                            source=rule.source,
                        )
                    )
    return found


def check_prescription(
    lines: Sequence[Line], patient: Patient, *, supply_reason_given: bool = False
) -> list[Finding]:
    """Every finding of a prescription's lines for her, blocking first, in a stable order.

    An empty prescription has no findings (the app requires at least one line)."""
    found = [
        *_count(lines),
        *_controlled(lines),
        *_supply(lines, reason_given=supply_reason_given),
        *_allergies(lines, patient),
        *_stage_safety(lines, patient),
        *_duplicates(lines),
        *_interactions(lines),
    ]
    unique = {f.key: f for f in found}
    return sorted(unique.values(), key=lambda f: (f.severity != Severity.BLOCK, f.key))


def has_blocking(findings: Iterable[Finding]) -> bool:
    return any(f.severity == Severity.BLOCK for f in findings)


def warnings_of(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == Severity.WARN]
