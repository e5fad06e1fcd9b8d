"""The consultation listens to scheduling: a received request opens its consultation."""

from __future__ import annotations

from typing import Any

from anyun.accounts.models import User
from anyun.consultation.services import consultation_open
from anyun.scheduling.models import Appointment, QueueEntry


def on_request_received(
    sender: Any,
    *,
    woman: User,
    clinician: User,
    reference: str,
    appointment: Appointment | None = None,
    queue_entry: QueueEntry | None = None,
    **kwargs: Any,
) -> None:
    consultation_open(
        woman=woman,
        clinician=clinician,
        reference=reference,
        appointment=appointment,
        queue_entry=queue_entry,
    )
