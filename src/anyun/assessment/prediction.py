"""Disease risk prediction (FI-4) for one woman: her facts gathered from the record, the
guideline factor checks of :mod:`anyun.clinical.prediction_factors` and the trend warnings of
:mod:`anyun.clinical.prediction` on her readings, and the words the workstation shows.

Read only: nothing here stores anything. What the record cannot say (a previous
pre-eclampsia, kidney disease, a multiple pregnancy while the record holds no fetus count...)
is listed as "ask her", with any fact of her record that bears on it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anyun.clinical import signs
from anyun.clinical.prediction import (
    DrivingFactor,
    Prediction,
    PredictionKind,
    trend_warnings,
)
from anyun.clinical.prediction_factors import (
    PredictionFacts,
    RuleResult,
    assess,
)
from anyun.clinical.risk_tables import DIABETES, Diagnosis
from anyun.monitoring.selectors import (
    last_birth_of,
    monitored_pregnancy_of,
    reading_for_rules,
    readings_of,
    thresholds_current,
)
from anyun.pregnancy.models import (
    DiagnosisCode,
    Pregnancy,
    PregnancyOutcome,
    PregnancyStatus,
)
from anyun.pregnancy.selectors import diagnoses_open, history_of

# How far back her readings are read for the trend warnings (local policy [P]): enough for
# three monthly fundal-height measurements.
TREND_LOOKBACK_DAYS: Final = 90

# --- Words -----------------------------------------------------------------------------------

KIND_LABELS: Final[Mapping[str, Promise]] = {
    PredictionKind.PRE_ECLAMPSIA: _("Pre-eclampsia risk"),
    PredictionKind.GDM_EARLY_OGTT: _("Diabetes risk: early glucose testing"),
    PredictionKind.PRETERM_BIRTH: _("Preterm birth risk"),
    PredictionKind.BP_RISING: _("Blood pressure rising"),
    PredictionKind.GLUCOSE_ABOVE_TARGET: _("Glucose above target on several days"),
    PredictionKind.SFH_FALLING: _("Fundal height falling across centiles"),
}

# Mirrors anyun.clinical.prediction_factors.FACTOR_TEXT (the English msgids), plus the
# driving factors of the trend warnings.
FACTOR_LABELS: Final[Mapping[str, Promise]] = {
    "pe_prior_pre_eclampsia": _("Pre-eclampsia in a previous pregnancy"),
    "pe_multifetal": _("Multiple pregnancy"),
    "pe_chronic_hypertension": _("Chronic hypertension"),
    "pe_pregestational_diabetes": _("Type 1 or type 2 diabetes before pregnancy"),
    "pe_renal_disease": _("Kidney disease"),
    "pe_autoimmune": _(
        "Autoimmune disease (systemic lupus erythematosus, antiphospholipid syndrome)"
    ),
    "pe_nulliparity": _("First birth (nulliparous)"),
    "pe_obesity": _("Obesity (pre-pregnancy BMI at or over the cut-off)"),
    "pe_age_35": _("Age 35 or over"),
    "pe_family_history": _("Pre-eclampsia in her mother or sister"),
    "pe_interval_10_years": _("10 years or more since her last birth"),
    "pe_personal_history": _(
        "A previous baby of low birth weight or small for gestational age, or another "
        "previous adverse pregnancy outcome"
    ),
    "pe_low_income": _("Low income or low socioeconomic status"),
    "pe_ivf": _("Conceived by assisted reproduction"),
    "gdm_obesity": _("Obesity (pre-pregnancy BMI 28 or over)"),
    "gdm_family_t2dm": _("Type 2 diabetes in a first-degree relative"),
    "gdm_prior_gdm_or_macrosomia": _(
        "Gestational diabetes or a macrosomic baby in a previous pregnancy"
    ),
    "gdm_pcos": _("Polycystic ovary syndrome"),
    "gdm_coronary_disease": _("Coronary heart disease"),
    "gdm_chronic_hypertension": _("Chronic hypertension"),
    "gdm_dyslipidaemia": _("Low HDL cholesterol or high triglycerides"),
    "gdm_glycosuria_repeated": _("Fasting glucose in the urine repeatedly in early pregnancy"),
    "gdm_age_over_45": _("Age over 45"),
    "ptb_prior_spontaneous": _("A previous spontaneous preterm birth"),
    "ptb_short_cervix": _("Short cervix (below 25 mm before 24 weeks)"),
    "ptb_multifetal": _("Multiple pregnancy"),
    # Trend warnings.
    "systolic_rising": _("Systolic pressure rising day by day"),
    "diastolic_rising": _("Diastolic pressure rising day by day"),
    "glucose_days_above_target": _("Glucose at or above target on several days"),
    "sfh_crossing_centiles_down": _("Fundal height crossing centile lines downwards"),
}

CONSIDER_LABELS: Final[Mapping[str, Promise]] = {
    "pe_discuss_aspirin": _(
        "Discuss low-dose aspirin to prevent pre-eclampsia with her (the clinician decides; "
        "nothing is prescribed here)."
    ),
    "pe_aspirin_high_factor": _(
        "Indicated by a high-risk factor: USPSTF 2021 and ACOG recommend low-dose aspirin "
        "with one or more high-risk factors."
    ),
    "pe_aspirin_moderate_factors": _(
        "Indicated by more than one moderate-risk factor: USPSTF 2021 and ACOG say to "
        "consider low-dose aspirin."
    ),
    "pe_aspirin_from_12_weeks": _(
        "She is not yet 12 weeks: the Chinese 2020 guideline starts it at 12-16 weeks."
    ),
    "pe_aspirin_window_open": _(
        "She is within the 12-16 week start window of the Chinese 2020 guideline."
    ),
    "pe_aspirin_window_passed": _(
        "She is past 16 weeks, the end of the Chinese 2020 start window; USPSTF 2021 "
        "advises it after 12 weeks and ACOG before 16 weeks where possible."
    ),
    "pe_aspirin_ga_unknown": _("Her gestational age is not known: check the start window."),
    "gdm_fasting_glucose_first_visit": _(
        "Make sure a fasting plasma glucose is done at the first antenatal visit (2022 "
        "guideline, for every woman)."
    ),
    "gdm_consider_early_test": _(
        "Consider testing early for diabetes missed before pregnancy (ADA: before 15 weeks "
        "for women with risk factors); the 75 g OGTT at 24-28 weeks as usual."
    ),
    "gdm_lifestyle": _("Health education and lifestyle management (2022 guideline)."),
    "ptb_warning_signs": _("Tell her the warning signs of preterm labour."),
    "ptb_discuss_progesterone": _(
        "Discuss progesterone to reduce the risk of a repeat preterm birth (ACOG PB 234)."
    ),
    "ptb_cervical_length_surveillance": _(
        "Consider serial transvaginal cervical-length measurement from 16 to 24 weeks."
    ),
    "ptb_discuss_vaginal_progesterone": _(
        "Short cervix: discuss vaginal progesterone (ACOG PB 234)."
    ),
    "ptb_consider_cerclage": _(
        "Previous spontaneous preterm birth with a short cervix before 24 weeks: consider "
        "referral for cerclage assessment."
    ),
    "ptb_multifetal_care": _(
        "Multiple pregnancy: plan her care for the higher risk of preterm birth."
    ),
    "review_bp_trend": _("Review her blood pressure trend; ask for a clinic measurement."),
    "review_glucose_control": _("Review her glucose control and treatment plan."),
    "review_fetal_growth": _("Review fetal growth; consider an ultrasound."),
}

NOT_APPLICABLE_LABELS: Final[Mapping[str, Promise]] = {
    "not_pregnant": _("Not checked: she is not pregnant now."),
    "diabetes_diagnosed": _("Not checked: diabetes is already diagnosed."),
}

_DIAGNOSIS_LABELS: Final = dict(DiagnosisCode.choices)


def _value_lines(code: str, values: Mapping[str, Any]) -> list[str]:
    """The facts behind a factor, in words (a raw code is never shown)."""
    lines: list[str] = []
    if "age_years" in values:
        lines.append(gettext("Age %(age)s") % {"age": values["age_years"]})
    if "bmi" in values:
        lines.append(
            gettext("Pre-pregnancy BMI %(bmi)s (cut-off %(cutoff)s)")
            % {"bmi": values["bmi"], "cutoff": values.get("cutoff", "")}
        )
    if "parity" in values:
        lines.append(gettext("Parity %(parity)s") % {"parity": values["parity"]})
    if "fetuses" in values:
        lines.append(gettext("Fetuses: %(count)s") % {"count": values["fetuses"]})
    if values.get("art_conception") is True:
        lines.append(gettext("Recorded as conceived by assisted reproduction"))
    if "last_birth_year" in values:
        lines.append(
            gettext("Last birth in %(year)s, this pregnancy's LMP %(lmp)s")
            % {"year": values["last_birth_year"], "lmp": values.get("lmp", "")}
        )
    if "last_birth_on" in values:
        lines.append(
            gettext("Last birth %(birth)s, this pregnancy's LMP %(lmp)s")
            % {"birth": values["last_birth_on"], "lmp": values.get("lmp", "")}
        )
    if "diagnoses" in values:
        names = ", ".join(str(_DIAGNOSIS_LABELS.get(d, d)) for d in values["diagnoses"])
        lines.append(gettext("Diagnosis on record: %(names)s") % {"names": names})
    if "cervical_length_mm" in values:
        lines.append(
            gettext("Cervical length %(mm)s mm at %(ga)s weeks")
            % {"mm": values["cervical_length_mm"], "ga": values.get("ga", "")}
        )
    if "values_mmhg" in values:
        lines.append(
            gettext("%(values)s mmHg on %(days)s (rise %(rise)s mmHg)")
            % {
                "values": " → ".join(str(v) for v in values["values_mmhg"]),
                "days": ", ".join(values["days"]),
                "rise": values["rise_mmhg"],
            }
        )
        if values.get("latest_at_or_above_attention"):
            lines.append(
                gettext("The latest is at or above %(line)s mmHg")
                % {"line": values["attention_mmhg"]}
            )
    if code == "glucose_days_above_target":
        days = [row["day"] for row in values["days"]]
        lines.append(gettext("Days at or above target: %(days)s") % {"days": ", ".join(days)})
    if "centiles_crossed" in values:
        lines.append(
            gettext("Centile lines crossed: %(lines)s")
            % {"lines": ", ".join(values["centiles_crossed"])}
        )
        lines.append(
            ", ".join(
                gettext("%(ga)s weeks: %(cm)s cm") % {"ga": m["ga"], "cm": m["sfh_cm"]}
                for m in values["measurements"]
            )
        )
    lines.extend(_hint_lines(values))
    return lines


def _hint_lines(values: Mapping[str, Any]) -> list[str]:
    lines = []
    for birth in values.get("preterm_births", ()):
        if birth.get("weeks") is not None:
            lines.append(
                gettext("Her history: preterm birth in %(year)s at %(weeks)s weeks") % birth
            )
        else:
            lines.append(gettext("Her history: preterm birth in %(year)s") % birth)
    for row in values.get("complications", ()):
        lines.append(
            gettext("Her history (%(year)s): %(text)s") % {"year": row["year"], "text": row["text"]}
        )
    return lines


@dataclass(frozen=True)
class FactorLine:
    label: str
    details: list[str]
    source: str
    confidence: str
    from_answer: bool = False


@dataclass(frozen=True)
class PredictionCard:
    """One prediction as the workstation shows it (or a check that did not fire)."""

    kind: str
    title: str
    fired: bool
    factors: list[FactorLine]
    consider: list[str]
    ask: list[FactorLine]
    source: str
    confidence: str
    note: str = ""


@dataclass(frozen=True)
class PredictionsView:
    facts: PredictionFacts | None
    pregnancy: Pregnancy | None
    results: tuple[RuleResult, ...]
    trends: tuple[Prediction, ...]
    cards: list[PredictionCard]

    @property
    def predictions(self) -> list[Prediction]:
        """Every prediction that fired: the factor checks, then the trend warnings."""
        fired = [r.prediction for r in self.results if r.prediction is not None]
        return [*fired, *self.trends]


# --- Her facts -------------------------------------------------------------------------------


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _birth_date(woman: Any) -> dt.date | None:
    profile = getattr(woman, "woman_profile", None)
    return None if profile is None else profile.birth_date


def open_diagnoses(pregnancy: Pregnancy) -> frozenset[Diagnosis]:
    codes = diagnoses_open(pregnancy).values_list("code", flat=True)
    known = {d.value for d in Diagnosis}
    return frozenset(Diagnosis(code) for code in codes if code in known)


_BIRTHS: Final = {
    PregnancyOutcome.TERM_BIRTH,
    PregnancyOutcome.PRETERM_BIRTH,
    PregnancyOutcome.STILLBIRTH,
}


def _history_hints(woman: Any) -> tuple[dict[str, dict[str, object]], int | None]:
    """What her recorded obstetric history says about the factors she is asked about, and
    the year of her last birth in it."""
    preterm: list[dict[str, object]] = []
    complications: list[dict[str, object]] = []
    last_year = None
    for row in history_of(woman):
        if row.outcome == PregnancyOutcome.PRETERM_BIRTH:
            preterm.append({"year": row.year, "weeks": row.gestational_weeks})
        if row.complications:
            complications.append({"year": row.year, "text": row.complications})
        if row.outcome in _BIRTHS and (last_year is None or row.year > last_year):
            last_year = row.year
    hints: dict[str, dict[str, object]] = {}
    if preterm:
        hints["ptb_prior_spontaneous"] = {"preterm_births": preterm}
    if complications:
        for code in (
            "pe_prior_pre_eclampsia",
            "pe_personal_history",
            "gdm_prior_gdm_or_macrosomia",
        ):
            hints[code] = {"complications": complications}
    return hints, last_year


def prediction_facts_for(
    woman: Any, pregnancy: Pregnancy | None, *, today: dt.date
) -> PredictionFacts:
    """Her facts from the record: age from her birth date, BMI, parity, the date of her last
    birth when the record holds it (a pregnancy ended in a birth here), open diagnoses, and
    hints from her recorded obstetric history. The record has no fetus count, conception
    method or cervical length: those are asked."""
    hints, last_year = _history_hints(woman)
    if pregnancy is None:
        return PredictionFacts(on=today, pregnant=False, birth_date=_birth_date(woman))
    pregnant = pregnancy.status == PregnancyStatus.CURRENT
    birth = last_birth_of(woman) if pregnant else None
    last_birth_on = birth.ended_on if birth is not None else None
    return PredictionFacts(
        on=today,
        pregnant=pregnant,
        birth_date=_birth_date(woman),
        edd=pregnancy.edd if pregnant else None,
        lmp=pregnancy.lmp if pregnant else None,
        height_cm=_float(pregnancy.height_cm),
        pre_pregnancy_weight_kg=_float(pregnancy.pre_pregnancy_weight_kg),
        parity=pregnancy.parity,
        last_birth_on=last_birth_on,
        last_birth_year=None if last_birth_on is not None else last_year,
        diagnoses=open_diagnoses(pregnancy) if pregnant else frozenset(),
        hints=hints,
    )


def readings_for_trends(woman: Any, pregnancy: Pregnancy) -> list[signs.Reading]:
    """Her readings of this pregnancy over the look-back, in the hospital's time zone (the
    trend rules count days)."""
    since = timezone.now() - dt.timedelta(days=TREND_LOOKBACK_DAYS)
    rows = readings_of(woman, since=since).filter(pregnancy=pregnancy)
    return [
        dataclasses.replace(reading_for_rules(row), measured_at=timezone.localtime(row.measured_at))
        for row in rows
    ]


def predictions_for(woman: Any, *, today: dt.date | None = None) -> PredictionsView:
    """Her disease-risk predictions: the factor checks on her record and the trend warnings
    on her readings. The caller has loaded her through ``careteam.selectors.access_woman``
    and audits the read."""
    today = today or timezone.localdate()
    pregnancy = monitored_pregnancy_of(woman, today=today)
    facts = prediction_facts_for(woman, pregnancy, today=today)
    results = assess(facts)
    trends: list[Prediction] = []
    if pregnancy is not None:
        trends = trend_warnings(
            readings_for_trends(woman, pregnancy),
            today=today,
            edd=facts.edd,
            glucose_targets_apply=facts.pregnant and bool(facts.diagnoses & DIABETES),
            thresholds=thresholds_current(),
        )
    return PredictionsView(facts, pregnancy, results, tuple(trends), cards_for(results, trends))


# --- Cards -----------------------------------------------------------------------------------


def _line(code: str, values: Mapping[str, Any], source: str, confidence: str) -> FactorLine:
    return FactorLine(
        str(FACTOR_LABELS[code]),
        _value_lines(code, values),
        source,
        confidence,
        from_answer=values.get("basis") == "answer",
    )


def _driving(factor: DrivingFactor) -> FactorLine:
    return _line(factor.code, factor.values, factor.source, factor.confidence)


def cards_for(results: Sequence[RuleResult], trends: Sequence[Prediction]) -> list[PredictionCard]:
    """The cards in order: predictions that fired first, then the checks that did not fire
    but have questions to ask, then those that do not apply."""
    fired, open_, closed = [], [], []
    for result in results:
        ask = [
            _line(f.code, f.evidence, f.factor.source, f.factor.confidence) for f in result.unknown
        ]
        rule = result.rule
        if result.prediction is not None:
            p = result.prediction
            fired.append(
                PredictionCard(
                    str(p.kind),
                    str(KIND_LABELS[p.kind]),
                    True,
                    [_driving(f) for f in p.factors],
                    [str(CONSIDER_LABELS[c]) for c in p.consider],
                    ask,
                    p.source,
                    p.confidence,
                )
            )
        elif result.applicable:
            present = [
                _line(f.code, f.evidence, f.factor.source, f.factor.confidence)
                for f in result.present
            ]
            note = (
                gettext("Not indicated from what is known; the answers below may change that.")
                if result.could_fire
                else gettext("Not indicated.")
            )
            open_.append(
                PredictionCard(
                    str(rule.kind),
                    str(KIND_LABELS[rule.kind]),
                    False,
                    present,
                    [],
                    ask,
                    rule.source,
                    rule.confidence,
                    note,
                )
            )
        else:
            closed.append(
                PredictionCard(
                    str(rule.kind),
                    str(KIND_LABELS[rule.kind]),
                    False,
                    [],
                    [],
                    [],
                    rule.source,
                    rule.confidence,
                    str(NOT_APPLICABLE_LABELS[result.not_applicable]),
                )
            )
    for p in trends:
        fired.append(
            PredictionCard(
                str(p.kind),
                str(KIND_LABELS[p.kind]),
                True,
                [_driving(f) for f in p.factors],
                [str(CONSIDER_LABELS[c]) for c in p.consider],
                [],
                p.source,
                p.confidence,
            )
        )
    return [*fired, *open_, *closed]
