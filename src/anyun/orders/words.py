"""The words of the catalogue: what each test and observation is called, how she prepares,
what a value measures in plain words, and what a flag means. Keyed by the codes of
`anyun.clinical.labs` (the pure package holds no words)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

TEST_LABELS: dict[str, Promise] = {
    "fbc": _("Full blood count"),
    "urinalysis": _("Urine test"),
    "blood_group": _("Blood group (ABO and Rh)"),
    "fasting_glucose": _("Fasting blood glucose"),
    "ogtt": _("75 g oral glucose tolerance test (OGTT)"),
    "liver": _("Liver function"),
    "kidney": _("Kidney function"),
    "thyroid": _("Thyroid function"),
    "ferritin": _("Ferritin (iron stores)"),
    "hbsag": _("Hepatitis B surface antigen (HBsAg)"),
    "hiv": _("HIV antibody"),
    "syphilis": _("Syphilis antibody"),
    "ultrasound": _("Obstetric ultrasound"),
    "nst": _("Non-stress test (NST, fetal heart monitoring)"),
}

OBSERVATION_LABELS: dict[str, Promise] = {
    "hb": _("Haemoglobin"),
    "platelets": _("Platelets"),
    "wbc": _("White blood cells"),
    "fasting_glucose": _("Fasting glucose"),
    "ogtt_0h": _("OGTT fasting glucose"),
    "ogtt_1h": _("OGTT glucose at 1 hour"),
    "ogtt_2h": _("OGTT glucose at 2 hours"),
    "alt": _("ALT (liver enzyme)"),
    "ast": _("AST (liver enzyme)"),
    "albumin": _("Albumin"),
    "creatinine": _("Creatinine"),
    "urea": _("Urea"),
    "tsh": _("TSH (thyroid-stimulating hormone)"),
    "ft4": _("Free T4"),
    "ferritin": _("Ferritin"),
    "urine_protein": _("Urine protein"),
    "urine_glucose": _("Urine glucose"),
    "urine_ketones": _("Urine ketones"),
    "urine_leukocytes": _("Urine white cells"),
    "urine_blood": _("Urine blood"),
    "hbsag": _("HBsAg"),
    "hiv": _("HIV antibody"),
    "syphilis": _("Syphilis antibody"),
    "abo": _("ABO blood group"),
    "rh": _("Rh blood group"),
    "fetal_heart_rate": _("Baby's heart rate"),
    "ultrasound_finding": _("Ultrasound finding"),
    "nst_result": _("NST result"),
}

EXPLANATIONS: dict[str, Promise] = {
    "hb": _(
        "Haemoglobin carries oxygen in your blood. Low haemoglobin means anaemia, common in pregnancy and usually treated with iron."
    ),
    "platelets": _(
        "Platelets help your blood clot. Low platelets can raise the risk of bleeding at the birth."
    ),
    "wbc": _("White blood cells fight infection."),
    "fasting_glucose": _(
        "Blood sugar after a night without food. High values can mean diabetes in pregnancy."
    ),
    "ogtt_0h": _(
        "Blood sugar before the glucose drink. From 5.1 mmol/L it shows diabetes in pregnancy."
    ),
    "ogtt_1h": _(
        "Blood sugar one hour after the glucose drink. From 10.0 mmol/L it shows diabetes in pregnancy."
    ),
    "ogtt_2h": _(
        "Blood sugar two hours after the glucose drink. From 8.5 mmol/L it shows diabetes in pregnancy."
    ),
    "alt": _("An enzyme from the liver. High values can mean the liver is strained."),
    "ast": _("An enzyme from the liver and muscles. High values can mean the liver is strained."),
    "albumin": _("A protein made by the liver."),
    "creatinine": _(
        "A waste product cleared by the kidneys. High values can mean the kidneys work less well."
    ),
    "urea": _("A waste product cleared by the kidneys."),
    "tsh": _(
        "A hormone that controls the thyroid. In early pregnancy a value above 4.0 mU/L needs a closer look."
    ),
    "ft4": _("The thyroid hormone in your blood."),
    "ferritin": _("Your iron stores. Low ferritin means your body is short of iron."),
    "urine_protein": _("Protein in urine can be a sign of pre-eclampsia or a kidney problem."),
    "urine_glucose": _("Sugar in urine can come with high blood sugar."),
    "urine_ketones": _(
        "Ketones appear when the body burns fat, for example after long fasting or vomiting."
    ),
    "urine_leukocytes": _("White cells in urine can be a sign of a urine infection."),
    "urine_blood": _("Blood in urine can come from an infection or from the kidneys."),
    "hbsag": _(
        "Shows whether you carry the hepatitis B virus. If positive, your baby gets protection at birth."
    ),
    "hiv": _("Shows whether you have HIV. Treatment protects you and your baby."),
    "syphilis": _(
        "Shows whether you have had syphilis. Treatment in pregnancy protects your baby."
    ),
    "abo": _("Your blood group, needed in case you need blood at the birth."),
    "rh": _("If you are Rh negative, you may need an injection to protect your baby."),
    "fetal_heart_rate": _("Your baby's heartbeat; usually 110 to 160 beats a minute."),
    "ultrasound_finding": _("What the doctor saw on the scan."),
    "nst_result": _("Reactive means your baby's heart rate speeds up with movement, as it should."),
}

PREPARATION_TEXT: dict[str, Promise] = {
    "none": _("No preparation needed. You can eat and drink as usual."),
    "fasting": _(
        "Do not eat for 8 to 12 hours before the test (nothing after dinner the evening before). You may drink plain water. Come in the morning."
    ),
    "ogtt": _(
        "Do not eat for 8 to 12 hours before the test; plain water is fine. Eat normally in the three days before. At the hospital you drink a glucose drink (75 g) and blood is taken three times: before, after 1 hour and after 2 hours. Stay seated, do not eat or smoke, and plan about 2.5 hours."
    ),
    "morning_urine": _(
        "Bring the first urine of the morning: wash, let the first drops go, then catch the middle of the stream in the clean cup."
    ),
    "ultrasound": _(
        "Bring your pregnancy record. In early pregnancy drink water so your bladder is full; later no preparation is needed."
    ),
    "nst": _(
        "Eat a meal beforehand. The monitoring takes about 20 to 40 minutes lying on your side. Bring your pregnancy record."
    ),
}

FLAG_WORDS: dict[str, Promise] = {
    "normal": _("Within the usual range."),
    "low": _("Lower than the usual range."),
    "high": _("Higher than the usual range."),
    "critical_low": _("Much lower than the usual range: your clinician has been told."),
    "critical_high": _("Much higher than the usual range: your clinician has been told."),
    "positive": _("Needs attention: your clinician will talk to you about it."),
    "abnormal": _("Needs attention: your clinician will talk to you about it."),
    "none": _("No usual range to compare with."),
}

VALUE_WORDS: dict[str, Promise] = {
    "negative": _("negative"),
    "trace": _("trace"),
    "positive": _("positive"),
    "reactive": _("reactive"),
    "non_reactive": _("non-reactive"),
}

UNIT_WORDS: dict[str, Promise] = {
    "bpm": _("beats/min"),
}

LAB_VALUE_ERRORS: dict[str, Promise] = {
    "value_not_number": _("Enter a number."),
    "value_impossible": _("This value cannot be right: check the number and its unit."),
    "value_required": _("Enter a value."),
    "qualitative_unknown": _("Enter negative, trace, 1+ to 4+ or positive."),
    "category_unknown": _("Choose one of the listed values."),
}


def test_label(code: str) -> str:
    label = TEST_LABELS.get(code)
    return str(label) if label is not None else gettext("Other test")


def observation_label(code: str) -> str:
    label = OBSERVATION_LABELS.get(code)
    return str(label) if label is not None else gettext("Other result")


def explanation(code: str) -> str:
    label = EXPLANATIONS.get(code)
    return str(label) if label is not None else ""


def preparation_text(code: str) -> str:
    return str(PREPARATION_TEXT.get(code, PREPARATION_TEXT["none"]))


def flag_words(code: str) -> str:
    return str(FLAG_WORDS.get(code, FLAG_WORDS["none"]))


def value_words(text: str) -> str:
    label = VALUE_WORDS.get(text)
    return str(label) if label is not None else text


def unit_words(unit: str) -> str:
    label = UNIT_WORDS.get(unit)
    return str(label) if label is not None else unit


def lab_value_error(code: str) -> str:
    return str(LAB_VALUE_ERRORS.get(code, LAB_VALUE_ERRORS["value_impossible"]))
