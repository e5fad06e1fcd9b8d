"""Red-flag symptoms: stop online care, be seen in person.

Source: DOMAIN.md section 6, the union of the AIM Urgent Maternal Warning Signs [V] (pregnancy
to 1 year postpartum), the WHO danger signs [S] and Chinese lay lists [S]. This module is the one
list of symptoms a woman can report, wherever she reports them (a check-in, a symptom-only
report, and later pre-consultation and self-assessment): :data:`RED_FLAGS` holds each flag's
stable code, picker group, grade, action and source; :func:`flags_for` says which are offered at
her stage; :func:`grade_symptoms` grades what she ticked. The words she reads are the app's, keyed
by the symptom code.

The symptoms are worded as the warning signs (a headache that will not go away or gets worse;
sudden or severe swelling of the hands or face). Epigastric pain alone is not an AIM sign; it is
offered because with a high pressure it makes that reading urgent (``anyun.clinical.alarms``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from anyun.clinical.alarms import Finding, Grade
from anyun.clinical.signs import SignKind, Symptom

__all__ = [
    "AIM_SOURCE",
    "LAY_SOURCE",
    "PICKER_GROUPS",
    "POSTPARTUM_WINDOW_YEARS",
    "RED_FLAGS",
    "SAFETY_PATHWAY_SYMPTOMS",
    "WHO_SOURCE",
    "FlagAction",
    "FlagGroup",
    "RedFlag",
    "Stage",
    "flag_of",
    "flags_for",
    "grade_symptoms",
    "picker_groups",
    "stage_on",
]

AIM_SOURCE: Final = "AIM Urgent Maternal Warning Signs; WHO danger signs"
WHO_SOURCE: Final = "WHO danger signs in pregnancy and after birth"
LAY_SOURCE: Final = "Chinese lay warning-sign lists (intrahepatic cholestasis of pregnancy)"

# AIM: the warning signs hold "during pregnancy and up to one year after" [V].
POSTPARTUM_WINDOW_YEARS: Final = 1


class Stage(StrEnum):
    """Where she is: pregnant, or after the birth (delivery day to 1 year after)."""

    PREGNANT = "pregnant"
    POSTPARTUM = "postpartum"


class FlagGroup(StrEnum):
    """The picker's groups, in the order shown: a frightened woman finds hers in seconds."""

    BLEEDING_FLUID = "bleeding_fluid"
    PAIN = "pain"
    HEAD_EYES_BREATHING = "head_eyes_breathing"
    BODY = "body"
    BABY = "baby"
    MOOD = "mood"
    AFTER_BIRTH = "after_birth"


class FlagAction(StrEnum):
    """What she is told to do (the app words it by code)."""

    SEEK_CARE_NOW = "seek_care_now"  # call 120 / go to emergency now
    IN_PERSON_24H = "in_person_24h"  # be seen in person within 24 h
    CHECK_TEMPERATURE = "check_temperature"  # a felt fever: measure it


@dataclass(frozen=True)
class RedFlag:
    """One symptom she can report. ``grade`` None: offered, but not a flag on its own.

    ``rule`` is the alarm's stable code; ``safety_pathway`` starts the mental-health safety
    pathway (DOMAIN.md section 7: crisis guidance, the clinician alerted live, audited).
    """

    symptom: Symptom
    group: FlagGroup
    grade: Grade | None
    action: FlagAction | None
    source: str
    confidence: str
    stages: frozenset[Stage]
    rule: str = ""
    safety_pathway: bool = False


_BOTH: Final = frozenset(Stage)
_PREGNANT: Final = frozenset({Stage.PREGNANT})
_POSTPARTUM: Final = frozenset({Stage.POSTPARTUM})
_URGENT, _NOW = Grade.URGENT, FlagAction.SEEK_CARE_NOW


def _flag(
    symptom: Symptom,
    group: FlagGroup,
    rule: str,
    *,
    stages: frozenset[Stage] = _BOTH,
    grade: Grade = _URGENT,
    action: FlagAction = _NOW,
    source: str = AIM_SOURCE,
    confidence: str = "V",
    safety_pathway: bool = False,
) -> RedFlag:
    return RedFlag(symptom, group, grade, action, source, confidence, stages, rule, safety_pathway)


# In picker order within each group. Codes of the first nine are stored with readings since
# the first release: never rename a symptom or a rule.
RED_FLAGS: Final[tuple[RedFlag, ...]] = (
    # Vaginal bleeding or fluid leaking in pregnancy (AIM [V]).
    _flag(Symptom.BLEEDING, FlagGroup.BLEEDING_FLUID, "red_flag_bleeding", stages=_PREGNANT),
    _flag(Symptom.FLUID_LEAK, FlagGroup.BLEEDING_FLUID, "red_flag_fluid_leak", stages=_PREGNANT),
    # Severe belly pain that does not go away (AIM [V]).
    _flag(Symptom.ABDOMINAL_PAIN, FlagGroup.PAIN, "red_flag_abdominal_pain"),
    # Not a flag alone; with a high pressure it is (妊娠期高血压疾病诊治指南 2020 [S]).
    RedFlag(
        Symptom.EPIGASTRIC_PAIN,
        FlagGroup.PAIN,
        None,
        None,
        "妊娠期高血压疾病诊治指南 2020",
        "S",
        _BOTH,
    ),
    # Chest pain or fast-beating heart (AIM [V]).
    _flag(Symptom.CHEST_PAIN, FlagGroup.PAIN, "red_flag_chest_pain"),
    # Swelling, redness or pain of the leg or arm: a clot (AIM [V]).
    _flag(Symptom.SWOLLEN_RED_LIMB, FlagGroup.PAIN, "red_flag_swollen_red_limb"),
    # Headache that will not go or worsens; vision changes; dizziness or fainting; trouble
    # breathing (AIM [V]); convulsions (WHO danger signs [S]).
    _flag(Symptom.HEADACHE, FlagGroup.HEAD_EYES_BREATHING, "red_flag_headache"),
    _flag(Symptom.VISUAL_CHANGE, FlagGroup.HEAD_EYES_BREATHING, "red_flag_visual_change"),
    _flag(Symptom.DIZZINESS, FlagGroup.HEAD_EYES_BREATHING, "red_flag_dizziness"),
    _flag(Symptom.BREATHING_TROUBLE, FlagGroup.HEAD_EYES_BREATHING, "red_flag_breathing"),
    _flag(
        Symptom.CONVULSIONS,
        FlagGroup.HEAD_EYES_BREATHING,
        "red_flag_convulsions",
        source=WHO_SOURCE,
        confidence="S",
    ),
    # Extreme swelling of hands or face; severe nausea and throwing up; overwhelming
    # tiredness (AIM [V]).
    _flag(Symptom.OEDEMA, FlagGroup.BODY, "red_flag_swelling"),
    _flag(Symptom.SEVERE_VOMITING, FlagGroup.BODY, "red_flag_severe_vomiting"),
    _flag(Symptom.EXHAUSTION, FlagGroup.BODY, "red_flag_exhaustion"),
    # A fever felt but not measured: measure it; >= 38.0 C is graded as a temperature.
    _flag(
        Symptom.FEVER,
        FlagGroup.BODY,
        "red_flag_fever_felt",
        grade=Grade.ADVICE,
        action=FlagAction.CHECK_TEMPERATURE,
        confidence="P",
    ),
    # Itching of the palms and soles: cholestasis, in person within 24 h (lay lists [S]).
    _flag(
        Symptom.ITCHING,
        FlagGroup.BODY,
        "red_flag_itching",
        stages=_PREGNANT,
        grade=Grade.ATTENTION,
        action=FlagAction.IN_PERSON_24H,
        source=LAY_SOURCE,
        confidence="S",
    ),
    # Baby's movements stopping or slowing during pregnancy (AIM [V]).
    _flag(
        Symptom.REDUCED_MOVEMENTS, FlagGroup.BABY, "red_flag_reduced_movements", stages=_PREGNANT
    ),
    # Thoughts of harming yourself or your baby (AIM [V]): the safety pathway too.
    _flag(Symptom.SELF_HARM_THOUGHTS, FlagGroup.MOOD, "red_flag_self_harm", safety_pathway=True),
    # Heavy vaginal bleeding or discharge after pregnancy (AIM [V]): more than one pad an hour.
    _flag(
        Symptom.POSTPARTUM_BLEEDING,
        FlagGroup.AFTER_BIRTH,
        "red_flag_postpartum_bleeding",
        stages=_POSTPARTUM,
    ),
)

_BY_SYMPTOM: Final[dict[str, RedFlag]] = {flag.symptom: flag for flag in RED_FLAGS}
SAFETY_PATHWAY_SYMPTOMS: Final[frozenset[str]] = frozenset(
    flag.symptom for flag in RED_FLAGS if flag.safety_pathway
)
PICKER_GROUPS: Final[tuple[FlagGroup, ...]] = tuple(FlagGroup)


def flag_of(symptom: str) -> RedFlag | None:
    """The table row of a symptom code, or None for an unknown code."""
    return _BY_SYMPTOM.get(symptom)


def stage_on(*, today: dt.date, pregnant: bool, delivered_on: dt.date | None) -> Stage | None:
    """Her stage on `today`: pregnant; postpartum from the delivery day to its first
    anniversary inclusive (AIM [V]; a 29 February birth runs to 1 March); else None.

    A current pregnancy wins over an earlier birth. A delivery after `today` is not yet one.
    """
    if pregnant:
        return Stage.PREGNANT
    if delivered_on is None or delivered_on > today:
        return None
    try:
        until = delivered_on.replace(year=delivered_on.year + POSTPARTUM_WINDOW_YEARS)
    except ValueError:  # 29 February
        until = dt.date(delivered_on.year + POSTPARTUM_WINDOW_YEARS, 3, 1)
    return Stage.POSTPARTUM if today <= until else None


def flags_for(stage: Stage) -> tuple[RedFlag, ...]:
    """The symptoms offered at `stage`, in picker order."""
    return tuple(
        flag
        for group in PICKER_GROUPS
        for flag in RED_FLAGS
        if flag.group == group and stage in flag.stages
    )


def picker_groups(stage: Stage) -> list[tuple[FlagGroup, list[Symptom]]]:
    """The picker at `stage`: each non-empty group with its symptoms, in order."""
    offered = flags_for(stage)
    groups = [(g, [f.symptom for f in offered if f.group == g]) for g in PICKER_GROUPS]
    return [(group, symptoms) for group, symptoms in groups if symptoms]


def grade_symptoms(symptoms: Iterable[str], *, sign: SignKind) -> list[Finding]:
    """Findings for the red flags among `symptoms`, most severe first (then in table order).

    Every flag ticked is graded, whatever her stage: a report is never hidden because the
    picker would not have offered it (bleeding is bleeding). Unknown codes and symptoms that
    are not flags on their own give nothing and hide nothing.
    """
    ticked = set(symptoms)
    findings = []
    for flag in RED_FLAGS:
        if flag.symptom not in ticked or flag.grade is None or flag.action is None:
            continue
        findings.append(
            Finding(
                rule=flag.rule,
                grade=flag.grade,
                sign=sign,
                values={"symptom": str(flag.symptom)},
                action=str(flag.action),
                source=flag.source,
                confidence=flag.confidence,
            )
        )
    findings.sort(key=lambda f: -f.grade.rank)
    return findings
