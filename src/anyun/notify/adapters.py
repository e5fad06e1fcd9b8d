"""Channel adapters: hand one delivery to its channel. Each returns a reference or raises.

Called by `services.delivery_attempt` outside any transaction or row lock.
"""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from anyun.notify.models import Channel, Delivery
from anyun.notify.providers import sms_provider
from anyun.notify.selectors import unread_count_for


class PermanentDeliveryError(Exception):
    """Retrying cannot help (no recipient, no phone number): the delivery is given up."""


def user_group(public_id_hex: str) -> str:
    """The channel-layer group of one user's open sockets."""
    return f"user.{public_id_hex}"


def deliver_in_app(delivery: Delivery) -> str:
    # The notification row is the inbox: it is already there.
    return ""


def deliver_push(delivery: Delivery) -> str:

    notification = delivery.notification
    recipient = notification.recipient
    if recipient is None:
        raise PermanentDeliveryError("push needs a recipient")
    layer = get_channel_layer()
    if layer is None:
        raise PermanentDeliveryError("no channel layer configured")
    async_to_sync(layer.group_send)(
        user_group(recipient.public_id.hex),
        {
            "type": "notify.event",
            "notification": str(notification.public_id),
            "kind": notification.kind,
            "title": notification.title,
            "body": notification.body,
            "link": notification.link,
            "unread": unread_count_for(user=recipient),
        },
    )
    return ""


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


def deliver_through_channel(delivery: Delivery) -> str:
    return ADAPTERS[Channel(delivery.channel)](delivery)
