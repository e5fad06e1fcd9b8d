"""INTERGROWTH-21st symphysis-fundal height, Papageorghiou et al., BMJ 2016;355:i5662 [V]."""

import math

import pytest

from anyun.clinical.errors import ClinicalValueError
from anyun.clinical.sfh import (
    SFH_Z,
    sfh_centile,
    sfh_mean,
    sfh_p10,
    sfh_p50,
    sfh_p90,
    sfh_sd,
    sfh_z_score,
)


@pytest.mark.parametrize(
    ("ga_weeks", "p10", "p50", "p90"),
    [
        (40, 35.4, 38.0, 40.5),  # DOMAIN.md section 5 check values
        (28, 25.5, 27.7, 29.9),
    ],
)
def test_intergrowth_check_values(ga_weeks: float, p10: float, p50: float, p90: float) -> None:
    """INTERGROWTH-21st [V]: the published check values to 0.1 cm."""
    assert (round(sfh_p10(ga_weeks), 1), round(sfh_p50(ga_weeks), 1)) == (p10, p50)
    assert round(sfh_p90(ga_weeks), 1) == p90


def test_intergrowth_equations() -> None:
    """INTERGROWTH-21st [V]: mean and SD follow the published equations."""
    ga = 33.5
    expected_mean = 5.133374 + 0.1058353119 * ga**2 - 0.0231295 * ga**2 * math.log(ga)
    assert sfh_mean(ga) == pytest.approx(expected_mean, abs=1e-12)
    assert sfh_sd(ga) == pytest.approx(0.9922667 + 0.0258087 * ga, abs=1e-12)
    assert sfh_centile(ga, 0) == sfh_mean(ga)
    assert sfh_centile(ga, SFH_Z["P97"]) == pytest.approx(
        sfh_mean(ga) + 1.8808 * sfh_sd(ga), abs=1e-12
    )


def test_intergrowth_z_constants() -> None:
    """INTERGROWTH-21st [V]: P3/P10/P90/P97 z values."""
    assert dict(SFH_Z) == {"P3": -1.8808, "P10": -1.2816, "P50": 0.0, "P90": 1.2816, "P97": 1.8808}


def test_intergrowth_z_score_inverts_the_centile() -> None:
    """INTERGROWTH-21st [V]: the z-score of the P90 is the P90 z."""
    assert sfh_z_score(30, sfh_p90(30)) == pytest.approx(1.2816, abs=1e-12)


@pytest.mark.parametrize("ga_weeks", [16, 16.0001, 41.99, 42])
def test_intergrowth_valid_range(ga_weeks: float) -> None:
    """INTERGROWTH-21st [V]: 16 to 42 weeks inclusive."""
    assert sfh_p10(ga_weeks) < sfh_p50(ga_weeks) < sfh_p90(ga_weeks)


@pytest.mark.parametrize("ga_weeks", [15.99, 42.01, 0, -1, float("nan"), float("inf")])
def test_intergrowth_refuses_ga_outside_range(ga_weeks: float) -> None:
    """INTERGROWTH-21st [V] is valid only for 16-42 weeks."""
    for function in (sfh_mean, sfh_sd, sfh_p10, sfh_p50, sfh_p90):
        with pytest.raises(ClinicalValueError) as caught:
            function(ga_weeks)
        assert (caught.value.code, caught.value.field) == ("sfh_ga_range", "ga_weeks")


def test_intergrowth_range_error_message() -> None:
    with pytest.raises(ClinicalValueError) as caught:
        sfh_p50(43)
    assert caught.value.params == {"ga_weeks": 43, "min_weeks": 16.0, "max_weeks": 42.0}
    assert str(caught.value) == "The fundal-height reference covers 16.0 to 42.0 weeks; got 43."
