"""Region codes accepted at the start of a national ID number.

Sources: province-level prefixes of GB/T 2260 as listed in the project brief (not in
DOMAIN.md, so [P], hospital-configurable); residence permits for Hong Kong, Macau and
Taiwan residents (810000/820000/830000) and foreigners' permanent residence ID (leading
9) from DOMAIN.md section 10 [V].
"""

from __future__ import annotations

from typing import Final

PROVINCE_PREFIXES: Final[frozenset[str]] = frozenset(
    {
        *(str(code) for code in range(11, 16)),  # 11-15 North
        *(str(code) for code in range(21, 24)),  # 21-23 North-east
        *(str(code) for code in range(31, 38)),  # 31-37 East
        *(str(code) for code in range(41, 47)),  # 41-46 Central-south
        *(str(code) for code in range(50, 55)),  # 50-54 South-west
        *(str(code) for code in range(61, 66)),  # 61-65 North-west
        "71",  # Taiwan
    }
)

RESIDENCE_PERMIT_REGION_CODES: Final[frozenset[str]] = frozenset({"810000", "820000", "830000"})

FOREIGN_PERMANENT_RESIDENCE_PREFIX: Final[str] = "9"
