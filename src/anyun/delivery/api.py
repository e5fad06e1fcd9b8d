"""The delivery API routes: thin, calling services and selectors.

She: her pick-ups and deliveries with their timelines, her address book, choosing where a
delivery goes. The pharmacist: the dispensing queue, dispensing a pick-up by its code or a
delivery, recording a failure, sending again, refunding. Refusals are 4xx in the JSON error
shape; another woman's delivery is 404, as is a missing one.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from anyun.accounts.decorators import acting_user
from anyun.accounts.models import Role, User
from anyun.audit.services import audit_record
from anyun.core.errors import PermissionDenied
from anyun.delivery import selectors, services
from anyun.delivery.models import Address, Fulfilment
from anyun.prescribing.dispensing import require_pharmacist

router = Router(tags=["delivery"])


def _woman(request: HttpRequest) -> User:
    user = acting_user(request)
    if user.role != Role.WOMAN:
        raise PermissionDenied("not_a_woman", _("Only a woman can do this for herself."))
    return user


def _pharmacist(request: HttpRequest) -> User:
    user = acting_user(request)
    require_pharmacist(user)
    return user


class EventOut(Schema):
    kind: str
    label: str
    at: dt.datetime


class AddressOut(Schema):
    id: UUID
    label: str
    recipient: str
    phone: str
    address: str
    is_default: bool


class FulfilmentOut(Schema):
    id: UUID
    prescription_id: UUID
    method: str
    method_label: str
    status: str
    status_label: str
    pickup_code: str | None
    address: AddressOut | None
    waybill: str
    promised_by: dt.datetime | None
    dispensed_at: dt.datetime | None
    finished_at: dt.datetime | None
    late: bool
    events: list[EventOut]


class AddressIn(Schema):
    label: str = Field("", max_length=40)
    recipient: str = Field(max_length=60)
    phone: str = Field(max_length=20)
    address: str = Field(max_length=300)
    make_default: bool = False


class ChooseIn(Schema):
    address_id: UUID


class PickupCodeIn(Schema):
    code: str = Field(max_length=32)


class FailIn(Schema):
    note: str = Field("", max_length=200)


class DispensingQueueOut(Schema):
    to_dispense: list[FulfilmentOut]
    waiting_address: list[FulfilmentOut]
    on_the_way: list[FulfilmentOut]
    failed: list[FulfilmentOut]
    pickups_waiting: int


def address_out(address: Address) -> AddressOut:
    return AddressOut(
        id=address.public_id,
        label=address.label,
        recipient=address.recipient,
        phone=address.phone,
        address=address.address,
        is_default=address.is_default,
    )


def fulfilment_out(f: Fulfilment, *, for_her: bool) -> FulfilmentOut:
    return FulfilmentOut(
        id=f.public_id,
        prescription_id=f.prescription.public_id,
        method=f.method,
        method_label=str(f.get_method_display()),
        status=f.status,
        status_label=str(f.get_status_display()),
        # The code is hers to show: the pharmacy gets it from her, never from us.
        pickup_code=f.pickup_code if for_her and f.pickup_code and f.status == "waiting" else None,
        address=address_out(f.address) if f.address is not None else None,
        waybill=f.provider_ref,
        promised_by=f.promised_by,
        dispensed_at=f.dispensed_at,
        finished_at=f.finished_at,
        late=selectors.is_late(f, now=timezone.now()),
        events=[
            EventOut(kind=e.kind, label=str(e.get_kind_display()), at=e.at) for e in f.events.all()
        ],
    )


@router.get("/mine", response=list[FulfilmentOut], summary="Her pick-ups and deliveries")
def mine(request: HttpRequest) -> list[FulfilmentOut]:
    woman = _woman(request)
    rows = selectors.fulfilments_of(woman)
    audit_record(
        actor=woman,
        action="delivery_read",
        object_type="fulfilment",
        subject=woman,
        request=request,
        detail={"count": len(rows)},
    )
    return [fulfilment_out(f, for_her=True) for f in rows]


@router.get("/mine/{fulfilment_id}", response=FulfilmentOut, summary="One of hers")
def mine_one(request: HttpRequest, fulfilment_id: UUID) -> FulfilmentOut:
    woman = _woman(request)
    f = services.fulfilment_read(user=woman, fulfilment_id=fulfilment_id, request=request)
    return fulfilment_out(f, for_her=True)


@router.post(
    "/mine/{fulfilment_id}/address", response=FulfilmentOut, summary="Where her delivery goes"
)
def mine_address(request: HttpRequest, fulfilment_id: UUID, data: ChooseIn) -> FulfilmentOut:
    woman = _woman(request)
    f = services.address_choose(
        woman=woman, fulfilment_id=fulfilment_id, address_id=data.address_id, request=request
    )
    return fulfilment_out(f, for_her=True)


@router.get("/addresses", response=list[AddressOut], summary="Her address book")
def addresses(request: HttpRequest) -> list[AddressOut]:
    woman = _woman(request)
    return [address_out(a) for a in services.addresses_read(woman=woman, request=request)]


@router.post("/addresses", response={201: AddressOut}, summary="Save an address")
def address_add(request: HttpRequest, data: AddressIn) -> Status:
    woman = _woman(request)
    row = services.address_add(woman=woman, request=request, **data.dict())
    return Status(201, address_out(row))


@router.post("/addresses/{address_id}/default", response=AddressOut, summary="Make it default")
def address_default(request: HttpRequest, address_id: UUID) -> AddressOut:
    woman = _woman(request)
    return address_out(
        services.address_make_default(woman=woman, address_id=address_id, request=request)
    )


@router.delete("/addresses/{address_id}", response={204: None}, summary="Remove an address")
def address_remove(request: HttpRequest, address_id: UUID) -> Status:
    woman = _woman(request)
    services.address_remove(woman=woman, address_id=address_id, request=request)
    return Status(204, None)


@router.get("/pharmacy", response=DispensingQueueOut, summary="The dispensing queue (pharmacist)")
def pharmacy(request: HttpRequest) -> DispensingQueueOut:
    actor = _pharmacist(request)
    services.pharmacy_queue_read(actor=actor, request=request)
    queue = selectors.pharmacy_queue()
    return DispensingQueueOut(
        to_dispense=[fulfilment_out(f, for_her=False) for f in queue.to_dispense],
        waiting_address=[fulfilment_out(f, for_her=False) for f in queue.waiting_address],
        on_the_way=[fulfilment_out(f, for_her=False) for f in queue.on_the_way],
        failed=[fulfilment_out(f, for_her=False) for f in queue.failed],
        pickups_waiting=queue.pickups_waiting,
    )


@router.post("/pharmacy/pickup", response=FulfilmentOut, summary="Dispense a pick-up by code")
def pickup(request: HttpRequest, data: PickupCodeIn) -> FulfilmentOut:
    actor = _pharmacist(request)
    f = services.pickup_dispense(actor=actor, code=data.code, request=request)
    return fulfilment_out(f, for_her=False)


@router.get("/pharmacy/{fulfilment_id}", response=FulfilmentOut, summary="One (pharmacist)")
def pharmacy_one(request: HttpRequest, fulfilment_id: UUID) -> FulfilmentOut:
    actor = _pharmacist(request)
    f = services.fulfilment_read(user=actor, fulfilment_id=fulfilment_id, request=request)
    return fulfilment_out(f, for_her=False)


@router.post(
    "/pharmacy/{fulfilment_id}/dispense", response=FulfilmentOut, summary="Dispense a delivery"
)
def dispense(request: HttpRequest, fulfilment_id: UUID) -> FulfilmentOut:
    actor = _pharmacist(request)
    f = services.delivery_dispense(actor=actor, fulfilment_id=fulfilment_id, request=request)
    return fulfilment_out(f, for_her=False)


@router.post("/pharmacy/{fulfilment_id}/fail", response=FulfilmentOut, summary="It failed")
def fail(request: HttpRequest, fulfilment_id: UUID, data: FailIn) -> FulfilmentOut:
    actor = _pharmacist(request)
    f = services.delivery_fail(
        actor=actor, fulfilment_id=fulfilment_id, note=data.note, request=request
    )
    return fulfilment_out(f, for_her=False)


@router.post("/pharmacy/{fulfilment_id}/resend", response=FulfilmentOut, summary="Send again")
def resend(request: HttpRequest, fulfilment_id: UUID) -> FulfilmentOut:
    actor = _pharmacist(request)
    f = services.delivery_resend(actor=actor, fulfilment_id=fulfilment_id, request=request)
    return fulfilment_out(f, for_her=False)


@router.post("/pharmacy/{fulfilment_id}/refund", response=FulfilmentOut, summary="Refund her")
def refund(request: HttpRequest, fulfilment_id: UUID) -> FulfilmentOut:
    actor = _pharmacist(request)
    f = services.delivery_refund(actor=actor, fulfilment_id=fulfilment_id, request=request)
    return fulfilment_out(f, for_her=False)
