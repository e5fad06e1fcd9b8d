"""What monitoring tells the apps above it (they connect in their AppConfig.ready)."""

from __future__ import annotations

from django.dispatch import Signal

# A first high blood pressure was confirmed by a repeat reading: sent with `alarm`, `woman` and
# `reading` (the confirming repeat), inside the transaction that confirmed it.
bp_confirmed = Signal()
