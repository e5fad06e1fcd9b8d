"""Pre-consultation (ASM-1, FA-2): her questions, photos checked by content and size, the
symptom checklist, her latest readings attached; a red flag stops the online flow, raises the
alarm through monitoring and shows the emergency action; the clinician opens with a summary."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from conftest import staff_client, woman_client
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from anyun.accounts.models import User
from anyun.clinical.signs import SignKind
from anyun.consultation import services
from anyun.consultation.models import Consultation, PreConsultation
from anyun.consultation.tests.conftest import accept
from anyun.core.errors import DomainError
from anyun.monitoring.models import Alarm
from anyun.monitoring.services import ReadingInput, readings_record
from anyun.scheduling.models import QueueEntry, QueueStatus

pytestmark = pytest.mark.django_db

Queued = Callable[..., tuple[User, QueueEntry]]


def png(name: str = "report.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_she_sends_questions_photos_and_her_readings_go_with_them(queued: Queued) -> None:
    clinician, entry = queued()
    woman = entry.woman
    readings_record(
        actor=woman,
        woman=woman,
        items=[ReadingInput(kind=SignKind.BLOOD_PRESSURE, systolic=118, diastolic=76)],
    )
    page = woman_client(woman).post(
        f"/consultation/before/queue/{entry.public_id}/",
        {"questions": "Can I keep exercising?", "photos": [png(), png("b.png")]},
    )
    pre = PreConsultation.objects.get(queue_entry=entry)
    assert page.status_code == 302
    assert page["Location"] == f"/consultation/before/{pre.public_id}/sent/"
    assert (pre.questions, pre.symptoms, pre.stopped) == ("Can I keep exercising?", [], False)
    assert pre.photos.count() == 2
    assert {p.content_type for p in pre.photos.all()} == {"image/png"}
    assert len(pre.readings) == 1
    entry.refresh_from_db()
    assert entry.status == QueueStatus.WAITING  # her place is kept
    # The clinician accepts and opens the consultation with the summary of it.
    consultation = accept(clinician, entry)
    assert consultation.pre == pre
    room = staff_client(clinician).get(f"/consultation/{consultation.public_id}/")
    text = room.content.decode()
    assert 'data-testid="pre-summary-questions">Can I keep exercising?' in text
    assert "118/76" in text
    assert text.count('data-testid="pre-summary-photo"') == 2
    photo = pre.photos.first()
    assert photo is not None
    url = f"/consultation/photos/{photo.public_id}/"
    assert staff_client(clinician).get(url).status_code == 200
    assert woman_client(woman).get(url).status_code == 200


def test_a_red_flag_stops_the_flow_raises_the_alarm_and_takes_her_out_of_the_queue(
    queued: Queued,
) -> None:
    _clinician, entry = queued()
    woman = entry.woman
    client = woman_client(woman)
    page = client.post(
        f"/consultation/before/queue/{entry.public_id}/",
        {"questions": "", "symptoms": ["bleeding"]},
        follow=True,
    )
    pre = PreConsultation.objects.get(queue_entry=entry)
    assert pre.stopped and pre.symptoms == ["bleeding"]
    alarm = Alarm.objects.get(woman=woman)
    assert (alarm.rule, alarm.grade) == ("red_flag_bleeding", "urgent")
    entry.refresh_from_db()
    assert entry.status == QueueStatus.LEFT
    text = page.content.decode()
    assert 'data-testid="pre-stopped"' in text
    assert 'href="tel:120"' in text
    assert 'data-testid="alarm"' in text


def test_a_felt_fever_alone_does_not_stop_the_flow(queued: Queued) -> None:
    _clinician, entry = queued()
    outcome = services.pre_consultation_submit(
        woman=entry.woman,
        queue_entry_id=entry.public_id,
        questions="Hot at night",
        symptoms=["fever"],
    )
    assert not outcome.pre.stopped
    entry.refresh_from_db()
    assert entry.status == QueueStatus.WAITING


def test_bad_input_is_refused_beside_the_field_and_nothing_is_kept(queued: Queued) -> None:
    _clinician, entry = queued()
    client = woman_client(entry.woman)
    url = f"/consultation/before/queue/{entry.public_id}/"
    fake = SimpleUploadedFile("x.png", b"not an image at all" * 10, content_type="image/png")
    page = client.post(url, {"questions": "Hello", "photos": [fake]})
    assert page.status_code == 200
    assert 'id="id_photos_error"' in page.content.decode()
    page = client.post(url, {"questions": ""})
    assert page.status_code == 200
    assert 'id="id_questions_error"' in page.content.decode()
    with pytest.raises(DomainError) as excinfo:
        services.pre_consultation_submit(
            woman=entry.woman, queue_entry_id=entry.public_id, questions="x", symptoms=["nonsense"]
        )
    assert excinfo.value.field == "symptoms"
    assert not PreConsultation.objects.exists()


def test_another_woman_cannot_send_for_her_request_and_it_is_sent_once(
    queued: Queued, make_woman: Callable[..., User]
) -> None:
    _clinician, entry = queued()
    other = make_woman(pregnant_weeks=20)
    url = f"/consultation/before/queue/{entry.public_id}/"
    assert woman_client(other).post(url, {"questions": "Hi"}).status_code == 404
    services.pre_consultation_submit(
        woman=entry.woman, queue_entry_id=entry.public_id, questions="Hi"
    )
    with pytest.raises(DomainError) as excinfo:
        services.pre_consultation_submit(
            woman=entry.woman, queue_entry_id=entry.public_id, questions="Again"
        )
    assert excinfo.value.code == "pre_already_sent"
    # Her link again shows what she sent instead of a second form.
    pre = PreConsultation.objects.get()
    again = woman_client(entry.woman).get(url)
    assert again.status_code == 302
    assert again["Location"] == f"/consultation/before/{pre.public_id}/sent/"
    assert not Consultation.objects.exists()


def test_the_form_links_her_health_self_check_and_it_opens(queued: Queued) -> None:
    _clinician, entry = queued()
    client = woman_client(entry.woman)
    page = client.get(f"/consultation/before/queue/{entry.public_id}/").content.decode()
    link = page.split('data-testid="self-check-link"', 1)[0].rsplit('href="', 1)[1].split('"')[0]
    assert link == "/wellbeing/check/"
    assert client.get(link).status_code == 200
