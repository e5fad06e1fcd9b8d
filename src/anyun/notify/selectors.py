"""Read queries of the inbox and of the delivery console."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, QuerySet

from anyun.core.errors import NotFound
from anyun.notify.models import Channel, Delivery, DeliveryState, Notification


def inbox_for(*, user: Any) -> QuerySet[Notification]:
    """The user's in-app notifications, newest first."""
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, in_inbox=True).order_by("-created_at", "-id")


def unread_count_for(*, user: Any) -> int:
    """How many of the user's in-app notifications are unread (one indexed COUNT)."""
    if user is None or not user.is_authenticated:
        return 0
    return inbox_for(user=user).filter(read_at__isnull=True).count()


def unread_counts_for(user_ids: Iterable[int]) -> dict[int, int]:
    """`unread_count_for` of many users in one grouped COUNT (a user with none is absent)."""
    ids = set(user_ids)
    if not ids:
        return {}
    rows = (
        Notification.objects.filter(recipient_id__in=ids, in_inbox=True, read_at__isnull=True)
        .values("recipient_id")
        .annotate(unread=Count("id"))
        .values_list("recipient_id", "unread")
    )
    return dict(rows)


def access_notification(*, user: Any, public_id: uuid.UUID | str) -> Notification:
    """The user's own inbox notification, or NotFound (missing and not-yours look the same)."""
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NotFound() from exc
    notification = inbox_for(user=user).filter(public_id=key).first()
    if notification is None:
        raise NotFound()
    return notification


def deliveries_for_console(
    *, state: str | None = None, channel: str | None = None
) -> QuerySet[Delivery]:
    """Every delivery for the system administrator's console, newest first.

    Unknown filter values are ignored (they come straight from a query string).
    """
    deliveries = Delivery.objects.select_related("notification", "notification__recipient").defer(
        "text"
    )
    if state in DeliveryState.values:
        deliveries = deliveries.filter(state=state)
    if channel in Channel.values:
        deliveries = deliveries.filter(channel=channel)
    return deliveries.order_by("-created_at", "-id")
