"""Badges shown beside a woman's name on monitoring's workstation pages, from apps above
monitoring (the risk colour of assessment). Each provider registers in its app's
``AppConfig.ready`` and is asked once per page for all the women on it: one read, however many
rows."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from django.utils.safestring import SafeString

# woman pk -> the badge's rendered HTML (a SafeString, escaped by its renderer)
BadgeProvider = Callable[[Collection[int]], Mapping[int, SafeString]]

_providers: list[BadgeProvider] = []


def register(provider: BadgeProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def badges_for(woman_ids: Collection[int]) -> dict[int, list[SafeString]]:
    """Every registered badge of each woman, in registration order."""
    found: dict[int, list[SafeString]] = {pk: [] for pk in woman_ids}
    if not woman_ids:
        return found
    for provider in _providers:
        for pk, badge in provider(woman_ids).items():
            found.setdefault(pk, []).append(badge)
    return found


def badges_of(woman: Any) -> list[SafeString]:
    """Her badges, for a page about one woman (its heading)."""
    return badges_for({woman.pk})[woman.pk]


def with_badges(rows: list[dict[str, Any]], woman_of: Callable[[dict[str, Any]], Any]) -> None:
    """Put `badges` on each row (a worklist row) from one read for all their women."""
    badges = badges_for({woman_of(row).pk for row in rows})
    for row in rows:
        row["badges"] = badges.get(woman_of(row).pk, [])
