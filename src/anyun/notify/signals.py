"""Signing out ends that session's open live-feed sockets at once."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from anyun.notify.adapters import user_group


@receiver(user_logged_out, dispatch_uid="anyun.notify.end_feed_on_logout")
def end_feed_on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None or getattr(request, "session", None) is None:
        return
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(
        user_group(user.public_id.hex),
        {"type": "session.end", "session_key": request.session.session_key},
    )
