"""The lab catalogue and flags, table-driven: each range at its edges, pregnancy-specific and
GA-specific ranges, critical limits, qualitative words, the laboratory's own range."""

from __future__ import annotations

import pytest

from anyun.clinical.labs import (
    CATALOGUE,
    OBSERVATIONS,
    Flag,
    Kind,
    LabValueError,
    Preparation,
    flag_value,
    observation_by_loinc,
    parse_qualitative,
    range_for,
)

W20, W26, W10 = 20 * 7, 26 * 7, 10 * 7


@pytest.mark.parametrize(
    ("code", "number", "ga_days", "expected"),
    [
        # Hb: pregnant, anaemia below 110 g/L (DOMAIN s.4, WHO) at every GA.
        ("hb", 110, W20, Flag.NORMAL),
        ("hb", 109, W20, Flag.LOW),
        ("hb", 109, W10, Flag.LOW),
        ("hb", 60, W20, Flag.LOW),
        ("hb", 59, W20, Flag.CRITICAL_LOW),
        ("hb", 151, W20, Flag.HIGH),
        # Not pregnant: the adult women's range 115-150 (WS/T 405).
        ("hb", 112, None, Flag.LOW),
        ("hb", 115, None, Flag.NORMAL),
        # Platelets: pregnant below 100 (DOMAIN s.4); below 50 critical.
        ("platelets", 100, W20, Flag.NORMAL),
        ("platelets", 99, W20, Flag.LOW),
        ("platelets", 49, W20, Flag.CRITICAL_LOW),
        ("platelets", 110, None, Flag.LOW),
        # Fasting glucose: >= 7.0 before 24 weeks, >= 5.1 from 24 weeks (DOMAIN s.4).
        ("fasting_glucose", 5.5, W20, Flag.NORMAL),
        ("fasting_glucose", 6.9, W20, Flag.NORMAL),
        ("fasting_glucose", 7.0, W20, Flag.HIGH),
        ("fasting_glucose", 5.0, W26, Flag.NORMAL),
        ("fasting_glucose", 5.1, W26, Flag.HIGH),
        ("fasting_glucose", 5.5, 24 * 7, Flag.HIGH),
        ("fasting_glucose", 5.5, 24 * 7 - 1, Flag.NORMAL),
        ("fasting_glucose", 6.2, None, Flag.HIGH),
        ("fasting_glucose", 3.2, W20, Flag.CRITICAL_LOW),
        ("fasting_glucose", 11.1, W20, Flag.CRITICAL_HIGH),
        # 75 g OGTT (GDM guideline 2022): 5.1 / 10.0 / 8.5, each "at or above".
        ("ogtt_0h", 5.0, W26, Flag.NORMAL),
        ("ogtt_0h", 5.1, W26, Flag.HIGH),
        ("ogtt_1h", 9.9, W26, Flag.NORMAL),
        ("ogtt_1h", 10.0, W26, Flag.HIGH),
        ("ogtt_2h", 8.4, W26, Flag.NORMAL),
        ("ogtt_2h", 8.5, W26, Flag.HIGH),
        # TSH: the first-trimester upper limit 4.0 only before 14 weeks.
        ("tsh", 4.1, W10, Flag.HIGH),
        ("tsh", 4.1, W20, Flag.NONE),
        # Ferritin below 20 in pregnancy (DOMAIN s.4).
        ("ferritin", 19, W20, Flag.LOW),
        ("ferritin", 20, W20, Flag.NORMAL),
        # Fetal heart rate 110-160; < 100 or > 180 critical.
        ("fetal_heart_rate", 110, W26, Flag.NORMAL),
        ("fetal_heart_rate", 108, W26, Flag.LOW),
        ("fetal_heart_rate", 99, W26, Flag.CRITICAL_LOW),
        ("fetal_heart_rate", 170, W26, Flag.HIGH),
        ("fetal_heart_rate", 181, W26, Flag.CRITICAL_HIGH),
        ("alt", 41, W20, Flag.HIGH),
        ("creatinine", 80, W20, Flag.HIGH),
    ],
)
def test_quantity_flags(code: str, number: float, ga_days: int | None, expected: Flag) -> None:
    flag, _range = flag_value(OBSERVATIONS[code], number=number, ga_days=ga_days)
    assert flag == expected


def test_pregnancy_range_names_its_source() -> None:
    chosen = range_for(OBSERVATIONS["hb"], ga_days=W20)
    assert chosen is not None
    assert (chosen.low, chosen.pregnancy) == (110, True)
    assert "WHO" in chosen.source and "国卫办妇幼发〔2017〕35号" in chosen.source
    adult = range_for(OBSERVATIONS["hb"], ga_days=None)
    assert adult is not None and (adult.low, adult.pregnancy) == (115, False)


def test_laboratory_range_used_only_without_a_pregnancy_range() -> None:
    # ALT has no pregnancy range: the laboratory's 0-35 wins over the table's 7-40.
    flag, chosen = flag_value(OBSERVATIONS["alt"], number=38, ga_days=W20, reported=(0, 35))
    assert flag == Flag.HIGH and chosen is not None and chosen.source == "laboratory"
    # Hb has one: the laboratory's 100-150 does not hide anaemia below 110.
    flag, chosen = flag_value(OBSERVATIONS["hb"], number=105, ga_days=W20, reported=(100, 150))
    assert flag == Flag.LOW and chosen is not None and chosen.low == 110


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        ("urine_protein", "negative", Flag.NORMAL),
        ("urine_protein", "trace", Flag.NORMAL),
        ("urine_protein", "1+", Flag.POSITIVE),
        ("urine_protein", "++", Flag.POSITIVE),
        ("urine_protein", "阴性", Flag.NORMAL),
        ("hbsag", "positive", Flag.POSITIVE),
        ("hbsag", "阳性", Flag.POSITIVE),
        ("hbsag", "negative", Flag.NORMAL),
        ("hiv", "NEG", Flag.NORMAL),
        ("syphilis", "+", Flag.POSITIVE),
        ("rh", "negative", Flag.POSITIVE),
        ("rh", "positive", Flag.NONE),
        ("abo", "AB", Flag.NONE),
        ("nst_result", "non_reactive", Flag.POSITIVE),
        ("nst_result", "reactive", Flag.NONE),
    ],
)
def test_qualitative_flags(code: str, text: str, expected: Flag) -> None:
    assert flag_value(OBSERVATIONS[code], text=text)[0] == expected


def test_written_finding_takes_the_reporters_reading() -> None:
    obs = OBSERVATIONS["ultrasound_finding"]
    assert flag_value(obs, text="Single live fetus")[0] == Flag.NORMAL
    assert flag_value(obs, text="Placenta praevia", reporter_abnormal=True)[0] == Flag.ABNORMAL


@pytest.mark.parametrize(
    ("code", "kwargs", "error"),
    [
        ("hb", {"number": 5}, "value_impossible"),
        ("hb", {"number": float("nan")}, "value_not_number"),
        ("hb", {}, "value_required"),
        ("fasting_glucose", {"number": 41}, "value_impossible"),
        ("urine_protein", {"text": "lots"}, "qualitative_unknown"),
        ("abo", {"text": "C"}, "category_unknown"),
    ],
)
def test_refused_values(code: str, kwargs: dict[str, object], error: str) -> None:
    with pytest.raises(LabValueError) as caught:
        flag_value(OBSERVATIONS[code], ga_days=W20, **kwargs)  # type: ignore[arg-type]
    assert caught.value.code == error


def test_screening_words_are_negative_or_positive() -> None:
    assert parse_qualitative(OBSERVATIONS["hbsag"], "2+") == "positive"
    assert parse_qualitative(OBSERVATIONS["hbsag"], "±") == "negative"
    assert parse_qualitative(OBSERVATIONS["urine_glucose"], "+++") == "3+"


def test_catalogue_is_consistent() -> None:
    for test in CATALOGUE.values():
        assert test.observations, test.code
        for code in test.observations:
            assert code in OBSERVATIONS, (test.code, code)
    for observation in OBSERVATIONS.values():
        if observation.kind == Kind.QUANTITY:
            assert observation.unit and observation.plausible, observation.code
        for r in observation.ranges:
            assert r.source and r.mark in {"V", "S", "P"}, observation.code
    assert CATALOGUE["ogtt"].preparation == Preparation.OGTT
    assert CATALOGUE["fasting_glucose"].preparation == Preparation.FASTING
    assert {
        "fbc",
        "urinalysis",
        "ogtt",
        "liver",
        "kidney",
        "thyroid",
        "hbsag",
        "hiv",
        "syphilis",
        "ultrasound",
        "nst",
    } <= set(CATALOGUE)


def test_loinc_only_from_domain_list() -> None:
    assert observation_by_loinc("718-7") == OBSERVATIONS["hb"]
    assert observation_by_loinc("5196-1") == OBSERVATIONS["hbsag"]
    assert observation_by_loinc("0000-0") is None


def test_the_sources_people_read_name_public_references_only() -> None:
    """A source is shown to clinicians beside a range or a rule: it names the guideline or
    standard, never a file of this project."""
    sources = [
        (name, r.source) for name, o in OBSERVATIONS.items() for r in o.ranges if r.source
    ] + [(name, o.critical_source) for name, o in OBSERVATIONS.items() if o.critical_source]
    assert sources
    assert [s for s in sources if ".md" in s[1] or "DOMAIN" in s[1]] == []
