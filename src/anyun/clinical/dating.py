"""Pregnancy dating: gestational age, EDD from LMP, ultrasound or IVF, and trimesters.

Source: DOMAIN.md section 2. Primary sources and marks are given beside each constant;
[S] and [P] values are hospital-configurable defaults.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal

from anyun.clinical.errors import clinical_error
from anyun.clinical.redating_table import REDATING_BANDS, RedatingBand

DAYS_PER_WEEK: Final = 7

# Naegele's rule: EDD = LMP + 280 days [S].
PREGNANCY_LENGTH_DAYS: Final = 280
# Cycle-length adjustment + (cycle - 28) days [P]; the accepted range is local policy [P].
REFERENCE_CYCLE_DAYS: Final = 28
MIN_CYCLE_DAYS: Final = 21
MAX_CYCLE_DAYS: Final = 45

# Crown-rump length to GA, INTERGROWTH-21st [V]:
# GA(days) = 40.9041 + 3.21585 * sqrt(CRL) + 0.348956 * CRL, CRL in mm, valid 15-95 mm.
CRL_INTERCEPT: Final = 40.9041
CRL_SQRT_COEFFICIENT: Final = 3.21585
CRL_LINEAR_COEFFICIENT: Final = 0.348956
MIN_CRL_MM: Final = 15.0
MAX_CRL_MM: Final = 95.0

# IVF: EDD = transfer date + 266 - embryo age in days [P]. The embryo-age range is a
# plausibility limit of this code, not a guideline value.
IVF_CONCEPTION_TO_EDD_DAYS: Final = 266
MIN_EMBRYO_AGE_DAYS: Final = 1
MAX_EMBRYO_AGE_DAYS: Final = 7

# Refuse an LMP more than 44 weeks ago for a current pregnancy (DOMAIN.md section 2).
MAX_LMP_AGE_WEEKS: Final = 44


@dataclass(frozen=True, order=True)
class GestationalAge:
    """Gestational age in completed days since the LMP (weeks = days // 7) [S]."""

    days: int

    def __post_init__(self) -> None:
        if self.days < 0:
            raise clinical_error("gestational_age_negative")

    @classmethod
    def from_weeks_days(cls, weeks: int, days: int) -> GestationalAge:
        """Build "weeks+days"; ``days`` must be 0-6."""
        if not 0 <= days < DAYS_PER_WEEK:
            raise clinical_error("gestational_age_day_range", days=days)
        return cls(weeks * DAYS_PER_WEEK + days)

    @property
    def weeks(self) -> int:
        return self.days // DAYS_PER_WEEK

    @property
    def day_of_week(self) -> int:
        return self.days % DAYS_PER_WEEK

    def __str__(self) -> str:
        return f"{self.weeks}+{self.day_of_week}"


# Trimester and term limits [P, documents differ]; preterm starts at 28+0 in China.
SECOND_TRIMESTER_START: Final = GestationalAge.from_weeks_days(14, 0)
THIRD_TRIMESTER_START: Final = GestationalAge.from_weeks_days(28, 0)
TERM_START: Final = GestationalAge.from_weeks_days(37, 0)
POST_TERM_START: Final = GestationalAge.from_weeks_days(42, 0)

# Plausible GA at an ultrasound scan: local policy from the project brief [P].
MIN_SCAN_GA: Final = GestationalAge.from_weeks_days(4, 0)
MAX_SCAN_GA: Final = GestationalAge.from_weeks_days(42, 0)

DatingMethod = Literal["lmp", "ultrasound"]
TermStatus = Literal["preterm_early", "preterm", "term", "post_term"]


@dataclass(frozen=True)
class Dating:
    """The chosen EDD and how it was chosen.

    ``discrepancy_days`` is signed: ``ultrasound_edd - lmp_edd`` (positive when the
    scan gives a later EDD). It and ``threshold_days`` are set only when both EDDs
    were compared.
    """

    edd: date
    method: DatingMethod
    lmp_edd: date | None
    ultrasound_edd: date | None
    discrepancy_days: int | None
    threshold_days: int | None


def edd_from_lmp(lmp: date, *, cycle_length_days: int = REFERENCE_CYCLE_DAYS) -> date:
    """EDD by Naegele's rule, LMP + 280 days [S], plus (cycle - 28) days [P].

    The cycle length must be 21-45 days (local policy [P]), else ``cycle_length_range``.
    """
    if not MIN_CYCLE_DAYS <= cycle_length_days <= MAX_CYCLE_DAYS:
        raise clinical_error(
            "cycle_length_range",
            field="cycle_length_days",
            cycle_length_days=cycle_length_days,
            min_days=MIN_CYCLE_DAYS,
            max_days=MAX_CYCLE_DAYS,
        )
    adjustment = cycle_length_days - REFERENCE_CYCLE_DAYS
    return lmp + timedelta(days=PREGNANCY_LENGTH_DAYS + adjustment)


def ga_days_from_crl(crl_mm: float) -> int:
    """GA in days from crown-rump length, INTERGROWTH-21st [V], rounded half up.

    Valid for 15-95 mm, else ``crl_range``.
    """
    if not MIN_CRL_MM <= crl_mm <= MAX_CRL_MM:
        raise clinical_error(
            "crl_range", field="crl_mm", crl_mm=crl_mm, min_mm=MIN_CRL_MM, max_mm=MAX_CRL_MM
        )
    sqrt_term = CRL_SQRT_COEFFICIENT * math.sqrt(crl_mm)
    days = CRL_INTERCEPT + sqrt_term + CRL_LINEAR_COEFFICIENT * crl_mm
    return math.floor(days + 0.5)


def edd_from_ultrasound(scan_date: date, ga_at_scan: GestationalAge) -> date:
    """EDD when the scan shows ``ga_at_scan``: scan date + (280 - GA days) [S]."""
    return scan_date + timedelta(days=PREGNANCY_LENGTH_DAYS - ga_at_scan.days)


def ivf_edd(transfer_date: date, embryo_age_days: int) -> date:
    """EDD after embryo transfer: transfer date + 266 - embryo age in days [P].

    Day-5 blastocyst: +261; day-3 embryo: +263. Embryo age 1-7 days, else
    ``embryo_age_range``.
    """
    if not MIN_EMBRYO_AGE_DAYS <= embryo_age_days <= MAX_EMBRYO_AGE_DAYS:
        raise clinical_error(
            "embryo_age_range",
            field="embryo_age_days",
            embryo_age_days=embryo_age_days,
            min_days=MIN_EMBRYO_AGE_DAYS,
            max_days=MAX_EMBRYO_AGE_DAYS,
        )
    return transfer_date + timedelta(days=IVF_CONCEPTION_TO_EDD_DAYS - embryo_age_days)


def gestational_age_on(edd: date, day: date) -> GestationalAge:
    """GA on ``day`` for a pregnancy due on ``edd``: 280 - (EDD - day) days [S].

    Raises ``gestational_age_negative`` for a day before the dated LMP.
    """
    return GestationalAge(PREGNANCY_LENGTH_DAYS - (edd - day).days)


def redating_threshold_days(
    ga_at_scan: GestationalAge, *, bands: Sequence[RedatingBand] = REDATING_BANDS
) -> int | None:
    """Largest EDD difference (days) that keeps LMP dating, ACOG CO 700 [P].

    From 28+0 this returns 21: ACOG discourages redating that late, so the caller
    decides whether to offer it at all. ``None`` is returned only when ``bands`` (a
    hospital override, sorted by ``from_weeks``) has no band for ``ga_at_scan``,
    meaning "do not redate".
    """
    threshold: int | None = None
    for band in bands:
        if ga_at_scan.weeks >= band.from_weeks:
            threshold = band.threshold_days
    return threshold


def choose_dating(
    *,
    lmp_edd: date | None,
    ultrasound_edd: date | None,
    ga_at_scan: GestationalAge | None,
    threshold_override_days: int | None = None,
) -> Dating:
    """Choose between LMP and ultrasound dating (DOMAIN.md section 2).

    Ultrasound replaces LMP dating when the EDDs differ by more than the threshold [S]
    (``threshold_override_days`` if given, else the ACOG CO 700 band for
    ``ga_at_scan`` [P]). Only one EDD given: that one is used. Neither:
    ``dating_missing``. Both but no GA at scan and no override: ``scan_ga_missing``.
    """
    if ultrasound_edd is None:
        if lmp_edd is None:
            raise clinical_error("dating_missing")
        return _dating(lmp_edd, "lmp", lmp_edd=lmp_edd, ultrasound_edd=None)
    if lmp_edd is None:
        return _dating(ultrasound_edd, "ultrasound", lmp_edd=None, ultrasound_edd=ultrasound_edd)

    threshold = _comparison_threshold(ga_at_scan, threshold_override_days)
    discrepancy = (ultrasound_edd - lmp_edd).days
    use_ultrasound = threshold is not None and abs(discrepancy) > threshold
    return Dating(
        edd=ultrasound_edd if use_ultrasound else lmp_edd,
        method="ultrasound" if use_ultrasound else "lmp",
        lmp_edd=lmp_edd,
        ultrasound_edd=ultrasound_edd,
        discrepancy_days=discrepancy,
        threshold_days=threshold,
    )


def validate_lmp(lmp: date, *, today: date) -> None:
    """Refuse an LMP in the future or more than 44 weeks ago (DOMAIN.md section 2).

    Exactly 44+0 weeks ago is accepted. Codes ``lmp_in_future``, ``lmp_too_old``.
    """
    if lmp > today:
        raise clinical_error("lmp_in_future", field="lmp")
    if (today - lmp).days > MAX_LMP_AGE_WEEKS * DAYS_PER_WEEK:
        raise clinical_error("lmp_too_old", field="lmp", max_weeks=MAX_LMP_AGE_WEEKS)


def validate_scan(scan_date: date, ga_at_scan: GestationalAge, *, today: date) -> None:
    """Refuse a scan in the future or a GA at scan outside 4+0 to 42+0 (local policy [P]).

    Codes ``scan_in_future`` (field ``scan_date``), ``scan_ga_range`` (field ``ga_at_scan``).
    """
    if scan_date > today:
        raise clinical_error("scan_in_future", field="scan_date")
    if not MIN_SCAN_GA <= ga_at_scan <= MAX_SCAN_GA:
        raise clinical_error(
            "scan_ga_range",
            field="ga_at_scan",
            ga=str(ga_at_scan),
            min_ga=str(MIN_SCAN_GA),
            max_ga=str(MAX_SCAN_GA),
        )


def trimester(ga: GestationalAge) -> int:
    """1 below 14+0, 2 from 14+0 to 27+6, 3 from 28+0 (DOMAIN.md section 2 [P])."""
    if ga < SECOND_TRIMESTER_START:
        return 1
    if ga < THIRD_TRIMESTER_START:
        return 2
    return 3


def term_status(ga: GestationalAge) -> TermStatus:
    """Term status (DOMAIN.md section 2 [P]; Chinese preterm lower bound 28+0).

    ``preterm_early`` below 28+0, ``preterm`` 28+0 to 36+6, ``term`` 37+0 to 41+6,
    ``post_term`` from 42+0.
    """
    if ga < THIRD_TRIMESTER_START:
        return "preterm_early"
    if ga < TERM_START:
        return "preterm"
    if ga < POST_TERM_START:
        return "term"
    return "post_term"


def _comparison_threshold(
    ga_at_scan: GestationalAge | None, threshold_override_days: int | None
) -> int | None:
    if threshold_override_days is not None:
        if threshold_override_days < 0:
            raise clinical_error(
                "redating_threshold_range",
                field="threshold_override_days",
                threshold_days=threshold_override_days,
            )
        return threshold_override_days
    if ga_at_scan is None:
        raise clinical_error("scan_ga_missing", field="ga_at_scan")
    return redating_threshold_days(ga_at_scan)


def _dating(
    edd: date, method: DatingMethod, *, lmp_edd: date | None, ultrasound_edd: date | None
) -> Dating:
    return Dating(
        edd=edd,
        method=method,
        lmp_edd=lmp_edd,
        ultrasound_edd=ultrasound_edd,
        discrepancy_days=None,
        threshold_days=None,
    )
