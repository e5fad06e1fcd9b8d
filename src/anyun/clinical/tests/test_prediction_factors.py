"""Disease risk prediction factor tables (FI-4): each factor, each threshold boundary, each
combination rule, the aspirin window and what each prediction says to consider."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from anyun.clinical.dating import edd_from_lmp
from anyun.clinical.errors import ClinicalValueError
from anyun.clinical.prediction import FactorWeight, PredictionKind
from anyun.clinical.prediction_factors import (
    FACTOR_TEXT,
    GDM_EARLY_TEST_RULE,
    PRE_ECLAMPSIA_RULE,
    PREDICTION_RULES,
    PRETERM_BIRTH_RULE,
    Basis,
    ObesityCutoff,
    PredictionFacts,
    PredictionPolicy,
    RuleResult,
    assess,
    factor_predictions,
)
from anyun.clinical.risk_tables import Diagnosis

ON = date(2025, 6, 1)
PE, GDM, PTB = (
    PredictionKind.PRE_ECLAMPSIA,
    PredictionKind.GDM_EARLY_OGTT,
    PredictionKind.PRETERM_BIRTH,
)


def aged(years: int, days: int = 0) -> date:
    return ON.replace(year=ON.year - years) - timedelta(days=days)


def at_weeks(weeks: int, days: int = 0) -> date:
    """The EDD of a pregnancy `weeks`+`days` on ON."""
    return edd_from_lmp(ON - timedelta(days=weeks * 7 + days))


def height_weight_for(bmi: float) -> dict[str, float]:
    """A height of 100 cm makes the BMI the weight in kg (rounded half up to 1 decimal)."""
    return {"height_cm": 100.0, "pre_pregnancy_weight_kg": bmi}


def result(kind: PredictionKind, **facts: Any) -> RuleResult:
    policy = facts.pop("policy", PredictionPolicy())
    found = {r.kind: r for r in assess(PredictionFacts(on=ON, **facts), policy)}
    return found[kind]


def finding(kind: PredictionKind, code: str, **facts: Any) -> bool | None:
    return next(f for f in result(kind, **facts).findings if f.code == code).present


# --- the tables themselves ---


def test_every_factor_has_a_named_source_a_mark_and_english_wording() -> None:
    for rule in PREDICTION_RULES.values():
        assert rule.source and rule.confidence in {"V", "S", "P"}
        for factor in rule.factors:
            assert factor.confidence in {"V", "S", "P"}
            assert any(
                name in factor.source for name in ("USPSTF", "ACOG", "妊娠期", "ADA", "Anyun")
            ), factor.code
            assert FACTOR_TEXT[factor.code][0].isupper() or FACTOR_TEXT[factor.code][0].isdigit()
    codes = [f.code for rule in PREDICTION_RULES.values() for f in rule.factors]
    assert len(codes) == len(set(codes))


def test_the_pre_eclampsia_lists_are_those_of_uspstf_2021() -> None:
    weights = {f.code: f.weight for f in PRE_ECLAMPSIA_RULE.factors}
    assert [c for c, w in weights.items() if w is FactorWeight.HIGH] == [
        "pe_prior_pre_eclampsia",
        "pe_multifetal",
        "pe_chronic_hypertension",
        "pe_pregestational_diabetes",
        "pe_renal_disease",
        "pe_autoimmune",
    ]
    assert [c for c, w in weights.items() if w is FactorWeight.MODERATE] == [
        "pe_nulliparity",
        "pe_obesity",
        "pe_age_35",
        "pe_family_history",
        "pe_interval_10_years",
        "pe_personal_history",
        "pe_low_income",
        "pe_ivf",
    ]
    assert (PRE_ECLAMPSIA_RULE.high_needed, PRE_ECLAMPSIA_RULE.moderate_needed) == (1, 2)


def test_gdm_and_preterm_fire_on_any_one_factor_and_have_no_moderate_ones() -> None:
    for rule in (GDM_EARLY_TEST_RULE, PRETERM_BIRTH_RULE):
        assert {f.weight for f in rule.factors} == {FactorWeight.HIGH}
        assert rule.high_needed == 1 and rule.moderate_needed > len(rule.factors)


# --- each factor decided from the record, at its boundaries ---

NOT_ASKED = {"birth_date", "height_cm", "pre_pregnancy_weight_kg"}


@pytest.mark.parametrize(
    ("kind", "code", "facts", "expected"),
    [
        # Age >= 35 (USPSTF/ACOG moderate): 34 years and 364 days is not 35.
        (PE, "pe_age_35", {"birth_date": aged(35)}, True),
        (PE, "pe_age_35", {"birth_date": aged(34)}, False),
        (PE, "pe_age_35", {"birth_date": aged(35, days=-1)}, False),
        (PE, "pe_age_35", {}, None),
        # Age > 45 (China 2022 rec. 1-2): 45 is not over 45.
        (GDM, "gdm_age_over_45", {"birth_date": aged(46)}, True),
        (GDM, "gdm_age_over_45", {"birth_date": aged(45)}, False),
        (GDM, "gdm_age_over_45", {}, None),
        # Obesity, default China 2020 pre-pregnancy BMI >= 28.
        (PE, "pe_obesity", height_weight_for(28.0), True),
        (PE, "pe_obesity", height_weight_for(27.9), False),
        (PE, "pe_obesity", height_weight_for(27.95), True),  # shown as 28.0
        (PE, "pe_obesity", {"height_cm": 160.0}, None),
        # Obesity for GDM: BMI >= 28 (Chinese obesity cut-off, local reading).
        (GDM, "gdm_obesity", height_weight_for(28.0), True),
        (GDM, "gdm_obesity", height_weight_for(27.9), False),
        # Nulliparity.
        (PE, "pe_nulliparity", {"parity": 0}, True),
        (PE, "pe_nulliparity", {"parity": 1}, False),
        (PE, "pe_nulliparity", {}, None),
        # Multiple pregnancy (both PE high and preterm).
        (PE, "pe_multifetal", {"fetuses": 2}, True),
        (PE, "pe_multifetal", {"fetuses": 1}, False),
        (PTB, "ptb_multifetal", {"fetuses": 3}, True),
        (PTB, "ptb_multifetal", {"fetuses": 1}, False),
        (PTB, "ptb_multifetal", {}, None),
        # Assisted reproduction (USPSTF 2021 in vitro conception).
        (PE, "pe_ivf", {"art_conception": True}, True),
        (PE, "pe_ivf", {"art_conception": False}, False),
        # Interval since her last birth: 10 years or more.
        (
            PE,
            "pe_interval_10_years",
            {"parity": 1, "last_birth_on": date(2014, 5, 1), "lmp": date(2024, 5, 1)},
            True,
        ),
        (
            PE,
            "pe_interval_10_years",
            {"parity": 1, "last_birth_on": date(2014, 5, 1), "lmp": date(2024, 4, 30)},
            False,
        ),
        (
            PE,
            "pe_interval_10_years",
            {"parity": 1, "last_birth_on": date(2012, 2, 29), "lmp": date(2022, 2, 28)},
            False,
        ),
        (
            PE,
            "pe_interval_10_years",
            {"parity": 1, "last_birth_on": date(2012, 2, 29), "lmp": date(2022, 3, 1)},
            True,
        ),
        (PE, "pe_interval_10_years", {"parity": 0}, False),
        # Only the year of her last birth recorded: decided when the whole year agrees.
        (PE, "pe_interval_10_years", {"last_birth_year": 2014, "lmp": date(2023, 12, 31)}, False),
        (PE, "pe_interval_10_years", {"last_birth_year": 2014, "lmp": date(2024, 1, 1)}, None),
        (PE, "pe_interval_10_years", {"last_birth_year": 2014, "lmp": date(2024, 12, 31)}, None),
        (PE, "pe_interval_10_years", {"last_birth_year": 2014, "lmp": date(2025, 1, 1)}, True),
        (PE, "pe_interval_10_years", {"last_birth_year": 2014}, None),
        (PE, "pe_interval_10_years", {"parity": 2}, None),
        # Diagnoses on her record say yes; without one the clinician is asked.
        (
            PE,
            "pe_chronic_hypertension",
            {"diagnoses": frozenset({Diagnosis.CHRONIC_HYPERTENSION})},
            True,
        ),
        (
            PE,
            "pe_chronic_hypertension",
            {"diagnoses": frozenset({Diagnosis.SUPERIMPOSED_PRE_ECLAMPSIA})},
            True,
        ),
        (
            PE,
            "pe_chronic_hypertension",
            {"diagnoses": frozenset({Diagnosis.GESTATIONAL_HYPERTENSION})},
            None,
        ),
        (PE, "pe_pregestational_diabetes", {"diagnoses": frozenset({Diagnosis.PGDM})}, True),
        (PE, "pe_pregestational_diabetes", {"diagnoses": frozenset({Diagnosis.GDM})}, None),
        (
            GDM,
            "gdm_chronic_hypertension",
            {"diagnoses": frozenset({Diagnosis.CHRONIC_HYPERTENSION})},
            True,
        ),
        # Short cervix: below 25 mm measured before 24+0.
        (
            PTB,
            "ptb_short_cervix",
            {"cervical_length_mm": 24.9, "cervical_length_ga_days": 20 * 7},
            True,
        ),
        (
            PTB,
            "ptb_short_cervix",
            {"cervical_length_mm": 25.0, "cervical_length_ga_days": 20 * 7},
            False,
        ),
        (
            PTB,
            "ptb_short_cervix",
            {"cervical_length_mm": 18.0, "cervical_length_ga_days": 24 * 7 - 1},
            True,
        ),
        (
            PTB,
            "ptb_short_cervix",
            {"cervical_length_mm": 18.0, "cervical_length_ga_days": 24 * 7},
            None,
        ),
        (PTB, "ptb_short_cervix", {"cervical_length_mm": 18.0}, None),
    ],
)
def test_factor_from_the_record(
    kind: PredictionKind, code: str, facts: dict[str, Any], expected: bool | None
) -> None:
    assert finding(kind, code, **facts) is expected


def test_usptf_obesity_cutoff_is_over_30() -> None:
    uspstf = PredictionPolicy(obesity_cutoff="uspstf_30")  # type: ignore[arg-type]
    assert uspstf.obesity_cutoff is ObesityCutoff.USPSTF_30
    assert finding(PE, "pe_obesity", policy=uspstf, **height_weight_for(30.1)) is True
    assert finding(PE, "pe_obesity", policy=uspstf, **height_weight_for(30.0)) is False
    assert finding(PE, "pe_obesity", policy=uspstf, **height_weight_for(29.0)) is False
    # The GDM factor keeps the Chinese cut-off whatever the pre-eclampsia policy.
    assert finding(GDM, "gdm_obesity", policy=uspstf, **height_weight_for(28.0)) is True


def test_a_policy_value_that_does_not_exist_is_refused() -> None:
    with pytest.raises(ClinicalValueError) as caught:
        PredictionPolicy(obesity_cutoff="bmi_25")  # type: ignore[arg-type]
    assert (caught.value.code, caught.value.field) == ("risk_policy_value", "obesity_cutoff")


ASKED = [
    (PE, "pe_prior_pre_eclampsia"),
    (PE, "pe_renal_disease"),
    (PE, "pe_autoimmune"),
    (PE, "pe_family_history"),
    (PE, "pe_personal_history"),
    (PE, "pe_low_income"),
    (GDM, "gdm_family_t2dm"),
    (GDM, "gdm_prior_gdm_or_macrosomia"),
    (GDM, "gdm_pcos"),
    (GDM, "gdm_coronary_disease"),
    (GDM, "gdm_dyslipidaemia"),
    (GDM, "gdm_glycosuria_repeated"),
    (PTB, "ptb_prior_spontaneous"),
]


@pytest.mark.parametrize(("kind", "code"), ASKED)
def test_factors_only_she_can_tell_are_asked_and_her_answer_decides(
    kind: PredictionKind, code: str
) -> None:
    full = {
        "birth_date": aged(30),
        "height_cm": 160.0,
        "pre_pregnancy_weight_kg": 55.0,
        "parity": 1,
        "fetuses": 1,
        "art_conception": False,
    }
    assert finding(kind, code, **full) is None
    assert code in {f.code for f in result(kind, **full).unknown}
    yes = result(kind, answers={code: True}, **full)
    assert [f.code for f in yes.present] == [code]
    assert yes.present[0].basis is Basis.ANSWER
    assert finding(kind, code, answers={code: False}, **full) is False


def test_an_answer_overrides_the_record() -> None:
    facts: dict[str, Any] = {"birth_date": aged(36), "answers": {"pe_age_35": False}}
    assert finding(PE, "pe_age_35", **facts) is False


def test_an_answer_to_a_code_no_rule_has_is_refused() -> None:
    with pytest.raises(ClinicalValueError) as caught:
        PredictionFacts(on=ON, answers={"pe_smoking": True})
    assert (caught.value.code, caught.value.field) == ("risk_answer_unknown", "pe_smoking")


@pytest.mark.parametrize(
    ("name", "value"), [("parity", 21), ("fetuses", 0), ("cervical_length_mm", 81.0)]
)
def test_values_that_cannot_be_are_refused(name: str, value: float) -> None:
    with pytest.raises(ClinicalValueError) as caught:
        PredictionFacts(on=ON, **{name: value})  # type: ignore[arg-type]
    assert (caught.value.code, caught.value.field) == ("risk_fact_range", name)


# --- combination: pre-eclampsia >= 1 high or >= 2 moderate ---

SINGLETON_PAROUS = {"parity": 1, "fetuses": 1, "art_conception": False, "birth_date": aged(30)}


@pytest.mark.parametrize(
    ("answers", "facts", "fires", "basis"),
    [
        ({}, {}, False, None),
        ({"pe_chronic_hypertension": True}, {}, True, "pe_aspirin_high_factor"),
        ({"pe_prior_pre_eclampsia": True}, {}, True, "pe_aspirin_high_factor"),
        ({"pe_family_history": True}, {}, False, None),  # one moderate: not indicated
        (
            {"pe_family_history": True},
            {"birth_date": aged(35)},
            True,
            "pe_aspirin_moderate_factors",
        ),
        (
            {"pe_family_history": True, "pe_low_income": True},
            {},
            True,
            "pe_aspirin_moderate_factors",
        ),
        ({}, {"parity": 0, **height_weight_for(28.0)}, True, "pe_aspirin_moderate_factors"),
        ({}, {"parity": 0, **height_weight_for(27.9)}, False, None),
        ({}, {"fetuses": 2}, True, "pe_aspirin_high_factor"),
    ],
)
def test_pre_eclampsia_combination(
    answers: dict[str, bool], facts: dict[str, Any], fires: bool, basis: str | None
) -> None:
    found = result(PE, answers=answers, **{**SINGLETON_PAROUS, **facts})
    if not fires:
        assert found.prediction is None
        return
    assert found.prediction is not None
    assert found.prediction.consider[:2] == ("pe_discuss_aspirin", basis)


def test_the_prediction_lists_what_drove_it_high_first_with_the_record_values() -> None:
    found = result(
        PE,
        answers={"pe_renal_disease": True},
        birth_date=aged(38),
        parity=0,
        fetuses=1,
        **height_weight_for(30.5),
    )
    assert found.prediction is not None
    factors = {f.code: f.values for f in found.prediction.factors}
    assert list(factors) == ["pe_renal_disease", "pe_nulliparity", "pe_obesity", "pe_age_35"]
    assert factors["pe_renal_disease"] == {"weight": "high", "basis": "answer"}
    assert factors["pe_age_35"] == {"weight": "moderate", "age_years": 38, "basis": "record"}
    assert factors["pe_obesity"]["bmi"] == 30.5
    assert found.prediction.source.startswith("USPSTF 2021")


def test_could_fire_says_the_unanswered_factors_might_tip_it() -> None:
    one_moderate = result(PE, **{**SINGLETON_PAROUS, "birth_date": aged(36)})
    assert one_moderate.prediction is None and one_moderate.could_fire
    everything_no = {code: False for code, _w in _pe_asked_codes()}
    everything_no |= {"pe_obesity": False, "pe_interval_10_years": False}
    settled = result(PE, answers=everything_no, **{**SINGLETON_PAROUS, "birth_date": aged(36)})
    assert settled.unknown == () and not settled.could_fire


def _pe_asked_codes() -> list[tuple[str, FactorWeight]]:
    return [
        (f.code, f.weight)
        for f in PRE_ECLAMPSIA_RULE.factors
        if f.code
        in {
            "pe_prior_pre_eclampsia",
            "pe_chronic_hypertension",
            "pe_pregestational_diabetes",
            "pe_renal_disease",
            "pe_autoimmune",
            "pe_family_history",
            "pe_personal_history",
            "pe_low_income",
        }
    ]


# --- the aspirin window (China 2020: start at 12-16 weeks) ---


@pytest.mark.parametrize(
    ("edd", "window"),
    [
        (at_weeks(11, 6), "pe_aspirin_from_12_weeks"),
        (at_weeks(12, 0), "pe_aspirin_window_open"),
        (at_weeks(16, 0), "pe_aspirin_window_open"),
        (at_weeks(16, 1), "pe_aspirin_window_passed"),
        (None, "pe_aspirin_ga_unknown"),
        (ON + timedelta(days=300), "pe_aspirin_ga_unknown"),  # EDD so far off: no GA yet
    ],
)
def test_aspirin_window_against_her_ga(edd: date | None, window: str) -> None:
    found = result(PE, edd=edd, fetuses=2)
    assert found.prediction is not None
    assert found.prediction.consider == ("pe_discuss_aspirin", "pe_aspirin_high_factor", window)


# --- GDM: any one factor; not when diabetes is known ---


def test_gdm_early_test_fires_on_one_factor_and_says_what_to_consider() -> None:
    assert result(GDM, **height_weight_for(27.9), birth_date=aged(30)).prediction is None
    found = result(GDM, answers={"gdm_pcos": True})
    assert found.prediction is not None
    assert [f.code for f in found.prediction.factors] == ["gdm_pcos"]
    assert found.prediction.consider == (
        "gdm_fasting_glucose_first_visit",
        "gdm_consider_early_test",
        "gdm_lifestyle",
    )


@pytest.mark.parametrize("known", [Diagnosis.GDM, Diagnosis.PGDM])
def test_gdm_early_test_does_not_apply_once_diabetes_is_diagnosed(known: Diagnosis) -> None:
    found = result(GDM, diagnoses=frozenset({known}), answers={"gdm_pcos": True})
    assert (found.applicable, found.not_applicable, found.prediction) == (
        False,
        "diabetes_diagnosed",
        None,
    )
    assert not found.could_fire


# --- preterm birth ---


@pytest.mark.parametrize(
    ("facts", "factors", "consider"),
    [
        (
            {"answers": {"ptb_prior_spontaneous": True}, "fetuses": 1},
            ["ptb_prior_spontaneous"],
            (
                "ptb_warning_signs",
                "ptb_discuss_progesterone",
                "ptb_cervical_length_surveillance",
            ),
        ),
        (
            {"cervical_length_mm": 20.0, "cervical_length_ga_days": 140, "fetuses": 1},
            ["ptb_short_cervix"],
            ("ptb_warning_signs", "ptb_discuss_vaginal_progesterone"),
        ),
        (
            {
                "answers": {"ptb_prior_spontaneous": True},
                "cervical_length_mm": 22.0,
                "cervical_length_ga_days": 150,
                "fetuses": 1,
            },
            ["ptb_prior_spontaneous", "ptb_short_cervix"],
            (
                "ptb_warning_signs",
                "ptb_discuss_progesterone",
                "ptb_cervical_length_surveillance",
                "ptb_discuss_vaginal_progesterone",
                "ptb_consider_cerclage",
            ),
        ),
        ({"fetuses": 2}, ["ptb_multifetal"], ("ptb_warning_signs", "ptb_multifetal_care")),
    ],
)
def test_preterm_birth(
    facts: dict[str, Any], factors: list[str], consider: tuple[str, ...]
) -> None:
    found = result(PTB, **facts)
    assert found.prediction is not None
    assert [f.code for f in found.prediction.factors] == factors
    assert found.prediction.consider == consider
    assert found.prediction.source.startswith("ACOG Practice Bulletin 234")


def test_no_rule_applies_after_the_birth() -> None:
    facts = PredictionFacts(
        on=ON, pregnant=False, fetuses=2, birth_date=aged(41), answers={"gdm_pcos": True}
    )
    results = assess(facts)
    assert {r.not_applicable for r in results} == {"not_pregnant"}
    assert factor_predictions(facts) == []


def test_hints_from_her_record_are_shown_with_the_factor() -> None:
    facts = PredictionFacts(
        on=ON,
        hints={"ptb_prior_spontaneous": {"preterm_births": [{"year": 2021, "weeks": 33}]}},
    )
    found = next(r for r in assess(facts) if r.kind is PTB)
    prior = next(f for f in found.findings if f.code == "ptb_prior_spontaneous")
    assert prior.present is None
    assert prior.evidence == {"preterm_births": [{"year": 2021, "weeks": 33}]}
