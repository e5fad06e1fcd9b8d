"""Prescribing reads: the formulary, her allergies, who sees which prescription, the review
queue and her medication plan in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from anyun.accounts.models import CLINICAL_ROLES, Role
from anyun.careteam.selectors import women_visible_to
from anyun.clinical import prescribing as rules
from anyun.core.errors import NotFound
from anyun.prescribing import links
from anyun.prescribing.models import (
    Allergy,
    Drug,
    Frequency,
    Prescription,
    PrescriptionLine,
    PrescriptionStatus,
)
from anyun.prescribing.words import finding_text, reason_label

SEARCH_LIMIT = 50


def drug_facts(drug: Drug) -> rules.DrugFacts:
    return rules.DrugFacts(
        code=drug.code,
        # Both names: the findings are read by Chinese- and English-speaking staff alike.
        name=f"{drug.chinese_name} {drug.generic_name}",
        ingredients=frozenset(drug.ingredients),
        classes=frozenset(drug.drug_classes),
        controlled=rules.ControlledClass(drug.controlled_class),
        pregnancy=rules.Safety(drug.pregnancy_safety),
        pregnancy_avoid_from_week=drug.pregnancy_avoid_from_week,
        lactation=rules.Safety(drug.lactation_safety),
    )


def formulary_search(
    q: str = "", *, online_only: bool = False, active_only: bool = True
) -> QuerySet[Drug]:
    drugs = Drug.objects.all()
    if active_only:
        drugs = drugs.filter(is_active=True)
    if online_only:
        drugs = drugs.filter(controlled_class="none")
    text = (q or "").strip()
    if text:
        drugs = drugs.filter(
            Q(generic_name__icontains=text)
            | Q(chinese_name__icontains=text)
            | Q(code__icontains=text)
        )
    return drugs.order_by("generic_name", "strength")


def allergens_known() -> list[str]:
    """The codes an allergy can name: every ingredient and class of the formulary."""
    codes: set[str] = set()
    for ingredients, classes in Drug.objects.values_list("ingredients", "drug_classes"):
        codes.update(ingredients or [])
        codes.update(classes or [])
    return sorted(codes)


def allergies_of(woman: Any) -> list[Allergy]:
    return list(Allergy.objects.filter(woman=woman, ended_at__isnull=True).order_by("substance"))


def prescriptions_visible_to(user: Any) -> QuerySet[Prescription]:
    rows = Prescription.objects.select_related("woman__woman_profile", "clinician", "consultation")
    if user is None or not user.is_authenticated:
        return rows.none()
    signed = ~Q(status=PrescriptionStatus.DRAFT)
    if user.role == Role.WOMAN:
        return rows.filter(signed, woman=user)
    if user.role in CLINICAL_ROLES:
        visible = women_visible_to(user).values("pk")
        return rows.filter(woman__in=visible).filter(Q(clinician=user) | signed)
    if user.role == Role.PHARMACIST:
        return rows.filter(signed)
    return rows.none()


def access_prescription(*, user: Any, prescription_id: UUID | str) -> Prescription:
    """The prescription if `user` may see it; the same NotFound for missing and not allowed."""
    try:
        return prescriptions_visible_to(user).get(public_id=prescription_id)
    except (Prescription.DoesNotExist, ValueError) as exc:
        raise NotFound() from exc


def review_queue() -> list[Prescription]:
    """Signed prescriptions waiting for a pharmacist, the longest-waiting first."""
    return list(
        Prescription.objects.filter(status=PrescriptionStatus.PENDING_REVIEW)
        .select_related("woman__woman_profile", "clinician", "consultation__department")
        .prefetch_related("lines__drug")
        .order_by("submitted_at", "pk")
    )


def recently_decided(limit: int = 20) -> list[Prescription]:
    return list(
        Prescription.objects.filter(review__isnull=False)
        .select_related("woman__woman_profile", "clinician", "review__pharmacist")
        .order_by("-decided_at")[:limit]
    )


def prescriptions_of_woman(woman: Any) -> list[Prescription]:
    return list(
        prescriptions_visible_to(woman)
        .exclude(status=PrescriptionStatus.SUPERSEDED)
        .prefetch_related("lines__drug")
        .order_by("-signed_at")
    )


def versions_of(prescription: Prescription) -> list[Prescription]:
    return list(
        Prescription.objects.filter(series=prescription.series)
        .select_related("review__pharmacist")
        .order_by("version")
    )


def pickup_link_of(prescription: Prescription) -> str:
    """Her pick-up or delivery page for a prescription she has paid for, or "" (not paid, or
    nothing opened for it): the app that fulfils it registers the page (`links`)."""
    if prescription.paid_at is None:
        return ""
    return links.after_payment_link(prescription)


def woman_name(woman: Any) -> str:
    profile = getattr(woman, "woman_profile", None)
    return (profile.real_name if profile is not None else "") or str(woman)


@dataclass(frozen=True)
class FindingView:
    severity: str
    text: str
    source: str

    @property
    def blocking(self) -> bool:
        return self.severity == rules.Severity.BLOCK


def findings_view(prescription: Prescription) -> list[FindingView]:
    return [
        FindingView(f["severity"], finding_text(f), f.get("source", ""))
        for f in prescription.findings
    ]


def reasons_view(codes: list[str]) -> list[str]:
    return [reason_label(code) for code in codes]


def plan_line(line: PrescriptionLine) -> str:
    """One line of her medication plan in plain words (the clinician's entries, worded)."""
    words = gettext(
        "%(name)s (%(generic)s %(strength)s): take %(dose)s %(often)s for %(days)s days."
    ) % {
        "name": line.chinese_name,
        "generic": line.generic_name,
        "strength": line.strength,
        "dose": line.dose,
        "often": Frequency(line.frequency).label,
        "days": line.days,
    }
    if line.instructions:
        words += " " + line.instructions
    return words


def plan_of(prescription: Prescription) -> list[str]:
    return [plan_line(line) for line in prescription.lines.all()]


def total_fen(prescription: Prescription) -> int:
    return sum(line.unit_price_fen * line.quantity for line in prescription.lines.all())


def waiting_minutes(prescription: Prescription, *, now: datetime | None = None) -> int:
    if prescription.submitted_at is None:
        return 0
    return max(0, int(((now or timezone.now()) - prescription.submitted_at).total_seconds() // 60))
