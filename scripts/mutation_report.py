"""Per-module mutation score of the clinical core, read from mutmut's results in mutants/.

Run by `make mutation` after `mutmut run`. A mutant counts as killed when a test failed or the
run timed out (the mutant broke the code badly enough to loop); every other verdict is listed.
The score is killed / total per module and for the whole core.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

KILLED = {"killed", "timeout", "caught by type check"}
SOURCE = Path("mutants/src/anyun/clinical")


def main() -> int:
    metas = sorted(SOURCE.glob("*.py.meta"))
    if not metas:
        print("No results in mutants/: run `mutmut run` first.", file=sys.stderr)
        return 1
    rows = []
    totals: Counter[str] = Counter()
    for meta in metas:
        exit_codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        if not exit_codes:
            continue
        counts = Counter(status_by_exit_code[code] for code in exit_codes.values())
        totals.update(counts)
        rows.append((meta.name.removesuffix(".py.meta"), counts))
    print(f"{'module':<22} {'killed':>7} {'total':>6} {'score':>7}  other")
    for name, counts in [*rows, ("all", totals)]:
        killed = sum(counts[status] for status in KILLED)
        total = sum(counts.values())
        other = ", ".join(
            f"{status} {count}" for status, count in sorted(counts.items()) if status not in KILLED
        )
        print(f"{name:<22} {killed:>7} {total:>6} {100 * killed / total:>6.1f}%  {other}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
