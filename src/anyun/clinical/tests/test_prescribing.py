"""The prescription checks, table-driven: each rule alone, then the combinations."""

from __future__ import annotations

import pytest

from anyun.clinical.prescribing import (
    CROSS_REACTIVITY,
    INTERACTIONS,
    MAX_DRUGS,
    ControlledClass,
    DrugFacts,
    Line,
    Patient,
    Safety,
    Severity,
    Stage,
    check_prescription,
    has_blocking,
    warnings_of,
)

C, W, A = Safety.COMPATIBLE, Safety.CAUTION, Safety.AVOID


def drug(code: str, *ingredients: str, classes: tuple[str, ...] = (), **kw: object) -> DrugFacts:
    return DrugFacts(
        code=code,
        name=code.title(),
        ingredients=frozenset(ingredients or (code,)),
        classes=frozenset(classes),
        pregnancy=kw.pop("pregnancy", C),  # type: ignore[arg-type]
        lactation=kw.pop("lactation", C),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


FOLIC = drug("folic_acid")
IRON = drug("ferrous_succinate", classes=("iron",))
CALCIUM = drug("calcium_carbonate", classes=("calcium", "antacid"))
CALCIUM_D = drug(
    "calcium_vitd", "calcium_carbonate", "cholecalciferol", classes=("calcium", "antacid")
)
LABETALOL = drug("labetalol", classes=("beta_blocker",))
NIFEDIPINE = drug("nifedipine", classes=("calcium_channel_blocker",))
INSULIN = drug("insulin_aspart", classes=("insulin",))
AMOXICILLIN = drug("amoxicillin", classes=("penicillin", "beta_lactam"))
CEFALEXIN = drug("cefalexin", classes=("cephalosporin", "beta_lactam"))
CEFUROXIME = drug("cefuroxime", classes=("cephalosporin",))
METOCLOPRAMIDE = drug("metoclopramide", pregnancy=W, lactation=W)
DOXYLAMINE = drug("doxylamine_pyridoxine", "doxylamine", "pyridoxine", lactation=A)
DOXYCYCLINE = drug("doxycycline", classes=("tetracycline",), pregnancy=A, lactation=W)
IBUPROFEN = drug("ibuprofen", classes=("nsaid",), pregnancy=W, pregnancy_avoid_from_week=20)
PETHIDINE = drug("pethidine", controlled=ControlledClass.NARCOTIC)
DIAZEPAM = drug("diazepam", controlled=ControlledClass.PSYCHOTROPIC, pregnancy=W)

PREGNANT_12 = Patient(Stage.PREGNANT, gestational_weeks=12)
PREGNANT_24 = Patient(Stage.PREGNANT, gestational_weeks=24)
FEEDING = Patient(Stage.BREASTFEEDING)
NEITHER = Patient(Stage.NEITHER)


def codes(lines: list[Line], patient: Patient = PREGNANT_24, **kw: bool) -> list[tuple[str, str]]:
    return [(f.code, f.severity.value) for f in check_prescription(lines, patient, **kw)]


def seven(*drugs: DrugFacts) -> list[Line]:
    return [Line(d, 7) for d in drugs]


CASES = [
    # (name, lines, patient, supply reason given, expected findings)
    ("folic acid alone is clean", seven(FOLIC), PREGNANT_12, False, []),
    (
        "five drugs pass the count",
        seven(FOLIC, IRON, drug("vit_d"), AMOXICILLIN, drug("progesterone")),
        PREGNANT_12,
        False,
        [],
    ),
    (
        "six drugs are refused",
        seven(FOLIC, IRON, drug("vit_d"), AMOXICILLIN, drug("progesterone"), drug("aspirin")),
        PREGNANT_12,
        False,
        [("too_many_drugs", "block")],
    ),
    (
        "eight days without a reason",
        [Line(FOLIC, 8)],
        PREGNANT_12,
        False,
        [("supply_too_long", "block")],
    ),
    (
        "eight days with a reason",
        [Line(FOLIC, 8)],
        PREGNANT_12,
        True,
        [("supply_long_with_reason", "warn")],
    ),
    ("seven days is the limit", [Line(FOLIC, 7)], PREGNANT_12, False, []),
    ("a narcotic online", seven(PETHIDINE), NEITHER, False, [("controlled_online", "block")]),
    ("a psychotropic online", seven(DIAZEPAM), NEITHER, False, [("controlled_online", "block")]),
    ("avoid in pregnancy", seven(DOXYCYCLINE), PREGNANT_12, False, [("pregnancy_avoid", "block")]),
    (
        "caution in pregnancy",
        seven(METOCLOPRAMIDE),
        PREGNANT_12,
        False,
        [("pregnancy_caution", "warn")],
    ),
    (
        "NSAID before 20 weeks: caution",
        seven(IBUPROFEN),
        PREGNANT_12,
        False,
        [("pregnancy_caution", "warn")],
    ),
    (
        "NSAID from 20 weeks: avoid",
        seven(IBUPROFEN),
        PREGNANT_24,
        False,
        [("pregnancy_avoid_from_week", "block")],
    ),
    (
        "avoid while breastfeeding",
        seven(DOXYLAMINE),
        FEEDING,
        False,
        [("lactation_avoid", "block")],
    ),
    (
        "caution while breastfeeding",
        seven(DOXYCYCLINE),
        FEEDING,
        False,
        [("lactation_caution", "warn")],
    ),
    ("pregnancy rating ignored after the birth", seven(IBUPROFEN), FEEDING, False, []),
    ("no stage rule when neither", seven(DOXYCYCLINE), NEITHER, False, []),
    (
        "the same ingredient twice",
        seven(CALCIUM, CALCIUM_D),
        PREGNANT_12,
        False,
        [("duplicate_ingredient", "block")],
    ),
    (
        "iron with calcium",
        seven(IRON, CALCIUM),
        PREGNANT_12,
        False,
        [("interaction_iron_calcium", "warn")],
    ),
    (
        "labetalol with insulin",
        seven(LABETALOL, INSULIN),
        PREGNANT_12,
        False,
        [("interaction_beta_blocker_insulin", "warn")],
    ),
    (
        "labetalol with nifedipine",
        seven(LABETALOL, NIFEDIPINE),
        PREGNANT_12,
        False,
        [("interaction_antihypertensives_additive", "warn")],
    ),
    (
        "calcium with cefuroxime",
        seven(CALCIUM, CEFUROXIME),
        PREGNANT_12,
        False,
        [("interaction_antacid_cefuroxime", "warn")],
    ),
    (
        "two antiemetics",
        seven(METOCLOPRAMIDE, DOXYLAMINE),
        PREGNANT_12,
        False,
        [
            ("interaction_dopamine_antagonist_antihistamine_sedation", "warn"),
            ("pregnancy_caution", "warn"),
        ],
    ),
]


@pytest.mark.parametrize(
    ("name", "lines", "patient", "reason", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_rule(
    name: str, lines: list[Line], patient: Patient, reason: bool, expected: list[tuple[str, str]]
) -> None:
    assert codes(lines, patient, supply_reason_given=reason) == expected


ALLERGY_CASES = [
    ("ingredient allergy", frozenset({"amoxicillin"}), AMOXICILLIN, [("allergy", "block")]),
    ("class allergy", frozenset({"penicillin"}), AMOXICILLIN, [("allergy", "block")]),
    (
        "penicillin allergy and a cephalosporin",
        frozenset({"penicillin"}),
        CEFALEXIN,
        [("allergy_cross", "warn")],
    ),
    (
        "cephalosporin allergy and a penicillin",
        frozenset({"cephalosporin"}),
        AMOXICILLIN,
        [("allergy_cross", "warn")],
    ),
    ("unrelated allergy", frozenset({"sulfonamide"}), AMOXICILLIN, []),
]


@pytest.mark.parametrize(
    ("name", "allergies", "the_drug", "expected"), ALLERGY_CASES, ids=[c[0] for c in ALLERGY_CASES]
)
def test_allergy(
    name: str, allergies: frozenset[str], the_drug: DrugFacts, expected: list[tuple[str, str]]
) -> None:
    patient = Patient(Stage.PREGNANT, gestational_weeks=16, allergies=allergies)
    assert codes(seven(the_drug), patient) == expected


def test_findings_name_the_drugs_and_words() -> None:
    [finding] = check_prescription([Line(FOLIC, 10)], PREGNANT_12)
    assert finding.drugs == ("folic_acid",)
    assert finding.params == {"drug": "Folic_Acid", "days": 10, "max": 7}
    assert finding.source == "处方管理办法 2007 Art. 19"
    assert finding.key == "supply_too_long:folic_acid"


def test_blocking_sorted_first_and_helpers() -> None:
    findings = check_prescription(seven(IRON, CALCIUM, PETHIDINE), PREGNANT_12)
    assert [f.severity for f in findings] == [Severity.BLOCK, Severity.WARN]
    assert has_blocking(findings) is True
    assert [f.code for f in warnings_of(findings)] == ["interaction_iron_calcium"]
    assert has_blocking(warnings_of(findings)) is False


def test_the_max_is_five() -> None:
    assert MAX_DRUGS == 5


def test_every_table_row_names_its_source() -> None:
    assert all(rule.source and rule.effect and rule.advice for rule in INTERACTIONS)
    assert all(rule.source for rule in CROSS_REACTIVITY)
    assert len({rule.code for rule in INTERACTIONS}) == len(INTERACTIONS)
