"""Risk grading stored with its items, prefill from the record, management per colour, the
regrading proposal, suitability for online care and its clearance, audit rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from anyun.assessment import selectors, services
from anyun.assessment.models import DistrictReport, HighRiskCase, RiskGrading, TaskStatus
from anyun.assessment.services import GradingInput
from anyun.audit.models import AuditEvent
from anyun.core.errors import DomainError, PermissionDenied
from anyun.monitoring.services import alarm_close
from anyun.monitoring.tests.conftest import Ward, ago, bp
from anyun.pregnancy.models import DeliveryMode, PregnancyDiagnosis, PregnancyOutcome
from anyun.pregnancy.selectors import current_pregnancy_of, diagnoses_open
from anyun.pregnancy.services import diagnoses_set, previous_pregnancy_add

pytestmark = pytest.mark.django_db


def grade(ward: Ward, **kwargs: Any) -> RiskGrading:
    pregnancy = current_pregnancy_of(ward.woman)
    assert pregnancy is not None
    data = GradingInput(
        answers=kwargs.pop("answers", {}),
        entered=kwargs.pop("entered", {}),
        diagnoses=kwargs.pop("diagnoses", None),
        note=kwargs.pop("note", ""),
        screening=kwargs.pop("screening", {}),
    )
    return services.grading_record(actor=ward.responsible, pregnancy=pregnancy, data=data)


def test_a_grading_is_stored_with_its_items_sources_and_basis(ward: Ward) -> None:
    row = grade(ward, entered={"hb_g_l": 95.0}, answers={"g_asthma": True}, note="first visit")
    assert (row.colour, row.purple, row.graded_by) == ("orange", False, ward.responsible)
    by_code = {item["code"]: item for item in row.items}
    assert set(by_code) == {"g_hb_60_110", "g_asthma"}
    assert by_code["g_hb_60_110"]["basis"] == "record"  # decided from the entered Hb
    assert by_code["g_hb_60_110"]["evidence"] == {"hb_g_l": 95.0}
    assert by_code["g_asthma"]["basis"] == "clinician"
    assert by_code["g_asthma"]["source"].startswith("国卫办妇幼发〔2017〕35号")
    assert row.ruleset_version == "2017-35号/1"
    assert row.policy["hb_60"] == "more_severe"
    assert row.facts["hb_g_l"] == 95.0 and row.facts["height_cm"] == 160.0
    event = AuditEvent.objects.get(action="risk_grade", subject=ward.woman)
    assert event.detail["colour"] == "orange"


def test_the_record_prefills_age_bmi_parity_caesareans_and_confirmed_bp(
    ward: Ward, record: Any
) -> None:
    pregnancy = current_pregnancy_of(ward.woman)
    assert pregnancy is not None
    previous_pregnancy_add(
        actor=ward.responsible,
        woman=ward.woman,
        year=timezone.localdate().year - 2,
        outcome=PregnancyOutcome.TERM_BIRTH,
        delivery_mode=DeliveryMode.CAESAREAN,
    )
    record(bp(146, 94, measured_at=ago(hours=5)))
    record(bp(150, 96))  # the repeat confirms it
    facts = selectors.record_facts(pregnancy)
    assert facts.values["previous_caesareans"] == 1
    assert (facts.values["highest_systolic"], facts.values["highest_diastolic"]) == (150, 96)
    assert facts.sources["birth_date"] == "record"
    row = grade(ward, diagnoses=["gestational_hypertension"])
    by_code = {item["code"]: item for item in row.items}
    assert by_code["g_uterine_scar"]["basis"] == "record"
    assert by_code["g_hdp"]["evidence"] == {
        "diagnoses": ["gestational_hypertension"],
        "systolic": 150,
        "diastolic": 96,
    }
    assert row.colour == "yellow"
    assert list(diagnoses_open(pregnancy).values_list("code", flat=True)) == [
        "gestational_hypertension"
    ]


def test_her_diagnoses_are_the_set_the_grading_gives_and_ended_ones_are_kept(ward: Ward) -> None:
    grade(ward, diagnoses=["gdm", "chronic_hypertension"])
    pregnancy = current_pregnancy_of(ward.woman)
    kept = grade(ward)  # no diagnoses given: those on her record stand
    assert kept.facts["diagnoses"] == ["chronic_hypertension", "gdm"]
    row = grade(ward, diagnoses=["gdm"])  # chronic hypertension left out: ended
    assert row.facts["diagnoses"] == ["gdm"]
    assert list(diagnoses_open(pregnancy).values_list("code", flat=True)) == ["gdm"]
    ended = PregnancyDiagnosis.objects.get(code="chronic_hypertension")
    assert ended.ended_by == ward.responsible and ended.ended_at is not None
    assert AuditEvent.objects.filter(
        object_type="pregnancy_diagnosis", action="update", subject=ward.woman
    ).exists()


def test_the_screening_is_stored_with_the_grading(ward: Ward) -> None:
    negative = grade(ward)
    assert (negative.screening_positive, negative.screening_items) == (False, [])
    positive = grade(ward, entered={"hb_g_l": 95.0}, screening={"s_drug_allergy": True})
    assert positive.screening_positive is True
    assert {i["code"]: i["basis"] for i in positive.screening_items} == {
        "s_drug_allergy": "clinician",
        "s_hb_low": "record",
    }
    assert positive.screening_answers == {"s_drug_allergy": True}
    with pytest.raises(DomainError) as unknown:
        grade(ward, screening={"g_asthma": True})  # a grading code is not a screening item
    assert unknown.value.field == "g_asthma"


def test_a_corrected_record_item_is_kept_as_corrected(ward: Ward) -> None:
    row = grade(ward, entered={"hb_g_l": 95.0}, answers={"g_hb_60_110": False})
    assert row.colour == "green" and row.items == []
    result = selectors.grading_result(row)
    (hb,) = [o for o in result.items if o.code == "g_hb_60_110"]
    assert (hb.basis, hb.record_value, hb.matched) == ("corrected", True, False)


def test_orange_opens_a_case_and_a_district_report_due_in_three_days(ward: Ward) -> None:
    row = grade(ward, answers={"g_asthma": True})
    case = HighRiskCase.objects.get(pregnancy=row.pregnancy)
    assert (case.status, case.responsible, case.opened_by_grading) == (
        "open",
        ward.responsible,
        row,
    )
    report = DistrictReport.objects.get(case=case)
    assert report.due_at == row.graded_at + dt.timedelta(hours=72)
    assert report.colour == "orange" and report.submitted_at is None
    # Regraded orange again: the same case, no second report; red: a report due in 24 h.
    grade(ward, answers={"g_asthma": True})
    red = grade(ward, answers={"g_malignancy": True})
    assert HighRiskCase.objects.filter(pregnancy=row.pregnancy).count() == 1
    assert [r.colour for r in DistrictReport.objects.order_by("created_at")] == ["orange", "red"]
    assert DistrictReport.objects.get(grading=red).due_at == red.graded_at + dt.timedelta(hours=24)
    assert AuditEvent.objects.filter(action="risk_case_open", subject=ward.woman).count() == 1
    tasks = selectors.tasks_open_for(ward.woman)
    assert "risk_case_review" in {t.kind for t in tasks}


def test_purple_alone_opens_a_case_without_a_report(ward: Ward) -> None:
    row = grade(ward, entered={"syphilis_positive": True})
    assert (row.colour, row.purple, row.purple_items) == ("green", True, ["g_syphilis"])
    assert HighRiskCase.objects.filter(pregnancy=row.pregnancy, status="open").exists()
    assert not DistrictReport.objects.exists()


def test_yellow_and_green_open_no_case(ward: Ward) -> None:
    grade(ward, answers={"g_small_pelvis": True})
    assert not HighRiskCase.objects.exists()


def test_a_new_diagnosis_that_raises_the_colour_proposes_a_regrading(
    ward: Ward, django_capture_on_commit_callbacks: Any
) -> None:
    row = grade(ward)
    assert row.colour == "green"
    pregnancy = row.pregnancy
    with django_capture_on_commit_callbacks(execute=True):
        diagnoses_set(actor=ward.responsible, pregnancy=pregnancy, codes=["severe_pre_eclampsia"])
    (task,) = selectors.tasks_open_for(ward.woman).filter(kind="risk_regrade")
    assert task.details["colour"] == "orange"
    assert "g_severe_pre_eclampsia" in task.details["items"]
    assert task.assigned_to == ward.responsible
    regraded = grade(ward)
    assert regraded.colour == "orange"
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_a_confirmed_high_bp_proposes_a_regrading(
    ward: Ward, record: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first = grade(ward, answers={"g_hdp": False})  # no HDP at the first visit
    assert first.colour == "green"
    record(bp(146, 94, measured_at=ago(hours=5)))
    assert not selectors.tasks_open_for(ward.woman).filter(kind="risk_regrade").exists()
    with django_capture_on_commit_callbacks(execute=True):
        record(bp(150, 96))  # confirmed on repeat: the HDP item's record value changes
    (task,) = selectors.tasks_open_for(ward.woman).filter(kind="risk_regrade")
    assert (task.details["colour"], task.details["items"]) == ("yellow", ["g_hdp"])
    assert task.details["previous"] == str(first.public_id)


def test_refusals_name_their_field(ward: Ward) -> None:
    with pytest.raises(DomainError) as unknown:
        grade(ward, answers={"g_nonsense": True})
    assert (unknown.value.code, unknown.value.field) == ("risk_answer_unknown", "g_nonsense")
    with pytest.raises(DomainError) as out_of_range:
        grade(ward, entered={"hb_g_l": 900.0})
    assert (out_of_range.value.code, out_of_range.value.field) == ("risk_fact_range", "hb_g_l")
    with pytest.raises(DomainError) as bad_diagnosis:
        grade(ward, diagnoses=["flu"])
    assert bad_diagnosis.value.field == "diagnoses"
    with pytest.raises(PermissionDenied):
        services.grading_record(
            actor=ward.woman,
            pregnancy=current_pregnancy_of(ward.woman),
            data=GradingInput(answers={}, entered={}, diagnoses=[]),
        )
    assert not RiskGrading.objects.exists()


# --- Suitability ----------------------------------------------------------------------------


def test_no_in_person_visit_on_record_means_book_a_visit(ward: Ward) -> None:
    status = selectors.online_care_for(ward.woman)
    assert (status.allowed, status.block, status.urgency) == (False, "not_eligible", "book_visit")
    with pytest.raises(DomainError) as refused:
        services.online_care_check(ward.woman)
    assert refused.value.code == "online_care_unsuitable"
    assert "in-person prenatal visit" in str(refused.value.message)
    (task,) = selectors.tasks_open_for(ward.woman).filter(kind="risk_in_person_referral")
    assert task.assigned_to == ward.responsible


def test_green_after_grading_may_continue_online(ward: Ward) -> None:
    grade(ward)
    services.online_care_check(ward.woman)  # does not raise
    assert selectors.online_care_for(ward.woman).allowed


def test_red_stops_online_care_and_refers_her(ward: Ward) -> None:
    grade(ward, answers={"g_malignancy": True})
    status = selectors.online_care_for(ward.woman)
    assert (status.allowed, status.block, status.urgency) == (False, "colour", "in_person_now")
    assert selectors.tasks_open_for(ward.woman).filter(kind="risk_in_person_referral").exists()
    with pytest.raises(DomainError):
        services.online_care_check(ward.woman)
    with pytest.raises(DomainError) as not_overridden:
        services.suitability_decide(
            actor=ward.responsible, woman=ward.woman, decision="allowed", reason="seen today"
        )
    assert not_overridden.value.code == "suitability_rule_blocks"
    (referral,) = selectors.tasks_open_for(ward.woman).filter(kind="risk_in_person_referral")
    grade(ward, answers={"g_malignancy": False})  # regraded: green, suitable again
    services.online_care_check(ward.woman)  # does not raise
    referral.refresh_from_db()
    assert referral.status == TaskStatus.DONE


def test_orange_needs_an_open_case(ward: Ward) -> None:
    row = grade(ward, answers={"g_asthma": True})
    assert selectors.online_care_for(ward.woman).allowed  # the grading opened her case
    services.case_close(
        actor=ward.responsible,
        case=HighRiskCase.objects.get(pregnancy=row.pregnancy),
        reason="transferred",
    )
    status = selectors.online_care_for(ward.woman)
    assert (status.allowed, status.block) == (False, "case_required")


def test_a_red_flag_blocks_until_a_clinician_clears_it(ward: Ward, record: Any) -> None:
    grade(ward)
    result = record({"kind": "symptom_report", "symptoms": ["bleeding"]})
    status = selectors.online_care_for(ward.woman)
    assert (status.block, status.urgency) == ("red_flag", "emergency")
    assert "120" in status.message
    (alarm,) = result.alarms
    alarm_close(
        actor=ward.responsible,
        alarm_public_id=alarm.public_id,
        outcome="in_person",
        note="seen in clinic",
    )
    status = selectors.online_care_for(ward.woman)
    assert (status.allowed, status.block) == (False, "red_flag_uncleared")
    with pytest.raises(DomainError):
        services.online_care_check(ward.woman)
    services.suitability_decide(
        actor=ward.responsible,
        woman=ward.woman,
        decision="allowed",
        reason="Seen in clinic, bleeding settled",
    )
    services.online_care_check(ward.woman)  # does not raise
    assert not selectors.tasks_open_for(ward.woman).filter(kind="risk_in_person_referral")
    assert AuditEvent.objects.filter(action="suitability_decide", subject=ward.woman).exists()


def test_a_clinician_in_person_decision_blocks_until_cleared(ward: Ward) -> None:
    grade(ward)
    with pytest.raises(DomainError) as no_urgency:
        services.suitability_decide(
            actor=ward.responsible, woman=ward.woman, decision="in_person", reason="exam"
        )
    assert no_urgency.value.field == "urgency"
    services.suitability_decide(
        actor=ward.responsible,
        woman=ward.woman,
        decision="in_person",
        urgency="within_24h",
        reason="Needs an examination",
    )
    status = selectors.online_care_for(ward.woman)
    assert (status.block, status.urgency) == ("clinician", "within_24h")
    assert "24 hours" in status.message
    with pytest.raises(DomainError):
        services.online_care_check(ward.woman)
    services.suitability_decide(
        actor=ward.responsible, woman=ward.woman, decision="allowed", reason="Examined: fine"
    )
    services.online_care_check(ward.woman)  # does not raise


def test_the_policy_is_changed_by_a_head_with_a_reason_and_audited(ward: Ward) -> None:
    with pytest.raises(PermissionDenied):
        services.risk_policy_set(
            actor=ward.responsible, values={"hbsag_carrier_purple": False}, reason="local rule"
        )
    with pytest.raises(DomainError) as bad:
        services.risk_policy_set(actor=ward.head, values={"hb_60": "sideways"}, reason="x" * 10)
    assert bad.value.field == "hb_60"
    services.risk_policy_set(
        actor=ward.head, values={"hbsag_carrier_purple": False}, reason="Hospital rule 2026"
    )
    assert selectors.risk_policy_current().hbsag_carrier_purple is False
    event = AuditEvent.objects.get(action="risk_policy_set")
    assert event.detail["new"] == {"hbsag_carrier_purple": False}
    row = grade(ward, entered={"hbsag_positive": True}, answers={"g_hbsag_carrier": True})
    assert (row.colour, row.purple) == ("yellow", False)
    with pytest.raises(DomainError) as unchanged:
        services.risk_policy_set(
            actor=ward.head, values={"hbsag_carrier_purple": False}, reason="Hospital rule 2026"
        )
    assert unchanged.value.code == "risk_policy_unchanged"
