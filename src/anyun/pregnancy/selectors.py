"""Reads of the pregnancy record. Loading always goes through the care-team access check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Exists, FilteredRelation, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anyun.accounts.models import ApiToken, User, WomanProfile
from anyun.accounts.services import api_token_accept, api_token_hash, api_tokens_live_hashed
from anyun.careteam.selectors import women_visible_to
from anyun.clinical import anthropometry, dating
from anyun.clinical.risk_tables import DIABETES
from anyun.consent.models import ConsentSignature
from anyun.consent.services import consent_refusal, current_consent_ids
from anyun.core.errors import NotFound, PermissionDenied
from anyun.core.prepared import PreparedReads
from anyun.pregnancy.models import (
    ExamReport,
    Pregnancy,
    PregnancyDiagnosis,
    PregnancyStatus,
    PreviousPregnancy,
)


def current_pregnancy_of(woman: Any) -> Pregnancy | None:
    return Pregnancy.objects.filter(woman=woman, status=PregnancyStatus.CURRENT).first()


def pregnancies_of(woman: Any) -> tuple[Pregnancy | None, list[Pregnancy]]:
    """Her current pregnancy (at most one, a database constraint) and her others, newest
    first, in one read."""
    pregnancies = list(Pregnancy.objects.filter(woman=woman))
    current = next((p for p in pregnancies if p.status == PregnancyStatus.CURRENT), None)
    return current, [p for p in pregnancies if p is not current]


@dataclass(frozen=True)
class WomanGate:
    """What a service needs to know before it serves a woman, read in one statement: whether
    she is ready (identity verified, every current consent signed), her current pregnancy
    and whether it has an open GDM or PGDM diagnosis (the glucose targets are then hers)."""

    user: User
    verified: bool
    consented: bool
    pregnancy: Pregnancy | None
    diabetes: bool = False

    def require_ready(self) -> None:
        """Verified identity and every current consent signed, else PermissionDenied."""
        if not self.verified:
            raise PermissionDenied(
                "identity_required", _("Please verify your real-name identity first.")
            )
        if not self.consented:
            raise consent_refusal()


def _gated(rows: QuerySet[Any], *, user: str, consent_ids: tuple[int, ...]) -> QuerySet[Any]:
    """`rows` (users, or rows with a `user` relation at path `user`) with her readiness,
    current pregnancy and known diabetes joined: one statement."""
    ref = OuterRef(f"{user}id" if user else "pk")
    checks: dict[str, Any] = {
        "gate_verified": Exists(WomanProfile.objects.filter(user=ref, verified_at__isnull=False)),
        "gate_diabetes": Exists(
            PregnancyDiagnosis.objects.filter(
                pregnancy__woman=ref,
                pregnancy__status=PregnancyStatus.CURRENT,
                code__in=sorted(DIABETES),
                ended_at__isnull=True,
            )
        ),
    }
    for n, document_id in enumerate(consent_ids):
        checks[f"gate_signed_{n}"] = Exists(
            ConsentSignature.objects.filter(
                user=ref, document_id=document_id, withdrawn_at__isnull=True
            )
        )
    return (
        rows.annotate(**checks)
        .annotate(
            gate_pregnancy=FilteredRelation(
                f"{user}pregnancies",
                condition=Q(**{f"{user}pregnancies__status": PregnancyStatus.CURRENT}),
            )
        )
        .select_related("gate_pregnancy")
    )


def _gate_of(row: Any, user: User) -> WomanGate:
    signed = [v for k, v in vars(row).items() if k.startswith("gate_signed_")]
    pregnancy = getattr(row, "gate_pregnancy", None)
    current = pregnancy if pregnancy is not None and pregnancy.pk is not None else None
    return WomanGate(
        user=user,
        verified=bool(row.gate_verified),
        consented=all(signed),
        pregnancy=current,
        diabetes=bool(row.gate_diabetes) and current is not None,
    )


def woman_gate(woman: User) -> WomanGate:
    """Her readiness, current pregnancy and known diabetes (one statement)."""
    row = _gated(
        User.objects.filter(pk=woman.pk), user="", consent_ids=tuple(current_consent_ids())
    ).first()
    if row is None:
        return WomanGate(user=woman, verified=False, consented=False, pregnancy=None)
    return _gate_of(row, woman)


# The readings API's gate runs on every submission: its SQL is compiled once per set of
# consent documents in force and run again with the token's hash and the time. Her phone
# number is not decrypted for it (nothing on the readings path texts her; read on use).
def _gate_by_token(consent_ids: tuple[int, ...]) -> Any:
    return lambda token_hash, now: (
        _gated(api_tokens_live_hashed(token_hash, now=now), user="user__", consent_ids=consent_ids)
        .defer("user__phone")
        .order_by("pk")
    )


_GATE_BY_TOKEN: PreparedReads[tuple[int, ...], ApiToken] = PreparedReads(_gate_by_token, most=8)


def woman_gate_by_token(raw: str) -> WomanGate | None:
    """The live API token `raw` (accounts' rules), its user, her readiness, current
    pregnancy and known diabetes: one statement. None when the token does not admit anyone."""
    read = _GATE_BY_TOKEN[tuple(current_consent_ids())]
    token = read.first(api_token_hash(raw), timezone.now())
    user = api_token_accept(token)
    if token is None or user is None:
        return None
    return _gate_of(token, user)


def has_diabetes(pregnancy: Pregnancy | int | None) -> bool:
    """Whether the pregnancy has an open GDM or PGDM diagnosis (the glucose self-monitoring
    targets are then hers). One statement."""
    if pregnancy is None:
        return False
    return PregnancyDiagnosis.objects.filter(
        pregnancy=pregnancy, code__in=sorted(DIABETES), ended_at__isnull=True
    ).exists()


def pregnancies_visible_to(user: Any) -> QuerySet[Pregnancy]:
    return Pregnancy.objects.filter(woman__in=women_visible_to(user)).select_related("woman")


def access_pregnancy(*, user: Any, pregnancy_public_id: UUID | str) -> Pregnancy:
    try:
        return pregnancies_visible_to(user).get(public_id=pregnancy_public_id)
    except (Pregnancy.DoesNotExist, ValueError) as exc:
        raise NotFound() from exc


def access_report(*, user: Any, report_public_id: UUID | str) -> ExamReport:
    try:
        return ExamReport.objects.select_related("pregnancy__woman").get(
            public_id=report_public_id, pregnancy__woman__in=women_visible_to(user)
        )
    except (ExamReport.DoesNotExist, ValueError) as exc:
        raise NotFound() from exc


@dataclass(frozen=True)
class PregnancySummary:
    """What a screen shows about a pregnancy on a given day (GA is recomputed each day)."""

    pregnancy: Pregnancy
    today: dt.date
    ga: dating.GestationalAge | None
    trimester: int | None
    days_to_edd: int
    bmi: float | None
    bmi_category: str | None

    @property
    def ga_label(self) -> str:
        return str(self.ga) if self.ga else ""


def pregnancy_summary(pregnancy: Pregnancy, *, today: dt.date | None = None) -> PregnancySummary:
    today = today or timezone.localdate()
    days = dating.PREGNANCY_LENGTH_DAYS - (pregnancy.edd - today).days
    ga = dating.GestationalAge(days) if days >= 0 else None
    bmi = None
    category = None
    if pregnancy.height_cm and pregnancy.pre_pregnancy_weight_kg:
        bmi = anthropometry.bmi(
            height_cm=float(pregnancy.height_cm), weight_kg=float(pregnancy.pre_pregnancy_weight_kg)
        )
        category = str(anthropometry.bmi_category(bmi))
    return PregnancySummary(
        pregnancy=pregnancy,
        today=today,
        ga=ga,
        trimester=dating.trimester(ga) if ga else None,
        days_to_edd=(pregnancy.edd - today).days,
        bmi=bmi,
        bmi_category=category,
    )


def history_of(woman: Any) -> QuerySet[PreviousPregnancy]:
    return PreviousPregnancy.objects.filter(woman=woman)


def diagnoses_open(pregnancy: Pregnancy) -> QuerySet[PregnancyDiagnosis]:
    """Her known conditions in this pregnancy that are not ended, oldest first."""
    return PregnancyDiagnosis.objects.filter(pregnancy=pregnancy, ended_at__isnull=True).order_by(
        "created_at", "id"
    )


@dataclass(frozen=True)
class RevisionRow:
    """One change to her record in words: each field by its label, each value as shown."""

    changed_at: dt.datetime
    changed_by: User
    reason: str
    changes: list[tuple[str, str, str]]  # (field label, old value, new value); "" for none


def _revision_value(field: Any, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def revisions_of(pregnancy: Pregnancy, *, limit: int = 20) -> list[RevisionRow]:
    """The newest changes to her record (who, when, why), each field by its label: a person
    never sees a column name."""
    rows = []
    for revision in pregnancy.revisions.select_related("changed_by")[:limit]:
        changes = []
        for name, (old, new) in (revision.changes or {}).items():
            try:
                field: Any = Pregnancy._meta.get_field(name)
            except FieldDoesNotExist:
                field = None
            label = capfirst(str(field.verbose_name)) if field is not None else name
            changes.append((label, _revision_value(field, old), _revision_value(field, new)))
        rows.append(RevisionRow(revision.changed_at, revision.changed_by, revision.reason, changes))
    return rows
