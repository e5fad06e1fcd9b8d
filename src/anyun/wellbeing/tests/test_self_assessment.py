"""The health self-assessment (FA-7, ASM-2): a red flag stops it and shows what to do now; the
signs become monitoring readings (alarms apply); a positive mood screen offers the full scale;
a plain summary for her and a structured one for her clinician."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import staff_client, woman_client

from anyun.audit.models import AuditEvent
from anyun.monitoring.models import Alarm, Reading
from anyun.monitoring.tests.conftest import Ward
from anyun.wellbeing.models import SelfAssessment

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}

ANSWERS = {
    "sleep_quality": "good",
    "sleep_hours": "8",
    "mood_low": "no",
    "mood_little_interest": "no",
    "appetite": "usual",
    "fruit_veg_daily": "yes",
    "activity_minutes_week": "200",
    "smoking": "never",
    "alcohol": "none",
    "second_hand_smoke": "no",
    "medicines": ["folic_acid", "iron"],
    "missed_doses": "no",
}


def _details(client: Any, **changes: Any) -> Any:
    data = {**ANSWERS, **changes}
    return client.post("/wellbeing/check/details/", data, **ZH)


def test_a_red_flag_stops_it_and_shows_the_emergency_action(ward: Ward) -> None:
    client = woman_client(ward.woman)
    assert client.get("/wellbeing/check/", **ZH).status_code == 200
    response = client.post("/wellbeing/check/", {"symptoms": ["bleeding"]}, **ZH)
    assert response.status_code == 302
    assessment = SelfAssessment.objects.get()
    assert (assessment.stopped, assessment.symptoms) == (True, ["bleeding"])
    alarm = Alarm.objects.get(woman=ward.woman)
    assert alarm.grade == "urgent"
    assert alarm.reading.batch == assessment.reading_batch
    page = client.get(response["Location"], **ZH).content.decode()
    assert 'data-testid="check-stopped"' in page
    assert 'data-testid="alarm-action"' in page
    assert 'data-testid="check-summary"' not in page


def test_thoughts_of_self_harm_show_the_crisis_guidance(ward: Ward) -> None:
    client = woman_client(ward.woman)
    response = client.post("/wellbeing/check/", {"symptoms": ["self_harm_thoughts"]}, **ZH)
    page = client.get(response["Location"], **ZH).content.decode()
    assert 'data-testid="crisis-guidance"' in page
    assert Alarm.objects.get(woman=ward.woman).rule == "safety_pathway"


def test_no_symptom_goes_on_and_her_signs_become_graded_readings(ward: Ward) -> None:
    client = woman_client(ward.woman)
    response = client.post("/wellbeing/check/", {}, **ZH)
    assert response["Location"] == "/wellbeing/check/details/"
    response = _details(client, systolic="145", diastolic="92", weight="62.5")
    assert response.status_code == 302, response.content.decode()[:2000]
    assessment = SelfAssessment.objects.get()
    assert assessment.reading_batch is not None
    readings = Reading.objects.filter(woman=ward.woman, batch=assessment.reading_batch)
    assert sorted(readings.values_list("kind", flat=True)) == ["blood_pressure", "weight"]
    assert Alarm.objects.filter(woman=ward.woman, rule__startswith="bp").exists()
    assert (assessment.stopped, assessment.findings) == (False, [])
    assert assessment.medicines == ["folic_acid", "iron"]
    page = client.get(response["Location"], **ZH).content.decode()
    assert 'data-testid="check-summary"' in page and 'data-testid="alarm"' in page
    assert AuditEvent.objects.filter(
        action="self_assessment_submit", object_id=str(assessment.public_id)
    ).exists()


def test_a_positive_mood_question_offers_the_epds_and_her_clinician_sees_it(
    ward: Ward,
) -> None:
    client = woman_client(ward.woman)
    response = _details(
        client, mood_low="yes", smoking="smokes", second_hand_smoke="yes", sleep_quality="poor"
    )
    assert response.status_code == 302
    assessment = SelfAssessment.objects.get()
    assert assessment.mood_positive is True
    codes = [f["code"] for f in assessment.findings]
    assert codes == ["mood_screen_positive", "smoking", "second_hand_smoke", "sleep_poor"]
    assert assessment.findings[0]["offer"] == ["epds", "phq9"]
    assert "Whooley" in assessment.findings[0]["source"]
    page = client.get(response["Location"], **ZH).content.decode()
    assert 'data-testid="offer-epds"' in page and "/wellbeing/screen/epds/" in page
    assert 'data-testid="check-advice"' in page
    clinic = staff_client(ward.responsible).get(
        f"/wellbeing/clinic/patients/{ward.woman.public_id}/", **ZH
    )
    html = clinic.content.decode()
    assert html.count('data-testid="assessment"') == 1
    assert "Whooley" not in html  # the source stays in the record; labels are shown
    assert "<dt>" in html


def test_a_missing_answer_is_shown_beside_it_and_nothing_is_lost(ward: Ward) -> None:
    client = woman_client(ward.woman)
    data = {**ANSWERS, "systolic": "118", "diastolic": "76"}
    del data["mood_low"]
    page = client.post("/wellbeing/check/details/", data, **ZH)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="id_mood_low_error"' in html
    assert 'value="118"' in html
    assert not SelfAssessment.objects.exists()
    assert not Reading.objects.filter(woman=ward.woman).exists()


def test_an_unusual_value_asks_to_confirm_then_stores(ward: Ward) -> None:
    client = woman_client(ward.woman)
    page = _details(client, weight="210", idempotency_key="sa-1")
    assert page.status_code == 200
    assert 'data-testid="confirm-needed"' in page.content.decode()
    assert not SelfAssessment.objects.exists()
    response = _details(client, weight="210", confirm="on", idempotency_key="sa-1")
    assert response.status_code == 302
    assert SelfAssessment.objects.count() == 1


def test_an_impossible_value_is_shown_beside_its_field(ward: Ward) -> None:
    page = _details(woman_client(ward.woman), systolic="400", diastolic="80")
    assert page.status_code == 200
    assert 'id="id_systolic_error"' in page.content.decode()
    assert not SelfAssessment.objects.exists()


def test_her_self_assessment_is_hers_alone(ward: Ward) -> None:
    client = woman_client(ward.woman)
    response = _details(client)
    url = response["Location"]
    assert woman_client(ward.other_woman).get(url).status_code == 404
    assert client.get(url).status_code == 200
