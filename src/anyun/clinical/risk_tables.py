"""Five-colour pregnancy risk: the screening table and the grading table as versioned data.

Source: 《孕产妇妊娠风险评估与管理工作规范》 (国卫办妇幼发〔2017〕35号) as summarised in DOMAIN.md
section 4: the screening table (附件1, :data:`SCREENING_ITEMS`) and the assessment table (附件2,
:data:`GRADING_ITEMS`). Each item carries a stable code (stored with every grading: never rename
one; a changed meaning is a new code and a new :data:`RULESET_VERSION`), its group, its English
wording, its colour (grading only), its source and confidence mark, and how it is decided:
``decided_by`` is a criterion over the facts of her record (with its numeric bounds), or None for
an item only a clinician answers. Items with a criterion are pre-filled from the record; the
clinician confirms or corrects every one (:mod:`anyun.clinical.risk`).

The words a person reads are the application's, keyed by the item code: ``text`` here is the
English msgid the application's label table mirrors (as ``anyun.core.messages`` mirrors the
error codes), and the Chinese lives in the translation catalogue with every other user text.
DOMAIN.md summarises the tables in English; their official Chinese wording is not in it, so none
is written here from memory.

Where an item joins parts with different marks it takes the weakest mark. Items marked
"Anyun addition" are not rows of the national tables: they make every purple condition screen
positive, so that a woman with an infectious disease is always graded.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final, Literal

__all__ = [
    "ANYUN_ADDITION",
    "BIRTH_INTERVAL_LONG_YEARS",
    "BIRTH_INTERVAL_SHORT_MONTHS",
    "DIABETES",
    "GRADING_ITEMS",
    "GRADING_SOURCE",
    "HBSAG_CARRIER",
    "HDP",
    "ITEMS",
    "RULESET_VERSION",
    "SCREENING_ITEMS",
    "SCREENING_SOURCE",
    "AllOf",
    "AnyOf",
    "Asked",
    "BirthInterval",
    "Bound",
    "Confidence",
    "Criterion",
    "Diagnosis",
    "Fact",
    "GradingGroup",
    "HasDiagnosis",
    "Is",
    "ItemColour",
    "Range",
    "RiskColour",
    "RiskItem",
    "ScreeningGroup",
    "SharedBoundary",
    "Table",
    "item_of",
]

# The rule set: the 2017 specification, first Anyun encoding. Stored with every screening and
# grading so an old result is read against the rules it was made with.
RULESET_VERSION: Final = "2017-35号/1"

SCREENING_SOURCE: Final = "国卫办妇幼发〔2017〕35号 附件1 孕产妇妊娠风险筛查表"
GRADING_SOURCE: Final = "国卫办妇幼发〔2017〕35号 附件2 孕产妇妊娠风险评估表"
HEART_SOURCE: Final = GRADING_SOURCE + "; listed signs provisional"
PREVIA_SOURCE: Final = GRADING_SOURCE + " (凶险性前置胎盘), secondary copies"
ANYUN_ADDITION: Final = (
    "Anyun addition: every purple condition screens positive (the purple rule of "
    "国卫办妇幼发〔2017〕35号; HBV per the 2020 PMTCT rules [S])"
)

Confidence = Literal["V", "S", "P"]


class Table(StrEnum):
    SCREENING = "screening"  # 附件1
    GRADING = "grading"  # 附件2


class RiskColour(StrEnum):
    """The grading's colour, lowest to highest; the highest matched wins (DOMAIN.md section 4)."""

    GREEN = "green"
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"

    @property
    def rank(self) -> int:
        return _COLOUR_RANKS[self]


_COLOUR_RANKS: Final = {
    RiskColour.GREEN: 0,
    RiskColour.YELLOW: 1,
    RiskColour.ORANGE: 2,
    RiskColour.RED: 3,
}


class ItemColour(StrEnum):
    """The colour a grading item gives: one of the ranked colours, or purple (a flag beside)."""

    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"
    PURPLE = "purple"

    @property
    def risk_colour(self) -> RiskColour | None:
        """The ranked colour; None for purple, which never raises the colour itself."""
        return None if self is ItemColour.PURPLE else RiskColour(self.value)


class ScreeningGroup(StrEnum):
    """The seven parts of the screening table, in its order."""

    BASICS = "basics"
    HISTORY = "history"
    GYNAECOLOGICAL = "gynaecological"
    FAMILY = "family"
    PAST = "past"
    TESTS = "tests"
    SYSTEMS = "systems"


class GradingGroup(StrEnum):
    """The factors of the grading table, in its order; purple last."""

    AGE = "age"
    BMI = "bmi"
    HAEMOGLOBIN = "haemoglobin"
    PLATELETS = "platelets"
    HEART = "heart"
    ENDOCRINE = "endocrine"
    UTERINE_SCAR = "uterine_scar"
    MULTIPLE = "multiple"
    HYPERTENSION = "hypertension"
    OTHER = "other"
    INFECTIOUS = "infectious"


class Fact(StrEnum):
    """A fact of her record an item can be decided from (:class:`anyun.clinical.risk.RiskFacts`).

    Numbers: age in completed years (from the birth date), height cm, BMI kg/m2 (height and
    pre-pregnancy weight, 1 decimal), Hb g/L, platelets x10^9/L, ferritin ug/L, fasting plasma
    glucose mmol/L and the GA in days when it was taken, number of fetuses, previous
    caesareans, highest confirmed systolic and diastolic BP mmHg. Yes/no: the others.
    """

    AGE_YEARS = "age_years"
    HEIGHT_CM = "height_cm"
    BMI = "bmi"
    HB_G_L = "hb_g_l"
    PLATELETS = "platelets"
    FERRITIN = "ferritin"
    FASTING_GLUCOSE = "fasting_glucose"
    FASTING_GLUCOSE_GA_DAYS = "fasting_glucose_ga_days"
    GLYCOSURIA = "glycosuria"
    FETUSES = "fetuses"
    PREVIOUS_CAESAREANS = "previous_caesareans"
    SYSTOLIC = "systolic"
    DIASTOLIC = "diastolic"
    RH_NEGATIVE = "rh_negative"
    ART_CONCEPTION = "art_conception"
    SYPHILIS_POSITIVE = "syphilis_positive"
    HIV_POSITIVE = "hiv_positive"
    HBSAG_POSITIVE = "hbsag_positive"
    DIABETES_NEEDS_DRUGS = "diabetes_needs_drugs"


class Diagnosis(StrEnum):
    """Her known conditions as structured diagnoses, recorded with a grading.

    Monitoring reads them too (glucose targets apply with GDM or PGDM, DOMAIN.md section 5).
    """

    GDM = "gdm"  # gestational diabetes
    PGDM = "pgdm"  # pre-gestational diabetes
    CHRONIC_HYPERTENSION = "chronic_hypertension"
    GESTATIONAL_HYPERTENSION = "gestational_hypertension"
    PRE_ECLAMPSIA = "pre_eclampsia"
    SEVERE_PRE_ECLAMPSIA = "severe_pre_eclampsia"
    SUPERIMPOSED_PRE_ECLAMPSIA = "superimposed_pre_eclampsia"  # on chronic hypertension


DIABETES: Final = frozenset({Diagnosis.GDM, Diagnosis.PGDM})
# Hypertensive disorders of pregnancy, any form.
HDP: Final = frozenset(
    {
        Diagnosis.CHRONIC_HYPERTENSION,
        Diagnosis.GESTATIONAL_HYPERTENSION,
        Diagnosis.PRE_ECLAMPSIA,
        Diagnosis.SEVERE_PRE_ECLAMPSIA,
        Diagnosis.SUPERIMPOSED_PRE_ECLAMPSIA,
    }
)


class SharedBoundary(StrEnum):
    """A value two colours of the grading table both claim (DOMAIN.md section 4: "Boundaries
    that touch ... need an explicit configurable rule"); the hospital's rule is in
    :class:`anyun.clinical.risk.RiskPolicy`."""

    HB_60 = "hb_60"  # yellow 60-110 / orange 40-60
    HB_40 = "hb_40"  # orange 40-60 / red <=40
    PLATELETS_50 = "platelets_50"  # yellow 50-100 / orange 30-50
    PLATELETS_30 = "platelets_30"  # orange 30-50 / red <30


# --- Criteria: how an item is decided from the facts. Three-valued: True, False, or None
# (the record cannot say; the clinician answers).


@dataclass(frozen=True)
class Bound:
    """One end of a :class:`Range`. At a :class:`SharedBoundary` the policy decides whether
    the value belongs here: it does when the policy gives it to the more severe colour and
    this item is that colour (``severe_side``), or to the less severe one and it is not."""

    value: float
    inclusive: bool = False
    shared: SharedBoundary | None = None
    severe_side: bool = False


@dataclass(frozen=True)
class Range:
    """A numeric fact between `low` and `high` (either may be open). Unknown fact: None."""

    fact: Fact
    low: Bound | None = None
    high: Bound | None = None


@dataclass(frozen=True)
class Is:
    """A yes/no fact equal to `value`. Unknown fact: None."""

    fact: Fact
    value: bool = True


@dataclass(frozen=True)
class HasDiagnosis:
    """One of `diagnoses` is on her record: True; else None (no diagnosis is not a "no")."""

    diagnoses: frozenset[Diagnosis]


@dataclass(frozen=True)
class Asked:
    """The part of an item only the clinician knows: always None from the record."""


@dataclass(frozen=True)
class BirthInterval:
    """From her last birth to this pregnancy's LMP: shorter than `short_months` or longer than
    `long_years`. No previous birth (parity 0): False; LMP or birth date unknown: None."""

    short_months: int
    long_years: int


@dataclass(frozen=True)
class AnyOf:
    """True if a part is True; False if every part is False; else None."""

    parts: tuple[Criterion, ...]


@dataclass(frozen=True)
class AllOf:
    """False if a part is False; True if every part is True; else None."""

    parts: tuple[Criterion, ...]


Criterion = Range | Is | HasDiagnosis | Asked | BirthInterval | AnyOf | AllOf


@dataclass(frozen=True)
class RiskItem:
    """One row of a table. `colour` is None for screening items (a match is "positive")."""

    code: str
    table: Table
    group: ScreeningGroup | GradingGroup
    text: str
    colour: ItemColour | None
    source: str
    confidence: Confidence
    decided_by: Criterion | None = None


def _at_least(fact: Fact, value: float) -> Range:
    return Range(fact, low=Bound(value, inclusive=True))


def _above(fact: Fact, value: float) -> Range:
    return Range(fact, low=Bound(value))


def _below(fact: Fact, value: float) -> Range:
    return Range(fact, high=Bound(value))


def _at_most(fact: Fact, value: float) -> Range:
    return Range(fact, high=Bound(value, inclusive=True))


def _only(fact: Fact, value: float) -> Range:
    return Range(fact, low=Bound(value, inclusive=True), high=Bound(value, inclusive=True))


def _asked_or(criterion: Criterion) -> AnyOf:
    """The record can say yes; only the clinician can say no (other causes exist)."""
    return AnyOf((Asked(), criterion))


def _asked_and(criterion: Criterion) -> AllOf:
    """The record can say no; only the clinician can say yes (the other half is hers)."""
    return AllOf((Asked(), criterion))


# Screening bounds (附件1) [V].
AGE_OLD_FROM: Final = 35  # >= 35 years
AGE_YOUNG_UNTIL: Final = 18  # <= 18 years
HEIGHT_SHORT_UNTIL_CM: Final = 145.0  # <= 145 cm
BMI_HIGH_ABOVE: Final = 25.0  # > 25
BMI_LOW_BELOW: Final = 18.5  # < 18.5
HB_LOW_BELOW: Final = 110.0  # < 110 g/L
PLATELETS_LOW_BELOW: Final = 100.0  # < 100 x10^9/L
FERRITIN_LOW_BELOW: Final = 20.0  # < 20 ug/L
BP_SYSTOLIC_HIGH: Final = 140  # >= 140 mmHg
BP_DIASTOLIC_HIGH: Final = 90  # >= 90 mmHg
GLUCOSE_BEFORE_24W: Final = 7.0  # fasting >= 7.0 mmol/L before 24+0
GLUCOSE_FROM_24W: Final = 5.1  # fasting >= 5.1 mmol/L from 24+0
GLUCOSE_GA_SPLIT_DAYS: Final = 24 * 7
BIRTH_INTERVAL_SHORT_MONTHS: Final = 18
BIRTH_INTERVAL_LONG_YEARS: Final = 5
# Grading bounds (附件2): age >= 40 and BMI >= 28 orange [V]; Hb 60 and 40, platelets 50 and
# 30 (the shared boundaries); red Hb <= 40 and platelets < 30 [P].
AGE_ORANGE_FROM: Final = 40
BMI_ORANGE_FROM: Final = 28.0
HB_ORANGE_AT: Final = 60.0
HB_RED_AT: Final = 40.0
PLATELETS_ORANGE_AT: Final = 50.0
PLATELETS_RED_AT: Final = 30.0

_BP_HIGH: Final = AnyOf(
    (_at_least(Fact.SYSTOLIC, BP_SYSTOLIC_HIGH), _at_least(Fact.DIASTOLIC, BP_DIASTOLIC_HIGH))
)
_AGE_SCREEN: Final = AnyOf(
    (_at_least(Fact.AGE_YEARS, AGE_OLD_FROM), _at_most(Fact.AGE_YEARS, AGE_YOUNG_UNTIL))
)
_BMI_SCREEN: Final = AnyOf((_above(Fact.BMI, BMI_HIGH_ABOVE), _below(Fact.BMI, BMI_LOW_BELOW)))
_CAESAREAN: Final = _at_least(Fact.PREVIOUS_CAESAREANS, 1)
_GLYCOSURIA_HIGH_GLUCOSE: Final = AllOf(
    (
        Is(Fact.GLYCOSURIA),
        AnyOf(
            (
                AllOf(
                    (
                        _below(Fact.FASTING_GLUCOSE_GA_DAYS, GLUCOSE_GA_SPLIT_DAYS),
                        _at_least(Fact.FASTING_GLUCOSE, GLUCOSE_BEFORE_24W),
                    )
                ),
                AllOf(
                    (
                        _at_least(Fact.FASTING_GLUCOSE_GA_DAYS, GLUCOSE_GA_SPLIT_DAYS),
                        _at_least(Fact.FASTING_GLUCOSE, GLUCOSE_FROM_24W),
                    )
                ),
            )
        ),
    )
)


def _s(
    code: str,
    group: ScreeningGroup,
    text: str,
    decided_by: Criterion | None = None,
    *,
    confidence: Confidence = "V",
    source: str = SCREENING_SOURCE,
) -> RiskItem:
    return RiskItem(code, Table.SCREENING, group, text, None, source, confidence, decided_by)


_B, _H, _G = ScreeningGroup.BASICS, ScreeningGroup.HISTORY, ScreeningGroup.GYNAECOLOGICAL
_F, _PA, _T = ScreeningGroup.FAMILY, ScreeningGroup.PAST, ScreeningGroup.TESTS
_SY = ScreeningGroup.SYSTEMS
# DOMAIN.md: the system items are "[V for most, P for some]" without saying which: all are
# marked P until the source text is checked.
_SYSTEMS_MARK: Final[Confidence] = "P"

SCREENING_ITEMS: Final[tuple[RiskItem, ...]] = (
    # 1 Basics.
    _s("s_age", _B, "Age 35 or over, or 18 or under", _AGE_SCREEN),
    _s("s_height", _B, "Height 145 cm or less", _at_most(Fact.HEIGHT_CM, HEIGHT_SHORT_UNTIL_CM)),
    _s("s_disability", _B, "A physical disability that may affect giving birth"),
    _s("s_bmi", _B, "BMI over 25 or under 18.5", _BMI_SCREEN),
    _s("s_rh_negative", _B, "Rh-negative blood group", Is(Fact.RH_NEGATIVE)),
    # 2 Obstetric history.
    _s(
        "s_birth_interval",
        _H,
        "Less than 18 months or more than 5 years since her last birth",
        BirthInterval(BIRTH_INTERVAL_SHORT_MONTHS, BIRTH_INTERVAL_LONG_YEARS),
    ),
    _s(
        "s_previous_caesarean",
        _H,
        "Previous caesarean section",
        _CAESAREAN,
    ),
    _s("s_infertility", _H, "History of infertility"),
    _s(
        "s_adverse_obstetric_history",
        _H,
        "Adverse obstetric history: 3 or more miscarriages or abortions, preterm birth, "
        "perinatal death, birth defect, ectopic pregnancy, trophoblastic disease, or "
        "complications in a previous pregnancy",
    ),
    _s(
        "s_multiple_or_art",
        _H,
        "Multiple pregnancy now, or conceived by assisted reproduction",
        AnyOf((_at_least(Fact.FETUSES, 2), Is(Fact.ART_CONCEPTION))),
    ),
    # 3 Gynaecological.
    _s("s_genital_malformation", _G, "Malformation of the genital tract"),
    _s("s_fibroid_or_cyst", _G, "Uterine fibroid or ovarian cyst of 5 cm or more"),
    _s("s_vaginal_surgery", _G, "Vaginal surgery or cervical conisation"),
    _s("s_endoscopic_surgery", _G, "Hysteroscopic or laparoscopic surgery"),
    _s("s_scarred_uterus", _G, "Scarred uterus", _asked_or(_CAESAREAN)),
    _s("s_gynaecological_malignancy", _G, "Surgery for a uterine or adnexal malignancy"),
    # 4 Family history.
    _s(
        "s_family_hypertension",
        _F,
        "Hypertension in the family and her blood pressure 140/90 mmHg or higher",
        _asked_and(_BP_HIGH),
    ),
    _s("s_family_diabetes", _F, "Diabetes in a first-degree relative"),
    _s("s_family_coagulation", _F, "Coagulation-factor deficiency in the family"),
    _s("s_family_hereditary", _F, "Serious hereditary disease in the family"),
    # 5 Past medical history.
    _s("s_organ_disease", _PA, "Disease of a major organ"),
    _s("s_malignancy", _PA, "Malignancy"),
    _s("s_special_surgery", _PA, "Special surgery in the past"),
    _s("s_drug_allergy", _PA, "Drug allergy"),
    # 6 Tests.
    _s("s_hb_low", _T, "Haemoglobin below 110 g/L", _below(Fact.HB_G_L, HB_LOW_BELOW)),
    _s(
        "s_platelets_low",
        _T,
        "Platelets below 100 x10^9/L",
        _below(Fact.PLATELETS, PLATELETS_LOW_BELOW),
    ),
    _s("s_syphilis", _T, "Syphilis test positive", Is(Fact.SYPHILIS_POSITIVE)),
    _s("s_hiv", _T, "HIV test positive", Is(Fact.HIV_POSITIVE)),
    _s(
        "s_urine_abnormal",
        _T,
        "Abnormal urine (protein, casts, red or white cells) on 2 or more tests",
    ),
    _s(
        "s_glycosuria_glucose",
        _T,
        "Glucose in the urine with fasting glucose 7.0 mmol/L or higher before 24 weeks, "
        "or 5.1 mmol/L or higher from 24 weeks",
        _GLYCOSURIA_HIGH_GLUCOSE,
    ),
    _s("s_ferritin_low", _T, "Ferritin below 20 ug/L", _below(Fact.FERRITIN, FERRITIN_LOW_BELOW)),
    _s(
        "s_hbsag",
        _T,
        "HBsAg positive",
        Is(Fact.HBSAG_POSITIVE),
        confidence="P",
        source=ANYUN_ADDITION,
    ),
    # 7 Symptoms and history by system.
    _s(
        "s_cardio_respiratory",
        _SY,
        "Heart or lung symptoms or disease, including blood pressure 140/90 mmHg or higher",
        _asked_or(AnyOf((_BP_HIGH, HasDiagnosis(HDP)))),
        confidence=_SYSTEMS_MARK,
    ),
    _s("s_digestive", _SY, "Digestive symptoms or disease", confidence=_SYSTEMS_MARK),
    _s("s_urinary", _SY, "Urinary symptoms or disease", confidence=_SYSTEMS_MARK),
    _s("s_blood", _SY, "Blood disorder", confidence=_SYSTEMS_MARK),
    _s(
        "s_endocrine_immune",
        _SY,
        "Endocrine or immune disease",
        _asked_or(HasDiagnosis(DIABETES)),
        confidence=_SYSTEMS_MARK,
    ),
    _s("s_sti", _SY, "Sexually transmitted infection", confidence=_SYSTEMS_MARK),
    _s(
        "s_psychiatric_neurological",
        _SY,
        "Psychiatric or neurological symptoms or disease, including depression",
        confidence=_SYSTEMS_MARK,
    ),
    _s("s_drug_use", _SY, "Drug use", confidence=_SYSTEMS_MARK),
    _s(
        "s_infection",
        _SY,
        "An infectious disease now: viral hepatitis, tuberculosis, severe pneumonia or a special "
        "viral infection",
        confidence="P",
        source=ANYUN_ADDITION,
    ),
)


def _g(
    code: str,
    group: GradingGroup,
    colour: ItemColour,
    text: str,
    decided_by: Criterion | None = None,
    *,
    confidence: Confidence = "V",
    source: str = GRADING_SOURCE,
) -> RiskItem:
    return RiskItem(code, Table.GRADING, group, text, colour, source, confidence, decided_by)


_YELLOW, _ORANGE, _RED = ItemColour.YELLOW, ItemColour.ORANGE, ItemColour.RED
_PURPLE = ItemColour.PURPLE
_GA, _GB, _GH = GradingGroup.AGE, GradingGroup.BMI, GradingGroup.HAEMOGLOBIN
_GP, _GC, _GE = GradingGroup.PLATELETS, GradingGroup.HEART, GradingGroup.ENDOCRINE
_GS, _GM, _GT = GradingGroup.UTERINE_SCAR, GradingGroup.MULTIPLE, GradingGroup.HYPERTENSION
_GO, _GI = GradingGroup.OTHER, GradingGroup.INFECTIOUS

# The numeric bands of one factor do not overlap: a value matches one item of its factor. Every
# item the record can decide has a screening item the same facts make positive (tested).
GRADING_ITEMS: Final[tuple[RiskItem, ...]] = (
    # Age.
    _g(
        "g_age_35_39_or_18",
        _GA,
        _YELLOW,
        "Age 35 to 39, or 18 or under",
        AnyOf(
            (
                Range(
                    Fact.AGE_YEARS,
                    low=Bound(AGE_OLD_FROM, inclusive=True),
                    high=Bound(AGE_ORANGE_FROM),
                ),
                _at_most(Fact.AGE_YEARS, AGE_YOUNG_UNTIL),
            )
        ),
    ),
    _g("g_age_40", _GA, _ORANGE, "Age 40 or over", _at_least(Fact.AGE_YEARS, AGE_ORANGE_FROM)),
    # BMI.
    _g(
        "g_bmi_25_28_or_low",
        _GB,
        _YELLOW,
        "BMI over 25 and under 28, or under 18.5",
        AnyOf(
            (
                Range(Fact.BMI, low=Bound(BMI_HIGH_ABOVE), high=Bound(BMI_ORANGE_FROM)),
                _below(Fact.BMI, BMI_LOW_BELOW),
            )
        ),
    ),
    _g("g_bmi_28", _GB, _ORANGE, "BMI 28 or over", _at_least(Fact.BMI, BMI_ORANGE_FROM)),
    # Haemoglobin.
    _g(
        "g_hb_60_110",
        _GH,
        _YELLOW,
        "Haemoglobin 60 to 110 g/L",
        Range(
            Fact.HB_G_L,
            low=Bound(HB_ORANGE_AT, shared=SharedBoundary.HB_60),
            high=Bound(HB_LOW_BELOW),
        ),
    ),
    _g(
        "g_hb_40_60",
        _GH,
        _ORANGE,
        "Haemoglobin 40 to 60 g/L",
        Range(
            Fact.HB_G_L,
            low=Bound(HB_RED_AT, shared=SharedBoundary.HB_40),
            high=Bound(HB_ORANGE_AT, shared=SharedBoundary.HB_60, severe_side=True),
        ),
    ),
    _g(
        "g_hb_40",
        _GH,
        _RED,
        "Haemoglobin 40 g/L or below",
        Range(Fact.HB_G_L, high=Bound(HB_RED_AT, shared=SharedBoundary.HB_40, severe_side=True)),
        confidence="P",
    ),
    # Platelets.
    _g(
        "g_platelets_50_100",
        _GP,
        _YELLOW,
        "Platelets 50 to 100 x10^9/L, no bleeding",
        Range(
            Fact.PLATELETS,
            low=Bound(PLATELETS_ORANGE_AT, shared=SharedBoundary.PLATELETS_50),
            high=Bound(PLATELETS_LOW_BELOW),
        ),
    ),
    _g(
        "g_platelets_30_50",
        _GP,
        _ORANGE,
        "Platelets 30 to 50 x10^9/L",
        Range(
            Fact.PLATELETS,
            low=Bound(PLATELETS_RED_AT, shared=SharedBoundary.PLATELETS_30),
            high=Bound(PLATELETS_ORANGE_AT, shared=SharedBoundary.PLATELETS_50, severe_side=True),
        ),
    ),
    _g(
        "g_platelets_30",
        _GP,
        _RED,
        "Platelets below 30 x10^9/L",
        Range(
            Fact.PLATELETS,
            high=Bound(PLATELETS_RED_AT, shared=SharedBoundary.PLATELETS_30, severe_side=True),
        ),
        confidence="P",
    ),
    _g(
        "g_platelets_falling_or_bleeding",
        _GP,
        _RED,
        "Low platelets that are falling, or with bleeding",
        confidence="P",
    ),
    # Heart.
    _g(
        "g_heart_mild",
        _GC,
        _YELLOW,
        "Heart disease needing no drugs, with normal heart function (e.g. repaired simple "
        "congenital heart disease, arrhythmia)",
    ),
    _g(
        "g_heart_moderate",
        _GC,
        _ORANGE,
        "Heart disease with NYHA class II, ejection fraction 40-50%, needing drugs, or mild "
        "pulmonary hypertension (below 50 mmHg)",
        confidence="P",
        source=HEART_SOURCE,
    ),
    _g(
        "g_pulmonary_hypertension",
        _GC,
        _RED,
        "Pulmonary hypertension 50 mmHg or higher",
    ),
    _g(
        "g_heart_severe",
        _GC,
        _RED,
        "Complex or cyanotic congenital heart disease, cardiomyopathy, NYHA class III-IV or "
        "another severe heart disease",
        confidence="P",
    ),
    # Diabetes, thyroid disease, prolactinoma.
    _g(
        "g_diabetes_no_drugs",
        _GE,
        _YELLOW,
        "Diabetes needing no drugs",
        AllOf((HasDiagnosis(DIABETES), Is(Fact.DIABETES_NEEDS_DRUGS, value=False))),
    ),
    _g(
        "g_diabetes_drugs",
        _GE,
        _ORANGE,
        "Diabetes needing drugs",
        AllOf((HasDiagnosis(DIABETES), Is(Fact.DIABETES_NEEDS_DRUGS))),
    ),
    _g(
        "g_thyroid_prolactinoma_no_drugs",
        _GE,
        _YELLOW,
        "Thyroid disease or prolactinoma needing no drugs",
    ),
    _g(
        "g_thyroid_prolactinoma_drugs",
        _GE,
        _ORANGE,
        "Thyroid disease or prolactinoma needing drugs",
    ),
    _g(
        "g_endocrine_organ_damage",
        _GE,
        _RED,
        "Diabetes, thyroid disease or prolactinoma with organ complications",
        confidence="P",
    ),
    # Uterine scar.
    _g("g_uterine_scar", _GS, _YELLOW, "Scarred uterus", _asked_or(_CAESAREAN)),
    _g(
        "g_uterine_operations_2",
        _GS,
        _ORANGE,
        "Two or more operations on the uterus",
        _asked_or(_at_least(Fact.PREVIOUS_CAESAREANS, 2)),
    ),
    _g(
        "g_uterine_surgery_recent",
        _GS,
        _ORANGE,
        "Less than 18 months since uterine surgery",
        confidence="P",
    ),
    _g(
        "g_scar_previa_accreta",
        _GS,
        _ORANGE,
        "Scarred uterus with central placenta previa or placenta accreta",
        confidence="P",
    ),
    _g(
        "g_pernicious_previa",
        _GS,
        _RED,
        "Placenta previa over a caesarean scar with accreta (pernicious placenta previa)",
        confidence="S",
        source=PREVIA_SOURCE,
    ),
    # Multiple pregnancy.
    _g("g_twins", _GM, _YELLOW, "Twin pregnancy", _only(Fact.FETUSES, 2), confidence="P"),
    _g(
        "g_triplets",
        _GM,
        _ORANGE,
        "Triplets or more",
        _at_least(Fact.FETUSES, 3),
        confidence="P",
    ),
    _g(
        "g_twins_cardiopulmonary",
        _GM,
        _ORANGE,
        "Twin pregnancy with reduced heart or lung function",
        _asked_and(_at_least(Fact.FETUSES, 2)),
    ),
    # Hypertension.
    _g(
        "g_hdp",
        _GT,
        _YELLOW,
        "Hypertensive disorder of pregnancy not listed higher",
        AnyOf((HasDiagnosis(HDP), _BP_HIGH)),
        confidence="P",
    ),
    _g(
        "g_severe_pre_eclampsia",
        _GT,
        _ORANGE,
        "Severe pre-eclampsia",
        HasDiagnosis(frozenset({Diagnosis.SEVERE_PRE_ECLAMPSIA})),
    ),
    _g(
        "g_superimposed_pre_eclampsia",
        _GT,
        _ORANGE,
        "Chronic hypertension with superimposed pre-eclampsia",
        HasDiagnosis(frozenset({Diagnosis.SUPERIMPOSED_PRE_ECLAMPSIA})),
    ),
    _g(
        "g_hypertensive_heart_disease",
        _GT,
        _RED,
        "Hypertensive heart disease",
        confidence="P",
    ),
    # Other, yellow.
    _g("g_genital_malformation", _GO, _YELLOW, "Malformation of the genital tract"),
    _g("g_small_pelvis", _GO, _YELLOW, "Small pelvis"),
    _g("g_adverse_obstetric_history", _GO, _YELLOW, "Adverse obstetric history"),
    _g("g_fibroid_5cm", _GO, _YELLOW, "Uterine fibroid of 5 cm or more"),
    _g("g_pelvic_surgery", _GO, _YELLOW, "Previous pelvic surgery"),
    _g("g_art", _GO, _YELLOW, "Conceived by assisted reproduction", Is(Fact.ART_CONCEPTION)),
    _g(
        "g_hbsag_carrier",
        _GO,
        _YELLOW,
        "HBsAg carrier with normal liver function",
        Is(Fact.HBSAG_POSITIVE),
    ),
    _g("g_renal_stable", _GO, _YELLOW, "Stable kidney disease"),
    _g("g_epilepsy_partial", _GO, _YELLOW, "Epilepsy (partial seizures)"),
    _g("g_sti", _GO, _YELLOW, "Sexually transmitted infection other than syphilis or HIV"),
    # Other, orange.
    _g("g_asthma", _GO, _ORANGE, "Asthma"),
    _g("g_liver_dysfunction", _GO, _ORANGE, "Liver dysfunction of unknown cause"),
    _g("g_ckd_creatinine", _GO, _ORANGE, "Chronic kidney disease with raised creatinine"),
    _g("g_thrombophilia", _GO, _ORANGE, "Thrombophilia"),
    _g("g_steroids_6_months", _GO, _ORANGE, "Low-dose steroids for 6 months or more"),
    _g("g_fever_unknown", _GO, _ORANGE, "Fever of unknown cause"),
    _g("g_postpartum_depression", _GO, _ORANGE, "Postpartum depression"),
    _g(
        "g_orange_other",
        _GO,
        _ORANGE,
        "Another condition of higher risk, as the clinician judges",
        confidence="P",
    ),
    # Other, red.
    _g("g_immune_active", _GO, _RED, "Active immune disease", confidence="P"),
    _g("g_psychiatric_acute", _GO, _RED, "Acute psychiatric illness", confidence="P"),
    _g("g_malignancy", _GO, _RED, "Malignancy", confidence="P"),
    _g("g_placental_abruption", _GO, _RED, "Placental abruption", confidence="P"),
    _g(
        "g_red_other",
        _GO,
        _RED,
        "Another condition of high risk, as the clinician judges",
        confidence="P",
    ),
    # Purple: an infectious disease in pregnancy [V].
    _g("g_viral_hepatitis", _GI, _PURPLE, "Viral hepatitis"),
    _g("g_syphilis", _GI, _PURPLE, "Syphilis", Is(Fact.SYPHILIS_POSITIVE)),
    _g("g_hiv", _GI, _PURPLE, "HIV infection or AIDS", Is(Fact.HIV_POSITIVE)),
    _g("g_tuberculosis", _GI, _PURPLE, "Tuberculosis"),
    _g("g_severe_pneumonia", _GI, _PURPLE, "Severe infective pneumonia"),
    _g("g_special_viral_infection", _GI, _PURPLE, "Special viral infection (e.g. Zika)"),
)

ITEMS: Final = MappingProxyType({item.code: item for item in SCREENING_ITEMS + GRADING_ITEMS})

# The grading item whose purple flag the hospital sets (RiskPolicy.hbsag_carrier_purple).
HBSAG_CARRIER: Final = "g_hbsag_carrier"


def item_of(code: str) -> RiskItem | None:
    """The item with `code` in either table, or None."""
    return ITEMS.get(code)
