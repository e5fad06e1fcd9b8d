"""The risk pages: grading at the workstation (prefill shown, check without storing, errors
beside the field), object-level access, the badge on the patient list and the overview, the
woman's in-person instructions, cases, the district report (PDF, CSV), the policy console."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import staff_client, woman_client
from django.urls import reverse

from anyun.assessment import services
from anyun.assessment.models import DistrictReport, HighRiskCase, RiskGrading
from anyun.assessment.services import GradingInput
from anyun.assessment.tests.conftest import in_english
from anyun.audit.models import AuditEvent
from anyun.careteam.services import care_team_assign
from anyun.monitoring.models import Alarm
from anyun.monitoring.tests.conftest import Ward
from anyun.pregnancy.selectors import current_pregnancy_of

pytestmark = pytest.mark.django_db


def en_staff(user: Any) -> Any:
    return in_english(staff_client(user))


def en_woman(user: Any) -> Any:
    return in_english(woman_client(user))


def grade_url(ward: Ward) -> str:
    return reverse("assessment:grade", kwargs={"woman_id": ward.woman.public_id})


def graded(ward: Ward, **answers: bool) -> RiskGrading:
    pregnancy = current_pregnancy_of(ward.woman)
    assert pregnancy is not None
    return services.grading_record(
        actor=ward.responsible,
        pregnancy=pregnancy,
        data=GradingInput(answers=dict(answers), entered={}, diagnoses=[]),
    )


def test_the_grading_page_shows_the_prefill_and_saves_a_grading(ward: Ward) -> None:
    client = en_staff(ward.responsible)
    page = client.get(grade_url(ward))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="record-facts"' in html
    assert 'data-testid="prefill-g_age_40"' in html  # an item the record answers
    assert AuditEvent.objects.filter(action="risk_read", subject=ward.woman).exists()
    checked = client.post(grade_url(ward), {"action": "check", "hb_g_l": "95", "g_asthma": "yes"})
    assert checked.status_code == 200 and not RiskGrading.objects.exists()
    assert 'data-colour="orange"' in checked.content.decode()  # the result shown, not stored
    assert 'data-testid="screening-items"' in checked.content.decode()
    saved = client.post(
        grade_url(ward),
        {"action": "save", "hb_g_l": "95", "g_asthma": "yes", "s_drug_allergy": "yes"},
    )
    assert saved.status_code == 302
    row = RiskGrading.objects.get()
    assert (row.colour, row.facts["hb_g_l"], row.screening_positive) == ("orange", 95.0, True)
    assert {i["code"] for i in row.screening_items} == {"s_hb_low", "s_drug_allergy"}
    again = client.get(grade_url(ward)).content.decode()
    assert 'data-testid="from-last-hb_g_l"' in again  # read back from her last grading
    assert 'data-testid="risk-history"' in again and "tl-orange" in again


def test_a_bad_value_is_shown_beside_its_field_and_nothing_is_stored(ward: Ward) -> None:
    client = en_staff(ward.responsible)
    page = client.post(grade_url(ward), {"action": "save", "hb_g_l": "abc", "note": "keep me"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="e-hb_g_l"' in html and 'value="abc"' in html and "keep me" in html
    out_of_range = client.post(grade_url(ward), {"action": "save", "platelets": "5000"})
    assert 'id="e-platelets"' in out_of_range.content.decode()
    assert not RiskGrading.objects.exists()


def test_an_outsider_clinician_and_the_woman_get_404(ward: Ward) -> None:
    graded(ward, g_asthma=True)
    case = HighRiskCase.objects.get()
    report = DistrictReport.objects.get()
    outsider = en_staff(ward.outsider)
    for url in (
        grade_url(ward),
        reverse("assessment:case", kwargs={"case_id": case.public_id}),
        reverse("assessment:report_print", kwargs={"report_id": report.public_id}),
    ):
        assert outsider.get(url).status_code == 404
    assert outsider.post(grade_url(ward), {"action": "save"}).status_code == 404
    assert (
        outsider.post(
            reverse("assessment:suitability", kwargs={"woman_id": ward.woman.public_id}),
            {"decision": "allowed", "reason": "x"},
        ).status_code
        == 404
    )
    assert en_woman(ward.woman).get(grade_url(ward)).status_code in {302, 404}
    assert RiskGrading.objects.count() == 1
    csv_rows = outsider.get(reverse("assessment:reports_csv")).content.decode("utf-8-sig")
    assert len(csv_rows.strip().splitlines()) == 1  # the header only


def test_the_badge_on_the_patient_list_and_overview_and_the_colour_filter(
    ward: Ward, make_woman: Any
) -> None:
    graded(ward, g_asthma=True)
    other = make_woman(pregnant_weeks=16)
    care_team_assign(actor=ward.head, woman=other, member=ward.responsible, responsible=True)
    client = en_staff(ward.responsible)
    listing = client.get(reverse("web:clinic_home"), {"sort": "risk"}).content.decode()
    assert listing.index('data-colour="orange"') < listing.index('data-colour="none"')
    assert "Orange · higher risk" in listing  # words, not colour alone
    only_orange = client.get(reverse("web:clinic_home"), {"colour": "orange"}).content.decode()
    assert only_orange.count('data-testid="patient-row"') == 1
    ungraded = client.get(reverse("web:clinic_home"), {"colour": "ungraded"}).content.decode()
    assert ungraded.count('data-testid="patient-row"') == 1 and 'data-colour="none"' in ungraded
    overview = client.get(
        reverse("web:patient_overview", kwargs={"woman_id": ward.woman.public_id})
    ).content.decode()
    assert 'data-testid="risk-card"' in overview and 'data-colour="orange"' in overview
    assert 'data-testid="risk-tasks"' in overview and "Write her high-risk case plans" in overview


def test_her_colour_shows_beside_her_name_on_the_alarm_worklist(ward: Ward, record: Any) -> None:
    graded(ward, g_asthma=True)
    record({"kind": "temperature", "value": 37.6})
    rows = en_staff(ward.responsible).get("/clinic/alarms/").content.decode()
    mine = rows[rows.index(f'data-alarm="{Alarm.objects.get(woman=ward.woman).public_id}"') :]
    assert 'data-colour="orange"' in mine.split("</tr>")[0]
    assert "Orange · higher risk" in mine.split("</tr>")[0]  # words, not colour alone


def test_she_sees_where_and_how_urgently_to_go_when_unsuitable(ward: Ward) -> None:
    graded(ward, g_malignancy=True)  # red: in person now
    home = en_woman(ward.woman).get("/").content.decode()
    assert 'data-testid="online-care-stop"' in home
    assert 'data-urgency="in_person_now"' in home
    assert "in person today" in home


def test_she_sees_her_colour_in_plain_words_when_suitable(ward: Ward) -> None:
    graded(ward, g_small_pelvis=True)
    home = en_woman(ward.woman).get("/").content.decode()
    assert 'data-testid="online-care-ok"' in home and "Yellow · general risk" in home


def test_the_clinician_records_a_suitability_decision(ward: Ward) -> None:
    graded(ward)
    client = en_staff(ward.responsible)
    url = reverse("assessment:suitability", kwargs={"woman_id": ward.woman.public_id})
    client.post(url, {"decision": "in_person", "urgency": "within_24h", "reason": "Examine"})
    with pytest.raises(Exception) as refused:
        services.online_care_check(ward.woman)
    assert getattr(refused.value, "code", "") == "online_care_unsuitable"
    page = client.get(grade_url(ward)).content.decode()
    assert "Online follow-up: blocked" in page


def test_cases_plans_reports_print_and_csv(ward: Ward) -> None:
    row = graded(ward, g_asthma=True)
    case = HighRiskCase.objects.get()
    client = en_staff(ward.responsible)
    listing = client.get(reverse("assessment:cases")).content.decode()
    assert 'data-testid="case-row"' in listing and 'data-testid="report-due"' in listing
    assert "Write her high-risk case plans" in listing  # her task, in words
    assert "risk_case_review" not in listing
    url = reverse("assessment:case", kwargs={"case_id": case.public_id})
    bad = client.post(url, {"action": "plan", "next_review_on": "2000-01-01"})
    assert 'class="error"' in bad.content.decode()
    ok = client.post(
        url,
        {"action": "plan", "individual_plan": "Visits every 2 weeks", "emergency_plan": "Call 120"},
    )
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.individual_plan == "Visits every 2 weeks"
    report = DistrictReport.objects.get(grading=row)
    pdf = client.get(reverse("assessment:report_print", kwargs={"report_id": report.public_id}))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    profile = ward.woman.woman_profile
    profile.real_name = "=HYPERLINK(1)"
    profile.save(update_fields=["real_name"])
    exported = client.get(reverse("assessment:reports_csv")).content.decode("utf-8-sig")
    assert len(exported.strip().splitlines()) == 2
    assert "'=HYPERLINK(1)" in exported  # never run as a formula
    client.post(reverse("assessment:report_submit", kwargs={"report_id": report.public_id}))
    report.refresh_from_db()
    assert report.submitted_by == ward.responsible
    assert AuditEvent.objects.filter(action="risk_report_print").exists()


def test_the_policy_page_is_changed_by_a_head_only(ward: Ward) -> None:
    url = reverse("assessment:policy")
    assert en_staff(ward.responsible).get(url).status_code == 404
    head = en_staff(ward.head)
    page = head.get(url).content.decode()
    assert 'name="hb_60"' in page
    values = {
        "hb_60": "less_severe",
        "hb_40": "more_severe",
        "platelets_50": "more_severe",
        "platelets_30": "more_severe",
        "hbsag_carrier_purple": "on",
        "age_at": "assessment",
        "online_green": "allowed",
        "online_yellow": "allowed",
        "online_orange": "case_managed",
        "online_red": "in_person",
        "online_purple": "case_managed",
        "orange_report_hours": "72",
        "red_report_hours": "24",
    }
    short = head.post(url, {**values, "reason": "short"})
    assert short.status_code == 200 and 'data-testid="error-summary"' in short.content.decode()
    changed = head.post(url, {**values, "reason": "Hospital rule 2026-12"})
    assert changed.status_code == 302
    assert AuditEvent.objects.get(action="risk_policy_set").detail["new"] == {
        "hb_60": "less_severe"
    }


def test_the_case_list_and_page_show_her_colour_now_beside_the_colour_that_opened_it(
    ward: Ward,
) -> None:
    graded(ward, g_asthma=True)  # orange: opens the case
    graded(ward, g_malignancy=True)  # red since
    case = HighRiskCase.objects.get()
    client = en_staff(ward.responsible)
    listing = client.get(reverse("assessment:cases")).content.decode()
    row = listing.split('data-testid="case-row"', 1)[1].split("</tr>", 1)[0]
    name_cell, opening_cell = row.split("</td>", 2)[:2]
    assert "Red" in name_cell and "Orange" not in name_cell
    assert "Orange" in opening_cell
    page = client.get(reverse("assessment:case", kwargs={"case_id": case.public_id}))
    text = page.content.decode()
    current = text.split('data-testid="current-colour">', 1)[1].split("</span></span>", 1)[0]
    opening = text.split('data-testid="opening-colour">', 1)[1].split("</span></span>", 1)[0]
    assert "Red" in current and "Orange" not in current
    assert "Orange" in opening
