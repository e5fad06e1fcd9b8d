import pytest

from anyun.clinical.anthropometry import (
    WEIGHT_GAIN_TABLE,
    BmiCategory,
    WeightGainRecommendation,
    bmi,
    bmi_category,
    validate_height_cm,
    validate_weight_kg,
    weight_gain_band,
)
from anyun.clinical.dating import GestationalAge
from anyun.clinical.errors import ClinicalValueError


def ga(weeks: int, days: int = 0) -> GestationalAge:
    return GestationalAge.from_weeks_days(weeks, days)


@pytest.mark.parametrize(
    ("height_cm", "weight_kg", "expected"),
    [
        (160, 60, 23.4),  # 23.4375
        (170, 65, 22.5),  # 22.491
        (150, 41.6, 18.5),  # 18.489
        (200, 97, 24.3),  # exactly 24.25: half up, not to even
    ],
)
def test_bmi(height_cm: float, weight_kg: float, expected: float) -> None:
    assert bmi(height_cm=height_cm, weight_kg=weight_kg) == expected


def test_bmi_validates_inputs() -> None:
    with pytest.raises(ClinicalValueError) as caught:
        bmi(height_cm=300, weight_kg=60)
    assert (caught.value.code, caught.value.field) == ("height_range", "height_cm")
    with pytest.raises(ClinicalValueError) as caught:
        bmi(height_cm=160, weight_kg=0)
    assert (caught.value.code, caught.value.field) == ("weight_range", "weight_kg")


@pytest.mark.parametrize("height_cm", [100, 160.5, 220])
def test_height_accepted(height_cm: float) -> None:
    validate_height_cm(height_cm)


@pytest.mark.parametrize("height_cm", [300, 99.9, 220.1, float("nan")])
def test_height_refused(height_cm: float) -> None:
    with pytest.raises(ClinicalValueError) as caught:
        validate_height_cm(height_cm)
    assert (caught.value.code, caught.value.field) == ("height_range", "height_cm")


def test_height_refusal_message() -> None:
    with pytest.raises(ClinicalValueError) as caught:
        validate_height_cm(300)
    assert caught.value.params == {"height_cm": 300, "min_cm": 100.0, "max_cm": 220.0}
    assert str(caught.value) == "The height must be 100.0 to 220.0 cm; got 300."


@pytest.mark.parametrize("weight_kg", [25, 62.3, 250])
def test_weight_accepted(weight_kg: float) -> None:
    validate_weight_kg(weight_kg)


@pytest.mark.parametrize("weight_kg", [24.9, 250.1, -1, float("inf")])
def test_weight_refused(weight_kg: float) -> None:
    with pytest.raises(ClinicalValueError) as caught:
        validate_weight_kg(weight_kg)
    assert (caught.value.code, caught.value.field) == ("weight_range", "weight_kg")


@pytest.mark.parametrize(
    ("value", "category"),
    [
        (12.0, BmiCategory.UNDERWEIGHT),
        (18.4, BmiCategory.UNDERWEIGHT),
        (18.5, BmiCategory.NORMAL),
        (23.9, BmiCategory.NORMAL),
        (24.0, BmiCategory.OVERWEIGHT),
        (27.9, BmiCategory.OVERWEIGHT),
        (28.0, BmiCategory.OBESE),
        (45.0, BmiCategory.OBESE),
    ],
)
def test_bmi_category(value: float, category: BmiCategory) -> None:
    assert bmi_category(value) is category


def test_bmi_category_values_are_strings() -> None:
    assert [str(c) for c in BmiCategory] == ["underweight", "normal", "overweight", "obese"]


@pytest.mark.parametrize("value", [0.0, -5.0, float("nan")])
def test_bmi_category_refuses_impossible_bmi(value: float) -> None:
    with pytest.raises(ClinicalValueError) as caught:
        bmi_category(value)
    assert caught.value.code == "bmi_range"


def test_weight_gain_table_matches_ws_t_801() -> None:
    assert dict(WEIGHT_GAIN_TABLE) == {
        BmiCategory.UNDERWEIGHT: WeightGainRecommendation(
            (11.0, 16.0), (0.0, 2.0), 0.46, (0.37, 0.56)
        ),
        BmiCategory.NORMAL: WeightGainRecommendation((8.0, 14.0), (0.0, 2.0), 0.37, (0.26, 0.48)),
        BmiCategory.OVERWEIGHT: WeightGainRecommendation(
            (7.0, 11.0), (0.0, 2.0), 0.30, (0.22, 0.37)
        ),
        BmiCategory.OBESE: WeightGainRecommendation((5.0, 9.0), (0.0, 2.0), 0.22, (0.15, 0.30)),
    }


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (ga(0), (0.0, 2.0)),
        (ga(10), (0.0, 2.0)),
        (ga(13, 6), (0.0, 2.0)),
        (ga(14), (0.0, 2.0)),
        (ga(15), (0.26, 2.48)),
        (ga(20), (1.56, 4.88)),  # 6 weeks: 0 + 0.26 * 6, 2 + 0.48 * 6
        (ga(20, 3), (1.67, 5.09)),  # 6 3/7 weeks
        (ga(40), (6.76, 14.48)),
    ],
)
def test_weight_gain_band_normal_bmi(age: GestationalAge, band: tuple[float, float]) -> None:
    assert weight_gain_band(BmiCategory.NORMAL, age) == band


def test_weight_gain_band_other_categories_at_20_weeks() -> None:
    assert weight_gain_band(BmiCategory.UNDERWEIGHT, ga(20)) == (2.22, 5.36)
    assert weight_gain_band(BmiCategory.OVERWEIGHT, ga(20)) == (1.32, 4.22)
    assert weight_gain_band(BmiCategory.OBESE, ga(20)) == (0.9, 3.8)


def test_weight_gain_band_with_hospital_table() -> None:
    table = {BmiCategory.NORMAL: WeightGainRecommendation((8.0, 14.0), (0.5, 1.5), 0.4, (0.3, 0.5))}
    assert weight_gain_band(BmiCategory.NORMAL, ga(10), table=table) == (0.5, 1.5)
    assert weight_gain_band(BmiCategory.NORMAL, ga(24), table=table) == (3.5, 6.5)


def test_weight_refusal_message() -> None:
    with pytest.raises(ClinicalValueError) as caught:
        validate_weight_kg(250.1)
    assert caught.value.params == {"weight_kg": 250.1, "min_kg": 25.0, "max_kg": 250.0}
    assert str(caught.value) == "The weight must be 25.0 to 250.0 kg; got 250.1."


def test_any_positive_bmi_has_a_category() -> None:
    assert bmi_category(0.1) is BmiCategory.UNDERWEIGHT
    assert bmi_category(1.0) is BmiCategory.UNDERWEIGHT


def test_bmi_refusal_names_the_field_and_value() -> None:
    with pytest.raises(ClinicalValueError) as caught:
        bmi_category(-5.0)
    assert (caught.value.field, caught.value.params) == ("bmi", {"bmi": -5.0})
