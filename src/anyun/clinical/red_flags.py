"""Red-flag symptoms ticked with a home reading: stop, go in person now.

Source: DOMAIN.md section 6, the union of the AIM Urgent Maternal Warning Signs [V], the WHO
danger signs [S] and Chinese lay lists [S]. Only the symptoms a woman can tick with a reading
(:class:`~anyun.clinical.signs.Symptom`) are graded here. The symptoms are worded as the
warning signs (a headache that will not go away or gets worse; sudden or severe swelling of the
hands or face). Epigastric pain alone is not an AIM sign; it makes a high pressure urgent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from anyun.clinical.alarms import Finding, Grade
from anyun.clinical.signs import SignKind, Symptom

AIM_SOURCE: Final = "AIM Urgent Maternal Warning Signs; WHO danger signs (DOMAIN.md section 6)"

# symptom -> (rule, grade, action, confidence). Headache, vision change and swelling are
# red flags on their own (AIM); with a high blood pressure they also make that reading urgent.
RED_FLAGS: Final[dict[str, tuple[str, Grade, str, str]]] = {
    Symptom.HEADACHE: ("red_flag_headache", Grade.URGENT, "seek_care_now", "V"),
    Symptom.VISUAL_CHANGE: ("red_flag_visual_change", Grade.URGENT, "seek_care_now", "V"),
    Symptom.OEDEMA: ("red_flag_swelling", Grade.URGENT, "seek_care_now", "V"),
    Symptom.BLEEDING: ("red_flag_bleeding", Grade.URGENT, "seek_care_now", "V"),
    Symptom.FLUID_LEAK: ("red_flag_fluid_leak", Grade.URGENT, "seek_care_now", "V"),
    Symptom.REDUCED_MOVEMENTS: ("red_flag_reduced_movements", Grade.URGENT, "seek_care_now", "V"),
    Symptom.ABDOMINAL_PAIN: ("red_flag_abdominal_pain", Grade.URGENT, "seek_care_now", "V"),
    # A fever felt but not measured: measure it; >= 38.0 C is graded as a temperature.
    Symptom.FEVER: ("red_flag_fever_felt", Grade.ADVICE, "check_temperature", "P"),
}


def grade_symptoms(symptoms: Iterable[str], *, sign: SignKind) -> list[Finding]:
    """Findings for the red-flag symptoms among `symptoms` (most severe first)."""
    findings = []
    for symptom in sorted(set(symptoms)):
        flag = RED_FLAGS.get(symptom)
        if flag is None:
            continue
        rule, grade, action, confidence = flag
        findings.append(
            Finding(
                rule=rule,
                grade=grade,
                sign=sign,
                values={"symptom": symptom},
                action=action,
                source=AIM_SOURCE,
                confidence=confidence,
            )
        )
    findings.sort(key=lambda f: -f.grade.rank)
    return findings
