"""The number of fetuses and ART conception come from her pregnancy record once it holds them
(source "pregnancy"), over what her last grading entered unless only she changed the record
since; until then they are read back from her last grading. A value entered with a grading is
never written to the record."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import staff_client
from django.urls import reverse

from anyun.assessment import selectors, services
from anyun.assessment.models import RiskGrading
from anyun.assessment.services import GradingInput
from anyun.assessment.tests.conftest import in_english
from anyun.monitoring.tests.conftest import Ward
from anyun.pregnancy import services as pregnancy_services
from anyun.pregnancy.models import Pregnancy
from anyun.pregnancy.selectors import current_pregnancy_of

pytestmark = pytest.mark.django_db


def _pregnancy(ward: Ward) -> Pregnancy:
    pregnancy = current_pregnancy_of(ward.woman)
    assert pregnancy is not None
    return pregnancy


def _on_record(ward: Ward, **values: Any) -> Pregnancy:
    pregnancy = _pregnancy(ward)
    return pregnancy_services.pregnancy_update(
        actor=ward.responsible,
        pregnancy=pregnancy,
        data=pregnancy_services.input_merge(
            pregnancy_services.input_from_pregnancy(pregnancy), values
        ),
    )


def _graded(ward: Ward, **entered: Any) -> RiskGrading:
    return services.grading_record(
        actor=ward.responsible,
        pregnancy=_pregnancy(ward),
        data=GradingInput(answers={}, entered=entered, diagnoses=[]),
    )


def _codes(row: RiskGrading) -> set[str]:
    return {item["code"] for item in row.items}


def test_the_record_outranks_what_her_last_grading_entered(ward: Ward) -> None:
    _graded(ward, fetuses=1, art_conception=False)
    before = selectors.record_facts(_pregnancy(ward))
    assert (before.values["fetuses"], before.sources["fetuses"]) == (1, "last_grading")
    _on_record(ward, fetus_count=2, art_conception=True)
    after = selectors.record_facts(_pregnancy(ward))
    assert (after.values["fetuses"], after.sources["fetuses"]) == (2, "pregnancy")
    assert (after.values["art_conception"], after.sources["art_conception"]) == (
        True,
        "pregnancy",
    )


def test_without_them_on_record_nothing_is_read_for_a_first_grading(ward: Ward) -> None:
    facts = selectors.record_facts(_pregnancy(ward))
    assert "fetuses" not in facts.values and "art_conception" not in facts.sources


def test_a_twin_pregnancy_on_record_grades_yellow_without_being_entered(ward: Ward) -> None:
    assert _graded(ward).colour == "green"  # nothing else about her raises the colour
    _on_record(ward, fetus_count=2)
    row = _graded(ward)
    # 附件2 multiple pregnancy: twins are yellow (risk_tables g_twins).
    assert (row.colour, row.facts["fetuses"]) == ("yellow", 2)
    assert _codes(row) == {"g_twins"}


def test_art_on_record_grades_yellow_and_an_entered_value_still_decides_the_grading(
    ward: Ward,
) -> None:
    _on_record(ward, art_conception=True)
    row = _graded(ward)
    assert (row.colour, _codes(row), row.facts["art_conception"]) == ("yellow", {"g_art"}, True)
    corrected = _graded(ward, art_conception=False)
    assert (corrected.colour, corrected.facts["art_conception"]) == ("green", False)
    assert _pregnancy(ward).art_conception is True  # the record is changed on its own page


def test_an_entered_number_of_fetuses_is_not_written_to_the_record(ward: Ward) -> None:
    row = _graded(ward, fetuses=3)
    assert row.facts["fetuses"] == 3
    assert _pregnancy(ward).fetus_count is None
    facts = selectors.record_facts(_pregnancy(ward))
    assert (facts.values["fetuses"], facts.sources["fetuses"]) == (3, "last_grading")


def test_the_grading_page_prefills_the_twins_from_the_pregnancy_record(ward: Ward) -> None:
    _on_record(ward, fetus_count=2)
    client = in_english(staff_client(ward.responsible))
    url = reverse("assessment:grade", kwargs={"woman_id": ward.woman.public_id})
    html = client.get(url).content.decode()
    assert 'name="fetuses" id="f-fetuses" value="2"' in html
    assert 'data-testid="from-record-fetuses"' in html
    assert "from the pregnancy record" in html
    assert 'data-testid="from-last-fetuses"' not in html
    assert 'data-testid="from-record-art_conception"' not in html  # not on her record
    assert 'data-colour="yellow"' in html  # the result if saved now
    # Saved without the clinician touching the field, or with it left empty: twins still.
    saved = client.post(url, {"action": "save", "fetuses": ""})
    assert saved.status_code == 302
    row = RiskGrading.objects.get()
    assert (row.colour, row.facts["fetuses"], _codes(row)) == ("yellow", 2, {"g_twins"})


def test_the_api_prefill_names_the_pregnancy_record_and_a_grading_uses_it(ward: Ward) -> None:
    _on_record(ward, fetus_count=2, art_conception=False)
    client = in_english(staff_client(ward.responsible))
    base = f"/api/v1/assessment/women/{ward.woman.public_id}"
    facts = {f["name"]: f for f in client.get(f"{base}/risk/prefill").json()["facts"]}
    assert (facts["fetuses"]["value"], facts["fetuses"]["source"]) == (2, "pregnancy")
    assert (facts["art_conception"]["value"], facts["art_conception"]["source"]) == (
        False,
        "pregnancy",
    )
    graded = client.post(
        f"{base}/gradings", {"answers": {}, "entered": {}}, content_type="application/json"
    )
    assert graded.status_code == 201, graded.content
    assert graded.json()["colour"] == "yellow"
    row = RiskGrading.objects.get()
    assert (row.facts["fetuses"], row.facts["art_conception"], _codes(row)) == (
        2,
        False,
        {"g_twins"},
    )


def test_her_own_edit_does_not_undo_what_a_clinician_entered(ward: Ward) -> None:
    """She may edit her pregnancy record; a clinician's entry at her last grading stands over
    her change until a clinician changes the record or grades her again."""
    _graded(ward, fetuses=2)  # twins, entered by her clinician: yellow
    pregnancy = _pregnancy(ward)
    pregnancy_services.pregnancy_update(
        actor=ward.woman,
        pregnancy=pregnancy,
        data=pregnancy_services.input_merge(
            pregnancy_services.input_from_pregnancy(pregnancy), {"fetus_count": 1}
        ),
    )
    facts = selectors.record_facts(_pregnancy(ward))
    assert (facts.values["fetuses"], facts.sources["fetuses"]) == (2, "last_grading")
    _on_record(ward, fetus_count=3)  # her clinician changes the record: a later scan
    facts = selectors.record_facts(_pregnancy(ward))
    assert (facts.values["fetuses"], facts.sources["fetuses"]) == (3, "pregnancy")
