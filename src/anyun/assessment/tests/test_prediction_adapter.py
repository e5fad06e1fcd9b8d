"""Disease risk prediction for a woman (FI-4): her facts from the record, the predictions and
trend warnings, the workstation page (words, sources, what to ask her) and who may open it."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from conftest import World, staff_client, woman_client, years_ago
from django.utils import timezone, translation

from anyun.assessment.prediction import (
    CONSIDER_LABELS,
    FACTOR_LABELS,
    KIND_LABELS,
    NOT_APPLICABLE_LABELS,
    predictions_for,
)
from anyun.audit.models import AuditEvent
from anyun.clinical.prediction import PredictionKind
from anyun.clinical.prediction_factors import FACTOR_CONSIDER, FACTOR_TEXT, PREDICTION_RULES
from anyun.clinical.risk_tables import Diagnosis
from anyun.monitoring.models import Reading
from anyun.pregnancy.models import Pregnancy, PregnancyOutcome, PregnancyStatus
from anyun.pregnancy.services import diagnoses_set, pregnancy_close, previous_pregnancy_add

PE, GDM, PTB = (
    PredictionKind.PRE_ECLAMPSIA,
    PredictionKind.GDM_EARLY_OGTT,
    PredictionKind.PRETERM_BIRTH,
)


def _set_age(woman: Any, years: int) -> None:
    profile = woman.woman_profile
    born = years_ago(years, days=10)
    profile.birth_date = dt.date(int(born[:4]), int(born[4:6]), int(born[6:]))
    profile.save(update_fields=["birth_date"])


def _pregnancy(woman: Any) -> Pregnancy:
    return Pregnancy.objects.get(woman=woman, status=PregnancyStatus.CURRENT)


def _bp(woman: Any, days_ago: int, systolic: int, diastolic: int) -> None:
    pregnancy = Pregnancy.objects.filter(woman=woman).order_by("-id").first()
    assert pregnancy is not None
    moment = timezone.now() - dt.timedelta(days=days_ago)
    Reading.objects.create(
        woman=woman,
        pregnancy=pregnancy,
        kind="blood_pressure",
        measured_at=moment,
        systolic=systolic,
        diastolic=diastolic,
        recorded_by=woman,
        batch=uuid.uuid4(),
    )


def _kinds(woman: Any) -> dict[str, tuple[str, ...]]:
    view = predictions_for(woman)
    return {str(p.kind): tuple(f.code for f in p.factors) for p in view.predictions}


# --- words ---


def test_every_code_the_rules_can_show_has_words() -> None:
    assert set(PredictionKind) <= KIND_LABELS.keys()
    with translation.override("en"):
        for code, text in FACTOR_TEXT.items():
            assert str(FACTOR_LABELS[code]) == text
    consider = {c for rule in PREDICTION_RULES.values() for c in rule.consider}
    consider |= {c for codes in FACTOR_CONSIDER.values() for c in codes}
    consider |= {
        "pe_aspirin_high_factor",
        "pe_aspirin_moderate_factors",
        "pe_aspirin_from_12_weeks",
        "pe_aspirin_window_open",
        "pe_aspirin_window_passed",
        "pe_aspirin_ga_unknown",
        "ptb_consider_cerclage",
        "review_bp_trend",
        "review_glucose_control",
        "review_fetal_growth",
    }
    assert consider <= CONSIDER_LABELS.keys()
    assert {"not_pregnant", "diabetes_diagnosed"} <= NOT_APPLICABLE_LABELS.keys()


# --- her facts from the record ---


@pytest.mark.django_db
def test_facts_come_from_her_record(world: World) -> None:
    woman = world.woman  # 20 weeks, born 30 years and 100 days ago (her ID number)
    Pregnancy.objects.filter(pk=_pregnancy(woman).pk).update(
        parity=1, height_cm=Decimal("160"), pre_pregnancy_weight_kg=Decimal("74")
    )
    diagnoses_set(actor=world.inside, pregnancy=_pregnancy(woman), codes=["chronic_hypertension"])
    view = predictions_for(woman)
    facts = view.facts
    assert facts is not None and facts.pregnant
    assert facts.birth_date == woman.woman_profile.birth_date
    assert (facts.height_cm, facts.pre_pregnancy_weight_kg, facts.parity) == (160.0, 74.0, 1)
    assert facts.edd == _pregnancy(woman).edd
    assert facts.diagnoses == frozenset({Diagnosis.CHRONIC_HYPERTENSION})
    found = {str(p.kind): tuple(f.code for f in p.factors) for p in view.predictions}
    # Chronic hypertension: high factor; BMI 28.9 moderate (obesity); and GDM factors.
    assert found == {
        "pre_eclampsia": ("pe_chronic_hypertension", "pe_obesity"),
        "gdm_early_ogtt": ("gdm_obesity", "gdm_chronic_hypertension"),
    }


@pytest.mark.django_db
def test_a_37_year_old_in_her_first_pregnancy_has_the_aspirin_discussion(
    make_woman: Any,
) -> None:
    woman = make_woman(pregnant_weeks=13)
    _set_age(woman, 37)
    view = predictions_for(woman)
    (pe,) = [p for p in view.predictions if p.kind is PE]
    assert [f.code for f in pe.factors] == ["pe_nulliparity", "pe_age_35"]
    assert pe.consider == (
        "pe_discuss_aspirin",
        "pe_aspirin_moderate_factors",
        "pe_aspirin_window_open",
    )
    woman.woman_profile.birth_date = None
    woman.woman_profile.save(update_fields=["birth_date"])
    assert "pre_eclampsia" not in _kinds(woman)  # age unknown: asked, one moderate left


@pytest.mark.django_db
def test_her_recorded_history_is_shown_beside_what_to_ask(world: World) -> None:
    woman = world.woman
    year = timezone.localdate().year - 3
    previous_pregnancy_add(
        actor=world.inside,
        woman=woman,
        year=year,
        outcome=PregnancyOutcome.PRETERM_BIRTH,
        gestational_weeks=33,
        complications="Pre-eclampsia, delivered by caesarean",
    )
    Pregnancy.objects.filter(pk=_pregnancy(woman).pk).update(parity=1)
    with translation.override("en"):
        view = predictions_for(woman)
    ptb = next(r for r in view.results if r.kind is PTB)
    prior = next(f for f in ptb.findings if f.code == "ptb_prior_spontaneous")
    assert prior.present is None  # spontaneous or indicated: only she and her notes can say
    assert prior.evidence["preterm_births"] == [{"year": year, "weeks": 33}]
    pe = next(r for r in view.results if r.kind is PE)
    interval = next(f for f in pe.findings if f.code == "pe_interval_10_years")
    # A birth 3 years ago: whatever its day, less than 10 years before this pregnancy.
    assert interval.present is False
    assert interval.evidence == {"last_birth_year": year, "lmp": str(_pregnancy(woman).lmp)}
    card = next(c for c in view.cards if c.kind == "preterm_birth")
    asked = {line.label: line.details for line in card.ask}
    assert asked["A previous spontaneous preterm birth"] == [
        f"Her history: preterm birth in {year} at 33 weeks"
    ]


@pytest.mark.django_db
def test_a_rising_home_bp_is_a_trend_warning(world: World) -> None:
    woman = world.woman
    for days_ago, systolic, diastolic in ((2, 126, 80), (1, 132, 84), (0, 141, 91)):
        _bp(woman, days_ago, systolic, diastolic)
    view = predictions_for(woman)
    (trend,) = [p for p in view.predictions if p.kind is PredictionKind.BP_RISING]
    assert [f.code for f in trend.factors] == ["systolic_rising", "diastolic_rising"]
    assert trend.factors[0].values["values_mmhg"] == [126, 132, 141]
    card = next(c for c in view.cards if c.kind == "bp_rising")
    assert card.fired and card.consider == [str(CONSIDER_LABELS["review_bp_trend"])]
    assert "126 → 132 → 141 mmHg" in card.factors[0].details[0]


@pytest.mark.django_db
def test_glucose_targets_apply_only_with_known_diabetes(world: World) -> None:
    woman = world.woman
    pregnancy = _pregnancy(woman)
    for days_ago in (3, 2, 1):
        Reading.objects.create(
            woman=woman,
            pregnancy=pregnancy,
            kind="glucose",
            glucose_context="fasting",
            value=Decimal("5.8"),
            measured_at=timezone.now() - dt.timedelta(days=days_ago),
            recorded_by=woman,
            batch=uuid.uuid4(),
        )
    assert "glucose_above_target" not in _kinds(woman)
    diagnoses_set(actor=world.inside, pregnancy=pregnancy, codes=["gdm"])
    found = _kinds(woman)
    assert found["glucose_above_target"] == ("glucose_days_above_target",)
    assert "gdm_early_ogtt" not in found  # diabetes known: the early test does not apply
    view = predictions_for(woman)
    gdm_card = next(c for c in view.cards if c.kind == "gdm_early_ogtt")
    assert gdm_card.note == str(NOT_APPLICABLE_LABELS["diabetes_diagnosed"])


@pytest.mark.django_db
def test_after_the_birth_no_pregnancy_rule_applies_but_the_bp_trend_does(world: World) -> None:
    woman = world.woman
    _set_age(woman, 41)
    pregnancy_close(
        actor=woman,
        pregnancy=_pregnancy(woman),
        ended_on=timezone.localdate() - dt.timedelta(days=20),
        outcome=PregnancyOutcome.TERM_BIRTH,
    )
    for days_ago, systolic in ((2, 120), (1, 127), (0, 135)):
        _bp(woman, days_ago, systolic, 80)
    view = predictions_for(woman)
    assert view.facts is not None and not view.facts.pregnant
    assert {r.not_applicable for r in view.results} == {"not_pregnant"}
    assert [str(p.kind) for p in view.predictions] == ["bp_rising"]


@pytest.mark.django_db
def test_a_woman_with_no_pregnancy_on_record_gets_no_prediction(make_woman: Any) -> None:
    view = predictions_for(make_woman())
    assert view.pregnancy is None and view.predictions == []
    assert all(not c.fired for c in view.cards)


# --- the page ---


@pytest.mark.django_db
def test_her_clinician_sees_the_page_in_chinese_and_the_read_is_audited(world: World) -> None:
    woman = world.woman
    _set_age(woman, 37)
    url = f"/assessment/women/{woman.public_id}/predictions/"
    page = staff_client(world.inside).get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-kind="pre_eclampsia"' in html and "USPSTF 2021" in html
    assert "疾病风险预测" in html  # the page title in Chinese
    assert "pe_nulliparity" not in html and "pe_discuss_aspirin" not in html  # no raw codes
    event = AuditEvent.objects.filter(actor=world.inside, action="read", object_type="woman")
    row = event.latest("occurred_at")
    assert row.detail["view"] == "disease_risk_predictions"
    assert row.detail["fired"] == ["pre_eclampsia"]
    assert row.subject_id == woman.pk


@pytest.mark.django_db
def test_the_page_in_english_lists_factors_consider_and_ask_her(world: World) -> None:
    woman = world.woman
    _set_age(woman, 37)
    url = f"/assessment/women/{woman.public_id}/predictions/"
    html = staff_client(world.inside).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Pre-eclampsia risk" in html
    assert "First birth (nulliparous)" in html and "Age 37" in html
    assert "Discuss low-dose aspirin" in html
    assert "Ask her" in html and "Kidney disease" in html


@pytest.mark.django_db
def test_only_her_care_team_may_open_it(world: World) -> None:
    url = f"/assessment/women/{world.woman.public_id}/predictions/"
    assert staff_client(world.outside).get(url).status_code == 404
    assert (
        staff_client(world.inside).get(f"/assessment/women/{uuid.uuid4()}/predictions/").status_code
        == 404
    )
    assert woman_client(world.woman).get(url).status_code == 404
    assert staff_client(world.pharmacist).get(url).status_code == 404
    assert not AuditEvent.objects.filter(
        actor=world.outside, detail__view="disease_risk_predictions"
    ).exists()


@pytest.mark.django_db
def test_her_overview_links_to_the_prediction_page(world: World) -> None:
    overview = staff_client(world.inside).get(f"/clinic/patients/{world.woman.public_id}/")
    url = f"/assessment/women/{world.woman.public_id}/predictions/"
    assert f'href="{url}" data-testid="predictions-link"' in overview.content.decode()
