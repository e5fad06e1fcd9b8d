"""Lab tests and examinations: the catalogue, each test's preparation and observations with
their units, reference ranges (pregnancy-specific where they differ) and the flag of a value.

Pure data and functions (no Django); the words she and the clinician read are the orders app's,
keyed by the codes here. Every range names its source and confidence mark (DOMAIN.md: [V]
seen in the source, [S] secondary copies, [P] provisional / memory / local policy).

Sources:
- [DOMAIN-3] DOMAIN.md section 3, 《孕前和孕期保健指南（2018）》: the tests of the visits (FBC,
  urinalysis, ABO/Rh, fasting glucose, liver/kidney function, HBsAg, syphilis, HIV, ultrasound,
  75 g OGTT at 24-28 w, weekly NST 37-41 w) [S].
- [DOMAIN-4] DOMAIN.md section 4, 附件1/附件2 of 国卫办妇幼发〔2017〕35号: Hb < 110 g/L,
  platelets < 100 x10^9/L, Rh-negative, syphilis/HIV positive, fasting glucose >= 7.0 mmol/L
  before 24 weeks or >= 5.1 from 24 weeks, ferritin < 20 ug/L (screening items) [V]; Hb 40-60
  orange, platelets 30-50 orange (grading) [V].
- [GDM-2022] 《妊娠期高血糖诊治指南（2022）》 (and its 2014 predecessor), 75 g OGTT at
  24-28 weeks: fasting >= 5.1, 1 h >= 10.0, 2 h >= 8.5 mmol/L, any one value diagnoses GDM;
  DOMAIN.md section 5 [S].
- [WHO-ANAEMIA] WHO, Haemoglobin concentrations for the diagnosis of anaemia (2011): anaemia
  in pregnancy Hb < 110 g/L (the same value as DOMAIN-4) [S].
- [WS/T 405-2012] 血细胞分析参考区间 (adult women): Hb 115-150 g/L, platelets 125-350
  x10^9/L, WBC 3.5-9.5 x10^9/L [P: from memory of the standard, not its text].
- [WS/T 404] 临床常用生化检验项目参考区间 (adult women): ALT 7-40 U/L, AST 13-35 U/L
  (404.1-2012), albumin 40-55 g/L (404.2-2012), creatinine 41-73 umol/L (enzymatic, 20-59 y),
  urea 2.6-7.5 mmol/L (404.5-2015) [P: from memory of the standard, not its text].
- [THYROID-2019] 《妊娠和产后甲状腺疾病诊治指南（第2版）》 2019: without a pregnancy-specific
  interval from the laboratory, the first-trimester TSH upper limit is 4.0 mU/L [S].
- [FHR] DOMAIN.md section 5 and the FIGO intrapartum fetal monitoring consensus (2015): fetal
  heart rate normal 110-160 bpm [S]; < 100 or > 180 urgent [P].
- [GLUCOSE-ALARM] DOMAIN.md section 5: glucose < 3.3 or >= 11.1 mmol/L urgent [P]; used here
  as the lab's critical limits (LOCAL POLICY).
- [WHO-FASTING] WHO 1999 criteria as used in Chinese practice: fasting plasma glucose outside
  pregnancy 3.9-6.1 mmol/L [P].

LOCAL POLICY: a laboratory's own reference range sent with a result is used when the table has
no pregnancy-specific range for her gestational age (the laboratory's interval fits its assay
better than a national table); the pregnancy-specific ranges here always win when they apply,
as the national documents set them for pregnancy. Critical limits are never taken from a
report.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

__all__ = [
    "CATALOGUE",
    "OBSERVATIONS",
    "QUALITATIVE_VALUES",
    "Flag",
    "Kind",
    "LabValueError",
    "Observation",
    "Preparation",
    "Range",
    "Test",
    "TestKind",
    "flag_value",
    "observation_by_loinc",
    "parse_qualitative",
    "range_for",
]

SOURCE_RISK_2017: Final = "国卫办妇幼发〔2017〕35号 附件1/附件2"
SOURCE_GDM: Final = "《妊娠期高血糖诊治指南（2022）》 75 g OGTT"
SOURCE_WHO_ANAEMIA: Final = "WHO Haemoglobin concentrations for the diagnosis of anaemia (2011)"
SOURCE_WST405: Final = "WS/T 405-2012 血细胞分析参考区间 (adult women)"
SOURCE_WST404_1: Final = "WS/T 404.1-2012 (adult women)"
SOURCE_WST404_2: Final = "WS/T 404.2-2012 (adults)"
SOURCE_WST404_5: Final = "WS/T 404.5-2015 (women 20-59 years)"
SOURCE_THYROID: Final = "《妊娠和产后甲状腺疾病诊治指南（第2版）》 2019"
SOURCE_FHR: Final = (
    "FIGO intrapartum fetal monitoring consensus (2015): normal baseline 110-160 bpm"
)
SOURCE_FHR_URGENT: Final = "Fetal heart rate urgent below 100 or above 180 bpm (LOCAL POLICY)"
SOURCE_GLUCOSE_ALARM: Final = (
    "Glucose urgent limits < 3.3 and >= 11.1 mmol/L (LOCAL POLICY for the lab)"
)
SOURCE_WHO_FASTING: Final = "WHO 1999 fasting plasma glucose"
SOURCE_VISITS_2018: Final = "《孕前和孕期保健指南（2018）》"

DAYS_24_WEEKS: Final = 24 * 7
DAYS_14_WEEKS: Final = 14 * 7


class LabValueError(ValueError):
    """A value the table cannot take (not a number, outside what is physically possible, an
    unknown qualitative word). ``code`` is stable; the app words it."""

    def __init__(self, code: str, observation: str) -> None:
        super().__init__(f"{code}: {observation}")
        self.code = code
        self.observation = observation


class Kind(StrEnum):
    QUANTITY = "quantity"  # a number with a unit
    QUALITATIVE = "qualitative"  # negative / positive (and graded positives)
    CATEGORY = "category"  # a value from a list with no flag of its own (ABO group)
    TEXT = "text"  # a written finding (ultrasound); the reporter says normal or abnormal


class Flag(StrEnum):
    NORMAL = "normal"
    LOW = "low"
    HIGH = "high"
    CRITICAL_LOW = "critical_low"
    CRITICAL_HIGH = "critical_high"
    POSITIVE = "positive"  # a qualitative result that needs attention
    ABNORMAL = "abnormal"  # a written finding the reporter marked abnormal
    NONE = "none"  # nothing to compare with (no range)

    @property
    def abnormal(self) -> bool:
        return self not in {Flag.NORMAL, Flag.NONE}

    @property
    def critical(self) -> bool:
        return self in {Flag.CRITICAL_LOW, Flag.CRITICAL_HIGH}


# Qualitative results in the order of strength; what counts as "positive" per observation.
QUALITATIVE_VALUES: Final = ("negative", "trace", "1+", "2+", "3+", "4+", "positive")
_QUALITATIVE_WORDS: Final[Mapping[str, str]] = {
    "negative": "negative",
    "neg": "negative",
    "-": "negative",
    "阴性": "negative",
    "trace": "trace",
    "±": "trace",
    "+-": "trace",
    "positive": "positive",
    "pos": "positive",
    "+": "1+",
    "阳性": "positive",
    "1+": "1+",
    "2+": "2+",
    "3+": "3+",
    "4+": "4+",
    "++": "2+",
    "+++": "3+",
    "++++": "4+",
}


class Preparation(StrEnum):
    """What she does before the test (worded by the app)."""

    NONE = "none"
    FASTING = "fasting"  # 8-12 h without food, water allowed
    OGTT = "ogtt"  # fasting, then 75 g glucose drink, stay seated, 3 draws over 2 h
    MORNING_URINE = "morning_urine"  # a clean-catch midstream sample, first urine of the day
    ULTRASOUND = "ultrasound"  # bring her record; full bladder only in early pregnancy
    NST = "nst"  # eat beforehand, about 40 minutes lying on the side


class TestKind(StrEnum):
    LAB = "lab"
    EXAM = "exam"  # ultrasound, NST: done in a room, not a sample


@dataclass(frozen=True)
class Range:
    """A reference range. ``low``: a value below it is low; ``high``: a value above it is high
    (at or above it when ``high_inclusive``, as guideline thresholds "≥ 5.1" are written).
    ``from_days``/``to_days``: the gestational-age window in days it applies to (None: any);
    ``pregnancy``: a range for pregnancy (else the adult range, used outside pregnancy and when
    no pregnancy range covers her GA)."""

    low: float | None
    high: float | None
    source: str
    mark: str
    pregnancy: bool = False
    from_days: int | None = None
    to_days: int | None = None
    high_inclusive: bool = False

    def applies(self, ga_days: int | None) -> bool:
        if not self.pregnancy:
            return True
        if ga_days is None:
            return False
        if self.from_days is not None and ga_days < self.from_days:
            return False
        return not (self.to_days is not None and ga_days >= self.to_days)


@dataclass(frozen=True)
class Observation:
    """One thing a test measures: its code, unit, the plausible bounds (a value outside is
    refused as a typing or unit error), reference ranges and critical limits."""

    code: str
    kind: Kind
    unit: str = ""
    decimals: int = 0
    plausible: tuple[float, float] | None = None
    ranges: tuple[Range, ...] = ()
    critical_low: float | None = None
    critical_high: float | None = None  # at or above it
    critical_source: str = ""
    # Qualitative: the weakest value that counts as positive (e.g. "1+": "trace" is not).
    positive_from: str = "1+"
    # Category: the values it may take.
    categories: tuple[str, ...] = ()
    # Category values that need attention (Rh negative).
    attention: tuple[str, ...] = ()
    # LOINC code, only where DOMAIN.md section 12 lists it; else the local code system.
    loinc: str = ""
    # The risk fact (anyun.clinical.risk.RiskFacts) this observation gives, if any.
    risk_fact: str = ""


@dataclass(frozen=True)
class Test:
    code: str
    kind: TestKind
    observations: tuple[str, ...]
    preparation: Preparation
    source: str = SOURCE_VISITS_2018


def _r(low: float | None, high: float | None, source: str, mark: str, **kw: object) -> Range:
    return Range(low, high, source, mark, **kw)  # type: ignore[arg-type]


_OBSERVATIONS: tuple[Observation, ...] = (
    Observation(
        "hb",
        Kind.QUANTITY,
        "g/L",
        0,
        (20, 250),
        (
            _r(115, 150, SOURCE_WST405, "P"),
            # Pregnancy: anaemia below 110 at every GA (WHO; DOMAIN s.4); upper as adults.
            _r(110, 150, f"{SOURCE_RISK_2017}; {SOURCE_WHO_ANAEMIA}", "V", pregnancy=True),
        ),
        critical_low=60,
        critical_source=f"{SOURCE_RISK_2017}: Hb 40-60 orange, <=40 red",
        loinc="718-7",
        risk_fact="hb_g_l",
    ),
    Observation(
        "platelets",
        Kind.QUANTITY,
        "10^9/L",
        0,
        (0, 2000),
        (
            _r(125, 350, SOURCE_WST405, "P"),
            _r(100, 350, SOURCE_RISK_2017, "V", pregnancy=True),
        ),
        critical_low=50,
        critical_source=f"{SOURCE_RISK_2017}: platelets 30-50 orange, <30 red",
        risk_fact="platelets",
    ),
    Observation("wbc", Kind.QUANTITY, "10^9/L", 1, (0.1, 200), (_r(3.5, 9.5, SOURCE_WST405, "P"),)),
    Observation(
        "fasting_glucose",
        Kind.QUANTITY,
        "mmol/L",
        1,
        (0.5, 40),
        (
            _r(3.9, 6.1, SOURCE_WHO_FASTING, "P"),
            _r(
                None,
                7.0,
                SOURCE_RISK_2017,
                "V",
                pregnancy=True,
                to_days=DAYS_24_WEEKS,
                high_inclusive=True,
            ),
            _r(
                None,
                5.1,
                f"{SOURCE_RISK_2017}; {SOURCE_GDM}",
                "V",
                pregnancy=True,
                from_days=DAYS_24_WEEKS,
                high_inclusive=True,
            ),
        ),
        critical_low=3.3,
        critical_high=11.1,
        critical_source=SOURCE_GLUCOSE_ALARM,
        risk_fact="fasting_glucose",
    ),
    Observation(
        "ogtt_0h",
        Kind.QUANTITY,
        "mmol/L",
        1,
        (0.5, 40),
        (_r(None, 5.1, SOURCE_GDM, "S", pregnancy=True, high_inclusive=True),),
        critical_low=3.3,
        critical_high=11.1,
        critical_source=SOURCE_GLUCOSE_ALARM,
        risk_fact="fasting_glucose",
    ),
    Observation(
        "ogtt_1h",
        Kind.QUANTITY,
        "mmol/L",
        1,
        (0.5, 40),
        (_r(None, 10.0, SOURCE_GDM, "S", pregnancy=True, high_inclusive=True),),
        critical_low=3.3,
        critical_source=SOURCE_GLUCOSE_ALARM,
    ),
    Observation(
        "ogtt_2h",
        Kind.QUANTITY,
        "mmol/L",
        1,
        (0.5, 40),
        (_r(None, 8.5, SOURCE_GDM, "S", pregnancy=True, high_inclusive=True),),
        critical_low=3.3,
        critical_source=SOURCE_GLUCOSE_ALARM,
        loinc="14995-5",
    ),
    Observation("alt", Kind.QUANTITY, "U/L", 0, (0, 10000), (_r(7, 40, SOURCE_WST404_1, "P"),)),
    Observation("ast", Kind.QUANTITY, "U/L", 0, (0, 10000), (_r(13, 35, SOURCE_WST404_1, "P"),)),
    Observation("albumin", Kind.QUANTITY, "g/L", 1, (5, 80), (_r(40, 55, SOURCE_WST404_2, "P"),)),
    Observation(
        "creatinine",
        Kind.QUANTITY,
        "umol/L",
        0,
        (5, 3000),
        (_r(41, 73, SOURCE_WST404_5, "P"),),
    ),
    Observation(
        "urea", Kind.QUANTITY, "mmol/L", 1, (0.1, 100), (_r(2.6, 7.5, SOURCE_WST404_5, "P"),)
    ),
    Observation(
        "tsh",
        Kind.QUANTITY,
        "mU/L",
        2,
        (0, 500),
        (_r(None, 4.0, SOURCE_THYROID, "S", pregnancy=True, to_days=DAYS_14_WEEKS),),
    ),
    Observation("ft4", Kind.QUANTITY, "pmol/L", 1, (0.1, 200)),
    Observation(
        "ferritin",
        Kind.QUANTITY,
        "ug/L",
        0,
        (0, 100000),
        (_r(20, None, SOURCE_RISK_2017, "V", pregnancy=True),),
    ),
    Observation("urine_protein", Kind.QUALITATIVE, loinc="5804-0"),
    Observation("urine_glucose", Kind.QUALITATIVE),
    Observation("urine_ketones", Kind.QUALITATIVE),
    Observation("urine_leukocytes", Kind.QUALITATIVE),
    Observation("urine_blood", Kind.QUALITATIVE),
    Observation(
        "hbsag",
        Kind.QUALITATIVE,
        positive_from="positive",
        loinc="5196-1",
        risk_fact="hbsag_positive",
    ),
    Observation("hiv", Kind.QUALITATIVE, positive_from="positive", risk_fact="hiv_positive"),
    Observation(
        "syphilis", Kind.QUALITATIVE, positive_from="positive", risk_fact="syphilis_positive"
    ),
    Observation("abo", Kind.CATEGORY, categories=("A", "B", "AB", "O"), loinc="883-9"),
    Observation(
        "rh",
        Kind.CATEGORY,
        categories=("positive", "negative"),
        attention=("negative",),
        loinc="10331-7",
        risk_fact="rh_negative",
    ),
    Observation(
        "fetal_heart_rate",
        Kind.QUANTITY,
        "bpm",
        0,
        (50, 250),
        (_r(110, 160, SOURCE_FHR, "S", pregnancy=True),),
        critical_low=100,
        critical_high=181,  # "> 180" on whole beats
        critical_source=SOURCE_FHR_URGENT,
    ),
    Observation("ultrasound_finding", Kind.TEXT),
    Observation(
        "nst_result",
        Kind.CATEGORY,
        categories=("reactive", "non_reactive"),
        attention=("non_reactive",),
    ),
)
OBSERVATIONS: Final[Mapping[str, Observation]] = {o.code: o for o in _OBSERVATIONS}

CATALOGUE: Final[Mapping[str, Test]] = {
    t.code: t
    for t in (
        Test("fbc", TestKind.LAB, ("hb", "platelets", "wbc"), Preparation.NONE),
        Test(
            "urinalysis",
            TestKind.LAB,
            ("urine_protein", "urine_glucose", "urine_ketones", "urine_leukocytes", "urine_blood"),
            Preparation.MORNING_URINE,
        ),
        Test("blood_group", TestKind.LAB, ("abo", "rh"), Preparation.NONE),
        Test("fasting_glucose", TestKind.LAB, ("fasting_glucose",), Preparation.FASTING),
        Test("ogtt", TestKind.LAB, ("ogtt_0h", "ogtt_1h", "ogtt_2h"), Preparation.OGTT, SOURCE_GDM),
        Test("liver", TestKind.LAB, ("alt", "ast", "albumin"), Preparation.FASTING),
        Test("kidney", TestKind.LAB, ("creatinine", "urea"), Preparation.FASTING),
        Test("thyroid", TestKind.LAB, ("tsh", "ft4"), Preparation.NONE, SOURCE_THYROID),
        Test("ferritin", TestKind.LAB, ("ferritin",), Preparation.NONE, SOURCE_RISK_2017),
        Test("hbsag", TestKind.LAB, ("hbsag",), Preparation.NONE),
        Test("hiv", TestKind.LAB, ("hiv",), Preparation.NONE),
        Test("syphilis", TestKind.LAB, ("syphilis",), Preparation.NONE),
        Test(
            "ultrasound",
            TestKind.EXAM,
            ("ultrasound_finding", "fetal_heart_rate"),
            Preparation.ULTRASOUND,
        ),
        Test("nst", TestKind.EXAM, ("nst_result", "fetal_heart_rate"), Preparation.NST),
    )
}


def observation_by_loinc(code: str) -> Observation | None:
    for observation in _OBSERVATIONS:
        if observation.loinc and observation.loinc == code:
            return observation
    return None


def parse_qualitative(observation: Observation, raw: str) -> str:
    """The stored word for a qualitative or category result ("阳性" -> "positive", "++" ->
    "2+"); raises LabValueError for anything else."""
    text = (raw or "").strip().lower()
    if observation.kind == Kind.CATEGORY:
        for value in observation.categories:
            if text == value.lower():
                return value
        words = {"阳性": "positive", "阴性": "negative", "pos": "positive", "neg": "negative"}
        if words.get(text) in observation.categories:
            return words[text]
        raise LabValueError("category_unknown", observation.code)
    word = _QUALITATIVE_WORDS.get(text)
    if word is None:
        raise LabValueError("qualitative_unknown", observation.code)
    if observation.positive_from == "positive" and word not in {"negative", "positive"}:
        # A screening test is read negative or positive: a graded word is a reactive result.
        word = "negative" if word == "trace" else "positive"
    return word


def range_for(
    observation: Observation,
    *,
    ga_days: int | None,
    reported: tuple[float | None, float | None] | None = None,
) -> Range | None:
    """The range a value is judged against: a pregnancy-specific range covering her GA; else
    the laboratory's reported range (LOCAL POLICY, see the module docstring); else the adult
    range; None when there is none."""
    for candidate in observation.ranges:
        if candidate.pregnancy and candidate.applies(ga_days):
            return candidate
    if reported is not None and (reported[0] is not None or reported[1] is not None):
        return Range(reported[0], reported[1], "laboratory", "P")
    for candidate in observation.ranges:
        if not candidate.pregnancy:
            return candidate
    return None


def check_quantity(observation: Observation, value: float) -> float:
    """The value if it is a finite number within the plausible bounds; else LabValueError."""
    if not math.isfinite(value):
        raise LabValueError("value_not_number", observation.code)
    if observation.plausible is not None:
        low, high = observation.plausible
        if not low <= value <= high:
            raise LabValueError("value_impossible", observation.code)
    return value


def flag_value(
    observation: Observation,
    *,
    number: float | None = None,
    text: str = "",
    ga_days: int | None = None,
    reported: tuple[float | None, float | None] | None = None,
    reporter_abnormal: bool = False,
) -> tuple[Flag, Range | None]:
    """The flag of one result and the range it was judged against.

    Quantity: critical limits first (critical low below ``critical_low``, critical high at or
    above ``critical_high``), then the range (low below ``low``; high above ``high``, or at it
    when ``high_inclusive``). Qualitative: positive from ``positive_from`` up. Category: a value
    in ``attention`` is positive. Text: the reporter's own normal / abnormal.
    """
    if observation.kind == Kind.TEXT:
        return (Flag.ABNORMAL if reporter_abnormal else Flag.NORMAL), None
    if observation.kind == Kind.CATEGORY:
        value = parse_qualitative(observation, text)
        return (Flag.POSITIVE if value in observation.attention else Flag.NONE), None
    if observation.kind == Kind.QUALITATIVE:
        value = parse_qualitative(observation, text)
        order = QUALITATIVE_VALUES
        threshold = observation.positive_from
        if value == "positive":
            return Flag.POSITIVE, None
        positive = value != "negative" and order.index(value) >= order.index(threshold)
        return (Flag.POSITIVE if positive else Flag.NORMAL), None
    if number is None:
        raise LabValueError("value_required", observation.code)
    value_n = check_quantity(observation, number)
    chosen = range_for(observation, ga_days=ga_days, reported=reported)
    if observation.critical_low is not None and value_n < observation.critical_low:
        return Flag.CRITICAL_LOW, chosen
    if observation.critical_high is not None and value_n >= observation.critical_high:
        return Flag.CRITICAL_HIGH, chosen
    if chosen is None:
        return Flag.NONE, None
    if chosen.low is not None and value_n < chosen.low:
        return Flag.LOW, chosen
    if chosen.high is not None and (
        value_n >= chosen.high if chosen.high_inclusive else value_n > chosen.high
    ):
        return Flag.HIGH, chosen
    return Flag.NORMAL, chosen
