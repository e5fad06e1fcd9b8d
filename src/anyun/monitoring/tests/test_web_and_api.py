"""The woman's check-in, look-back and chart, the clinician's worklist, and the same over the API."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from xml.etree import ElementTree

import pytest
from conftest import staff_client, woman_client
from django.test import Client
from django.utils import timezone

from anyun.accounts.services import api_token_issue
from anyun.monitoring.models import Alarm, Reading
from anyun.monitoring.tests.conftest import Ward, bp
from anyun.pregnancy.selectors import current_pregnancy_of

pytestmark = pytest.mark.django_db


def _api(user: Any) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=user)}")


def test_the_woman_checks_in_and_sees_urgent_instructions_at_once(ward: Ward) -> None:
    client = woman_client(ward.woman)
    page = client.get("/monitoring/record/")
    assert page.status_code == 200
    key = page.context["form"].initial["idempotency_key"]
    response = client.post(
        "/monitoring/record/",
        {"systolic": 165, "diastolic": 112, "weight": "61.2", "idempotency_key": key},
    )
    assert response.status_code == 302
    result = client.get(response["Location"]).content.decode()
    assert 'data-testid="urgent-banner"' in result
    assert 'data-grade="urgent"' in result
    # Sent twice (a double tap): stored once.
    again = client.post(
        "/monitoring/record/",
        {"systolic": 165, "diastolic": 112, "weight": "61.2", "idempotency_key": key},
    )
    assert again["Location"] == response["Location"]
    assert Reading.objects.filter(woman=ward.woman).count() == 2


def test_a_bad_value_is_shown_beside_its_field_and_nothing_is_saved(ward: Ward) -> None:
    response = woman_client(ward.woman).post(
        "/monitoring/record/", {"systolic": 320, "diastolic": 80, "weight": "60"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["systolic"]
    assert not Reading.objects.exists()


def test_an_unusual_value_asks_for_confirmation(ward: Ward) -> None:
    client = woman_client(ward.woman)
    first = client.post("/monitoring/record/", {"fetal_heart_rate": 85})
    assert first.status_code == 200
    assert 'data-testid="confirm-needed"' in first.content.decode()
    assert not Reading.objects.exists()
    second = client.post("/monitoring/record/", {"fetal_heart_rate": 85, "confirm": "on"})
    assert second.status_code == 302
    assert Reading.objects.get().confirmed_implausible


def test_look_back_with_a_date_filter_and_a_trend(ward: Ward, record: Any) -> None:
    from anyun.monitoring.tests.conftest import ago

    record(bp(120, 80, measured_at=ago(days=10)))
    record(bp(125, 82))
    client = woman_client(ward.woman)
    since = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    page = client.get(f"/monitoring/signs/blood_pressure/?from={since}")
    assert [row.reading.systolic for row in page.context["rows"]] == [125]
    svg = client.get(f"/monitoring/signs/blood_pressure/trend.svg?from={since}")
    assert svg["Content-Type"] == "image/svg+xml"
    ElementTree.fromstring(svg.content)
    assert client.get("/monitoring/signs/sleep/").status_code == 404


def test_chart_for_her_and_her_team_only(ward: Ward, record: Any) -> None:
    record({"kind": "weight", "value": 62}, {"kind": "fundal_height", "value": 29.5})
    pregnancy = current_pregnancy_of(ward.woman)
    svg_url, pdf_url = (
        f"/monitoring/chart/{pregnancy.public_id}.svg",
        f"/monitoring/chart/{pregnancy.public_id}.pdf",
    )
    svg = woman_client(ward.woman).get(svg_url)
    assert svg.status_code == 200
    root = ElementTree.fromstring(svg.content)
    assert root.tag.endswith("svg")
    assert b'id="sfh-home"' in svg.content
    pdf = staff_client(ward.responsible).get(pdf_url)
    assert pdf.content.startswith(b"%PDF")
    for refused in (woman_client(ward.other_woman), staff_client(ward.outsider), Client()):
        assert refused.get(svg_url).status_code == 404
        assert refused.get(pdf_url).status_code == 404


def test_the_workstation_worklist_and_overview(ward: Ward, record: Any) -> None:
    record(bp(165, 112))
    record({"kind": "temperature", "value": 37.5})
    client = staff_client(ward.responsible)
    page = client.get("/clinic/alarms/")
    grades = [a["alarm"].grade for a in page.context["alarms"]]
    assert grades == ["urgent", "attention"]
    assert (
        client.get("/clinic/alarms/?grade=urgent").context["alarms"][0]["alarm"].rule == "bp_severe"
    )
    partial = client.get("/clinic/alarms/", HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b'data-testid="alarm-row"' in partial.content
    overview = client.get(f"/clinic/patients/{ward.woman.public_id}/").content.decode()
    assert 'data-testid="open-alarms"' in overview and "165/112" in overview
    assert staff_client(ward.outsider).get("/clinic/alarms/").context["alarms"] == []


def test_acknowledge_and_close_from_the_workstation(ward: Ward, record: Any) -> None:
    (alarm,) = record(bp(165, 112)).alarms
    client = staff_client(ward.responsible)
    assert client.get(f"/clinic/alarms/{alarm.public_id}/").status_code == 200
    client.post(f"/clinic/alarms/{alarm.public_id}/acknowledge/")
    alarm.refresh_from_db()
    assert alarm.status == "acknowledged"
    refused = client.post(
        f"/clinic/alarms/{alarm.public_id}/close/", {"outcome": "no_action", "note": ""}
    )
    assert refused.status_code == 200 and refused.context["form"].errors["note"]
    client.post(
        f"/clinic/alarms/{alarm.public_id}/close/",
        {"outcome": "called", "note": "She is on her way"},
    )
    alarm.refresh_from_db()
    assert (alarm.status, alarm.outcome) == ("closed", "called")
    # The woman sees the status of her alarm.
    mine = woman_client(ward.woman).get("/monitoring/alarms/").content.decode()
    assert 'data-testid="alarm-status">' in mine
    assert staff_client(ward.outsider).get(f"/clinic/alarms/{alarm.public_id}/").status_code == 404


def test_api_bulk_submit_is_idempotent_and_reports_alarms(ward: Ward) -> None:
    api = _api(ward.woman)
    body = {
        "items": [
            {"kind": "blood_pressure", "systolic": 165, "diastolic": 112},
            {"kind": "weight", "value": "61.0"},
        ]
    }
    first = api.post(
        "/api/v1/monitoring/readings",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="gw-1",
    )
    assert first.status_code == 201
    data = first.json()
    assert [r["kind"] for r in data["readings"]] == ["blood_pressure", "weight"]
    assert data["highest_grade"] == "urgent"
    assert data["alarms"][0]["action"] == "seek_care_now" and data["alarms"][0]["action_text"]
    again = api.post(
        "/api/v1/monitoring/readings",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="gw-1",
    )
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert Reading.objects.count() == 2 and Alarm.objects.count() == 1


def test_api_implausible_is_409_with_details_then_confirmed(ward: Ward) -> None:
    api = _api(ward.woman)
    body: dict[str, Any] = {"items": [{"kind": "temperature", "value": "34.5"}]}
    refused = api.post("/api/v1/monitoring/readings", body, content_type="application/json")
    assert refused.status_code == 409
    assert refused.json()["details"][0]["code"] == "temperature_implausible"
    body["confirm"] = True
    assert (
        api.post("/api/v1/monitoring/readings", body, content_type="application/json").status_code
        == 201
    )


def test_api_impossible_value_names_the_field(ward: Ward) -> None:
    response = _api(ward.woman).post(
        "/api/v1/monitoring/readings",
        {"items": [{"kind": "weight", "value": "300"}]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("weight_range", "items.0.value")


def test_api_readings_chart_and_alarms_by_role(ward: Ward, record: Any) -> None:
    record(bp(165, 112), {"kind": "fundal_height", "value": 29})
    mine = _api(ward.woman).get("/api/v1/monitoring/readings?kind=blood_pressure").json()
    assert [(r["systolic"], r["diastolic"]) for r in mine] == [(165, 112)]
    chart = _api(ward.woman).get("/api/v1/monitoring/chart").json()
    assert chart["fundal_height"] == [{"ga_days": 210, "value": 29.0, "source": "home"}]
    at_28 = next(c for c in chart["fundal_height_reference"] if c["ga_weeks"] == 28.0)
    assert (at_28["p10"], at_28["p50"], at_28["p90"]) == (
        25.5,
        27.7,
        29.9,
    )  # DOMAIN.md check values
    team = _api(ward.responsible)
    assert len(team.get(f"/api/v1/monitoring/readings?woman_id={ward.woman.public_id}").json()) == 2
    worklist = team.get("/api/v1/monitoring/alarms").json()
    assert [a["rule"] for a in worklist] == ["bp_severe"]
    alarm_id = worklist[0]["id"]
    assert (
        team.post(f"/api/v1/monitoring/alarms/{alarm_id}/acknowledge").json()["status"]
        == "acknowledged"
    )
    closed = team.post(
        f"/api/v1/monitoring/alarms/{alarm_id}/close",
        {"outcome": "visit_booked"},
        content_type="application/json",
    )
    assert closed.json()["status"] == "closed"


@pytest.mark.parametrize("who", ["other_woman", "outsider"])
def test_api_another_person_cannot_read_or_write_her_readings(
    ward: Ward, record: Any, who: str
) -> None:
    (alarm,) = record(bp(165, 112)).alarms
    api = _api(getattr(ward, who))
    wid = ward.woman.public_id
    assert api.get(f"/api/v1/monitoring/readings?woman_id={wid}").status_code == 404
    assert api.get(f"/api/v1/monitoring/chart?woman_id={wid}").status_code == 404
    assert api.get(f"/api/v1/monitoring/alarms/{alarm.public_id}").status_code == 404
    assert api.post(f"/api/v1/monitoring/alarms/{alarm.public_id}/acknowledge").status_code == 404
    write = api.post(
        "/api/v1/monitoring/readings",
        {"woman_id": str(wid), "items": [{"kind": "weight", "value": "60"}]},
        content_type="application/json",
    )
    assert write.status_code == 404
    assert Reading.objects.filter(woman=ward.woman).count() == 1
    alarm.refresh_from_db()
    assert alarm.status == "open"
    assert api.get(f"/api/v1/monitoring/alarms/{uuid.uuid4()}").status_code == 404


def test_api_plans(ward: Ward) -> None:
    api = _api(ward.responsible)
    created = api.post(
        "/api/v1/monitoring/plans",
        {"woman_id": str(ward.woman.public_id), "kind": "weight", "times": ["07:30"]},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert [p["kind"] for p in _api(ward.woman).get("/api/v1/monitoring/plans").json()] == [
        "weight"
    ]


def test_worklist_queries_do_not_grow_with_the_number_of_alarms(ward: Ward, record: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = _api(ward.responsible)
    record({"kind": "temperature", "value": 37.6})
    api.get("/api/v1/monitoring/alarms")  # warm up: token last-used stamp, session
    with CaptureQueriesContext(connection) as few:
        assert len(api.get("/api/v1/monitoring/alarms").json()) == 1
    for value in (37.5, 37.7, 37.8, 37.9):
        record({"kind": "temperature", "value": value})
    with CaptureQueriesContext(connection) as many:
        assert len(api.get("/api/v1/monitoring/alarms").json()) == 5
    assert len(many.captured_queries) == len(few.captured_queries)


def test_ticking_a_symptom_without_a_measurement_is_heard(ward: Ward) -> None:
    response = woman_client(ward.woman).post("/monitoring/record/", {"symptoms": ["bleeding"]})
    assert response.status_code == 302
    page = woman_client(ward.woman).get(response["Location"]).content.decode()
    assert 'data-testid="urgent-banner"' in page
    assert Alarm.objects.get().rule == "red_flag_bleeding"


def test_the_worklist_page_queries_do_not_grow_with_the_number_of_alarms(
    ward: Ward, record: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clinic = staff_client(ward.responsible)
    record({"kind": "temperature", "value": 37.6})
    clinic.get("/clinic/alarms/")  # warm up
    with CaptureQueriesContext(connection) as few:
        assert len(clinic.get("/clinic/alarms/").context["alarms"]) == 1
    for value in (37.5, 37.7, 37.8, 37.9):
        record({"kind": "temperature", "value": value})
    with CaptureQueriesContext(connection) as many:
        assert len(clinic.get("/clinic/alarms/").context["alarms"]) == 5
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_check_in_carries_at_most_the_hospitals_number_of_readings(
    ward: Ward, settings: Any
) -> None:
    settings.ANYUN_CHECKIN_MAX_READINGS = 3
    api = _api(ward.woman)
    weights = [{"kind": "weight", "value": "61.0"}] * 3
    too_many = api.post(
        "/api/v1/monitoring/readings",
        {"items": [*weights, {"kind": "weight", "value": "61.2", "symptoms": ["convulsions"]}]},
        content_type="application/json",
    )
    assert too_many.status_code == 400
    assert (too_many.json()["code"], too_many.json()["field"]) == ("readings_too_many", "items")
    assert "3" in too_many.json()["message"]
    assert not Reading.objects.filter(kind="weight").exists()
    # the red flag ticked in the refused check-in is raised all the same
    assert [f["rule"] for f in too_many.json()["red_flags"]] == ["red_flag_convulsions"]
    settings.ANYUN_CHECKIN_MAX_READINGS = 40
    many = api.post(
        "/api/v1/monitoring/readings",
        {"items": [{"kind": "weight", "value": "61.0"}] * 25},
        content_type="application/json",
    )
    assert many.status_code == 201 and len(many.json()["readings"]) == 25


def test_an_over_long_idempotency_key_is_refused_not_cut_and_red_flags_still_go(
    ward: Ward,
) -> None:
    api = _api(ward.woman)
    refused = api.post(
        "/api/v1/monitoring/readings",
        {"items": [{"kind": "weight", "value": "61.0", "symptoms": ["convulsions"]}]},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k" * 81,
    )
    assert refused.status_code == 400
    assert (refused.json()["code"], refused.json()["field"]) == (
        "idempotency_key_invalid",
        "Idempotency-Key",
    )
    assert not Reading.objects.filter(kind="weight").exists()
    assert [f["rule"] for f in refused.json()["red_flags"]] == ["red_flag_convulsions"]
