"""Notification use cases: write to the outbox, deliver with retries, mark read.

Every other app notifies people through `notification_send` (or `sms_send`), called inside
its own `transaction.atomic` block: the notification, its deliveries and their queue jobs are
written in that transaction (django-tasks-db keeps jobs in the database), so they exist exactly
when the event that caused them does, and nothing leaves the server from a request handler.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from anyun.core.worker import enqueue, job_is_live
from anyun.notify.adapters import PermanentDeliveryError, deliver_through_channel
from anyun.notify.models import (
    OPEN_STATES,
    Channel,
    Delivery,
    DeliveryState,
    Notification,
)
from anyun.notify.selectors import access_notification, inbox_for

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
_TITLE_MAX_CHARS = 200


def retry_delay(attempts: int) -> timedelta:
    """Back-off after the `attempts`-th failed attempt: 30 s, 2 min, 8 min, 32 min, 1 h (cap)."""
    seconds = BACKOFF_BASE_SECONDS * BACKOFF_FACTOR ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, BACKOFF_CAP_SECONDS))


def _check_channels(channels: Iterable[str]) -> list[Channel]:
    chosen: list[Channel] = []
    for name in channels:
        channel = Channel(name)  # ValueError for an unknown channel
        if channel not in chosen:
            chosen.append(channel)
    if not chosen:
        raise ValueError("A notification needs at least one channel.")
    return chosen


def _check_link(link: str) -> None:
    # Rendered as href: only site paths and web addresses, never javascript: and the like.
    if link and not (
        (link.startswith("/") and not link.startswith("//"))
        or link.startswith(("https://", "http://"))
    ):
        raise ValueError(f"Notification link must be a path or an http(s) URL: {link!r}")


def _sms_text(title: str, body: str) -> str:
    if title and body:
        return f"{title}: {body}"
    return body or title


def notification_send(
    *,
    recipient: Any,
    kind: str,
    title: str,
    body: str,
    link: str = "",
    payload: dict[str, Any] | None = None,
    channels: Iterable[str] = ("in_app", "push"),
    dedup_key: str | None = None,
    phone: str | None = None,
    sensitive: bool = False,
) -> Notification:
    """Write a notification and one delivery (with its queued job) per channel.

    Precondition: called inside the caller's `transaction.atomic`, so everything written here
    commits or rolls back with the event. A `dedup_key` seen before returns the existing
    notification and writes nothing (a concurrent duplicate loses on the unique constraint
    inside a savepoint). `in_app`/`push` need a `recipient`; `sms` needs `phone` or the
    recipient's phone. `sensitive` (SMS only) keeps the text out of the notification row and
    blanks the delivery's copy once it is sent or given up.
    Raises ValueError for a misuse (unknown channel, unsafe link, missing recipient/phone).
    """
    chosen = _check_channels(channels)
    _check_link(link)
    if not kind:
        raise ValueError("A notification needs a kind.")
    if len(title) > _TITLE_MAX_CHARS:
        raise ValueError(f"Notification title longer than {_TITLE_MAX_CHARS} characters.")
    if recipient is None and (Channel.IN_APP in chosen or Channel.PUSH in chosen):
        raise ValueError("In-app and push notifications need a recipient.")
    if sensitive and chosen != [Channel.SMS]:
        raise ValueError("Sensitive notifications go by SMS only.")
    sms_phone = ""
    if Channel.SMS in chosen:
        sms_phone = (phone or (getattr(recipient, "phone", "") if recipient else "") or "").strip()
        if not sms_phone:
            raise ValueError("An SMS needs a phone number.")

    if dedup_key is not None:
        existing = Notification.objects.filter(dedup_key=dedup_key).first()
        if existing is not None:
            return existing

    with transaction.atomic():
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=recipient,
                    kind=kind,
                    title=title,
                    body="" if sensitive else body,
                    link=link,
                    payload=payload or {},
                    dedup_key=dedup_key,
                    in_inbox=Channel.IN_APP in chosen,
                )
        except IntegrityError:
            if dedup_key is None:
                raise
            existing = Notification.objects.filter(dedup_key=dedup_key).first()
            if existing is None:
                raise
            return existing

        now = timezone.now()
        for channel in chosen:
            is_sms = channel == Channel.SMS
            delivery = Delivery.objects.create(
                notification=notification,
                channel=channel,
                next_attempt_at=now,
                phone=sms_phone if is_sms else "",
                text=_sms_text(title, body) if is_sms else "",
                redact_after_send=sensitive and is_sms,
                created_at=now,
            )
            _delivery_enqueue(delivery)
    return notification


def sms_send(
    *,
    phone: str,
    text: str,
    kind: str,
    dedup_key: str | None = None,
    sensitive: bool = True,
    recipient: Any = None,
) -> Notification:
    """An SMS to a phone number (with or without an account), e.g. a one-time login code.

    Same contract as `notification_send`; sensitive by default, so the text is kept only
    until it has been handed to the provider.
    """
    return notification_send(
        recipient=recipient,
        kind=kind,
        title="",
        body=text,
        channels=(Channel.SMS,),
        dedup_key=dedup_key,
        phone=phone,
        sensitive=sensitive,
    )


def _delivery_enqueue(delivery: Delivery, *, run_after: datetime | None = None) -> None:
    """Queue an attempt (now, or at `run_after`) and remember its job on the delivery."""
    from anyun.notify.tasks import deliver

    delivery.job_id = enqueue(deliver, run_after=run_after, delivery_id=delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(job_id=delivery.job_id)


def notification_mark_read(*, user: Any, public_id: uuid.UUID | str) -> Notification:
    """Mark one of the user's own notifications read (idempotent). NotFound otherwise."""
    with transaction.atomic():
        notification = access_notification(user=user, public_id=public_id)
        if notification.read_at is None:
            Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
                read_at=timezone.now()
            )
            notification.refresh_from_db(fields=["read_at"])
    return notification


def inbox_mark_all_read(*, user: Any) -> int:
    """Mark every unread notification of the user read; return how many changed."""
    with transaction.atomic():
        return inbox_for(user=user).filter(read_at__isnull=True).update(read_at=timezone.now())


def delivery_attempt(*, delivery_id: int, resuming_job: uuid.UUID | None = None) -> str:
    """Try one delivery once. Returns "sent", "retry", "dead" or "skipped".

    Safe to run twice and concurrently: the delivery is claimed under a row lock (state open,
    due now; attempts + 1, not due again for CLAIM_SECONDS), the channel is called with no
    lock or transaction held, and the outcome is recorded under the lock again. A failure
    schedules the next attempt with exponential back-off by enqueuing the task again;
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
        return _delivery_record_failure(delivery.pk, attempt=attempt, exc=exc, permanent=True)
    except Exception as exc:
        # Whatever the provider raised is recorded and retried; never lost, never re-raised.
        return _delivery_record_failure(delivery.pk, attempt=attempt, exc=exc, permanent=False)
    return _delivery_record_success(delivery.pk, reference=reference)


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
    delivery_id: int, *, attempt: int, exc: Exception, permanent: bool
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
        _delivery_enqueue(delivery, run_after=delivery.next_attempt_at)
    logger.info(
        "Delivery %s (%s) attempt %s failed; next at %s",
        delivery_id,
        delivery.channel,
        attempt,
        delivery.next_attempt_at,
    )
    return "retry"


def deliveries_redeliver_due() -> int:
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
                _delivery_enqueue(delivery)
        total += len(due)
        # Another batch only if this one was full and its jobs are now visible as live
        # (a backend that gives no job ids would otherwise pick the same rows forever).
        if len(due) < SWEEP_BATCH or any(d.job_id is None for d in due):
            return total
