"""The delivery-provider interface: handing a parcel to a courier company and hearing back.

`ANYUN_DELIVERY_PROVIDER` names the class. The demo provider has no courier company behind
it: its courier is a queued job that reports the parcel delivered
`ANYUN_DELIVERY_DEMO_MINUTES` after the hand-over (`delivery.tasks.demo_courier_arrive`).
A real provider's adapter answers `hand_over` from its API and reports back through
`services.provider_event` (its callback endpoint would call that).
"""

from __future__ import annotations

import abc
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from anyun.core.worker import enqueue


@dataclass(frozen=True)
class Parcel:
    reference: str  # our fulfilment's public id
    ship_to: str  # recipient, phone and address as one text


@dataclass(frozen=True)
class Handover:
    provider_ref: str  # the courier company's waybill number


class DeliveryProvider(abc.ABC):
    name: str

    @abc.abstractmethod
    def hand_over(self, parcel: Parcel) -> Handover:
        """Book the courier for `parcel`; raise ProviderError when the service refuses."""


class ProviderError(Exception):
    """The courier service refused or could not be reached."""


class DemoProvider(DeliveryProvider):
    """A courier that always comes: delivered after the configured minutes, by a queued job."""

    name = "demo"

    def hand_over(self, parcel: Parcel) -> Handover:
        waybill = f"DEMO{secrets.token_hex(6).upper()}"
        minutes = settings.ANYUN_DELIVERY_DEMO_MINUTES
        enqueue(
            import_string("anyun.delivery.tasks.demo_courier_arrive"),
            run_after=timezone.now() + timedelta(minutes=minutes) if minutes > 0 else None,
            provider_ref=waybill,
        )
        return Handover(provider_ref=waybill)


@cache
def _provider(path: str) -> DeliveryProvider:
    provider = import_string(path)()
    if not isinstance(provider, DeliveryProvider):
        raise TypeError(f"{path} is not a DeliveryProvider")
    return provider


def delivery_provider() -> DeliveryProvider:
    return _provider(settings.ANYUN_DELIVERY_PROVIDER)
