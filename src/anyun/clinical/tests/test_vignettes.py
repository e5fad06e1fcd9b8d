"""Clinical vignettes across the assessments: each woman is screened and graded (five colours
and purple, DOMAIN.md section 4), her suitability for online care decided (sections 4, 6, 9),
and her disease-risk predictions made (FI-4: the guideline factor lists of
:mod:`anyun.clinical.prediction_factors` and the trend warnings of
:mod:`anyun.clinical.prediction`). Each names the rules it exercises."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from anyun.clinical.dating import edd_from_lmp
from anyun.clinical.prediction import Prediction, PredictionKind, trend_warnings
from anyun.clinical.prediction_factors import PredictionFacts, factor_predictions
from anyun.clinical.risk import (
    BoundaryRule,
    OnlineCare,
    RiskFacts,
    RiskPolicy,
    Urgency,
    grade,
    screen,
    suitability,
)
from anyun.clinical.risk_tables import DIABETES, Diagnosis, RiskColour
from anyun.clinical.sfh import sfh_centile
from anyun.clinical.signs import GlucoseContext, Reading, SignKind

ON = dt.date(2025, 6, 1)
SHANGHAI = ZoneInfo("Asia/Shanghai")
GREEN, YELLOW, ORANGE, RED = RiskColour.GREEN, RiskColour.YELLOW, RiskColour.ORANGE, RiskColour.RED
ALLOWED, CASE, IN_PERSON = OnlineCare.ALLOWED, OnlineCare.CASE_MANAGED, OnlineCare.IN_PERSON
PE, GDM, PTB = (
    PredictionKind.PRE_ECLAMPSIA,
    PredictionKind.GDM_EARLY_OGTT,
    PredictionKind.PRETERM_BIRTH,
)
BP_UP, GLUCOSE_UP = PredictionKind.BP_RISING, PredictionKind.GLUCOSE_ABOVE_TARGET
SFH_DOWN = PredictionKind.SFH_FALLING
LESS = BoundaryRule.LESS_SEVERE


def aged(years: int) -> dt.date:
    return ON.replace(year=ON.year - years)


def weeks_pregnant(weeks: int, days: int = 0) -> dict[str, dt.date]:
    lmp = ON - dt.timedelta(days=weeks * 7 + days)
    return {"lmp": lmp, "edd": edd_from_lmp(lmp)}


def _at(days_ago: int, hour: int = 8) -> dt.datetime:
    day = ON - dt.timedelta(days=days_ago)
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def bp(days_ago: int, systolic: int, diastolic: int) -> Reading:
    return Reading(SignKind.BLOOD_PRESSURE, _at(days_ago), systolic=systolic, diastolic=diastolic)


def fasting(days_ago: int, value: float) -> Reading:
    return Reading(
        SignKind.GLUCOSE, _at(days_ago), value=value, glucose_context=GlucoseContext.FASTING
    )


def sfh(ga_weeks_then: int, z: float, ga_weeks_now: int) -> Reading:
    days_ago = (ga_weeks_now - ga_weeks_then) * 7
    value = round(sfh_centile(ga_weeks_then, z), 1)
    return Reading(SignKind.FUNDAL_HEIGHT, _at(days_ago, hour=10), value=value)


# Height 160 cm: 55 kg is BMI 21.5, 66 kg 25.8, 74 kg 28.9.
NORMAL: dict[str, Any] = {"height_cm": 160.0, "pre_pregnancy_weight_kg": 55.0, "fetuses": 1}
FIRST = {**NORMAL, "parity": 0}
SECOND = {**NORMAL, "parity": 1, "last_birth_on": ON - dt.timedelta(days=3 * 365)}


@dataclass(frozen=True)
class Vignette:
    name: str
    rules: str
    facts: dict[str, Any]  # her record: read by grading and prediction alike
    colour: RiskColour
    purple: bool
    online: OnlineCare
    predictions: dict[PredictionKind, tuple[str, ...]]  # kind -> the factors that drove it
    consider: dict[PredictionKind, tuple[str, ...]] = field(default_factory=dict)
    risk: dict[str, Any] = field(default_factory=dict)  # lab results and tests
    answers: dict[str, bool] = field(default_factory=dict)  # grading (附件2)
    screen_answers: dict[str, bool] = field(default_factory=dict)  # screening (附件1)
    asked: dict[str, bool] = field(default_factory=dict)  # prediction factors she answered
    prediction_only: dict[str, Any] = field(default_factory=dict)
    readings: tuple[Reading, ...] = ()
    red_flags: tuple[str, ...] = ()
    eligible: bool = True
    policy: RiskPolicy = field(default_factory=RiskPolicy)
    reason: str | None = None
    urgency: Urgency | None = None
    screen_positive: bool | None = None


VIGNETTES = [
    Vignette(
        "healthy 28-year-old, first pregnancy, 14 weeks",
        "screen-negative green; allowed online; nulliparity alone is one moderate factor: "
        "aspirin not indicated (USPSTF 2021 needs more than 1)",
        {**FIRST, "birth_date": aged(28), **weeks_pregnant(14)},
        GREEN,
        False,
        ALLOWED,
        {},
        risk={"hb_g_l": 125.0, "platelets": 220.0},
    ),
    Vignette(
        "37-year-old in her first pregnancy at 13 weeks",
        "age >= 35 yellow; age >= 35 + nulliparity = 2 moderate factors: discuss aspirin, "
        "inside the 12-16 week window",
        {**FIRST, "birth_date": aged(37), **weeks_pregnant(13)},
        YELLOW,
        False,
        ALLOWED,
        {PE: ("pe_nulliparity", "pe_age_35")},
        consider={
            PE: ("pe_discuss_aspirin", "pe_aspirin_moderate_factors", "pe_aspirin_window_open")
        },
    ),
    Vignette(
        "34-year-old in her first pregnancy",
        "age boundary: 34 is neither yellow (>= 35) nor a pre-eclampsia factor",
        {**FIRST, "birth_date": aged(34), **weeks_pregnant(12)},
        GREEN,
        False,
        ALLOWED,
        {},
    ),
    Vignette(
        "35-year-old second baby, last birth 3 years ago",
        "age >= 35 yellow; one moderate factor only (parous): aspirin not indicated",
        {**SECOND, "birth_date": aged(35), **weeks_pregnant(15)},
        YELLOW,
        False,
        ALLOWED,
        {},
    ),
    Vignette(
        "42-year-old, last birth 11 years ago",
        "age >= 40 orange (case managed); age >= 35 + interval >= 10 years: 2 moderate",
        {
            **NORMAL,
            "parity": 1,
            "last_birth_on": ON - dt.timedelta(days=11 * 365 + 100),
            "birth_date": aged(42),
            **weeks_pregnant(10),
        },
        ORANGE,
        False,
        CASE,
        {PE: ("pe_age_35", "pe_interval_10_years")},
        consider={PE: ("pe_aspirin_from_12_weeks",)},
    ),
    Vignette(
        "46-year-old, second baby",
        "age >= 40 orange; age over 45 is a diabetes risk factor (2022 rec. 1-2): first-visit "
        "glucose; one pre-eclampsia moderate factor only",
        {**SECOND, "birth_date": aged(46), **weeks_pregnant(9)},
        ORANGE,
        False,
        CASE,
        {GDM: ("gdm_age_over_45",)},
        consider={GDM: ("gdm_fasting_glucose_first_visit", "gdm_consider_early_test")},
    ),
    Vignette(
        "first pregnancy, BMI 28.9",
        "BMI >= 28 orange; obesity (China 2020 cut-off >= 28) + nulliparity: discuss aspirin; "
        "obesity warrants early glucose testing (2022 rec. 1-2)",
        {**FIRST, "pre_pregnancy_weight_kg": 74.0, "birth_date": aged(26), **weeks_pregnant(11)},
        ORANGE,
        False,
        CASE,
        {PE: ("pe_nulliparity", "pe_obesity"), GDM: ("gdm_obesity",)},
    ),
    Vignette(
        "first pregnancy, BMI 25.8",
        "BMI > 25 yellow; below every obesity cut-off: one pre-eclampsia moderate factor only",
        {**FIRST, "pre_pregnancy_weight_kg": 66.0, "birth_date": aged(29), **weeks_pregnant(12)},
        YELLOW,
        False,
        ALLOWED,
        {},
    ),
    Vignette(
        "twins after IVF, 30, second baby",
        "twins yellow [P] + ART yellow; multiple pregnancy is a high pre-eclampsia factor and a "
        "preterm-birth factor",
        {
            **SECOND,
            "fetuses": 2,
            "art_conception": True,
            "birth_date": aged(30),
            **weeks_pregnant(14),
        },
        YELLOW,
        False,
        ALLOWED,
        {PE: ("pe_multifetal", "pe_ivf"), PTB: ("ptb_multifetal",)},
        consider={
            PE: ("pe_aspirin_high_factor",),
            PTB: ("ptb_warning_signs", "ptb_multifetal_care"),
        },
    ),
    Vignette(
        "spontaneous triplets",
        "triplets orange [P]; high pre-eclampsia factor; preterm-birth factor",
        {**FIRST, "fetuses": 3, "birth_date": aged(27), **weeks_pregnant(13)},
        ORANGE,
        False,
        CASE,
        {PE: ("pe_multifetal", "pe_nulliparity"), PTB: ("ptb_multifetal",)},
    ),
    Vignette(
        "Hb 60 g/L, default boundary rule",
        "Hb shared boundary 60, more severe (default): orange",
        {**SECOND, "birth_date": aged(30), **weeks_pregnant(20)},
        ORANGE,
        False,
        CASE,
        {},
        risk={"hb_g_l": 60.0},
    ),
    Vignette(
        "Hb 60 g/L, hospital gives the boundary to the less severe colour",
        "Hb shared boundary 60, less severe: yellow",
        {**SECOND, "birth_date": aged(30), **weeks_pregnant(20)},
        YELLOW,
        False,
        ALLOWED,
        {},
        risk={"hb_g_l": 60.0},
        policy=RiskPolicy(hb_60=LESS),
    ),
    Vignette(
        "Hb 40 g/L, default boundary rule",
        "Hb shared boundary 40, more severe (default): red, in person now",
        {**SECOND, "birth_date": aged(30), **weeks_pregnant(20)},
        RED,
        False,
        IN_PERSON,
        {},
        risk={"hb_g_l": 40.0},
        reason="colour_red",
        urgency=Urgency.IN_PERSON_NOW,
    ),
    Vignette(
        "platelets 30, default boundary rule",
        "platelets shared boundary 30, more severe (default): red",
        {**SECOND, "birth_date": aged(31), **weeks_pregnant(24)},
        RED,
        False,
        IN_PERSON,
        {},
        risk={"platelets": 30.0},
    ),
    Vignette(
        "platelets 30, hospital gives the boundary to the less severe colour",
        "platelets shared boundary 30, less severe: orange",
        {**SECOND, "birth_date": aged(31), **weeks_pregnant(24)},
        ORANGE,
        False,
        CASE,
        {},
        risk={"platelets": 30.0},
        policy=RiskPolicy(platelets_30=LESS),
    ),
    Vignette(
        "platelets 50, default boundary rule",
        "platelets shared boundary 50, more severe (default): orange",
        {**SECOND, "birth_date": aged(31), **weeks_pregnant(24)},
        ORANGE,
        False,
        CASE,
        {},
        risk={"platelets": 50.0},
    ),
    Vignette(
        "HBsAg carrier, normal liver function",
        "HBsAg carrier yellow + purple by default (2020 PMTCT [S]): case managed for purple",
        {**SECOND, "birth_date": aged(30), **weeks_pregnant(16)},
        YELLOW,
        True,
        CASE,
        {},
        risk={"hbsag_positive": True},
        reason="purple",
    ),
    Vignette(
        "HBsAg carrier where carriers are not purple",
        "HBsAg-carrier purple rule off: yellow only, allowed",
        {**SECOND, "birth_date": aged(30), **weeks_pregnant(16)},
        YELLOW,
        False,
        ALLOWED,
        {},
        risk={"hbsag_positive": True},
        policy=RiskPolicy(hbsag_carrier_purple=False),
    ),
    Vignette(
        "syphilis positive, otherwise well",
        "purple beside green: case managed",
        {**SECOND, "birth_date": aged(26), **weeks_pregnant(12)},
        GREEN,
        True,
        CASE,
        {},
        risk={"syphilis_positive": True},
        reason="purple",
    ),
    Vignette(
        "HIV positive and 41, first pregnancy",
        "purple + orange (highest colour wins, purple beside); age + nulliparity: aspirin",
        {**FIRST, "birth_date": aged(41), **weeks_pregnant(18)},
        ORANGE,
        True,
        CASE,
        {PE: ("pe_nulliparity", "pe_age_35")},
        consider={PE: ("pe_aspirin_window_passed",)},
        risk={"hiv_positive": True},
        reason="colour_orange",
    ),
    Vignette(
        "asthma, a small pelvis and a cardiomyopathy",
        "highest colour wins: yellow + orange + red -> red, in person",
        {**SECOND, "birth_date": aged(30), **weeks_pregnant(22)},
        RED,
        False,
        IN_PERSON,
        {},
        answers={"g_small_pelvis": True, "g_asthma": True, "g_heart_severe": True},
        screen_answers={"s_organ_disease": True},
    ),
    Vignette(
        "chronic hypertension at 13 weeks, home BP rising over 3 days",
        "HDP yellow [P]; chronic hypertension: high pre-eclampsia factor (aspirin in the "
        "window) and a diabetes risk factor; rising BP trend (3 days, +10 mmHg, [P])",
        {
            **SECOND,
            "birth_date": aged(32),
            "diagnoses": frozenset({Diagnosis.CHRONIC_HYPERTENSION}),
            **weeks_pregnant(13),
        },
        YELLOW,
        False,
        ALLOWED,
        {
            PE: ("pe_chronic_hypertension",),
            GDM: ("gdm_chronic_hypertension",),
            BP_UP: ("systolic_rising", "diastolic_rising"),
        },
        consider={
            PE: ("pe_aspirin_high_factor", "pe_aspirin_window_open"),
            BP_UP: ("review_bp_trend",),
        },
        risk={"highest_systolic": 146, "highest_diastolic": 92},
        readings=(bp(2, 128, 82), bp(1, 134, 86), bp(0, 142, 92)),
    ),
    Vignette(
        "pre-gestational diabetes on insulin, fasting above target on 3 days",
        "diabetes needing drugs orange; PGDM high pre-eclampsia factor; early diabetes test "
        "not applicable (already diagnosed); glucose above target on 3 of 7 days [P]",
        {
            **SECOND,
            "birth_date": aged(31),
            "diagnoses": frozenset({Diagnosis.PGDM}),
            **weeks_pregnant(15),
        },
        ORANGE,
        False,
        CASE,
        {PE: ("pe_pregestational_diabetes",), GLUCOSE_UP: ("glucose_days_above_target",)},
        risk={"diabetes_needs_drugs": True},
        readings=(fasting(5, 5.6), fasting(3, 5.8), fasting(1, 5.5), fasting(0, 5.0)),
    ),
    Vignette(
        "GDM on diet, above target on only 2 days",
        "diabetes without drugs yellow; 2 days above target is below the 3-day trend rule",
        {
            **SECOND,
            "birth_date": aged(30),
            "diagnoses": frozenset({Diagnosis.GDM}),
            **weeks_pregnant(30),
        },
        YELLOW,
        False,
        ALLOWED,
        {},
        risk={"diabetes_needs_drugs": False},
        readings=(fasting(4, 5.6), fasting(2, 5.4), fasting(1, 5.1)),
    ),
    Vignette(
        "37-year-old first pregnancy reporting vaginal bleeding",
        "red flag overrides a yellow colour: in person, emergency; the predictions still stand",
        {**FIRST, "birth_date": aged(37), **weeks_pregnant(14)},
        YELLOW,
        False,
        IN_PERSON,
        {PE: ("pe_nulliparity", "pe_age_35")},
        red_flags=("bleeding",),
        reason="red_flag",
        urgency=Urgency.EMERGENCY,
    ),
    Vignette(
        "orange and purple woman with itching palms and soles",
        "red flag with an in-person-within-24-h action stops online care even in a case",
        {**SECOND, "birth_date": aged(41), **weeks_pregnant(33)},
        ORANGE,
        True,
        IN_PERSON,
        {},
        risk={"syphilis_positive": True},
        red_flags=("itching",),
        reason="red_flag",
        urgency=Urgency.WITHIN_24H,
    ),
    Vignette(
        "first visit online, never seen in person, PCOS",
        "no in-person diagnosis: book a visit (section 9); PCOS warrants early glucose testing",
        {**SECOND, "birth_date": aged(27), **weeks_pregnant(8)},
        GREEN,
        False,
        IN_PERSON,
        {GDM: ("gdm_pcos",)},
        asked={"gdm_pcos": True},
        eligible=False,
        reason="no_in_person_diagnosis",
        urgency=Urgency.BOOK_VISIT,
    ),
    Vignette(
        "type 2 diabetes in her mother, 29, second baby",
        "screen-positive (diabetes in a first-degree relative) but no grading item: green; "
        "early diabetes test (2022 rec. 1-2)",
        {**SECOND, "birth_date": aged(29), **weeks_pregnant(10)},
        GREEN,
        False,
        ALLOWED,
        {GDM: ("gdm_family_t2dm",)},
        screen_answers={"s_family_diabetes": True},
        asked={"gdm_family_t2dm": True},
        screen_positive=True,
    ),
    Vignette(
        "previous spontaneous preterm birth, cervix 22 mm at 20 weeks",
        "adverse obstetric history yellow; prior spontaneous preterm birth + short cervix "
        "before 24 weeks: progesterone, cervical-length surveillance, cerclage to consider",
        {**SECOND, "birth_date": aged(30), **weeks_pregnant(20)},
        YELLOW,
        False,
        ALLOWED,
        {PTB: ("ptb_prior_spontaneous", "ptb_short_cervix")},
        consider={PTB: ("ptb_discuss_progesterone", "ptb_consider_cerclage")},
        answers={"g_adverse_obstetric_history": True},
        screen_answers={"s_adverse_obstetric_history": True},
        asked={"ptb_prior_spontaneous": True},
        prediction_only={"cervical_length_mm": 22.0, "cervical_length_ga_days": 140},
    ),
    Vignette(
        "previous spontaneous preterm birth, cervix 32 mm",
        "preterm history alone: progesterone and surveillance to discuss, no cerclage",
        {**SECOND, "birth_date": aged(30), **weeks_pregnant(16)},
        YELLOW,
        False,
        ALLOWED,
        {PTB: ("ptb_prior_spontaneous",)},
        consider={
            PTB: (
                "ptb_warning_signs",
                "ptb_discuss_progesterone",
                "ptb_cervical_length_surveillance",
            )
        },
        answers={"g_adverse_obstetric_history": True},
        screen_answers={"s_adverse_obstetric_history": True},
        asked={"ptb_prior_spontaneous": True},
        prediction_only={"cervical_length_mm": 32.0, "cervical_length_ga_days": 112},
    ),
    Vignette(
        "previous pre-eclampsia, now 20 weeks",
        "adverse obstetric history yellow; prior pre-eclampsia high factor: discuss aspirin; "
        "past the Chinese 12-16 week start window",
        {**SECOND, "birth_date": aged(33), **weeks_pregnant(20)},
        YELLOW,
        False,
        ALLOWED,
        {PE: ("pe_prior_pre_eclampsia",)},
        consider={PE: ("pe_discuss_aspirin", "pe_aspirin_high_factor", "pe_aspirin_window_passed")},
        answers={"g_adverse_obstetric_history": True},
        screen_answers={"s_adverse_obstetric_history": True},
        asked={"pe_prior_pre_eclampsia": True},
    ),
    Vignette(
        "pre-eclampsia in her sister only, second baby",
        "one moderate factor (family history): aspirin not indicated; green",
        {**SECOND, "birth_date": aged(30), **weeks_pregnant(12)},
        GREEN,
        False,
        ALLOWED,
        {},
        asked={"pe_family_history": True},
    ),
    Vignette(
        "32 weeks, fundal height falling across the P50 line",
        "SFH crossing INTERGROWTH-21st centiles downwards over 3 measurements [P]",
        {**SECOND, "birth_date": aged(30), **weeks_pregnant(32)},
        GREEN,
        False,
        ALLOWED,
        {SFH_DOWN: ("sfh_crossing_centiles_down",)},
        readings=(sfh(28, 0.3, 32), sfh(30, -0.4, 32), sfh(32, -1.0, 32)),
    ),
    Vignette(
        "6 weeks after the birth, postpartum depression, BP rising",
        "postpartum regrading: postpartum depression orange; no pregnancy rule applies after "
        "the birth; the BP trend still warns",
        {
            **NORMAL,
            "parity": 1,
            "last_birth_on": ON - dt.timedelta(days=42),
            "birth_date": aged(36),
            "fetuses": 2,
        },
        ORANGE,
        False,
        CASE,
        {BP_UP: ("systolic_rising",)},
        answers={"g_postpartum_depression": True},
        screen_answers={"s_psychiatric_neurological": True},
        prediction_only={"pregnant": False},
        readings=(bp(2, 120, 80), bp(1, 126, 80), bp(0, 133, 82)),
    ),
]


def predictions_for(v: Vignette) -> list[Prediction]:
    facts = PredictionFacts(on=ON, answers=v.asked, **v.facts, **v.prediction_only)
    diagnoses = frozenset(v.facts.get("diagnoses", ()))
    trends = trend_warnings(
        v.readings,
        today=ON,
        edd=v.facts.get("edd"),
        glucose_targets_apply=bool(diagnoses & DIABETES) and facts.pregnant,
    )
    return [*factor_predictions(facts), *trends]


def test_there_are_at_least_25_vignettes_with_distinct_names() -> None:
    assert len(VIGNETTES) >= 25
    assert len({v.name for v in VIGNETTES}) == len(VIGNETTES)


def test_the_vignettes_cover_what_the_proof_asks() -> None:
    colours = {v.colour for v in VIGNETTES}
    assert colours == {GREEN, YELLOW, ORANGE, RED}
    assert {v.colour for v in VIGNETTES if v.purple} >= {GREEN, YELLOW, ORANGE}
    kinds = {kind for v in VIGNETTES for kind in v.predictions}
    assert kinds == set(PredictionKind)
    assert any(v.red_flags for v in VIGNETTES) and any(not v.eligible for v in VIGNETTES)
    assert any(v.prediction_only.get("pregnant") is False for v in VIGNETTES)
    assert any(v.policy.hb_60 is LESS for v in VIGNETTES)
    assert any(v.policy.platelets_30 is LESS for v in VIGNETTES)


@pytest.mark.parametrize("v", VIGNETTES, ids=lambda v: v.name)
def test_vignette(v: Vignette) -> None:
    facts = RiskFacts(on=ON, **v.facts, **v.risk)
    screening = screen(facts, v.screen_answers, v.policy)
    expected_positive = (
        v.screen_positive if v.screen_positive is not None else v.colour is not GREEN or v.purple
    )
    assert screening.positive is expected_positive, v.rules
    grading = grade(facts, v.answers, v.policy)
    assert (grading.colour, grading.purple) == (v.colour, v.purple), v.rules

    decision = suitability(grading.colour, grading.purple, v.red_flags, v.eligible, v.policy)
    assert decision.decision is v.online, v.rules
    if v.reason is not None:
        assert decision.reason == v.reason
    if v.urgency is not None:
        assert decision.urgency is v.urgency

    found = {p.kind: p for p in predictions_for(v)}
    assert {kind: tuple(f.code for f in p.factors) for kind, p in found.items()} == v.predictions
    for kind, codes in v.consider.items():
        assert set(codes) <= set(found[kind].consider), (kind, found[kind].consider)
    for prediction in found.values():
        assert prediction.source and prediction.consider
        assert all(f.source for f in prediction.factors)
