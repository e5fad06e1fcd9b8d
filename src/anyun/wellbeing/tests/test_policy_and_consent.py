"""The hospital's cut-offs (ANYUN_SCALE_CUTOFFS) decide the outcome; before her consent is
in force nothing is stored, but a critical answer still starts the safety pathway."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import woman_client
from django.core.exceptions import ImproperlyConfigured

from anyun.assessment.models import ClinicalTask
from anyun.clinical.scales import Instrument
from anyun.consent.models import ConsentSignature
from anyun.consent.services import consent_withdraw
from anyun.monitoring.models import Alarm
from anyun.monitoring.tests.conftest import Ward
from anyun.wellbeing import services
from anyun.wellbeing.models import Screening
from anyun.wellbeing.policy import scale_policy
from anyun.wellbeing.tests.helpers import epds, flat

pytestmark = pytest.mark.django_db


def test_the_hospitals_cut_off_refers_a_lower_phq9(ward: Ward, monkeypatch: Any) -> None:
    answers = flat(Instrument.PHQ9, [2, 2, 2, 2, 2, 0, 0, 0, 0])  # 10
    first = services.screening_submit(
        actor=ward.woman, woman=ward.woman, instrument="phq9", answers=answers
    )
    assert first.screening.follow_up == "routine"  # default: above 14
    monkeypatch.setenv("ANYUN_SCALE_CUTOFFS", "phq9_referral_above=9, gad7_referral_above=9")
    assert scale_policy().phq9_referral_above == 9
    second = services.screening_submit(
        actor=ward.woman, woman=ward.woman, instrument="phq9", answers=answers
    )
    assert second.screening.follow_up == "referral"
    assert ClinicalTask.objects.filter(kind="mental_health_referral").count() == 1


@pytest.mark.parametrize(
    "raw",
    ["phq9_referral_above=30", "epds_repeat_from=14", "severity=3", "phq9_referral_above=x"],
)
def test_a_cut_off_out_of_range_refuses_to_start(monkeypatch: Any, raw: str) -> None:
    monkeypatch.setenv("ANYUN_SCALE_CUTOFFS", raw)
    with pytest.raises(ImproperlyConfigured, match="ANYUN_SCALE_CUTOFFS"):
        scale_policy()


def test_before_consent_nothing_is_stored_but_item_10_starts_the_pathway(ward: Ward) -> None:
    signature = ConsentSignature.objects.filter(user=ward.woman).first()
    assert signature is not None
    consent_withdraw(user=ward.woman, signature_public_id=signature.public_id, reason="")
    body = {
        "instrument": "epds",
        "answers": [{"item": i, "option": o} for i, o in epds([0] * 9 + [1]).items()],
    }
    response = woman_client(ward.woman).post(
        "/api/v1/wellbeing/screenings", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 403
    error = response.json()
    assert {"code", "message", "field"} <= set(error)
    assert error["crisis"]["team_alerted"] is True
    assert not Screening.objects.exists()
    alarm = Alarm.objects.get(woman=ward.woman)
    assert (alarm.rule, alarm.values) == ("safety_pathway", {"trigger": "epds_item_10"})
    # A low answer before consent: refused, no pathway, no guidance.
    body["answers"] = [{"item": i, "option": o} for i, o in epds([0] * 10).items()]
    response = woman_client(ward.woman).post(
        "/api/v1/wellbeing/screenings", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 403 and "crisis" not in response.json()
    assert Alarm.objects.count() == 1


def test_without_a_pregnancy_record_she_is_sent_to_open_one_and_item_10_gets_guidance(
    make_woman: Any,
) -> None:
    woman = make_woman()  # verified and consented, no pregnancy record
    client = woman_client(woman)
    for url in ("/wellbeing/screen/epds/", "/wellbeing/check/", "/wellbeing/check/details/"):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/pregnancy/"), url
    body = {
        "instrument": "epds",
        "answers": [{"item": i, "option": o} for i, o in epds([0] * 9 + [3]).items()],
    }
    response = client.post(
        "/api/v1/wellbeing/screenings", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "pregnancy_required"
    assert error["crisis"]["team_alerted"] is False
    assert error["crisis"]["emergency_number"] == "120"
    assert not Screening.objects.exists()
    response = client.post(
        "/api/v1/wellbeing/self-assessments",
        data=json.dumps({"sleep_quality": "good"}),
        content_type="application/json",
    )
    assert (response.status_code, response.json()["code"]) == (400, "pregnancy_required")
