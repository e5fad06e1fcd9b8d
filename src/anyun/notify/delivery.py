"""Delivering the outbox: one attempt at a time under a row lock, retries with back-off, dead
after MAX_ATTEMPTS, and the sweep that recovers deliveries whose job was lost.

The queue job of an attempt is written by `requeue` (`anyun.notify.tasks.delivery_enqueue`,
passed in by the caller), so this module sits below the tasks that run it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from anyun.core.worker import job_is_live
from anyun.notify.adapters import (
    PermanentDeliveryError,
    deliver_through_channel,
    deliver_through_channels,
)
from anyun.notify.models import OPEN_STATES, Delivery, DeliveryState

logger = logging.getLogger("anyun.notify")

MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 30
BACKOFF_FACTOR = 4
BACKOFF_CAP_SECONDS = 3600
# While an attempt is in flight its delivery is not due for this long, so a duplicate job
# skips it. If the worker dies mid-send, its job runs again once its lease has run out and
# takes the attempt over; failing that, the sweep retries once the claim has run out.
CLAIM_SECONDS = 300
SWEEP_BATCH = 500
_ERROR_MAX_CHARS = 1000


class Requeue(Protocol):
    """Queue an attempt at `delivery` (now, or at `run_after`) and remember its job on it."""

    def __call__(self, delivery: Delivery, *, run_after: datetime | None = None) -> None: ...


def retry_delay(attempts: int) -> timedelta:
    """Back-off after the `attempts`-th failed attempt: 30 s, 2 min, 8 min, 32 min, 1 h (cap)."""
    seconds = BACKOFF_BASE_SECONDS * BACKOFF_FACTOR ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, BACKOFF_CAP_SECONDS))


def delivery_attempt(
    *, delivery_id: int, requeue: Requeue, resuming_job: uuid.UUID | None = None
) -> str:
    """Try one delivery once. Returns "sent", "retry", "dead" or "skipped".

    Safe to run twice and concurrently: the delivery is claimed under a row lock (state open,
    due now; attempts + 1, not due again for CLAIM_SECONDS), the channel is called with no
    lock or transaction held, and the outcome is recorded under the lock again. A failure
    schedules the next attempt with exponential back-off through `requeue` (the queue's job,
    written in the transaction that records the failure);
    after MAX_ATTEMPTS failures, or a failure retrying cannot fix, the delivery is dead.

    `resuming_job`: the id of the job running this attempt, when that job runs again because
    the worker of its earlier run died. If the delivery's current job is that job, an attempt
    still in flight can only be the dead run's, so it is taken over now instead of after
    CLAIM_SECONDS. A delivery that was sent, or that a later job owns, is left alone.
    """
    claimed = _delivery_claim(delivery_id, resuming_job=resuming_job)
    if claimed is None:
        return "skipped"
    delivery, attempt = claimed
    try:
        reference = deliver_through_channel(delivery)
    except PermanentDeliveryError as exc:
        return _delivery_record_failure(
            delivery.pk, attempt=attempt, exc=exc, permanent=True, requeue=requeue
        )
    except Exception as exc:
        # Whatever the provider raised is recorded and retried; never lost, never re-raised.
        return _delivery_record_failure(
            delivery.pk, attempt=attempt, exc=exc, permanent=False, requeue=requeue
        )
    return _delivery_record_success(delivery.pk, reference=reference)


def deliveries_attempt_unqueued(*, notification_ids: Sequence[int], requeue: Requeue) -> int:
    """Attempt together, once, the open deliveries of these notifications that have no job
    (written to be delivered at once by the caller, after its transaction committed).
    Returns how many were sent (`_deliveries_attempt`)."""
    now = timezone.now()
    return _deliveries_attempt(
        Q(notification_id__in=notification_ids, job_id__isnull=True, next_attempt_at__lte=now),
        now=now,
        requeue=requeue,
    )


def deliveries_attempt_job(
    *, delivery_ids: Sequence[int], job_id: uuid.UUID, resuming: bool, requeue: Requeue
) -> int:
    """The queue job `job_id` attempts its batch of deliveries: each one that is due, and, when
    the job runs again because its first worker died (`resuming`), each one this job still owns
    whose attempt that worker had claimed (as `delivery_attempt` does for one). Returns how
    many were sent."""
    now = timezone.now()
    due = Q(next_attempt_at__lte=now)
    if resuming:
        due |= Q(job_id=job_id)
    return _deliveries_attempt(Q(pk__in=delivery_ids) & due, now=now, requeue=requeue)


def _deliveries_attempt(which: Q, *, now: datetime, requeue: Requeue) -> int:
    """Attempt together, once, the open deliveries `which` selects: one claim under the row
    locks for all of them (attempts + 1, not due again for CLAIM_SECONDS, as
    `delivery_attempt` does), the channels called with no lock held, and the successes
    recorded in one statement; a failure is recorded and retried as in `delivery_attempt`.
    Rows another attempt holds are skipped. Returns how many were sent."""
    with transaction.atomic():
        claimed = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("notification", "notification__recipient")
            .filter(which, state__in=OPEN_STATES, next_attempt_at__isnull=False)
            .order_by("pk")
        )
        if not claimed:
            return 0
        Delivery.objects.filter(pk__in=[d.pk for d in claimed]).update(
            attempts=F("attempts") + 1, next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS)
        )
    plain: list[int] = []
    sent = 0
    for delivery in claimed:
        delivery.attempts += 1
    for delivery, reference in zip(claimed, deliver_through_channels(claimed), strict=True):
        if isinstance(reference, Exception):
            _delivery_record_failure(
                delivery.pk,
                attempt=delivery.attempts,
                exc=reference,
                permanent=isinstance(reference, PermanentDeliveryError),
                requeue=requeue,
            )
            continue
        if reference or delivery.redact_after_send:
            sent += _delivery_record_success(delivery.pk, reference=reference) == "sent"
        else:
            plain.append(delivery.pk)
    if plain:
        sent += Delivery.objects.filter(pk__in=plain, state__in=OPEN_STATES).update(
            state=DeliveryState.SENT,
            sent_at=timezone.now(),
            next_attempt_at=None,
            provider_reference="",
            last_error="",
        )
    return sent


def _delivery_claim(
    delivery_id: int, *, resuming_job: uuid.UUID | None
) -> tuple[Delivery, int] | None:
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("notification", "notification__recipient")
            .filter(pk=delivery_id)
            .first()
        )
        if (
            delivery is None
            or delivery.state not in OPEN_STATES
            or delivery.next_attempt_at is None
            or (delivery.next_attempt_at > now and not _resumes(delivery, resuming_job))
        ):
            return None
        delivery.attempts += 1
        delivery.next_attempt_at = now + timedelta(seconds=CLAIM_SECONDS)
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    return delivery, delivery.attempts


def _resumes(delivery: Delivery, resuming_job: uuid.UUID | None) -> bool:
    return resuming_job is not None and delivery.job_id == resuming_job


def _delivery_record_success(delivery_id: int, *, reference: str) -> str:
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.state == DeliveryState.SENT:
            return "skipped"
        delivery.state = DeliveryState.SENT
        delivery.sent_at = timezone.now()
        delivery.next_attempt_at = None
        delivery.provider_reference = reference[:128]
        delivery.last_error = ""
        fields = ["state", "sent_at", "next_attempt_at", "provider_reference", "last_error"]
        if delivery.redact_after_send:
            delivery.text = ""
            fields.append("text")
        delivery.save(update_fields=fields)
    return "sent"


def _delivery_record_failure(
    delivery_id: int, *, attempt: int, exc: Exception, permanent: bool, requeue: Requeue
) -> str:
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.state not in OPEN_STATES or delivery.attempts != attempt:
            return "skipped"  # settled meanwhile, or a later attempt owns it now
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:_ERROR_MAX_CHARS]
        if permanent or delivery.attempts >= MAX_ATTEMPTS:
            delivery.state = DeliveryState.DEAD
            delivery.next_attempt_at = None
            fields = ["state", "next_attempt_at", "last_error"]
            if delivery.redact_after_send:
                delivery.text = ""
                fields.append("text")
            delivery.save(update_fields=fields)
            logger.warning(
                "Delivery %s (%s) given up after %s attempts: %s",
                delivery.pk,
                delivery.channel,
                delivery.attempts,
                delivery.last_error,
            )
            return "dead"
        delivery.state = DeliveryState.FAILED
        delivery.next_attempt_at = timezone.now() + retry_delay(delivery.attempts)
        delivery.save(update_fields=["state", "next_attempt_at", "last_error"])
        requeue(delivery, run_after=delivery.next_attempt_at)
    logger.info(
        "Delivery %s (%s) attempt %s failed; next at %s",
        delivery_id,
        delivery.channel,
        attempt,
        delivery.next_attempt_at,
    )
    return "retry"


def deliveries_redeliver_due(*, requeue: Requeue) -> int:
    """Queue a job for every open delivery that is due and has no live job. Returns how many.

    Recovers deliveries whose job was lost (a worker died mid-attempt, a job failed). Set-based;
    safe to run twice or concurrently: rows are locked (SKIP LOCKED where the database has it)
    and a delivery with a waiting or running job is never picked.
    """
    total = 0
    while True:
        with transaction.atomic():
            due = list(
                Delivery.objects.select_for_update(skip_locked=True)
                .filter(state__in=OPEN_STATES, next_attempt_at__lte=timezone.now())
                .filter(~job_is_live())
                .order_by("next_attempt_at", "pk")[:SWEEP_BATCH]
            )
            for delivery in due:
                requeue(delivery)
        total += len(due)
        # Another batch only if this one was full and its jobs are now visible as live
        # (a backend that gives no job ids would otherwise pick the same rows forever).
        if len(due) < SWEEP_BATCH or any(d.job_id is None for d in due):
            return total
