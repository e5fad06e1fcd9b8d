"""The orders API: ordering, her to-do list and booking, results as JSON and as FHIR R4 (good
and malformed: always a 4xx in the JSON error shape), matching to the order, access."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import staff_client, woman_client
from django.test import Client

from anyun.orders.models import LabOrder, Report, Result
from anyun.orders.tests.conftest import World, next_weekday_morning, order

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orders"


def post(client: Client, path: str, data: Any, **headers: str) -> Any:
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(f"{BASE}{path}", body, content_type="application/json", headers=headers)


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert {"code", "message", "field"} <= set(body)
    if code is not None:
        assert body["code"] == code, body
    return body


def test_order_then_she_sees_it_with_preparation_and_books(world: World) -> None:
    doctor = staff_client(world.clinician)
    created = post(
        doctor,
        "/",
        {"woman_id": str(world.woman.public_id), "tests": ["ogtt"], "reason": "24-28 w screen"},
        **{"Idempotency-Key": "o-1"},
    )
    assert created.status_code == 201, created.json()
    again = post(
        doctor,
        "/",
        {"woman_id": str(world.woman.public_id), "tests": ["ogtt"], "reason": "24-28 w screen"},
        **{"Idempotency-Key": "o-1"},
    )
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    her = woman_client(world.woman)
    [todo] = her.get(f"{BASE}/mine", HTTP_ACCEPT_LANGUAGE="en").json()
    assert todo["id"] == created.json()["id"]
    assert "75 g" in todo["preparations"][0]
    booked = post(
        her, f"/{todo['id']}/booking", {"starts_at": next_weekday_morning(8, 0).isoformat()}
    )
    assert booked.status_code == 200, booked.json()
    assert booked.json()["status"] == "booked"
    late = post(
        her, f"/{todo['id']}/booking", {"starts_at": next_weekday_morning(11, 0).isoformat()}
    )
    assert_error(late, 400, "time_unavailable")


def test_order_refusals(world: World) -> None:
    doctor = staff_client(world.clinician)
    missing = post(doctor, "/", {"tests": ["fbc"], "reason": "x"})
    assert_error(missing, 400, "woman_required")
    unknown = post(
        doctor, "/", {"woman_id": str(world.woman.public_id), "tests": ["x"], "reason": "y"}
    )
    assert_error(unknown, 400, "test_unknown")
    outside = post(
        staff_client(world.outsider),
        "/",
        {"woman_id": str(world.woman.public_id), "tests": ["fbc"], "reason": "y"},
    )
    assert_error(outside, 404, "not_found")
    assert LabOrder.objects.count() == 0


def test_another_womans_order_and_result_are_404(world: World) -> None:
    found = order(world)
    posted = post(
        staff_client(world.nurse),
        f"/{found.public_id}/results",
        {"observations": [{"code": "hb", "value": 104, "unit": "g/L"}]},
    )
    assert posted.status_code == 201
    report_id = posted.json()["id"]
    other = woman_client(world.other_woman)
    assert_error(other.get(f"{BASE}/{found.public_id}"), 404, "not_found")
    assert_error(other.get(f"{BASE}/results/{report_id}"), 404, "not_found")
    assert other.get(f"{BASE}/results/mine").json() == []
    assert_error(staff_client(world.outsider).get(f"{BASE}/results/{report_id}"), 404)
    mine = woman_client(world.woman).get(f"{BASE}/results/{report_id}", HTTP_ACCEPT_LANGUAGE="en")
    assert mine.status_code == 200
    [hb] = mine.json()["results"]
    assert (hb["value"], hb["flag"], hb["reference_range"]) == ("104", "low", "110–150")
    assert "anaemia" in hb["explanation"]


def test_json_report_matched_flagged_and_idempotent(world: World) -> None:
    found = order(world, "fbc", "urinalysis")
    nurse = staff_client(world.nurse)
    body: dict[str, Any] = {
        "report_id": "LIS-77",
        "observations": [
            {"code": "hb", "value": "121", "unit": "g/l"},
            {"code": "platelets", "value": 95},
            {"code": "urine_protein", "value": "++"},
            {"code": "alt", "value": 30},
        ],
    }
    refused = post(nurse, f"/{found.public_id}/results", body)
    err = assert_error(refused, 400, "observation_not_ordered")
    assert err["field"] == "observations.3.code"
    body["observations"].pop()
    created = post(nurse, f"/{found.public_id}/results", body)
    assert created.status_code == 201, created.json()
    flags = {r["code"]: r["flag"] for r in created.json()["results"]}
    assert flags == {"hb": "normal", "platelets": "low", "urine_protein": "positive"}
    again = post(nurse, f"/{found.public_id}/results", body)
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("{not json", 400),
        ({"observations": "hb"}, 422),
        ({"observations": [{"code": "hb"}]}, 422),
        ({"observations": [{"code": "hb", "value": "abc"}]}, 400),
        ({"observations": [{"code": "hb", "value": 1e308}]}, 400),
        ({"observations": [{"code": "urine_protein", "value": 3}]}, 400),
        ({"observations": [{"code": "hb", "value": 100, "unit": "mmol/L"}]}, 400),
        ({"observations": [], "observed_at": "yesterday"}, 422),
    ],
)
def test_malformed_json_reports_are_4xx(world: World, body: Any, status: int) -> None:
    found = order(world)
    response = post(staff_client(world.nurse), f"/{found.public_id}/results", body)
    assert_error(response, status)
    assert Result.objects.count() == 0


def observation(oid: str, code: str, value: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "code": {"coding": [{"system": "urn:anyun:lab-observation", "code": code}]},
        **value,
        **kw,
    }


def diagnostic_report(found: LabOrder, **kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "resourceType": "DiagnosticReport",
        "status": "final",
        "identifier": [{"system": "urn:lis", "value": "R-1"}],
        "basedOn": [{"reference": f"ServiceRequest/{found.public_id}"}],
        "code": {"text": "FBC"},
        "contained": [
            observation(
                "hb",
                "hb",
                {
                    "valueQuantity": {
                        "value": 98,
                        "unit": "g/L",
                        "system": "http://unitsofmeasure.org",
                        "code": "g/L",
                    }
                },
            ),
            {
                "resourceType": "Observation",
                "id": "plt",
                "status": "final",
                "code": {
                    "coding": [
                        {"system": "http://loinc.org", "code": "777-3"},
                        {"system": "urn:anyun:lab-observation", "code": "platelets"},
                    ]
                },
                "valueQuantity": {"value": 210, "code": "10*9/L"},
                "referenceRange": [{"low": {"value": 125}, "high": {"value": 350}}],
            },
        ],
        "result": [{"reference": "#hb"}, {"reference": "#plt"}],
    }
    body.update(kw)
    return body


def test_fhir_diagnostic_report_with_contained_observations(world: World) -> None:
    found = order(world)
    nurse = staff_client(world.nurse)
    created = post(nurse, "/results/fhir", diagnostic_report(found))
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["order_id"] == str(found.public_id) and data["source"] == "fhir"
    assert {r["code"]: r["flag"] for r in data["results"]} == {"hb": "low", "platelets": "normal"}
    again = post(nurse, "/results/fhir", diagnostic_report(found))
    assert again.status_code == 200 and Report.objects.count() == 1


def test_fhir_bundle_matched_by_identifier(world: World) -> None:
    found = order(world, "hbsag")
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": "urn:uuid:rep",
                "resource": {
                    "resourceType": "DiagnosticReport",
                    "status": "final",
                    "basedOn": [
                        {
                            "identifier": {
                                "system": "urn:anyun:lab-order",
                                "value": str(found.public_id),
                            }
                        }
                    ],
                    "effectiveDateTime": found.created_at.isoformat(),
                    "result": [{"reference": "urn:uuid:obs1"}],
                },
            },
            {
                "fullUrl": "urn:uuid:obs1",
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"coding": [{"system": "http://loinc.org", "code": "5196-1"}]},
                    "valueCodeableConcept": {"text": "positive"},
                },
            },
        ],
    }
    created = post(staff_client(world.nurse), "/results/fhir", bundle)
    assert created.status_code == 201, created.json()
    [hbsag] = created.json()["results"]
    assert (hbsag["code"], hbsag["flag"]) == ("hbsag", "positive")


def _broken(found: LabOrder) -> list[tuple[Any, int, str]]:
    good = diagnostic_report(found)

    def with_(**kw: Any) -> dict[str, Any]:
        return {**good, **kw}

    def obs(**kw: Any) -> dict[str, Any]:
        first = {**good["contained"][0], **kw}
        return {**good, "contained": [first, good["contained"][1]]}

    return [
        ("{", 400, "body_invalid"),
        ([], 400, "fhir_invalid"),
        ({"resourceType": "Patient"}, 400, "fhir_resource_type"),
        (with_(status="preliminary"), 400, "report_not_final"),
        (with_(status=None), 400, "fhir_invalid"),
        (with_(basedOn=[]), 400, "order_unmatched"),
        (with_(basedOn=[{"reference": "ServiceRequest/not-a-uuid"}]), 400, "fhir_invalid"),
        (with_(basedOn="ServiceRequest/x"), 400, "fhir_invalid"),
        (
            with_(basedOn=[{"reference": "ServiceRequest/00000000-0000-4000-8000-000000000000"}]),
            404,
            "not_found",
        ),
        (with_(result=[]), 400, "fhir_invalid"),
        (with_(result=[{"reference": "#nothing"}]), 400, "fhir_invalid"),
        (with_(result=[{"reference": 5}]), 400, "fhir_invalid"),
        (with_(contained="hb"), 400, "fhir_invalid"),
        (with_(effectiveDateTime="2026-13-45"), 400, "fhir_invalid"),
        (with_(effectiveDateTime="2026-01-01T08:00:00"), 400, "fhir_invalid"),
        (obs(status="registered"), 400, "report_not_final"),
        (
            obs(code={"coding": [{"system": "http://loinc.org", "code": "0000-0"}]}),
            400,
            "observation_unknown",
        ),
        (obs(code={"coding": "hb"}), 400, "fhir_invalid"),
        (obs(valueQuantity={"value": "98"}), 400, "fhir_invalid"),
        (obs(valueQuantity={"value": True}), 400, "fhir_invalid"),
        (obs(valueQuantity=None), 400, "fhir_invalid"),
        (obs(valueQuantity={"value": 98, "code": "mg/dL"}), 400, "unit_mismatch"),
        (obs(valueQuantity={"value": 9800, "code": "g/L"}), 400, "value_impossible"),
        (obs(interpretation=[{"coding": [{"code": "bogus"}]}]), 400, "fhir_invalid"),
        (obs(referenceRange=[{"low": {"value": "x"}}]), 400, "fhir_invalid"),
        ({"resourceType": "Bundle", "entry": []}, 400, "fhir_invalid"),
        (
            {"resourceType": "Bundle", "entry": [{"resource": good}, {"resource": good}]},
            400,
            "bundle_reports",
        ),
        ({"resourceType": "Bundle", "entry": ["x"]}, 400, "fhir_invalid"),
    ]


def test_malformed_fhir_is_always_a_4xx_and_writes_nothing(world: World) -> None:
    found = order(world)
    nurse = staff_client(world.nurse)
    for body, status, code in _broken(found):
        response = post(nurse, "/results/fhir", body)
        assert_error(response, status, code)
    assert Report.objects.count() == 0 and Result.objects.count() == 0


def test_fhir_for_another_teams_woman_is_404(world: World) -> None:
    found = order(world)
    response = post(staff_client(world.outsider), "/results/fhir", diagnostic_report(found))
    assert_error(response, 404, "not_found")


def test_her_trend_and_clinician_results(world: World) -> None:
    nurse = staff_client(world.nurse)
    found = order(world)
    post(nurse, f"/{found.public_id}/results", {"observations": [{"code": "hb", "value": 101}]})
    trend = woman_client(world.woman).get(f"{BASE}/results/trend?code=hb")
    assert [p["value"] for p in trend.json()["points"]] == ["101"]
    assert_error(woman_client(world.woman).get(f"{BASE}/results/trend?code=nope"), 400)
    listed = staff_client(world.clinician).get(f"{BASE}/results/clinic").json()
    assert [r["abnormal"] for r in listed] == [True]
    assert staff_client(world.outsider).get(f"{BASE}/results/clinic").json() == []
