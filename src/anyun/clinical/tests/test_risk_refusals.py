"""Five-colour risk rules in full detail: every refusal's code, field and params (the forms
show the message filled from them), the facts' range ends, the evidence each pre-filled item
carries, the birth interval across month ends, and the parts of a result a page reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from anyun.clinical.errors import ClinicalValueError
from anyun.clinical.risk import (
    FACT_RANGES,
    BoundaryRule,
    OnlineCare,
    RiskFacts,
    RiskPolicy,
    Urgency,
    grade,
    management_for,
    prefill,
    regrading_proposal,
    screen,
    suitability,
)
from anyun.clinical.risk_tables import RULESET_VERSION, Diagnosis, RiskColour, Table

ON = dt.date(2025, 6, 1)


def facts(**kwargs: Any) -> RiskFacts:
    return RiskFacts(on=ON, **kwargs)


def _refusal(call, *args: object, **kwargs: object) -> tuple[str, str | None, dict]:
    with pytest.raises(ClinicalValueError) as caught:
        call(*args, **kwargs)
    return caught.value.code, caught.value.field, caught.value.params


# --- policy ---


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("hb_60", "middle"),
        ("online_red", "maybe"),
        ("red_report_hours", 0),
        ("orange_report_hours", -3),
        ("orange_report_hours", 1.5),
        ("hbsag_carrier_purple", "yes"),
    ],
)
def test_a_bad_policy_value_is_refused_naming_the_setting(name: str, value: object) -> None:
    assert _refusal(RiskPolicy, **{name: value}) == (
        "risk_policy_value",
        name,
        {"name": name, "value": str(value)},
    )


def test_a_report_deadline_of_one_hour_is_accepted() -> None:
    policy = RiskPolicy(orange_report_hours=1, red_report_hours=1)
    assert management_for(RiskColour.ORANGE, False, policy).report_within == dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("kwargs", "higher", "lower"),
    [
        ({"online_green": OnlineCare.IN_PERSON}, "yellow", "green"),
        (
            {"online_yellow": OnlineCare.CASE_MANAGED, "online_orange": OnlineCare.ALLOWED},
            "orange",
            "yellow",
        ),
        (
            {"online_red": OnlineCare.CASE_MANAGED, "online_orange": OnlineCare.IN_PERSON},
            "red",
            "orange",
        ),
    ],
)
def test_online_care_out_of_order_names_both_colours(
    kwargs: dict[str, Any], higher: str, lower: str
) -> None:
    assert _refusal(RiskPolicy, **kwargs) == (
        "risk_policy_online_order",
        f"online_{higher}",
        {"higher": higher, "lower": lower},
    )


# --- facts ---


@pytest.mark.parametrize(("name", "ends"), FACT_RANGES.items())
def test_each_fact_is_accepted_at_both_ends_of_its_range(
    name: str, ends: tuple[float, float]
) -> None:
    for value in ends:
        assert getattr(facts(**{name: value}), name) == value


@pytest.mark.parametrize(
    ("name", "value", "low", "high"),
    [("hb_g_l", 251, 20, 250), ("fetuses", 0, 1, 8), ("fasting_glucose", 40.1, 0.5, 40)],
)
def test_a_fact_outside_its_range_is_refused_naming_it_and_the_range(
    name: str, value: float, low: float, high: float
) -> None:
    assert _refusal(facts, **{name: value}) == (
        "risk_fact_range",
        name,
        {"fact": name, "min_value": low, "max_value": high, "value": value},
    )


def test_diagnoses_given_as_codes_become_a_set_of_diagnoses() -> None:
    f = facts(diagnoses=["severe_pre_eclampsia", "severe_pre_eclampsia"])
    assert f.diagnoses == frozenset({Diagnosis.SEVERE_PRE_ECLAMPSIA})
    assert isinstance(f.diagnoses, frozenset)
    assert grade(f, {}).colour is RiskColour.ORANGE


# --- pre-fill and its evidence ---


def test_prefill_names_each_item_and_its_diagnoses() -> None:
    filled = prefill(Table.GRADING, facts(diagnoses={Diagnosis.SEVERE_PRE_ECLAMPSIA}))
    assert all(code == entry.code for code, entry in filled.items())
    assert filled["g_severe_pre_eclampsia"].value is True
    assert filled["g_severe_pre_eclampsia"].evidence == {"diagnoses": ["severe_pre_eclampsia"]}


def _interval(**kwargs: Any):
    return prefill(Table.SCREENING, facts(**kwargs))["s_birth_interval"]


def test_birth_interval_evidence() -> None:
    first = _interval(parity=0)
    assert (first.value, first.evidence) == (False, {"parity": 0})
    dated = _interval(last_birth_on=dt.date(2024, 1, 10), lmp=dt.date(2025, 5, 1))
    assert (dated.value, dated.evidence) == (
        True,
        {"last_birth_on": "2024-01-10", "lmp": "2025-05-01"},
    )


@pytest.mark.parametrize("kwargs", [{"lmp": dt.date(2025, 5, 1)}, {"last_birth_on": ON}])
def test_birth_interval_with_one_date_missing_cannot_be_said(kwargs: dict[str, Any]) -> None:
    entry = _interval(**kwargs)
    assert (entry.value, entry.evidence) == (None, {})


@pytest.mark.parametrize(
    ("last_birth_on", "eighteen_months_later"),
    [
        (dt.date(2022, 12, 31), dt.date(2024, 6, 30)),  # into a 30-day month
        (dt.date(2022, 8, 31), dt.date(2024, 2, 29)),  # into a leap February
        (dt.date(2023, 8, 31), dt.date(2025, 2, 28)),  # into a common February
        (dt.date(2023, 7, 31), dt.date(2025, 1, 31)),
    ],
)
def test_eighteen_months_from_a_month_end_fall_on_the_last_day_of_the_month(
    last_birth_on: dt.date, eighteen_months_later: dt.date
) -> None:
    before = _interval(last_birth_on=last_birth_on, lmp=eighteen_months_later - dt.timedelta(1))
    assert before.value is True
    assert _interval(last_birth_on=last_birth_on, lmp=eighteen_months_later).value is False


# --- results ---


def test_an_answer_outside_the_table_names_the_table_and_version() -> None:
    assert _refusal(grade, facts(), {"s_age": True}) == (
        "risk_answer_unknown",
        "s_age",
        {"item": "s_age", "table": "grading", "version": RULESET_VERSION},
    )
    assert _refusal(screen, facts(), {"g_asthma": False})[2]["table"] == "screening"


def test_an_item_neither_the_record_nor_the_clinician_answered_has_no_basis() -> None:
    outcome = next(o for o in grade(facts(), {}).items if o.code == "g_asthma")
    assert (outcome.matched, outcome.basis, outcome.record_value) == (None, None, None)


def test_the_screening_keeps_the_clinicians_answers() -> None:
    answers = {"s_infertility": True, "s_rh_negative": None}
    assert screen(facts(), answers).answers == answers


@pytest.mark.parametrize("colour", list(RiskColour))
@pytest.mark.parametrize("purple", [False, True])
def test_management_names_its_colour_and_purple_flag(colour: RiskColour, purple: bool) -> None:
    management = management_for(str(colour), purple)  # type: ignore[arg-type]
    assert (management.colour, management.purple) == (colour, purple)
    assert management.colour is colour


LESS = RiskPolicy(hb_60=BoundaryRule.LESS_SEVERE)


def test_regrading_reads_the_record_under_the_hospitals_boundary_rule() -> None:
    # Hb exactly 60 is yellow under this policy; her clinician had judged it orange.
    before = grade(facts(hb_g_l=60.0), {"g_hb_40_60": True}, LESS)
    assert before.colour is RiskColour.ORANGE
    proposal = regrading_proposal(before, facts(hb_g_l=60.0, syphilis_positive=True), LESS)
    assert proposal is not None
    # The record's value of the Hb item is unchanged under the policy: her answer stands.
    assert (proposal.colour, proposal.purple) == (RiskColour.ORANGE, True)


def test_regrading_grades_under_the_hospitals_purple_rule() -> None:
    no_carrier_purple = RiskPolicy(hbsag_carrier_purple=False)
    before = grade(facts(), {}, no_carrier_purple)
    proposal = regrading_proposal(before, facts(hbsag_positive=True), no_carrier_purple)
    assert proposal is not None
    assert (proposal.colour, proposal.purple) == (RiskColour.YELLOW, False)


# --- suitability: rule codes of the red-flag table ---


@pytest.mark.parametrize(
    ("flags", "decision", "urgency", "named"),
    [
        (("red_flag_itching",), OnlineCare.IN_PERSON, Urgency.WITHIN_24H, ("red_flag_itching",)),
        (("red_flag_fever_felt",), OnlineCare.ALLOWED, Urgency.NONE, ()),
        (("fever", "bleeding"), OnlineCare.IN_PERSON, Urgency.EMERGENCY, ("bleeding",)),
        (
            ("red_flag_fever_felt", "itching"),
            OnlineCare.IN_PERSON,
            Urgency.WITHIN_24H,
            ("itching",),
        ),
    ],
)
def test_red_flags_by_symptom_or_rule_code(
    flags: tuple[str, ...], decision: OnlineCare, urgency: Urgency, named: tuple[str, ...]
) -> None:
    result = suitability(RiskColour.GREEN, False, flags, True)
    assert (result.decision, result.urgency, result.red_flags) == (decision, urgency, named)
