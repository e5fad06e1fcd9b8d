"""Typed numbers: full-width forms fold to ASCII; every other stand-in for a digit is refused."""

from __future__ import annotations

from datetime import date

import pytest

from anyun.clinical.errors import ClinicalValueError
from anyun.clinical.national_id import parse_national_id
from anyun.clinical.typed_numbers import (
    LookalikeCharacterError,
    is_ascii_digits,
    typed_number_fold,
)

TODAY = date(2025, 6, 1)
NID = "11010519491231002X"  # DOMAIN.md section 10 test vector


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("13800000001", "13800000001"),
        ("13８０００００００１", "13800000001"),
        ("\u3000１３８\u00a0", "138"),  # ideographic and no-break spaces around
        ("＋８６ １３８－０", "+86 138-0"),  # inner space kept for the caller's format
        ("ｘＸ", "xX"),
        ("粤母婴 2023-118", "粤母婴 2023-118"),
        ("〇一二", "〇一二"),  # Chinese numerals are words, not digits: left as typed
        ("", ""),
    ],
)
def test_full_width_forms_fold_and_the_rest_is_kept(raw: str, folded: str) -> None:
    assert typed_number_fold(raw) == folded


@pytest.mark.parametrize(
    "char",
    [
        "\u0663",  # ARABIC-INDIC DIGIT THREE: NFKC keeps it
        "\u06f3",  # EXTENDED ARABIC-INDIC DIGIT THREE
        "\u0969",  # DEVANAGARI DIGIT THREE
        "\u00b3",  # SUPERSCRIPT THREE: NFKC turns it into "3"
        "\u2083",  # SUBSCRIPT THREE
        "\u2462",  # CIRCLED DIGIT THREE
        "\U0001d7d1",  # MATHEMATICAL BOLD DIGIT THREE
        "\u2169",  # ROMAN NUMERAL TEN: NFKC turns it into "X"
        "\u2179",  # SMALL ROMAN NUMERAL TEN
    ],
)
def test_other_digits_are_refused(char: str) -> None:
    with pytest.raises(LookalikeCharacterError) as caught:
        typed_number_fold(f"138{char}0000001")
    assert str(caught.value) == f"U+{ord(char):04X} in a typed number"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0123456789", True), ("", False), ("１２３", False), ("²", False), ("١٢٣", False)],
)
def test_is_ascii_digits_is_zero_to_nine_only(text: str, expected: bool) -> None:
    assert is_ascii_digits(text) is expected


@pytest.mark.parametrize(
    "raw",
    [
        "".join("⁰¹²³⁴⁵⁶⁷⁸⁹"[int(c)] if c.isdigit() else c for c in NID),
        NID[:5] + "⁵" + NID[6:],  # one superscript digit: NFKC alone would accept it
        NID[:-1] + "Ⅹ",
        NID[:-1] + "ⅹ",
        "".join(chr(0x660 + int(c)) if c.isdigit() else c for c in NID),
    ],
)
def test_national_id_refuses_other_digits(raw: str) -> None:
    with pytest.raises(ClinicalValueError) as caught:
        parse_national_id(raw, today=TODAY)
    assert (caught.value.code, caught.value.field) == ("national_id_characters", "national_id")


def test_full_width_national_id_is_the_ascii_number() -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in NID.lower())
    assert parse_national_id(full_width, today=TODAY).number == NID
