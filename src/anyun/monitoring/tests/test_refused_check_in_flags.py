"""Red flags ticked in a check-in that is refused or must be confirmed are raised at once, and
thoughts of self-harm reach the safety pathway even before she is verified or has consented."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import woman_client
from django.test import Client

from anyun.accounts.services import api_token_issue
from anyun.consent.models import DocumentKind
from anyun.consent.services import document_publish
from anyun.monitoring.models import Alarm, Reading
from anyun.monitoring.tests.conftest import Ward, route_alarms

pytestmark = pytest.mark.django_db

URL = "/api/v1/monitoring/readings"
IMPLAUSIBLE, IMPOSSIBLE = "240", "300"  # weight kg: asks to confirm; refused


def _api(user: Any) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=user)}")


def _flag_alarms(ward: Ward) -> list[Alarm]:
    route_alarms()
    return list(Alarm.objects.filter(woman=ward.woman).order_by("id"))


def _rules(alarms: list[Alarm]) -> list[str]:
    return [f["rule"] for a in alarms for f in (a.findings or [{"rule": a.rule}])]


def _post_form(client: Client, key: str, weight: str, symptom: str, **extra: str) -> Any:
    return client.post(
        "/monitoring/record/",
        {"idempotency_key": key, "weight": weight, "symptoms": [symptom], **extra},
    )


@pytest.mark.parametrize("weight", [IMPLAUSIBLE, IMPOSSIBLE])
def test_the_web_form_raises_the_red_flag_of_a_refused_check_in_and_says_call_120(
    ward: Ward, weight: str
) -> None:
    client = woman_client(ward.woman)
    page = _post_form(client, "web-1", weight, "convulsions")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="red-flags-raised"' in html and 'data-testid="alarm-action"' in html
    alarms = _flag_alarms(ward)
    assert _rules(alarms) == ["red_flag_convulsions"]
    assert alarms[0].grade == "urgent" and alarms[0].assigned_to == ward.responsible
    (report,) = Reading.objects.filter(woman=ward.woman)
    assert (report.kind, report.symptoms) == ("symptom_report", ["convulsions"])
    # She leaves and comes back with the same page: the flag is not raised twice.
    _post_form(client, "web-1", weight, "convulsions")
    assert len(_flag_alarms(ward)) == 1


def test_a_confirmed_resubmission_stores_the_values_without_raising_the_flag_twice(
    ward: Ward,
) -> None:
    client = woman_client(ward.woman)
    _post_form(client, "web-2", IMPLAUSIBLE, "convulsions")
    done = _post_form(client, "web-2", IMPLAUSIBLE, "convulsions", confirm="on")
    assert done.status_code == 302
    assert Reading.objects.filter(woman=ward.woman, kind="weight").count() == 1
    assert _rules(_flag_alarms(ward)).count("red_flag_convulsions") == 1


@pytest.mark.parametrize(("weight", "status"), [(IMPLAUSIBLE, 409), (IMPOSSIBLE, 400)])
def test_the_api_error_lists_the_red_flags_raised(ward: Ward, weight: str, status: int) -> None:
    body: dict[str, Any] = {
        "items": [{"kind": "weight", "value": weight, "symptoms": ["convulsions"]}]
    }
    api = _api(ward.woman)
    refused = api.post(URL, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="gw-9")
    assert refused.status_code == status
    data = refused.json()
    assert data["code"] in {"confirm_implausible", "weight_range"}
    (flag,) = data["red_flags"]
    assert (flag["rule"], flag["grade"], flag["action"]) == (
        "red_flag_convulsions",
        "urgent",
        "seek_care_now",
    )
    assert flag["action_text"] and data["crisis"] is None
    assert _rules(_flag_alarms(ward)) == ["red_flag_convulsions"]
    if status == 409:
        assert data["details"][0]["code"] == "weight_implausible"
        body["confirm"] = True
        done = api.post(URL, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="gw-9")
        assert done.status_code == 201
        assert _rules(_flag_alarms(ward)) == ["red_flag_convulsions"]


def test_the_api_error_carries_crisis_guidance_for_thoughts_of_self_harm(ward: Ward) -> None:
    body = {"items": [{"kind": "weight", "value": IMPLAUSIBLE, "symptoms": ["self_harm_thoughts"]}]}
    refused = _api(ward.woman).post(URL, body, content_type="application/json")
    assert refused.status_code == 409
    data = refused.json()
    assert [f["rule"] for f in data["red_flags"]] == ["safety_pathway"]
    assert data["crisis"]["emergency_number"] == "120" and data["crisis"]["message"]


def _not_ready(ward: Ward, how: str) -> None:
    if how == "unverified":
        profile = ward.woman.woman_profile
        profile.verified_at = None
        profile.save()
    else:
        document_publish(
            kind=DocumentKind.HEALTH_DATA,
            title_zh="新版",
            title_en="New version",
            body_zh="正文",
            body_en="Text",
        )


@pytest.mark.parametrize("how", ["unverified", "new_consent"])
def test_not_ready_web_check_in_with_thoughts_of_harm_shows_crisis_and_starts_the_pathway(
    ward: Ward, how: str
) -> None:
    _not_ready(ward, how)
    client = woman_client(ward.woman)
    page = _post_form(client, "web-3", "62", "self_harm_thoughts")
    assert page.status_code == 403
    html = page.content.decode()
    assert 'data-testid="crisis-guidance"' in html and 'href="tel:120"' in html
    assert 'data-testid="not-ready"' in html
    alarms = _flag_alarms(ward)
    assert _rules(alarms) == ["safety_pathway"]
    assert alarms[0].assigned_to == ward.responsible
    # Consent rules hold: only the report of the thoughts is stored, not her weight.
    (report,) = Reading.objects.filter(woman=ward.woman)
    assert (report.kind, report.symptoms) == ("symptom_report", ["self_harm_thoughts"])
    # Anything else still goes to the missing step and stores nothing.
    other = _post_form(client, "web-4", "62", "convulsions")
    assert other.status_code == 302 and Reading.objects.filter(woman=ward.woman).count() == 1


@pytest.mark.parametrize("how", ["unverified", "new_consent"])
def test_not_ready_api_check_in_with_thoughts_of_harm_has_crisis_in_the_403(
    ward: Ward, how: str
) -> None:
    _not_ready(ward, how)
    body = {
        "items": [{"kind": "pulse", "value": 80, "symptoms": ["self_harm_thoughts", "convulsions"]}]
    }
    api = _api(ward.woman)
    refused = api.post(URL, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="gw-5")
    assert refused.status_code == 403
    data = refused.json()
    assert data["code"] in {"identity_required", "consent_required"}
    assert data["crisis"]["emergency_number"] == "120"
    assert [f["rule"] for f in data["red_flags"]] == ["safety_pathway"]
    again = api.post(URL, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="gw-5")
    assert again.status_code == 403 and again.json()["crisis"]
    assert _rules(_flag_alarms(ward)) == ["safety_pathway"]
    (report,) = Reading.objects.filter(woman=ward.woman)
    assert report.symptoms == ["self_harm_thoughts"]
    plain = api.post(
        URL, {"items": [{"kind": "pulse", "value": 80}]}, content_type="application/json"
    )
    assert plain.status_code == 403 and "crisis" not in plain.json()
