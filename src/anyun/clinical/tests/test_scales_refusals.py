"""The scales' refusals and findings in full: every error's code, field and params (the
application layer fills its messages from them), the policy's cut-off ranges at both ends,
the values each finding reports, and the wording loader's defaults and refusals."""

from __future__ import annotations

import json
from datetime import date

import pytest

from anyun.clinical.dating import GestationalAge
from anyun.clinical.errors import ClinicalValueError
from anyun.clinical.scales import (
    DEMO_SOURCE,
    DEMO_WORDING,
    SCALES,
    Instrument,
    ScalePolicy,
    ScreeningWindow,
    score,
    screening_due,
    wording_for,
    wording_parse,
)

EPDS, PHQ9, GAD7 = Instrument.EPDS, Instrument.PHQ9, Instrument.GAD7


def _refusal(call, *args: object, **kwargs: object) -> tuple[str, str | None, dict]:
    with pytest.raises(ClinicalValueError) as caught:
        call(*args, **kwargs)
    return caught.value.code, caught.value.field, caught.value.params


def _zeros(instrument: Instrument) -> dict[int, int]:
    """Options scoring 0 on every item."""
    return {item.number: item.points.index(0) for item in SCALES[instrument].items}


def _with_points(instrument: Instrument, points: dict[int, int]) -> dict[int, int]:
    return {
        **_zeros(instrument),
        **{n: SCALES[instrument].item(n).points.index(p) for n, p in points.items()},
    }


# --- policy: each cut-off's range, both ends ---

# (name, lowest accepted, highest accepted), DOMAIN.md s.7 totals: EPDS 30, PHQ-9 27, GAD-7 21.
RANGES = [
    ("epds_repeat_from", 1, 12),
    ("epds_referral_from", 11, 30),
    ("epds_repeat_after_days", 1, 27),
    ("epds_repeat_within_days", 15, 90),
    ("phq9_referral_above", 0, 26),
    ("gad7_positive_from", 1, 21),
    ("gad7_referral_above", 0, 20),
]


@pytest.mark.parametrize(("name", "low", "high"), RANGES)
def test_each_cutoff_is_accepted_at_both_ends_of_its_range(name: str, low: int, high: int) -> None:
    for value in (low, high):
        assert getattr(ScalePolicy(**{name: value}), name) == value


@pytest.mark.parametrize(
    ("name", "value", "low", "high"),
    [
        ("epds_referral_from", 0, 1, 30),
        ("epds_referral_from", 31, 1, 30),
        ("epds_repeat_from", 0, 1, 30),
        ("epds_repeat_after_days", 0, 1, 90),
        ("epds_repeat_after_days", 91, 1, 90),
        ("epds_repeat_within_days", 0, 1, 90),
        ("epds_repeat_within_days", 91, 1, 90),
        ("phq9_referral_above", -1, 0, 26),
        ("phq9_referral_above", 27, 0, 26),
        ("gad7_positive_from", 0, 1, 21),
        ("gad7_positive_from", 22, 1, 21),
        ("gad7_referral_above", -1, 0, 20),
        ("gad7_referral_above", 21, 0, 20),
    ],
)
def test_a_cutoff_outside_its_range_is_refused_naming_it_and_the_range(
    name: str, value: int, low: int, high: int
) -> None:
    assert _refusal(ScalePolicy, **{name: value}) == (
        "scale_cutoff_range",
        name,
        {"name": name, "value": str(value), "min_value": low, "max_value": high},
    )


@pytest.mark.parametrize("value", [True, 10.0, "10"])
def test_a_cutoff_that_is_not_a_whole_number_is_refused(value: object) -> None:
    code, field, params = _refusal(ScalePolicy, gad7_positive_from=value)
    assert (code, field, params["value"]) == (
        "scale_cutoff_range",
        "gad7_positive_from",
        str(value),
    )


def test_the_lowest_referral_and_repeat_window_day_leave_no_room_below_them() -> None:
    # Within range, but nothing can come before them: refused as out of order.
    assert _refusal(ScalePolicy, epds_referral_from=1)[:2] == (
        "scale_cutoff_order",
        "epds_referral_from",
    )
    assert _refusal(ScalePolicy, epds_repeat_within_days=1)[:2] == (
        "scale_cutoff_order",
        "epds_repeat_within_days",
    )


@pytest.mark.parametrize(
    ("changes", "lower", "upper"),
    [
        ({"epds_repeat_from": 13}, "epds_repeat_from", "epds_referral_from"),
        (
            {"epds_repeat_from": 14, "epds_referral_from": 12},
            "epds_repeat_from",
            "epds_referral_from",
        ),
        ({"epds_repeat_after_days": 28}, "epds_repeat_after_days", "epds_repeat_within_days"),
        (
            {"epds_repeat_after_days": 30, "epds_repeat_within_days": 20},
            "epds_repeat_after_days",
            "epds_repeat_within_days",
        ),
    ],
)
def test_cutoffs_out_of_order_are_refused_naming_both(
    changes: dict[str, int], lower: str, upper: str
) -> None:
    policy = {**ScalePolicy().__dict__, **changes}
    assert _refusal(ScalePolicy, **changes) == (
        "scale_cutoff_order",
        upper,
        {
            "lower": lower,
            "lower_value": policy[lower],
            "upper": upper,
            "upper_value": policy[upper],
        },
    )


# --- the result and its findings ---


@pytest.mark.parametrize(("instrument", "max_total"), [(EPDS, 30), (PHQ9, 27), (GAD7, 21)])
def test_the_result_names_its_scale_and_maximum(instrument: Instrument, max_total: int) -> None:
    result = score(str(instrument), _zeros(instrument))
    assert (result.instrument, result.max_total) == (instrument, max_total)


def test_epds_referral_finding_reports_total_and_cutoff() -> None:
    result = score(EPDS, _with_points(EPDS, {1: 3, 2: 3, 3: 3, 4: 3, 5: 1}))
    assert [(f.rule, f.values) for f in result.findings] == [
        ("epds_referral", {"total": 13, "cutoff": 13})
    ]


def test_epds_repeat_finding_reports_total_and_its_range() -> None:
    result = score(EPDS, _with_points(EPDS, {1: 3, 2: 3, 3: 3, 4: 2}))
    assert [(f.rule, f.values) for f in result.findings] == [
        ("epds_repeat", {"total": 11, "low": 10, "high": 12})
    ]
    policy = ScalePolicy(epds_repeat_from=8, epds_referral_from=16)
    at_top = score(EPDS, _with_points(EPDS, {1: 3, 2: 3, 3: 3, 4: 3, 5: 3}), policy=policy)
    assert at_top.findings[0].values == {"total": 15, "low": 8, "high": 15}
    assert at_top.band.code == "borderline"


def test_phq9_referral_finding_reports_total_and_cutoff() -> None:
    result = score(PHQ9, _with_points(PHQ9, {1: 3, 2: 3, 3: 3, 4: 3, 5: 3}))
    assert [(f.rule, f.values) for f in result.findings] == [
        ("phq9_referral", {"total": 15, "cutoff": 14})
    ]


def test_phq9_item_9_finding_reports_its_points_and_only_when_above_0() -> None:
    result = score(PHQ9, _with_points(PHQ9, {9: 2}))
    assert [(f.rule, f.values) for f in result.findings] == [("phq9_item_9", {"item_points": 2})]
    assert score(PHQ9, _zeros(PHQ9)).findings == ()
    high = score(PHQ9, _with_points(PHQ9, dict.fromkeys(range(1, 9), 3)))
    assert [f.rule for f in high.findings] == ["phq9_referral"]


def test_gad7_findings_report_total_and_cutoffs() -> None:
    result = score(GAD7, _with_points(GAD7, {1: 3, 2: 3, 3: 3, 4: 3, 5: 3}))
    assert [(f.rule, f.values) for f in result.findings] == [
        ("gad7_referral", {"total": 15, "cutoff": 14}),
        ("gad7_screen_positive", {"total": 15, "cutoff": 10}),
    ]


# --- answers refused: params ---


def test_unknown_scale_names_it() -> None:
    assert _refusal(score, "hads", {}) == ("scale_unknown", "instrument", {"instrument": "hads"})


def test_unknown_item_names_it_and_the_count() -> None:
    assert _refusal(score, GAD7, {**_zeros(GAD7), 8: 0}) == (
        "scale_item_unknown",
        "answers",
        {"item": "8", "item_count": 7},
    )


def test_repeated_item_names_its_field() -> None:
    pairs = [*_zeros(GAD7).items(), (4, 2)]
    assert _refusal(score, GAD7, pairs)[:2] == ("scale_item_repeated", "item_4")


def test_unknown_option_names_item_option_and_the_highest() -> None:
    assert _refusal(score, EPDS, {**_zeros(EPDS), 3: 4}) == (
        "scale_option_unknown",
        "item_3",
        {"item": 3, "option": "4", "max_option": 3},
    )


@pytest.mark.parametrize("missing", [1, 9, 10])
def test_missing_item_is_named_even_the_last(missing: int) -> None:
    answers = {n: o for n, o in _zeros(EPDS).items() if n != missing}
    assert _refusal(score, EPDS, answers) == (
        "scale_item_missing",
        f"item_{missing}",
        {"item": missing},
    )


# --- schedule ---

TODAY = date(2025, 6, 1)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, ("screening_stage_missing", "ga", {})),
        ({"postpartum_days": -1}, ("postpartum_days_negative", "postpartum_days", {})),
        (
            {"ga": GestationalAge(70), "last_done": date(2025, 6, 2)},
            ("screening_last_done_future", "last_done", {"last_done": "2025-06-02"}),
        ),
    ],
)
def test_schedule_refusals_name_their_field(kwargs: dict, expected: tuple) -> None:
    assert _refusal(screening_due, today=TODAY, **{"last_done": None, **kwargs}) == expected


def test_the_day_of_the_birth_is_accepted() -> None:
    due = screening_due(today=TODAY, last_done=None, postpartum_days=0)
    assert (due.due, due.window, due.next_due) == (False, None, date(2025, 7, 13))


def test_a_window_already_screened_is_named_with_its_opening() -> None:
    done = screening_due(today=TODAY, last_done=date(2025, 5, 20), ga=GestationalAge(87))
    assert (done.window, done.window_start) == (ScreeningWindow.FIRST_TRIMESTER, date(2025, 3, 6))
    third = screening_due(today=TODAY, last_done=date(2025, 5, 1), ga=GestationalAge(33 * 7))
    assert (third.window, third.window_start) == (
        ScreeningWindow.THIRD_TRIMESTER,
        date(2025, 4, 27),
    )


# --- wording ---


def _body(count: int = 7, **changes: object) -> dict:
    body: dict = {
        "title": "GAD-7",
        "instructions": "Past two weeks.",
        "items": [
            {"number": n, "prompt": f"Prompt {n}", "options": ["A", "B", "C", "D"]}
            for n in range(1, count + 1)
        ],
    }
    body.update(changes)
    return body


def _file(body: object, *, instrument: object = "gad7", language: str = "zh-Hans") -> str:
    return json.dumps({"instrument": instrument, "languages": {language: body}})


def _items_with(position: int, **changes: object) -> list[dict]:
    items = _body()["items"]
    items[position - 1] = {**items[position - 1], **changes}
    return items


def test_instructions_are_kept_trimmed() -> None:
    wording = wording_parse(_file(_body(instructions="  Past two weeks. ")))["zh-hans"]
    assert (wording.title, wording.instructions) == ("GAD-7", "Past two weeks.")


def test_a_file_without_a_source_names_its_scale() -> None:
    assert wording_parse(_file(_body()))["zh-hans"].source == "gad7 wording file"


def test_item_numbers_may_be_left_out() -> None:
    items = [{k: v for k, v in item.items() if k != "number"} for item in _body()["items"]]
    wording = wording_parse(_file(_body(items=items)))["zh-hans"]
    assert [item.prompt for item in wording.items] == [f"Prompt {n}" for n in range(1, 8)]


def test_not_json_gives_the_parsers_detail() -> None:
    code, field, params = _refusal(wording_parse, "{not json")
    assert (code, field) == ("scale_wording_json", "file")
    assert set(params) == {"detail"}
    assert "line 1" in str(params["detail"])


W = "languages.zh-Hans"


@pytest.mark.parametrize(
    ("text", "code", "params"),
    [
        ("[]", "scale_wording_shape", {"where": "file"}),
        (json.dumps({"languages": {}}), "scale_wording_text", {"where": "instrument"}),
        (json.dumps({"instrument": "gad7"}), "scale_wording_shape", {"where": "languages"}),
        (
            json.dumps({"instrument": "gad7", "languages": {}}),
            "scale_wording_shape",
            {"where": "languages"},
        ),
        (
            json.dumps({"instrument": "hads", "languages": {"en": {}}}),
            "scale_unknown",
            {"instrument": "hads"},
        ),
        (_file(_body(), language="中文"), "scale_wording_language", {"language": "中文"}),
        (_file([]), "scale_wording_shape", {"where": W}),
        (_file(_body(items="none")), "scale_wording_shape", {"where": f"{W}.items"}),
        (
            _file(_body(count=6)),
            "scale_wording_item_count",
            {"language": "zh-Hans", "count": 6, "expected": 7},
        ),
        (
            _file(_body(items=[*_body()["items"][:6], "x"])),
            "scale_wording_shape",
            {"where": f"{W}.items[7]"},
        ),
        (
            _file(_body(items=_items_with(2, number=5))),
            "scale_wording_item_number",
            {"language": "zh-Hans", "position": 2, "number": "5"},
        ),
        (
            _file(_body(items=_items_with(2, number=2.0))),
            "scale_wording_item_number",
            {"language": "zh-Hans", "position": 2, "number": "2.0"},
        ),
        (
            _file(_body(items=_items_with(3, options="A"))),
            "scale_wording_shape",
            {"where": f"{W}.items[3].options"},
        ),
        (
            _file(_body(items=_items_with(3, options=["A", "B", "C"]))),
            "scale_wording_option_count",
            {"language": "zh-Hans", "item": 3, "count": 3, "expected": 4},
        ),
        (
            _file(_body(items=_items_with(3, options=["A", " ", "C", "D"]))),
            "scale_wording_text",
            {"where": f"{W}.items[3].options[1]"},
        ),
        (
            _file(_body(items=_items_with(3, options=["A", ["B"], "C", "D"]))),
            "scale_wording_shape",
            {"where": f"{W}.items[3].options[1]"},
        ),
        (
            _file(_body(items=_items_with(3, options=["A", {"points": 1}, "C", "D"]))),
            "scale_wording_text",
            {"where": f"{W}.items[3].options[1].text"},
        ),
        (
            _file(_body(items=_items_with(4, prompt=""))),
            "scale_wording_text",
            {"where": f"{W}.items[4].prompt"},
        ),
        (_file(_body(title=" ")), "scale_wording_text", {"where": f"{W}.title"}),
        (_file(_body(instructions=None)), "scale_wording_text", {"where": f"{W}.instructions"}),
    ],
)
def test_bad_wording_files_say_where(text: str, code: str, params: dict) -> None:
    assert _refusal(wording_parse, text) == (code, "file", params)


def test_wording_points_that_differ_are_refused_on_the_file() -> None:
    options = [{"text": t, "points": p} for t, p in zip("ABCD", (0, 1, 2, 9), strict=True)]
    code, field, params = _refusal(
        wording_parse, _file(_body(items=_items_with(5, options=options)))
    )
    assert (code, field) == ("scale_wording_points", "file")
    assert params == {"language": "zh-Hans", "item": 5, "option": 3, "points": "9", "expected": 3}


@pytest.mark.parametrize("instrument", list(Instrument))
def test_our_wording_in_chinese_is_given_for_chinese(instrument: Instrument) -> None:
    wording = wording_for(instrument, "zh-Hans")
    assert wording is DEMO_WORDING[instrument]["zh-hans"]
    assert (wording.language, wording.source) == ("zh-hans", DEMO_SOURCE)
    assert wording_for(instrument, "en").language == "en"


@pytest.mark.parametrize("instrument", list(Instrument))
def test_our_wording_has_the_same_shape_in_both_languages(instrument: Instrument) -> None:
    en, zh = DEMO_WORDING[instrument]["en"], DEMO_WORDING[instrument]["zh-hans"]
    assert [len(i.options) for i in en.items] == [len(i.options) for i in zh.items]
    assert len(en.items) == len(zh.items) == len(SCALES[instrument].items)
    # Each language's texts are its own: no prompt or option is shared between them.
    assert not {i.prompt for i in en.items} & {i.prompt for i in zh.items}
    assert en.title != zh.title and en.instructions != zh.instructions
