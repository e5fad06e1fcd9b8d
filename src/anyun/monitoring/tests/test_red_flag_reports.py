"""Every red flag of DOMAIN.md section 6, reported in a check-in or alone, raises its alarm; the
after-birth flags are heard from the delivery day to a year after."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from anyun.clinical.red_flags import RED_FLAGS
from anyun.core.errors import DomainError
from anyun.monitoring import selectors
from anyun.monitoring.messages import ACTION_TEXT, RULE_LABELS, SYMPTOM_GROUP_LABELS, SYMPTOM_LABELS
from anyun.monitoring.models import Alarm
from anyun.monitoring.tests.conftest import Ward
from anyun.pregnancy.selectors import current_pregnancy_of
from anyun.pregnancy.services import pregnancy_close

pytestmark = pytest.mark.django_db

# New in the full list: symptom -> (rule, grade). Thoughts of harm take the safety pathway.
NEW_FLAGS = {
    "dizziness": ("red_flag_dizziness", "urgent"),
    "breathing_trouble": ("red_flag_breathing", "urgent"),
    "chest_pain": ("red_flag_chest_pain", "urgent"),
    "severe_vomiting": ("red_flag_severe_vomiting", "urgent"),
    "swollen_red_limb": ("red_flag_swollen_red_limb", "urgent"),
    "exhaustion": ("red_flag_exhaustion", "urgent"),
    "convulsions": ("red_flag_convulsions", "urgent"),
    "itching": ("red_flag_itching", "attention"),
    "self_harm_thoughts": ("safety_pathway", "urgent"),
}


def rules_of(alarm: Alarm) -> list[str]:
    """The rules an alarm stands for (a grouped alarm lists each finding)."""
    findings = getattr(alarm, "findings", None)
    return [f["rule"] for f in findings] if findings else [alarm.rule]


def raised(alarms: list[Alarm]) -> set[tuple[str, str]]:
    return {(rule, a.grade) for a in alarms for rule in rules_of(a)}


@pytest.mark.parametrize("symptom", sorted(NEW_FLAGS))
def test_each_new_flag_in_a_check_in_raises_its_alarm_routed_to_her_clinician(
    ward: Ward, record: Any, symptom: str
) -> None:
    result = record({"kind": "weight", "value": 62, "symptoms": [symptom]})
    assert NEW_FLAGS[symptom] in raised(result.alarms)
    (alarm,) = [a for a in result.alarms if NEW_FLAGS[symptom][0] in rules_of(a)]
    assert alarm.assigned_to == ward.responsible
    assert (alarm.escalate_at is not None) == (alarm.grade == "urgent")


@pytest.mark.parametrize("symptom", sorted(NEW_FLAGS))
def test_each_new_flag_in_a_symptom_only_report_raises_its_alarm(
    ward: Ward, record: Any, symptom: str
) -> None:
    result = record({"kind": "symptom_report", "symptoms": [symptom]})
    assert NEW_FLAGS[symptom] in raised(result.alarms)
    assert result.highest_grade == NEW_FLAGS[symptom][1]


def test_a_non_flag_ticked_first_does_not_hide_the_red_flag(ward: Ward, record: Any) -> None:
    result = record({"kind": "symptom_report", "symptoms": ["epigastric_pain", "convulsions"]})
    assert raised(result.alarms) == {("red_flag_convulsions", "urgent")}


def test_thoughts_of_harm_raise_one_alarm_the_safety_pathway(ward: Ward, record: Any) -> None:
    result = record({"kind": "symptom_report", "symptoms": ["self_harm_thoughts"]})
    assert [rules_of(a) for a in result.alarms] == [["safety_pathway"]]


def test_every_flag_has_words_for_her_and_a_label_for_the_clinician() -> None:
    for flag in RED_FLAGS:
        assert flag.symptom in SYMPTOM_LABELS
        assert flag.group in SYMPTOM_GROUP_LABELS
        if flag.grade is not None:
            assert flag.rule in RULE_LABELS
            assert flag.action in ACTION_TEXT
    assert "safety_pathway" in RULE_LABELS


# --- after the birth ---------------------------------------------------------------------


def _delivered(ward: Ward, *, days_ago: int) -> None:
    pregnancy = current_pregnancy_of(ward.woman)
    assert pregnancy is not None
    pregnancy_close(
        actor=ward.woman,
        pregnancy=pregnancy,
        ended_on=timezone.localdate() - dt.timedelta(days=days_ago),
        outcome="term_birth",
    )


def test_heavy_bleeding_after_birth_is_heard_from_the_delivery_day(ward: Ward, record: Any) -> None:
    _delivered(ward, days_ago=0)
    assert selectors.stage_of(ward.woman) == "postpartum"
    result = record({"kind": "symptom_report", "symptoms": ["postpartum_bleeding"]})
    assert raised(result.alarms) == {("red_flag_postpartum_bleeding", "urgent")}
    assert result.readings[0].pregnancy.status == "ended"
    assert result.alarms[0].assigned_to == ward.responsible


def test_after_birth_she_records_her_blood_pressure_but_not_the_babys_signs(
    ward: Ward, record: Any
) -> None:
    _delivered(ward, days_ago=10)
    assert record({"kind": "blood_pressure", "systolic": 120, "diastolic": 80}).readings
    with pytest.raises(DomainError) as refused:
        record({"kind": "fetal_heart_rate", "value": 140})
    assert (refused.value.code, refused.value.field) == ("sign_not_after_birth", "items.0.kind")


def test_the_after_birth_window_ends_a_year_after(
    ward: Ward, record: Any, time_machine: Any
) -> None:
    _delivered(ward, days_ago=0)
    born = timezone.localdate()
    noon = dt.datetime.combine(born.replace(year=born.year + 1), dt.time(12))
    time_machine.move_to(timezone.make_aware(noon), tick=False)
    assert selectors.stage_of(ward.woman) == "postpartum"
    assert record({"kind": "symptom_report", "symptoms": ["postpartum_bleeding"]}).alarms
    time_machine.move_to(timezone.make_aware(noon + dt.timedelta(days=1)), tick=False)
    assert selectors.stage_of(ward.woman) is None
    with pytest.raises(DomainError) as refused:
        record({"kind": "symptom_report", "symptoms": ["postpartum_bleeding"]})
    assert refused.value.code == "pregnancy_required"


def test_a_miscarriage_is_not_a_birth(ward: Ward) -> None:
    pregnancy = current_pregnancy_of(ward.woman)
    assert pregnancy is not None
    pregnancy_close(
        actor=ward.woman, pregnancy=pregnancy, ended_on=timezone.localdate(), outcome="miscarriage"
    )
    assert selectors.stage_of(ward.woman) is None
