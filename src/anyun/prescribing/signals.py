"""Signals prescribing sends for the apps above it (ARCHITECTURE: news goes upward by signal).

`prescription_paid`: billing took the payment for an approved prescription (sent from
`payable.on_paid`, inside billing's transaction). Arguments: `prescription`, `order` (the
billing PaymentOrder, whose lines say whether she asked for delivery).
`prescription_refunded`: the payment was refunded (`payable.on_refunded`); `prescription`.
"""

from __future__ import annotations

from django.dispatch import Signal

prescription_paid = Signal()
prescription_refunded = Signal()
