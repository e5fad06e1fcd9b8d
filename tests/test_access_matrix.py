"""Who gets what, for every page and endpoint that shows a woman's health data.

Actors: anonymous, the woman herself, another woman, a clinician outside her care team, one
inside it, and staff of other roles (pharmacist, quality manager, audit administrator).
Missing and not-yours give the same 404; a refused write changes nothing and audits nothing.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from conftest import World, staff_client, woman_client
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from anyun.accounts.services import api_token_issue
from anyun.assessment.services import GradingInput, grading_record
from anyun.audit.models import AuditEvent
from anyun.consultation import services as consultation
from anyun.consultation.models import Consultation, Message
from anyun.pregnancy import selectors, services
from anyun.pregnancy.models import PreviousPregnancy
from anyun.scheduling.services import queue_accept, queue_join

pytestmark = pytest.mark.django_db

ACTORS = (
    "anonymous",
    "herself",
    "other_woman",
    "outside",
    "inside",
    "pharmacist",
    "quality",
    "auditor",
)
STAFF_ACTORS = {"outside", "inside", "pharmacist", "quality", "auditor"}


def _user(world: World, actor: str) -> Any:
    return (
        None if actor == "anonymous" else getattr(world, "woman" if actor == "herself" else actor)
    )


def _web(world: World, actor: str) -> Client:
    user = _user(world, actor)
    if user is None:
        return Client()
    return staff_client(user) if actor in STAFF_ACTORS else woman_client(user)


def _api(world: World, actor: str) -> Client:
    user = _user(world, actor)
    if user is None:
        return Client()
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=user)}")


@pytest.fixture
def ids(world: World) -> dict[str, str]:
    pregnancy = selectors.current_pregnancy_of(world.woman)
    png = io.BytesIO()
    Image.new("RGB", (2, 2)).save(png, format="PNG")
    report = services.report_upload(
        actor=world.woman,
        pregnancy=pregnancy,
        upload=SimpleUploadedFile("r.png", png.getvalue()),
        title="B超",
    )
    return {
        "p": str(pregnancy.public_id),
        "r": str(report.public_id),
        "w": str(world.woman.public_id),
    }


# What each actor gets from each read. "login" = redirected to sign in.
HERSELF_ONLY_WEB = {
    "anonymous": 404,
    "herself": 200,
    "other_woman": 404,
    "outside": 404,
    "inside": 200,
    "pharmacist": 404,
    "quality": 404,
    "auditor": 404,
}
CLINIC_WEB = {
    "anonymous": "login",
    "herself": 404,
    "other_woman": 404,
    "outside": 404,
    "inside": 200,
    "pharmacist": 404,
    "quality": 404,
    "auditor": 404,
}
API_READ = {
    "anonymous": 401,
    "herself": 200,
    "other_woman": 404,
    "outside": 404,
    "inside": 200,
    "pharmacist": 404,
    "quality": 404,
    "auditor": 404,
}
API_CLINIC = {
    "anonymous": 401,
    "herself": 404,
    "other_woman": 404,
    "outside": 404,
    "inside": 200,
    "pharmacist": 404,
    "quality": 404,
    "auditor": 404,
}

READS = [
    ("web", "/pregnancy/{p}/edit/", HERSELF_ONLY_WEB),
    ("web", "/pregnancy/{p}/history/add/", HERSELF_ONLY_WEB),
    ("web", "/pregnancy/{p}/reports/upload/", HERSELF_ONLY_WEB),
    ("web", "/pregnancy/reports/{r}/", HERSELF_ONLY_WEB),
    ("web", "/clinic/patients/{w}/", CLINIC_WEB),
    ("api", "/api/v1/pregnancy/{p}", API_READ),
    ("api", "/api/v1/pregnancy/{p}/history", API_READ),
    ("api", "/api/v1/pregnancy/{p}/reports", API_READ),
    ("api", "/api/v1/pregnancy/reports/{r}/file", API_READ),
    ("api", "/api/v1/clinic/patients/{w}", API_CLINIC),
]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("kind", "template", "expected"), READS, ids=[r[1] for r in READS])
def test_reads(
    world: World,
    ids: dict[str, str],
    actor: str,
    kind: str,
    template: str,
    expected: dict[str, Any],
) -> None:
    client = _web(world, actor) if kind == "web" else _api(world, actor)
    before = AuditEvent.objects.filter(subject=world.woman, action="read").count()
    response = client.get(template.format(**ids))
    want = expected[actor]
    if want == "login":
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    else:
        assert response.status_code == want, response.content[:300]
    if kind == "api" and response.status_code >= 400:
        assert response.json()["code"] in {"not_found", "unauthenticated"}
    reads_after = AuditEvent.objects.filter(subject=world.woman, action="read").count()
    if response.status_code == 200:
        assert reads_after == before + 1
        if "{r}" in template and kind == "web":
            assert response["Content-Type"] == "image/png"
    else:
        assert reads_after == before


def test_missing_and_not_yours_are_the_same_404(world: World, ids: dict[str, str]) -> None:
    client = _api(world, "other_woman")
    theirs = client.get(f"/api/v1/pregnancy/{ids['p']}")
    missing = client.get("/api/v1/pregnancy/00000000-0000-0000-0000-000000000000")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    web = _web(world, "other_woman")
    assert web.get(f"/pregnancy/{ids['p']}/edit/").status_code == 404
    assert web.get("/pregnancy/00000000-0000-0000-0000-000000000000/edit/").status_code == 404


WRITE_ALLOWED = {"herself", "inside"}


@pytest.mark.parametrize("actor", ACTORS)
def test_api_update_is_refused_to_all_but_her_and_her_team(
    world: World, ids: dict[str, str], actor: str
) -> None:
    client = _api(world, actor)
    response = client.patch(
        f"/api/v1/pregnancy/{ids['p']}",
        {"allergies": f"by {actor}"},
        content_type="application/json",
    )
    pregnancy = selectors.current_pregnancy_of(world.woman)
    if actor in WRITE_ALLOWED:
        assert response.status_code == 200
        assert pregnancy.allergies == f"by {actor}"
        assert pregnancy.revisions.count() == 1
    else:
        assert response.status_code == (401 if actor == "anonymous" else 404)
        assert pregnancy.allergies == ""
        assert pregnancy.revisions.count() == 0
        assert not AuditEvent.objects.filter(subject=world.woman, action="update").exists()


@pytest.mark.parametrize("actor", ACTORS)
def test_web_history_add_is_refused_to_all_but_her_and_her_team(
    world: World, ids: dict[str, str], actor: str
) -> None:
    client = _web(world, actor)
    response = client.post(
        f"/pregnancy/{ids['p']}/history/add/",
        {"year": timezone.localdate().year - 6, "outcome": "miscarriage", "delivery_mode": ""},
    )
    count = PreviousPregnancy.objects.filter(woman=world.woman).count()
    if actor in WRITE_ALLOWED:
        assert response.status_code == 302
        assert count == 1
    else:
        assert response.status_code == 404
        assert count == 0


def test_the_clinic_patient_list_shows_only_her_team(world: World) -> None:
    inside = _api(world, "inside").get("/api/v1/clinic/patients").json()
    outside = _api(world, "outside").get("/api/v1/clinic/patients").json()
    assert [p["id"] for p in inside] == [str(world.woman.public_id)]
    assert outside == []
    page = _web(world, "inside").get("/clinic/").content.decode()
    assert str(world.woman.public_id) in page
    assert str(world.other_woman.public_id) not in page


@pytest.fixture
def held(world: World) -> dict[str, str]:
    """A consultation she had with the clinician on her team: a message, an image, a signed
    record."""
    pregnancy = selectors.current_pregnancy_of(world.woman)
    grading_record(
        actor=world.inside,
        pregnancy=pregnancy,
        data=GradingInput(answers={}, entered={}, diagnoses=[], note="first visit"),
    )
    entry = queue_join(woman=world.woman, department=world.inside.clinician_profile.department)
    queue_accept(actor=world.inside, entry_id=entry.public_id)
    c = Consultation.objects.get(woman=world.woman)
    png = io.BytesIO()
    Image.new("RGB", (2, 2)).save(png, format="PNG")
    png.seek(0)
    image, _ = consultation.message_post(actor=world.woman, consultation_id=c.public_id, image=png)
    consultation.message_post(actor=world.inside, consultation_id=c.public_id, text="您好")
    consultation.consultation_end(actor=world.inside, consultation_id=c.public_id)
    consultation.record_save(
        actor=world.inside,
        consultation_id=c.public_id,
        data=consultation.RecordInput(history="抽筋", diagnoses=["Z34.9"]),
    )
    consultation.record_sign(actor=world.inside, consultation_id=c.public_id)
    return {"c": str(c.public_id), "m": str(image.id)}


# Her consultation: her and the clinician who received her; nobody else, not even the rest of
# her team's department or other staff.
CONSULTATION_WEB = HERSELF_ONLY_WEB
CONSULTATION_READS = [
    ("web", "/consultation/{c}/", CONSULTATION_WEB),
    ("web", "/consultation/{c}/record/", CONSULTATION_WEB),
    ("web", "/consultation/{c}/record/pdf/", CONSULTATION_WEB),
    ("web", "/consultation/messages/{m}/image/", CONSULTATION_WEB),
    ("api", "/api/v1/consultation/{c}", API_READ),
    ("api", "/api/v1/consultation/{c}/messages", API_READ),
    ("api", "/api/v1/consultation/{c}/record", API_READ),
]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(
    ("kind", "template", "expected"), CONSULTATION_READS, ids=[r[1] for r in CONSULTATION_READS]
)
def test_consultation_reads(
    world: World,
    held: dict[str, str],
    actor: str,
    kind: str,
    template: str,
    expected: dict[str, Any],
) -> None:
    client = _web(world, actor) if kind == "web" else _api(world, actor)
    before = AuditEvent.objects.filter(subject=world.woman).count()
    response = client.get(template.format(**held))
    want = expected[actor]
    if want == "login":
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    else:
        assert response.status_code == want, response.content[:300]
    if kind == "api" and response.status_code >= 400:
        assert response.json()["code"] in {"not_found", "unauthenticated"}
    after = AuditEvent.objects.filter(subject=world.woman).count()
    if response.status_code == 200:
        assert after > before  # every read of her conversation or record is audited
    else:
        assert after == before


@pytest.mark.parametrize("actor", ACTORS)
def test_a_message_into_her_consultation_is_refused_to_all_but_the_two_of_them(
    world: World, held: dict[str, str], actor: str
) -> None:
    client = _api(world, actor)
    count = Message.objects.count()
    response = client.post(
        f"/api/v1/consultation/{held['c']}/messages",
        {"text": f"by {actor}", "client_id": f"k-{actor}"},
        content_type="application/json",
    )
    if actor in WRITE_ALLOWED:
        # Both may write while it is open; it has ended, so both are told so.
        assert response.status_code == 400, response.content[:300]
        assert response.json()["code"] == "consultation_closed"
    else:
        assert response.status_code == (401 if actor == "anonymous" else 404)
        assert response.json()["code"] in {"not_found", "unauthenticated"}
    assert Message.objects.count() == count
