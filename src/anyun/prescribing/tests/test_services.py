"""Writing, checking, signing, reviewing, revising and expiring prescriptions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone, translation

from anyun.audit.models import AuditEvent
from anyun.billing import services as billing
from anyun.billing.tests.conftest import run_billing_jobs
from anyun.core.errors import DomainError, NotFound, PermissionDenied
from anyun.notify.models import Notification
from anyun.prescribing import services
from anyun.prescribing.dispensing import prescription_dispense
from anyun.prescribing.models import (
    Drug,
    Prescription,
    PrescriptionLine,
    PrescriptionStatus,
    Review,
    Signature,
    SignaturePurpose,
)
from anyun.prescribing.selectors import plan_of, prescriptions_of_woman
from anyun.prescribing.tests.conftest import World, data, draft, later, line, signed, totp_now

pytestmark = pytest.mark.django_db


def expiry(prescription: Prescription) -> Any:
    assert prescription.expires_at is not None
    return prescription.expires_at


def refused(code: str, fn: Any, **kwargs: Any) -> DomainError:
    with pytest.raises(DomainError) as info:
        fn(**kwargs)
    assert info.value.code == code, info.value.message
    return info.value


# --- the rules at the door -----------------------------------------------------------------


def test_six_drugs_refused(world: World) -> None:
    six = [
        line(c)
        for c in (
            "folic_acid_0_4",
            "ferrous_succinate_0_1",
            "cholecalciferol_400",
            "labetalol_100",
            "aspirin_100",
            "progesterone_vaginal_200",
        )
    ]
    error = refused(
        "too_many_drugs",
        services.prescription_create,
        actor=world.clinician,
        consultation_id=world.consultation.public_id,
        data=data(*six),
    )
    assert error.field == "lines"
    assert Prescription.objects.count() == 0


def test_a_diagnosis_is_required(world: World) -> None:
    error = refused(
        "diagnosis_required",
        services.prescription_create,
        actor=world.clinician,
        consultation_id=world.consultation.public_id,
        data=data(line(), diagnosis="  "),
    )
    assert error.field == "diagnosis"


@pytest.mark.parametrize("code", ["diazepam_2_5", "pethidine_inj_50"])
def test_controlled_drugs_cannot_be_chosen_online(world: World, code: str) -> None:
    error = refused(
        "controlled_online",
        services.prescription_create,
        actor=world.clinician,
        consultation_id=world.consultation.public_id,
        data=data(line(code)),
    )
    assert error.field == "lines.0.drug"


def test_eight_days_without_reason_blocks_signing(world: World) -> None:
    prescription = draft(world, line(days=8, quantity=8))
    assert [(f["code"], f["severity"]) for f in prescription.findings] == [
        ("supply_too_long", "block")
    ]
    refused(
        "prescription_blocked",
        services.prescription_sign,
        actor=world.clinician,
        prescription_id=prescription.public_id,
        otp_token=totp_now(world.clinician),
    )
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.DRAFT
    assert not Signature.objects.exists()


def test_eight_days_with_reason_signs_with_the_warning_acknowledged(world: World) -> None:
    prescription = draft(world, line(days=8, quantity=8), supply_reason="Travels home for 8 days")
    refused(
        "warning_reason_required",
        services.prescription_sign,
        actor=world.clinician,
        prescription_id=prescription.public_id,
        otp_token=totp_now(world.clinician),
    )
    done = services.prescription_sign(
        actor=world.clinician,
        prescription_id=prescription.public_id,
        otp_token=totp_now(world.clinician),
        warning_reason="Supply agreed, she lives far away",
    )
    assert done.status == PrescriptionStatus.PENDING_REVIEW
    assert done.warning_reason == "Supply agreed, she lives far away"


def test_allergy_blocks(world: World) -> None:
    services.allergy_record(
        actor=world.clinician,
        woman_id=world.woman.public_id,
        substance="penicillin",
        reaction="rash",
    )
    blocked = draft(world, line("amoxicillin_500", dose="500 mg", frequency="tid", quantity=21))
    assert [(f["code"], f["severity"]) for f in blocked.findings] == [("allergy", "block")]
    warned = draft(world, line("cefalexin_250", dose="500 mg", frequency="qid", quantity=56))
    assert [(f["code"], f["severity"]) for f in warned.findings] == [("allergy_cross", "warn")]


def test_an_unknown_allergen_is_refused(world: World) -> None:
    error = refused(
        "allergen_unknown",
        services.allergy_record,
        actor=world.clinician,
        woman_id=world.woman.public_id,
        substance="moonstone",
    )
    assert error.field == "substance"


def test_pregnancy_safety_by_her_weeks(world: World) -> None:
    # She is 20 weeks: ibuprofen is to be avoided from 20 weeks (FDA 2020).
    prescription = draft(world, line("ibuprofen_200"))
    assert [(f["code"], f["severity"]) for f in prescription.findings] == [
        ("pregnancy_avoid_from_week", "block")
    ]
    assert prescription.stage == "pregnant"
    assert prescription.gestational_weeks == 20


def test_duplicate_ingredient_and_interaction(world: World) -> None:
    prescription = draft(
        world,
        line("ferrous_succinate_0_1"),
        line("calcium_carbonate_0_6"),
        line("folic_acid_0_4"),
        line("folic_acid_0_4"),
    )
    assert [(f["code"], f["severity"]) for f in prescription.findings] == [
        ("duplicate_ingredient", "block"),
        ("interaction_iron_calcium", "warn"),
    ]


def test_only_a_practising_clinician_of_the_consultation_prescribes(
    world: World, make_clinician: Any
) -> None:
    for actor, error in [
        (world.nurse, PermissionDenied),
        (world.pharmacist, PermissionDenied),
        (world.outsider, NotFound),
    ]:
        with pytest.raises(error):
            services.prescription_create(
                actor=actor, consultation_id=world.consultation.public_id, data=data()
            )
    lapsed = make_clinician(missing=("practising_certificate",))
    with pytest.raises(PermissionDenied) as info:
        services.prescription_create(
            actor=lapsed, consultation_id=world.consultation.public_id, data=data()
        )
    assert info.value.code == "credential_invalid"


def test_idempotent_create(world: World) -> None:
    first = services.prescription_create(
        actor=world.clinician,
        consultation_id=world.consultation.public_id,
        data=data(),
        idempotency_key="k-1",
    )
    again = services.prescription_create(
        actor=world.clinician,
        consultation_id=world.consultation.public_id,
        data=data(line("aspirin_100")),
        idempotency_key="k-1",
    )
    assert again.pk == first.pk
    assert Prescription.objects.count() == 1
    assert list(first.lines.values_list("drug__code", flat=True)) == ["folic_acid_0_4"]


# --- signing -------------------------------------------------------------------------------


def test_signing_needs_the_identity_recheck(world: World) -> None:
    prescription = draft(world)
    bad = "000000" if totp_now(world.clinician) != "000000" else "111111"
    error = refused(
        "identity_recheck_failed",
        services.prescription_sign,
        actor=world.clinician,
        prescription_id=prescription.public_id,
        otp_token=bad,
    )
    assert error.field == "otp_token"
    assert AuditEvent.objects.filter(action="prescription_sign_refused").count() == 1
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.DRAFT


def test_signature_verifies_and_tampering_fails(world: World, time_machine: Any) -> None:
    prescription = signed(world, line(dose="1 tablet (0.4 mg)"))
    signature = Signature.objects.get(
        prescription=prescription, purpose=SignaturePurpose.PRESCRIPTION
    )
    assert signature.signer == world.clinician
    assert signature.provider == "local-ed25519"
    assert len(signature.content_hash) == 64
    assert signature.identity_check == "totp"
    prescription.refresh_from_db()
    assert services.prescription_verify(prescription) is True
    # A changed dose after signing fails verification.
    PrescriptionLine.objects.filter(prescription=prescription).update(dose="10 tablets")
    assert services.prescription_verify(prescription) is False
    PrescriptionLine.objects.filter(prescription=prescription).update(dose="1 tablet (0.4 mg)")
    assert services.prescription_verify(prescription) is True
    # A forged hash to match a changed diagnosis: the signature itself fails.
    Prescription.objects.filter(pk=prescription.pk).update(diagnosis="something else")
    prescription.refresh_from_db()
    assert services.prescription_verify(prescription) is False


def test_signed_goes_to_every_pharmacist_and_is_audited(world: World) -> None:
    prescription = signed(world)
    assert prescription.status == PrescriptionStatus.PENDING_REVIEW
    assert (
        Notification.objects.filter(
            kind="prescription_to_review", recipient=world.pharmacist
        ).count()
        == 1
    )
    actions = list(
        AuditEvent.objects.filter(object_id=str(prescription.public_id))
        .values_list("action", flat=True)
        .order_by("pk")
    )
    assert actions == ["prescription_create", "prescription_sign"]
    refused(
        "not_draft",
        services.prescription_update,
        actor=world.clinician,
        prescription_id=prescription.public_id,
        data=data(line("aspirin_100")),
    )


def test_expiry_is_the_end_of_the_issue_day_or_up_to_three_days(world: World) -> None:
    one = signed(world)
    local = timezone.localtime(one.signed_at)
    assert timezone.localtime(one.expires_at) == (local + timedelta(days=1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    refused(
        "validity_reason_required",
        services.prescription_create,
        actor=world.clinician,
        consultation_id=world.consultation.public_id,
        data=data(validity_days=3),
    )
    refused(
        "validity_invalid",
        services.prescription_create,
        actor=world.clinician,
        consultation_id=world.consultation.public_id,
        data=data(validity_days=4, validity_reason="long"),
    )


# --- the pharmacist ------------------------------------------------------------------------


def test_approve_tracks_review_time_and_tells_both(world: World, time_machine: Any) -> None:
    prescription = signed(world)
    later(time_machine, 600)
    review = services.review_decide(
        actor=world.pharmacist, prescription_id=prescription.public_id, decision="approved"
    )
    assert review.review_seconds == 600
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.APPROVED
    assert services.prescription_payable(prescription) is True
    assert services.prescription_verify(prescription, purpose=SignaturePurpose.REVIEW) is True
    event = AuditEvent.objects.get(action="prescription_review")
    assert (event.actor, event.subject) == (world.pharmacist, world.woman)
    assert event.detail == {"decision": "approved", "reasons": [], "seconds": 600}
    refused(
        "not_pending",
        services.review_decide,
        actor=world.pharmacist,
        prescription_id=prescription.public_id,
        decision="returned",
        reasons=["dose"],
    )
    assert Review.objects.count() == 1
    kinds = set(
        Notification.objects.filter(kind="prescription_approved").values_list(
            "recipient_id", flat=True
        )
    )
    assert kinds == {world.clinician.pk, world.woman.pk}


def test_a_nurse_or_clinician_cannot_review(world: World) -> None:
    prescription = signed(world)
    for actor in (world.nurse, world.clinician, world.head):
        with pytest.raises(PermissionDenied):
            services.review_decide(
                actor=actor, prescription_id=prescription.public_id, decision="approved"
            )
    assert not Review.objects.exists()


def test_return_needs_coded_reasons(world: World) -> None:
    prescription = signed(world)
    refused(
        "reasons_required",
        services.review_decide,
        actor=world.pharmacist,
        prescription_id=prescription.public_id,
        decision="returned",
    )
    refused(
        "reason_unknown",
        services.review_decide,
        actor=world.pharmacist,
        prescription_id=prescription.public_id,
        decision="returned",
        reasons=["nope"],
    )
    refused(
        "note_required",
        services.review_decide,
        actor=world.pharmacist,
        prescription_id=prescription.public_id,
        decision="returned",
        reasons=["other"],
    )


def test_returned_is_revised_resigned_and_reenters_review(world: World, time_machine: Any) -> None:
    first = signed(world, line(days=7))
    services.review_decide(
        actor=world.pharmacist,
        prescription_id=first.public_id,
        decision="returned",
        reasons=["dose"],
        note="Folic acid 0.4 mg is enough; check the quantity",
    )
    first.refresh_from_db()
    assert first.status == PrescriptionStatus.RETURNED
    assert services.prescription_payable(first) is False
    assert (
        Notification.objects.filter(kind="prescription_returned", recipient=world.clinician).count()
        == 1
    )
    revised = services.prescription_revise(actor=world.clinician, prescription_id=first.public_id)
    assert (revised.version, revised.series, revised.previous_id) == (2, first.series, first.pk)
    services.prescription_update(
        actor=world.clinician,
        prescription_id=revised.public_id,
        data=data(line(days=5, quantity=5)),
    )
    later(time_machine)
    resigned = services.prescription_sign(
        actor=world.clinician,
        prescription_id=revised.public_id,
        otp_token=totp_now(world.clinician),
    )
    assert resigned.status == PrescriptionStatus.PENDING_REVIEW
    first.refresh_from_db()
    assert first.status == PrescriptionStatus.SUPERSEDED
    # The old version is kept as signed and still verifies.
    assert services.prescription_verify(first) is True
    assert list(first.lines.values_list("days", flat=True)) == [7]
    assert [p.version for p in prescriptions_of_woman(world.woman)] == [2]


def test_unreviewed_or_expired_cannot_be_paid(world: World, time_machine: Any) -> None:
    prescription = signed(world)
    assert services.prescription_payable(prescription) is False  # not yet reviewed
    services.review_decide(
        actor=world.pharmacist, prescription_id=prescription.public_id, decision="approved"
    )
    prescription.refresh_from_db()
    assert services.prescription_payable(prescription) is True
    time_machine.move_to(expiry(prescription) + timedelta(minutes=1), tick=False)
    assert services.prescription_payable(prescription) is False


def test_expiry_sweep(world: World, time_machine: Any) -> None:
    pending = signed(world)
    later(time_machine)
    approved = signed(world, line("cholecalciferol_400", dose="1 capsule"))
    services.review_decide(
        actor=world.pharmacist, prescription_id=approved.public_id, decision="approved"
    )
    later(time_machine)
    three = signed(world, validity_days=3, validity_reason="She collects it at the weekend")
    assert services.prescriptions_expire_due() == 0
    time_machine.move_to(expiry(pending) + timedelta(minutes=1), tick=False)
    assert services.prescriptions_expire_due() == 2
    assert services.prescriptions_expire_due() == 0  # safe to run twice
    statuses = dict(Prescription.objects.values_list("pk", "status"))
    assert statuses == {
        pending.pk: PrescriptionStatus.EXPIRED,
        approved.pk: PrescriptionStatus.EXPIRED,
        three.pk: PrescriptionStatus.PENDING_REVIEW,
    }
    assert (
        Notification.objects.filter(kind="prescription_expired", recipient=world.woman).count() == 1
    )
    assert AuditEvent.objects.filter(action="prescription_expire").count() == 2
    refused(
        "not_pending",
        services.review_decide,
        actor=world.pharmacist,
        prescription_id=pending.public_id,
        decision="approved",
    )
    time_machine.move_to(expiry(three) + timedelta(seconds=1), tick=False)
    assert services.prescriptions_expire_due() == 1


def _paid(world: World, prescription: Prescription) -> Prescription:
    """Her payment through billing's sandbox, its jobs run."""
    order, _created = billing.order_create(
        woman=world.woman, kind="prescription", ref=str(prescription.public_id)
    )
    billing.sandbox_confirm(woman=world.woman, order_id=order.public_id)
    run_billing_jobs()
    prescription.refresh_from_db()
    assert prescription.paid_at is not None
    return prescription


def test_expiry_sweep_leaves_a_paid_prescription_to_dispensing(
    world: World, time_machine: Any
) -> None:
    paid = signed(world)
    services.review_decide(
        actor=world.pharmacist, prescription_id=paid.public_id, decision="approved"
    )
    paid = _paid(world, paid)
    later(time_machine)
    unpaid = signed(world, line("cholecalciferol_400", dose="1 capsule"))
    services.review_decide(
        actor=world.pharmacist, prescription_id=unpaid.public_id, decision="approved"
    )
    time_machine.move_to(expiry(unpaid) + timedelta(minutes=1), tick=False)
    assert services.prescriptions_expire_due() == 1
    assert services.prescriptions_expire_due() == 0
    paid.refresh_from_db()
    unpaid.refresh_from_db()
    assert (paid.status, paid.expired_at) == (PrescriptionStatus.APPROVED, None)
    assert unpaid.status == PrescriptionStatus.EXPIRED
    expired_events = AuditEvent.objects.filter(action="prescription_expire")
    assert list(expired_events.values_list("object_id", flat=True)) == [str(unpaid.public_id)]
    # Only the unpaid one is announced to her as expired.
    notes = Notification.objects.filter(kind="prescription_expired", recipient=world.woman)
    assert list(notes.values_list("link", flat=True)) == [f"/prescribing/mine/{unpaid.public_id}/"]
    # The pharmacy still dispenses what she paid for in time.
    with transaction.atomic():
        prescription_dispense(actor=world.pharmacist, prescription_id=paid.pk)
    paid.refresh_from_db()
    assert paid.dispensed_at == timezone.now()
    assert services.prescriptions_expire_due() == 0
    paid.refresh_from_db()
    assert paid.status == PrescriptionStatus.APPROVED


def test_a_paid_prescription_refunded_after_its_validity_is_then_expired(
    world: World, time_machine: Any
) -> None:
    prescription = signed(world)
    services.review_decide(
        actor=world.pharmacist, prescription_id=prescription.public_id, decision="approved"
    )
    prescription = _paid(world, prescription)
    time_machine.move_to(expiry(prescription) + timedelta(minutes=1), tick=False)
    assert services.prescriptions_expire_due() == 0
    # The pharmacist can still take it back, which refunds her.
    services.approved_return(
        actor=world.pharmacist, prescription_id=prescription.public_id, reasons=["stock"]
    )
    run_billing_jobs()
    prescription.refresh_from_db()
    assert (prescription.status, prescription.paid_at) == (PrescriptionStatus.RETURNED, None)
    assert services.prescriptions_expire_due() == 1
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.EXPIRED


def test_plan_in_plain_words(world: World) -> None:
    prescription = draft(
        world,
        line(
            "labetalol_100",
            dose="1 tablet",
            frequency="bid",
            quantity=14,
            instructions="Take with food.",
        ),
    )
    with translation.override("en"):
        english = plan_of(prescription)
    with translation.override("zh-hans"):
        chinese = plan_of(prescription)
    assert chinese == [
        "拉贝洛尔片（Labetalol 100 mg）：每次1 tablet，每日两次，共7天。 Take with food."
    ]
    assert english == [
        "拉贝洛尔片 (Labetalol 100 mg): take 1 tablet twice a day for 7 days. Take with food."
    ]


def test_an_ended_allergy_no_longer_blocks_and_stays_on_record(world: World) -> None:
    allergy = services.allergy_record(
        actor=world.clinician, woman_id=world.woman.public_id, substance="amoxicillin"
    )
    with pytest.raises(NotFound):
        services.allergy_end(actor=world.outsider, allergy_id=allergy.public_id)
    services.allergy_end(actor=world.nurse, allergy_id=allergy.public_id)
    allergy.refresh_from_db()
    assert allergy.ended_by == world.nurse
    prescription = draft(world, line("amoxicillin_500", dose="500 mg", frequency="tid"))
    assert prescription.findings == []
    assert list(
        AuditEvent.objects.filter(object_type="allergy")
        .values_list("action", flat=True)
        .order_by("pk")
    ) == ["allergy_record", "allergy_end"]


def test_a_formulary_edit_after_signing_changes_neither_what_was_signed_nor_what_she_reads(
    world: World,
) -> None:
    prescription = signed(world)
    plan = plan_of(prescription)
    drug = Drug.objects.get(code="folic_acid_0_4")
    fields = {n: getattr(drug, n) for n in services.DrugInput.__dataclass_fields__ if n != "code"}
    fields["strength"] = "4 mg"  # a later formulary edit by the pharmacist
    services.drug_save(
        actor=world.pharmacist,
        data=services.DrugInput(code=drug.code, **fields),
        drug_id=drug.public_id,
    )
    prescription.refresh_from_db()
    assert plan_of(prescription) == plan and "0.4 mg" in plan[0]
    assert services.prescription_verify(prescription) is True


def test_a_signature_row_moved_to_another_signer_or_check_no_longer_verifies(
    world: World,
) -> None:
    prescription = signed(world)
    signature = Signature.objects.filter(
        prescription=prescription, purpose=SignaturePurpose.PRESCRIPTION
    )
    assert services.prescription_verify(prescription) is True
    signature.update(identity_check="none")
    assert services.prescription_verify(prescription) is False
    signature.update(identity_check="totp", signer=world.outsider)
    assert services.prescription_verify(prescription) is False


def test_the_review_queue_is_an_audited_read_of_each_woman_in_it(world: World) -> None:
    prescription = signed(world)
    assert services.review_queue_read(actor=world.pharmacist) == [prescription]
    (row,) = AuditEvent.objects.filter(actor=world.pharmacist, action="review_queue_read")
    assert (row.subject_id, row.object_id) == (world.woman.pk, str(prescription.public_id))


# --- a return after approval -----------------------------------------------------------------


def _approved(world: World) -> Prescription:
    prescription = signed(world)
    services.review_decide(
        actor=world.pharmacist, prescription_id=prescription.public_id, decision="approved"
    )
    prescription.refresh_from_db()
    return prescription


def test_approved_return_puts_it_back_to_the_clinician(world: World, time_machine: Any) -> None:
    prescription = _approved(world)
    later(time_machine, 120)
    review = services.approved_return(
        actor=world.pharmacist,
        prescription_id=prescription.public_id,
        reasons=["stock", "dose"],
        note="Out of stock until Monday",
    )
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.RETURNED
    assert services.prescription_payable(prescription) is False
    assert (review.decision, review.reasons, review.note) == (
        "returned",
        ["dose", "stock"],
        "Out of stock until Monday",
    )
    assert Review.objects.count() == 1
    assert Signature.objects.filter(prescription=prescription, purpose="review").count() == 1
    assert services.prescription_verify(prescription, purpose=SignaturePurpose.REVIEW) is True
    event = AuditEvent.objects.get(action="prescription_return_approved")
    assert (event.actor, event.subject) == (world.pharmacist, world.woman)
    assert event.detail["reasons"] == ["dose", "stock"]
    assert event.detail["refund"] == ""
    assert set(event.detail["approved"]) == {
        "pharmacist",
        "decided_at",
        "content_hash",
        "key_id",
        "signature",
    }
    assert (
        Notification.objects.filter(kind="prescription_returned", recipient=world.clinician).count()
        == 1
    )
    assert (
        Notification.objects.filter(kind="prescription_returned", recipient=world.woman).count()
        == 1
    )
    # The clinician's path: revise, re-sign, reviewed again.
    revised = services.prescription_revise(
        actor=world.clinician, prescription_id=prescription.public_id
    )
    later(time_machine)
    resigned = services.prescription_sign(
        actor=world.clinician,
        prescription_id=revised.public_id,
        otp_token=totp_now(world.clinician),
    )
    assert (resigned.status, resigned.version) == (PrescriptionStatus.PENDING_REVIEW, 2)


def test_approved_return_needs_coded_reasons_and_an_approved_one(world: World) -> None:
    prescription = signed(world)
    refused(
        "not_approved",
        services.approved_return,
        actor=world.pharmacist,
        prescription_id=prescription.public_id,
        reasons=["dose"],
    )
    services.review_decide(
        actor=world.pharmacist, prescription_id=prescription.public_id, decision="approved"
    )
    for code, kwargs in (
        ("reasons_required", {"reasons": []}),
        ("reason_unknown", {"reasons": ["nope"]}),
        ("note_required", {"reasons": ["other"]}),
    ):
        refused(
            code,
            services.approved_return,
            actor=world.pharmacist,
            prescription_id=prescription.public_id,
            **kwargs,
        )
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.APPROVED
    assert not AuditEvent.objects.filter(action="prescription_return_approved").exists()


def test_only_a_pharmacist_returns_an_approved_one(world: World) -> None:
    prescription = _approved(world)
    for actor in (world.nurse, world.clinician, world.head, world.woman):
        with pytest.raises((PermissionDenied, NotFound)):
            services.approved_return(
                actor=actor, prescription_id=prescription.public_id, reasons=["dose"]
            )
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.APPROVED
