"""Mental-health screening scales: EPDS, PHQ-9 and GAD-7, their scoring, follow-up and schedule.

Source: DOMAIN.md section 7 (FA-6, IMP-3a). Each scale is structure and scoring only: every
option carries its own points in the order the original lays the options out (EPDS items 1, 2
and 4 score 0..3 top-down, items 3 and 5-10 score 3..0), so no item has a "reverse" flag and a
form that shows the options in order cannot score one backwards. The band, the follow-up and the
safety trigger of a result each come from a rule listed with its source and mark
(:data:`RULE_SOURCES`). The cut-offs that DOMAIN.md gives from the 2019 Chinese consensus
(孕产妇心理健康管理专家共识 2019) [S] are hospital-configurable through :class:`ScalePolicy`.

Item wording: the validated translations belong to their publishers (EPDS (c) Royal College
of Psychiatrists; PHQ-9 and GAD-7 free to use). :data:`DEMO_WORDING` holds prompts written in
our own words, in English and Simplified Chinese, marked for demonstration; a hospital loads
its validated wording per language with :func:`wording_parse`, which checks the text fits the
scale (items, options, and the points when the file states them) and never changes scoring.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Final, Literal

from anyun.clinical.dating import (
    SECOND_TRIMESTER_START,
    THIRD_TRIMESTER_START,
    GestationalAge,
)
from anyun.clinical.errors import clinical_error

__all__ = [
    "CONSENSUS_2019",
    "DEFAULT_SCALE_POLICY",
    "DEMO_WORDING",
    "RULE_SOURCES",
    "SCALES",
    "Band",
    "Confidence",
    "FollowUp",
    "Instrument",
    "Item",
    "ItemWording",
    "Scale",
    "ScaleFinding",
    "ScalePolicy",
    "ScaleResult",
    "ScaleSafetyTrigger",
    "ScaleWording",
    "ScreeningDue",
    "ScreeningWindow",
    "repeat_window",
    "score",
    "screening_due",
    "wording_for",
    "wording_parse",
]

Confidence = Literal["V", "S", "P"]

CONSENSUS_2019: Final = "孕产妇心理健康管理专家共识 (2019)"
EPDS_SOURCE: Final = "Edinburgh Postnatal Depression Scale (Cox, Holden, Sagovsky 1987)"
PHQ9_SOURCE: Final = "Patient Health Questionnaire-9 (PHQ-9)"
GAD7_SOURCE: Final = "Generalized Anxiety Disorder-7 (GAD-7)"
DEMO_SOURCE: Final = "Anyun demonstration wording (not the validated text)"


class Instrument(StrEnum):
    EPDS = "epds"
    PHQ9 = "phq9"
    GAD7 = "gad7"


class ScaleSafetyTrigger(StrEnum):
    """The safety pathway's trigger codes, the same strings as
    ``anyun.monitoring.services.safety.SafetyTrigger`` (pass ``str(trigger)`` to
    ``safety_pathway_start(woman=..., trigger=...)``)."""

    EPDS_ITEM_10 = "epds_item_10"
    PHQ9_ITEM_9 = "phq9_item_9"


class FollowUp(StrEnum):
    """What a result asks of the care team, least to most."""

    ROUTINE = "routine"  # next scheduled screening
    REPEAT = "repeat"  # repeat the scale within the policy's window (EPDS 10-12)
    REFERRAL = "referral"  # further assessment / referral (a referral task)


_FOLLOW_UP_RANK: Final = {FollowUp.ROUTINE: 0, FollowUp.REPEAT: 1, FollowUp.REFERRAL: 2}


@dataclass(frozen=True)
class Item:
    """One item: ``points[i]`` is what option ``i`` (0-based, the original's top-down order)
    scores."""

    number: int
    points: tuple[int, ...]


@dataclass(frozen=True)
class Band:
    """Totals ``low``..``high`` inclusive; ``code`` is stable (the app labels it)."""

    code: str
    low: int
    high: int


@dataclass(frozen=True)
class Scale:
    """A scale's structure. ``recall_days``: the period she answers about. ``bands`` are
    fixed severity bands (PHQ-9, GAD-7); EPDS has none in DOMAIN.md and takes its bands from
    the policy's cut-offs. ``critical_item`` > 0 starts the safety pathway."""

    instrument: Instrument
    recall_days: int
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    critical_item: int | None
    safety_trigger: ScaleSafetyTrigger | None
    source: str
    confidence: Confidence

    @property
    def max_total(self) -> int:
        return sum(max(item.points) for item in self.items)

    def item(self, number: int) -> Item:
        return self.items[number - 1]


_UP: Final = (0, 1, 2, 3)
_DOWN: Final = (3, 2, 1, 0)

# EPDS (DOMAIN.md s.7): items 1, 2, 4 score 0..3 top-down, items 3, 5-10 3..0.
_EPDS_POINTS: Final = (_UP, _UP, _DOWN, _UP, _DOWN, _DOWN, _DOWN, _DOWN, _DOWN, _DOWN)

SCALES: Final[Mapping[Instrument, Scale]] = MappingProxyType(
    {
        Instrument.EPDS: Scale(
            Instrument.EPDS,
            recall_days=7,
            items=tuple(Item(n, points) for n, points in enumerate(_EPDS_POINTS, start=1)),
            bands=(),
            critical_item=10,
            safety_trigger=ScaleSafetyTrigger.EPDS_ITEM_10,
            source=EPDS_SOURCE,
            confidence="P",  # DOMAIN.md gives the structure without a mark
        ),
        Instrument.PHQ9: Scale(
            Instrument.PHQ9,
            recall_days=14,
            items=tuple(Item(n, _UP) for n in range(1, 10)),
            bands=(
                Band("minimal", 0, 4),
                Band("mild", 5, 9),
                Band("moderate", 10, 14),
                Band("moderately_severe", 15, 19),
                Band("severe", 20, 27),
            ),
            critical_item=9,
            safety_trigger=ScaleSafetyTrigger.PHQ9_ITEM_9,
            source=PHQ9_SOURCE,
            confidence="P",
        ),
        Instrument.GAD7: Scale(
            Instrument.GAD7,
            recall_days=14,
            items=tuple(Item(n, _UP) for n in range(1, 8)),
            bands=(
                Band("minimal", 0, 4),
                Band("mild", 5, 9),
                Band("moderate", 10, 14),
                Band("severe", 15, 21),
            ),
            critical_item=None,
            safety_trigger=None,
            source=GAD7_SOURCE,
            confidence="P",
        ),
    }
)

# Source and mark of every rule a result can carry (DOMAIN.md s.7). The bands and the GAD-7
# screen-positive line are given without a mark: "P" until a source is seen.
RULE_SOURCES: Final[Mapping[str, tuple[str, Confidence]]] = MappingProxyType(
    {
        "epds_referral": (CONSENSUS_2019, "S"),
        "epds_repeat": (CONSENSUS_2019, "S"),
        "epds_item_10": (CONSENSUS_2019, "S"),
        "phq9_band": (PHQ9_SOURCE, "P"),
        "phq9_referral": (CONSENSUS_2019, "S"),
        "phq9_item_9": (CONSENSUS_2019, "S"),
        "gad7_band": (GAD7_SOURCE, "P"),
        "gad7_screen_positive": (GAD7_SOURCE, "P"),
        "gad7_referral": (CONSENSUS_2019, "S"),
        "screening_schedule": (CONSENSUS_2019, "S"),
    }
)


@dataclass(frozen=True)
class ScalePolicy:
    """The hospital's cut-offs; defaults from DOMAIN.md section 7.

    EPDS: ``epds_referral_from`` (>= 13, or item 10 > 0 -> further assessment/referral [S]);
    ``epds_repeat_from`` (10-12 -> repeat in ``epds_repeat_after_days``..``epds_repeat_within_days``,
    2-4 weeks [S]). PHQ-9: a total above ``phq9_referral_above`` (> 14 [S]) -> referral.
    GAD-7: at or above ``gad7_positive_from`` (>= 10) the screen is positive; above
    ``gad7_referral_above`` (> 14 needs attention [S]) -> referral. Construction refuses a cut-off
    outside the scale's totals (``scale_cutoff_range``) or out of order (``scale_cutoff_order``).
    """

    epds_referral_from: int = 13
    epds_repeat_from: int = 10
    epds_repeat_after_days: int = 14
    epds_repeat_within_days: int = 28
    phq9_referral_above: int = 14
    gad7_positive_from: int = 10
    gad7_referral_above: int = 14

    def __post_init__(self) -> None:
        epds, phq9, gad7 = (SCALES[i].max_total for i in Instrument)
        ranges = {
            "epds_referral_from": (1, epds),
            "epds_repeat_from": (1, epds),
            "epds_repeat_after_days": (1, 90),
            "epds_repeat_within_days": (1, 90),
            "phq9_referral_above": (0, phq9 - 1),
            "gad7_positive_from": (1, gad7),
            "gad7_referral_above": (0, gad7 - 1),
        }
        for name, (low, high) in ranges.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise clinical_error(
                    "scale_cutoff_range",
                    field=name,
                    name=name,
                    value=str(value),
                    min_value=low,
                    max_value=high,
                )
        for lower, upper in (
            ("epds_repeat_from", "epds_referral_from"),
            ("epds_repeat_after_days", "epds_repeat_within_days"),
        ):
            if not getattr(self, lower) < getattr(self, upper):
                raise clinical_error(
                    "scale_cutoff_order",
                    field=upper,
                    lower=lower,
                    lower_value=getattr(self, lower),
                    upper=upper,
                    upper_value=getattr(self, upper),
                )

    def epds_bands(self) -> tuple[Band, ...]:
        """EPDS bands from the cut-offs: below repeat, the repeat range, referral and above."""
        return (
            Band("below_cutoff", 0, self.epds_repeat_from - 1),
            Band("borderline", self.epds_repeat_from, self.epds_referral_from - 1),
            Band("above_cutoff", self.epds_referral_from, SCALES[Instrument.EPDS].max_total),
        )


DEFAULT_SCALE_POLICY: Final = ScalePolicy()


@dataclass(frozen=True)
class ScaleFinding:
    """One rule that fired: ``rule`` is a key of :data:`RULE_SOURCES`; ``follow_up`` what it
    asks for; ``values`` the numbers it compared (JSON-friendly)."""

    rule: str
    follow_up: FollowUp
    values: dict[str, object]
    source: str
    confidence: Confidence


@dataclass(frozen=True)
class ScaleResult:
    """A scored scale. ``points[i]`` is item ``i + 1``'s points. ``follow_up`` is the most
    demanding of the findings' (routine when none fired); ``repeat_within_days`` is the
    (earliest, latest) day after the screening for a repeat, set when the follow-up is a repeat.
    ``safety_trigger``, when set, must start the safety pathway at once."""

    instrument: Instrument
    total: int
    max_total: int
    points: tuple[int, ...]
    band: Band
    follow_up: FollowUp
    findings: tuple[ScaleFinding, ...]
    safety_trigger: ScaleSafetyTrigger | None
    repeat_within_days: tuple[int, int] | None
    screen_positive: bool


Answers = Mapping[int, int] | Iterable[tuple[int, int]]


def score(
    instrument: Instrument | str,
    answers: Answers,
    *,
    policy: ScalePolicy = DEFAULT_SCALE_POLICY,
) -> ScaleResult:
    """Score `answers` (item number 1..n -> chosen option 0..k-1, in the original's order)
    for `instrument`, DOMAIN.md section 7.

    Every item must be answered exactly once: refuses an unknown scale (``scale_unknown``), an
    item the scale lacks (``scale_item_unknown``), an item answered twice
    (``scale_item_repeated``), an option outside the item's (``scale_option_unknown``) and a
    missing item (``scale_item_missing``, naming the first).
    """
    scale = _scale(instrument)
    chosen = _checked_answers(scale, answers)
    points = tuple(scale.item(n).points[chosen[n]] for n in range(1, len(scale.items) + 1))
    total = sum(points)
    findings = _findings(scale, points, total, policy)
    bands = policy.epds_bands() if scale.instrument is Instrument.EPDS else scale.bands
    band = next(b for b in bands if b.low <= total <= b.high)
    follow_up = max(
        (f.follow_up for f in findings), key=_FOLLOW_UP_RANK.__getitem__, default=FollowUp.ROUTINE
    )
    critical = scale.critical_item
    trigger = scale.safety_trigger if critical is not None and points[critical - 1] > 0 else None
    repeat = (
        (policy.epds_repeat_after_days, policy.epds_repeat_within_days)
        if follow_up is FollowUp.REPEAT
        else None
    )
    return ScaleResult(
        instrument=scale.instrument,
        total=total,
        max_total=scale.max_total,
        points=points,
        band=band,
        follow_up=follow_up,
        findings=tuple(findings),
        safety_trigger=trigger,
        repeat_within_days=repeat,
        screen_positive=bool(findings),
    )


def repeat_window(result: ScaleResult, done_on: date) -> tuple[date, date] | None:
    """The dates between which to repeat the scale done on `done_on`, or None."""
    if result.repeat_within_days is None:
        return None
    earliest, latest = result.repeat_within_days
    return done_on + timedelta(days=earliest), done_on + timedelta(days=latest)


def _scale(instrument: Instrument | str, *, field: str = "instrument") -> Scale:
    try:
        return SCALES[Instrument(instrument)]
    except ValueError:
        raise clinical_error("scale_unknown", field=field, instrument=str(instrument)) from None


def _checked_answers(scale: Scale, answers: Answers) -> dict[int, int]:
    pairs = answers.items() if isinstance(answers, Mapping) else answers
    count = len(scale.items)
    chosen: dict[int, int] = {}
    for item, option in pairs:
        if not _is_int(item) or not 1 <= item <= count:
            raise clinical_error(
                "scale_item_unknown", field="answers", item=str(item), item_count=count
            )
        if item in chosen:
            raise clinical_error("scale_item_repeated", field=f"item_{item}", item=item)
        options = len(scale.item(item).points)
        if not _is_int(option) or not 0 <= option < options:
            raise clinical_error(
                "scale_option_unknown",
                field=f"item_{item}",
                item=item,
                option=str(option),
                max_option=options - 1,
            )
        chosen[item] = option
    missing = [n for n in range(1, count + 1) if n not in chosen]
    if missing:
        raise clinical_error("scale_item_missing", field=f"item_{missing[0]}", item=missing[0])
    return chosen


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _finding(rule: str, follow_up: FollowUp, **values: object) -> ScaleFinding:
    source, confidence = RULE_SOURCES[rule]
    return ScaleFinding(rule, follow_up, dict(values), source, confidence)


def _findings(
    scale: Scale, points: Sequence[int], total: int, policy: ScalePolicy
) -> list[ScaleFinding]:
    found: list[ScaleFinding] = []
    match scale.instrument:
        case Instrument.EPDS:
            if total >= policy.epds_referral_from:
                found.append(
                    _finding(
                        "epds_referral",
                        FollowUp.REFERRAL,
                        total=total,
                        cutoff=policy.epds_referral_from,
                    )
                )
            elif total >= policy.epds_repeat_from:
                found.append(
                    _finding(
                        "epds_repeat",
                        FollowUp.REPEAT,
                        total=total,
                        low=policy.epds_repeat_from,
                        high=policy.epds_referral_from - 1,
                    )
                )
            if points[9] > 0:
                # Item 10 > 0: referral whatever the total, and the safety pathway.
                found.append(_finding("epds_item_10", FollowUp.REFERRAL, item_points=points[9]))
        case Instrument.PHQ9:
            if total > policy.phq9_referral_above:
                found.append(
                    _finding(
                        "phq9_referral",
                        FollowUp.REFERRAL,
                        total=total,
                        cutoff=policy.phq9_referral_above,
                    )
                )
            if points[8] > 0:
                # DOMAIN.md: an immediate safety check; the referral follows the total.
                found.append(_finding("phq9_item_9", FollowUp.ROUTINE, item_points=points[8]))
        case Instrument.GAD7:
            if total > policy.gad7_referral_above:
                found.append(
                    _finding(
                        "gad7_referral",
                        FollowUp.REFERRAL,
                        total=total,
                        cutoff=policy.gad7_referral_above,
                    )
                )
            if total >= policy.gad7_positive_from:
                found.append(
                    _finding(
                        "gad7_screen_positive",
                        FollowUp.ROUTINE,
                        total=total,
                        cutoff=policy.gad7_positive_from,
                    )
                )
    return found


# --- Schedule (DOMAIN.md s.7: at least once each trimester and at the 42-day visit [S]) ---

POSTPARTUM_SCREENING_DAY: Final = 42


class ScreeningWindow(StrEnum):
    FIRST_TRIMESTER = "first_trimester"
    SECOND_TRIMESTER = "second_trimester"
    THIRD_TRIMESTER = "third_trimester"
    POSTPARTUM_42_DAYS = "postpartum_42_days"


@dataclass(frozen=True)
class ScreeningDue:
    """``due``: a screening is owed now, in ``window`` (which opened on ``window_start``).
    ``next_due``: when the next window opens if none is owed now; None when it cannot be known
    (the third trimester's successor opens 42 days after a birth not yet happened) or nothing
    more is scheduled (the 42-day screening is done)."""

    due: bool
    window: ScreeningWindow | None
    window_start: date | None
    next_due: date | None


def screening_due(
    *,
    today: date,
    last_done: date | None,
    ga: GestationalAge | None = None,
    postpartum_days: int | None = None,
) -> ScreeningDue:
    """Whether a mental-health screening is due on `today` (孕产妇心理健康管理专家共识 2019 [S]).

    Give her GA today while pregnant, or `postpartum_days` (days since the birth, 0 on the day)
    after it; exactly one (``screening_stage_missing``). A screening counts for the window it was
    done in: each trimester (DOMAIN.md s.2 limits, 14+0 and 28+0) and the 42-day visit from
    postpartum day 42 on (a screening earlier after the birth does not replace it). `last_done`
    is her latest screening, not after `today` (``screening_last_done_future``).
    """
    if (ga is None) == (postpartum_days is None):
        raise clinical_error("screening_stage_missing", field="ga")
    if last_done is not None and last_done > today:
        raise clinical_error(
            "screening_last_done_future", field="last_done", last_done=last_done.isoformat()
        )
    if ga is not None:
        return _pregnant_due(today, last_done, ga)
    assert postpartum_days is not None
    if postpartum_days < 0:
        raise clinical_error("postpartum_days_negative", field="postpartum_days")
    birth = today - timedelta(days=postpartum_days)
    opens = birth + timedelta(days=POSTPARTUM_SCREENING_DAY)
    if today < opens:
        return ScreeningDue(False, None, None, opens)
    done = last_done is not None and last_done >= opens
    window = ScreeningWindow.POSTPARTUM_42_DAYS
    return ScreeningDue(not done, window, opens, None)


def _pregnant_due(today: date, last_done: date | None, ga: GestationalAge) -> ScreeningDue:
    starts = (
        (GestationalAge(0), ScreeningWindow.FIRST_TRIMESTER),
        (SECOND_TRIMESTER_START, ScreeningWindow.SECOND_TRIMESTER),
        (THIRD_TRIMESTER_START, ScreeningWindow.THIRD_TRIMESTER),
    )
    index = max(i for i, (start, _) in enumerate(starts) if ga >= start)
    start_ga, window = starts[index]
    opened = today - timedelta(days=ga.days - start_ga.days)
    if last_done is None or last_done < opened:
        return ScreeningDue(True, window, opened, None)
    if index + 1 < len(starts):
        next_start = starts[index + 1][0]
        return ScreeningDue(
            False, window, opened, today + timedelta(days=next_start.days - ga.days)
        )
    return ScreeningDue(False, window, opened, None)


# --- Wording ---


@dataclass(frozen=True)
class ItemWording:
    prompt: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class ScaleWording:
    """The text of one scale in one language. ``demonstration`` is True for our own wording,
    which the page must mark "for demonstration"; ``source`` names where the text comes from."""

    instrument: Instrument
    language: str
    title: str
    instructions: str
    items: tuple[ItemWording, ...]
    demonstration: bool
    source: str


_LANGUAGE: Final = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})*")


def wording_parse(text: str | bytes, *, source: str = "") -> dict[str, ScaleWording]:
    """The hospital's validated wording of one scale, from a JSON file's text, per language.

    Layout::

        {"instrument": "epds",
         "languages": {"zh-hans": {"title": "...", "instructions": "...",
                                   "items": [{"number": 1, "prompt": "...",
                                              "options": ["...", {"text": "...", "points": 0}]}]}}}

    Options are in the scale's order; an option may state its ``points``, which must equal
    the scale's (a file laid out in another order is refused, not re-scored). Refuses text that
    is not JSON (``scale_wording_json``), a wrong layout (``scale_wording_shape``), an unknown
    scale (``scale_unknown``), a bad language tag (``scale_wording_language``), empty text
    (``scale_wording_text``), a wrong number of items (``scale_wording_item_count``) or options
    (``scale_wording_option_count``), items out of order (``scale_wording_item_number``) and
    points that differ (``scale_wording_points``). Language tags are kept lower-case.
    """
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise clinical_error("scale_wording_json", field="file", detail=str(exc)) from None
    top = _object(data, "file")
    scale = _scale(_string(top.get("instrument"), "instrument"), field="file")
    languages = _object(top.get("languages"), "languages")
    if not languages:
        raise clinical_error("scale_wording_shape", field="file", where="languages")
    return {
        language.lower(): _language_wording(
            scale, language, body, source or f"{scale.instrument} wording file"
        )
        for language, body in languages.items()
    }


def _language_wording(scale: Scale, language: str, body: object, source: str) -> ScaleWording:
    tag = language.lower()
    if not _LANGUAGE.fullmatch(tag):
        raise clinical_error("scale_wording_language", field="file", language=language)
    where = f"languages.{language}"
    fields = _object(body, where)
    items = fields.get("items")
    if not isinstance(items, list):
        raise clinical_error("scale_wording_shape", field="file", where=f"{where}.items")
    if len(items) != len(scale.items):
        raise clinical_error(
            "scale_wording_item_count",
            field="file",
            language=language,
            count=len(items),
            expected=len(scale.items),
        )
    worded = []
    for position, (raw, item) in enumerate(zip(items, scale.items, strict=True), start=1):
        item_where = f"{where}.items[{position}]"
        entry = _object(raw, item_where)
        number = entry.get("number", position)
        if number != position or not _is_int(number):
            raise clinical_error(
                "scale_wording_item_number",
                field="file",
                language=language,
                position=position,
                number=str(number),
            )
        options = entry.get("options")
        if not isinstance(options, list):
            raise clinical_error("scale_wording_shape", field="file", where=f"{item_where}.options")
        if len(options) != len(item.points):
            raise clinical_error(
                "scale_wording_option_count",
                field="file",
                language=language,
                item=position,
                count=len(options),
                expected=len(item.points),
            )
        texts = tuple(
            _option_text(option, item, language, index, f"{item_where}.options[{index}]")
            for index, option in enumerate(options)
        )
        worded.append(ItemWording(_string(entry.get("prompt"), f"{item_where}.prompt"), texts))
    return ScaleWording(
        instrument=scale.instrument,
        language=tag,
        title=_string(fields.get("title"), f"{where}.title"),
        instructions=_string(fields.get("instructions"), f"{where}.instructions"),
        items=tuple(worded),
        demonstration=False,
        source=source,
    )


def _option_text(option: object, item: Item, language: str, index: int, where: str) -> str:
    if isinstance(option, str):
        return _string(option, where)
    entry = _object(option, where)
    if "points" in entry and entry["points"] != item.points[index]:
        raise clinical_error(
            "scale_wording_points",
            field="file",
            language=language,
            item=item.number,
            option=index,
            points=str(entry["points"]),
            expected=item.points[index],
        )
    return _string(entry.get("text"), f"{where}.text")


def _object(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise clinical_error("scale_wording_shape", field="file", where=where)
    return value


def _string(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise clinical_error("scale_wording_text", field="file", where=where)
    return value.strip()


def wording_for(
    instrument: Instrument | str,
    language: str,
    *,
    loaded: Mapping[str, ScaleWording] | None = None,
) -> ScaleWording:
    """The wording to show: the hospital's for `language` when `loaded` has it, else ours
    (marked for demonstration) in `language`, else ours in English."""
    scale = _scale(instrument)
    tag = language.lower()
    if loaded is not None and tag in loaded and loaded[tag].instrument is scale.instrument:
        return loaded[tag]
    ours = DEMO_WORDING[scale.instrument]
    return ours.get(tag, ours["en"])


def _demo(
    instrument: Instrument,
    language: str,
    title: str,
    instructions: str,
    items: Sequence[tuple[str, Sequence[str]]],
) -> ScaleWording:
    return ScaleWording(
        instrument=instrument,
        language=language,
        title=title,
        instructions=instructions,
        items=tuple(ItemWording(prompt, tuple(options)) for prompt, options in items),
        demonstration=True,
        source=DEMO_SOURCE,
    )


_FREQUENCY_EN: Final = (
    "Not at all",
    "On a few days",
    "On more than half of the days",
    "Almost every day",
)
_FREQUENCY_ZH: Final = ("完全没有", "有几天", "一半以上的日子", "几乎每天")

# Our own prompts, in the original's option order (points as in SCALES): for demonstration.
# The EPDS prompts say what each item asks about in plain words of our own; they are not the
# validated text (the hospital loads that with wording_parse).
_EPDS_EN: Final = (
    (
        "Finding things funny and laughing came easily to me",
        (
            "Just as easily as usual",
            "A bit less easily than usual",
            "Much less easily than usual",
            "Not at all",
        ),
    ),
    (
        "Thinking of things coming up made me glad",
        ("As glad as usual", "A bit less glad than usual", "Much less glad than usual", "Hardly"),
    ),
    (
        "When something went wrong, I put it on myself even when it was not my fault",
        ("Most of the time", "Sometimes", "Rarely", "Never"),
    ),
    (
        "I felt nervous or uneasy and could not say why",
        ("Never", "Rarely", "Sometimes", "Very often"),
    ),
    (
        "Fear or panic came over me and I could not say why",
        ("Quite a lot", "Now and then", "Seldom", "Not once"),
    ),
    (
        "Daily tasks and demands were more than I could manage",
        (
            "Most of the time I could not manage at all",
            "Some of the time I managed less well than usual",
            "Mostly I managed fairly well",
            "I managed as well as I usually do",
        ),
    ),
    (
        "Sleep was hard for me because my mood was so bad",
        ("Most nights", "Some nights", "Few nights", "No nights"),
    ),
    (
        "My mood was sad and heavy",
        ("Most of the time", "Quite often", "Once in a while", "Never"),
    ),
    (
        "My mood was so bad that I was in tears",
        ("Most of the time", "Quite often", "Only once in a while", "Never"),
    ),
    (
        "Thoughts of hurting myself came to me",
        ("Quite often", "Sometimes", "Very rarely", "Never"),
    ),
)
_EPDS_ZH: Final = (
    (
        "我能轻松地被逗笑，觉得事情好玩",
        ("和平常一样轻松", "比平常稍难一些", "比平常难很多", "一点也不能"),
    ),
    (
        "想到接下来要发生的事，我感到高兴",
        ("和平常一样高兴", "比平常少一点", "比平常少很多", "几乎不会"),
    ),
    (
        "出了问题时，即使不是我的错，我也怪到自己头上",
        ("大多数时候", "有时", "很少", "从不"),
    ),
    ("我感到紧张不安，却说不出原因", ("从不", "很少", "有时", "经常")),
    ("恐惧或慌乱突然涌上来，我却说不出原因", ("相当多", "偶尔", "很少", "一次也没有")),
    (
        "日常的事情和要求让我招架不住",
        (
            "大多数时候完全招架不住",
            "有时不如平常应付得好",
            "大多数时候还应付得来",
            "和平常一样应付自如",
        ),
    ),
    ("因为心情太差，我很难睡着", ("大多数夜晚", "有些夜晚", "少数夜晚", "没有")),
    ("我的心情悲伤、沉重", ("大多数时候", "相当经常", "偶尔", "从不")),
    ("我心情差到流泪", ("大多数时候", "相当经常", "只是偶尔", "从不")),
    ("我脑中出现过伤害自己的想法", ("相当经常", "有时", "极少", "从不")),
)
_PHQ9_EN: Final = (
    "Little interest or pleasure in doing things",
    "Feeling low, down or without hope",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or eating too much",
    "Feeling bad about yourself, or that you have let yourself or your family down",
    "Trouble keeping your mind on things, such as reading or watching television",
    "Moving or speaking so slowly that others could notice, or being so restless that you "
    "moved around much more than usual",
    "Thoughts that you would be better off dead, or of hurting yourself",
)
_PHQ9_ZH: Final = (
    "做事提不起兴趣或没有乐趣",
    "感到情绪低落、沮丧或没有希望",
    "入睡困难、睡不踏实或睡得太多",
    "感到疲倦或没有精力",
    "胃口不好或吃得太多",
    "觉得自己很糟，或觉得让自己或家人失望",
    "难以集中注意力，比如读书或看电视时",
    "动作或说话慢到别人能察觉，或坐立不安、比平时动得多很多",
    "有不如死掉的念头，或想以某种方式伤害自己",
)
_GAD7_EN: Final = (
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid, as if something awful might happen",
)
_GAD7_ZH: Final = (
    "感到紧张、焦虑或心神不宁",
    "无法停止或控制担忧",
    "对各种各样的事情担忧过多",
    "很难放松下来",
    "坐立不安，难以静坐",
    "变得容易烦恼或急躁",
    "感到害怕，好像会发生可怕的事情",
)

DEMO_WORDING: Final[Mapping[Instrument, Mapping[str, ScaleWording]]] = MappingProxyType(
    {
        Instrument.EPDS: {
            "en": _demo(
                Instrument.EPDS,
                "en",
                "Mood in pregnancy and after the birth (EPDS)",
                "Choose the answer closest to how you have felt in the past 7 days, not only today.",
                _EPDS_EN,
            ),
            "zh-hans": _demo(
                Instrument.EPDS,
                "zh-hans",
                "孕产期情绪量表（EPDS）",
                "请选择最接近您过去 7 天感受的答案，而不只是今天的感受。",
                _EPDS_ZH,
            ),
        },
        Instrument.PHQ9: {
            "en": _demo(
                Instrument.PHQ9,
                "en",
                "Mood over the past 2 weeks (PHQ-9)",
                "Over the past 2 weeks, how often have you been bothered by the following?",
                [(prompt, _FREQUENCY_EN) for prompt in _PHQ9_EN],
            ),
            "zh-hans": _demo(
                Instrument.PHQ9,
                "zh-hans",
                "过去两周的情绪（PHQ-9）",
                "在过去两周里，以下情况困扰您的频率有多高？",
                [(prompt, _FREQUENCY_ZH) for prompt in _PHQ9_ZH],
            ),
        },
        Instrument.GAD7: {
            "en": _demo(
                Instrument.GAD7,
                "en",
                "Worry over the past 2 weeks (GAD-7)",
                "Over the past 2 weeks, how often have you been bothered by the following?",
                [(prompt, _FREQUENCY_EN) for prompt in _GAD7_EN],
            ),
            "zh-hans": _demo(
                Instrument.GAD7,
                "zh-hans",
                "过去两周的焦虑（GAD-7）",
                "在过去两周里，以下情况困扰您的频率有多高？",
                [(prompt, _FREQUENCY_ZH) for prompt in _GAD7_ZH],
            ),
        },
    }
)
