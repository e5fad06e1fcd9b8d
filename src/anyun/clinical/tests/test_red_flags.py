"""Red flags of DOMAIN.md section 6 (AIM Urgent Maternal Warning Signs [V], WHO [S], lay [S])."""

from __future__ import annotations

import datetime as dt

import pytest

from anyun.clinical.alarms import Grade
from anyun.clinical.red_flags import (
    AIM_SOURCE,
    LAY_SOURCE,
    RED_FLAGS,
    SAFETY_PATHWAY_SYMPTOMS,
    WHO_SOURCE,
    FlagGroup,
    Stage,
    flag_of,
    flags_for,
    grade_symptoms,
    picker_groups,
    stage_on,
)
from anyun.clinical.signs import SYMPTOMS, SignKind, Symptom

NOW, IN_24H, MEASURE = "seek_care_now", "in_person_24h", "check_temperature"
BOTH, PREGNANT, POSTPARTUM = frozenset(Stage), {Stage.PREGNANT}, {Stage.POSTPARTUM}

# symptom -> (rule, grade, action, source, confidence, stages): the whole table, row by row.
EXPECTED = {
    "bleeding": ("red_flag_bleeding", Grade.URGENT, NOW, AIM_SOURCE, "V", PREGNANT),
    "fluid_leak": ("red_flag_fluid_leak", Grade.URGENT, NOW, AIM_SOURCE, "V", PREGNANT),
    "abdominal_pain": ("red_flag_abdominal_pain", Grade.URGENT, NOW, AIM_SOURCE, "V", BOTH),
    "chest_pain": ("red_flag_chest_pain", Grade.URGENT, NOW, AIM_SOURCE, "V", BOTH),
    "swollen_red_limb": ("red_flag_swollen_red_limb", Grade.URGENT, NOW, AIM_SOURCE, "V", BOTH),
    "headache": ("red_flag_headache", Grade.URGENT, NOW, AIM_SOURCE, "V", BOTH),
    "visual_change": ("red_flag_visual_change", Grade.URGENT, NOW, AIM_SOURCE, "V", BOTH),
    "dizziness": ("red_flag_dizziness", Grade.URGENT, NOW, AIM_SOURCE, "V", BOTH),
    "breathing_trouble": ("red_flag_breathing", Grade.URGENT, NOW, AIM_SOURCE, "V", BOTH),
    "convulsions": ("red_flag_convulsions", Grade.URGENT, NOW, WHO_SOURCE, "S", BOTH),
    "oedema": ("red_flag_swelling", Grade.URGENT, NOW, AIM_SOURCE, "V", BOTH),
    "severe_vomiting": ("red_flag_severe_vomiting", Grade.URGENT, NOW, AIM_SOURCE, "V", BOTH),
    "exhaustion": ("red_flag_exhaustion", Grade.URGENT, NOW, AIM_SOURCE, "V", BOTH),
    "fever": ("red_flag_fever_felt", Grade.ADVICE, MEASURE, AIM_SOURCE, "P", BOTH),
    "itching": ("red_flag_itching", Grade.ATTENTION, IN_24H, LAY_SOURCE, "S", PREGNANT),
    "reduced_movements": (
        "red_flag_reduced_movements",
        Grade.URGENT,
        NOW,
        AIM_SOURCE,
        "V",
        PREGNANT,
    ),
    "self_harm_thoughts": ("red_flag_self_harm", Grade.URGENT, NOW, AIM_SOURCE, "V", BOTH),
    "postpartum_bleeding": (
        "red_flag_postpartum_bleeding",
        Grade.URGENT,
        NOW,
        AIM_SOURCE,
        "V",
        POSTPARTUM,
    ),
}


@pytest.mark.parametrize("symptom", sorted(EXPECTED))
def test_every_flag_has_its_grade_action_and_source(symptom: str) -> None:
    rule, grade, action, source, confidence, stages = EXPECTED[symptom]
    (finding,) = grade_symptoms([symptom], sign=SignKind.SYMPTOM_REPORT)
    assert (finding.rule, finding.grade, finding.action) == (rule, grade, action)
    assert (finding.source, finding.confidence) == (source, confidence)
    assert (finding.sign, finding.values) == (SignKind.SYMPTOM_REPORT, {"symptom": symptom})
    flag = flag_of(symptom)
    assert flag is not None
    assert flag.stages == stages


def test_the_table_covers_every_symptom_once_and_rules_are_unique() -> None:
    assert [f.symptom for f in RED_FLAGS if f.grade is not None] != []
    assert sorted(f.symptom for f in RED_FLAGS) == sorted(SYMPTOMS)
    assert set(EXPECTED) | {"epigastric_pain"} == SYMPTOMS
    rules = [f.rule for f in RED_FLAGS if f.grade is not None]
    assert len(rules) == len(set(rules)) == len(EXPECTED)
    assert flag_of("not_a_symptom") is None


def test_codes_stored_with_earlier_readings_keep_their_rules() -> None:
    """Readings stored before the full list carry these codes; their alarms keep the rules."""
    earlier = {
        "headache": "red_flag_headache",
        "visual_change": "red_flag_visual_change",
        "oedema": "red_flag_swelling",
        "bleeding": "red_flag_bleeding",
        "fluid_leak": "red_flag_fluid_leak",
        "reduced_movements": "red_flag_reduced_movements",
        "abdominal_pain": "red_flag_abdominal_pain",
        "fever": "red_flag_fever_felt",
    }
    for symptom, rule in earlier.items():
        assert [f.rule for f in grade_symptoms([symptom], sign=SignKind.WEIGHT)] == [rule]


def test_epigastric_pain_alone_is_not_a_red_flag() -> None:
    assert grade_symptoms(["epigastric_pain"], sign=SignKind.GLUCOSE) == []
    flag = flag_of("epigastric_pain")
    assert flag is not None
    assert (flag.group, flag.grade, flag.action) == (FlagGroup.PAIN, None, None)


def test_only_thoughts_of_harm_start_the_safety_pathway() -> None:
    assert frozenset({"self_harm_thoughts"}) == SAFETY_PATHWAY_SYMPTOMS


def test_a_non_flag_or_unknown_code_before_a_red_flag_does_not_hide_it() -> None:
    findings = grade_symptoms(
        ["epigastric_pain", "unknown_code", "postpartum_bleeding"], sign=SignKind.SYMPTOM_REPORT
    )
    assert [f.rule for f in findings] == ["red_flag_postpartum_bleeding"]


def test_mixed_list_most_severe_first_then_table_order() -> None:
    findings = grade_symptoms(
        ["fever", "itching", "self_harm_thoughts", "fever", "headache"], sign=SignKind.PULSE
    )
    assert [(f.rule, f.grade) for f in findings] == [
        ("red_flag_headache", Grade.URGENT),
        ("red_flag_self_harm", Grade.URGENT),
        ("red_flag_itching", Grade.ATTENTION),
        ("red_flag_fever_felt", Grade.ADVICE),
    ]


def test_a_flag_outside_her_stage_is_still_graded() -> None:
    """The picker offers by stage; a report is never dropped for it (bleeding is bleeding)."""
    (finding,) = grade_symptoms(["bleeding"], sign=SignKind.SYMPTOM_REPORT)
    assert finding.grade == Grade.URGENT


def test_no_symptoms_no_findings() -> None:
    assert grade_symptoms([], sign=SignKind.WEIGHT) == []


# --- stage and picker ------------------------------------------------------------------


DELIVERED = dt.date(2026, 3, 10)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (DELIVERED, Stage.POSTPARTUM),  # the delivery day
        (dt.date(2026, 3, 11), Stage.POSTPARTUM),
        (dt.date(2027, 3, 10), Stage.POSTPARTUM),  # 1 year after
        (dt.date(2027, 3, 11), None),  # 1 day later
        (dt.date(2026, 3, 9), None),  # a delivery not yet happened
    ],
)
def test_postpartum_window_runs_from_delivery_to_one_year_after(
    today: dt.date, expected: Stage | None
) -> None:
    assert stage_on(today=today, pregnant=False, delivered_on=DELIVERED) == expected


def test_postpartum_window_of_a_29_february_birth_ends_on_1_march() -> None:
    born = dt.date(2028, 2, 29)
    assert stage_on(today=dt.date(2029, 3, 1), pregnant=False, delivered_on=born) == (
        Stage.POSTPARTUM
    )
    assert stage_on(today=dt.date(2029, 3, 2), pregnant=False, delivered_on=born) is None


def test_a_current_pregnancy_wins_and_no_birth_is_no_stage() -> None:
    assert stage_on(today=DELIVERED, pregnant=True, delivered_on=DELIVERED) == Stage.PREGNANT
    assert stage_on(today=DELIVERED, pregnant=True, delivered_on=None) == Stage.PREGNANT
    assert stage_on(today=DELIVERED, pregnant=False, delivered_on=None) is None


def test_pregnancy_offers_no_after_birth_flag_and_after_birth_no_pregnancy_flag() -> None:
    pregnant = {f.symptom for f in flags_for(Stage.PREGNANT)}
    after = {f.symptom for f in flags_for(Stage.POSTPARTUM)}
    assert Symptom.POSTPARTUM_BLEEDING not in pregnant
    assert {Symptom.POSTPARTUM_BLEEDING, Symptom.SELF_HARM_THOUGHTS} <= after
    assert not after & {
        Symptom.BLEEDING,
        Symptom.FLUID_LEAK,
        Symptom.REDUCED_MOVEMENTS,
        Symptom.ITCHING,
    }
    assert pregnant | after == SYMPTOMS


def test_picker_groups_in_order_without_empty_groups() -> None:
    assert picker_groups(Stage.PREGNANT) == [
        (FlagGroup.BLEEDING_FLUID, [Symptom.BLEEDING, Symptom.FLUID_LEAK]),
        (
            FlagGroup.PAIN,
            [
                Symptom.ABDOMINAL_PAIN,
                Symptom.EPIGASTRIC_PAIN,
                Symptom.CHEST_PAIN,
                Symptom.SWOLLEN_RED_LIMB,
            ],
        ),
        (
            FlagGroup.HEAD_EYES_BREATHING,
            [
                Symptom.HEADACHE,
                Symptom.VISUAL_CHANGE,
                Symptom.DIZZINESS,
                Symptom.BREATHING_TROUBLE,
                Symptom.CONVULSIONS,
            ],
        ),
        (
            FlagGroup.BODY,
            [
                Symptom.OEDEMA,
                Symptom.SEVERE_VOMITING,
                Symptom.EXHAUSTION,
                Symptom.FEVER,
                Symptom.ITCHING,
            ],
        ),
        (FlagGroup.BABY, [Symptom.REDUCED_MOVEMENTS]),
        (FlagGroup.MOOD, [Symptom.SELF_HARM_THOUGHTS]),
    ]
    groups = [group for group, _symptoms in picker_groups(Stage.POSTPARTUM)]
    assert groups == [
        FlagGroup.PAIN,
        FlagGroup.HEAD_EYES_BREATHING,
        FlagGroup.BODY,
        FlagGroup.MOOD,
        FlagGroup.AFTER_BIRTH,
    ]
