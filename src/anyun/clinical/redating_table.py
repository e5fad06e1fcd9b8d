"""When early ultrasound dating replaces LMP dating.

Source: ACOG Committee Opinion 700 (2017), as given in DOMAIN.md section 2 [P]
(hospital-configurable; many Chinese clinicians use ">5 days in the first trimester" [S]).
Each band starts at ``from_weeks``+0 and runs to the day before the next band; ultrasound
replaces LMP dating when the two EDDs differ by more than ``threshold_days``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class RedatingBand:
    """Threshold for a scan done from ``from_weeks``+0 up to the next band."""

    from_weeks: int
    threshold_days: int


REDATING_BANDS: Final[tuple[RedatingBand, ...]] = (
    RedatingBand(from_weeks=0, threshold_days=5),  # up to 8+6
    RedatingBand(from_weeks=9, threshold_days=7),  # 9+0 to 13+6
    RedatingBand(from_weeks=14, threshold_days=7),  # 14+0 to 15+6
    RedatingBand(from_weeks=16, threshold_days=10),  # 16+0 to 21+6
    RedatingBand(from_weeks=22, threshold_days=14),  # 22+0 to 27+6
    RedatingBand(from_weeks=28, threshold_days=21),  # 28+0 on: late redating discouraged
)
