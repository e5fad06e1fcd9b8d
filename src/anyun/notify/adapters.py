"""Channel adapters: hand one delivery to its channel. Each returns a reference or raises.

Called by `services.delivery_attempt` outside any transaction or row lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

from anyun.core.ownloop import run_on_own_loop
from anyun.notify.models import Channel, Delivery
from anyun.notify.providers import sms_provider
from anyun.notify.selectors import unread_counts_for


class PermanentDeliveryError(Exception):
    """Retrying cannot help (no recipient, no phone number): the delivery is given up."""


def user_group(public_id_hex: str) -> str:
    """The channel-layer group of one user's open sockets."""
    return f"user.{public_id_hex}"


def deliver_in_app(delivery: Delivery) -> str:
    # The notification row is the inbox: it is already there.
    return ""


def deliver_push(delivery: Delivery) -> str:
    (outcome,) = deliver_pushes([delivery])
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def deliver_pushes(deliveries: Sequence[Delivery]) -> list[str | Exception]:
    """Push many deliveries to their recipients' open sockets together: one read of the
    recipients' unread counts, one hop to the event loop for all the sends. Returns, in
    order, each one's reference ("") or what it raised (a PermanentDeliveryError when it
    cannot be pushed at all)."""
    layer = get_channel_layer()
    outcomes: list[str | Exception] = []
    sends: list[tuple[int, str, dict[str, Any]]] = []
    recipients = [d.notification.recipient for d in deliveries]
    unread = unread_counts_for(r.pk for r in recipients if r is not None)
    for delivery, recipient in zip(deliveries, recipients, strict=True):
        if recipient is None:
            outcomes.append(PermanentDeliveryError("push needs a recipient"))
            continue
        if layer is None:
            outcomes.append(PermanentDeliveryError("no channel layer configured"))
            continue
        notification = delivery.notification
        outcomes.append("")
        event = {
            "type": "notify.event",
            "notification": str(notification.public_id),
            "kind": notification.kind,
            "title": notification.title,
            "body": notification.body,
            "link": notification.link,
            "unread": unread.get(recipient.pk, 0),
        }
        sends.append((len(outcomes) - 1, user_group(recipient.public_id.hex), event))
    if sends and layer is not None:

        async def send_all() -> list[BaseException | None]:
            return await asyncio.gather(
                *(layer.group_send(group, event) for _i, group, event in sends),
                return_exceptions=True,
            )

        if isinstance(layer, InMemoryChannelLayer):
            results = async_to_sync(send_all)()  # its queues belong to the server's own loop
        else:
            # A layer over Redis keeps its connections per event loop: on this process's own
            # loop they last from one call to the next (`anyun.core.ownloop`).
            results = run_on_own_loop(send_all())
        for (index, _group, _event), result in zip(sends, results, strict=True):
            if isinstance(result, Exception):
                outcomes[index] = result
            elif isinstance(result, BaseException):
                raise result
    return outcomes


def deliver_sms(delivery: Delivery) -> str:
    if not delivery.phone:
        raise PermanentDeliveryError("no phone number")
    if not delivery.text:
        raise PermanentDeliveryError("nothing to send")
    return sms_provider().send(delivery.phone, delivery.text)


ADAPTERS = {
    Channel.IN_APP: deliver_in_app,
    Channel.PUSH: deliver_push,
    Channel.SMS: deliver_sms,
}


# Channels that hand many deliveries over together (`deliver_through_channels`).
BATCH_ADAPTERS = {
    Channel.PUSH: deliver_pushes,
}


def deliver_through_channel(delivery: Delivery) -> str:
    return ADAPTERS[Channel(delivery.channel)](delivery)


def deliver_through_channels(deliveries: Sequence[Delivery]) -> list[str | Exception]:
    """Hand each delivery to its channel, those of a batch channel together: in order, each
    one's reference or what it raised."""
    outcomes: list[str | Exception | None] = [None] * len(deliveries)
    batches: dict[Channel, list[int]] = {}
    for index, delivery in enumerate(deliveries):
        channel = Channel(delivery.channel)
        if channel in BATCH_ADAPTERS:
            batches.setdefault(channel, []).append(index)
            continue
        try:
            outcomes[index] = ADAPTERS[channel](delivery)
        except Exception as exc:
            outcomes[index] = exc
    for channel, indexes in batches.items():
        try:
            results = BATCH_ADAPTERS[channel]([deliveries[i] for i in indexes])
        except Exception as exc:
            results = [exc] * len(indexes)
        for index, result in zip(indexes, results, strict=True):
            outcomes[index] = result
    return [outcome if outcome is not None else "" for outcome in outcomes]
