import math
from datetime import date, timedelta

import pytest

from anyun.clinical.dating import (
    Dating,
    GestationalAge,
    choose_dating,
    edd_from_lmp,
    edd_from_ultrasound,
    ga_days_from_crl,
    gestational_age_on,
    ivf_edd,
    redating_threshold_days,
    term_status,
    trimester,
    validate_lmp,
    validate_scan,
)
from anyun.clinical.errors import ClinicalValueError
from anyun.clinical.redating_table import RedatingBand

TODAY = date(2026, 3, 1)
LMP = date(2026, 1, 1)
EDD = date(2026, 10, 8)


def ga(weeks: int, days: int = 0) -> GestationalAge:
    return GestationalAge.from_weeks_days(weeks, days)


# --- GestationalAge ---


def test_gestational_age_parts_and_text() -> None:
    age = ga(12, 3)
    assert age.days == 87
    assert (age.weeks, age.day_of_week) == (12, 3)
    assert str(age) == "12+3"
    assert str(GestationalAge(0)) == "0+0"
    assert str(GestationalAge(280)) == "40+0"


def test_gestational_age_refuses_bad_parts() -> None:
    with pytest.raises(ClinicalValueError) as caught:
        GestationalAge.from_weeks_days(12, 7)
    assert caught.value.code == "gestational_age_day_range"
    assert caught.value.params == {"days": 7}
    with pytest.raises(ClinicalValueError) as caught:
        GestationalAge(-1)
    assert caught.value.code == "gestational_age_negative"


# --- EDD from LMP ---


def test_edd_from_lmp_naegele() -> None:
    assert edd_from_lmp(LMP) == EDD


@pytest.mark.parametrize(
    ("cycle", "edd"),
    [(21, date(2026, 10, 1)), (28, EDD), (35, date(2026, 10, 15)), (45, date(2026, 10, 25))],
)
def test_edd_from_lmp_cycle_adjustment(cycle: int, edd: date) -> None:
    assert edd_from_lmp(LMP, cycle_length_days=cycle) == edd


@pytest.mark.parametrize("cycle", [20, 46])
def test_edd_from_lmp_cycle_out_of_range(cycle: int) -> None:
    with pytest.raises(ClinicalValueError) as caught:
        edd_from_lmp(LMP, cycle_length_days=cycle)
    assert caught.value.code == "cycle_length_range"
    assert caught.value.field == "cycle_length_days"
    assert caught.value.params == {"cycle_length_days": cycle, "min_days": 21, "max_days": 45}


# --- GA on a date ---


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 1), "0+0"),
        (date(2026, 1, 7), "0+6"),
        (date(2026, 1, 8), "1+0"),
        (date(2026, 3, 26), "12+0"),
        (date(2026, 3, 29), "12+3"),
        (date(2026, 4, 9), "14+0"),
        (date(2026, 10, 8), "40+0"),
        (date(2026, 10, 22), "42+0"),
    ],
)
def test_gestational_age_on(day: date, expected: str) -> None:
    assert str(gestational_age_on(EDD, day)) == expected


def test_gestational_age_before_lmp_refused() -> None:
    with pytest.raises(ClinicalValueError) as caught:
        gestational_age_on(EDD, date(2025, 12, 31))
    assert caught.value.code == "gestational_age_negative"


# --- Ultrasound ---


def _intergrowth_days(crl_mm: float) -> float:
    return 40.9041 + 3.21585 * math.sqrt(crl_mm) + 0.348956 * crl_mm


def test_crl_45_mm() -> None:
    # 40.9041 + 3.21585 * 6.7082 + 0.348956 * 45 = 78.18 days
    assert _intergrowth_days(45) == pytest.approx(78.1797, abs=1e-4)
    assert ga_days_from_crl(45) == 78
    assert str(GestationalAge(ga_days_from_crl(45))) == "11+1"


@pytest.mark.parametrize(("crl_mm", "days"), [(15, 59), (15.0, 59), (95, 105), (60.5, 87)])
def test_crl_rounds_to_nearest_day(crl_mm: float, days: int) -> None:
    assert ga_days_from_crl(crl_mm) == days
    assert abs(_intergrowth_days(crl_mm) - days) <= 0.5


@pytest.mark.parametrize("crl_mm", [14.9, 95.1, 0, float("nan")])
def test_crl_out_of_range(crl_mm: float) -> None:
    with pytest.raises(ClinicalValueError) as caught:
        ga_days_from_crl(crl_mm)
    assert caught.value.code == "crl_range"
    assert caught.value.field == "crl_mm"


def test_edd_from_ultrasound() -> None:
    assert edd_from_ultrasound(date(2026, 3, 29), ga(12, 3)) == EDD
    assert edd_from_ultrasound(date(2026, 3, 29), ga(12, 0)) == date(2026, 10, 11)


@pytest.mark.parametrize(
    ("weeks", "days", "threshold"),
    [
        (6, 0, 5),
        (8, 6, 5),
        (9, 0, 7),
        (13, 6, 7),
        (14, 0, 7),
        (15, 6, 7),
        (16, 0, 10),
        (21, 6, 10),
        (22, 0, 14),
        (27, 6, 14),
        (28, 0, 21),
        (40, 0, 21),
    ],
)
def test_redating_thresholds(weeks: int, days: int, threshold: int) -> None:
    assert redating_threshold_days(ga(weeks, days)) == threshold


def test_redating_threshold_none_when_override_table_has_no_band() -> None:
    bands = (RedatingBand(from_weeks=0, threshold_days=5),)
    assert redating_threshold_days(ga(20), bands=bands) == 5
    late_only = (RedatingBand(from_weeks=14, threshold_days=7),)
    assert redating_threshold_days(ga(13, 6), bands=late_only) is None


# --- choose_dating ---


def test_choose_dating_keeps_lmp_at_threshold() -> None:
    ultrasound_edd = EDD + timedelta(days=7)
    assert choose_dating(lmp_edd=EDD, ultrasound_edd=ultrasound_edd, ga_at_scan=ga(10)) == Dating(
        edd=EDD,
        method="lmp",
        lmp_edd=EDD,
        ultrasound_edd=ultrasound_edd,
        discrepancy_days=7,
        threshold_days=7,
    )


@pytest.mark.parametrize("difference", [8, -8])
def test_choose_dating_uses_ultrasound_beyond_threshold(difference: int) -> None:
    ultrasound_edd = EDD + timedelta(days=difference)
    assert choose_dating(lmp_edd=EDD, ultrasound_edd=ultrasound_edd, ga_at_scan=ga(10)) == Dating(
        edd=ultrasound_edd,
        method="ultrasound",
        lmp_edd=EDD,
        ultrasound_edd=ultrasound_edd,
        discrepancy_days=difference,
        threshold_days=7,
    )


def test_choose_dating_first_band_threshold_is_5() -> None:
    at_five = choose_dating(
        lmp_edd=EDD, ultrasound_edd=EDD - timedelta(days=5), ga_at_scan=ga(8, 6)
    )
    assert (at_five.method, at_five.edd, at_five.threshold_days) == ("lmp", EDD, 5)
    six = EDD - timedelta(days=6)
    beyond = choose_dating(lmp_edd=EDD, ultrasound_edd=six, ga_at_scan=ga(8, 6))
    assert (beyond.method, beyond.edd, beyond.discrepancy_days) == ("ultrasound", six, -6)


def test_choose_dating_threshold_override() -> None:
    five = EDD + timedelta(days=5)
    six = EDD + timedelta(days=6)
    kept = choose_dating(
        lmp_edd=EDD, ultrasound_edd=five, ga_at_scan=ga(12), threshold_override_days=5
    )
    assert (kept.method, kept.edd, kept.threshold_days) == ("lmp", EDD, 5)
    redated = choose_dating(
        lmp_edd=EDD, ultrasound_edd=six, ga_at_scan=None, threshold_override_days=5
    )
    assert (redated.method, redated.edd, redated.threshold_days) == ("ultrasound", six, 5)


def test_choose_dating_with_one_source() -> None:
    assert choose_dating(lmp_edd=EDD, ultrasound_edd=None, ga_at_scan=None) == Dating(
        edd=EDD,
        method="lmp",
        lmp_edd=EDD,
        ultrasound_edd=None,
        discrepancy_days=None,
        threshold_days=None,
    )
    assert choose_dating(lmp_edd=None, ultrasound_edd=EDD, ga_at_scan=ga(10)) == Dating(
        edd=EDD,
        method="ultrasound",
        lmp_edd=None,
        ultrasound_edd=EDD,
        discrepancy_days=None,
        threshold_days=None,
    )


def test_choose_dating_refusals() -> None:
    with pytest.raises(ClinicalValueError) as caught:
        choose_dating(lmp_edd=None, ultrasound_edd=None, ga_at_scan=None)
    assert caught.value.code == "dating_missing"
    with pytest.raises(ClinicalValueError) as caught:
        choose_dating(lmp_edd=EDD, ultrasound_edd=EDD, ga_at_scan=None)
    assert caught.value.code == "scan_ga_missing"
    with pytest.raises(ClinicalValueError) as caught:
        choose_dating(
            lmp_edd=EDD, ultrasound_edd=EDD, ga_at_scan=ga(10), threshold_override_days=-1
        )
    assert caught.value.code == "redating_threshold_range"


# --- validation ---


def test_lmp_today_and_44_weeks_ago_accepted() -> None:
    validate_lmp(TODAY, today=TODAY)
    validate_lmp(TODAY - timedelta(days=44 * 7), today=TODAY)


def test_lmp_in_future_refused() -> None:
    with pytest.raises(ClinicalValueError) as caught:
        validate_lmp(TODAY + timedelta(days=1), today=TODAY)
    assert (caught.value.code, caught.value.field) == ("lmp_in_future", "lmp")


def test_lmp_older_than_44_weeks_refused() -> None:
    with pytest.raises(ClinicalValueError) as caught:
        validate_lmp(TODAY - timedelta(days=44 * 7 + 1), today=TODAY)
    assert (caught.value.code, caught.value.field) == ("lmp_too_old", "lmp")
    assert caught.value.params == {"max_weeks": 44}


@pytest.mark.parametrize("age", [ga(4, 0), ga(12, 3), ga(42, 0)])
def test_scan_accepted(age: GestationalAge) -> None:
    validate_scan(TODAY, age, today=TODAY)


def test_scan_in_future_refused() -> None:
    with pytest.raises(ClinicalValueError) as caught:
        validate_scan(TODAY + timedelta(days=1), ga(12), today=TODAY)
    assert (caught.value.code, caught.value.field) == ("scan_in_future", "scan_date")


@pytest.mark.parametrize("age", [ga(3, 6), ga(42, 1)])
def test_scan_ga_out_of_range(age: GestationalAge) -> None:
    with pytest.raises(ClinicalValueError) as caught:
        validate_scan(TODAY, age, today=TODAY)
    assert (caught.value.code, caught.value.field) == ("scan_ga_range", "ga_at_scan")
    assert caught.value.params == {"ga": str(age), "min_ga": "4+0", "max_ga": "42+0"}


# --- trimester and term ---


@pytest.mark.parametrize(
    ("weeks", "days", "expected"),
    [(0, 0, 1), (13, 6, 1), (14, 0, 2), (27, 6, 2), (28, 0, 3), (42, 0, 3)],
)
def test_trimester(weeks: int, days: int, expected: int) -> None:
    assert trimester(ga(weeks, days)) == expected


@pytest.mark.parametrize(
    ("weeks", "days", "expected"),
    [
        (27, 6, "preterm_early"),
        (28, 0, "preterm"),
        (36, 6, "preterm"),
        (37, 0, "term"),
        (41, 6, "term"),
        (42, 0, "post_term"),
    ],
)
def test_term_status(weeks: int, days: int, expected: str) -> None:
    assert term_status(ga(weeks, days)) == expected


# --- IVF ---


def test_ivf_edd() -> None:
    transfer = date(2026, 1, 20)
    assert ivf_edd(transfer, 5) == transfer + timedelta(days=261)
    assert ivf_edd(transfer, 5) == date(2026, 10, 8)
    assert ivf_edd(transfer, 3) == date(2026, 10, 10)


@pytest.mark.parametrize("embryo_age", [0, 8])
def test_ivf_embryo_age_out_of_range(embryo_age: int) -> None:
    with pytest.raises(ClinicalValueError) as caught:
        ivf_edd(date(2026, 1, 20), embryo_age)
    assert (caught.value.code, caught.value.field) == ("embryo_age_range", "embryo_age_days")


@pytest.mark.parametrize(("embryo_age", "days"), [(1, 265), (7, 259)])
def test_ivf_embryo_ages_1_and_7_are_accepted(embryo_age: int, days: int) -> None:
    transfer = date(2026, 1, 20)
    assert ivf_edd(transfer, embryo_age) == transfer + timedelta(days=days)


def test_ivf_embryo_age_refusal_names_the_limits() -> None:
    with pytest.raises(ClinicalValueError) as caught:
        ivf_edd(date(2026, 1, 20), 8)
    assert caught.value.params == {"embryo_age_days": 8, "min_days": 1, "max_days": 7}
    assert str(caught.value) == "The embryo age at transfer must be 1 to 7 days; got 8."


def test_crl_refusal_names_the_limits() -> None:
    with pytest.raises(ClinicalValueError) as caught:
        ga_days_from_crl(95.1)
    assert caught.value.params == {"crl_mm": 95.1, "min_mm": 15.0, "max_mm": 95.0}


def test_redating_override_of_0_days_redates_on_any_difference() -> None:
    one_day_later = EDD + timedelta(days=1)
    redated = choose_dating(
        lmp_edd=EDD, ultrasound_edd=one_day_later, ga_at_scan=None, threshold_override_days=0
    )
    assert (redated.method, redated.edd, redated.threshold_days) == (
        "ultrasound",
        one_day_later,
        0,
    )
    same = choose_dating(
        lmp_edd=EDD, ultrasound_edd=EDD, ga_at_scan=None, threshold_override_days=0
    )
    assert (same.method, same.edd, same.discrepancy_days, same.threshold_days) == ("lmp", EDD, 0, 0)


def test_refused_redating_override_names_its_field() -> None:
    with pytest.raises(ClinicalValueError) as caught:
        choose_dating(
            lmp_edd=EDD, ultrasound_edd=EDD, ga_at_scan=ga(10), threshold_override_days=-1
        )
    assert (caught.value.field, caught.value.params) == (
        "threshold_override_days",
        {"threshold_days": -1},
    )


def test_missing_scan_ga_names_its_field() -> None:
    with pytest.raises(ClinicalValueError) as caught:
        choose_dating(lmp_edd=EDD, ultrasound_edd=EDD, ga_at_scan=None)
    assert caught.value.field == "ga_at_scan"
