"""Notification use cases: write to the outbox, deliver with retries (`anyun.notify.delivery`,
queued by `anyun.notify.tasks`), mark read.

Every other app notifies people through `notification_send` (or `sms_send`), called inside
its own `transaction.atomic` block: the notification, its deliveries and their queue jobs are
written in that transaction (django-tasks-db keeps jobs in the database), so they exist exactly
when the event that caused them does, and nothing leaves the server from a request handler.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from anyun.core.prepared import PreparedInsert
from anyun.notify import delivery as outbox
from anyun.notify.delivery import CLAIM_SECONDS, MAX_ATTEMPTS, retry_delay
from anyun.notify.models import (
    Channel,
    Delivery,
    Notification,
)
from anyun.notify.selectors import access_notification, inbox_for
from anyun.notify.tasks import deliveries_enqueue, delivery_enqueue

logger = logging.getLogger("anyun.notify")

_TITLE_MAX_CHARS = 200
# A batch's notifications, each whose deduplication key is taken left out, and their
# deliveries: INSERTs built once (`anyun.core.prepared`).
_NOTIFICATIONS_INSERT: PreparedInsert[Notification] = PreparedInsert(
    Notification, skip_taken="dedup_key"
)
_DELIVERIES_INSERT: PreparedInsert[Delivery] = PreparedInsert(Delivery)
# `notifications_send_many`: one queue job attempts this many deliveries in turn.
DELIVERIES_PER_JOB = 100


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


def _checked(
    chosen: list[Channel], *, recipient: Any, kind: str, title: str, link: str, phone: str | None
) -> str:
    """Raise ValueError for a misuse; return the SMS phone number ("" without SMS)."""
    _check_link(link)
    if not kind:
        raise ValueError("A notification needs a kind.")
    if len(title) > _TITLE_MAX_CHARS:
        raise ValueError(f"Notification title longer than {_TITLE_MAX_CHARS} characters.")
    if recipient is None and (Channel.IN_APP in chosen or Channel.PUSH in chosen):
        raise ValueError("In-app and push notifications need a recipient.")
    if Channel.SMS not in chosen:
        return ""
    sms_phone = (phone or (getattr(recipient, "phone", "") if recipient else "") or "").strip()
    if not sms_phone:
        raise ValueError("An SMS needs a phone number.")
    return sms_phone


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
    queue: bool = True,
) -> Notification:
    """Write a notification and one delivery (with its queued job) per channel.

    Precondition: called inside the caller's `transaction.atomic`, so everything written here
    commits or rolls back with the event. `queue=False` (a queue worker that delivers at once):
    the deliveries are written without a job, and the caller attempts them right after its
    transaction commits (`notifications_deliver_now`); one it never attempts (it died) is queued
    by the minute sweep (`deliveries_redeliver_due`: due, no live job). A `dedup_key` seen before returns the existing
    notification and writes nothing (a concurrent duplicate loses on the unique constraint
    inside a savepoint). `in_app`/`push` need a `recipient`; `sms` needs `phone` or the
    recipient's phone. `sensitive` (SMS only) keeps the text out of the notification row and
    blanks the delivery's copy once it is sent or given up.
    Raises ValueError for a misuse (unknown channel, unsafe link, missing recipient/phone).
    """
    chosen = _check_channels(channels)
    sms_phone = _checked(
        chosen, recipient=recipient, kind=kind, title=title, link=link, phone=phone
    )
    if sensitive and chosen != [Channel.SMS]:
        raise ValueError("Sensitive notifications go by SMS only.")

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
            if queue:
                delivery_enqueue(delivery)
    return notification


@dataclass(frozen=True)
class Message:
    """One notification of a batch (`notifications_send_many`); fields as `notification_send`."""

    recipient: Any
    kind: str
    title: str
    body: str
    link: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    dedup_key: str | None = None
    phone: str | None = None


def notifications_send_many(
    messages: Sequence[Message],
    *,
    channels: Iterable[str] = ("in_app", "push"),
    queue: bool = True,
) -> list[Notification]:
    """Write many notifications at once: a set-based `notification_send` for sweeps that tell
    hundreds of people in one run (appointment reminders).

    Same contract (inside the caller's transaction, same checks, a `dedup_key` seen before
    writes nothing), but a constant number of statements per batch: the notifications go in
    one INSERT that leaves out each whose key is taken already, by an earlier batch or by
    another writer at the same moment (`_NOTIFICATIONS_INSERT`: no read of the keys before it,
    no savepoint), their deliveries in one more, and one queue job attempts up to
    DELIVERIES_PER_JOB deliveries in turn. `queue=False`: no job, as for `notification_send`
    (the caller delivers them once its transaction commits, `notifications_deliver_now`).
    Returns the notifications written.
    """
    chosen = _check_channels(channels)
    phones = [
        _checked(
            chosen,
            recipient=m.recipient,
            kind=m.kind,
            title=m.title,
            link=m.link,
            phone=m.phone,
        )
        for m in messages
    ]
    seen: set[str] = set()  # a key twice in the batch is written once (the database: once)
    fresh: list[tuple[Message, str]] = []
    for message, phone in zip(messages, phones, strict=True):
        if message.dedup_key is not None:
            if message.dedup_key in seen:
                continue
            seen.add(message.dedup_key)
        fresh.append((message, phone))
    if not fresh:
        return []

    now = timezone.now()
    rows = [
        Notification(
            recipient=m.recipient,
            kind=m.kind,
            title=m.title,
            body=m.body,
            link=m.link,
            payload=m.payload,
            dedup_key=m.dedup_key,
            in_inbox=Channel.IN_APP in chosen,
            created_at=now,
        )
        for m, _phone in fresh
    ]
    notifications = _NOTIFICATIONS_INSERT.create_many(rows)
    fresh = [pair for row, pair in zip(rows, fresh, strict=True) if row.pk is not None]
    deliveries = _DELIVERIES_INSERT.create_many(
        [
            Delivery(
                notification=notification,
                channel=channel,
                next_attempt_at=now,
                phone=phone if channel == Channel.SMS else "",
                text=_sms_text(m.title, m.body) if channel == Channel.SMS else "",
                created_at=now,
            )
            for notification, (m, phone) in zip(notifications, fresh, strict=True)
            for channel in chosen
        ]
    )
    if queue:
        for start in range(0, len(deliveries), DELIVERIES_PER_JOB):
            deliveries_enqueue(deliveries[start : start + DELIVERIES_PER_JOB])
    return notifications


def notifications_deliver_now(notifications: Iterable[Notification]) -> int:
    """Attempt now, together and outside any transaction, the open deliveries of these
    notifications that have no job (written with `queue=False`, after that transaction
    committed); a failed attempt is retried with the usual back-off. Returns how many were
    sent."""
    ids = [n.pk for n in notifications]
    if not ids:
        return 0
    return outbox.deliveries_attempt_unqueued(notification_ids=ids, requeue=delivery_enqueue)


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
    """Try one delivery once; a failure queues the next attempt (`outbox.delivery_attempt`)."""
    return outbox.delivery_attempt(
        delivery_id=delivery_id, resuming_job=resuming_job, requeue=delivery_enqueue
    )


def deliveries_redeliver_due() -> int:
    """Queue a job for every open delivery that is due and has lost its job."""
    return outbox.deliveries_redeliver_due(requeue=delivery_enqueue)


__all__ = [
    "CLAIM_SECONDS",
    "DELIVERIES_PER_JOB",
    "MAX_ATTEMPTS",
    "Message",
    "deliveries_redeliver_due",
    "delivery_attempt",
    "inbox_mark_all_read",
    "notifications_deliver_now",
    "notification_mark_read",
    "notification_send",
    "notifications_send_many",
    "retry_delay",
    "sms_send",
]
