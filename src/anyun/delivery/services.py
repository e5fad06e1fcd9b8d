"""Delivery use cases: the fulfilment made when her prescription is paid, her address book,
choosing where it goes, the pharmacist dispensing (a pick-up by its code, or a delivery handed
to the courier), the courier's news, a failed delivery sent again or refunded, and the sweep
that tells her and the pharmacy when a delivery is later than promised (IMP-4c, IMP-4d).

Each use case that writes is one transaction, audited in it; notifications go out through
notify in the same transaction. Dispensing (stock off the formulary, the prescription marked
dispensed) is prescribing's own (`prescribing.dispensing`). Refunds are billing's.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anyun.accounts.models import Role, User
from anyun.audit.services import audit_record
from anyun.billing.models import RefundReason
from anyun.billing.services import refund_for_payable
from anyun.core.errors import DomainError, NotFound, PermissionDenied
from anyun.core.worker import enqueue
from anyun.delivery.models import (
    MAX_ADDRESSES,
    OPEN_DELIVERY_STATUSES,
    Address,
    EventKind,
    Fulfilment,
    FulfilmentEvent,
    FulfilmentStatus,
    Method,
)
from anyun.delivery.providers import Parcel, ProviderError, delivery_provider
from anyun.delivery.selectors import DISPENSING_ROLES, access_address, access_fulfilment
from anyun.notify.services import notification_send
from anyun.prescribing.dispensing import prescription_dispense, require_pharmacist
from anyun.prescribing.models import Prescription

logger = logging.getLogger("anyun.delivery")

PAYABLE_KIND = "prescription"  # prescribing's payable kind in billing
# No 0/O, 1/I/L: read aloud or typed from the phone without confusion. 10 of 31 characters:
# about 49 bits, never guessed among the few codes open at a time.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
SWEEP_BATCH = 500
_PHONE_RE = re.compile(r"^\+?[0-9][0-9 -]{4,18}[0-9]$")
_SPACES = re.compile(r"[\s-]+")


def _enqueue(name: str, **kwargs: Any) -> None:
    """Queue `anyun.delivery.tasks.<name>(**kwargs)` in the caller's transaction."""
    enqueue(f"anyun.delivery.tasks.{name}", **kwargs)


def link_for_her(fulfilment: Fulfilment) -> str:
    return f"/delivery/{fulfilment.public_id}/"


def link_for_her_prescription(prescription: Prescription) -> str:
    """Her pick-up or delivery page of this prescription, or "" when none was opened (the
    lookup prescribing's `links` calls)."""
    public_id = (
        Fulfilment.objects.filter(prescription=prescription)
        .values_list("public_id", flat=True)
        .first()
    )
    return f"/delivery/{public_id}/" if public_id else ""


def link_for_pharmacy(fulfilment: Fulfilment) -> str:
    return f"/delivery/pharmacy/{fulfilment.public_id}/"


def _audit(
    action: str, fulfilment: Fulfilment, *, actor: Any = None, request: Any = None, **detail: Any
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="fulfilment",
        object_id=fulfilment.public_id,
        subject=fulfilment.woman,
        request=request,
        detail={"method": fulfilment.method, "status": fulfilment.status, **detail},
    )


def _event(
    fulfilment: Fulfilment, kind: str, *, at: datetime, actor: Any = None, note: str = ""
) -> FulfilmentEvent:
    return FulfilmentEvent.objects.create(
        fulfilment=fulfilment,
        kind=kind,
        at=at,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note[:200],
    )


def _tell_her(fulfilment: Fulfilment, kind: str, title: Any, body: Any, *, key: str) -> None:
    notification_send(
        recipient=fulfilment.woman,
        kind=kind,
        title=str(title),
        body=str(body),
        link=link_for_her(fulfilment),
        dedup_key=f"delivery:{key}:{fulfilment.pk}",
    )


def _tell_pharmacy(fulfilment: Fulfilment, kind: str, title: Any, body: Any, *, key: str) -> None:
    for pharmacist in User.objects.filter(role__in=DISPENSING_ROLES, is_active=True):
        notification_send(
            recipient=pharmacist,
            kind=kind,
            title=str(title),
            body=str(body),
            link=link_for_pharmacy(fulfilment),
            dedup_key=f"delivery:{key}:{fulfilment.pk}:{pharmacist.pk}",
        )


def _promise(now: datetime) -> datetime:
    return now + timedelta(hours=settings.ANYUN_DELIVERY_PROMISE_HOURS)


def _lock(fulfilment: Fulfilment) -> Fulfilment:
    return (
        Fulfilment.objects.select_for_update(of=("self",))
        .select_related("woman", "prescription", "address")
        .get(pk=fulfilment.pk)
    )


def _require_woman(user: Any) -> None:
    if getattr(user, "role", None) != Role.WOMAN:
        raise PermissionDenied("not_a_woman", _("Only a woman can do this for herself."))


def new_pickup_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    return _SPACES.sub("", str(code or "")).upper()[:32]


# --- opened by the payment ------------------------------------------------------------------


def fulfilment_open(*, prescription: Prescription, order: Any) -> Fulfilment:
    """On `prescription_paid`, inside billing's transaction: how she gets it, as she chose on
    her order (a delivery fee line means delivery). A pick-up gets its code; a delivery goes to
    her default address when she has one. Once per prescription."""
    existing = Fulfilment.objects.filter(prescription=prescription).first()
    if existing is not None:
        return existing
    lines = getattr(order, "lines", None) or []
    delivery = any(isinstance(line, dict) and line.get("code") == "delivery" for line in lines)
    now = timezone.now()
    fulfilment = Fulfilment(
        prescription=prescription,
        woman=prescription.woman,
        order_ref=str(getattr(order, "public_id", ""))[:64],
        method=Method.DELIVERY if delivery else Method.PICKUP,
    )
    if delivery:
        fulfilment.address = Address.objects.filter(
            woman=prescription.woman, is_default=True, removed_at__isnull=True
        ).first()
        if fulfilment.address is not None:
            fulfilment.promised_by = _promise(now)
        fulfilment.save()
    else:
        for attempt in range(5):
            fulfilment.pickup_code = new_pickup_code()
            try:
                with transaction.atomic():
                    fulfilment.save()
                break
            except IntegrityError:
                fulfilment.pk = None
                if attempt == 4:
                    raise
    _event(fulfilment, EventKind.PAID, at=now)
    _audit("delivery_open", fulfilment)
    if delivery:
        body = (
            _("The pharmacy will dispense your medicines and send them to your default address.")
            if fulfilment.address is not None
            else _("Choose the address we should deliver your medicines to.")
        )
        _tell_her(fulfilment, "delivery_opened", _("Delivery of your medicines"), body, key="open")
    else:
        _tell_her(
            fulfilment,
            "delivery_opened",
            _("Pick up your medicines"),
            _("Show your pick-up code at the hospital pharmacy."),
            key="open",
        )
    return fulfilment


def on_prescription_paid(sender: Any, *, prescription: Prescription, order: Any, **kw: Any) -> None:
    fulfilment_open(prescription=prescription, order=order)


def fulfilment_close_refunded(*, prescription: Prescription) -> Fulfilment | None:
    """On `prescription_refunded` (her payment went back: a prescription returned after
    payment, a cancelled order): a pick-up or delivery not dispensed yet is closed, and its
    pick-up code no longer works. One already dispensed stays as it was."""
    fulfilment = (
        Fulfilment.objects.select_for_update(of=("self",))
        .select_related("woman")
        .filter(prescription=prescription, status=FulfilmentStatus.WAITING)
        .first()
    )
    if fulfilment is None:
        return None
    now = timezone.now()
    fulfilment.status = FulfilmentStatus.REFUNDED
    fulfilment.finished_at = now
    fulfilment.save(update_fields=["status", "finished_at", "updated_at"])
    _event(fulfilment, EventKind.REFUNDED, at=now)
    _audit("delivery_refund", fulfilment)
    return fulfilment


def on_prescription_refunded(sender: Any, *, prescription: Prescription, **kw: Any) -> None:
    fulfilment_close_refunded(prescription=prescription)


# --- reading --------------------------------------------------------------------------------


def fulfilment_read(*, user: Any, fulfilment_id: Any, request: Any = None) -> Fulfilment:
    fulfilment = access_fulfilment(user=user, fulfilment_id=fulfilment_id)
    _audit("delivery_read", fulfilment, actor=user, request=request)
    return fulfilment


# --- her address book -----------------------------------------------------------------------


def _clean(value: Any, *, field: str, max_length: int, required: bool = True) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise DomainError("required", _("This field is required."), field=field)
    if len(text) > max_length:
        raise DomainError(
            "too_long", _("Keep this to %(max)s characters.") % {"max": max_length}, field=field
        )
    return text


def _audit_address(action: str, address: Address, *, actor: Any, request: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="delivery_address",
        object_id=address.public_id,
        subject=address.woman,
        request=request,
        detail={"default": address.is_default},
    )


def address_add(
    *,
    woman: User,
    recipient: str,
    phone: str,
    address: str,
    label: str = "",
    make_default: bool = False,
    request: Any = None,
) -> Address:
    """Save an address in her book; her first one (or one she marks) is the default."""
    _require_woman(woman)
    recipient = _clean(recipient, field="recipient", max_length=60)
    phone = _clean(phone, field="phone", max_length=20)
    if not _PHONE_RE.match(phone):
        raise DomainError("phone_invalid", _("Enter a valid phone number."), field="phone")
    address = _clean(address, field="address", max_length=300)
    label = _clean(label, field="label", max_length=40, required=False)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=woman.pk).first()  # one book change at a time
        saved = Address.objects.filter(woman=woman, removed_at__isnull=True)
        if saved.count() >= MAX_ADDRESSES:
            raise DomainError(
                "too_many_addresses",
                _("You can save at most %(max)s addresses. Remove one first.")
                % {"max": MAX_ADDRESSES},
            )
        default = make_default or not saved.filter(is_default=True).exists()
        if default:
            saved.filter(is_default=True).update(is_default=False, updated_at=timezone.now())
        row = Address.objects.create(
            woman=woman,
            label=label,
            recipient=recipient,
            phone=phone,
            address=address,
            is_default=default,
        )
        _audit_address("delivery_address_add", row, actor=woman, request=request)
    return row


def address_make_default(*, woman: User, address_id: Any, request: Any = None) -> Address:
    _require_woman(woman)
    with transaction.atomic():
        row = access_address(user=woman, address_id=address_id)
        Address.objects.filter(woman=woman, is_default=True).exclude(pk=row.pk).update(
            is_default=False, updated_at=timezone.now()
        )
        row.is_default = True
        row.save(update_fields=["is_default", "updated_at"])
        _audit_address("delivery_address_default", row, actor=woman, request=request)
    return row


def address_remove(*, woman: User, address_id: Any, request: Any = None) -> Address:
    """Take an address out of her book (kept for the deliveries that went there)."""
    _require_woman(woman)
    with transaction.atomic():
        row = access_address(user=woman, address_id=address_id)
        row.removed_at = timezone.now()
        was_default = row.is_default
        row.is_default = False
        row.save(update_fields=["removed_at", "is_default", "updated_at"])
        if was_default:
            nxt = Address.objects.filter(woman=woman, removed_at__isnull=True).first()
            if nxt is not None:
                nxt.is_default = True
                nxt.save(update_fields=["is_default", "updated_at"])
        _audit_address("delivery_address_remove", row, actor=woman, request=request)
    return row


def addresses_read(*, woman: User, request: Any = None) -> list[Address]:
    _require_woman(woman)
    rows = list(Address.objects.filter(woman=woman, removed_at__isnull=True))
    audit_record(
        actor=woman,
        action="delivery_address_read",
        object_type="delivery_address",
        subject=woman,
        request=request,
        detail={"count": len(rows)},
    )
    return rows


def address_choose(
    *, woman: User, fulfilment_id: Any, address_id: Any, request: Any = None
) -> Fulfilment:
    """Where her delivery goes: while it waits for the pharmacy, or before it is sent again."""
    _require_woman(woman)
    fulfilment = access_fulfilment(user=woman, fulfilment_id=fulfilment_id)
    address = access_address(user=woman, address_id=address_id)
    with transaction.atomic():
        locked = _lock(fulfilment)
        if locked.method != Method.DELIVERY or locked.status not in {
            FulfilmentStatus.WAITING,
            FulfilmentStatus.FAILED,
        }:
            raise DomainError(
                "address_fixed", _("The address cannot be changed now: it is on its way.")
            )
        now = timezone.now()
        locked.address = address
        if locked.promised_by is None:
            locked.promised_by = _promise(now)
        locked.save(update_fields=["address", "promised_by", "updated_at"])
        _event(locked, EventKind.ADDRESS, at=now, actor=woman)
        _audit("delivery_address_choose", locked, actor=woman, request=request)
    return locked


# --- the pharmacy ---------------------------------------------------------------------------


def pharmacy_queue_read(*, actor: User, request: Any = None) -> None:
    require_pharmacist(actor)
    audit_record(
        actor=actor,
        action="delivery_queue_read",
        object_type="dispensing_queue",
        request=request,
    )


def pickup_find(*, actor: User, code: str) -> Fulfilment:
    """The pick-up waiting under this code (typed, or scanned from her QR)."""
    require_pharmacist(actor)
    wanted = normalise_code(code)
    if len(wanted) != CODE_LENGTH:
        raise NotFound(_("No pick-up is waiting under this code."))
    fulfilment = (
        Fulfilment.objects.select_related("woman", "prescription")
        .filter(method=Method.PICKUP, status=FulfilmentStatus.WAITING, pickup_code=wanted)
        .first()
    )
    if fulfilment is None:
        raise NotFound(_("No pick-up is waiting under this code."))
    return fulfilment


def pickup_dispense(*, actor: User, code: str, request: Any = None) -> Fulfilment:
    """The pharmacist dispenses a pick-up: her code (typed or scanned), the stock decremented,
    the pick-up done. Refused for anyone but a pharmacist and for a code not waiting."""
    fulfilment = pickup_find(actor=actor, code=code)
    with transaction.atomic():
        locked = _lock(fulfilment)
        if locked.status != FulfilmentStatus.WAITING:
            raise DomainError(
                "already_dispensed", _("These medicines have been dispensed already.")
            )
        now = timezone.now()
        prescription_dispense(actor=actor, prescription_id=locked.prescription_id, now=now)
        locked.status = FulfilmentStatus.COLLECTED
        locked.dispensed_at = now
        locked.dispensed_by = actor
        locked.finished_at = now
        locked.save(
            update_fields=["status", "dispensed_at", "dispensed_by", "finished_at", "updated_at"]
        )
        _event(locked, EventKind.DISPENSED, at=now, actor=actor)
        _event(locked, EventKind.COLLECTED, at=now, actor=actor)
        _audit("delivery_dispense", locked, actor=actor, request=request)
        _tell_her(
            locked,
            "delivery_collected",
            _("Medicines picked up"),
            _("You picked up your medicines at the hospital pharmacy."),
            key="collected",
        )
    return locked


def delivery_dispense(*, actor: User, fulfilment_id: Any, request: Any = None) -> Fulfilment:
    """The pharmacist dispenses a delivery: stock off, then the parcel goes to the courier
    (a queued hand-over)."""
    require_pharmacist(actor)
    fulfilment = access_fulfilment(user=actor, fulfilment_id=fulfilment_id)
    with transaction.atomic():
        locked = _lock(fulfilment)
        if locked.method != Method.DELIVERY:
            raise DomainError("not_delivery", _("This is a pick-up: dispense it with her code."))
        if locked.status != FulfilmentStatus.WAITING:
            raise DomainError(
                "already_dispensed", _("These medicines have been dispensed already.")
            )
        if locked.address is None:
            raise DomainError(
                "address_missing", _("She has not chosen the address to deliver to yet.")
            )
        now = timezone.now()
        prescription_dispense(actor=actor, prescription_id=locked.prescription_id, now=now)
        address = locked.address
        locked.ship_to = f"{address.recipient} {address.phone} {address.address}"
        locked.status = FulfilmentStatus.DISPENSED
        locked.dispensed_at = now
        locked.dispensed_by = actor
        locked.save(
            update_fields=["ship_to", "status", "dispensed_at", "dispensed_by", "updated_at"]
        )
        _event(locked, EventKind.DISPENSED, at=now, actor=actor)
        _audit("delivery_dispense", locked, actor=actor, request=request)
        _enqueue("handover_submit", fulfilment_id=locked.pk)
        _tell_her(
            locked,
            "delivery_dispensed",
            _("Medicines dispensed"),
            _("The pharmacy has dispensed your medicines; a courier will bring them."),
            key=f"dispensed:{locked.attempts}",
        )
    return locked


def handover_submit(*, fulfilment_id: int) -> None:
    """The queued job: hand the dispensed parcel to the courier. The row stays locked while
    the provider answers, so a job run twice hands it over once."""
    with transaction.atomic():
        locked = (
            Fulfilment.objects.select_for_update(of=("self",))
            .select_related("woman", "prescription")
            .filter(pk=fulfilment_id, status=FulfilmentStatus.DISPENSED)
            .first()
        )
        if locked is None:
            return
        provider = delivery_provider()
        now = timezone.now()
        try:
            handover = provider.hand_over(
                Parcel(reference=str(locked.public_id), ship_to=locked.ship_to)
            )
        except ProviderError as exc:
            logger.warning("Courier hand-over refused for %s: %s", locked.public_id, exc)
            _failed(locked, at=now, actor=None, note=str(exc) or "hand-over refused")
            return
        locked.status = FulfilmentStatus.HANDED_OVER
        locked.provider = provider.name
        locked.provider_ref = handover.provider_ref[:64]
        locked.attempts += 1
        locked.save(update_fields=["status", "provider", "provider_ref", "attempts", "updated_at"])
        _event(locked, EventKind.HANDED_OVER, at=now, note=locked.provider_ref)
        _audit("delivery_handover", locked, provider=provider.name, waybill=locked.provider_ref)
        _tell_her(
            locked,
            "delivery_handed_over",
            _("Medicines on their way"),
            _("The courier has your medicines. Waybill: %(waybill)s.")
            % {"waybill": locked.provider_ref},
            key=f"handover:{locked.attempts}",
        )


def _failed(
    locked: Fulfilment, *, at: datetime, actor: Any, note: str, request: Any = None
) -> None:
    locked.status = FulfilmentStatus.FAILED
    locked.save(update_fields=["status", "updated_at"])
    _event(locked, EventKind.FAILED, at=at, actor=actor, note=note)
    _audit("delivery_failed", locked, actor=actor, request=request, note=note[:200])
    key = f"failed:{locked.attempts}:{locked.provider_ref}"
    _tell_her(
        locked,
        "delivery_failed",
        _("Delivery failed"),
        _("The courier could not deliver your medicines. The pharmacy will contact you."),
        key=key,
    )
    _tell_pharmacy(
        locked,
        "delivery_failed_pharmacy",
        _("A delivery failed"),
        _("Send it again or refund it."),
        key=key,
    )


def provider_event(*, provider: str, provider_ref: str, event: str, note: str = "") -> bool:
    """The courier's news about a parcel it has: "delivered" or "failed". The same news twice
    changes nothing; news about a parcel no longer with the courier is ignored. True when
    applied."""
    if event not in {"delivered", "failed"}:
        raise DomainError("choice_invalid", _("Choose one of the listed values."), field="event")
    with transaction.atomic():
        locked = (
            Fulfilment.objects.select_for_update(of=("self",))
            .select_related("woman", "prescription")
            .filter(provider=provider, provider_ref=provider_ref)
            .first()
        )
        if locked is None:
            raise NotFound()
        if locked.status != FulfilmentStatus.HANDED_OVER:
            return False
        now = timezone.now()
        if event == "failed":
            _failed(locked, at=now, actor=None, note=note or "courier")
            return True
        locked.status = FulfilmentStatus.DELIVERED
        locked.finished_at = now
        locked.save(update_fields=["status", "finished_at", "updated_at"])
        _event(locked, EventKind.DELIVERED, at=now, note=note)
        _audit("delivery_delivered", locked, waybill=provider_ref)
        _tell_her(
            locked,
            "delivery_delivered",
            _("Medicines delivered"),
            _("Your medicines have been delivered."),
            key="delivered",
        )
    return True


def delivery_fail(
    *, actor: User, fulfilment_id: Any, note: str = "", request: Any = None
) -> Fulfilment:
    """The pharmacist records what the courier told them by phone: it could not deliver."""
    require_pharmacist(actor)
    note = _clean(note, field="note", max_length=200, required=False)
    fulfilment = access_fulfilment(user=actor, fulfilment_id=fulfilment_id)
    with transaction.atomic():
        locked = _lock(fulfilment)
        if locked.status != FulfilmentStatus.HANDED_OVER:
            raise DomainError("not_with_courier", _("Only a parcel with the courier can fail."))
        _failed(locked, at=timezone.now(), actor=actor, note=note or "courier", request=request)
    return locked


def delivery_resend(*, actor: User, fulfilment_id: Any, request: Any = None) -> Fulfilment:
    """A failed delivery goes to the courier again (a new hand-over, a new promised time)."""
    require_pharmacist(actor)
    fulfilment = access_fulfilment(user=actor, fulfilment_id=fulfilment_id)
    with transaction.atomic():
        locked = _lock(fulfilment)
        if locked.status != FulfilmentStatus.FAILED:
            raise DomainError("not_failed", _("Only a failed delivery can be sent again."))
        now = timezone.now()
        if locked.address is not None:
            address = locked.address
            locked.ship_to = f"{address.recipient} {address.phone} {address.address}"
        locked.status = FulfilmentStatus.DISPENSED
        locked.promised_by = _promise(now)
        locked.late_alerted_at = None
        locked.save(
            update_fields=["ship_to", "status", "promised_by", "late_alerted_at", "updated_at"]
        )
        _event(locked, EventKind.RESENT, at=now, actor=actor)
        _audit("delivery_resend", locked, actor=actor, request=request)
        _enqueue("handover_submit", fulfilment_id=locked.pk)
    return locked


def delivery_refund(*, actor: User, fulfilment_id: Any, request: Any = None) -> Fulfilment:
    """A failed delivery is refunded: billing refunds her paid order in full."""
    require_pharmacist(actor)
    fulfilment = access_fulfilment(user=actor, fulfilment_id=fulfilment_id)
    with transaction.atomic():
        locked = _lock(fulfilment)
        if locked.status != FulfilmentStatus.FAILED:
            raise DomainError("not_failed", _("Only a failed delivery can be refunded."))
        refund = refund_for_payable(
            kind=PAYABLE_KIND,
            ref=str(locked.prescription.public_id),
            reason=RefundReason.STAFF,
            actor=actor,
        )
        if refund is None:
            raise DomainError("not_paid", _("There is no paid order to refund."))
        now = timezone.now()
        locked.status = FulfilmentStatus.REFUNDED
        locked.finished_at = now
        locked.save(update_fields=["status", "finished_at", "updated_at"])
        _event(locked, EventKind.REFUNDED, at=now, actor=actor, note=refund.number)
        _audit("delivery_refund", locked, actor=actor, request=request, refund=refund.number)
        _tell_her(
            locked,
            "delivery_refunded",
            _("Delivery refunded"),
            _("Your payment for these medicines is being refunded."),
            key="refunded",
        )
    return locked


# --- the late sweep -------------------------------------------------------------------------


def deliveries_alert_late(*, now: datetime | None = None) -> int:
    """Every delivery not delivered by its promised time: the pharmacy alerted and she told,
    once per promise (a resend makes a new one). Safe to run twice."""
    now = now or timezone.now()
    done = 0
    while True:
        with transaction.atomic():
            batch = list(
                Fulfilment.objects.select_for_update(skip_locked=True)
                .select_related("woman", "prescription")
                .filter(
                    method=Method.DELIVERY,
                    status__in=OPEN_DELIVERY_STATUSES,
                    promised_by__lte=now,
                    late_alerted_at__isnull=True,
                )
                .order_by("promised_by", "pk")[:SWEEP_BATCH]
            )
            if not batch:
                return done
            for fulfilment in batch:
                promised = fulfilment.promised_by or now
                fulfilment.late_alerted_at = now
                fulfilment.save(update_fields=["late_alerted_at", "updated_at"])
                _event(fulfilment, EventKind.LATE, at=now)
                _audit("delivery_late", fulfilment, promised_by=promised.isoformat())
                key = f"late:{promised:%Y%m%d%H%M%S}"
                _tell_her(
                    fulfilment,
                    "delivery_late",
                    _("Your medicines are late"),
                    _(
                        "Your delivery is later than promised. The pharmacy has been told and is "
                        "looking into it."
                    ),
                    key=key,
                )
                _tell_pharmacy(
                    fulfilment,
                    "delivery_late_pharmacy",
                    _("A delivery is late"),
                    _("A delivery was not delivered within the promised time."),
                    key=key,
                )
                done += 1
