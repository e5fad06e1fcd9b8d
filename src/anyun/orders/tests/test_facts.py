"""Her lab results as risk facts: Hb, platelets and the infection screens of her reports
pre-fill the grading (shown with the report and its date), the clinician confirms or corrects
them, a grading newer than the result keeps what the clinician entered, and the regrading
proposal reads them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import staff_client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from anyun.assessment import selectors as assessment_selectors
from anyun.assessment.models import RiskGrading
from anyun.assessment.services import GradingInput, grading_record
from anyun.orders.facts import lab_risk_facts
from anyun.orders.tests.conftest import World, order, report, v
from anyun.pregnancy.selectors import current_pregnancy_of

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def grade_url(world: World) -> str:
    return reverse("assessment:grade", kwargs={"woman_id": world.woman.public_id})


def test_hb_and_platelets_from_her_report_are_prefilled_with_their_source(world: World) -> None:
    taken = timezone.now() - timedelta(hours=2)
    lab = report(world, order(world, "fbc"), v("hb", 100), v("platelets", 90), observed_at=taken)
    pregnancy = current_pregnancy_of(world.woman)
    assert pregnancy is not None
    facts = assessment_selectors.record_facts(pregnancy)
    assert (facts.values["hb_g_l"], facts.values["platelets"]) == (100.0, 90.0)
    assert (facts.sources["hb_g_l"], facts.sources["platelets"]) == ("lab", "lab")
    with override("en"):
        sourced = lab_risk_facts(world.woman, pregnancy)
    hb = next(f for f in sourced if f.name == "hb_g_l")
    assert (hb.value, hb.taken_at, hb.label) == (100.0, taken, "Full blood count, Haemoglobin")
    assert hb.ref == f"/orders/clinic/results/{lab.public_id}/"

    page = staff_client(world.clinician).get(grade_url(world), **EN).content.decode()
    day = timezone.localtime(taken).date().isoformat()
    assert (
        f'data-testid="from-lab-hb_g_l">from her results: Full blood count, Haemoglobin ({day});'
        " confirm or correct</span>"
    ) in page
    assert (
        f'<a class="small" href="/orders/clinic/results/{lab.public_id}/"'
        ' data-testid="lab-report-hb_g_l">'
    ) in page
    assert 'name="hb_g_l" id="f-hb_g_l" value="100"' in page
    assert 'name="platelets" id="f-platelets" value="90"' in page
    # Hb 100 and platelets 90 are yellow items of 附件2 (DOMAIN.md section 4).
    assert 'data-testid="grading-preview"' in page and 'data-colour="yellow"' in page


def test_the_clinician_confirms_or_corrects_the_lab_value(world: World) -> None:
    report(world, order(world, "fbc"), v("hb", 100), v("platelets", 90))
    client = staff_client(world.clinician)
    saved = client.post(
        grade_url(world), {"action": "save", "hb_g_l": "100", "platelets": "120"}, **EN
    )
    assert saved.status_code == 302
    row = RiskGrading.objects.filter(woman=world.woman).first()
    assert row is not None
    assert (row.facts["hb_g_l"], row.facts["platelets"]) == (100.0, 120.0)
    assert row.colour == "yellow"
    assert [i["code"] for i in row.items] == ["g_hb_60_110"]
    pregnancy = current_pregnancy_of(world.woman)
    assert pregnancy is not None
    # The grading is newer than the report: what the clinician entered stands.
    facts = assessment_selectors.record_facts(pregnancy)
    assert (facts.values["platelets"], facts.sources["platelets"]) == (120.0, "last_grading")
    assert facts.sourced == {}


def test_a_result_newer_than_her_last_grading_replaces_its_value(world: World) -> None:
    pregnancy = current_pregnancy_of(world.woman)
    assert pregnancy is not None
    grading_record(
        actor=world.clinician,
        pregnancy=pregnancy,
        data=GradingInput(answers={}, entered={"hb_g_l": 120.0}, diagnoses=[]),
    )
    report(world, order(world, "fbc"), v("hb", 55))
    facts = assessment_selectors.record_facts(pregnancy)
    assert (facts.values["hb_g_l"], facts.sources["hb_g_l"]) == (55.0, "lab")
    # Hb 40-60 is orange (附件2): the proposal her clinician sees reads the lab value.
    proposal = assessment_selectors.regrading_proposal_for(pregnancy)
    assert proposal is not None and proposal.colour.value == "orange"


def test_infection_screens_and_rh_become_yes_or_no(world: World) -> None:
    report(world, order(world, "syphilis"), v("syphilis", "positive"))
    report(world, order(world, "hiv"), v("hiv", "negative"))
    pregnancy = current_pregnancy_of(world.woman)
    assert pregnancy is not None
    values = {f.name: f.value for f in lab_risk_facts(world.woman, pregnancy)}
    assert values == {"syphilis_positive": True, "hiv_positive": False}
    facts = assessment_selectors.record_facts(pregnancy)
    assert facts.values["syphilis_positive"] is True and facts.sources["hiv_positive"] == "lab"


def test_the_newest_result_wins_and_another_woman_has_none(world: World) -> None:
    report(
        world, order(world, "fbc"), v("hb", 100), observed_at=timezone.now() - timedelta(hours=3)
    )
    report(world, order(world, "fbc"), v("hb", 104))
    pregnancy = current_pregnancy_of(world.woman)
    other = current_pregnancy_of(world.other_woman)
    assert pregnancy is not None and other is not None
    assert [(f.name, f.value) for f in lab_risk_facts(world.woman, pregnancy)] == [
        ("hb_g_l", 104.0)
    ]
    assert lab_risk_facts(world.other_woman, other) == []
