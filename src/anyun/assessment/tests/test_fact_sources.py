"""The fact-source registry: the newest value of a fact over the sources wins, and a source
that fails is skipped (the grading page still opens)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from anyun.assessment import fact_sources
from anyun.assessment.fact_sources import SourcedFact

EARLY = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
LATE = EARLY + dt.timedelta(days=2)


@pytest.fixture
def only_these(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    sources: dict[str, Any] = {}
    monkeypatch.setattr(fact_sources, "_SOURCES", sources)
    return sources


def test_the_newest_value_wins_over_sources(only_these: dict[str, Any]) -> None:
    fact_sources.register("a", lambda w, p: [SourcedFact("hb_g_l", 100.0, EARLY, "A")])
    fact_sources.register(
        "b",
        lambda w, p: [
            SourcedFact("hb_g_l", 95.0, LATE, "B"),
            SourcedFact("platelets", 90.0, EARLY, "B"),
        ],
    )
    found = fact_sources.sourced_facts(None, None)
    assert {k: (f.value, f.label) for k, f in found.items()} == {
        "hb_g_l": (95.0, "B"),
        "platelets": (90.0, "B"),
    }


def test_a_failing_source_is_skipped_and_logged(
    only_these: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    def broken(woman: Any, pregnancy: Any) -> list[SourcedFact]:
        raise RuntimeError("down")

    fact_sources.register("broken", broken)
    fact_sources.register("ok", lambda w, p: [SourcedFact("platelets", 90.0, EARLY, "ok")])
    found = fact_sources.sourced_facts(None, None)
    assert list(found) == ["platelets"]
    assert "Risk fact source broken failed." in caplog.text
