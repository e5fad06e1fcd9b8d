"""The order of one check-in's findings: the instruction she sees first.

DOMAIN.md sections 5 and 6: most severe grade first; within a grade, going in person before
anything else (an urgent "go now", an attention "be seen in person within 24 h"), so the
first finding of each group gives her the most pressing instruction.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from anyun.clinical.alarms import Finding, Grade, evaluate, group_by_grade, order_findings
from anyun.clinical.dating import GestationalAge
from anyun.clinical.red_flags import grade_symptoms
from anyun.clinical.signs import Reading, SignKind

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
GA = GestationalAge.from_weeks_days(32, 0)


def finding(rule: str, grade: Grade, action: str) -> Finding:
    return Finding(rule, grade, SignKind.SYMPTOM_REPORT, {}, action, "source", "P")


def test_most_severe_grade_first_whatever_the_actions() -> None:
    advice = finding("a", Grade.ADVICE, "seek_care_now")
    attention = finding("b", Grade.ATTENTION, "contact_clinician_24h")
    urgent = finding("c", Grade.URGENT, "contact_clinician_24h")
    assert order_findings([advice, attention, urgent]) == [urgent, attention, advice]
    assert [grade for grade, _pairs in group_by_grade((0, f) for f in (advice, urgent))] == [
        Grade.URGENT,
        Grade.ADVICE,
    ]


def test_an_action_without_a_priority_comes_after_the_known_ones_and_is_kept() -> None:
    unknown = finding("new_rule", Grade.ATTENTION, "some_later_action")
    known = finding("pulse_high", Grade.ATTENTION, "contact_clinician_24h")
    assert order_findings([unknown, known]) == [known, unknown]
    ((grade, pairs),) = group_by_grade([(1, unknown), (2, known)])
    assert (grade, pairs) == (Grade.ATTENTION, [(2, known), (1, unknown)])


def test_in_person_within_24_hours_comes_before_a_repeat_or_a_review() -> None:
    """Itching of palms and soles (cholestasis, lay lists [S]): be seen in person within 24 h.

    With a first high blood pressure in the same check-in (attention, repeat in 4 h) the
    attention instruction she sees first must be the in-person one.
    """
    reading = Reading(
        SignKind.BLOOD_PRESSURE,
        NOW,
        systolic=145,
        diastolic=92,
        symptoms=frozenset({"itching"}),
    )
    findings = evaluate(reading, history=[], ga=GA)
    findings += grade_symptoms(reading.symptoms, sign=SignKind.BLOOD_PRESSURE)
    ((grade, pairs),) = group_by_grade(("r1", f) for f in findings)
    assert grade == Grade.ATTENTION
    assert [(f.rule, f.action) for _key, f in pairs] == [
        ("red_flag_itching", "in_person_24h"),
        ("bp_high_first", "repeat_bp_4h"),
    ]
    assert [f.action for f in order_findings(findings)] == ["in_person_24h", "repeat_bp_4h"]
