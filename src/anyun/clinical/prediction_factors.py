"""Disease risk prediction (FI-4): the factor lists of the named guidelines, and how each
factor is decided from her record or from an answer.

DOMAIN.md states none of these lists (its sections 4-7 are the five-colour items, monitoring
thresholds, red flags and mental health), so they are written here from the guidelines the
requirement names, each factor with its source and mark, as DOMAIN.md defines the marks:
**[V]** seen in the source, **[S]** seen only in secondary copies that agree, **[P]**
provisional (memory or common practice, no source text seen). A clinician should review every
[P] row against the guideline text before the hospital relies on it.

Three checks, none of which prescribes (every action is worded "discuss" or "consider"):

* **Pre-eclampsia** (:data:`PRE_ECLAMPSIA_RULE`): the high- and moderate-risk factors of
  USPSTF 2021 (Aspirin Use to Prevent Preeclampsia and Related Morbidity and Mortality,
  JAMA 2021;326(12):1186-1191) and ACOG Committee Opinion 743 (Low-Dose Aspirin Use During
  Pregnancy, 2018), with the Chinese 妊娠期高血压疾病诊治指南 (2020) named where it lists the
  same factor. Combination: USPSTF "1 or more" high-risk factors (low-dose aspirin
  recommended) or "more than 1" moderate-risk factor (aspirin to be considered); ACOG CO 743
  words it the same way [S]. The Chinese 2020 guideline gives no high/moderate split; its
  aspirin advice is for women with risk factors (summarised secondarily as "any clinical risk
  factor") from 12-16 weeks, 50-150 mg/d, until 26-28 weeks [S]. USPSTF: after 12 weeks [V];
  ACOG CO 743: start between 12 and 28 weeks, optimally before 16 [S]. The check follows the
  USPSTF/ACOG combination; one moderate factor alone does not fire it (it is still listed).
* **Diabetes risk at the first visit** (:data:`GDM_EARLY_TEST_RULE`): the 妊娠期高血糖诊治指南
  (2022) recommendations 1-1 (fasting plasma glucose for every woman at the first antenatal
  visit) and 1-2 (the high-risk factors to look for at the first visit, with health education
  and lifestyle management) [S]. What the 2022 text says beyond that for a woman with risk
  factors (an early 75 g OGTT) was not seen: the check says "consider early glucose testing"
  and names ADA Standards of Care in Diabetes (2024), sections 2 and 15 (test women with risk
  factors for undiagnosed diabetes early, before 15 weeks) [S]. Any one factor fires it. Not
  checked when GDM or PGDM is already diagnosed.
* **Preterm birth** (:data:`PRETERM_BIRTH_RULE`): ACOG Practice Bulletin 234 (Prediction and
  Prevention of Spontaneous Preterm Birth, 2021) [P]: a prior spontaneous preterm birth, a
  short cervix, a multiple pregnancy. Any one fires it.

Only while she is pregnant: postpartum none of the three applies (the trend warnings of
:mod:`anyun.clinical.prediction` still do).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from anyun.clinical.anthropometry import bmi
from anyun.clinical.dating import DAYS_PER_WEEK, gestational_age_on
from anyun.clinical.errors import clinical_error
from anyun.clinical.national_id import age_on
from anyun.clinical.prediction import (
    Confidence,
    FactorRule,
    FactorWeight,
    Prediction,
    PredictionKind,
    RiskFactor,
    risk_factor_prediction,
)
from anyun.clinical.risk_tables import DIABETES, Diagnosis

__all__ = [
    "ACOG_743",
    "ACOG_PB_234",
    "ADA_2024",
    "ASPIRIN_WINDOW_WEEKS",
    "CHINA_GDM_2022",
    "CHINA_HDP_2020",
    "DEFAULT_PREDICTION_POLICY",
    "FACTOR_CONSIDER",
    "FACTOR_TEXT",
    "GDM_EARLY_TEST_RULE",
    "PREDICTION_FACT_RANGES",
    "PREDICTION_RULES",
    "PREDICTION_RULESET_VERSION",
    "PRETERM_BIRTH_RULE",
    "PRE_ECLAMPSIA_RULE",
    "USPSTF_2021",
    "Basis",
    "FactorFinding",
    "ObesityCutoff",
    "PredictionFacts",
    "PredictionPolicy",
    "RuleResult",
    "assess",
    "factor_predictions",
]

# Stored with what is shown, so an old view is read against the rules it was made with.
PREDICTION_RULESET_VERSION: Final = "fi4/1"

USPSTF_2021: Final = (
    "USPSTF 2021, Aspirin Use to Prevent Preeclampsia and Related Morbidity and Mortality "
    "(JAMA 2021;326:1186-1191)"
)
ACOG_743: Final = "ACOG Committee Opinion 743, Low-Dose Aspirin Use During Pregnancy (2018)"
CHINA_HDP_2020: Final = (
    "妊娠期高血压疾病诊治指南 (2020), 中华医学会妇产科学分会妊娠期高血压疾病学组"
)
CHINA_GDM_2022: Final = (
    "妊娠期高血糖诊治指南 (2022), 中华医学会妇产科学分会产科学组 等, recommendations 1-1 and 1-2"
)
ADA_2024: Final = "ADA Standards of Care in Diabetes 2024, sections 2 and 15"
ACOG_PB_234: Final = (
    "ACOG Practice Bulletin 234, Prediction and Prevention of Spontaneous Preterm Birth (2021)"
)
LOCAL_POLICY: Final = "Anyun local policy"

# --- Thresholds (each with its source) ------------------------------------------------------

AGE_PE_FROM: Final = 35  # >= 35 years: USPSTF 2021 / ACOG 743 moderate [S]; China 2020 [P]
AGE_GDM_ABOVE: Final = 45  # > 45 years: China 2022 rec. 1-2 [S]
BMI_CHINA_OBESE_FROM: Final = 28.0  # >= 28: China 2020 pre-eclampsia factor [P]; WS/T 801 obese
BMI_USPSTF_OBESE_ABOVE: Final = 30.0  # > 30: USPSTF 2021 / ACOG 743 "obesity (BMI >30)" [S]
INTERVAL_PE_YEARS: Final = 10  # USPSTF ">10-year pregnancy interval" [S]; China "≥10 years" [P]
SHORT_CERVIX_BELOW_MM: Final = 25.0  # < 25 mm before 24+0 weeks: ACOG PB 234 [P]
SHORT_CERVIX_BEFORE_GA_DAYS: Final = 24 * DAYS_PER_WEEK
# The Chinese 2020 start window for low-dose aspirin, weeks [S]; USPSTF: after 12 weeks [V].
ASPIRIN_WINDOW_WEEKS: Final = (12, 16)

# Values a record can hold for the facts only this module reads (refused outside:
# ``risk_fact_range``): local plausibility ranges [P].
PREDICTION_FACT_RANGES: Final[dict[str, tuple[float, float]]] = {
    "parity": (0, 20),
    "fetuses": (1, 8),
    "cervical_length_mm": (0, 80),
}


class ObesityCutoff(StrEnum):
    """Which BMI counts as obesity for the pre-eclampsia factor (hospital choice).

    CHINA_28: pre-pregnancy BMI >= 28.0, the Chinese 2020 guideline's factor and the Chinese
    obesity cut-off (WS/T 801, DOMAIN.md section 5) - the default [P]. USPSTF_30: BMI > 30, as
    USPSTF 2021 and ACOG 743 word their moderate factor [S].
    """

    CHINA_28 = "china_28"
    USPSTF_30 = "uspstf_30"


@dataclass(frozen=True)
class PredictionPolicy:
    """The hospital's choices for these checks; a string from a settings form is accepted."""

    obesity_cutoff: ObesityCutoff = ObesityCutoff.CHINA_28

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "obesity_cutoff", ObesityCutoff(self.obesity_cutoff))
        except ValueError:
            raise clinical_error(
                "risk_policy_value",
                field="obesity_cutoff",
                name="obesity_cutoff",
                value=str(self.obesity_cutoff),
            ) from None


DEFAULT_PREDICTION_POLICY: Final = PredictionPolicy()


# --- Her facts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PredictionFacts:
    """What her record says on the day `on`; None: not recorded.

    `pregnant`: a current pregnancy (postpartum or not pregnant: no check applies). `edd`
    gives her GA on `on` (the aspirin window). `height_cm` and `pre_pregnancy_weight_kg` give
    the BMI; `last_birth_on` (or, when only the year is recorded, `last_birth_year`) and `lmp`
    the interval since her last birth. `cervical_length_mm`
    with `cervical_length_ga_days` (GA of the scan) decides the short-cervix factor.
    `diagnoses` are her open diagnoses. `answers`: a factor code -> yes/no that the clinician
    (or she) gave; it overrides what the record says. `hints`: a factor code -> facts of her
    record that bear on a factor the record cannot decide (shown beside "ask her").
    Refuses an answer to a code no rule has (``risk_answer_unknown``) and a value outside
    :data:`PREDICTION_FACT_RANGES` (``risk_fact_range``).
    """

    on: date
    pregnant: bool = True
    birth_date: date | None = None
    edd: date | None = None
    lmp: date | None = None
    height_cm: float | None = None
    pre_pregnancy_weight_kg: float | None = None
    parity: int | None = None
    last_birth_on: date | None = None
    last_birth_year: int | None = None
    fetuses: int | None = None
    art_conception: bool | None = None
    cervical_length_mm: float | None = None
    cervical_length_ga_days: int | None = None
    diagnoses: frozenset[Diagnosis] = frozenset()
    answers: Mapping[str, bool] = field(default_factory=dict)
    hints: Mapping[str, Mapping[str, object]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, (low, high) in PREDICTION_FACT_RANGES.items():
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
        for code in self.answers:
            if code not in _DECIDERS:
                raise clinical_error(
                    "risk_answer_unknown",
                    field=code,
                    item=code,
                    table="prediction",
                    version=PREDICTION_RULESET_VERSION,
                )
        object.__setattr__(self, "diagnoses", frozenset(Diagnosis(d) for d in self.diagnoses))
        object.__setattr__(self, "answers", MappingProxyType(dict(self.answers)))
        object.__setattr__(self, "hints", MappingProxyType(dict(self.hints)))


# A decided factor: present (True/False) or unknown (None), with the facts it used.
Decision = tuple[bool | None, dict[str, object]]
Decider = Callable[[PredictionFacts, PredictionPolicy], Decision]


def _asked(facts: PredictionFacts, policy: PredictionPolicy) -> Decision:
    """Only the clinician (or she) can say."""
    return None, {}


def _age(facts: PredictionFacts) -> int | None:
    return None if facts.birth_date is None else age_on(facts.birth_date, facts.on)


def _bmi(facts: PredictionFacts) -> float | None:
    if facts.height_cm is None or facts.pre_pregnancy_weight_kg is None:
        return None
    return bmi(height_cm=facts.height_cm, weight_kg=facts.pre_pregnancy_weight_kg)


def _age_at_least(years: int) -> Decider:
    def decide(facts: PredictionFacts, policy: PredictionPolicy) -> Decision:
        age = _age(facts)
        return (None, {}) if age is None else (age >= years, {"age_years": age})

    return decide


def _age_above(years: int) -> Decider:
    def decide(facts: PredictionFacts, policy: PredictionPolicy) -> Decision:
        age = _age(facts)
        return (None, {}) if age is None else (age > years, {"age_years": age})

    return decide


def _pe_obesity(facts: PredictionFacts, policy: PredictionPolicy) -> Decision:
    value = _bmi(facts)
    if value is None:
        return None, {}
    if policy.obesity_cutoff is ObesityCutoff.USPSTF_30:
        return value > BMI_USPSTF_OBESE_ABOVE, {"bmi": value, "cutoff": "> 30"}
    return value >= BMI_CHINA_OBESE_FROM, {"bmi": value, "cutoff": ">= 28"}


def _china_obesity(facts: PredictionFacts, policy: PredictionPolicy) -> Decision:
    value = _bmi(facts)
    if value is None:
        return None, {}
    return value >= BMI_CHINA_OBESE_FROM, {"bmi": value, "cutoff": ">= 28"}


def _nulliparous(facts: PredictionFacts, policy: PredictionPolicy) -> Decision:
    if facts.parity is None:
        return None, {}
    return facts.parity == 0, {"parity": facts.parity}


def _multifetal(facts: PredictionFacts, policy: PredictionPolicy) -> Decision:
    if facts.fetuses is None:
        return None, {}
    return facts.fetuses >= 2, {"fetuses": facts.fetuses}


def _art(facts: PredictionFacts, policy: PredictionPolicy) -> Decision:
    if facts.art_conception is None:
        return None, {}
    return facts.art_conception, {"art_conception": facts.art_conception}


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February: the anniversary is 1 March
        return date(day.year + years, 3, 1)


def _long_interval(facts: PredictionFacts, policy: PredictionPolicy) -> Decision:
    if facts.parity == 0:
        return False, {"parity": 0}
    if facts.lmp is None:
        return None, {}
    if facts.last_birth_on is not None:
        evidence: dict[str, object] = {
            "last_birth_on": facts.last_birth_on.isoformat(),
            "lmp": facts.lmp.isoformat(),
        }
        return facts.lmp >= _years_later(facts.last_birth_on, INTERVAL_PE_YEARS), evidence
    if facts.last_birth_year is None:
        return None, {}
    # Only the year: decided when every day of that year gives the same answer.
    year = facts.last_birth_year
    evidence = {"last_birth_year": year, "lmp": facts.lmp.isoformat()}
    if facts.lmp < date(year + INTERVAL_PE_YEARS, 1, 1):
        return False, evidence
    if facts.lmp >= date(year + INTERVAL_PE_YEARS + 1, 1, 1):
        return True, evidence
    return None, evidence


def _diagnosed_or_asked(*diagnoses: Diagnosis) -> Decider:
    """A diagnosis on her record says yes; without one, only the clinician can say no."""

    def decide(facts: PredictionFacts, policy: PredictionPolicy) -> Decision:
        present = sorted(str(d) for d in facts.diagnoses if d in diagnoses)
        return (True, {"diagnoses": present}) if present else (None, {})

    return decide


def _short_cervix(facts: PredictionFacts, policy: PredictionPolicy) -> Decision:
    if facts.cervical_length_mm is None or facts.cervical_length_ga_days is None:
        return None, {}
    days = facts.cervical_length_ga_days
    evidence: dict[str, object] = {
        "cervical_length_mm": facts.cervical_length_mm,
        "ga": f"{days // DAYS_PER_WEEK}+{days % DAYS_PER_WEEK}",
    }
    if days >= SHORT_CERVIX_BEFORE_GA_DAYS:
        # Measured from 24+0 the rule does not decide; the clinician judges.
        return None, evidence
    return facts.cervical_length_mm < SHORT_CERVIX_BELOW_MM, evidence


# --- The factor tables ----------------------------------------------------------------------

_H, _M = FactorWeight.HIGH, FactorWeight.MODERATE


def _src(*sources: str) -> str:
    return "; ".join(sources)


@dataclass(frozen=True)
class _Row:
    factor: RiskFactor
    text: str
    decide: Decider
    consider: tuple[str, ...] = ()


_PE_HIGH_SOURCE: Final = _src(USPSTF_2021 + " high-risk [V]", ACOG_743 + " [S]")
_PE_MODERATE_SOURCE: Final = _src(USPSTF_2021 + " moderate-risk [S]", ACOG_743 + " [S]")

_PE_ROWS: Final = (
    _Row(
        RiskFactor(
            "pe_prior_pre_eclampsia",
            _H,
            _src(_PE_HIGH_SOURCE, CHINA_HDP_2020 + " [P]"),
            "S",
        ),
        "Pre-eclampsia in a previous pregnancy",
        _asked,
    ),
    _Row(
        RiskFactor("pe_multifetal", _H, _src(_PE_HIGH_SOURCE, CHINA_HDP_2020 + " [P]"), "S"),
        "Multiple pregnancy",
        _multifetal,
    ),
    _Row(
        RiskFactor(
            "pe_chronic_hypertension",
            _H,
            _src(_PE_HIGH_SOURCE, CHINA_HDP_2020 + " [P]"),
            "S",
        ),
        "Chronic hypertension",
        _diagnosed_or_asked(Diagnosis.CHRONIC_HYPERTENSION, Diagnosis.SUPERIMPOSED_PRE_ECLAMPSIA),
    ),
    _Row(
        RiskFactor(
            "pe_pregestational_diabetes",
            _H,
            _src(_PE_HIGH_SOURCE, CHINA_HDP_2020 + " [P]"),
            "S",
        ),
        "Type 1 or type 2 diabetes before pregnancy",
        _diagnosed_or_asked(Diagnosis.PGDM),
    ),
    _Row(
        RiskFactor("pe_renal_disease", _H, _src(_PE_HIGH_SOURCE, CHINA_HDP_2020 + " [P]"), "S"),
        "Kidney disease",
        _asked,
    ),
    _Row(
        RiskFactor("pe_autoimmune", _H, _src(_PE_HIGH_SOURCE, CHINA_HDP_2020 + " [P]"), "S"),
        "Autoimmune disease (systemic lupus erythematosus, antiphospholipid syndrome)",
        _asked,
    ),
    _Row(
        RiskFactor("pe_nulliparity", _M, _src(_PE_MODERATE_SOURCE, CHINA_HDP_2020 + " [P]"), "S"),
        "First birth (nulliparous)",
        _nulliparous,
    ),
    _Row(
        RiskFactor(
            "pe_obesity",
            _M,
            _src(
                _PE_MODERATE_SOURCE + ": BMI > 30",
                CHINA_HDP_2020 + ": pre-pregnancy BMI >= 28 [P]",
                LOCAL_POLICY + ": which cut-off applies (default >= 28)",
            ),
            "P",
        ),
        "Obesity (pre-pregnancy BMI at or over the cut-off)",
        _pe_obesity,
    ),
    _Row(
        RiskFactor("pe_age_35", _M, _src(_PE_MODERATE_SOURCE, CHINA_HDP_2020 + " [P]"), "S"),
        "Age 35 or over",
        _age_at_least(AGE_PE_FROM),
    ),
    _Row(
        RiskFactor(
            "pe_family_history",
            _M,
            _src(_PE_MODERATE_SOURCE, CHINA_HDP_2020 + " [P]"),
            "S",
        ),
        "Pre-eclampsia in her mother or sister",
        _asked,
    ),
    _Row(
        RiskFactor(
            "pe_interval_10_years",
            _M,
            _src(
                _PE_MODERATE_SOURCE + ": more than 10 years",
                CHINA_HDP_2020 + ": 10 years or more [P]",
            ),
            "S",
        ),
        "10 years or more since her last birth",
        _long_interval,
    ),
    _Row(
        RiskFactor(
            "pe_personal_history",
            _M,
            _PE_MODERATE_SOURCE + ": personal history factors",
            "S",
        ),
        "A previous baby of low birth weight or small for gestational age, or another "
        "previous adverse pregnancy outcome",
        _asked,
    ),
    _Row(
        RiskFactor(
            "pe_low_income",
            _M,
            _src(
                _PE_MODERATE_SOURCE + ": low income / socioeconomic status",
                CHINA_HDP_2020 + " [P]",
            ),
            "S",
        ),
        "Low income or low socioeconomic status",
        _asked,
    ),
    _Row(
        RiskFactor("pe_ivf", _M, USPSTF_2021 + " moderate-risk, in vitro conception [P]", "P"),
        "Conceived by assisted reproduction",
        _art,
    ),
)

_GDM_SOURCE: Final = CHINA_GDM_2022 + " [S]"

_GDM_ROWS: Final = (
    _Row(
        RiskFactor(
            "gdm_obesity",
            _H,
            _src(
                _GDM_SOURCE + ": obesity, especially severe",
                LOCAL_POLICY + ": obesity read as BMI >= 28 (WS/T 801) [P]",
            ),
            "P",
        ),
        "Obesity (pre-pregnancy BMI 28 or over)",
        _china_obesity,
    ),
    _Row(
        RiskFactor("gdm_family_t2dm", _H, _src(_GDM_SOURCE, ADA_2024 + " [P]"), "S"),
        "Type 2 diabetes in a first-degree relative",
        _asked,
    ),
    _Row(
        RiskFactor("gdm_prior_gdm_or_macrosomia", _H, _src(_GDM_SOURCE, ADA_2024 + " [P]"), "S"),
        "Gestational diabetes or a macrosomic baby in a previous pregnancy",
        _asked,
    ),
    _Row(
        RiskFactor("gdm_pcos", _H, _src(_GDM_SOURCE, ADA_2024 + " [P]"), "S"),
        "Polycystic ovary syndrome",
        _asked,
    ),
    _Row(
        RiskFactor("gdm_coronary_disease", _H, _GDM_SOURCE, "S"),
        "Coronary heart disease",
        _asked,
    ),
    _Row(
        RiskFactor("gdm_chronic_hypertension", _H, _GDM_SOURCE, "S"),
        "Chronic hypertension",
        _diagnosed_or_asked(Diagnosis.CHRONIC_HYPERTENSION, Diagnosis.SUPERIMPOSED_PRE_ECLAMPSIA),
    ),
    _Row(
        RiskFactor(
            "gdm_dyslipidaemia",
            _H,
            _GDM_SOURCE + ": low HDL or high triglycerides (the cut-offs not read clearly) [P]",
            "P",
        ),
        "Low HDL cholesterol or high triglycerides",
        _asked,
    ),
    _Row(
        RiskFactor("gdm_glycosuria_repeated", _H, _GDM_SOURCE, "S"),
        "Fasting glucose in the urine repeatedly in early pregnancy",
        _asked,
    ),
    _Row(
        RiskFactor("gdm_age_over_45", _H, _GDM_SOURCE + ": age over 45", "S"),
        "Age over 45",
        _age_above(AGE_GDM_ABOVE),
    ),
)

_PTB_ROWS: Final = (
    _Row(
        RiskFactor("ptb_prior_spontaneous", _H, ACOG_PB_234 + " [P]", "P"),
        "A previous spontaneous preterm birth",
        _asked,
        ("ptb_discuss_progesterone", "ptb_cervical_length_surveillance"),
    ),
    _Row(
        RiskFactor(
            "ptb_short_cervix",
            _H,
            ACOG_PB_234 + ": cervical length below 25 mm before 24 weeks [P]",
            "P",
        ),
        "Short cervix (below 25 mm before 24 weeks)",
        _short_cervix,
        ("ptb_discuss_vaginal_progesterone",),
    ),
    _Row(
        RiskFactor("ptb_multifetal", _H, ACOG_PB_234 + " [P]", "P"),
        "Multiple pregnancy",
        _multifetal,
        ("ptb_multifetal_care",),
    ),
)


def _rule(
    kind: PredictionKind,
    rows: tuple[_Row, ...],
    *,
    moderate_needed: int,
    consider: tuple[str, ...],
    source: str,
    confidence: Confidence,
) -> FactorRule:
    return FactorRule(
        kind=kind,
        factors=tuple(row.factor for row in rows),
        high_needed=1,
        moderate_needed=moderate_needed,
        consider=consider,
        source=source,
        confidence=confidence,
    )


# Pre-eclampsia: >= 1 high or >= 2 ("more than 1") moderate, USPSTF 2021 / ACOG 743 [S].
PRE_ECLAMPSIA_RULE: Final = _rule(
    PredictionKind.PRE_ECLAMPSIA,
    _PE_ROWS,
    moderate_needed=2,
    consider=("pe_discuss_aspirin",),
    source=_src(USPSTF_2021, ACOG_743, CHINA_HDP_2020),
    confidence="S",
)
# GDM: any one factor; there are no moderate factors, so the moderate count can never
# be reached (one more than the factors).
GDM_EARLY_TEST_RULE: Final = _rule(
    PredictionKind.GDM_EARLY_OGTT,
    _GDM_ROWS,
    moderate_needed=len(_GDM_ROWS) + 1,
    consider=("gdm_fasting_glucose_first_visit", "gdm_consider_early_test", "gdm_lifestyle"),
    source=_src(CHINA_GDM_2022, ADA_2024),
    confidence="S",
)
PRETERM_BIRTH_RULE: Final = _rule(
    PredictionKind.PRETERM_BIRTH,
    _PTB_ROWS,
    moderate_needed=len(_PTB_ROWS) + 1,
    consider=("ptb_warning_signs",),
    source=ACOG_PB_234,
    confidence="P",
)

PREDICTION_RULES: Final[Mapping[PredictionKind, FactorRule]] = MappingProxyType(
    {rule.kind: rule for rule in (PRE_ECLAMPSIA_RULE, GDM_EARLY_TEST_RULE, PRETERM_BIRTH_RULE)}
)

_ROWS: Final = {row.factor.code: row for row in (*_PE_ROWS, *_GDM_ROWS, *_PTB_ROWS)}
_DECIDERS: Final[Mapping[str, Decider]] = MappingProxyType(
    {code: row.decide for code, row in _ROWS.items()}
)
# The English wording of each factor: the application's label table mirrors it.
FACTOR_TEXT: Final[Mapping[str, str]] = MappingProxyType(
    {code: row.text for code, row in _ROWS.items()}
)
# What a present factor adds to its rule's "consider" list.
FACTOR_CONSIDER: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {code: row.consider for code, row in _ROWS.items() if row.consider}
)


# --- Results --------------------------------------------------------------------------------


class Basis(StrEnum):
    RECORD = "record"  # decided from her record
    ANSWER = "answer"  # the clinician's (or her) answer


@dataclass(frozen=True)
class FactorFinding:
    """One factor of a rule for her: `present` None means the record cannot say: ask her."""

    factor: RiskFactor
    present: bool | None
    basis: Basis | None
    evidence: Mapping[str, object]

    @property
    def code(self) -> str:
        return self.factor.code


@dataclass(frozen=True)
class RuleResult:
    """A rule applied to her. `applicable` False with `not_applicable` (a code) when the rule
    does not apply (not pregnant; diabetes already diagnosed); `prediction` None when it does
    not fire."""

    rule: FactorRule
    applicable: bool
    not_applicable: str
    prediction: Prediction | None
    findings: tuple[FactorFinding, ...]

    @property
    def kind(self) -> PredictionKind:
        return self.rule.kind

    @property
    def present(self) -> tuple[FactorFinding, ...]:
        return tuple(f for f in self.findings if f.present)

    @property
    def unknown(self) -> tuple[FactorFinding, ...]:
        """The factors to ask her about (her record cannot say)."""
        return tuple(f for f in self.findings if f.present is None)

    @property
    def could_fire(self) -> bool:
        """Not firing now, but it would if the unanswered factors were present."""
        if self.prediction is not None or not self.applicable:
            return False
        maybe = {f.code for f in self.findings if f.present is not False}
        return risk_factor_prediction(self.rule, maybe) is not None


def _finding(factor: RiskFactor, facts: PredictionFacts, policy: PredictionPolicy) -> FactorFinding:
    hint = dict(facts.hints.get(factor.code, {}))
    if factor.code in facts.answers:
        return FactorFinding(
            factor, bool(facts.answers[factor.code]), Basis.ANSWER, MappingProxyType(hint)
        )
    present, evidence = _DECIDERS[factor.code](facts, policy)
    basis = None if present is None else Basis.RECORD
    return FactorFinding(factor, present, basis, MappingProxyType({**hint, **evidence}))


def _ga_days(facts: PredictionFacts) -> int | None:
    if facts.edd is None:
        return None
    try:
        return gestational_age_on(facts.edd, facts.on).days
    except ValueError:  # before the dated LMP: no GA
        return None


def _aspirin_window(facts: PredictionFacts) -> str:
    """Where she is against the 12-16 week start window (China 2020 [S])."""
    days = _ga_days(facts)
    if days is None:
        return "pe_aspirin_ga_unknown"
    start, end = (weeks * DAYS_PER_WEEK for weeks in ASPIRIN_WINDOW_WEEKS)
    if days < start:
        return "pe_aspirin_from_12_weeks"
    if days <= end:
        return "pe_aspirin_window_open"
    return "pe_aspirin_window_passed"


def _with_details(
    prediction: Prediction,
    findings: Mapping[str, FactorFinding],
    consider: tuple[str, ...],
) -> Prediction:
    factors = tuple(
        dataclasses.replace(
            driving,
            values={**driving.values, **findings[driving.code].evidence}
            | {"basis": str(findings[driving.code].basis)},
        )
        for driving in prediction.factors
    )
    return dataclasses.replace(prediction, factors=factors, consider=consider)


def _consider(rule: FactorRule, prediction: Prediction, facts: PredictionFacts) -> tuple[str, ...]:
    codes = [c.code for c in prediction.factors]
    consider: list[str] = list(rule.consider)
    if rule.kind is PredictionKind.PRE_ECLAMPSIA:
        high = any(f.values.get("weight") == FactorWeight.HIGH for f in prediction.factors)
        consider.append("pe_aspirin_high_factor" if high else "pe_aspirin_moderate_factors")
        consider.append(_aspirin_window(facts))
    for code in codes:
        consider.extend(FACTOR_CONSIDER.get(code, ()))
    if {"ptb_prior_spontaneous", "ptb_short_cervix"} <= set(codes):
        consider.append("ptb_consider_cerclage")
    return tuple(dict.fromkeys(consider))


def _not_applicable(rule: FactorRule, facts: PredictionFacts) -> str:
    if not facts.pregnant:
        return "not_pregnant"
    if rule.kind is PredictionKind.GDM_EARLY_OGTT and facts.diagnoses & DIABETES:
        return "diabetes_diagnosed"
    return ""


def assess(
    facts: PredictionFacts, policy: PredictionPolicy = DEFAULT_PREDICTION_POLICY
) -> tuple[RuleResult, ...]:
    """Every rule of :data:`PREDICTION_RULES` applied to her, in table order."""
    results = []
    for rule in PREDICTION_RULES.values():
        reason = _not_applicable(rule, facts)
        findings = {f.code: _finding(f, facts, policy) for f in rule.factors}
        prediction = None
        if not reason:
            present = {code for code, finding in findings.items() if finding.present}
            fired = risk_factor_prediction(rule, present)
            if fired is not None:
                prediction = _with_details(fired, findings, ())
                prediction = dataclasses.replace(
                    prediction, consider=_consider(rule, prediction, facts)
                )
        results.append(RuleResult(rule, not reason, reason, prediction, tuple(findings.values())))
    return tuple(results)


def factor_predictions(
    facts: PredictionFacts, policy: PredictionPolicy = DEFAULT_PREDICTION_POLICY
) -> list[Prediction]:
    """The predictions that fire for her (each with its driving factors and what to consider)."""
    return [r.prediction for r in assess(facts, policy) if r.prediction is not None]
