"""Where a risk fact can come from besides her pregnancy record: a small registry that apps
above this one fill in their ``AppConfig.ready`` (orders gives her latest Hb, platelets, Rh and
infection screens from the laboratory reports it records), so the grading form pre-fills them
with their source while this app imports nothing of theirs (docs/architecture.md).

A source is a function ``(woman, pregnancy) -> list[SourcedFact]``; it reads only, and gives
for each fact the value the latest result of this pregnancy holds."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger("anyun.assessment")


@dataclass(frozen=True)
class SourcedFact:
    """One fact's value (a RiskFacts name in ``selectors.ENTERED_FACTS``), when it was taken,
    and the words that say where it came from (e.g. "Lab report: Full blood count")."""

    name: str
    value: Any
    taken_at: dt.datetime
    label: str
    ref: str = ""


FactSource = Callable[[Any, Any], list[SourcedFact]]

_SOURCES: dict[str, FactSource] = {}


def register(name: str, source: FactSource) -> None:
    """Add a fact source under a name (registering the same name again replaces it)."""
    _SOURCES[name] = source


def sourced_facts(woman: Any, pregnancy: Any) -> dict[str, SourcedFact]:
    """The newest value of each fact over every registered source (fact name -> value). A
    source that fails is logged and skipped: the grading form still opens."""
    newest: dict[str, SourcedFact] = {}
    for name, source in _SOURCES.items():
        try:
            found = source(woman, pregnancy)
        except Exception:  # another app's read must not close the grading page
            logger.exception("Risk fact source %s failed.", name)
            continue
        for fact in found:
            held = newest.get(fact.name)
            if held is None or fact.taken_at > held.taken_at:
                newest[fact.name] = fact
    return newest
