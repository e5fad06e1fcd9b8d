"""Red flags of DOMAIN.md section 6 (AIM Urgent Maternal Warning Signs [V])."""

from __future__ import annotations

from anyun.clinical.alarms import Grade
from anyun.clinical.red_flags import grade_symptoms
from anyun.clinical.signs import SignKind


def test_bleeding_fluid_pain_and_fewer_movements_are_urgent() -> None:
    findings = grade_symptoms(
        ["bleeding", "fluid_leak", "abdominal_pain", "reduced_movements"], sign=SignKind.WEIGHT
    )
    assert [f.rule for f in findings] == [
        "red_flag_abdominal_pain",
        "red_flag_bleeding",
        "red_flag_fluid_leak",
        "red_flag_reduced_movements",
    ]
    assert {f.grade for f in findings} == {Grade.URGENT}
    assert {f.action for f in findings} == {"seek_care_now"}
    assert all(f.confidence == "V" and "AIM" in f.source for f in findings)


def test_a_felt_fever_asks_for_a_measurement() -> None:
    (finding,) = grade_symptoms(["fever"], sign=SignKind.PULSE)
    assert (finding.grade, finding.action) == (Grade.ADVICE, "check_temperature")


def test_headache_vision_change_and_swelling_are_red_flags_on_their_own() -> None:
    """AIM: headache that will not go, vision change, extreme swelling of hands or face [V]."""
    findings = grade_symptoms(["headache", "visual_change", "oedema"], sign=SignKind.GLUCOSE)
    assert sorted(f.rule for f in findings) == [
        "red_flag_headache",
        "red_flag_swelling",
        "red_flag_visual_change",
    ]
    assert {f.grade for f in findings} == {Grade.URGENT}


def test_epigastric_pain_alone_is_not_a_red_flag() -> None:
    assert grade_symptoms(["epigastric_pain"], sign=SignKind.GLUCOSE) == []
