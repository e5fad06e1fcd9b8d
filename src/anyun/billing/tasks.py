"""Queue tasks of billing: thin, idempotent (each re-reads its row and does nothing twice)."""

from __future__ import annotations

from django_tasks import task

from anyun.billing import services


@task()
def orders_expire_due() -> int:
    return services.orders_expire_due()


@task()
def order_close(order_id: int) -> None:
    services.order_close_at_provider(order_id=order_id)


@task()
def refund_submit(refund_id: int) -> None:
    services.refund_submit(refund_id=refund_id)


@task()
def sandbox_notify(order_id: int, event: str, refund_id: int | None = None) -> None:
    services.sandbox_notification_send(order_id=order_id, event=event, refund_id=refund_id)
