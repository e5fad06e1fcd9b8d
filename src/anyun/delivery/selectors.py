"""Delivery reads: who sees which fulfilment and address, her lists, the pharmacy's queue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from anyun.accounts.models import Role
from anyun.core.errors import NotFound
from anyun.delivery.models import Address, Fulfilment, FulfilmentStatus, Method

DISPENSING_ROLES = frozenset({Role.PHARMACIST})


def fulfilments_visible_to(user: Any) -> QuerySet[Fulfilment]:
    """Her own for a woman; every one for a pharmacist; none for anyone else."""
    rows = Fulfilment.objects.select_related("prescription", "woman", "address")
    if user is None or not user.is_authenticated:
        return rows.none()
    if user.role == Role.WOMAN:
        return rows.filter(woman=user)
    if user.role in DISPENSING_ROLES:
        return rows
    return rows.none()


def access_fulfilment(*, user: Any, fulfilment_id: UUID | str) -> Fulfilment:
    """The fulfilment if `user` may see it; the same NotFound for missing and not allowed."""
    try:
        return fulfilments_visible_to(user).get(public_id=fulfilment_id)
    except (Fulfilment.DoesNotExist, ValueError) as exc:
        raise NotFound() from exc


def addresses_of(woman: Any) -> list[Address]:
    return list(Address.objects.filter(woman=woman, removed_at__isnull=True))


def access_address(*, user: Any, address_id: UUID | str) -> Address:
    """One of her own saved addresses (never another's: the same NotFound)."""
    if user is None or not user.is_authenticated or user.role != Role.WOMAN:
        raise NotFound()
    try:
        return Address.objects.get(woman=user, public_id=address_id, removed_at__isnull=True)
    except (Address.DoesNotExist, ValueError) as exc:
        raise NotFound() from exc


def fulfilments_of(woman: Any, *, limit: int = 100) -> list[Fulfilment]:
    return list(
        Fulfilment.objects.filter(woman=woman)
        .select_related("prescription", "address")
        .order_by("-created_at")[:limit]
    )


@dataclass
class PharmacyQueue:
    to_dispense: list[Fulfilment]  # deliveries waiting, her address known
    waiting_address: list[Fulfilment]  # deliveries whose address she has not chosen yet
    on_the_way: list[Fulfilment]  # dispensed or with the courier
    failed: list[Fulfilment]
    pickups_waiting: int

    @property
    def count(self) -> int:
        return (
            len(self.to_dispense)
            + len(self.waiting_address)
            + len(self.on_the_way)
            + len(self.failed)
        )


def pharmacy_queue(*, limit: int = 200) -> PharmacyQueue:
    rows = Fulfilment.objects.select_related("prescription", "woman", "address")
    deliveries = rows.filter(method=Method.DELIVERY)
    waiting = deliveries.filter(status=FulfilmentStatus.WAITING).order_by("created_at")
    return PharmacyQueue(
        to_dispense=list(waiting.filter(address__isnull=False)[:limit]),
        waiting_address=list(waiting.filter(address__isnull=True)[:limit]),
        on_the_way=list(
            deliveries.filter(
                status__in=[FulfilmentStatus.DISPENSED, FulfilmentStatus.HANDED_OVER]
            ).order_by("promised_by")[:limit]
        ),
        failed=list(
            deliveries.filter(status=FulfilmentStatus.FAILED).order_by("updated_at")[:limit]
        ),
        pickups_waiting=rows.filter(method=Method.PICKUP, status=FulfilmentStatus.WAITING).count(),
    )


def is_late(fulfilment: Fulfilment, *, now: Any) -> bool:
    return (
        fulfilment.method == Method.DELIVERY
        and fulfilment.promised_by is not None
        and fulfilment.status
        in {FulfilmentStatus.WAITING, FulfilmentStatus.DISPENSED, FulfilmentStatus.HANDED_OVER}
        and fulfilment.promised_by <= now
    )
