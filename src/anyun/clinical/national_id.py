"""Chinese national ID numbers (居民身份证号码).

Source: GB 11643-1999 as summarised in DOMAIN.md section 10 [V]: 6-digit region code,
YYYYMMDD birth date, 3-digit sequence (17th digit odd for men, even for women) and an
ISO 7064 MOD 11-2 check character. Old 15-digit numbers gain "19" before the year and a
computed check character.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from anyun.clinical.errors import clinical_error
from anyun.clinical.national_id_regions import (
    FOREIGN_PERMANENT_RESIDENCE_PREFIX,
    PROVINCE_PREFIXES,
    RESIDENCE_PERMIT_REGION_CODES,
)
from anyun.clinical.typed_numbers import LookalikeCharacterError, typed_number_fold

Sex = Literal["female", "male"]

FIELD: Final = "national_id"
CHECK_WEIGHTS: Final[tuple[int, ...]] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS: Final = "10X98765432"  # indexed by weighted sum mod 11
CURRENT_LENGTH: Final = 18
OLD_LENGTH: Final = 15
OLD_CENTURY: Final = "19"
ASCII_DIGITS: Final = frozenset("0123456789")

# Product policy from the project brief, hospital-configurable [P].
DEFAULT_MIN_AGE: Final = 14
DEFAULT_MAX_AGE: Final = 60


@dataclass(frozen=True)
class NationalId:
    """A parsed, valid national ID number (always the 18-character form)."""

    number: str
    region_code: str
    birth_date: date
    sex: Sex


def national_id_check_character(first_17_digits: str) -> str:
    """Check character for the first 17 digits (GB 11643-1999 [V])."""
    total = sum(
        int(digit) * weight for digit, weight in zip(first_17_digits, CHECK_WEIGHTS, strict=True)
    )
    return CHECK_CHARACTERS[total % 11]


def parse_national_id(raw: str, *, today: date) -> NationalId:
    """Validate and normalise a national ID number (GB 11643-1999 [V]).

    Whitespace is removed, full-width characters are folded to ASCII and ``x`` is
    upper-cased; any other digit (Arabic-Indic, superscript, ...) is refused as
    ``national_id_characters`` (see :func:`typed_number_fold`). A 15-digit number is
    upgraded to 18 characters. Raises
    :class:`ClinicalValueError` (field ``national_id``) with one of the codes
    ``national_id_empty``, ``national_id_length``, ``national_id_characters``,
    ``national_id_region``, ``national_id_birth_date`` or ``national_id_check_digit``.
    """
    try:
        compact = _compact(raw)
    except LookalikeCharacterError:
        raise clinical_error("national_id_characters", field=FIELD) from None
    if not compact:
        raise clinical_error("national_id_empty", field=FIELD)
    if len(compact) not in (OLD_LENGTH, CURRENT_LENGTH):
        raise clinical_error("national_id_length", field=FIELD, length=len(compact))
    if not _has_valid_characters(compact):
        raise clinical_error("national_id_characters", field=FIELD)
    number = _upgrade_old_number(compact) if len(compact) == OLD_LENGTH else compact
    _check_region(number[:6])
    birth_date = _birth_date(number[6:14], today=today)
    expected = national_id_check_character(number[:17])
    if number[17] != expected:
        raise clinical_error("national_id_check_digit", field=FIELD, expected=expected)
    return NationalId(
        number=number,
        region_code=number[:6],
        birth_date=birth_date,
        sex=_sex(number[16]),
    )


def age_on(birth_date: date, day: date) -> int:
    """Age in completed years on ``day``.

    Someone born on 29 February completes a year on 1 March in common years.
    """
    if day < birth_date:
        raise clinical_error(
            "date_before_birth", day=day.isoformat(), birth_date=birth_date.isoformat()
        )
    birthday_not_reached = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(birthday_not_reached)


def check_woman_eligible(
    nid: NationalId,
    *,
    today: date,
    min_age: int = DEFAULT_MIN_AGE,
    max_age: int = DEFAULT_MAX_AGE,
) -> None:
    """Refuse a number that cannot belong to a woman of the accepted age.

    Sex from the 17th digit (GB 11643-1999 [V]). The age limits, inclusive, are product
    policy from the project brief and hospital-configurable [P]. Codes:
    ``national_id_male``, ``age_out_of_range`` (params ``age``, ``min_age``, ``max_age``).
    """
    if nid.sex == "male":
        raise clinical_error("national_id_male", field=FIELD)
    age = age_on(nid.birth_date, today)
    if not min_age <= age <= max_age:
        raise clinical_error(
            "age_out_of_range", field=FIELD, age=age, min_age=min_age, max_age=max_age
        )


def _compact(raw: str) -> str:
    return "".join(typed_number_fold(raw).split()).upper()


def _has_valid_characters(number: str) -> bool:
    """Digits only, except that the check character of an 18-character number may be X."""
    if len(number) == OLD_LENGTH:
        return set(number) <= ASCII_DIGITS
    return set(number[:-1]) <= ASCII_DIGITS and number[-1] in CHECK_CHARACTERS


def _upgrade_old_number(old: str) -> str:
    first_17 = old[:6] + OLD_CENTURY + old[6:]
    return first_17 + national_id_check_character(first_17)


def _check_region(region_code: str) -> None:
    valid = (
        region_code[:2] in PROVINCE_PREFIXES
        or region_code in RESIDENCE_PERMIT_REGION_CODES
        or region_code.startswith(FOREIGN_PERMANENT_RESIDENCE_PREFIX)
    )
    if not valid:
        raise clinical_error("national_id_region", field=FIELD, region_code=region_code)


def _birth_date(yyyymmdd: str, *, today: date) -> date:
    error = clinical_error("national_id_birth_date", field=FIELD, birth_date=yyyymmdd)
    try:
        birth_date = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        raise error from None
    if birth_date > today:
        raise error
    return birth_date


def _sex(seventeenth_digit: str) -> Sex:
    return "male" if int(seventeenth_digit) % 2 else "female"
