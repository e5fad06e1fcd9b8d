"""What the pregnancy record tells the apps above it (they connect in their AppConfig.ready)."""

from __future__ import annotations

from django.dispatch import Signal

# Her known conditions changed: sent with `pregnancy`, `added` and `ended` (diagnosis codes),
# inside the transaction that changed them.
diagnoses_changed = Signal()
