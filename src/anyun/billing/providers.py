"""The payment-provider interface, and the sandbox provider of the demo.

A provider takes an order's money and gives it back; billing talks to it only through this
interface, chosen by ``ANYUN_PAYMENT_PROVIDER`` (a dotted class path). Calls that reach a
provider's servers (`start`, `close`, `refund`) are made outside any database transaction;
what the provider tells us later arrives as a signed notification that `parse_notification`
verifies and reads, whatever the provider's format, into a `ProviderEvent`.

The sandbox provider moves no money. Its pay page is ours (`/billing/orders/<id>/sandbox/`):
she confirms, and a queued job sends the signed notification (HMAC-SHA256 over the body with a
per-install secret) to the same entry the HTTP callback endpoint uses. Production refuses to
start with it (`billing.checks`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from anyun.core.errors import DomainError

SANDBOX_SIGNATURE_HEADER = "X-Anyun-Signature"
# A notification older than this (or this far in the future) is refused: a replay.
MAX_NOTIFICATION_AGE_SECONDS = 300


class NotificationRefused(DomainError):
    """The notification is not from our provider (bad signature, unknown key, unreadable)."""

    def __init__(self) -> None:
        super().__init__("signature_invalid", _("The notification's signature is not valid."))


@dataclass(frozen=True)
class PayStart:
    """How she pays: open `url` (a hosted page), show `code_url` as a QR code (Native), or call
    the WeChat JS bridge with `params` (JSAPI)."""

    mode: Literal["page", "qr", "jsapi"]
    provider_ref: str = ""
    url: str = ""
    code_url: str = ""
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    status: Literal["succeeded", "pending", "failed"]
    provider_ref: str = ""
    failure: str = ""


@dataclass(frozen=True)
class ProviderEvent:
    """A verified notification: the money came in (or not), or a refund ended."""

    notification_id: str
    event: Literal["payment", "refund"]
    order_number: str
    succeeded: bool
    amount_fen: int
    provider_ref: str = ""
    refund_number: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


class PaymentProvider:
    """The interface. `name` is stored on each order and names its callback endpoint."""

    name = ""

    def start(self, order: Any, *, openid: str = "") -> PayStart:
        raise NotImplementedError

    def close(self, order: Any) -> None:
        """Close an unpaid order at the provider (cancelled or timed out)."""
        raise NotImplementedError

    def refund(self, refund: Any) -> RefundResult:
        raise NotImplementedError

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> ProviderEvent:
        """Verify and read one notification; raise `NotificationRefused` if it is not ours."""
        raise NotImplementedError

    def acknowledge(self) -> dict[str, str]:
        """The body the provider expects when we took a notification."""
        return {"code": "SUCCESS", "message": ""}


def _derived_secret() -> bytes:
    if settings.ANYUN_SANDBOX_PAY_SECRET:
        return settings.ANYUN_SANDBOX_PAY_SECRET.encode()
    return hashlib.sha256(f"sandbox-pay:{settings.SECRET_KEY}".encode()).digest()


def sandbox_sign(body: bytes) -> str:
    return hmac.new(_derived_secret(), body, hashlib.sha256).hexdigest()


class SandboxProvider(PaymentProvider):
    """The demo's provider: our own pay page, a signed notification through the queue."""

    name = "sandbox"

    def start(self, order: Any, *, openid: str = "") -> PayStart:
        return PayStart(
            mode="page",
            provider_ref=f"sandbox-{order.number}",
            url=f"/billing/orders/{order.public_id}/sandbox/",
        )

    def close(self, order: Any) -> None:
        return None

    def refund(self, refund: Any) -> RefundResult:
        # Asynchronous, like a real provider: the result comes as a signed notification.
        return RefundResult(status="pending", provider_ref=f"sandbox-{refund.number}")

    def notification(
        self,
        *,
        event: str,
        order_number: str,
        amount_fen: int,
        succeeded: bool = True,
        refund_number: str = "",
        notification_id: str = "",
    ) -> tuple[dict[str, str], bytes]:
        """The headers and body the sandbox sends for an event (also what tests forge)."""
        body = json.dumps(
            {
                "id": notification_id or uuid.uuid4().hex,
                "event": event,
                "order_number": order_number,
                "refund_number": refund_number,
                "amount_fen": amount_fen,
                "succeeded": succeeded,
                "transaction": f"sandbox-{uuid.uuid4().hex[:20]}",
                "timestamp": int(timezone.now().timestamp()),
            },
            separators=(",", ":"),
        ).encode()
        return {SANDBOX_SIGNATURE_HEADER: sandbox_sign(body)}, body

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> ProviderEvent:
        given = _header(headers, SANDBOX_SIGNATURE_HEADER)
        if not given or not hmac.compare_digest(given, sandbox_sign(body)):
            raise NotificationRefused
        try:
            data = json.loads(body)
            event = data["event"]
            amount = int(data["amount_fen"])
            timestamp = int(data["timestamp"])
            notification_id = str(data["id"])[:128]
            order_number = str(data["order_number"])[:32]
        except (ValueError, KeyError, TypeError) as exc:
            raise NotificationRefused from exc
        if event not in {"payment", "refund"} or amount < 0 or not notification_id:
            raise NotificationRefused
        if abs(timezone.now().timestamp() - timestamp) > MAX_NOTIFICATION_AGE_SECONDS:
            raise NotificationRefused
        return ProviderEvent(
            notification_id=notification_id,
            event=event,
            order_number=order_number,
            succeeded=bool(data.get("succeeded")),
            amount_fen=amount,
            provider_ref=str(data.get("transaction", ""))[:64],
            refund_number=str(data.get("refund_number", ""))[:32],
            raw=data,
        )


def _header(headers: Mapping[str, str], name: str) -> str:
    """A header by its HTTP name, from a plain mapping or Django's request.headers."""
    for key in (name, name.lower(), "HTTP_" + name.upper().replace("-", "_")):
        value = headers.get(key)
        if value:
            return str(value)
    return ""


@cache
def _provider_class(path: str) -> type[PaymentProvider]:
    return import_string(path)  # type: ignore[no-any-return]


def payment_provider() -> PaymentProvider:
    """The configured provider (`ANYUN_PAYMENT_PROVIDER`)."""
    return _provider_class(settings.ANYUN_PAYMENT_PROVIDER)()


def provider_named(name: str) -> PaymentProvider | None:
    """The configured provider if it has this name: a callback for any other is not ours."""
    provider = payment_provider()
    return provider if provider.name == name else None
