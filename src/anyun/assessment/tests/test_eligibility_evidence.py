"""POL-13 follow-up only, second path: she uploads a record of an in-person diagnosis, a
clinician of her care team accepts it, and online care opens to her; a rejected one does not."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import staff_client, woman_client
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from anyun.accounts.models import Role
from anyun.assessment import selectors, services
from anyun.assessment.models import EligibilityEvidence, EvidenceStatus
from anyun.assessment.services import GradingInput, grading_record
from anyun.assessment.tests.conftest import in_english
from anyun.audit.models import AuditEvent
from anyun.careteam.services import care_team_assign
from anyun.core.errors import DomainError, NotFound, PermissionDenied
from anyun.monitoring.models import ReadingSource
from anyun.monitoring.services import ReadingInput, readings_record
from anyun.monitoring.tests.conftest import Ward
from anyun.notify.models import Notification
from anyun.pregnancy.selectors import current_pregnancy_of
from anyun.scheduling.gates import require_may_start

pytestmark = pytest.mark.django_db

API = "/api/v1/assessment/eligibility-evidence"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def png(name: str = "record.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def text_as_png() -> SimpleUploadedFile:
    return SimpleUploadedFile("record.png", b"not an image at all\n" * 20, content_type="image/png")


def submit(ward: Ward) -> EligibilityEvidence:
    return services.eligibility_evidence_submit(
        woman=ward.woman, file=png(), note="Seen at the district hospital", hospital="District"
    )


def test_accepted_evidence_makes_her_eligible_and_lets_her_start(ward: Ward) -> None:
    assert not selectors.eligible_in_person(ward.woman)
    with pytest.raises(DomainError) as before:
        require_may_start(ward.woman)
    assert before.value.code == "online_care_unsuitable"

    row = submit(ward)
    assert row.status == EvidenceStatus.SUBMITTED and row.content_type == "image/png"
    assert not selectors.eligible_in_person(ward.woman)  # waiting is not enough
    assert list(selectors.evidence_pending_for(ward.responsible)) == [row]
    assert not selectors.evidence_pending_for(ward.outsider).exists()

    reviewed = services.eligibility_evidence_review(
        actor=ward.responsible, evidence_id=row.public_id, accept=True
    )
    assert reviewed.status == EvidenceStatus.ACCEPTED
    assert (reviewed.reviewed_by, reviewed.reviewed_at is not None) == (ward.responsible, True)
    assert selectors.eligible_in_person(ward.woman)
    require_may_start(ward.woman)  # passes now
    assert not selectors.evidence_pending_for(ward.responsible).exists()
    note = Notification.objects.get(recipient=ward.woman, kind="eligibility_evidence_reviewed")
    assert note.title == "您的线下就诊记录已通过审核"  # in her language (Chinese by default)
    actions = set(
        AuditEvent.objects.filter(
            object_type="eligibility_evidence", subject=ward.woman
        ).values_list("action", flat=True)
    )
    assert actions == {"eligibility_evidence_submit", "eligibility_evidence_review"}
    assert AuditEvent.objects.filter(
        actor=ward.responsible, action="eligibility_evidence_review", object_id=row.public_id
    ).exists()


def test_rejected_evidence_needs_a_reason_and_does_not_make_her_eligible(ward: Ward) -> None:
    row = submit(ward)
    with pytest.raises(DomainError) as no_reason:
        services.eligibility_evidence_review(
            actor=ward.responsible, evidence_id=row.public_id, accept=False, reason="  "
        )
    assert (no_reason.value.code, no_reason.value.field) == ("reason_required", "reason")
    row.refresh_from_db()
    assert row.status == EvidenceStatus.SUBMITTED

    services.eligibility_evidence_review(
        actor=ward.responsible, evidence_id=row.public_id, accept=False, reason="Unreadable photo"
    )
    row.refresh_from_db()
    assert (row.status, row.reason) == (EvidenceStatus.REJECTED, "Unreadable photo")
    assert not selectors.eligible_in_person(ward.woman)
    with pytest.raises(DomainError):
        require_may_start(ward.woman)
    note = Notification.objects.get(recipient=ward.woman, kind="eligibility_evidence_reviewed")
    assert "Unreadable photo" in note.body
    # Reviewed once: a second review is refused; after a rejection she may upload again.
    with pytest.raises(DomainError) as again:
        services.eligibility_evidence_review(
            actor=ward.responsible, evidence_id=row.public_id, accept=True
        )
    assert again.value.code == "evidence_reviewed"
    assert submit(ward).status == EvidenceStatus.SUBMITTED
    assert EligibilityEvidence.objects.filter(woman=ward.woman).count() == 2


def test_one_upload_waiting_at_a_time(ward: Ward) -> None:
    submit(ward)
    with pytest.raises(DomainError) as second:
        submit(ward)
    assert (second.value.code, second.value.field) == ("evidence_pending", "file")
    assert EligibilityEvidence.objects.filter(woman=ward.woman).count() == 1


def test_upload_is_checked_by_content(ward: Ward, media: Path) -> None:
    with pytest.raises(DomainError) as refused:
        services.eligibility_evidence_submit(woman=ward.woman, file=text_as_png())
    assert refused.value.code == "upload_type"
    assert not EligibilityEvidence.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]

    client = in_english(woman_client(ward.woman))
    response = client.post(API, {"file": text_as_png()})
    assert response.status_code == 400
    assert response.json()["code"] == "upload_type"
    page = client.post("/assessment/eligibility/", {"file": text_as_png()})
    assert page.status_code == 400
    assert not EligibilityEvidence.objects.exists()


def test_only_the_woman_uploads_and_only_her_doctor_reviews(
    ward: Ward, make_clinician: Any, make_staff: Any
) -> None:

    with pytest.raises(PermissionDenied):
        services.eligibility_evidence_submit(woman=ward.responsible, file=png())
    row = submit(ward)
    with pytest.raises(NotFound):
        services.eligibility_evidence_review(
            actor=ward.outsider, evidence_id=row.public_id, accept=True
        )
    nurse = make_clinician(Role.NURSE)
    care_team_assign(actor=ward.head, woman=ward.woman, member=nurse)
    pharmacist = make_clinician(Role.PHARMACIST)
    for actor in (nurse, pharmacist, make_staff(Role.SYSTEM_ADMIN), ward.woman):
        with pytest.raises(PermissionDenied):
            services.eligibility_evidence_review(
                actor=actor, evidence_id=row.public_id, accept=True
            )
    lapsed = make_clinician(missing=("practising_certificate",))
    care_team_assign(actor=ward.head, woman=ward.woman, member=lapsed)
    with pytest.raises(PermissionDenied) as credential:
        services.eligibility_evidence_review(actor=lapsed, evidence_id=row.public_id, accept=True)
    assert credential.value.code == "credential_invalid"
    row.refresh_from_db()
    assert row.status == EvidenceStatus.SUBMITTED


def test_the_file_is_served_to_her_and_her_care_team_only(ward: Ward) -> None:
    row = submit(ward)
    url = f"/assessment/eligibility/{row.public_id}/file/"
    mine = woman_client(ward.woman).get(url)
    assert mine.status_code == 200 and mine["Content-Type"] == "image/png"
    assert staff_client(ward.responsible).get(url).status_code == 200
    assert woman_client(ward.other_woman).get(url).status_code == 404
    assert staff_client(ward.outsider).get(url).status_code == 404
    unverified = Client()
    unverified.force_login(ward.responsible)  # password only, no second factor
    assert unverified.get(url).status_code == 404
    reads = AuditEvent.objects.filter(action="eligibility_evidence_read", object_id=row.public_id)
    assert set(reads.values_list("actor", flat=True)) == {ward.woman.pk, ward.responsible.pk}


def test_api_upload_list_pending_and_review(ward: Ward) -> None:
    woman = in_english(woman_client(ward.woman))
    created = woman.post(API, {"file": png(), "note": "booklet", "visit_date": "2020-01-02"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["note"]) == ("submitted", "booklet")
    again = woman.post(API, {"file": png()})
    assert again.status_code == 400 and again.json()["code"] == "evidence_pending"
    assert [r["id"] for r in woman.get(API).json()] == [body["id"]]

    doctor = in_english(staff_client(ward.responsible))
    assert [r["id"] for r in doctor.get(f"{API}/pending").json()] == [body["id"]]
    assert in_english(staff_client(ward.outsider)).get(f"{API}/pending").json() == []
    review = f"{API}/{body['id']}/review"
    outsider = in_english(staff_client(ward.outsider)).post(
        review, data=json.dumps({"accept": True}), content_type="application/json"
    )
    assert outsider.status_code == 404
    no_reason = doctor.post(
        review, data=json.dumps({"accept": False}), content_type="application/json"
    )
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    done = doctor.post(review, data=json.dumps({"accept": True}), content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "accepted"
    assert (
        woman.post(
            review, data=json.dumps({"accept": True}), content_type="application/json"
        ).status_code
        == 403
    )


def test_pages_upload_and_review(ward: Ward) -> None:
    woman = in_english(woman_client(ward.woman))
    told = woman.get(reverse("web:woman_home"))
    assert b'data-testid="evidence-link"' in told.content  # from the not-eligible notice
    home = woman.get("/assessment/eligibility/")
    assert home.status_code == 200 and b'data-testid="evidence-form"' in home.content
    uploaded = woman.post("/assessment/eligibility/", {"file": png(), "note": "seen"})
    assert uploaded.status_code == 302
    (row,) = EligibilityEvidence.objects.filter(woman=ward.woman)
    doctor = in_english(staff_client(ward.responsible))
    grade = doctor.get(f"/assessment/women/{ward.woman.public_id}/risk/")
    assert b'data-testid="evidence-pending"' in grade.content
    listing = doctor.get("/assessment/eligibility/review/")
    assert listing.status_code == 200 and str(row.public_id).encode() in listing.content
    assert (
        in_english(staff_client(ward.outsider))
        .post(f"/assessment/eligibility/{row.public_id}/review/", {"decision": "accept"})
        .status_code
        == 404
    )
    doctor.post(
        f"/assessment/eligibility/{row.public_id}/review/", {"decision": "reject", "reason": ""}
    )
    row.refresh_from_db()
    assert row.status == EvidenceStatus.SUBMITTED
    doctor.post(f"/assessment/eligibility/{row.public_id}/review/", {"decision": "accept"})
    row.refresh_from_db()
    assert row.status == EvidenceStatus.ACCEPTED
    page = woman.get("/assessment/eligibility/")
    assert b'data-testid="evidence-eligible"' in page.content


def _eligible_in_one_statement(ward: Ward) -> bool:
    with CaptureQueriesContext(connection) as ctx:
        eligible = selectors.eligible_in_person(ward.woman)
    assert len(ctx.captured_queries) == 1
    return eligible


@pytest.mark.parametrize("door", ["grading", "clinic_measurement", "accepted_evidence"])
def test_each_door_of_being_seen_in_person_opens_it_in_one_statement(ward: Ward, door: str) -> None:
    assert not _eligible_in_one_statement(ward)
    readings_record(  # a home reading is not an in-person visit
        actor=ward.woman, woman=ward.woman, items=[ReadingInput(kind="weight", value=62)]
    )
    assert not _eligible_in_one_statement(ward)
    if door == "grading":
        pregnancy = current_pregnancy_of(ward.woman)
        assert pregnancy is not None
        grading_record(
            actor=ward.responsible,
            pregnancy=pregnancy,
            data=GradingInput(answers={}, entered={}, diagnoses=[]),
        )
    elif door == "clinic_measurement":
        readings_record(
            actor=ward.responsible,
            woman=ward.woman,
            items=[ReadingInput(kind="weight", value=62)],
            source=ReadingSource.CLINIC,
        )
    else:
        services.eligibility_evidence_review(
            actor=ward.responsible, evidence_id=submit(ward).public_id, accept=True
        )
    assert _eligible_in_one_statement(ward)
