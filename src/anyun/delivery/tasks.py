"""Queue tasks of delivery: thin, idempotent (each re-reads its row and does nothing twice)."""

from __future__ import annotations

from django_tasks import task

from anyun.delivery import services
from anyun.delivery.providers import DemoProvider


@task()
def handover_submit(fulfilment_id: int) -> None:
    services.handover_submit(fulfilment_id=fulfilment_id)


@task()
def demo_courier_arrive(provider_ref: str) -> None:
    """The demo provider's courier: the parcel is delivered."""
    services.provider_event(
        provider=DemoProvider.name, provider_ref=provider_ref, event="delivered"
    )


@task()
def deliveries_alert_late() -> int:
    return services.deliveries_alert_late()
