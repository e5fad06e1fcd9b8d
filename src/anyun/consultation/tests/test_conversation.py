"""The conversation without the socket (the form), its images behind access, ending by either
side, referral to in-person care with reason and urgency as she reads it, rating, and the
clinician's side panel. Nothing a user does deletes anything."""

from __future__ import annotations

import io

import pytest
from conftest import staff_client, woman_client
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from anyun.consultation import services
from anyun.consultation.models import Consultation, ConsultationStatus, Message, Rating
from anyun.consultation.tests.conftest import Room
from anyun.core.errors import DomainError, PermissionDenied
from anyun.notify.models import Notification

pytestmark = pytest.mark.django_db


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "blue").save(buffer, format="JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_the_form_posts_text_and_images_and_the_room_shows_them(room: Room) -> None:
    c = room.consultation
    client = woman_client(room.woman)
    url = f"/consultation/{c.public_id}/send/"
    assert client.post(url, {"text": "By form", "client_id": "f1"}).status_code == 302
    assert client.post(url, {"image": jpeg(), "client_id": "f2"}).status_code == 302
    # A resend of the same form is stored once.
    client.post(url, {"text": "By form", "client_id": "f1"})
    kinds = list(Message.objects.order_by("id").values_list("kind", "text"))
    assert kinds == [("text", "By form"), ("image", "")]
    image = Message.objects.get(kind="image")
    assert (
        staff_client(room.clinician).get(f"/consultation/messages/{image.id}/image/").status_code
        == 200
    )
    assert (
        woman_client(room.other_woman).get(f"/consultation/messages/{image.id}/image/").status_code
        == 404
    )
    page = staff_client(room.clinician).get(f"/consultation/{c.public_id}/").content.decode()
    assert page.count('data-testid="message"') == 2
    # Another woman's form post is refused as not found and stores nothing.
    assert woman_client(room.other_woman).post(url, {"text": "x"}).status_code == 404
    assert Message.objects.count() == 2


def test_an_empty_or_too_long_message_is_refused(room: Room) -> None:
    c = room.consultation
    for text in ("   ", "x" * 2001):
        with pytest.raises(DomainError) as excinfo:
            services.message_post(actor=room.woman, consultation_id=c.public_id, text=text)
        assert excinfo.value.field == "text"


def test_she_ends_it_and_the_clinician_is_told(room: Room) -> None:
    c = room.consultation
    response = woman_client(room.woman).post(f"/consultation/{c.public_id}/end/")
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.status, c.ended_by) == (ConsultationStatus.ENDED, room.woman)
    assert c.record_due_at is not None and c.ended_at is not None
    assert c.record_due_at - c.ended_at == services.RECORD_DUE_AFTER
    assert Notification.objects.filter(recipient=room.clinician, kind="consultation_ended").exists()
    with pytest.raises(DomainError):
        services.consultation_end(actor=room.clinician, consultation_id=c.public_id)


def test_referral_in_person_with_reason_and_urgency_she_reads_as_instructions(room: Room) -> None:
    c = room.consultation
    with pytest.raises(PermissionDenied):
        services.consultation_refer(
            actor=room.woman, consultation_id=c.public_id, reason="x", urgency="today"
        )
    bad = staff_client(room.clinician).post(
        f"/consultation/{c.public_id}/refer/", {"urgency": "someday", "reason": "BP"}
    )
    assert bad.status_code == 302
    c.refresh_from_db()
    assert c.status == ConsultationStatus.OPEN
    staff_client(room.clinician).post(
        f"/consultation/{c.public_id}/refer/",
        {"urgency": "today", "reason": "Your blood pressure needs checking at the clinic."},
    )
    c.refresh_from_db()
    assert (c.status, c.referral_urgency) == (ConsultationStatus.REFERRED, "today")
    page = woman_client(room.woman).get(f"/consultation/{c.public_id}/", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert 'data-testid="referral"' in text
    assert "Your blood pressure needs checking at the clinic." in text
    assert Notification.objects.filter(recipient=room.woman, kind="consultation_referred").exists()


def test_she_rates_once_after_the_end(room: Room) -> None:
    c = room.consultation
    with pytest.raises(DomainError) as excinfo:
        services.rating_submit(woman=room.woman, consultation_id=c.public_id, score=5)
    assert excinfo.value.code == "consultation_open"
    services.consultation_end(actor=room.clinician, consultation_id=c.public_id)
    for score in (0, 6):
        with pytest.raises(DomainError):
            services.rating_submit(woman=room.woman, consultation_id=c.public_id, score=score)
    woman_client(room.woman).post(
        f"/consultation/{c.public_id}/rate/", {"score": "4", "comment": "Clear"}
    )
    rating = Rating.objects.get(consultation=c)
    assert (rating.score, rating.comment) == (4, "Clear")
    with pytest.raises(DomainError) as excinfo:
        services.rating_submit(woman=room.woman, consultation_id=c.public_id, score=1)
    assert excinfo.value.code == "rating_exists"


def test_the_side_panel_shows_her_record_readings_and_previous_consultations(room: Room) -> None:
    earlier = room.consultation
    services.consultation_end(actor=room.clinician, consultation_id=earlier.public_id)
    page = staff_client(room.clinician).get(f"/consultation/{earlier.public_id}/").content.decode()
    for part in (
        "side-record-link",
        "side-chart-link",
        "side-readings",
        "side-alarms",
        "side-previous",
        "side-reports",
    ):
        assert f'data-testid="{part}"' in page
    assert f"/clinic/patients/{room.woman.public_id}/" in page
    # where the clinician records, at this consultation, whether she may go on online
    assert f'href="/assessment/women/{room.woman.public_id}/risk/#suitability"' in page


def test_the_clinician_s_list_shows_her_risk_colour_beside_her_name(room: Room) -> None:
    page = staff_client(room.clinician).get("/consultation/clinic/").content.decode()
    listed = page[page.index('data-testid="open-consultations"') :].split("</ul>")[0]
    assert listed.count('data-testid="risk-badge"') == 1


def test_nothing_is_deleted_by_users_rows_are_protected(room: Room) -> None:
    c = room.consultation
    services.message_post(actor=room.woman, consultation_id=c.public_id, text="keep")
    with pytest.raises(Exception, match="protected"):
        Consultation.objects.filter(pk=c.pk).delete()
    assert Message.objects.count() == 1
