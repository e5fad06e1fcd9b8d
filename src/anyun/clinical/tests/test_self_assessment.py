"""The self-assessment's rules: the two-question mood screen (Whooley 1997; NICE CG192) and
the lifestyle answers the care team advises on (WHO 2016, 2013, 2020)."""

from __future__ import annotations

import pytest

from anyun.clinical.scales import Instrument
from anyun.clinical.self_assessment import (
    ACTIVITY_MINUTES_WEEKLY,
    Alcohol,
    Smoking,
    lifestyle_findings,
    mood_screen,
)


@pytest.mark.parametrize(
    ("low", "interest", "positive"),
    [(False, False, False), (True, False, True), (False, True, True), (True, True, True)],
)
def test_a_yes_to_either_mood_question_is_positive_and_offers_the_scales(
    low: bool, interest: bool, positive: bool
) -> None:
    screen = mood_screen(low_mood=low, little_interest=interest)
    assert screen.positive is positive
    assert screen.offer == ((Instrument.EPDS, Instrument.PHQ9) if positive else ())
    assert "Whooley" in screen.source and "NICE CG192" in screen.source


def test_nothing_to_advise_on_gives_no_finding() -> None:
    assert (
        lifestyle_findings(
            smoking=Smoking.NEVER,
            alcohol=Alcohol.NONE,
            second_hand_smoke=False,
            activity_minutes_week=ACTIVITY_MINUTES_WEEKLY,
        )
        == ()
    )
    assert (
        lifestyle_findings(
            smoking=None, alcohol=None, second_hand_smoke=None, activity_minutes_week=None
        )
        == ()
    )


@pytest.mark.parametrize("smoking", [Smoking.STOPPED_BEFORE, Smoking.STOPPED_NOW])
def test_having_stopped_smoking_is_no_finding(smoking: Smoking) -> None:
    assert not lifestyle_findings(
        smoking=smoking, alcohol=None, second_hand_smoke=None, activity_minutes_week=None
    )


def test_each_answer_to_advise_on_is_a_finding_with_its_source() -> None:
    found = lifestyle_findings(
        smoking="smokes",
        alcohol="sometimes",
        second_hand_smoke=True,
        activity_minutes_week=ACTIVITY_MINUTES_WEEKLY - 1,
    )
    assert [f.code for f in found] == ["smoking", "alcohol", "second_hand_smoke", "activity_low"]
    assert all(f.source.startswith("WHO") for f in found)
    assert "2020" in found[3].source


def test_an_unknown_answer_is_refused() -> None:
    with pytest.raises(ValueError):
        lifestyle_findings(
            smoking="cigars", alcohol=None, second_hand_smoke=None, activity_minutes_week=None
        )
