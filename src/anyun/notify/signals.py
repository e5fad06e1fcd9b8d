"""Reactions to accounts events: a sign-in code goes out by SMS; signing out ends that
session's open live-feed sockets at once; a locked staff account is reported to the security
administrators."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext as _

from anyun.accounts.models import Role, User
from anyun.accounts.signals import account_locked_signal, login_code_signal
from anyun.notify.adapters import user_group
from anyun.notify.services import notification_send, sms_send


@receiver(login_code_signal, dispatch_uid="anyun.notify.send_login_code")
def send_login_code(sender: Any, phone: str, text: str, **kwargs: Any) -> bool:
    """The code's SMS, in the outbox of the transaction that stored the code."""
    sms_send(phone=phone, text=text, kind="login_code", sensitive=True)
    return True


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


@receiver(account_locked_signal, dispatch_uid="anyun.notify.tell_security_admins")
def tell_security_admins(sender: Any, user: Any, ip: str | None, **kwargs: Any) -> None:
    """Every security administrator hears at once that a staff account was locked."""
    for admin in User.objects.filter(role=Role.SECURITY_ADMIN, is_active=True):
        notification_send(
            recipient=admin,
            kind="security",
            title=_("Staff account locked: %(name)s") % {"name": user.username},
            body=_(
                "Repeated failed sign-ins from several addresses locked this account "
                "(last from %(ip)s). Check with the person before unlocking it."
            )
            % {"ip": ip or "?"},
            link=reverse("accounts:security"),
        )
