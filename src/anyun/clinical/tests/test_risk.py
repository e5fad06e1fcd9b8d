"""Five-colour risk rules item by item (DOMAIN.md section 4): every item of both tables, each
numeric boundary on both sides, combination, purple beside, and the policy variants."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from anyun.clinical.dating import GestationalAge
from anyun.clinical.errors import ClinicalValueError
from anyun.clinical.risk import (
    DEFAULT_RISK_POLICY,
    POLICY_SOURCES,
    AgeAt,
    Basis,
    BoundaryRule,
    ManagementAction,
    OnlineCare,
    RiskFacts,
    RiskPolicy,
    SuitabilityReason,
    Urgency,
    grade,
    management_for,
    prefill,
    raises_risk,
    regrading_proposal,
    screen,
    suitability,
)
from anyun.clinical.risk_tables import (
    GRADING_ITEMS,
    ITEMS,
    RULESET_VERSION,
    SCREENING_ITEMS,
    Diagnosis,
    ItemColour,
    RiskColour,
    Table,
)

ON = dt.date(2025, 6, 1)


def facts(**kwargs: Any) -> RiskFacts:
    return RiskFacts(on=ON, **kwargs)


def born_aged(years: int, *, days_before_birthday: int = 0) -> dt.date:
    """A birth date that makes her `years` old on ON (the birthday `days_before_birthday` away)."""
    return ON.replace(year=ON.year - years) + dt.timedelta(days=days_before_birthday)


def matched(table: Table, code: str, f: RiskFacts, policy: RiskPolicy = DEFAULT_RISK_POLICY):
    result = screen(f, {}, policy) if table is Table.SCREENING else grade(f, {}, policy)
    return next(o for o in result.items if o.code == code).matched


S, G = Table.SCREENING, Table.GRADING
GA = GestationalAge.from_weeks_days

# (table, item, facts, matched from the record alone). Each numeric bound on both sides.
RECORD_CASES = [
    # Age: screening >= 35 or <= 18; grading 35-39 or <= 18 yellow, >= 40 orange.
    (S, "s_age", {"birth_date": born_aged(35)}, True),
    (S, "s_age", {"birth_date": born_aged(34, days_before_birthday=1)}, False),
    (S, "s_age", {"birth_date": born_aged(18)}, True),
    (S, "s_age", {"birth_date": born_aged(19)}, False),
    (S, "s_age", {}, None),
    (G, "g_age_35_39_or_18", {"birth_date": born_aged(35)}, True),
    (G, "g_age_35_39_or_18", {"birth_date": born_aged(34)}, False),
    (G, "g_age_35_39_or_18", {"birth_date": born_aged(39)}, True),
    (G, "g_age_35_39_or_18", {"birth_date": born_aged(40)}, False),
    (G, "g_age_35_39_or_18", {"birth_date": born_aged(18)}, True),
    (G, "g_age_35_39_or_18", {"birth_date": born_aged(19)}, False),
    (G, "g_age_40", {"birth_date": born_aged(40)}, True),
    (G, "g_age_40", {"birth_date": born_aged(39, days_before_birthday=1)}, False),
    # Height <= 145 cm.
    (S, "s_height", {"height_cm": 145.0}, True),
    (S, "s_height", {"height_cm": 145.1}, False),
    # BMI (from height and pre-pregnancy weight, 1 decimal): > 25 or < 18.5; >= 28 orange.
    (S, "s_bmi", {"height_cm": 160.0, "pre_pregnancy_weight_kg": 64.0}, False),  # 25.0
    (S, "s_bmi", {"height_cm": 160.0, "pre_pregnancy_weight_kg": 64.3}, True),  # 25.1
    (S, "s_bmi", {"height_cm": 160.0, "pre_pregnancy_weight_kg": 47.4}, False),  # 18.5
    (S, "s_bmi", {"height_cm": 160.0, "pre_pregnancy_weight_kg": 47.1}, True),  # 18.4
    (S, "s_bmi", {"height_cm": 160.0}, None),
    (G, "g_bmi_25_28_or_low", {"height_cm": 160.0, "pre_pregnancy_weight_kg": 64.0}, False),
    (G, "g_bmi_25_28_or_low", {"height_cm": 160.0, "pre_pregnancy_weight_kg": 64.3}, True),
    (G, "g_bmi_25_28_or_low", {"height_cm": 160.0, "pre_pregnancy_weight_kg": 71.5}, True),  # 27.9
    (G, "g_bmi_25_28_or_low", {"height_cm": 160.0, "pre_pregnancy_weight_kg": 71.8}, False),  # 28.0
    (G, "g_bmi_25_28_or_low", {"height_cm": 160.0, "pre_pregnancy_weight_kg": 47.1}, True),
    (G, "g_bmi_28", {"height_cm": 160.0, "pre_pregnancy_weight_kg": 71.8}, True),  # 28.0
    (G, "g_bmi_28", {"height_cm": 160.0, "pre_pregnancy_weight_kg": 71.5}, False),  # 27.9
    # Rh-negative.
    (S, "s_rh_negative", {"rh_negative": True}, True),
    (S, "s_rh_negative", {"rh_negative": False}, False),
    # Birth interval: < 18 months or > 5 years from her last birth to this LMP; parity 0 no.
    (
        S,
        "s_birth_interval",
        {"last_birth_on": dt.date(2023, 12, 1), "lmp": dt.date(2025, 5, 31)},
        True,
    ),
    (
        S,
        "s_birth_interval",
        {"last_birth_on": dt.date(2023, 12, 1), "lmp": dt.date(2025, 6, 1)},
        False,
    ),
    (
        S,
        "s_birth_interval",
        {"last_birth_on": dt.date(2020, 3, 1), "lmp": dt.date(2025, 3, 1)},
        False,
    ),
    (
        S,
        "s_birth_interval",
        {"last_birth_on": dt.date(2020, 3, 1), "lmp": dt.date(2025, 3, 2)},
        True,
    ),
    (S, "s_birth_interval", {"parity": 0}, False),
    (S, "s_birth_interval", {"parity": 1}, None),
    # Previous caesarean, scarred uterus.
    (S, "s_previous_caesarean", {"previous_caesareans": 1}, True),
    (S, "s_previous_caesarean", {"previous_caesareans": 0}, False),
    (S, "s_scarred_uterus", {"previous_caesareans": 1}, True),
    (S, "s_scarred_uterus", {"previous_caesareans": 0}, None),  # other scars: she is asked
    (G, "g_uterine_scar", {"previous_caesareans": 1}, True),
    (G, "g_uterine_scar", {"previous_caesareans": 0}, None),
    (G, "g_uterine_operations_2", {"previous_caesareans": 2}, True),
    (G, "g_uterine_operations_2", {"previous_caesareans": 1}, None),
    # Multiple pregnancy and ART.
    (S, "s_multiple_or_art", {"fetuses": 2}, True),
    (S, "s_multiple_or_art", {"fetuses": 1, "art_conception": True}, True),
    (S, "s_multiple_or_art", {"fetuses": 1, "art_conception": False}, False),
    (S, "s_multiple_or_art", {"fetuses": 1}, None),
    (G, "g_twins", {"fetuses": 2}, True),
    (G, "g_twins", {"fetuses": 1}, False),
    (G, "g_twins", {"fetuses": 3}, False),
    (G, "g_triplets", {"fetuses": 3}, True),
    (G, "g_triplets", {"fetuses": 2}, False),
    (G, "g_twins_cardiopulmonary", {"fetuses": 1}, False),
    (G, "g_twins_cardiopulmonary", {"fetuses": 2}, None),
    (G, "g_art", {"art_conception": True}, True),
    (G, "g_art", {"art_conception": False}, False),
    # Family hypertension counts only with her BP >= 140/90.
    (S, "s_family_hypertension", {"highest_systolic": 139, "highest_diastolic": 89}, False),
    (S, "s_family_hypertension", {"highest_systolic": 140, "highest_diastolic": 80}, None),
    # Cardio-respiratory includes BP >= 140/90 (and a known HDP).
    (S, "s_cardio_respiratory", {"highest_systolic": 140, "highest_diastolic": 80}, True),
    (S, "s_cardio_respiratory", {"highest_systolic": 120, "highest_diastolic": 90}, True),
    (S, "s_cardio_respiratory", {"highest_systolic": 139, "highest_diastolic": 89}, None),
    (
        S,
        "s_cardio_respiratory",
        {"diagnoses": frozenset({Diagnosis.CHRONIC_HYPERTENSION})},
        True,
    ),
    (S, "s_endocrine_immune", {"diagnoses": frozenset({Diagnosis.GDM})}, True),
    (S, "s_endocrine_immune", {}, None),
    # Tests: Hb < 110, platelets < 100, ferritin < 20, syphilis, HIV, HBsAg.
    (S, "s_hb_low", {"hb_g_l": 109.9}, True),
    (S, "s_hb_low", {"hb_g_l": 110.0}, False),
    (S, "s_platelets_low", {"platelets": 99.0}, True),
    (S, "s_platelets_low", {"platelets": 100.0}, False),
    (S, "s_ferritin_low", {"ferritin": 19.9}, True),
    (S, "s_ferritin_low", {"ferritin": 20.0}, False),
    (S, "s_syphilis", {"syphilis_positive": True}, True),
    (S, "s_syphilis", {"syphilis_positive": False}, False),
    (S, "s_hiv", {"hiv_positive": True}, True),
    (S, "s_hiv", {"hiv_positive": False}, False),
    (S, "s_hbsag", {"hbsag_positive": True}, True),
    (S, "s_hbsag", {"hbsag_positive": False}, False),
    # Glycosuria with fasting glucose >= 7.0 before 24+0, >= 5.1 from 24+0.
    (
        S,
        "s_glycosuria_glucose",
        {"glycosuria": True, "fasting_glucose": 7.0, "fasting_glucose_ga": GA(23, 6)},
        True,
    ),
    (
        S,
        "s_glycosuria_glucose",
        {"glycosuria": True, "fasting_glucose": 6.9, "fasting_glucose_ga": GA(23, 6)},
        False,
    ),
    (
        S,
        "s_glycosuria_glucose",
        {"glycosuria": True, "fasting_glucose": 5.1, "fasting_glucose_ga": GA(24, 0)},
        True,
    ),
    (
        S,
        "s_glycosuria_glucose",
        {"glycosuria": True, "fasting_glucose": 5.0, "fasting_glucose_ga": GA(24, 0)},
        False,
    ),
    (
        S,
        "s_glycosuria_glucose",
        {"glycosuria": False, "fasting_glucose": 8.0, "fasting_glucose_ga": GA(20, 0)},
        False,
    ),
    (S, "s_glycosuria_glucose", {"glycosuria": True}, None),
    # Hb grading, default: the shared boundary goes to the more severe colour.
    (G, "g_hb_60_110", {"hb_g_l": 109.9}, True),
    (G, "g_hb_60_110", {"hb_g_l": 110.0}, False),
    (G, "g_hb_60_110", {"hb_g_l": 60.1}, True),
    (G, "g_hb_60_110", {"hb_g_l": 60.0}, False),
    (G, "g_hb_40_60", {"hb_g_l": 60.0}, True),
    (G, "g_hb_40_60", {"hb_g_l": 60.1}, False),
    (G, "g_hb_40_60", {"hb_g_l": 40.1}, True),
    (G, "g_hb_40_60", {"hb_g_l": 40.0}, False),
    (G, "g_hb_40", {"hb_g_l": 40.0}, True),
    (G, "g_hb_40", {"hb_g_l": 40.1}, False),
    # Platelets grading, default likewise.
    (G, "g_platelets_50_100", {"platelets": 99.0}, True),
    (G, "g_platelets_50_100", {"platelets": 100.0}, False),
    (G, "g_platelets_50_100", {"platelets": 51.0}, True),
    (G, "g_platelets_50_100", {"platelets": 50.0}, False),
    (G, "g_platelets_30_50", {"platelets": 50.0}, True),
    (G, "g_platelets_30_50", {"platelets": 51.0}, False),
    (G, "g_platelets_30_50", {"platelets": 31.0}, True),
    (G, "g_platelets_30_50", {"platelets": 30.0}, False),
    (G, "g_platelets_30", {"platelets": 30.0}, True),
    (G, "g_platelets_30", {"platelets": 31.0}, False),
    # Diabetes with and without drugs.
    (
        G,
        "g_diabetes_no_drugs",
        {"diagnoses": frozenset({Diagnosis.GDM}), "diabetes_needs_drugs": False},
        True,
    ),
    (
        G,
        "g_diabetes_no_drugs",
        {"diagnoses": frozenset({Diagnosis.GDM}), "diabetes_needs_drugs": True},
        False,
    ),
    (G, "g_diabetes_no_drugs", {"diagnoses": frozenset({Diagnosis.GDM})}, None),
    (
        G,
        "g_diabetes_drugs",
        {"diagnoses": frozenset({Diagnosis.PGDM}), "diabetes_needs_drugs": True},
        True,
    ),
    (
        G,
        "g_diabetes_drugs",
        {"diagnoses": frozenset({Diagnosis.PGDM}), "diabetes_needs_drugs": False},
        False,
    ),
    (G, "g_diabetes_drugs", {"diabetes_needs_drugs": True}, None),
    # Hypertension.
    (G, "g_hdp", {"diagnoses": frozenset({Diagnosis.GESTATIONAL_HYPERTENSION})}, True),
    (G, "g_hdp", {"highest_systolic": 140, "highest_diastolic": 85}, True),
    (G, "g_hdp", {"highest_systolic": 135, "highest_diastolic": 90}, True),
    (G, "g_hdp", {"highest_systolic": 139, "highest_diastolic": 89}, None),
    (G, "g_severe_pre_eclampsia", {"diagnoses": frozenset({Diagnosis.SEVERE_PRE_ECLAMPSIA})}, True),
    (G, "g_severe_pre_eclampsia", {"diagnoses": frozenset({Diagnosis.PRE_ECLAMPSIA})}, None),
    (
        G,
        "g_superimposed_pre_eclampsia",
        {"diagnoses": frozenset({Diagnosis.SUPERIMPOSED_PRE_ECLAMPSIA})},
        True,
    ),
    # Infections.
    (G, "g_hbsag_carrier", {"hbsag_positive": True}, True),
    (G, "g_hbsag_carrier", {"hbsag_positive": False}, False),
    (G, "g_syphilis", {"syphilis_positive": True}, True),
    (G, "g_hiv", {"hiv_positive": True}, True),
    (G, "g_hiv", {"hiv_positive": False}, False),
]


@pytest.mark.parametrize(("table", "code", "kwargs", "expected"), RECORD_CASES)
def test_item_decided_from_the_record(
    table: Table, code: str, kwargs: dict[str, Any], expected: bool | None
) -> None:
    assert matched(table, code, facts(**kwargs)) is expected


def test_every_item_the_record_decides_has_a_boundary_case() -> None:
    decided = {item.code for item in ITEMS.values() if item.decided_by is not None}
    assert decided == {code for _, code, _, _ in RECORD_CASES}


@pytest.mark.parametrize(("table", "code", "kwargs", "expected"), RECORD_CASES)
def test_a_grading_the_record_decides_always_screens_positive(
    table: Table, code: str, kwargs: dict[str, Any], expected: bool | None
) -> None:
    f = facts(**kwargs)
    if grade(f, {}).matched:
        assert screen(f, {}).positive


@pytest.mark.parametrize("item", SCREENING_ITEMS, ids=lambda i: i.code)
def test_every_screening_item_answered_yes_is_positive(item) -> None:
    assert screen(facts(), {item.code: True}).positive
    assert [o.code for o in screen(facts(), {item.code: True}).matched] == [item.code]
    assert not screen(facts(), {item.code: False}).positive


@pytest.mark.parametrize("item", GRADING_ITEMS, ids=lambda i: i.code)
def test_every_grading_item_answered_yes_gives_its_colour(item) -> None:
    result = grade(facts(), {item.code: True})
    if item.colour is ItemColour.PURPLE:
        assert (result.colour, result.purple, result.purple_items) == (
            RiskColour.GREEN,
            True,
            (item.code,),
        )
    else:
        assert result.colour == RiskColour(item.colour.value)
        assert result.purple is (item.code == "g_hbsag_carrier")
    assert [(o.code, o.basis) for o in result.matched] == [(item.code, Basis.CLINICIAN)]
    no = grade(facts(), {item.code: False})
    assert (no.colour, no.purple, no.matched) == (RiskColour.GREEN, False, ())


def test_the_tables_are_well_formed() -> None:
    assert RULESET_VERSION == "2017-35号/1"
    assert len(ITEMS) == len(SCREENING_ITEMS) + len(GRADING_ITEMS)
    assert all(item.code.startswith("s_") for item in SCREENING_ITEMS)
    assert all(item.code.startswith("g_") and item.colour for item in GRADING_ITEMS)
    assert all(item.colour is None for item in SCREENING_ITEMS)
    assert {item.confidence for item in ITEMS.values()} <= {"V", "S", "P"}
    assert all(item.source and item.text for item in ITEMS.values())
    assert {item.colour for item in GRADING_ITEMS} == set(ItemColour)


def test_nothing_matched_is_green_and_screen_negative() -> None:
    assert not screen(facts(), {}).positive
    result = grade(facts(), {})
    assert (result.colour, result.purple, result.matched) == (RiskColour.GREEN, False, ())
    assert len(result.unanswered) == len(GRADING_ITEMS)


@pytest.mark.parametrize(
    ("answers", "colour", "purple"),
    [
        ({"g_twins": True, "g_asthma": True}, RiskColour.ORANGE, False),
        ({"g_asthma": True, "g_malignancy": True, "g_art": True}, RiskColour.RED, False),
        ({"g_art": True, "g_small_pelvis": True}, RiskColour.YELLOW, False),
        ({"g_syphilis": True, "g_asthma": True}, RiskColour.ORANGE, True),
        ({"g_hiv": True, "g_tuberculosis": True}, RiskColour.GREEN, True),
        ({"g_red_other": True, "g_viral_hepatitis": True}, RiskColour.RED, True),
    ],
)
def test_the_highest_colour_wins_and_purple_is_beside(
    answers: dict[str, bool], colour: RiskColour, purple: bool
) -> None:
    result = grade(facts(), answers)
    assert (result.colour, result.purple) == (colour, purple)
    assert {o.code for o in result.matched} == set(answers)
    assert {o.code for o in result.deciding} == {
        code for code in answers if ITEMS[code].colour == colour.value
    }


def test_record_and_answers_combine_and_each_item_says_where_it_came_from() -> None:
    f = facts(birth_date=born_aged(36), hb_g_l=58.0, previous_caesareans=1, fetuses=1)
    answers = {"g_uterine_scar": True, "g_hb_40_60": False, "g_asthma": True}
    result = grade(f, answers)
    bases = {o.code: o.basis for o in result.items if o.basis is not None}
    assert bases["g_age_35_39_or_18"] is Basis.RECORD
    assert bases["g_uterine_scar"] is Basis.CONFIRMED
    assert bases["g_hb_40_60"] is Basis.CORRECTED
    assert bases["g_asthma"] is Basis.CLINICIAN
    assert bases["g_twins"] is Basis.RECORD
    assert {o.code for o in result.matched} == {"g_age_35_39_or_18", "g_uterine_scar", "g_asthma"}
    assert result.colour is RiskColour.ORANGE
    assert "g_hb_40_60" in result.prefilled and "g_asthma" not in result.prefilled
    assert set(result.answered) == set(answers)
    age = next(o for o in result.matched if o.code == "g_age_35_39_or_18")
    assert age.evidence == {"age_years": 36}
    assert age.item.source.startswith("国卫办妇幼发〔2017〕35号 附件2")


def test_prefill_lists_the_record_value_and_evidence() -> None:
    filled = prefill(Table.GRADING, facts(hb_g_l=58.0, highest_systolic=150, highest_diastolic=95))
    assert filled["g_hb_40_60"].value is True
    assert filled["g_hb_60_110"].value is False
    assert filled["g_hb_40_60"].evidence == {"hb_g_l": 58.0}
    assert filled["g_hdp"].value is True
    assert filled["g_hdp"].evidence == {"systolic": 150, "diastolic": 95}
    assert "g_asthma" not in filled


def test_an_answer_of_none_is_no_answer() -> None:
    result = grade(facts(hb_g_l=58.0), {"g_hb_40_60": None})
    outcome = next(o for o in result.items if o.code == "g_hb_40_60")
    assert (outcome.matched, outcome.basis) == (True, Basis.RECORD)


@pytest.mark.parametrize(
    ("function", "code"),
    [(screen, "g_asthma"), (grade, "s_age"), (grade, "g_unknown")],
)
def test_an_answer_outside_the_table_is_refused(function, code: str) -> None:
    with pytest.raises(ClinicalValueError) as error:
        function(facts(), {code: True})
    assert error.value.code == "risk_answer_unknown"
    assert error.value.params["item"] == code


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"hb_g_l": 19.0}, "risk_fact_range"),
        ({"platelets": -1.0}, "risk_fact_range"),
        ({"fetuses": 0}, "risk_fact_range"),
        ({"highest_systolic": 301}, "risk_fact_range"),
        ({"fasting_glucose": 0.4}, "risk_fact_range"),
        ({"height_cm": 90.0}, "height_range"),
        ({"pre_pregnancy_weight_kg": 20.0}, "weight_range"),
        ({"birth_date": ON + dt.timedelta(days=1)}, "date_before_birth"),
    ],
)
def test_impossible_facts_are_refused(kwargs: dict[str, Any], code: str) -> None:
    with pytest.raises(ClinicalValueError) as error:
        facts(**kwargs)
    assert error.value.code == code


# --- Policy variants


LESS = BoundaryRule.LESS_SEVERE


@pytest.mark.parametrize(
    ("policy", "kwargs", "colour"),
    [
        (RiskPolicy(), {"hb_g_l": 60.0}, RiskColour.ORANGE),
        (RiskPolicy(hb_60=LESS), {"hb_g_l": 60.0}, RiskColour.YELLOW),
        (RiskPolicy(), {"hb_g_l": 40.0}, RiskColour.RED),
        (RiskPolicy(hb_40=LESS), {"hb_g_l": 40.0}, RiskColour.ORANGE),
        (RiskPolicy(hb_40=LESS), {"hb_g_l": 39.9}, RiskColour.RED),
        (RiskPolicy(), {"platelets": 50.0}, RiskColour.ORANGE),
        (RiskPolicy(platelets_50=LESS), {"platelets": 50.0}, RiskColour.YELLOW),
        (RiskPolicy(), {"platelets": 30.0}, RiskColour.RED),
        (RiskPolicy(platelets_30=LESS), {"platelets": 30.0}, RiskColour.ORANGE),
        (RiskPolicy(platelets_30=LESS), {"platelets": 29.0}, RiskColour.RED),
    ],
)
def test_shared_boundaries_follow_the_policy(
    policy: RiskPolicy, kwargs: dict[str, Any], colour: RiskColour
) -> None:
    result = grade(facts(**kwargs), {}, policy)
    assert result.colour is colour
    assert len(result.matched) == 1  # one band of the factor, never two


def test_the_hbsag_carrier_purple_rule_is_configurable() -> None:
    f = facts(hbsag_positive=True)
    default = grade(f, {})
    assert (default.colour, default.purple, default.purple_items) == (
        RiskColour.YELLOW,
        True,
        ("g_hbsag_carrier",),
    )
    off = grade(f, {}, RiskPolicy(hbsag_carrier_purple=False))
    assert (off.colour, off.purple) == (RiskColour.YELLOW, False)


def test_age_can_be_counted_on_the_due_date() -> None:
    # 34 at the assessment, 35 by her EDD.
    f = facts(birth_date=dt.date(1990, 9, 1), edd=dt.date(2025, 12, 1))
    assert grade(f, {}).colour is RiskColour.GREEN
    at_edd = RiskPolicy(age_at=AgeAt.EDD)
    assert grade(f, {}, at_edd).colour is RiskColour.YELLOW
    assert matched(G, "g_age_35_39_or_18", facts(birth_date=dt.date(1990, 9, 1)), at_edd) is None


def test_policy_strings_become_enums_and_bad_values_are_refused() -> None:
    policy = RiskPolicy(hb_60="less_severe", online_yellow="case_managed")  # type: ignore[arg-type]
    assert policy.hb_60 is BoundaryRule.LESS_SEVERE
    assert policy.online_yellow is OnlineCare.CASE_MANAGED
    for kwargs in (
        {"hb_60": "middle"},
        {"online_red": "maybe"},
        {"red_report_hours": 0},
        {"orange_report_hours": 1.5},
        {"hbsag_carrier_purple": "yes"},
    ):
        with pytest.raises(ClinicalValueError) as error:
            RiskPolicy(**kwargs)  # type: ignore[arg-type]
        assert error.value.code == "risk_policy_value"
    assert set(POLICY_SOURCES) == {
        f for f in RiskPolicy.__dataclass_fields__ if not f.startswith("_")
    }


@pytest.mark.parametrize(
    ("kwargs", "higher"),
    [
        ({"online_red": OnlineCare.CASE_MANAGED, "online_orange": OnlineCare.IN_PERSON}, "red"),
        ({"online_yellow": OnlineCare.CASE_MANAGED, "online_orange": OnlineCare.ALLOWED}, "orange"),
        ({"online_green": OnlineCare.IN_PERSON}, "yellow"),
    ],
)
def test_a_higher_colour_is_never_more_open_online(kwargs: dict[str, Any], higher: str) -> None:
    with pytest.raises(ClinicalValueError) as error:
        RiskPolicy(**kwargs)
    assert error.value.code == "risk_policy_online_order"
    assert error.value.params["higher"] == higher


# --- Management


@pytest.mark.parametrize(
    ("colour", "purple", "actions", "hours"),
    [
        (RiskColour.GREEN, False, {ManagementAction.ROUTINE_CARE}, None),
        (
            RiskColour.YELLOW,
            False,
            {
                ManagementAction.SECONDARY_OR_HIGHER_HOSPITAL,
                ManagementAction.REFER_TERTIARY_IF_CHANGES,
            },
            None,
        ),
        (
            RiskColour.ORANGE,
            False,
            {ManagementAction.HIGH_RISK_CASE, ManagementAction.REPORT_TO_DISTRICT},
            72,
        ),
        (
            RiskColour.RED,
            False,
            {
                ManagementAction.HIGH_RISK_CASE,
                ManagementAction.REPORT_TO_DISTRICT,
                ManagementAction.REFER_TERTIARY_ASSESSMENT,
            },
            24,
        ),
        (
            RiskColour.GREEN,
            True,
            {ManagementAction.ROUTINE_CARE, ManagementAction.HIGH_RISK_CASE},
            None,
        ),
        (
            RiskColour.ORANGE,
            True,
            {ManagementAction.HIGH_RISK_CASE, ManagementAction.REPORT_TO_DISTRICT},
            72,
        ),
    ],
)
def test_management_per_colour(
    colour: RiskColour, purple: bool, actions: set[ManagementAction], hours: int | None
) -> None:
    management = management_for(colour, purple)
    assert set(management.actions) == actions
    assert management.high_risk_case is (ManagementAction.HIGH_RISK_CASE in actions)
    assert management.report_to_district is (hours is not None)
    graded_at = dt.datetime(2025, 6, 1, 9, 0, tzinfo=dt.UTC)
    expected = None if hours is None else graded_at + dt.timedelta(hours=hours)
    assert management.report_due(graded_at) == expected


def test_report_deadlines_are_configurable() -> None:
    policy = RiskPolicy(orange_report_hours=48, red_report_hours=12)
    assert management_for(RiskColour.ORANGE, False, policy).report_within == dt.timedelta(hours=48)
    assert management_for(RiskColour.RED, False, policy).report_within == dt.timedelta(hours=12)


# --- Suitability


@pytest.mark.parametrize(
    ("colour", "purple", "flags", "eligible", "decision", "reason", "urgency"),
    [
        (RiskColour.GREEN, False, (), True, "allowed", "colour_green", "none"),
        (RiskColour.YELLOW, False, (), True, "allowed", "colour_yellow", "none"),
        (RiskColour.ORANGE, False, (), True, "case_managed", "colour_orange", "none"),
        (RiskColour.RED, False, (), True, "in_person", "colour_red", "in_person_now"),
        (RiskColour.GREEN, True, (), True, "case_managed", "purple", "none"),
        (RiskColour.YELLOW, True, (), True, "case_managed", "purple", "none"),
        (RiskColour.ORANGE, True, (), True, "case_managed", "colour_orange", "none"),
        (RiskColour.RED, True, (), True, "in_person", "colour_red", "in_person_now"),
        (RiskColour.GREEN, False, ("bleeding",), True, "in_person", "red_flag", "emergency"),
        (RiskColour.GREEN, False, ("itching",), True, "in_person", "red_flag", "within_24h"),
        (
            RiskColour.GREEN,
            False,
            ("red_flag_itching", "red_flag_headache"),
            True,
            "in_person",
            "red_flag",
            "emergency",
        ),
        (RiskColour.GREEN, False, ("some_new_flag",), True, "in_person", "red_flag", "emergency"),
        (RiskColour.GREEN, False, ("fever",), True, "allowed", "colour_green", "none"),
        (RiskColour.GREEN, False, ("epigastric_pain",), True, "allowed", "colour_green", "none"),
        (RiskColour.RED, False, ("headache",), False, "in_person", "red_flag", "emergency"),
        (RiskColour.GREEN, False, (), False, "in_person", "no_in_person_diagnosis", "book_visit"),
        (RiskColour.ORANGE, True, (), False, "in_person", "no_in_person_diagnosis", "book_visit"),
        (RiskColour.RED, False, (), False, "in_person", "colour_red", "in_person_now"),
    ],
)
def test_suitability_default_policy(
    colour: RiskColour,
    purple: bool,
    flags: tuple[str, ...],
    eligible: bool,
    decision: str,
    reason: str,
    urgency: str,
) -> None:
    result = suitability(colour, purple, flags, eligible)
    assert (result.decision, result.reason, result.urgency) == (decision, reason, urgency)
    assert result.needs_clinician_decision is (decision == "case_managed")
    assert result.needs_high_risk_case is (decision == "case_managed")
    assert result.online_possible is (decision != "in_person")
    if reason == "red_flag":
        assert result.red_flags == tuple(f for f in flags if f not in {"fever"})


def test_suitability_follows_the_hospital_policy() -> None:
    strict = RiskPolicy(
        online_yellow=OnlineCare.CASE_MANAGED,
        online_orange=OnlineCare.IN_PERSON,
        online_purple=OnlineCare.IN_PERSON,
    )
    assert suitability(RiskColour.YELLOW, False, (), True, strict).decision is (
        OnlineCare.CASE_MANAGED
    )
    orange = suitability(RiskColour.ORANGE, False, (), True, strict)
    assert (orange.decision, orange.reason) == (
        OnlineCare.IN_PERSON,
        SuitabilityReason.COLOUR_ORANGE,
    )
    purple = suitability(RiskColour.GREEN, True, (), True, strict)
    assert (purple.decision, purple.reason, purple.urgency) == (
        OnlineCare.IN_PERSON,
        SuitabilityReason.PURPLE,
        Urgency.IN_PERSON_NOW,
    )
    open_purple = RiskPolicy(online_purple=OnlineCare.ALLOWED)
    assert suitability(RiskColour.GREEN, True, (), True, open_purple).decision is (
        OnlineCare.ALLOWED
    )
    lenient_red = RiskPolicy(online_red=OnlineCare.CASE_MANAGED)
    assert suitability(RiskColour.RED, False, (), True, lenient_red).decision is (
        OnlineCare.CASE_MANAGED
    )
    # Red flags and eligibility are not hospital choices.
    assert suitability(RiskColour.GREEN, False, ("bleeding",), True, lenient_red).decision is (
        OnlineCare.IN_PERSON
    )


# --- Regrading


def test_a_new_lab_result_that_raises_the_colour_proposes_a_regrading() -> None:
    before = grade(facts(hb_g_l=100.0), {"g_hb_60_110": True, "g_hb_40_60": False, "g_art": True})
    assert before.colour is RiskColour.YELLOW
    proposal = regrading_proposal(before, facts(hb_g_l=55.0))
    assert proposal is not None
    assert proposal.colour is RiskColour.ORANGE
    assert {o.code for o in proposal.matched} == {"g_hb_40_60", "g_art"}
    hb = next(o for o in proposal.items if o.code == "g_hb_40_60")
    assert hb.basis is Basis.RECORD  # the old "no" no longer stands: the record changed
    assert raises_risk(before, proposal)


def test_a_corrected_item_stays_corrected_while_the_record_is_unchanged() -> None:
    before = grade(facts(hb_g_l=58.0), {"g_hb_40_60": False, "g_hb_60_110": True})
    assert before.colour is RiskColour.YELLOW
    assert regrading_proposal(before, facts(hb_g_l=58.0)) is None


def test_a_new_infection_proposes_purple_and_a_lower_value_proposes_nothing() -> None:
    before = grade(facts(hb_g_l=100.0), {})
    purple = regrading_proposal(before, facts(hb_g_l=100.0, syphilis_positive=True))
    assert purple is not None
    assert (purple.colour, purple.purple) == (RiskColour.YELLOW, True)
    assert regrading_proposal(before, facts(hb_g_l=120.0)) is None
    new_diagnosis = regrading_proposal(
        before, facts(hb_g_l=100.0, diagnoses=frozenset({Diagnosis.SEVERE_PRE_ECLAMPSIA}))
    )
    assert new_diagnosis is not None
    assert new_diagnosis.colour is RiskColour.ORANGE


def test_the_sources_people_read_name_public_references_only() -> None:
    """Item and policy sources are shown on the grading and policy pages: each names the
    guideline or standard, never a file of this project."""
    sources = [item.source for item in ITEMS.values()] + [s for s, _m in POLICY_SOURCES.values()]
    assert len(sources) > 100
    assert [s for s in sources if ".md" in s or "DOMAIN" in s] == []
