"""Clinical vignettes for the five-colour risk rules, written from DOMAIN.md section 4 (and 6, 9
for online care). Each names the rules it exercises and expects the colour, the purple flag,
the online-care decision and the management (high-risk case, report deadline)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from anyun.clinical.dating import GestationalAge
from anyun.clinical.risk import (
    OnlineCare,
    RiskFacts,
    RiskPolicy,
    grade,
    management_for,
    screen,
    suitability,
)
from anyun.clinical.risk_tables import Diagnosis, RiskColour

ON = dt.date(2025, 6, 1)
GREEN, YELLOW, ORANGE, RED = RiskColour.GREEN, RiskColour.YELLOW, RiskColour.ORANGE, RiskColour.RED
ALLOWED, CASE, IN_PERSON = OnlineCare.ALLOWED, OnlineCare.CASE_MANAGED, OnlineCare.IN_PERSON


def aged(years: int) -> dt.date:
    return ON.replace(year=ON.year - years)


@dataclass(frozen=True)
class Vignette:
    name: str
    rules: str
    facts: dict[str, Any]
    answers: dict[str, bool]
    colour: RiskColour
    purple: bool
    online: OnlineCare
    case: bool
    report_hours: int | None
    screen_answers: dict[str, bool] = field(default_factory=dict)
    red_flags: tuple[str, ...] = ()
    eligible: bool = True
    policy: RiskPolicy = field(default_factory=RiskPolicy)
    reason: str | None = None


NORMAL = {"height_cm": 162.0, "pre_pregnancy_weight_kg": 55.0, "fetuses": 1, "parity": 0}

VIGNETTES = [
    Vignette(
        "healthy 28-year-old, first pregnancy, normal booking bloods",
        "screen-negative -> green; green routine care; online allowed",
        {**NORMAL, "birth_date": aged(28), "hb_g_l": 125.0, "platelets": 220.0},
        {},
        GREEN,
        False,
        ALLOWED,
        False,
        None,
    ),
    Vignette(
        "37-year-old, otherwise well",
        "age >= 35 yellow (附件2 age); yellow allowed online",
        {**NORMAL, "birth_date": aged(37)},
        {},
        YELLOW,
        False,
        ALLOWED,
        False,
        None,
    ),
    Vignette(
        "42-year-old",
        "age >= 40 orange; orange: case management, report in 3 days",
        {**NORMAL, "birth_date": aged(42)},
        {},
        ORANGE,
        False,
        CASE,
        True,
        72,
    ),
    Vignette(
        "17-year-old",
        "age <= 18 yellow",
        {**NORMAL, "birth_date": aged(17)},
        {},
        YELLOW,
        False,
        ALLOWED,
        False,
        None,
    ),
    Vignette(
        "pre-pregnancy BMI 29.3 (160 cm, 75 kg)",
        "BMI >= 28 orange",
        {**NORMAL, "birth_date": aged(30), "height_cm": 160.0, "pre_pregnancy_weight_kg": 75.0},
        {},
        ORANGE,
        False,
        CASE,
        True,
        72,
    ),
    Vignette(
        "underweight, BMI 17.6 (165 cm, 48 kg)",
        "BMI < 18.5 yellow",
        {**NORMAL, "birth_date": aged(25), "height_cm": 165.0, "pre_pregnancy_weight_kg": 48.0},
        {},
        YELLOW,
        False,
        ALLOWED,
        False,
        None,
    ),
    Vignette(
        "moderate anaemia, Hb 92 g/L",
        "Hb 60-110 yellow",
        {**NORMAL, "birth_date": aged(29), "hb_g_l": 92.0},
        {},
        YELLOW,
        False,
        ALLOWED,
        False,
        None,
    ),
    Vignette(
        "Hb exactly 60 g/L",
        "Hb shared boundary 60: default the more severe colour -> orange",
        {**NORMAL, "birth_date": aged(29), "hb_g_l": 60.0},
        {},
        ORANGE,
        False,
        CASE,
        True,
        72,
    ),
    Vignette(
        "Hb exactly 60 g/L at a hospital that gives shared boundaries to the milder colour",
        "Hb shared boundary 60, policy less severe -> yellow",
        {**NORMAL, "birth_date": aged(29), "hb_g_l": 60.0},
        {},
        YELLOW,
        False,
        ALLOWED,
        False,
        None,
        policy=RiskPolicy(hb_60="less_severe"),  # type: ignore[arg-type]
    ),
    Vignette(
        "very severe anaemia, Hb 38 g/L",
        "Hb <= 40 red [P]; red: stop online, in person now; report in 24 h",
        {**NORMAL, "birth_date": aged(31), "hb_g_l": 38.0},
        {},
        RED,
        False,
        IN_PERSON,
        True,
        24,
        reason="colour_red",
    ),
    Vignette(
        "platelets 45, no bleeding",
        "platelets 30-50 orange",
        {**NORMAL, "birth_date": aged(30), "platelets": 45.0},
        {},
        ORANGE,
        False,
        CASE,
        True,
        72,
    ),
    Vignette(
        "platelets 80 but bleeding gums and nosebleeds",
        "platelets 50-100 yellow only without bleeding; with bleeding red [P]",
        {**NORMAL, "birth_date": aged(30), "platelets": 80.0},
        {"g_platelets_falling_or_bleeding": True},
        RED,
        False,
        IN_PERSON,
        True,
        24,
    ),
    Vignette(
        "one previous caesarean",
        "uterine scar yellow; previous caesarean screens positive",
        {**NORMAL, "birth_date": aged(32), "parity": 1, "previous_caesareans": 1},
        {},
        YELLOW,
        False,
        ALLOWED,
        False,
        None,
    ),
    Vignette(
        "two previous caesareans",
        ">= 2 uterine operations orange",
        {**NORMAL, "birth_date": aged(33), "parity": 2, "previous_caesareans": 2},
        {},
        ORANGE,
        False,
        CASE,
        True,
        72,
    ),
    Vignette(
        "previous caesarean, now placenta previa over the scar with accreta",
        "pernicious placenta previa red [S]",
        {**NORMAL, "birth_date": aged(34), "parity": 1, "previous_caesareans": 1},
        {"g_pernicious_previa": True},
        RED,
        False,
        IN_PERSON,
        True,
        24,
    ),
    Vignette(
        "IVF twins, 30 years old",
        "twins yellow [P]; ART yellow",
        {**NORMAL, "birth_date": aged(30), "fetuses": 2, "art_conception": True},
        {},
        YELLOW,
        False,
        ALLOWED,
        False,
        None,
    ),
    Vignette(
        "spontaneous triplets",
        "triplets orange [P]",
        {**NORMAL, "birth_date": aged(27), "fetuses": 3},
        {},
        ORANGE,
        False,
        CASE,
        True,
        72,
    ),
    Vignette(
        "GDM controlled by diet",
        "diabetes needing no drugs yellow",
        {
            **NORMAL,
            "birth_date": aged(31),
            "diagnoses": frozenset({Diagnosis.GDM}),
            "diabetes_needs_drugs": False,
        },
        {},
        YELLOW,
        False,
        ALLOWED,
        False,
        None,
    ),
    Vignette(
        "pre-gestational diabetes on insulin",
        "diabetes needing drugs orange",
        {
            **NORMAL,
            "birth_date": aged(31),
            "diagnoses": frozenset({Diagnosis.PGDM}),
            "diabetes_needs_drugs": True,
        },
        {},
        ORANGE,
        False,
        CASE,
        True,
        72,
    ),
    Vignette(
        "gestational hypertension, confirmed 146/94",
        "HDP not listed higher yellow [P]; BP >= 140/90 screens positive",
        {
            **NORMAL,
            "birth_date": aged(29),
            "highest_systolic": 146,
            "highest_diastolic": 94,
            "diagnoses": frozenset({Diagnosis.GESTATIONAL_HYPERTENSION}),
        },
        {},
        YELLOW,
        False,
        ALLOWED,
        False,
        None,
    ),
    Vignette(
        "chronic hypertension with superimposed pre-eclampsia",
        "chronic hypertension + superimposed pre-eclampsia orange",
        {
            **NORMAL,
            "birth_date": aged(36),
            "highest_systolic": 150,
            "highest_diastolic": 100,
            "diagnoses": frozenset(
                {Diagnosis.CHRONIC_HYPERTENSION, Diagnosis.SUPERIMPOSED_PRE_ECLAMPSIA}
            ),
        },
        {},
        ORANGE,
        False,
        CASE,
        True,
        72,
    ),
    Vignette(
        "HBsAg carrier, normal liver function",
        "HBsAg carrier yellow [V] + purple by default (2020 PMTCT [S]); purple: case managed",
        {**NORMAL, "birth_date": aged(30), "hbsag_positive": True},
        {},
        YELLOW,
        True,
        CASE,
        True,
        None,
        reason="purple",
    ),
    Vignette(
        "HBsAg carrier at a hospital that does not make carriers purple",
        "HBsAg-carrier purple rule off -> yellow only",
        {**NORMAL, "birth_date": aged(30), "hbsag_positive": True},
        {},
        YELLOW,
        False,
        ALLOWED,
        False,
        None,
        policy=RiskPolicy(hbsag_carrier_purple=False),
    ),
    Vignette(
        "syphilis positive at booking, otherwise well",
        "syphilis purple [V], shown beside green; case management, no district report",
        {**NORMAL, "birth_date": aged(26), "syphilis_positive": True},
        {},
        GREEN,
        True,
        CASE,
        True,
        None,
    ),
    Vignette(
        "HIV positive and 41 years old",
        "purple + orange (highest wins, purple beside); report in 3 days",
        {**NORMAL, "birth_date": aged(41), "hiv_positive": True},
        {},
        ORANGE,
        True,
        CASE,
        True,
        72,
        reason="colour_orange",
    ),
    Vignette(
        "asthma, a small pelvis and a cardiomyopathy",
        "highest colour wins: yellow + orange + red -> red",
        {**NORMAL, "birth_date": aged(30)},
        {"g_small_pelvis": True, "g_asthma": True, "g_heart_severe": True},
        RED,
        False,
        IN_PERSON,
        True,
        24,
        screen_answers={"s_organ_disease": True},
    ),
    Vignette(
        "pulmonary hypertension 55 mmHg",
        "pulmonary hypertension >= 50 mmHg red [V]",
        {**NORMAL, "birth_date": aged(30)},
        {"g_pulmonary_hypertension": True},
        RED,
        False,
        IN_PERSON,
        True,
        24,
        screen_answers={"s_cardio_respiratory": True},
    ),
    Vignette(
        "green woman reporting vaginal bleeding",
        "red flag (section 6) stops online care whatever the colour: emergency",
        {**NORMAL, "birth_date": aged(28)},
        {},
        GREEN,
        False,
        IN_PERSON,
        False,
        None,
        red_flags=("bleeding",),
        reason="red_flag",
    ),
    Vignette(
        "yellow woman with itchy palms and soles",
        "red flag with an in-person-within-24-h action stops online care",
        {**NORMAL, "birth_date": aged(36)},
        {},
        YELLOW,
        False,
        IN_PERSON,
        False,
        None,
        red_flags=("itching",),
        reason="red_flag",
    ),
    Vignette(
        "new patient, never seen in person, 26 and well",
        "first visit: not eligible for online care (section 9)",
        {**NORMAL, "birth_date": aged(26)},
        {},
        GREEN,
        False,
        IN_PERSON,
        False,
        None,
        eligible=False,
        reason="no_in_person_diagnosis",
    ),
    Vignette(
        "postpartum depression",
        "postpartum depression orange [V]",
        {**NORMAL, "birth_date": aged(30)},
        {"g_postpartum_depression": True},
        ORANGE,
        False,
        CASE,
        True,
        72,
        screen_answers={"s_psychiatric_neurological": True},
    ),
    Vignette(
        "glycosuria with fasting glucose 5.4 at 26 weeks, diagnosed GDM, no drugs yet",
        "screening: glycosuria + fasting >= 5.1 from 24 w; diabetes without drugs yellow",
        {
            **NORMAL,
            "birth_date": aged(33),
            "glycosuria": True,
            "fasting_glucose": 5.4,
            "fasting_glucose_ga": GestationalAge.from_weeks_days(26, 0),
            "diagnoses": frozenset({Diagnosis.GDM}),
            "diabetes_needs_drugs": False,
        },
        {},
        YELLOW,
        False,
        ALLOWED,
        False,
        None,
    ),
]


def test_there_are_at_least_25_vignettes_with_distinct_names() -> None:
    assert len(VIGNETTES) >= 25
    assert len({v.name for v in VIGNETTES}) == len(VIGNETTES)


@pytest.mark.parametrize("vignette", VIGNETTES, ids=lambda v: v.name)
def test_vignette(vignette: Vignette) -> None:
    facts = RiskFacts(on=ON, **vignette.facts)
    screening = screen(facts, vignette.screen_answers, vignette.policy)
    # Process [V]: screen-negative -> green without grading; screen-positive -> graded.
    assert screening.positive is (vignette.colour is not GREEN or vignette.purple)
    grading = grade(facts, vignette.answers, vignette.policy)
    assert (grading.colour, grading.purple) == (vignette.colour, vignette.purple), vignette.rules
    assert all(o.item.source for o in grading.matched)

    decision = suitability(
        grading.colour, grading.purple, vignette.red_flags, vignette.eligible, vignette.policy
    )
    assert decision.decision is vignette.online, vignette.rules
    if vignette.reason is not None:
        assert decision.reason == vignette.reason

    management = management_for(grading.colour, grading.purple, vignette.policy)
    assert management.high_risk_case is vignette.case
    expected = None if vignette.report_hours is None else dt.timedelta(hours=vignette.report_hours)
    assert management.report_within == expected
