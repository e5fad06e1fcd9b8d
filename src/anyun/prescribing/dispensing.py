"""Dispensing a paid prescription: the stock of each line comes off the hospital pharmacy's
formulary once, and the prescription is marked dispensed.

Only a pharmacist dispenses, and only a prescription the pharmacist approved that was paid
within its validity (处方审核规范 2018 [P]: review before charging and dispensing; 处方管理办法
2007 [S]: a prescription is valid on its issue day, up to 3 days when the clinician says so).
What counts is that the payment came in before the end of the validity: the expiry sweep
leaves a paid prescription approved, so it can be dispensed after that end (one the sweep marked
expired before it spared paid ones is dispensed as well). A second dispense is refused.

Runs inside the caller's transaction (the use case that hands the medicines over); the
prescription row and the drugs' rows are locked, the drugs in key order so two dispenses never
wait on each other in a cycle, and the stock is decremented with F() expressions.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anyun.accounts.models import Role
from anyun.core.errors import DomainError, NotFound, PermissionDenied
from anyun.prescribing.models import Drug, Prescription, PrescriptionStatus

# Statuses a paid prescription can be in: approved, or expired by an earlier sweep after its
# payment.
DISPENSABLE_STATUSES = (PrescriptionStatus.APPROVED, PrescriptionStatus.EXPIRED)


class StockShort(DomainError):
    def __init__(self, names: list[str]) -> None:
        super().__init__(
            "stock_short",
            _("Not enough in stock to dispense: %(names)s.") % {"names": ", ".join(names)},
        )
        self.names = names


def require_pharmacist(actor: Any) -> None:
    if getattr(actor, "role", None) != Role.PHARMACIST:
        raise PermissionDenied("not_pharmacist", _("Only a pharmacist can dispense medicines."))


def dispense_refusal(prescription: Prescription) -> DomainError | None:
    """Why this prescription cannot be dispensed now, or None."""
    if prescription.dispensed_at is not None:
        return DomainError("already_dispensed", _("These medicines have been dispensed already."))
    if prescription.status not in DISPENSABLE_STATUSES or prescription.decided_at is None:
        return DomainError(
            "not_approved", _("Only a prescription the pharmacist approved can be dispensed.")
        )
    if prescription.paid_at is None:
        return DomainError("not_paid", _("This prescription has not been paid for."))
    if prescription.expires_at is None or prescription.paid_at > prescription.expires_at:
        return DomainError(
            "paid_after_expiry", _("This prescription was paid for after it expired.")
        )
    return None


def prescription_dispense(
    *, actor: Any, prescription_id: int, now: datetime | None = None
) -> Prescription:
    """Dispense once: every line's quantity off its drug's stock, refused whole when any is
    short; the prescription marked dispensed. Call inside a transaction."""
    require_pharmacist(actor)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("prescription_dispense runs inside the caller's transaction")
    prescription = Prescription.objects.select_for_update().filter(pk=prescription_id).first()
    if prescription is None:
        raise NotFound()
    refusal = dispense_refusal(prescription)
    if refusal is not None:
        raise refusal
    wanted: Counter[int] = Counter()
    for line in prescription.lines.all():
        wanted[line.drug_id] += line.quantity
    drugs = {
        drug.pk: drug
        for drug in Drug.objects.select_for_update().filter(pk__in=wanted).order_by("pk")
    }
    short = sorted(
        f"{drug.chinese_name} {drug.generic_name}"
        for pk, drug in drugs.items()
        if drug.stock < wanted[pk]
    )
    if short:
        raise StockShort(short)
    for pk, quantity in sorted(wanted.items()):
        # The condition repeats the check in the database: stock never goes below zero.
        done = Drug.objects.filter(pk=pk, stock__gte=quantity).update(
            stock=F("stock") - quantity, updated_at=timezone.now()
        )
        if done != 1:
            raise StockShort([str(drugs[pk])])
    prescription.dispensed_at = now or timezone.now()
    prescription.save(update_fields=["dispensed_at", "updated_at"])
    return prescription
