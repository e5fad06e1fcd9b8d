"""What scheduling tells the apps above it (the consultation): a woman was received.

Sent inside the receiving transaction with `woman`, `clinician` (the user who accepted),
`reference` (the care-access reference, "appointment:<id>" or "queue:<id>") and either
`appointment` or `queue_entry`.
"""

from __future__ import annotations

from django.dispatch import Signal

request_received = Signal()
