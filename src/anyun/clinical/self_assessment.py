"""The health self-assessment's rules (FA-7, ASM-2): the two-question mood screen and what her
answers on smoking, alcohol, second-hand smoke and activity ask of the care team.

Mood: the two case-finding questions of Whooley et al. (1997, "Case-finding instruments for
depression: two questions are as good as many"), which NICE CG192 (Antenatal and postnatal
mental health, 2014) recommends asking at the first contact and early after the birth. The app
words them in its own language (low mood; little interest or pleasure, over the past month); a
"yes" to either is a positive screen, and she is offered the full scale (EPDS, or PHQ-9). The
screen is no diagnosis and raises no alarm on its own.

Lifestyle: WHO recommendations on antenatal care for a positive pregnancy experience (2016)
ask every pregnant woman about tobacco, alcohol and second-hand smoke and to advise on each;
WHO recommendations for the prevention and management of tobacco use and second-hand smoke
exposure in pregnancy (2013); WHO guidelines on physical activity and sedentary behaviour
(2020): pregnant and postpartum women without contraindication do at least 150 minutes of
moderate-intensity aerobic activity a week. Each finding carries its source; none prescribes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal

from anyun.clinical.scales import Instrument

__all__ = [
    "ACTIVITY_MINUTES_WEEKLY",
    "ALCOHOL_SOURCE",
    "MOOD_SOURCE",
    "Alcohol",
    "LifestyleFinding",
    "MoodScreen",
    "Smoking",
    "lifestyle_findings",
    "mood_screen",
]

Confidence = Literal["V", "S", "P"]

MOOD_SOURCE: Final = (
    "Whooley et al. 1997 (two case-finding questions); NICE CG192 Antenatal and postnatal "
    "mental health (2014)"
)
TOBACCO_SOURCE: Final = (
    "WHO recommendations on antenatal care (2016); WHO recommendations on tobacco use and "
    "second-hand smoke exposure in pregnancy (2013)"
)
ALCOHOL_SOURCE: Final = "WHO recommendations on antenatal care (2016)"
ACTIVITY_SOURCE: Final = "WHO guidelines on physical activity and sedentary behaviour (2020)"

# WHO 2020: at least 150 minutes of moderate-intensity aerobic activity a week in pregnancy
# and after the birth (without contraindication).
ACTIVITY_MINUTES_WEEKLY: Final = 150


class Smoking(StrEnum):
    NEVER = "never"
    STOPPED_BEFORE = "stopped_before"  # stopped before this pregnancy
    STOPPED_NOW = "stopped_now"  # stopped since she knew she was pregnant
    SMOKES = "smokes"


class Alcohol(StrEnum):
    NONE = "none"
    SOMETIMES = "sometimes"
    WEEKLY = "weekly"


@dataclass(frozen=True)
class MoodScreen:
    """``positive``: a "yes" to either question; ``offer`` the scales to offer her then."""

    positive: bool
    offer: tuple[Instrument, ...]
    source: str = MOOD_SOURCE
    confidence: Confidence = "S"


def mood_screen(*, low_mood: bool, little_interest: bool) -> MoodScreen:
    """The two-question screen (Whooley 1997; NICE CG192): positive on a "yes" to either;
    a positive screen offers the full EPDS (and PHQ-9)."""
    positive = bool(low_mood or little_interest)
    return MoodScreen(positive, (Instrument.EPDS, Instrument.PHQ9) if positive else ())


@dataclass(frozen=True)
class LifestyleFinding:
    """One answer the care team should talk about; ``code`` is stable (the app words it)."""

    code: str
    source: str
    confidence: Confidence


def lifestyle_findings(
    *,
    smoking: Smoking | str | None,
    alcohol: Alcohol | str | None,
    second_hand_smoke: bool | None,
    activity_minutes_week: int | None,
) -> tuple[LifestyleFinding, ...]:
    """What of her answers the care team should advise on (WHO 2016 ANC; WHO 2013; WHO 2020).
    An unanswered question gives no finding."""
    found: list[LifestyleFinding] = []
    if smoking is not None and Smoking(smoking) is Smoking.SMOKES:
        found.append(LifestyleFinding("smoking", TOBACCO_SOURCE, "S"))
    if alcohol is not None and Alcohol(alcohol) is not Alcohol.NONE:
        found.append(LifestyleFinding("alcohol", ALCOHOL_SOURCE, "S"))
    if second_hand_smoke:
        found.append(LifestyleFinding("second_hand_smoke", TOBACCO_SOURCE, "S"))
    if activity_minutes_week is not None and activity_minutes_week < ACTIVITY_MINUTES_WEEKLY:
        found.append(LifestyleFinding("activity_low", ACTIVITY_SOURCE, "S"))
    return tuple(found)
