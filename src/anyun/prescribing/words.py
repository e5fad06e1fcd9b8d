"""What the checks' findings, the pharmacist's return reasons and the medication plan say, in
words (the codes never reach a person)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

FINDING_WORDS: dict[str, Promise] = {
    "too_many_drugs": _(
        "%(count)s drugs: a prescription holds at most %(max)s. Split it or leave some out."
    ),
    "supply_too_long": _(
        "%(drug)s: %(days)s days' supply is more than %(max)s. Shorten it or state the reason."
    ),
    "supply_long_with_reason": _(
        "%(drug)s: %(days)s days' supply, more than %(max)s, with the reason stated."
    ),
    "controlled_online": _(
        "%(drug)s is a specially controlled drug (%(class_label)s): it cannot be prescribed online."
    ),
    "allergy": _("%(drug)s: she is recorded as allergic to %(allergen)s."),
    "allergy_cross": _("%(drug)s: she is allergic to %(allergen)s; a cross-reaction is possible."),
    "pregnancy_avoid": _("%(drug)s is to be avoided in pregnancy."),
    "pregnancy_avoid_from_week": _("%(drug)s is to be avoided from %(week)s weeks of pregnancy."),
    "pregnancy_caution": _("%(drug)s: use with caution in pregnancy."),
    "lactation_avoid": _("%(drug)s is to be avoided while breastfeeding."),
    "lactation_caution": _("%(drug)s: use with caution while breastfeeding."),
    "duplicate_ingredient": _(
        "%(ingredient)s is in two drugs of this prescription: keep one line and set its dose."
    ),
    "interaction_iron_calcium": _(
        "%(first)s and %(second)s: calcium reduces the absorption of iron. "
        "Take them at least 2 hours apart."
    ),
    "interaction_beta_blocker_insulin": _(
        "%(first)s and %(second)s: the beta-blocker can mask the signs of low blood sugar. "
        "She checks her glucose when she feels unwell."
    ),
    "interaction_antihypertensives_additive": _(
        "%(first)s and %(second)s: two blood-pressure drugs lower the pressure more. "
        "Check her blood pressure after the first doses."
    ),
    "interaction_antacid_cefuroxime": _(
        "%(first)s and %(second)s: calcium carbonate lowers the absorption of cefuroxime. "
        "Take them apart, cefuroxime with food."
    ),
    "interaction_dopamine_antagonist_antihistamine_sedation": _(
        "%(first)s and %(second)s: both cause drowsiness. Usually one antiemetic at a time."
    ),
}

RETURN_REASONS: dict[str, Promise] = {
    "irregular": _("Incomplete or irregular prescription"),
    "indication": _("Drug not suited to the diagnosis"),
    "dose": _("Dose, frequency or duration not appropriate"),
    "route_form": _("Form or route not appropriate"),
    "duplicate": _("Duplicate therapy"),
    "interaction": _("Interaction or incompatibility"),
    "pregnancy_lactation": _("Not suitable in her pregnancy or while breastfeeding"),
    "allergy": _("Allergy or contraindication"),
    "quantity": _("Quantity or validity beyond the rules without a sufficient reason"),
    "stock": _("Not available at the hospital pharmacy"),
    "other": _("Other (see the note)"),
}


def finding_text(finding: Mapping[str, Any]) -> str:
    """A stored finding (code, severity, params) in the active language."""
    words = FINDING_WORDS.get(str(finding.get("code", "")))
    if words is None:
        return gettext("A check found a problem with this prescription.")
    params = dict(finding.get("params") or {})
    if "class" in params:
        from_model = CONTROLLED_WORDS.get(str(params["class"]))
        params["class_label"] = str(from_model) if from_model else params["class"]
    try:
        return str(words) % params
    except (KeyError, TypeError, ValueError):
        return gettext("A check found a problem with this prescription.")


def reason_label(code: str) -> str:
    label = RETURN_REASONS.get(code)
    return str(label) if label is not None else gettext("Other reason")


CONTROLLED_WORDS: dict[str, Promise] = {
    "narcotic": _("narcotic drug"),
    "psychotropic": _("psychotropic drug"),
    "toxic": _("toxic drug for medical use"),
    "radioactive": _("radioactive drug"),
}
