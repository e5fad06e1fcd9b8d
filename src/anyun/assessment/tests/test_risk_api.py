"""The risk API: a clinician reads her colour, history and suitability and grades her; she
reads her own colour and suitability in plain words; every refusal in our JSON error shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import staff_client, woman_client

from anyun.assessment.models import RiskGrading
from anyun.assessment.tests.conftest import in_english
from anyun.audit.models import AuditEvent
from anyun.monitoring.tests.conftest import Ward

pytestmark = pytest.mark.django_db


def en_staff(user: Any) -> Any:
    return in_english(staff_client(user))


def en_woman(user: Any) -> Any:
    return in_english(woman_client(user))


BASE = "/api/v1/assessment"


def post(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def error_shape(response: Any) -> dict[str, Any]:
    body = response.json()
    assert {"code", "message", "field"} <= set(body)
    return dict(body)


def test_a_clinician_grades_and_reads_her_risk(ward: Ward) -> None:
    client = en_staff(ward.responsible)
    url = f"{BASE}/women/{ward.woman.public_id}/gradings"
    created = post(client, url, {"answers": {"g_asthma": True}, "entered": {"hb_g_l": 95}})
    assert created.status_code == 201
    body = created.json()
    assert (body["colour"], body["purple"]) == ("orange", False)
    assert {i["code"]: i["basis"] for i in body["items"]} == {
        "g_hb_60_110": "record",
        "g_asthma": "clinician",
    }
    risk = client.get(f"{BASE}/women/{ward.woman.public_id}/risk").json()
    assert risk["colour"] == "orange" and len(risk["history"]) == 1
    assert risk["suitability"]["allowed"] is True  # orange inside her (new) high-risk case
    assert AuditEvent.objects.filter(action="risk_read", subject=ward.woman).exists()


def test_she_reads_her_own_colour_and_suitability_in_words(ward: Ward) -> None:
    client = en_woman(ward.woman)
    before = client.get(f"{BASE}/risk").json()
    assert (before["allowed"], before["urgency"]) == (False, "book_visit")
    assert "in-person prenatal visit" in before["message"]
    post(
        en_staff(ward.responsible),
        f"{BASE}/women/{ward.woman.public_id}/gradings",
        {"answers": {"g_small_pelvis": True}},
    )
    after = client.get(f"{BASE}/risk").json()
    assert (after["allowed"], after["colour"], after["colour_label"]) == (
        True,
        "yellow",
        "Yellow · general risk",
    )
    assert client.get(f"{BASE}/women/{ward.woman.public_id}/risk").status_code == 404


def test_refusals_in_our_error_shape(ward: Ward) -> None:
    client = en_staff(ward.responsible)
    url = f"{BASE}/women/{ward.woman.public_id}/gradings"
    unknown = post(client, url, {"answers": {"g_nope": True}})
    assert unknown.status_code == 400
    assert error_shape(unknown)["field"] == "g_nope"
    out_of_range = post(client, url, {"entered": {"hb_g_l": 900}})
    assert (out_of_range.status_code, error_shape(out_of_range)["field"]) == (400, "hb_g_l")
    wrong_type = post(client, url, {"entered": {"art_conception": "maybe"}})
    assert (wrong_type.status_code, error_shape(wrong_type)["code"]) == (400, "choice_invalid")
    bad_diagnosis = post(client, url, {"diagnoses": ["flu"]})
    assert error_shape(bad_diagnosis)["field"] == "diagnoses"
    malformed = post(client, url, {"answers": ["g_asthma"]})
    assert malformed.status_code == 422 and "code" in malformed.json()
    outsider = post(en_staff(ward.outsider), url, {"answers": {}})
    assert (outsider.status_code, error_shape(outsider)["code"]) == (404, "not_found")
    assert (
        en_staff(ward.outsider).get(f"{BASE}/women/{ward.woman.public_id}/suitability").status_code
        == 404
    )
    herself = post(en_woman(ward.woman), url, {"answers": {}})
    assert herself.status_code == 404
    assert not RiskGrading.objects.exists()


def test_the_clinician_reads_what_the_grading_starts_from(ward: Ward) -> None:
    client = en_staff(ward.responsible)
    url = f"{BASE}/women/{ward.woman.public_id}/risk/prefill"
    first = client.get(url)
    assert first.status_code == 200
    facts = {f["name"]: f for f in first.json()["facts"]}
    assert first.json()["last_grading"] is None
    assert facts["parity"]["source"] == "record" and facts["parity"]["label"] == "Parity"
    assert facts["height_cm"]["value"] == 160.0
    assert "hb_g_l" not in facts  # nothing says it yet
    post(
        client,
        f"{BASE}/women/{ward.woman.public_id}/gradings",
        {"answers": {}, "entered": {"hb_g_l": 95}},
    )
    again = client.get(url).json()
    hb = {f["name"]: f for f in again["facts"]}["hb_g_l"]
    assert (hb["value"], hb["source"]) == (95.0, "last_grading")
    assert again["last_grading"] == str(RiskGrading.objects.get().public_id)
    assert AuditEvent.objects.filter(action="risk_read", subject=ward.woman).exists()


def test_the_prefill_is_hers_to_her_care_team_only(ward: Ward) -> None:
    url = f"{BASE}/women/{ward.woman.public_id}/risk/prefill"
    assert error_shape(en_staff(ward.outsider).get(url))["code"] == "not_found"
    assert en_staff(ward.outsider).get(url).status_code == 404
    assert en_woman(ward.woman).get(url).status_code == 404
    assert en_woman(ward.other_woman).get(url).status_code == 404
