"""Delivery pages. Hers (phone): her pick-ups and deliveries with the code, QR and timeline,
choosing the address, her address book. The pharmacist's (workstation): the dispensing
queue, the pick-up code form, one delivery with its timeline and actions. Thin: parse, call
one service or selector, render; refusals shown as messages."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anyun.accounts.decorators import acting_user, staff_required, woman_required
from anyun.assessment.selectors import risk_badges
from anyun.audit.services import audit_record
from anyun.core.errors import DomainError, NotFound
from anyun.core.forms import form_error
from anyun.delivery import forms, selectors, services
from anyun.delivery.models import Fulfilment, FulfilmentStatus, Method
from anyun.delivery.qr import qr_svg
from anyun.delivery.selectors import DISPENSING_ROLES

pharmacist_required = staff_required(DISPENSING_ROLES)


def _fulfilment(request: HttpRequest, fulfilment_id: UUID) -> Fulfilment:
    try:
        return services.fulfilment_read(
            user=acting_user(request), fulfilment_id=fulfilment_id, request=request
        )
    except NotFound as exc:
        raise Http404 from exc


@woman_required
def mine(request: HttpRequest) -> HttpResponse:
    woman = acting_user(request)
    rows = selectors.fulfilments_of(woman)
    audit_record(
        actor=woman,
        action="delivery_read",
        object_type="fulfilment",
        subject=woman,
        request=request,
        detail={"count": len(rows)},
    )
    return render(request, "delivery/mine.html", {"rows": rows})


@woman_required
def mine_detail(request: HttpRequest, fulfilment_id: UUID) -> HttpResponse:
    fulfilment = _fulfilment(request, fulfilment_id)
    woman = acting_user(request)
    choosing = fulfilment.method == Method.DELIVERY and fulfilment.status in {
        FulfilmentStatus.WAITING,
        FulfilmentStatus.FAILED,
    }
    waiting_pickup = (
        fulfilment.method == Method.PICKUP and fulfilment.status == FulfilmentStatus.WAITING
    )
    return render(
        request,
        "delivery/mine_detail.html",
        {
            "f": fulfilment,
            "events": list(fulfilment.events.all()),
            "lines": list(fulfilment.prescription.lines.order_by("position")),
            "qr": qr_svg(fulfilment.pickup_code) if waiting_pickup else "",
            "waiting_pickup": waiting_pickup,
            "choosing": choosing,
            "addresses": services.addresses_read(woman=woman, request=request) if choosing else [],
        },
    )


@woman_required
@require_POST
def mine_address(request: HttpRequest, fulfilment_id: UUID) -> HttpResponse:
    try:
        services.address_choose(
            woman=acting_user(request),
            fulfilment_id=fulfilment_id,
            address_id=request.POST.get("address", ""),
            request=request,
        )
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Address chosen."))
    return redirect("delivery:mine_detail", fulfilment_id=fulfilment_id)


@woman_required
def addresses(request: HttpRequest) -> HttpResponse:
    woman = acting_user(request)
    form = forms.AddressForm(request.POST or None)
    back = request.GET.get("next", "") or request.POST.get("next", "")
    if not (back.startswith("/delivery/") and "//" not in back):
        back = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.address_add(woman=woman, request=request, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Address saved."))
            return redirect(back or "delivery:addresses")
    rows = services.addresses_read(woman=woman, request=request)
    return render(request, "delivery/addresses.html", {"rows": rows, "form": form, "next": back})


def _address_action(request: HttpRequest, address_id: UUID, *, remove: bool) -> HttpResponse:
    woman = acting_user(request)
    try:
        if remove:
            services.address_remove(woman=woman, address_id=address_id, request=request)
        else:
            services.address_make_default(woman=woman, address_id=address_id, request=request)
    except NotFound as exc:
        raise Http404 from exc
    return redirect("delivery:addresses")


@woman_required
@require_POST
def address_default(request: HttpRequest, address_id: UUID) -> HttpResponse:
    return _address_action(request, address_id, remove=False)


@woman_required
@require_POST
def address_remove(request: HttpRequest, address_id: UUID) -> HttpResponse:
    return _address_action(request, address_id, remove=True)


# --- the pharmacy ---------------------------------------------------------------------------


@pharmacist_required
def pharmacy(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    services.pharmacy_queue_read(actor=actor, request=request)
    queue = selectors.pharmacy_queue()
    rows = [*queue.to_dispense, *queue.waiting_address, *queue.on_the_way, *queue.failed]
    badges = risk_badges({f.woman_id for f in rows})  # her colour beside her name
    for f in rows:
        f.risk_badge = badges[f.woman_id]  # type: ignore[attr-defined]
    return render(
        request,
        "delivery/pharmacy.html",
        {
            "queue": queue,
            "form": forms.PickupForm(),
            "now": timezone.now(),
        },
    )


@pharmacist_required
@require_POST
def pharmacy_pickup(request: HttpRequest) -> HttpResponse:
    form = forms.PickupForm(request.POST)
    if form.is_valid():
        try:
            fulfilment = services.pickup_dispense(
                actor=acting_user(request), code=form.cleaned_data["code"], request=request
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Dispensed. Hand her the medicines."))
            return redirect("delivery:pharmacy_detail", fulfilment_id=fulfilment.public_id)
    else:
        messages.error(request, _("Type or scan her pick-up code."))
    return redirect("delivery:pharmacy")


@pharmacist_required
def pharmacy_detail(request: HttpRequest, fulfilment_id: UUID) -> HttpResponse:
    fulfilment = _fulfilment(request, fulfilment_id)
    return render(
        request,
        "delivery/pharmacy_detail.html",
        {
            "f": fulfilment,
            "risk_badge": risk_badges({fulfilment.woman_id})[fulfilment.woman_id],
            "events": list(fulfilment.events.select_related("actor")),
            "lines": list(fulfilment.prescription.lines.order_by("position")),
            "fail_form": forms.FailForm(),
            "late": selectors.is_late(fulfilment, now=timezone.now()),
        },
    )


@pharmacist_required
@require_POST
def pharmacy_act(request: HttpRequest, fulfilment_id: UUID, action: str) -> HttpResponse:
    actor = acting_user(request)
    try:
        if action == "dispense":
            services.delivery_dispense(actor=actor, fulfilment_id=fulfilment_id, request=request)
            messages.success(request, _("Dispensed; the courier is booked."))
        elif action == "fail":
            services.delivery_fail(
                actor=actor,
                fulfilment_id=fulfilment_id,
                note=request.POST.get("note", ""),
                request=request,
            )
            messages.success(request, _("Recorded as failed."))
        elif action == "resend":
            services.delivery_resend(actor=actor, fulfilment_id=fulfilment_id, request=request)
            messages.success(request, _("Sent to the courier again."))
        elif action == "refund":
            services.delivery_refund(actor=actor, fulfilment_id=fulfilment_id, request=request)
            messages.success(request, _("The refund is requested."))
        else:
            raise Http404
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("delivery:pharmacy_detail", fulfilment_id=fulfilment_id)
