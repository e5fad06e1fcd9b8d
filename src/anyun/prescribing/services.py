"""Prescribing use cases: the formulary, her drug allergies, writing and signing a
prescription, the pharmacist's review, revision after a return and the expiry sweep. Each is one
transaction, audited in it; notifications go through the notify outbox in the same transaction.

Rules (DOMAIN.md section 9, 处方管理办法 2007, 处方审核规范 2018): only a clinician who may
practise online writes and signs, during or within a day of her consultation, after re-entering
the one-time code of the second factor (the identity re-check before signing); every signed
version goes to the pharmacist; only an approved one that has not expired can be paid
(`prescription_payable`, for billing). Nothing here writes a prescription's content by itself:
every line, dose and diagnosis is the clinician's input.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import match_token

from anyun.accounts.models import Role, User
from anyun.assessment.services import online_care_check
from anyun.audit.services import audit_record
from anyun.billing.models import RefundReason
from anyun.billing.services import refund_for_payable
from anyun.careteam.selectors import access_woman
from anyun.clinical import prescribing as rules
from anyun.consultation.models import Consultation, ConsultationStatus
from anyun.consultation.selectors import consultation_for
from anyun.core.errors import DomainError, NotFound, PermissionDenied
from anyun.notify.services import notification_send
from anyun.pregnancy.selectors import current_pregnancy_of
from anyun.prescribing import selectors, signing
from anyun.prescribing.models import (
    DIAGNOSIS_MAX_LENGTH,
    LIVE_STATUSES,
    TEXT_MAX_LENGTH,
    Allergy,
    Controlled,
    Drug,
    Frequency,
    Prescription,
    PrescriptionLine,
    PrescriptionStatus,
    Review,
    ReviewDecision,
    SafetyRating,
    Signature,
    SignaturePurpose,
)
from anyun.prescribing.selectors import access_prescription, allergens_known, drug_facts
from anyun.prescribing.words import RETURN_REASONS
from anyun.staff.selectors import require_online_practice

# LOCAL POLICY: "right after a consultation" is within a day of its end.
AFTER_CONSULTATION = timedelta(hours=24)
# The payable kind's name (prescribing.payable registers it under this name).
PAYABLE_KIND = "prescription"
MAX_DAYS_PER_LINE = 90
MAX_QUANTITY = 999
SWEEP_BATCH = 500


def _text(value: str, *, field: str, limit: int, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError(f"{field}_required", _("This field is required."), field=field)
    if len(text) > limit:
        raise DomainError(
            "text_too_long",
            _("Keep this to %(max)s characters.") % {"max": limit},
            field=field,
        )
    return text


def link_of(prescription: Prescription) -> str:
    return f"/prescribing/{prescription.public_id}/"


# --- the formulary -------------------------------------------------------------------------


@dataclass(frozen=True)
class DrugInput:
    code: str
    generic_name: str
    chinese_name: str
    form: str
    strength: str
    route: str
    unit: str
    usual_dosing: str
    pregnancy_safety: str
    pregnancy_note: str
    lactation_safety: str
    lactation_note: str
    controlled_class: str
    ingredients: Sequence[str]
    drug_classes: Sequence[str]
    stock: int
    price_fen: int
    source: str
    pregnancy_avoid_from_week: int | None = None
    is_active: bool = True


def _require_pharmacist(actor: User) -> None:
    if actor.role != Role.PHARMACIST:
        raise PermissionDenied("not_pharmacist", _("Only a pharmacist can do this."))


def _codes(values: Sequence[str], *, field: str, required: bool) -> list[str]:
    codes = sorted({v.strip().lower().replace(" ", "_") for v in values if v and v.strip()})
    if required and not codes:
        raise DomainError(f"{field}_required", _("This field is required."), field=field)
    for code in codes:
        if len(code) > 64 or not code.replace("_", "").replace("-", "").isalnum():
            raise DomainError(
                "code_invalid",
                _("Use letters, digits and underscores only."),
                field=field,
            )
    return codes


def drug_save(*, actor: User, data: DrugInput, drug_id: Any = None, request: Any = None) -> Drug:
    """Add a formulary entry or change one (pharmacists only), audited with what changed."""
    _require_pharmacist(actor)
    choices = {
        "pregnancy_safety": SafetyRating.values,
        "lactation_safety": SafetyRating.values,
        "controlled_class": Controlled.values,
    }
    for name, allowed in choices.items():
        if getattr(data, name) not in allowed:
            raise DomainError("choice_invalid", _("Choose one of the listed values."), field=name)
    if data.price_fen < 0:
        raise DomainError("price_invalid", _("Enter a price of 0 or more."), field="price_fen")
    if data.stock < 0:
        raise DomainError("stock_invalid", _("Enter a stock of 0 or more."), field="stock")
    week = data.pregnancy_avoid_from_week
    if week is not None and not 1 <= week <= 42:
        raise DomainError(
            "week_invalid", _("Enter a week from 1 to 42."), field="pregnancy_avoid_from_week"
        )
    values: dict[str, Any] = {
        "generic_name": _text(data.generic_name, field="generic_name", limit=120, required=True),
        "chinese_name": _text(data.chinese_name, field="chinese_name", limit=120, required=True),
        "form": _text(data.form, field="form", limit=60, required=True),
        "strength": _text(data.strength, field="strength", limit=60, required=True),
        "route": _text(data.route, field="route", limit=40, required=True),
        "unit": _text(data.unit, field="unit", limit=20, required=True),
        "usual_dosing": _text(
            data.usual_dosing, field="usual_dosing", limit=TEXT_MAX_LENGTH, required=True
        ),
        "pregnancy_safety": data.pregnancy_safety,
        "pregnancy_avoid_from_week": week,
        "pregnancy_note": _text(
            data.pregnancy_note, field="pregnancy_note", limit=TEXT_MAX_LENGTH, required=True
        ),
        "lactation_safety": data.lactation_safety,
        "lactation_note": _text(
            data.lactation_note, field="lactation_note", limit=TEXT_MAX_LENGTH, required=True
        ),
        "controlled_class": data.controlled_class,
        "ingredients": _codes(data.ingredients, field="ingredients", required=True),
        "drug_classes": _codes(data.drug_classes, field="drug_classes", required=False),
        "stock": data.stock,
        "price_fen": data.price_fen,
        "source": _text(data.source, field="source", limit=TEXT_MAX_LENGTH, required=True),
        "is_active": data.is_active,
        "updated_by": actor,
    }
    with transaction.atomic():
        if drug_id is None:
            code = _codes([data.code], field="code", required=True)[0]
            if Drug.objects.filter(code=code).exists():
                raise DomainError("code_taken", _("This code is already in use."), field="code")
            drug = Drug.objects.create(code=code, **values)
            action, changed = "drug_create", sorted(values)
        else:
            found = Drug.objects.select_for_update().filter(public_id=drug_id).first()
            if found is None:
                raise NotFound()
            drug = found
            changed = sorted(k for k, v in values.items() if getattr(drug, k) != v)
            for name, value in values.items():
                setattr(drug, name, value)
            drug.save()
            action = "drug_update"
        changed = [c for c in changed if c != "updated_by"]
        audit_record(
            actor=actor,
            action=action,
            object_type="drug",
            object_id=drug.public_id,
            request=request,
            detail={"code": drug.code, "changed": changed},
        )
    return drug


# --- her allergies -------------------------------------------------------------------------


def _require_prescriber(actor: User) -> None:
    if actor.role != Role.CLINICIAN:
        raise PermissionDenied("not_prescriber", _("Only a clinician can prescribe."))
    require_online_practice(actor)


def allergy_record(
    *, actor: User, woman_id: Any, substance: str, reaction: str = "", request: Any = None
) -> Allergy:
    """Record a drug allergy of hers (an ingredient or a class of the formulary)."""
    if actor.role not in {Role.CLINICIAN, Role.NURSE}:
        raise PermissionDenied("not_allowed", _("Only her clinicians can do this."))
    woman = access_woman(user=actor, woman_public_id=woman_id)
    code = (substance or "").strip().lower()
    if code not in allergens_known():
        raise DomainError(
            "allergen_unknown",
            _("Choose an ingredient or drug class from the list."),
            field="substance",
        )
    note = _text(reaction, field="reaction", limit=200)
    with transaction.atomic():
        try:
            with transaction.atomic():
                allergy = Allergy.objects.create(
                    woman=woman, substance=code, reaction=note, recorded_by=actor
                )
        except IntegrityError as exc:
            raise DomainError(
                "allergy_recorded", _("This allergy is already recorded."), field="substance"
            ) from exc
        audit_record(
            actor=actor,
            action="allergy_record",
            object_type="allergy",
            object_id=allergy.public_id,
            subject=woman,
            request=request,
            detail={"substance": code},
        )
    return allergy


def allergy_end(*, actor: User, allergy_id: Any, request: Any = None) -> None:
    """Remove a recorded allergy (it stays on record with who removed it and when)."""
    if actor.role not in {Role.CLINICIAN, Role.NURSE}:
        raise PermissionDenied("not_allowed", _("Only her clinicians can do this."))
    allergy = Allergy.objects.filter(public_id=allergy_id, ended_at__isnull=True).first()
    if allergy is None:
        raise NotFound()
    access_woman(user=actor, woman_public_id=allergy.woman.public_id)
    with transaction.atomic():
        Allergy.objects.filter(pk=allergy.pk).update(ended_at=timezone.now(), ended_by=actor)
        audit_record(
            actor=actor,
            action="allergy_end",
            object_type="allergy",
            object_id=allergy.public_id,
            subject=allergy.woman,
            request=request,
            detail={"substance": allergy.substance},
        )


# --- writing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    drug: str  # the formulary code
    dose: str
    frequency: str
    days: int
    quantity: int
    instructions: str = ""


@dataclass(frozen=True)
class PrescriptionInput:
    diagnosis: str
    lines: Sequence[LineInput]
    advice: str = ""
    supply_reason: str = ""
    validity_days: int = 1
    validity_reason: str = ""
    breastfeeding: bool = False


def _consultation_for_prescribing(actor: User, consultation_id: Any) -> Consultation:
    consultation = consultation_for(actor, consultation_id)
    if consultation.clinician_id != actor.pk:
        raise NotFound()
    if consultation.status == ConsultationStatus.REFERRED:
        raise DomainError(
            "consultation_referred",
            _("She was referred to in-person care: no online prescription."),
        )
    ended = consultation.ended_at
    if consultation.status == ConsultationStatus.ENDED and (
        ended is None or timezone.now() - ended > AFTER_CONSULTATION
    ):
        raise DomainError(
            "consultation_closed",
            _("A prescription is written during the consultation or within a day of its end."),
        )
    return consultation


def _lines(data: PrescriptionInput) -> list[tuple[LineInput, Drug]]:
    if not data.lines:
        raise DomainError("lines_required", _("Add at least one drug."), field="lines")
    if len(data.lines) > rules.MAX_DRUGS:
        raise DomainError(
            "too_many_drugs",
            _("A prescription holds at most %(max)s drugs.") % {"max": rules.MAX_DRUGS},
            field="lines",
        )
    codes = {line.drug for line in data.lines}
    drugs = {d.code: d for d in Drug.objects.filter(code__in=codes, is_active=True)}
    out = []
    for i, line in enumerate(data.lines):
        where = f"lines.{i}"
        drug = drugs.get(line.drug)
        if drug is None:
            raise DomainError(
                "drug_unknown", _("Choose a drug from the formulary."), field=f"{where}.drug"
            )
        if drug.controlled_class != Controlled.NONE:
            raise DomainError(
                "controlled_online",
                _("%(drug)s is a specially controlled drug: it cannot be prescribed online.")
                % {"drug": drug.generic_name},
                field=f"{where}.drug",
            )
        _text(line.dose, field=f"{where}.dose", limit=60, required=True)
        if line.frequency not in Frequency.values:
            raise DomainError(
                "choice_invalid", _("Choose one of the listed values."), field=f"{where}.frequency"
            )
        if not 1 <= line.days <= MAX_DAYS_PER_LINE:
            raise DomainError(
                "days_invalid",
                _("Enter from 1 to %(max)s days.") % {"max": MAX_DAYS_PER_LINE},
                field=f"{where}.days",
            )
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise DomainError(
                "quantity_invalid",
                _("Enter a quantity from 1 to %(max)s.") % {"max": MAX_QUANTITY},
                field=f"{where}.quantity",
            )
        _text(line.instructions, field=f"{where}.instructions", limit=200)
        out.append((line, drug))
    return out


def _validity(data: PrescriptionInput) -> None:
    if not 1 <= data.validity_days <= rules.MAX_VALIDITY_DAYS:
        raise DomainError(
            "validity_invalid",
            _("A prescription is valid for 1 to %(max)s days.") % {"max": rules.MAX_VALIDITY_DAYS},
            field="validity_days",
        )
    if data.validity_days > 1 and not data.validity_reason.strip():
        raise DomainError(
            "validity_reason_required",
            _("State why the prescription stays valid for more than the day of issue."),
            field="validity_reason",
        )


def patient_of(woman: User, *, breastfeeding: bool) -> rules.Patient:
    """Her stage and allergies as the checks see them: pregnant when she has a current
    pregnancy (weeks from its due date), else breastfeeding when the clinician says so."""
    allergies = frozenset(
        Allergy.objects.filter(woman=woman, ended_at__isnull=True).values_list(
            "substance", flat=True
        )
    )
    pregnancy = current_pregnancy_of(woman)
    if pregnancy is not None:
        days = 280 - (pregnancy.edd - timezone.localdate()).days
        return rules.Patient(rules.Stage.PREGNANT, max(days, 0) // 7, allergies)
    stage = rules.Stage.BREASTFEEDING if breastfeeding else rules.Stage.NEITHER
    return rules.Patient(stage, None, allergies)


def findings_for(prescription: Prescription) -> list[rules.Finding]:
    """Run the checks on a prescription's stored lines against her record now."""
    lines = list(prescription.lines.select_related("drug"))
    patient = patient_of(prescription.woman, breastfeeding=prescription.breastfeeding)
    return rules.check_prescription(
        [rules.Line(drug_facts(line.drug), line.days) for line in lines],
        patient,
        supply_reason_given=bool(prescription.supply_reason.strip()),
    )


def _stored(findings: Sequence[rules.Finding]) -> list[dict[str, Any]]:
    return [
        {
            "key": f.key,
            "code": f.code,
            "severity": f.severity.value,
            "drugs": list(f.drugs),
            "params": dict(f.params),
            "source": f.source,
        }
        for f in findings
    ]


def _write(prescription: Prescription, data: PrescriptionInput) -> None:
    lines = _lines(data)
    _validity(data)
    prescription.diagnosis = _text(
        data.diagnosis, field="diagnosis", limit=DIAGNOSIS_MAX_LENGTH, required=True
    )
    prescription.advice = _text(data.advice, field="advice", limit=TEXT_MAX_LENGTH)
    prescription.supply_reason = _text(
        data.supply_reason, field="supply_reason", limit=TEXT_MAX_LENGTH
    )
    prescription.validity_days = data.validity_days
    prescription.validity_reason = _text(
        data.validity_reason, field="validity_reason", limit=TEXT_MAX_LENGTH
    )
    prescription.breastfeeding = bool(data.breastfeeding)
    prescription.save()
    prescription.lines.all().delete()
    PrescriptionLine.objects.bulk_create(
        PrescriptionLine(
            prescription=prescription,
            position=i + 1,
            drug=drug,
            dose=line.dose.strip(),
            frequency=line.frequency,
            days=line.days,
            quantity=line.quantity,
            instructions=line.instructions.strip(),
            **line_snapshot(drug),
        )
        for i, (line, drug) in enumerate(lines)
    )
    patient = patient_of(prescription.woman, breastfeeding=prescription.breastfeeding)
    prescription.stage = patient.stage.value
    prescription.gestational_weeks = patient.gestational_weeks
    prescription.findings = _stored(findings_for(prescription))
    prescription.save(update_fields=["stage", "gestational_weeks", "findings", "updated_at"])


def prescription_create(
    *,
    actor: User,
    consultation_id: Any,
    data: PrescriptionInput,
    idempotency_key: str = "",
    request: Any = None,
) -> Prescription:
    """A draft prescription in her consultation, its checks run. A repeat with the same
    idempotency key returns the first draft unchanged."""
    _require_prescriber(actor)
    key = (idempotency_key or "").strip()
    if len(key) > 64:
        raise DomainError(
            "idempotency_key_invalid", _("The idempotency key is at most 64 characters.")
        )
    if key:
        earlier = Prescription.objects.filter(clinician=actor, idempotency_key=key).first()
        if earlier is not None:
            return earlier
    consultation = _consultation_for_prescribing(actor, consultation_id)
    online_care_check(consultation.woman)
    try:
        with transaction.atomic():
            prescription = Prescription(
                consultation=consultation,
                woman=consultation.woman,
                clinician=actor,
                series=uuid.uuid4(),
                idempotency_key=key,
            )
            _write(prescription, data)
            audit_record(
                actor=actor,
                action="prescription_create",
                object_type="prescription",
                object_id=prescription.public_id,
                subject=prescription.woman,
                request=request,
                detail={"lines": len(data.lines), "consultation": str(consultation.public_id)},
            )
    except IntegrityError:
        earlier = Prescription.objects.filter(clinician=actor, idempotency_key=key).first()
        if key and earlier is not None:
            return earlier
        raise
    return prescription


def _own_draft(actor: User, prescription_id: Any) -> Prescription:
    _require_prescriber(actor)
    prescription = access_prescription(user=actor, prescription_id=prescription_id)
    if prescription.clinician_id != actor.pk:
        raise NotFound()
    return prescription


def prescription_update(
    *, actor: User, prescription_id: Any, data: PrescriptionInput, request: Any = None
) -> Prescription:
    """Change a draft (a signed version is never changed: revise it after a return)."""
    prescription = _own_draft(actor, prescription_id)
    with transaction.atomic():
        locked = Prescription.objects.select_for_update().get(pk=prescription.pk)
        if locked.status != PrescriptionStatus.DRAFT:
            raise DomainError("not_draft", _("Only a draft can be changed."))
        _write(locked, data)
        audit_record(
            actor=actor,
            action="prescription_update",
            object_type="prescription",
            object_id=locked.public_id,
            subject=locked.woman,
            request=request,
            detail={"lines": len(data.lines)},
        )
    return locked


# --- signing -------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str:
    # UTC, so the text is the same however the value was read back.
    return value.astimezone(dt.UTC).isoformat() if value is not None else ""


def line_snapshot(drug: Drug) -> dict[str, Any]:
    """What a prescription line keeps of its drug when written (the formulary may change
    after; the signed content and what she reads do not)."""
    return {
        "unit_price_fen": drug.price_fen,
        "drug_code": drug.code,
        "generic_name": drug.generic_name,
        "chinese_name": drug.chinese_name,
        "form": drug.form,
        "strength": drug.strength,
        "route": drug.route,
        "unit": drug.unit,
    }


def prescription_content(prescription: Prescription) -> dict[str, Any]:
    """The canonical content a prescriber's signature covers: the lines as written, with the
    drug's names, form and strength kept on them."""
    lines = prescription.lines.order_by("position")
    return {
        "prescription": str(prescription.public_id),
        "series": str(prescription.series),
        "version": prescription.version,
        "consultation": str(prescription.consultation.public_id),
        "woman": str(prescription.woman.public_id),
        "clinician": str(prescription.clinician.public_id),
        "diagnosis": prescription.diagnosis,
        "advice": prescription.advice,
        "supply_reason": prescription.supply_reason,
        "validity_days": prescription.validity_days,
        "validity_reason": prescription.validity_reason,
        "breastfeeding": prescription.breastfeeding,
        "stage": prescription.stage,
        "gestational_weeks": prescription.gestational_weeks,
        "findings": [f["key"] for f in prescription.findings],
        "warning_reason": prescription.warning_reason,
        "signed_at": _iso(prescription.signed_at),
        "expires_at": _iso(prescription.expires_at),
        "lines": [
            {
                "position": line.position,
                "drug": line.drug_code,
                "name": line.generic_name,
                "chinese_name": line.chinese_name,
                "strength": line.strength,
                "form": line.form,
                "route": line.route,
                "dose": line.dose,
                "frequency": line.frequency,
                "days": line.days,
                "quantity": line.quantity,
                "instructions": line.instructions,
                "unit_price_fen": line.unit_price_fen,
            }
            for line in lines
        ],
    }


def review_content(prescription: Prescription, review: Review) -> dict[str, Any]:
    """The canonical content a pharmacist's signature covers: the prescription's signed hash
    and the decision."""
    signed = prescription.signatures.get(purpose=SignaturePurpose.PRESCRIPTION)
    return {
        "prescription": str(prescription.public_id),
        "prescription_hash": signed.content_hash,
        "review": str(review.public_id),
        "pharmacist": str(review.pharmacist.public_id),
        "decision": review.decision,
        "reasons": list(review.reasons),
        "note": review.note,
        "decided_at": _iso(review.decided_at),
    }


def _identity_recheck(actor: User, otp_token: str, *, prescription: Prescription) -> str:
    """The staff identity re-check before signing (监管细则 2022): the current one-time code of
    the person's own second-factor device. A failure is audited and refused."""
    token = (otp_token or "").strip()
    device = match_token(actor, token) if token.isdigit() and len(token) <= 8 else None
    if device is None:
        audit_record(
            actor=actor,
            action="prescription_sign_refused",
            object_type="prescription",
            object_id=prescription.public_id,
            subject=prescription.woman,
            detail={"reason": "identity_recheck_failed"},
        )
        raise DomainError(
            "identity_recheck_failed",
            _("The one-time code is wrong or already used. Enter the current code."),
            field="otp_token",
        )
    return "totp"


def _signed_body(content: dict[str, Any], *, signer: User, identity_check: str) -> bytes:
    """The bytes signed: the content, who signs and how their identity was checked (a row
    changed to name another signer, or another check, no longer verifies)."""
    return signing.content_bytes(
        {**content, "signed_by": str(signer.public_id), "identity_check": identity_check}
    )


def _sign(
    prescription: Prescription,
    *,
    user: User,
    purpose: str,
    content: dict[str, Any],
    identity_check: str,
    now: datetime,
) -> Signature:
    body = _signed_body(content, signer=user, identity_check=identity_check)
    result = signing.signer().sign(user=user, content=body)
    return Signature.objects.create(
        prescription=prescription,
        purpose=purpose,
        signer=user,
        signed_at=now,
        provider=result.provider,
        key_id=result.key_id,
        content_hash=signing.content_hash(body),
        signature=result.signature,
        certificate=result.certificate,
        identity_check=identity_check,
    )


def _end_of_validity(signed_at: datetime, days: int) -> datetime:
    """Valid on the day issued, or up to 3 days (处方管理办法 2007 Art. 18): until midnight
    (the hospital's time zone) after the last valid day."""
    day = timezone.localtime(signed_at).date() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, dt.time.min))


def _pharmacists() -> list[User]:
    return list(User.objects.filter(role=Role.PHARMACIST, is_active=True).order_by("pk"))


def _signable(findings: Sequence[rules.Finding], *, reason: str) -> None:
    if rules.has_blocking(findings):
        raise DomainError(
            "prescription_blocked",
            _("A check blocks this prescription: change it before signing."),
        )
    if rules.warnings_of(findings) and not reason:
        raise DomainError(
            "warning_reason_required",
            _("State why the warnings are accepted before signing."),
            field="warning_reason",
        )


def prescription_sign(
    *,
    actor: User,
    prescription_id: Any,
    otp_token: str,
    warning_reason: str = "",
    request: Any = None,
) -> Prescription:
    """Sign a draft: the identity re-check, the checks run again (a blocking finding refuses;
    warnings need the clinician's reason), the signature over the content, then the
    pharmacist's queue (IMP-4b) with every pharmacist told."""
    prescription = _own_draft(actor, prescription_id)
    if prescription.status != PrescriptionStatus.DRAFT:
        raise DomainError("not_draft", _("This prescription is already signed."))
    _consultation_for_prescribing(actor, prescription.consultation.public_id)
    online_care_check(prescription.woman)
    reason = _text(warning_reason, field="warning_reason", limit=TEXT_MAX_LENGTH)
    # The checks before the re-check, so a refused signature does not spend her code.
    _signable(findings_for(prescription), reason=reason)
    identity = _identity_recheck(actor, otp_token, prescription=prescription)
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Prescription.objects.select_for_update()
            .select_related("woman", "clinician", "consultation")
            .get(pk=prescription.pk)
        )
        if locked.status != PrescriptionStatus.DRAFT:
            raise DomainError("not_draft", _("This prescription is already signed."))
        findings = findings_for(locked)
        _signable(findings, reason=reason)
        locked.findings = _stored(findings)
        locked.warning_reason = reason if rules.warnings_of(findings) else ""
        locked.signed_at = now
        locked.submitted_at = now
        locked.expires_at = _end_of_validity(now, locked.validity_days)
        locked.status = PrescriptionStatus.PENDING_REVIEW
        locked.save()
        signature = _sign(
            locked,
            user=actor,
            purpose=SignaturePurpose.PRESCRIPTION,
            content=prescription_content(locked),
            identity_check=identity,
            now=now,
        )
        audit_record(
            actor=actor,
            action="prescription_sign",
            object_type="prescription",
            object_id=locked.public_id,
            subject=locked.woman,
            request=request,
            detail={
                "version": locked.version,
                "content_hash": signature.content_hash,
                "provider": signature.provider,
                "warnings": [f.key for f in rules.warnings_of(findings)],
            },
        )
        for pharmacist in _pharmacists():
            notification_send(
                recipient=pharmacist,
                kind="prescription_to_review",
                title=str(_("A prescription to review")),
                body=str(_("A signed prescription is waiting in the review queue.")),
                link=f"/prescribing/review/{locked.public_id}/",
                dedup_key=f"rx-review:{locked.pk}:{pharmacist.pk}",
            )
    return locked


def prescription_verify(
    prescription: Prescription, *, purpose: str = SignaturePurpose.PRESCRIPTION
) -> bool:
    """True when the stored content still matches its signature, made by the person whose
    signature it must be (the prescriber; for a review, the reviewing pharmacist) with their own
    key: a changed field, line, signer, identity check or signature fails."""
    signature = prescription.signatures.select_related("signer").filter(purpose=purpose).first()
    if signature is None:
        return False
    if purpose == SignaturePurpose.PRESCRIPTION:
        content = prescription_content(prescription)
        expected = prescription.clinician_id
    else:
        content = review_content(prescription, prescription.review)
        expected = prescription.review.pharmacist_id
    if signature.signer_id != expected:
        return False
    body = _signed_body(content, signer=signature.signer, identity_check=signature.identity_check)
    if signing.content_hash(body) != signature.content_hash:
        return False
    signer = signing.signer_named(signature.provider)
    return signer is not None and signer.verify(
        key_id=signature.key_id,
        content=body,
        signature=signature.signature,
        certificate=signature.certificate,
        signer=signature.signer,
    )


def prescription_revise(*, actor: User, prescription_id: Any, request: Any = None) -> Prescription:
    """After a return: a new draft version with the same lines for the clinician to change and
    sign again; the returned version is kept as it was, marked superseded."""
    prescription = _own_draft(actor, prescription_id)
    with transaction.atomic():
        locked = Prescription.objects.select_for_update().get(pk=prescription.pk)
        if locked.status != PrescriptionStatus.RETURNED:
            raise DomainError("not_returned", _("Only a returned prescription can be revised."))
        revised = Prescription.objects.create(
            consultation=locked.consultation,
            woman=locked.woman,
            clinician=actor,
            series=locked.series,
            version=locked.version + 1,
            previous=locked,
            diagnosis=locked.diagnosis,
            advice=locked.advice,
            supply_reason=locked.supply_reason,
            validity_days=locked.validity_days,
            validity_reason=locked.validity_reason,
            breastfeeding=locked.breastfeeding,
            stage=locked.stage,
            gestational_weeks=locked.gestational_weeks,
            findings=locked.findings,
        )
        PrescriptionLine.objects.bulk_create(
            PrescriptionLine(
                prescription=revised,
                position=line.position,
                drug=line.drug,
                dose=line.dose,
                frequency=line.frequency,
                days=line.days,
                quantity=line.quantity,
                instructions=line.instructions,
                **line_snapshot(line.drug),
            )
            for line in locked.lines.select_related("drug")
        )
        Prescription.objects.filter(pk=locked.pk).update(
            status=PrescriptionStatus.SUPERSEDED, updated_at=timezone.now()
        )
        audit_record(
            actor=actor,
            action="prescription_revise",
            object_type="prescription",
            object_id=revised.public_id,
            subject=revised.woman,
            request=request,
            detail={"previous": str(locked.public_id), "version": revised.version},
        )
    return revised


# --- the pharmacist's review ---------------------------------------------------------------


def review_decide(
    *,
    actor: User,
    prescription_id: Any,
    decision: str,
    reasons: Sequence[str] = (),
    note: str = "",
    request: Any = None,
) -> Review:
    """Approve or return a signed prescription (处方审核规范 2018): a return needs at least one
    coded reason ("other" needs the note). The pharmacist signs the decision; the review time
    (submitted -> decided) is kept; the clinician (and, once approved, she) is told."""
    _require_pharmacist(actor)
    require_online_practice(actor)
    if decision not in ReviewDecision.values:
        raise DomainError("choice_invalid", _("Choose one of the listed values."), field="decision")
    codes = sorted(set(reasons))
    unknown = [c for c in codes if c not in RETURN_REASONS]
    if unknown:
        raise DomainError("reason_unknown", _("Choose reasons from the list."), field="reasons")
    text = _text(note, field="note", limit=TEXT_MAX_LENGTH)
    if decision == ReviewDecision.RETURNED and not codes:
        raise DomainError(
            "reasons_required", _("Choose at least one reason for the return."), field="reasons"
        )
    if "other" in codes and not text:
        raise DomainError("note_required", _("Explain the other reason in the note."), field="note")
    if decision == ReviewDecision.APPROVED:
        codes = []
    prescription = access_prescription(user=actor, prescription_id=prescription_id)
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Prescription.objects.select_for_update()
            .select_related("woman", "clinician", "consultation")
            .get(pk=prescription.pk)
        )
        if locked.status != PrescriptionStatus.PENDING_REVIEW:
            raise DomainError("not_pending", _("This prescription is not waiting for review."))
        if locked.expires_at is not None and locked.expires_at <= now:
            raise DomainError("prescription_expired", _("This prescription has expired."))
        submitted = locked.submitted_at or now
        review = Review.objects.create(
            prescription=locked,
            pharmacist=actor,
            decision=decision,
            reasons=codes,
            note=text,
            submitted_at=submitted,
            decided_at=now,
            review_seconds=max(0, int((now - submitted).total_seconds())),
        )
        locked.status = (
            PrescriptionStatus.APPROVED
            if decision == ReviewDecision.APPROVED
            else PrescriptionStatus.RETURNED
        )
        locked.decided_at = now
        locked.save(update_fields=["status", "decided_at", "updated_at"])
        _sign(
            locked,
            user=actor,
            purpose=SignaturePurpose.REVIEW,
            content=review_content(locked, review),
            identity_check="session_second_factor",
            now=now,
        )
        audit_record(
            actor=actor,
            action="prescription_review",
            object_type="prescription",
            object_id=locked.public_id,
            subject=locked.woman,
            request=request,
            detail={"decision": decision, "reasons": codes, "seconds": review.review_seconds},
        )
        if decision == ReviewDecision.APPROVED:
            notification_send(
                recipient=locked.clinician,
                kind="prescription_approved",
                title=str(_("Prescription approved")),
                body=str(_("The pharmacist approved your prescription.")),
                link=link_of(locked),
                dedup_key=f"rx-approved:{locked.pk}:clinician",
            )
            notification_send(
                recipient=locked.woman,
                kind="prescription_approved",
                title=str(_("Your prescription is ready")),
                body=str(_("The pharmacist checked your prescription. See how to take it.")),
                link=f"/prescribing/mine/{locked.public_id}/",
                dedup_key=f"rx-approved:{locked.pk}:woman",
            )
        else:
            notification_send(
                recipient=locked.clinician,
                kind="prescription_returned",
                title=str(_("Prescription returned")),
                body=str(_("The pharmacist returned your prescription: revise and sign it again.")),
                link=link_of(locked),
                dedup_key=f"rx-returned:{locked.pk}",
            )
    return review


def _reasons_checked(reasons: Sequence[str], note: str) -> tuple[list[str], str]:
    codes = sorted(set(reasons))
    if any(c not in RETURN_REASONS for c in codes):
        raise DomainError("reason_unknown", _("Choose reasons from the list."), field="reasons")
    text = _text(note, field="note", limit=TEXT_MAX_LENGTH)
    if not codes:
        raise DomainError(
            "reasons_required", _("Choose at least one reason for the return."), field="reasons"
        )
    if "other" in codes and not text:
        raise DomainError("note_required", _("Explain the other reason in the note."), field="note")
    return codes, text


def approved_return(
    *,
    actor: User,
    prescription_id: Any,
    reasons: Sequence[str],
    note: str = "",
    request: Any = None,
) -> Review:
    """The pharmacist takes back her approval of a prescription not dispensed yet (refused once
    `dispensed_at` is set), with coded
    reasons as in `review_decide` (处方审核规范 2018: a prescription found inappropriate goes back
    to the prescriber). It becomes returned, so the clinician revises, re-signs and it is reviewed
    again; if she paid, billing refunds the order in this same transaction
    (`billing.services.refund_for_payable`, the refund submitted by its queued job); an order
    still waiting for payment is refused by billing when the money comes (`is_payable`).

    The review row and its signature (one per version) now say "returned": the pharmacist signs
    the new decision; the approval it replaces stays in the audit trail with its signed hash."""
    _require_pharmacist(actor)
    require_online_practice(actor)
    codes, text = _reasons_checked(reasons, note)
    prescription = access_prescription(user=actor, prescription_id=prescription_id)
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Prescription.objects.select_for_update()
            .select_related("woman", "clinician", "consultation")
            .get(pk=prescription.pk)
        )
        if locked.status != PrescriptionStatus.APPROVED:
            raise DomainError("not_approved", _("Only an approved prescription can be returned."))
        if locked.dispensed_at is not None:
            raise DomainError(
                "already_dispensed", _("It has been dispensed already: it cannot be returned.")
            )
        review = Review.objects.select_for_update().get(prescription=locked)
        approval = locked.signatures.get(purpose=SignaturePurpose.REVIEW)
        approved_detail = {
            "pharmacist": str(review.pharmacist.public_id),
            "decided_at": _iso(review.decided_at),
            "content_hash": approval.content_hash,
            "key_id": approval.key_id,
            "signature": approval.signature,
        }
        review.pharmacist = actor
        review.decision = ReviewDecision.RETURNED
        review.reasons = codes
        review.note = text
        review.decided_at = now
        review.save(update_fields=["pharmacist", "decision", "reasons", "note", "decided_at"])
        locked.status = PrescriptionStatus.RETURNED
        locked.decided_at = now
        locked.save(update_fields=["status", "decided_at", "updated_at"])
        approval.delete()
        _sign(
            locked,
            user=actor,
            purpose=SignaturePurpose.REVIEW,
            content=review_content(locked, review),
            identity_check="session_second_factor",
            now=now,
        )
        refund = refund_for_payable(
            kind=PAYABLE_KIND, ref=str(locked.public_id), reason=RefundReason.RETURNED, actor=actor
        )
        audit_record(
            actor=actor,
            action="prescription_return_approved",
            object_type="prescription",
            object_id=locked.public_id,
            subject=locked.woman,
            request=request,
            detail={
                "reasons": codes,
                "approved": approved_detail,
                "refund": refund.number if refund is not None else "",
            },
        )
        notification_send(
            recipient=locked.clinician,
            kind="prescription_returned",
            title=str(_("Prescription returned")),
            body=str(_("The pharmacist returned your prescription: revise and sign it again.")),
            link=link_of(locked),
            dedup_key=f"rx-returned:{locked.pk}",
        )
        notification_send(
            recipient=locked.woman,
            kind="prescription_returned",
            title=str(_("Your prescription is being checked again")),
            body=str(
                _("The pharmacist sent it back to your clinician. Any payment is refunded.")
                if refund is not None
                else _("The pharmacist sent it back to your clinician, who will revise it.")
            ),
            link=f"/prescribing/mine/{locked.public_id}/",
            dedup_key=f"rx-returned:{locked.pk}:woman",
        )
    return review


# --- expiry and payment ---------------------------------------------------------------------


def prescriptions_expire_due(*, now: datetime | None = None) -> int:
    """Expire every signed prescription past its validity that she has not paid for (the
    periodic sweep). One she paid for within its validity is left as it is: dispensing
    (`dispensing.dispense_refusal` accepts a payment made before the expiry) or a refund
    (which clears `paid_at`, so the next sweep expires it) decides its fate. Safe to run
    twice: an expired one is not touched again."""
    now = now or timezone.now()
    done = 0
    while True:
        with transaction.atomic():
            batch = list(
                Prescription.objects.select_for_update(skip_locked=True)
                .filter(status__in=LIVE_STATUSES, expires_at__lte=now, paid_at__isnull=True)
                .select_related("woman", "clinician")
                .order_by("expires_at", "pk")[:SWEEP_BATCH]
            )
            if not batch:
                return done
            Prescription.objects.filter(pk__in=[p.pk for p in batch]).update(
                status=PrescriptionStatus.EXPIRED, expired_at=now, updated_at=now
            )
            for prescription in batch:
                audit_record(
                    actor=None,
                    action="prescription_expire",
                    object_type="prescription",
                    object_id=prescription.public_id,
                    subject=prescription.woman,
                    detail={"was": prescription.status},
                )
                if prescription.status == PrescriptionStatus.APPROVED:
                    notification_send(
                        recipient=prescription.woman,
                        kind="prescription_expired",
                        title=str(_("Your prescription has expired")),
                        body=str(
                            _("Ask your clinician in a new consultation if you still need it.")
                        ),
                        link=f"/prescribing/mine/{prescription.public_id}/",
                        dedup_key=f"rx-expired:{prescription.pk}:woman",
                    )
                notification_send(
                    recipient=prescription.clinician,
                    kind="prescription_expired",
                    title=str(_("Prescription expired")),
                    body=str(_("A prescription of yours expired before it was dispensed.")),
                    link=link_of(prescription),
                    dedup_key=f"rx-expired:{prescription.pk}:clinician",
                )
            done += len(batch)


def prescription_payable(prescription: Prescription, *, now: datetime | None = None) -> bool:
    """The hook billing calls before taking payment: only a prescription the pharmacist
    approved, still within its validity (IMP-4b)."""
    now = now or timezone.now()
    return (
        prescription.status == PrescriptionStatus.APPROVED
        and prescription.expires_at is not None
        and prescription.expires_at > now
    )


def prescription_read(*, user: User, prescription_id: Any, request: Any = None) -> Prescription:
    """Open a prescription for reading (access checked, audited)."""
    prescription = access_prescription(user=user, prescription_id=prescription_id)
    audit_record(
        actor=user,
        action="prescription_read",
        object_type="prescription",
        object_id=prescription.public_id,
        subject=prescription.woman,
        request=request,
    )
    return prescription


__all__ = [
    "DrugInput",
    "LineInput",
    "PrescriptionInput",
    "allergy_end",
    "approved_return",
    "allergy_record",
    "drug_save",
    "findings_for",
    "patient_of",
    "prescription_create",
    "prescription_payable",
    "prescription_read",
    "prescription_revise",
    "prescription_sign",
    "prescription_update",
    "prescription_verify",
    "prescriptions_expire_due",
    "review_decide",
]


def review_queue_read(*, actor: User, request: Any = None) -> list[Prescription]:
    """The pharmacist's queue: signed prescriptions waiting for review, longest-waiting first.
    Each row shows a woman's diagnosis and drugs, so each is an audited read naming her."""
    rows = selectors.review_queue()
    for prescription in rows:
        audit_record(
            actor=actor,
            action="review_queue_read",
            object_type="prescription",
            object_id=prescription.public_id,
            subject=prescription.woman,
            request=request,
        )
    return rows
