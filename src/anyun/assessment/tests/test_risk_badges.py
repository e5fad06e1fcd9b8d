"""Her colour badge (in words, not colour alone) beside her name on the workstation pages
about her: the alarm page, her recording instructions, the in-clinic measurements, her
predictions, and her open tasks on the department's case list."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import staff_client

from anyun.assessment import services
from anyun.assessment.services import GradingInput
from anyun.monitoring.models import Alarm
from anyun.monitoring.tests.conftest import Ward
from anyun.pregnancy.selectors import current_pregnancy_of

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ORANGE = (
    '<span class="risk-badges" data-testid="risk-badge" data-colour="orange">'
    '<span class="badge risk risk-orange">Orange · higher risk</span></span>'
)


def orange(ward: Ward) -> None:
    pregnancy = current_pregnancy_of(ward.woman)
    assert pregnancy is not None
    services.grading_record(
        actor=ward.responsible,
        pregnancy=pregnancy,
        data=GradingInput(answers={"g_asthma": True}, entered={}, diagnoses=[]),
    )


def heading(page: str) -> str:
    """The page's heading, with the badges shown right under it."""
    found = re.search(
        r"<h1[^>]*>(.*?)</h1>(\s*<p class=\"name-badges\" data-testid=\"name-badges\">.*?</p>)?",
        page,
        re.S,
    )
    assert found is not None
    return found.group(0)


def test_the_pages_about_her_show_her_colour_in_the_heading(ward: Ward, record: Any) -> None:
    orange(ward)
    record({"kind": "temperature", "value": 37.6})
    alarm = Alarm.objects.get(woman=ward.woman)
    client = staff_client(ward.responsible)
    woman = ward.woman.public_id
    for url in (
        f"/clinic/alarms/{alarm.public_id}/",
        f"/clinic/patients/{woman}/plans/",
        f"/clinic/patients/{woman}/measurements/",
        f"/assessment/women/{woman}/predictions/",
    ):
        page = client.get(url, **EN)
        assert page.status_code == 200, url
        assert ORANGE in heading(page.content.decode()), url


def test_her_open_task_on_the_case_list_shows_her_colour(ward: Ward) -> None:
    orange(ward)  # an orange grading asks her responsible clinician to write the case plans
    page = staff_client(ward.responsible).get("/assessment/cases/", **EN).content.decode()
    tasks = page.split('data-testid="my-tasks"')[1].split("</ul>")[0]
    assert "Write her high-risk case plans" in tasks and tasks.count(ORANGE) == 1
