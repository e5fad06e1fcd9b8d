"""The wellbeing API: instruments with wording and points, a screening submitted
(idempotency key; crisis in the body), her history, a self-assessment; every bad input 4xx
in our JSON shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import staff_client, woman_client
from django.test import Client

from anyun.monitoring.models import Alarm
from anyun.monitoring.tests.conftest import Ward
from anyun.wellbeing.models import Screening, SelfAssessment
from anyun.wellbeing.tests.helpers import epds

pytestmark = pytest.mark.django_db

BASE = "/api/v1/wellbeing"


def _post(client: Client, path: str, body: Any, key: str = "") -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        BASE + path,
        data=json.dumps(body) if not isinstance(body, str) else body,
        content_type="application/json",
        **headers,
    )


def _answers(answers: dict[int, int]) -> list[dict[str, int]]:
    return [{"item": i, "option": o} for i, o in answers.items()]


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert {"code", "message", "field"} <= set(body)
    return body


def test_instruments_give_the_wording_and_the_points_of_each_option(ward: Ward) -> None:
    response = woman_client(ward.woman).get(BASE + "/instruments?language=zh-hans")
    assert response.status_code == 200
    by_code = {i["instrument"]: i for i in response.json()}
    assert set(by_code) == {"epds", "phq9", "gad7"}
    epds_out = by_code["epds"]
    assert (epds_out["demonstration"], epds_out["language"], epds_out["max_total"]) == (
        True,
        "zh-hans",
        30,
    )
    assert [o["points"] for o in epds_out["items"][2]["options"]] == [3, 2, 1, 0]
    assert [o["points"] for o in epds_out["items"][0]["options"]] == [0, 1, 2, 3]


def test_a_screening_is_stored_once_per_key_with_the_crisis_in_the_body(ward: Ward) -> None:
    client = woman_client(ward.woman)
    body = {"instrument": "epds", "answers": _answers(epds([0] * 9 + [1]))}
    first = _post(client, "/screenings", body, key="api-1")
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["screening"]["total"] == 1
    assert data["screening"]["safety_pathway"] is True
    assert data["crisis"]["team_alerted"] is True
    assert data["crisis"]["emergency_number"] == "120"
    assert [a["points"] for a in data["screening"]["answers"]] == [0] * 9 + [1]
    again = _post(client, "/screenings", body, key="api-1")
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert Screening.objects.count() == 1
    history = client.get(BASE + "/screenings")
    assert [s["id"] for s in history.json()] == [data["screening"]["id"]]


def test_a_repeat_result_gives_its_window(ward: Ward) -> None:
    body = {"instrument": "epds", "answers": _answers(epds([2, 2, 2, 1, 1, 1, 1, 1, 0, 0]))}
    data = _post(woman_client(ward.woman), "/screenings", body).json()
    assert data["screening"]["follow_up"] == "repeat"
    assert data["screening"]["repeat_from"] and data["screening"]["repeat_until"]
    assert data["crisis"] is None


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"instrument": "bdi", "answers": []}, 400, "scale_unknown", "instrument"),
        (
            {"instrument": "epds", "answers": _answers({n: 0 for n in range(1, 10)})},
            400,
            "scale_item_missing",
            "item_10",
        ),
        (
            {"instrument": "gad7", "answers": _answers({**{n: 0 for n in range(1, 8)}, 3: 5})},
            400,
            "scale_option_unknown",
            "item_3",
        ),
        (
            {
                "instrument": "gad7",
                "answers": [{"item": 1, "option": 0}] * 2 + _answers({n: 0 for n in range(2, 8)}),
            },
            400,
            "scale_item_repeated",
            "item_1",
        ),
        ({"instrument": "gad7", "answers": [{"item": 0, "option": 0}]}, 422, None, None),
        ({"instrument": "gad7", "answers": [{"item": 1, "option": -1}]}, 422, None, None),
        ({"instrument": "gad7"}, 422, None, None),
        ({"instrument": "gad7", "answers": "x"}, 422, None, None),
        ({"instrument": "gad7", "answers": [], "context": "whenever"}, 400, None, None),
    ],
)
def test_bad_screenings_are_refused_in_our_shape(
    ward: Ward, body: dict[str, Any], status: int, code: str | None, field: str | None
) -> None:
    error = _error(_post(woman_client(ward.woman), "/screenings", body), status)
    if code is not None:
        assert (error["code"], error["field"]) == (code, field)
    assert not Screening.objects.exists()


def test_malformed_json_is_a_400(ward: Ward) -> None:
    _error(_post(woman_client(ward.woman), "/screenings", "{not json"), 400)


def test_the_history_is_hers_or_her_care_teams(ward: Ward) -> None:
    body = {"instrument": "gad7", "answers": _answers({n: 1 for n in range(1, 8)})}
    _post(woman_client(ward.woman), "/screenings", body)
    mine = f"{BASE}/screenings?woman_id={ward.woman.public_id}"
    assert len(staff_client(ward.responsible).get(mine).json()) == 1
    _error(staff_client(ward.outsider).get(mine), 404)
    _error(woman_client(ward.other_woman).get(mine), 404)
    _error(staff_client(ward.responsible).get(BASE + "/screenings"), 404)
    _error(_post(staff_client(ward.responsible), "/screenings", body), 404)
    _error(Client().get(BASE + "/screenings"), 401)


def test_a_self_assessment_with_a_red_flag_is_stopped_with_its_alarm(ward: Ward) -> None:
    response = _post(
        woman_client(ward.woman), "/self-assessments", {"symptoms": ["convulsions"]}, key="s1"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["stopped"] is True
    assert [a["grade"] for a in data["alarms"]] == ["urgent"]


def test_a_self_assessment_stores_answers_and_signs(ward: Ward) -> None:
    body = {
        "systolic": 118,
        "diastolic": 75,
        "sleep_quality": "fair",
        "mood_low": False,
        "mood_little_interest": True,
        "alcohol": "sometimes",
        "activity_minutes_week": 60,
    }
    response = _post(woman_client(ward.woman), "/self-assessments", body, key="s2")
    assert response.status_code == 201, response.content
    data = response.json()
    assert [f["code"] for f in data["findings"]] == [
        "mood_screen_positive",
        "alcohol",
        "activity_low",
    ]
    assert data["offer_scales"] == ["epds", "phq9"]
    assert SelfAssessment.objects.get().reading_batch is not None


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"smoking": "cigars"}, 400, "smoking"),
        ({"sleep_hours": "30"}, 400, "sleep_hours"),
        ({"medicines": ["unknown"]}, 400, "medicines"),
        ({"symptoms": ["sneezing"]}, 422, None),
        ({"systolic": 500, "diastolic": 80}, 400, None),
        ({"activity_minutes_week": -5}, 400, "activity_minutes_week"),
    ],
)
def test_bad_self_assessments_are_refused_in_our_shape(
    ward: Ward, body: dict[str, Any], status: int, field: str | None
) -> None:
    error = _error(_post(woman_client(ward.woman), "/self-assessments", body), status)
    if field is not None:
        assert error["field"] == field
    assert not SelfAssessment.objects.exists()


def test_an_over_long_key_is_refused_not_cut_and_a_critical_answer_is_still_heard(
    ward: Ward,
) -> None:
    body = {"instrument": "epds", "answers": _answers(epds([0] * 9 + [1]))}
    refused = _error(_post(woman_client(ward.woman), "/screenings", body, key="k" * 81), 400)
    assert (refused["code"], refused["field"]) == ("idempotency_key_invalid", "Idempotency-Key")
    assert refused["crisis"]["team_alerted"] is True
    assert not Screening.objects.exists()
    assert Alarm.objects.filter(woman=ward.woman, rule="safety_pathway").count() == 1
    assessed = _post(woman_client(ward.woman), "/self-assessments", {"symptoms": []}, key="s" * 81)
    assert _error(assessed, 400)["code"] == "idempotency_key_invalid"
    assert not SelfAssessment.objects.exists()
