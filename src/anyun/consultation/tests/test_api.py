"""The consultation API: her consultations, messages since an id, posting (a resend is the
same message), read receipts, end, referral, the record; every refusal a 4xx in our JSON
shape, and a stranger's 404 the same as a missing one's."""

from __future__ import annotations

import uuid

import pytest
from conftest import staff_client, woman_client

from anyun.audit.models import AuditEvent
from anyun.consultation.tests.conftest import Room

pytestmark = pytest.mark.django_db

BASE = "/api/v1/consultation"


def test_her_consultations_and_the_messages_since_an_id(room: Room) -> None:
    c = room.consultation
    client = woman_client(room.woman)
    listed = client.get(f"{BASE}/").json()
    assert [row["id"] for row in listed] == [str(c.public_id)]
    first = client.post(
        f"{BASE}/{c.public_id}/messages",
        {"text": "One", "client_id": "c1"},
        content_type="application/json",
    )
    assert first.status_code == 201
    again = client.post(
        f"{BASE}/{c.public_id}/messages",
        {"text": "One", "client_id": "c1"},
        content_type="application/json",
    )
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    doctor = staff_client(room.clinician)
    second = doctor.post(
        f"{BASE}/{c.public_id}/messages", {"text": "Two"}, content_type="application/json"
    )
    since = client.get(f"{BASE}/{c.public_id}/messages?after={first.json()['id']}").json()
    assert [m["text"] for m in since] == ["Two"]
    read = client.post(
        f"{BASE}/{c.public_id}/read", {"upto": second.json()["id"]}, content_type="application/json"
    )
    assert read.json()["woman_read_upto"] == second.json()["id"]


def test_bad_input_is_a_4xx_in_the_error_shape(room: Room) -> None:
    c = room.consultation
    client = woman_client(room.woman)
    for body in ({"text": "   "}, {"text": "x" * 2001}, {}):
        response = client.post(
            f"{BASE}/{c.public_id}/messages", body, content_type="application/json"
        )
        assert 400 <= response.status_code < 500, body
        assert set(response.json()) >= {"code", "message", "field"}
    assert client.get(f"{BASE}/{c.public_id}/messages?after=-1").status_code in (400, 422)
    doctor = staff_client(room.clinician)
    bad = doctor.post(
        f"{BASE}/{c.public_id}/referral",
        {"reason": "BP", "urgency": "someday"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["field"] == "urgency"
    assert client.get(f"{BASE}/{c.public_id}/record").status_code == 404


def test_strangers_get_the_same_404_as_a_missing_consultation(room: Room) -> None:
    c = room.consultation
    missing = woman_client(room.other_woman).get(f"{BASE}/{uuid.uuid4()}/messages")
    stranger = woman_client(room.other_woman).get(f"{BASE}/{c.public_id}/messages")
    colleague = staff_client(room.outsider).get(f"{BASE}/{c.public_id}/messages")
    assert missing.status_code == stranger.status_code == colleague.status_code == 404
    assert missing.json() == stranger.json() == colleague.json()
    posted = woman_client(room.other_woman).post(
        f"{BASE}/{c.public_id}/messages", {"text": "hi"}, content_type="application/json"
    )
    assert posted.status_code == 404


def test_referral_and_end_through_the_api(room: Room) -> None:
    c = room.consultation
    doctor = staff_client(room.clinician)
    referred = doctor.post(
        f"{BASE}/{c.public_id}/referral",
        {"reason": "Reduced movements", "urgency": "now"},
        content_type="application/json",
    ).json()
    assert referred["status"] == "referred"
    assert referred["referral_instructions"]
    ended = woman_client(room.woman).post(f"{BASE}/{c.public_id}/end")
    assert ended.status_code == 400 and ended.json()["code"] == "consultation_closed"


def test_listing_consultations_is_an_audited_read_of_each_woman(room: Room) -> None:
    c = room.consultation
    assert [row["id"] for row in staff_client(room.clinician).get(f"{BASE}/").json()] == [
        str(c.public_id)
    ]
    row = AuditEvent.objects.filter(actor=room.clinician, action="consultation_read").latest("id")
    assert (row.object_id, row.subject_id, row.detail) == (
        str(c.public_id),
        room.woman.pk,
        {"view": "list"},
    )
