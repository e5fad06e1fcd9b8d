from datetime import date

import pytest

from anyun.clinical.errors import ClinicalValueError
from anyun.clinical.national_id import (
    NationalId,
    age_on,
    check_woman_eligible,
    national_id_check_character,
    parse_national_id,
)

TODAY = date(2026, 3, 1)


def _refusal(raw: str) -> ClinicalValueError:
    with pytest.raises(ClinicalValueError) as caught:
        parse_national_id(raw, today=TODAY)
    assert caught.value.field == "national_id"
    return caught.value


def test_female_test_vector() -> None:
    assert parse_national_id("11010519491231002X", today=TODAY) == NationalId(
        number="11010519491231002X",
        region_code="110105",
        birth_date=date(1949, 12, 31),
        sex="female",
    )


def test_male_test_vector() -> None:
    assert parse_national_id("440524188001010014", today=TODAY) == NationalId(
        number="440524188001010014",
        region_code="440524",
        birth_date=date(1880, 1, 1),
        sex="male",
    )


def test_lower_case_x_is_upper_cased() -> None:
    assert parse_national_id("11010519491231002x", today=TODAY).number == "11010519491231002X"


def test_spaces_and_full_width_characters_are_normalised() -> None:
    raw = " 110105 19491231 002x\u3000"
    assert parse_national_id(raw, today=TODAY).number == "11010519491231002X"
    full_width = "１１０１０５１９４９１２３１００２ｘ"
    assert parse_national_id(full_width, today=TODAY).number == "11010519491231002X"


def test_old_15_digit_number_is_upgraded_with_computed_check_character() -> None:
    # 110105 + 19 + 491231 + 002 -> weighted sum mod 11 = 2 -> "X"
    female = parse_national_id("110105491231002", today=TODAY)
    assert female.number == "11010519491231002X"
    assert female.birth_date == date(1949, 12, 31)
    assert female.sex == "female"
    # 440524 + 19 + 800101 + 001 -> weighted sum mod 11 = 9 -> "3"
    male = parse_national_id("440524800101001", today=TODAY)
    assert male.number == "440524198001010013"
    assert male.sex == "male"


def test_check_character_table() -> None:
    assert national_id_check_character("11010519491231002") == "X"
    assert national_id_check_character("44052418800101001") == "4"
    assert national_id_check_character("44052419800101001") == "3"


def test_wrong_check_digit_names_the_expected_character() -> None:
    error = _refusal("110105194912310021")
    assert error.code == "national_id_check_digit"
    assert error.params == {"expected": "X"}
    assert str(error) == "The check digit should be X."
    assert _refusal("440524188001010015").params == {"expected": "4"}


@pytest.mark.parametrize("raw", ["", "   ", "\u3000"])
def test_empty(raw: str) -> None:
    assert _refusal(raw).code == "national_id_empty"


@pytest.mark.parametrize(
    ("raw", "length"),
    [("11010519491231002", 17), ("11010519491231002X1", 19), ("11010549123100", 14)],
)
def test_wrong_length(raw: str, length: int) -> None:
    error = _refusal(raw)
    assert error.code == "national_id_length"
    assert error.params == {"length": length}


@pytest.mark.parametrize(
    "raw",
    ["11010519491231002A", "1101051949123100X2", "11010549123100X", "11010519491231-02X"],
)
def test_non_digit_characters(raw: str) -> None:
    assert _refusal(raw).code == "national_id_characters"


@pytest.mark.parametrize(
    "region_code", ["000105", "100105", "160105", "240105", "810001", "660105"]
)
def test_bad_region_code(region_code: str) -> None:
    error = _refusal(region_code + "19491231002X")
    assert error.code == "national_id_region"
    assert error.params == {"region_code": region_code}


@pytest.mark.parametrize(
    "number",
    [
        "810000199001010027",  # Hong Kong residence permit
        "830000199001010020",  # Taiwan residence permit
        "910000199001010020",  # foreigner's permanent residence ID
        "150105199001010026",  # province prefix 15
        "650105199001010024",  # province prefix 65
        "710000199001010023",  # Taiwan province prefix
    ],
)
def test_accepted_region_codes(number: str) -> None:
    assert parse_national_id(number, today=TODAY).number == number


def test_impossible_birth_date() -> None:
    error = _refusal("110105202302300024")
    assert error.code == "national_id_birth_date"
    assert error.params == {"birth_date": "20230230"}


def test_future_birth_date_refused_and_today_accepted() -> None:
    error = _refusal("110105202603020026")
    assert error.code == "national_id_birth_date"
    assert error.params == {"birth_date": "20260302"}
    born_today = parse_national_id("110105202603010020", today=TODAY)
    assert born_today.birth_date == TODAY


def _woman_born(birth_date: date) -> NationalId:
    return NationalId(
        number="110105000000000000", region_code="110105", birth_date=birth_date, sex="female"
    )


@pytest.mark.parametrize(
    ("today", "age"),
    [(date(2014, 2, 28), 13), (date(2014, 3, 1), 14), (date(2060, 2, 29), 59)],
)
def test_age_on(today: date, age: int) -> None:
    assert age_on(date(2000, 3, 1), today) == age


def test_age_on_leap_day_birthday() -> None:
    assert age_on(date(2004, 2, 29), date(2022, 2, 28)) == 17
    assert age_on(date(2004, 2, 29), date(2022, 3, 1)) == 18


def test_age_on_before_birth_refused() -> None:
    with pytest.raises(ClinicalValueError) as caught:
        age_on(date(2000, 3, 1), date(2000, 2, 29))
    assert caught.value.code == "date_before_birth"


@pytest.mark.parametrize(
    ("birth_date", "age"),
    [
        (date(2012, 3, 2), 13),
        (date(2012, 3, 1), 14),
        (date(1966, 3, 1), 60),
        (date(1965, 3, 1), 61),
    ],
)
def test_eligibility_age_limits(birth_date: date, age: int) -> None:
    assert age_on(birth_date, TODAY) == age
    woman = _woman_born(birth_date)
    if 14 <= age <= 60:
        check_woman_eligible(woman, today=TODAY)
        return
    with pytest.raises(ClinicalValueError) as caught:
        check_woman_eligible(woman, today=TODAY)
    assert caught.value.code == "age_out_of_range"
    assert caught.value.field == "national_id"
    assert caught.value.params == {"age": age, "min_age": 14, "max_age": 60}
    assert str(caught.value) == f"Age {age} is outside the accepted range of 14 to 60 years."


def test_eligibility_with_hospital_limits() -> None:
    woman = _woman_born(date(2013, 3, 1))  # 13 on TODAY
    check_woman_eligible(woman, today=TODAY, min_age=12, max_age=55)


def test_male_number_refused() -> None:
    man = parse_national_id("440524188001010014", today=TODAY)
    with pytest.raises(ClinicalValueError) as caught:
        check_woman_eligible(man, today=TODAY)
    assert caught.value.code == "national_id_male"
    assert caught.value.field == "national_id"


def test_female_test_vector_is_eligible_by_sex_but_too_old() -> None:
    woman = parse_national_id("11010519491231002X", today=TODAY)
    with pytest.raises(ClinicalValueError) as caught:
        check_woman_eligible(woman, today=TODAY)
    assert caught.value.code == "age_out_of_range"
    assert caught.value.params["age"] == 76


# GB 11643-1999 [V]: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, sum mod 11 -> "10X98765432".
# A single 1 at position i leaves w_i as the sum, so the check is "10X98765432"[w_i]; a single
# 9 leaves 9 * w_i mod 11. Worked out by hand from the standard, position by position.
CHECK_FOR_A_ONE_AT = "532748X069532748X"
CHECK_FOR_A_NINE_AT = "48X069532748X0695"


@pytest.mark.parametrize("position", range(17))
def test_every_check_weight(position: int) -> None:
    digits = ["0"] * 17
    digits[position] = "1"
    assert national_id_check_character("".join(digits)) == CHECK_FOR_A_ONE_AT[position]
    digits[position] = "9"
    assert national_id_check_character("".join(digits)) == CHECK_FOR_A_NINE_AT[position]


def test_check_character_needs_exactly_17_digits() -> None:
    with pytest.raises(ValueError, match="zip"):
        national_id_check_character("1101051949123100")
    with pytest.raises(ValueError, match="zip"):
        national_id_check_character("110105194912310021")


PROVINCE_RANGES = [(11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65), (71, 71)]


def _number_in_region(region_code: str) -> str:
    first_17 = region_code + "19900101002"
    return first_17 + national_id_check_character(first_17)


@pytest.mark.parametrize(
    "prefix", [p for low, high in PROVINCE_RANGES for p in range(low, high + 1)]
)
def test_every_province_prefix_is_accepted(prefix: int) -> None:
    number = _number_in_region(f"{prefix}0105")
    assert parse_national_id(number, today=TODAY).region_code == f"{prefix}0105"


@pytest.mark.parametrize(
    "prefix", [10, 16, 20, 24, 30, 38, 40, 47, 49, 55, 60, 66, 70, 72, 80, 81, 82, 83, 89]
)
def test_every_province_range_ends_at_its_limits(prefix: int) -> None:
    error = _refusal(_number_in_region(f"{prefix}0105"))
    assert (error.code, error.params) == ("national_id_region", {"region_code": f"{prefix}0105"})


def test_numbers_holding_every_digit_are_accepted() -> None:
    # All ten digits in the first 17 (and in an old 15-digit number): only non-digits are refused.
    current = _number_in_region("110105")[:6] + "19870923463"
    current += national_id_check_character(current)
    assert parse_national_id(current, today=TODAY).number == current
    old = parse_national_id("110105870923462", today=TODAY)
    assert old.number == "11010519870923462" + national_id_check_character("11010519870923462")
    assert (old.birth_date, old.sex) == (date(1987, 9, 23), "female")


def test_age_on_the_birth_day_is_zero() -> None:
    assert age_on(date(2000, 3, 1), date(2000, 3, 1)) == 0
    assert age_on(date(2000, 3, 1), date(2001, 3, 1)) == 1


def test_before_birth_names_both_dates() -> None:
    with pytest.raises(ClinicalValueError) as caught:
        age_on(date(2000, 3, 1), date(2000, 2, 29))
    assert caught.value.params == {"day": "2000-02-29", "birth_date": "2000-03-01"}
    assert str(caught.value) == "The date 2000-02-29 is before the birth date 2000-03-01."
