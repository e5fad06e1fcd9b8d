"""EPDS, PHQ-9 and GAD-7 against DOMAIN.md section 7: option points, bands, follow-up, the
safety items, the schedule and the hospital's wording file."""

from __future__ import annotations

import json
from datetime import date

import pytest

from anyun.clinical.dating import GestationalAge
from anyun.clinical.errors import ClinicalValueError
from anyun.clinical.scales import (
    DEMO_WORDING,
    RULE_SOURCES,
    SCALES,
    FollowUp,
    Instrument,
    ScalePolicy,
    ScaleSafetyTrigger,
    ScreeningWindow,
    repeat_window,
    score,
    screening_due,
    wording_for,
    wording_parse,
)

EPDS, PHQ9, GAD7 = Instrument.EPDS, Instrument.PHQ9, Instrument.GAD7

# DOMAIN.md s.7: EPDS items 1, 2, 4 score 0..3 top-down; 3 and 5-10 score 3..0.
EPDS_POINTS_BY_OPTION = {
    1: (0, 1, 2, 3),
    2: (0, 1, 2, 3),
    3: (3, 2, 1, 0),
    4: (0, 1, 2, 3),
    5: (3, 2, 1, 0),
    6: (3, 2, 1, 0),
    7: (3, 2, 1, 0),
    8: (3, 2, 1, 0),
    9: (3, 2, 1, 0),
    10: (3, 2, 1, 0),
}


def _option_for(instrument: Instrument, item: int, points: int) -> int:
    return SCALES[instrument].item(item).points.index(points)


def _answers(instrument: Instrument, points: dict[int, int] | None = None) -> dict[int, int]:
    """Options giving `points` per item (0 for items not named)."""
    points = points or {}
    return {
        item.number: _option_for(instrument, item.number, points.get(item.number, 0))
        for item in SCALES[instrument].items
    }


def _answers_totalling(instrument: Instrument, total: int, *, spare: int | None = None) -> dict:
    """Options totalling `total`, filled from item 1, leaving item `spare` at 0."""
    left, points = total, {}
    for item in SCALES[instrument].items:
        if item.number == spare:
            continue
        points[item.number] = min(3, left)
        left -= points[item.number]
    assert left == 0
    return _answers(instrument, points)


def _epds(total: int) -> dict[int, int]:
    return _answers_totalling(EPDS, total, spare=10)


# --- structure ---


@pytest.mark.parametrize(("item", "points"), EPDS_POINTS_BY_OPTION.items())
def test_epds_option_points_per_item(item: int, points: tuple[int, ...]) -> None:
    assert SCALES[EPDS].item(item).points == points
    for option, expected in enumerate(points):
        result = score(EPDS, {**_answers(EPDS), item: option})
        assert result.points[item - 1] == expected
        assert result.total == expected


@pytest.mark.parametrize(
    ("instrument", "items", "recall_days", "max_total"),
    [(EPDS, 10, 7, 30), (PHQ9, 9, 14, 27), (GAD7, 7, 14, 21)],
)
def test_structure(instrument: Instrument, items: int, recall_days: int, max_total: int) -> None:
    scale = SCALES[instrument]
    assert len(scale.items) == items
    assert [item.number for item in scale.items] == list(range(1, items + 1))
    assert scale.recall_days == recall_days
    assert scale.max_total == max_total


@pytest.mark.parametrize("instrument", [PHQ9, GAD7])
def test_phq9_and_gad7_options_score_0_to_3_top_down(instrument: Instrument) -> None:
    for item in SCALES[instrument].items:
        assert item.points == (0, 1, 2, 3)
        for option in range(4):
            assert score(instrument, {**_answers(instrument), item.number: option}).total == option


def test_every_rule_has_a_source_and_mark() -> None:
    assert all(mark in {"V", "S", "P"} and source for source, mark in RULE_SOURCES.values())


# --- EPDS ---


@pytest.mark.parametrize(
    ("total", "band", "follow_up", "repeat"),
    [
        (0, "below_cutoff", FollowUp.ROUTINE, None),
        (9, "below_cutoff", FollowUp.ROUTINE, None),
        (10, "borderline", FollowUp.REPEAT, (14, 28)),
        (12, "borderline", FollowUp.REPEAT, (14, 28)),
        (13, "above_cutoff", FollowUp.REFERRAL, None),
        (27, "above_cutoff", FollowUp.REFERRAL, None),
    ],
)
def test_epds_band_edges(
    total: int, band: str, follow_up: FollowUp, repeat: tuple[int, int] | None
) -> None:
    result = score(EPDS, _epds(total))
    assert (result.total, result.band.code, result.follow_up) == (total, band, follow_up)
    assert result.repeat_within_days == repeat
    assert result.safety_trigger is None
    assert result.screen_positive is (total >= 10)


def test_epds_maximum_total_is_30() -> None:
    assert score(EPDS, _answers(EPDS, dict.fromkeys(range(1, 11), 3))).total == 30


@pytest.mark.parametrize("item_points", [1, 2, 3])
def test_epds_item_10_above_0_refers_and_starts_the_safety_pathway(item_points: int) -> None:
    result = score(EPDS, _answers(EPDS, {10: item_points}))
    assert result.total == item_points
    assert result.band.code == "below_cutoff"
    assert result.follow_up is FollowUp.REFERRAL
    assert result.safety_trigger is ScaleSafetyTrigger.EPDS_ITEM_10
    assert str(result.safety_trigger) == "epds_item_10"
    assert [f.rule for f in result.findings] == ["epds_item_10"]
    assert result.findings[0].values == {"item_points": item_points}
    assert (result.findings[0].source, result.findings[0].confidence) == (
        "孕产妇心理健康管理专家共识 (2019)",
        "S",
    )


def test_epds_item_10_first_option_is_the_most_points() -> None:
    # In the original layout item 10's first option ("yes, quite often") scores 3.
    result = score(EPDS, {**_answers(EPDS), 10: 0})
    assert result.points[9] == 3
    assert result.safety_trigger is ScaleSafetyTrigger.EPDS_ITEM_10
    assert score(EPDS, {**_answers(EPDS), 10: 3}).safety_trigger is None


def test_epds_borderline_with_item_10_is_a_referral() -> None:
    answers = {**_epds(9), 10: _option_for(EPDS, 10, 1)}
    result = score(EPDS, answers)
    assert result.total == 10
    assert result.follow_up is FollowUp.REFERRAL
    assert [f.rule for f in result.findings] == ["epds_repeat", "epds_item_10"]
    assert result.repeat_within_days is None


def test_epds_cutoffs_configurable() -> None:
    policy = ScalePolicy(epds_referral_from=11, epds_repeat_from=9, epds_repeat_within_days=21)
    assert score(EPDS, _epds(8), policy=policy).follow_up is FollowUp.ROUTINE
    repeat = score(EPDS, _epds(9), policy=policy)
    assert (repeat.follow_up, repeat.band.code, repeat.repeat_within_days) == (
        FollowUp.REPEAT,
        "borderline",
        (14, 21),
    )
    assert score(EPDS, _epds(11), policy=policy).follow_up is FollowUp.REFERRAL


def test_repeat_window_dates() -> None:
    assert repeat_window(score(EPDS, _epds(11)), date(2025, 3, 1)) == (
        date(2025, 3, 15),
        date(2025, 3, 29),
    )
    assert repeat_window(score(EPDS, _epds(13)), date(2025, 3, 1)) is None


# --- PHQ-9 ---


@pytest.mark.parametrize(
    ("total", "band", "follow_up"),
    [
        (0, "minimal", FollowUp.ROUTINE),
        (4, "minimal", FollowUp.ROUTINE),
        (5, "mild", FollowUp.ROUTINE),
        (9, "mild", FollowUp.ROUTINE),
        (10, "moderate", FollowUp.ROUTINE),
        (14, "moderate", FollowUp.ROUTINE),
        (15, "moderately_severe", FollowUp.REFERRAL),
        (19, "moderately_severe", FollowUp.REFERRAL),
        (20, "severe", FollowUp.REFERRAL),
        (24, "severe", FollowUp.REFERRAL),
    ],
)
def test_phq9_band_edges(total: int, band: str, follow_up: FollowUp) -> None:
    result = score(PHQ9, _answers_totalling(PHQ9, total, spare=9))
    assert (result.total, result.band.code, result.follow_up) == (total, band, follow_up)
    assert result.safety_trigger is None


def test_phq9_maximum_is_severe_with_the_safety_trigger() -> None:
    result = score(PHQ9, _answers(PHQ9, dict.fromkeys(range(1, 10), 3)))
    assert (result.total, result.band.code) == (27, "severe")
    assert result.safety_trigger is ScaleSafetyTrigger.PHQ9_ITEM_9


@pytest.mark.parametrize("item_points", [1, 2, 3])
def test_phq9_item_9_above_0_starts_the_safety_pathway(item_points: int) -> None:
    result = score(PHQ9, _answers(PHQ9, {9: item_points}))
    assert result.safety_trigger is ScaleSafetyTrigger.PHQ9_ITEM_9
    assert str(result.safety_trigger) == "phq9_item_9"
    assert result.follow_up is FollowUp.ROUTINE  # the referral follows the total
    assert [f.rule for f in result.findings] == ["phq9_item_9"]
    assert result.screen_positive is True


def test_phq9_other_items_do_not_trigger() -> None:
    result = score(PHQ9, _answers(PHQ9, dict.fromkeys(range(1, 9), 3)))
    assert (result.total, result.safety_trigger) == (24, None)


def test_phq9_cutoff_configurable() -> None:
    policy = ScalePolicy(phq9_referral_above=9)
    assert score(PHQ9, _answers_totalling(PHQ9, 9, spare=9), policy=policy).follow_up is (
        FollowUp.ROUTINE
    )
    assert score(PHQ9, _answers_totalling(PHQ9, 10, spare=9), policy=policy).follow_up is (
        FollowUp.REFERRAL
    )


# --- GAD-7 ---


@pytest.mark.parametrize(
    ("total", "band", "positive", "follow_up"),
    [
        (0, "minimal", False, FollowUp.ROUTINE),
        (4, "minimal", False, FollowUp.ROUTINE),
        (5, "mild", False, FollowUp.ROUTINE),
        (9, "mild", False, FollowUp.ROUTINE),
        (10, "moderate", True, FollowUp.ROUTINE),
        (14, "moderate", True, FollowUp.ROUTINE),
        (15, "severe", True, FollowUp.REFERRAL),
        (21, "severe", True, FollowUp.REFERRAL),
    ],
)
def test_gad7_band_edges(total: int, band: str, positive: bool, follow_up: FollowUp) -> None:
    result = score(GAD7, _answers_totalling(GAD7, total))
    assert (result.total, result.band.code) == (total, band)
    assert (result.screen_positive, result.follow_up) == (positive, follow_up)
    assert result.safety_trigger is None


# --- answers refused ---


@pytest.mark.parametrize(
    ("answers", "code", "field"),
    [
        ({**_answers(EPDS), 11: 0}, "scale_item_unknown", "answers"),
        ({**_answers(EPDS), 0: 0}, "scale_item_unknown", "answers"),
        ({**_answers(EPDS), 3: 4}, "scale_option_unknown", "item_3"),
        ({**_answers(EPDS), 3: -1}, "scale_option_unknown", "item_3"),
        ({**_answers(EPDS), 3: True}, "scale_option_unknown", "item_3"),
        ({**_answers(EPDS), 3: 1.0}, "scale_option_unknown", "item_3"),
        ({k: v for k, v in _answers(EPDS).items() if k != 7}, "scale_item_missing", "item_7"),
        ({}, "scale_item_missing", "item_1"),
    ],
)
def test_answers_refused(answers: dict, code: str, field: str) -> None:
    with pytest.raises(ClinicalValueError) as caught:
        score(EPDS, answers)
    assert (caught.value.code, caught.value.field) == (code, field)


def test_an_item_answered_twice_is_refused() -> None:
    pairs = [*_answers(GAD7).items(), (4, 2)]
    with pytest.raises(ClinicalValueError) as caught:
        score(GAD7, pairs)
    assert (caught.value.code, caught.value.params) == ("scale_item_repeated", {"item": 4})


def test_pairs_are_accepted() -> None:
    assert score(GAD7, [(n, 1) for n in range(1, 8)]).total == 7


def test_unknown_scale_refused() -> None:
    with pytest.raises(ClinicalValueError) as caught:
        score("hads", {})
    assert caught.value.code == "scale_unknown"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"epds_referral_from": 31}, "scale_cutoff_range"),
        ({"phq9_referral_above": 27}, "scale_cutoff_range"),
        ({"gad7_positive_from": 0}, "scale_cutoff_range"),
        ({"epds_repeat_from": 13}, "scale_cutoff_order"),
        ({"epds_repeat_after_days": 28}, "scale_cutoff_order"),
    ],
)
def test_policy_refused(changes: dict[str, int], code: str) -> None:
    with pytest.raises(ClinicalValueError) as caught:
        ScalePolicy(**changes)
    assert caught.value.code == code


# --- schedule ---

TODAY = date(2025, 6, 1)


def _ga(weeks: int, days: int = 0) -> GestationalAge:
    return GestationalAge.from_weeks_days(weeks, days)


def test_due_when_never_screened() -> None:
    due = screening_due(today=TODAY, last_done=None, ga=_ga(8))
    assert (due.due, due.window, due.window_start) == (
        True,
        ScreeningWindow.FIRST_TRIMESTER,
        date(2025, 4, 6),
    )


def test_done_in_this_trimester_next_due_at_the_next() -> None:
    due = screening_due(today=TODAY, last_done=date(2025, 5, 20), ga=_ga(12, 3))
    # 14+0 is 11 days after 12+3.
    assert (due.due, due.next_due) == (False, date(2025, 6, 12))


def test_screening_in_the_previous_trimester_does_not_count() -> None:
    # 14+0 was yesterday; the screening two days ago was in the first trimester.
    due = screening_due(today=TODAY, last_done=date(2025, 5, 30), ga=_ga(14, 1))
    assert (due.due, due.window, due.window_start) == (
        True,
        ScreeningWindow.SECOND_TRIMESTER,
        date(2025, 5, 31),
    )
    on_the_day = screening_due(today=TODAY, last_done=date(2025, 5, 31), ga=_ga(14, 1))
    assert (on_the_day.due, on_the_day.next_due) == (False, date(2025, 9, 6))  # 28+0


def test_third_trimester_done_next_is_after_the_birth() -> None:
    due = screening_due(today=TODAY, last_done=date(2025, 5, 1), ga=_ga(33))
    assert (due.due, due.window, due.next_due) == (False, ScreeningWindow.THIRD_TRIMESTER, None)
    assert screening_due(today=TODAY, last_done=date(2025, 5, 1), ga=_ga(28)).due is True


def test_postpartum_due_from_day_42() -> None:
    before = screening_due(today=TODAY, last_done=date(2025, 5, 1), postpartum_days=41)
    assert (before.due, before.next_due) == (False, date(2025, 6, 2))
    on_42 = screening_due(today=TODAY, last_done=date(2025, 5, 30), postpartum_days=42)
    assert (on_42.due, on_42.window, on_42.window_start) == (
        True,
        ScreeningWindow.POSTPARTUM_42_DAYS,
        TODAY,
    )
    done = screening_due(today=TODAY, last_done=TODAY, postpartum_days=42)
    assert (done.due, done.next_due) == (False, None)
    late = screening_due(today=TODAY, last_done=None, postpartum_days=60)
    assert late.due is True


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({}, "screening_stage_missing"),
        ({"ga": GestationalAge(70), "postpartum_days": 3}, "screening_stage_missing"),
        ({"postpartum_days": -1}, "postpartum_days_negative"),
        ({"ga": GestationalAge(70), "last_done": date(2025, 6, 2)}, "screening_last_done_future"),
    ],
)
def test_schedule_refusals(kwargs: dict, code: str) -> None:
    kwargs = {"last_done": None, **kwargs}
    with pytest.raises(ClinicalValueError) as caught:
        screening_due(today=TODAY, **kwargs)
    assert caught.value.code == code


# --- wording ---


@pytest.mark.parametrize("instrument", list(Instrument))
def test_demonstration_wording_fits_every_scale(instrument: Instrument) -> None:
    scale = SCALES[instrument]
    assert set(DEMO_WORDING[instrument]) == {"en", "zh-hans"}
    for wording in DEMO_WORDING[instrument].values():
        assert wording.demonstration is True
        assert wording.instrument is instrument
        assert len(wording.items) == len(scale.items)
        assert all(
            len(w.options) == len(i.points) for w, i in zip(wording.items, scale.items, strict=True)
        )
        assert all(w.prompt and all(w.options) for w in wording.items)


def _file(instrument: str = "gad7", **language: object) -> str:
    body = {
        "title": "GAD-7 (validated)",
        "instructions": "Past two weeks.",
        "items": [
            {"number": n, "prompt": f"Prompt {n}", "options": ["A", "B", "C", "D"]}
            for n in range(1, 8)
        ],
    }
    body.update(language)
    return json.dumps({"instrument": instrument, "languages": {"zh-Hans": body, "en": body}})


def test_wording_file_loaded_per_language() -> None:
    loaded = wording_parse(_file(), source="hospital GAD-7 v2")
    assert set(loaded) == {"zh-hans", "en"}
    wording = loaded["zh-hans"]
    assert (wording.instrument, wording.language, wording.demonstration) == (GAD7, "zh-hans", False)
    assert wording.items[3].prompt == "Prompt 4"
    assert wording.items[3].options == ("A", "B", "C", "D")
    assert wording.source == "hospital GAD-7 v2"
    assert wording_for(GAD7, "zh-hans", loaded=loaded) is wording
    # Another language falls back to ours, marked for demonstration.
    assert wording_for(GAD7, "fr", loaded=loaded) is DEMO_WORDING[GAD7]["en"]
    assert wording_for(GAD7, "zh-Hans").demonstration is True


def test_wording_does_not_change_the_scoring() -> None:
    before = score(EPDS, _epds(11))
    items = [
        {
            "number": n,
            "prompt": f"P{n}",
            "options": [
                {"text": t, "points": p}
                for t, p in zip("ABCD", EPDS_POINTS_BY_OPTION[n], strict=True)
            ],
        }
        for n in range(1, 11)
    ]
    loaded = wording_parse(_file("epds", items=items, title="EPDS"))
    assert loaded["en"].items[2].options == ("A", "B", "C", "D")
    assert score(EPDS, _epds(11)) == before


def _items(count: int = 7, options: int = 4) -> list[dict]:
    return [
        {"number": n, "prompt": f"P{n}", "options": ["x"] * options} for n in range(1, count + 1)
    ]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("{not json", "scale_wording_json"),
        (b"\xff\xfe", "scale_wording_json"),
        ("[]", "scale_wording_shape"),
        (json.dumps({"instrument": "gad7", "languages": {}}), "scale_wording_shape"),
        (json.dumps({"instrument": "hads", "languages": {"en": {}}}), "scale_unknown"),
        (json.dumps({"languages": {"en": {}}}), "scale_wording_text"),
        (_file(items=_items(6)), "scale_wording_item_count"),
        (_file(items=_items(options=3)), "scale_wording_option_count"),
        (_file(items="none"), "scale_wording_shape"),
        (
            _file(items=[{**item, "number": 8 - item["number"]} for item in _items()]),
            "scale_wording_item_number",
        ),
        (_file(items=[{**item, "prompt": " "} for item in _items()]), "scale_wording_text"),
        (
            _file(items=[{**item, "options": ["a", "b", "c", 4]} for item in _items()]),
            "scale_wording_shape",
        ),
        (_file(title=""), "scale_wording_text"),
        (json.dumps({"instrument": "gad7", "languages": {"中文": {}}}), "scale_wording_language"),
    ],
)
def test_bad_wording_files_refused(text: str | bytes, code: str) -> None:
    with pytest.raises(ClinicalValueError) as caught:
        wording_parse(text)
    assert (caught.value.code, caught.value.field) == (code, "file")


def test_wording_with_options_in_another_order_is_refused() -> None:
    items = [
        {
            "number": n,
            "prompt": f"P{n}",
            "options": [
                {"text": t, "points": p} for t, p in zip("ABCD", (0, 1, 2, 3), strict=True)
            ],
        }
        for n in range(1, 11)
    ]
    with pytest.raises(ClinicalValueError) as caught:
        wording_parse(_file("epds", items=items))
    assert caught.value.code == "scale_wording_points"
    assert caught.value.params == {
        "language": "zh-Hans",
        "item": 3,
        "option": 0,
        "points": "0",
        "expected": 3,
    }
