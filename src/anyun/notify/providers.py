"""SMS providers. `settings.ANYUN_SMS_PROVIDER` names the class (dotted path).

A provider's `send` returns the provider's message reference or raises; the delivery
service records either and retries later. Providers are instantiated per send, so tests can
switch them with `override_settings`.
"""

from __future__ import annotations

import itertools
import logging
import uuid
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from anyun.core.crypto import mask_phone

logger = logging.getLogger("anyun.sms")


class SmsProviderError(Exception):
    """The provider refused or could not be reached; worth retrying later."""


class SmsProvider(Protocol):
    def send(self, phone: str, text: str) -> str:
        """Send `text` to `phone`; return the provider's reference for the message."""
        ...


class ConsoleSmsProvider:
    """Development: writes the message to the log and stdout. Never touches the network."""

    def send(self, phone: str, text: str) -> str:
        line = f"SMS to {mask_phone(phone)}: {text}"
        logger.info("%s", line)
        print(line, flush=True)  # the development provider exists to show this
        return f"console-{uuid.uuid4().hex}"


# (phone, text) of every message MemorySmsProvider sent in this process.
sent_messages: list[tuple[str, str]] = []
_memory_counter = itertools.count(1)


class MemorySmsProvider:
    """Tests: remembers what it sent in the module-level `sent_messages` list."""

    def send(self, phone: str, text: str) -> str:
        sent_messages.append((phone, text))
        return f"memory-{next(_memory_counter)}"


class FailingSmsProvider:
    """Tests: every send fails."""

    def send(self, phone: str, text: str) -> str:
        raise SmsProviderError("SMS gateway unavailable")


def sms_provider() -> SmsProvider:
    provider: SmsProvider = import_string(settings.ANYUN_SMS_PROVIDER)()
    return provider
