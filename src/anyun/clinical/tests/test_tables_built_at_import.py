"""The clinical tables built when their module is imported, built once more under test.

`RED_FLAGS` (DOMAIN.md section 6), `SAFE_RANGES` (local policy [P]), the five-colour risk
tables (国卫办妇幼发〔2017〕35号 附件1 and 附件2) and the scales' demonstration wording are made
by helper functions while the module is imported, before any test runs. Executing a fresh copy of the
module here makes those helpers run inside a test, so a wrong helper (a dropped field, a
default changed) fails it; the copy must give the same table, row by row, as the module the
application imports (whose rows the other tests check against DOMAIN.md).
"""

from __future__ import annotations

import dataclasses
import importlib.util
from types import ModuleType

from anyun.clinical import alarm_thresholds, red_flags, risk_tables, scales


def _fresh_copy(module: ModuleType) -> ModuleType:
    spec = importlib.util.find_spec(module.__name__)
    assert spec is not None and spec.loader is not None
    copy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(copy)
    return copy


def test_the_red_flag_table_built_afresh_is_the_same() -> None:
    fresh = _fresh_copy(red_flags)
    assert [dataclasses.astuple(flag) for flag in fresh.RED_FLAGS] == [
        dataclasses.astuple(flag) for flag in red_flags.RED_FLAGS
    ]
    assert fresh.SAFETY_PATHWAY_SYMPTOMS == red_flags.SAFETY_PATHWAY_SYMPTOMS
    assert [str(flag.group) for flag in fresh.RED_FLAGS] == [
        str(flag.group) for flag in red_flags.RED_FLAGS
    ]


def test_the_safe_ranges_built_afresh_are_the_same() -> None:
    fresh = _fresh_copy(alarm_thresholds)
    assert fresh.SAFE_RANGES == alarm_thresholds.SAFE_RANGES


def test_the_risk_tables_built_afresh_are_the_same() -> None:
    fresh = _fresh_copy(risk_tables)
    for table in ("SCREENING_ITEMS", "GRADING_ITEMS"):
        assert [dataclasses.astuple(item) for item in getattr(fresh, table)] == [
            dataclasses.astuple(item) for item in getattr(risk_tables, table)
        ]


def test_the_demonstration_wording_built_afresh_is_the_same() -> None:
    def rows(wording: object) -> dict[str, dict[str, tuple[object, ...]]]:
        return {
            str(instrument): {
                language: dataclasses.astuple(text) for language, text in by_language.items()
            }
            for instrument, by_language in wording.items()  # type: ignore[attr-defined]
        }

    assert rows(_fresh_copy(scales).DEMO_WORDING) == rows(scales.DEMO_WORDING)
