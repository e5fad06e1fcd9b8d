"""Her page for what follows the payment of a prescription (pick-up or delivery), which an app
above prescribing keeps: that app registers a lookup from its `AppConfig.ready`, so
prescribing links the page without importing it (ARCHITECTURE: a hook owned by the lower app).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

AfterPaymentLink = Callable[[Any], str]

_lookups: list[AfterPaymentLink] = []


def register(lookup: AfterPaymentLink) -> None:
    """`lookup(prescription)` gives her page's path for it, or "" when it has none."""
    if lookup not in _lookups:
        _lookups.append(lookup)


def after_payment_link(prescription: Any) -> str:
    for lookup in _lookups:
        link = lookup(prescription)
        if link:
            return link
    return ""
