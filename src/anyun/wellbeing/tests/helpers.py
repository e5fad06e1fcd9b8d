"""Answers that give a chosen result: option indexes in each scale's order."""

from __future__ import annotations

from anyun.clinical.scales import SCALES, Instrument

# EPDS items 1, 2, 4 score 0..3 top-down (option = points); items 3, 5-10 score 3..0.
_EPDS_UP = {1, 2, 4}


def epds_option(item: int, points: int) -> int:
    return points if item in _EPDS_UP else 3 - points


def epds(points: list[int]) -> dict[int, int]:
    """EPDS answers that score `points` (ten values, item 1 first)."""
    assert len(points) == 10
    return {n: epds_option(n, p) for n, p in enumerate(points, start=1)}


def flat(instrument: Instrument, points: list[int]) -> dict[int, int]:
    """PHQ-9 / GAD-7 answers (option = points)."""
    assert len(points) == len(SCALES[instrument].items)
    return dict(enumerate(points, start=1))


def form_data(answers: dict[int, int], key: str = "") -> dict[str, str]:
    data = {f"item_{n}": str(option) for n, option in answers.items()}
    if key:
        data["idempotency_key"] = key
    return data
