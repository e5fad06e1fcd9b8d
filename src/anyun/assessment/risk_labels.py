"""The words of the risk tables' items and groups, keyed by their stable codes.

``anyun.clinical.risk_tables`` holds each item's English wording (``RiskItem.text``); the label
here is the same text as the msgid, so the translation catalogue carries the Chinese
(``tests/test_risk_labels.py`` keeps the two the same).
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from anyun.clinical.risk_tables import ITEMS
from anyun.pregnancy.models import DiagnosisCode

ITEM_LABELS: dict[str, Promise] = {
    "s_age": _("Age 35 or over, or 18 or under"),
    "s_height": _("Height 145 cm or less"),
    "s_disability": _("A physical disability that may affect giving birth"),
    "s_bmi": _("BMI over 25 or under 18.5"),
    "s_rh_negative": _("Rh-negative blood group"),
    "s_birth_interval": _("Less than 18 months or more than 5 years since her last birth"),
    "s_previous_caesarean": _("Previous caesarean section"),
    "s_infertility": _("History of infertility"),
    "s_adverse_obstetric_history": _(
        "Adverse obstetric history: 3 or more miscarriages or abortions, preterm birth, perinatal death, birth defect, ectopic pregnancy, trophoblastic disease, or complications in a previous pregnancy"
    ),
    "s_multiple_or_art": _("Multiple pregnancy now, or conceived by assisted reproduction"),
    "s_genital_malformation": _("Malformation of the genital tract"),
    "s_fibroid_or_cyst": _("Uterine fibroid or ovarian cyst of 5 cm or more"),
    "s_vaginal_surgery": _("Vaginal surgery or cervical conisation"),
    "s_endoscopic_surgery": _("Hysteroscopic or laparoscopic surgery"),
    "s_scarred_uterus": _("Scarred uterus"),
    "s_gynaecological_malignancy": _("Surgery for a uterine or adnexal malignancy"),
    "s_family_hypertension": _(
        "Hypertension in the family and her blood pressure 140/90 mmHg or higher"
    ),
    "s_family_diabetes": _("Diabetes in a first-degree relative"),
    "s_family_coagulation": _("Coagulation-factor deficiency in the family"),
    "s_family_hereditary": _("Serious hereditary disease in the family"),
    "s_organ_disease": _("Disease of a major organ"),
    "s_malignancy": _("Malignancy"),
    "s_special_surgery": _("Special surgery in the past"),
    "s_drug_allergy": _("Drug allergy"),
    "s_hb_low": _("Haemoglobin below 110 g/L"),
    "s_platelets_low": _("Platelets below 100 x10^9/L"),
    "s_syphilis": _("Syphilis test positive"),
    "s_hiv": _("HIV test positive"),
    "s_urine_abnormal": _("Abnormal urine (protein, casts, red or white cells) on 2 or more tests"),
    "s_glycosuria_glucose": _(
        "Glucose in the urine with fasting glucose 7.0 mmol/L or higher before 24 weeks, or 5.1 mmol/L or higher from 24 weeks"
    ),
    "s_ferritin_low": _("Ferritin below 20 ug/L"),
    "s_hbsag": _("HBsAg positive"),
    "s_cardio_respiratory": _(
        "Heart or lung symptoms or disease, including blood pressure 140/90 mmHg or higher"
    ),
    "s_digestive": _("Digestive symptoms or disease"),
    "s_urinary": _("Urinary symptoms or disease"),
    "s_blood": _("Blood disorder"),
    "s_endocrine_immune": _("Endocrine or immune disease"),
    "s_sti": _("Sexually transmitted infection"),
    "s_psychiatric_neurological": _(
        "Psychiatric or neurological symptoms or disease, including depression"
    ),
    "s_drug_use": _("Drug use"),
    "s_infection": _(
        "An infectious disease now: viral hepatitis, tuberculosis, severe pneumonia or a special viral infection"
    ),
    "g_age_35_39_or_18": _("Age 35 to 39, or 18 or under"),
    "g_age_40": _("Age 40 or over"),
    "g_bmi_25_28_or_low": _("BMI over 25 and under 28, or under 18.5"),
    "g_bmi_28": _("BMI 28 or over"),
    "g_hb_60_110": _("Haemoglobin 60 to 110 g/L"),
    "g_hb_40_60": _("Haemoglobin 40 to 60 g/L"),
    "g_hb_40": _("Haemoglobin 40 g/L or below"),
    "g_platelets_50_100": _("Platelets 50 to 100 x10^9/L, no bleeding"),
    "g_platelets_30_50": _("Platelets 30 to 50 x10^9/L"),
    "g_platelets_30": _("Platelets below 30 x10^9/L"),
    "g_platelets_falling_or_bleeding": _("Low platelets that are falling, or with bleeding"),
    "g_heart_mild": _(
        "Heart disease needing no drugs, with normal heart function (e.g. repaired simple congenital heart disease, arrhythmia)"
    ),
    "g_heart_moderate": _(
        "Heart disease with NYHA class II, ejection fraction 40-50%, needing drugs, or mild pulmonary hypertension (below 50 mmHg)"
    ),
    "g_pulmonary_hypertension": _("Pulmonary hypertension 50 mmHg or higher"),
    "g_heart_severe": _(
        "Complex or cyanotic congenital heart disease, cardiomyopathy, NYHA class III-IV or another severe heart disease"
    ),
    "g_diabetes_no_drugs": _("Diabetes needing no drugs"),
    "g_diabetes_drugs": _("Diabetes needing drugs"),
    "g_thyroid_prolactinoma_no_drugs": _("Thyroid disease or prolactinoma needing no drugs"),
    "g_thyroid_prolactinoma_drugs": _("Thyroid disease or prolactinoma needing drugs"),
    "g_endocrine_organ_damage": _(
        "Diabetes, thyroid disease or prolactinoma with organ complications"
    ),
    "g_uterine_scar": _("Scarred uterus"),
    "g_uterine_operations_2": _("Two or more operations on the uterus"),
    "g_uterine_surgery_recent": _("Less than 18 months since uterine surgery"),
    "g_scar_previa_accreta": _("Scarred uterus with central placenta previa or placenta accreta"),
    "g_pernicious_previa": _(
        "Placenta previa over a caesarean scar with accreta (pernicious placenta previa)"
    ),
    "g_twins": _("Twin pregnancy"),
    "g_triplets": _("Triplets or more"),
    "g_twins_cardiopulmonary": _("Twin pregnancy with reduced heart or lung function"),
    "g_hdp": _("Hypertensive disorder of pregnancy not listed higher"),
    "g_severe_pre_eclampsia": _("Severe pre-eclampsia"),
    "g_superimposed_pre_eclampsia": _("Chronic hypertension with superimposed pre-eclampsia"),
    "g_hypertensive_heart_disease": _("Hypertensive heart disease"),
    "g_genital_malformation": _("Malformation of the genital tract"),
    "g_small_pelvis": _("Small pelvis"),
    "g_adverse_obstetric_history": _("Adverse obstetric history"),
    "g_fibroid_5cm": _("Uterine fibroid of 5 cm or more"),
    "g_pelvic_surgery": _("Previous pelvic surgery"),
    "g_art": _("Conceived by assisted reproduction"),
    "g_hbsag_carrier": _("HBsAg carrier with normal liver function"),
    "g_renal_stable": _("Stable kidney disease"),
    "g_epilepsy_partial": _("Epilepsy (partial seizures)"),
    "g_sti": _("Sexually transmitted infection other than syphilis or HIV"),
    "g_asthma": _("Asthma"),
    "g_liver_dysfunction": _("Liver dysfunction of unknown cause"),
    "g_ckd_creatinine": _("Chronic kidney disease with raised creatinine"),
    "g_thrombophilia": _("Thrombophilia"),
    "g_steroids_6_months": _("Low-dose steroids for 6 months or more"),
    "g_fever_unknown": _("Fever of unknown cause"),
    "g_postpartum_depression": _("Postpartum depression"),
    "g_orange_other": _("Another condition of higher risk, as the clinician judges"),
    "g_immune_active": _("Active immune disease"),
    "g_psychiatric_acute": _("Acute psychiatric illness"),
    "g_malignancy": _("Malignancy"),
    "g_placental_abruption": _("Placental abruption"),
    "g_red_other": _("Another condition of high risk, as the clinician judges"),
    "g_viral_hepatitis": _("Viral hepatitis"),
    "g_syphilis": _("Syphilis"),
    "g_hiv": _("HIV infection or AIDS"),
    "g_tuberculosis": _("Tuberculosis"),
    "g_severe_pneumonia": _("Severe infective pneumonia"),
    "g_special_viral_infection": _("Special viral infection (e.g. Zika)"),
}

GROUP_LABELS: dict[str, Promise] = {
    "basics": pgettext_lazy("risk screening", "Basic information"),
    "history": pgettext_lazy("risk screening", "Obstetric history"),
    "gynaecological": pgettext_lazy("risk screening", "Gynaecological surgery and disease"),
    "family": pgettext_lazy("risk screening", "Family history"),
    "past": pgettext_lazy("risk screening", "Past history"),
    "tests": pgettext_lazy("risk screening", "Tests"),
    "systems": pgettext_lazy("risk screening", "Symptoms and history by system"),
    "age": pgettext_lazy("risk factor", "Age"),
    "bmi": pgettext_lazy("risk factor", "Body mass index"),
    "haemoglobin": pgettext_lazy("risk factor", "Haemoglobin"),
    "platelets": pgettext_lazy("risk factor", "Platelets"),
    "heart": pgettext_lazy("risk factor", "Heart disease"),
    "endocrine": pgettext_lazy("risk factor", "Diabetes, thyroid disease, prolactinoma"),
    "uterine_scar": pgettext_lazy("risk factor", "Uterine scar"),
    "multiple": pgettext_lazy("risk factor", "Multiple pregnancy"),
    "hypertension": pgettext_lazy("risk factor", "Hypertension"),
    "other": pgettext_lazy("risk factor", "Other conditions"),
    "infectious": pgettext_lazy("risk factor", "Infectious disease (purple)"),
}


def item_label(code: str) -> str:
    """The item's words in the active language; an unknown code is named as such."""
    label = ITEM_LABELS.get(code)
    if label is not None:
        return str(label)
    item = ITEMS.get(code)
    return item.text if item is not None else gettext("Unknown item %(code)s") % {"code": code}


def group_label(code: str) -> str:
    label = GROUP_LABELS.get(code)
    return str(label) if label is not None else code


FACT_LABELS: dict[str, Promise] = {
    "age_years": _("Age (years)"),
    "height_cm": _("Height (cm)"),
    "bmi": _("BMI (kg/m²)"),
    "hb_g_l": _("Haemoglobin (g/L)"),
    "platelets": _("Platelets (×10⁹/L)"),
    "ferritin": _("Ferritin (µg/L)"),
    "fasting_glucose": _("Fasting glucose (mmol/L)"),
    "fasting_glucose_ga_days": _("Gestational age at the glucose test (days)"),
    "glycosuria": _("Glucose in the urine"),
    "fetuses": _("Number of fetuses"),
    "previous_caesareans": _("Previous caesareans"),
    "systolic": _("Highest confirmed systolic (mmHg)"),
    "diastolic": _("Highest confirmed diastolic (mmHg)"),
    "rh_negative": _("Rh-negative"),
    "art_conception": _("Conceived by assisted reproduction"),
    "syphilis_positive": _("Syphilis test positive"),
    "hiv_positive": _("HIV test positive"),
    "hbsag_positive": _("HBsAg positive"),
    "diabetes_needs_drugs": _("Diabetes treated with drugs"),
    "diagnoses": _("Known conditions"),
    "parity": _("Parity"),
    "last_birth_on": _("Last birth"),
    "lmp": _("Last menstrual period"),
    "birth_date": _("Birth date"),
    "pre_pregnancy_weight_kg": _("Pre-pregnancy weight (kg)"),
    "highest_systolic": _("Highest confirmed systolic (mmHg)"),
    "highest_diastolic": _("Highest confirmed diastolic (mmHg)"),
}

COLOUR_LABELS: dict[str, Promise] = {
    "green": pgettext_lazy("risk colour", "Green · low risk"),
    "yellow": pgettext_lazy("risk colour", "Yellow · general risk"),
    "orange": pgettext_lazy("risk colour", "Orange · higher risk"),
    "red": pgettext_lazy("risk colour", "Red · high risk"),
    "purple": pgettext_lazy("risk colour", "Purple · infectious disease"),
}

BASIS_LABELS: dict[str, Promise] = {
    "record": _("from her record"),
    "confirmed": _("record confirmed by the clinician"),
    "corrected": _("record corrected by the clinician"),
    "clinician": _("answered by the clinician"),
}

CONFIDENCE_LABELS: dict[str, Promise] = {
    "V": _("verified source"),
    "S": _("secondary source"),
    "P": _("provisional"),
}


def fact_label(name: str) -> str:
    label = FACT_LABELS.get(name)
    return str(label) if label is not None else name


def evidence_text(evidence: dict[str, object]) -> str:
    """The facts an item was decided from, in words: "Haemoglobin (g/L) 95"."""
    parts = []
    for name, value in evidence.items():
        if isinstance(value, bool):
            shown = gettext("yes") if value else gettext("no")
        elif isinstance(value, list):
            shown = ", ".join(diagnosis_label(str(v)) for v in value)
        elif isinstance(value, float):
            shown = f"{value:g}"
        else:
            shown = str(value)
        parts.append(f"{fact_label(name)} {shown}")
    return "; ".join(parts)


def diagnosis_label(code: str) -> str:
    for value, label in DiagnosisCode.choices:
        if value == code:
            return str(label)
    return code


def colour_label(colour: str) -> str:
    label = COLOUR_LABELS.get(colour)
    return str(label) if label is not None else colour


POLICY_LABELS: dict[str, Promise] = {
    "hb_60": _("Haemoglobin exactly 60 g/L belongs to"),
    "hb_40": _("Haemoglobin exactly 40 g/L belongs to"),
    "platelets_50": _("Platelets exactly 50 ×10⁹/L belong to"),
    "platelets_30": _("Platelets exactly 30 ×10⁹/L belong to"),
    "hbsag_carrier_purple": _("An HBsAg carrier with normal liver function also gets purple"),
    "age_at": _("Her age is counted on"),
    "online_green": _("Online care when green"),
    "online_yellow": _("Online care when yellow"),
    "online_orange": _("Online care when orange"),
    "online_red": _("Online care when red"),
    "online_purple": _("Online care with the purple flag"),
    "orange_report_hours": _("District report due after an orange grading (hours)"),
    "red_report_hours": _("District report due after a red grading (hours)"),
}

CHOICE_LABELS: dict[str, Promise] = {
    "more_severe": _("the more severe colour"),
    "less_severe": _("the less severe colour"),
    "assessment": _("the day of the assessment"),
    "edd": _("her due date"),
    "allowed": _("allowed"),
    "case_managed": _("only inside high-risk case management"),
    "in_person": _("stops: she is sent to in-person care"),
}
