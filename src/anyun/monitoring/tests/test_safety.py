"""The mental-health safety pathway (DOMAIN.md sections 6 and 7): crisis guidance at once, the
responsible clinician alerted live and escalated like an urgent alarm, audited; crisis lines."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from conftest import staff_client, woman_client
from django.test import Client
from django.utils import timezone

from anyun.accounts.services import api_token_issue
from anyun.audit.models import AuditEvent
from anyun.core.errors import DomainError, PermissionDenied
from anyun.monitoring import services
from anyun.monitoring.models import Alarm, AlarmEvent, CrisisLine
from anyun.monitoring.tests.conftest import Ward
from anyun.notify.models import Notification

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _line(ward: Ward, **extra: Any) -> CrisisLine:
    values = {"name": "心理援助热线", "number": "010-1234 5678", "hours": "24小时", **extra}
    return services.crisis_line_save(actor=ward.head, **values)


def test_the_pathway_raises_an_urgent_alarm_routed_live_escalated_and_audited(
    ward: Ward, time_machine: Any
) -> None:
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    pathway = services.safety_pathway_start(woman=ward.woman, trigger="epds_item_10")
    alarm = pathway.alarm
    assert (alarm.rule, alarm.grade, alarm.values) == (
        "safety_pathway",
        "urgent",
        {"trigger": "epds_item_10"},
    )
    assert alarm.reading.kind == "symptom_report"
    assert alarm.reading.symptoms == ["self_harm_thoughts"]
    assert (alarm.assigned_to, pathway.team_alerted) == (ward.responsible, True)
    alert = Notification.objects.get(kind="alarm", recipient=ward.responsible)
    assert alert.payload["alarm"] == str(alarm.public_id)
    (audit,) = AuditEvent.objects.filter(action="safety_pathway_start")
    assert (audit.object_id, audit.subject_id, audit.detail["trigger"]) == (
        str(alarm.public_id),
        ward.woman.pk,
        "epds_item_10",
    )
    # Nobody acknowledges it: it moves along the chain like any urgent alarm.
    time_machine.move_to(start + dt.timedelta(minutes=15), tick=False)
    assert services.alarms_escalate_due() == 1
    alarm.refresh_from_db()
    assert (alarm.assigned_to, alarm.escalation_level) == (ward.duty_first, 1)
    assert AlarmEvent.objects.filter(alarm=alarm, kind="escalated").count() == 1


def test_acknowledging_the_pathway_alarm_stops_its_escalation(
    ward: Ward, time_machine: Any
) -> None:
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    alarm = services.safety_pathway_start(woman=ward.woman, trigger="phq9_item_9").alarm
    services.alarm_acknowledge(actor=ward.responsible, alarm_public_id=alarm.public_id)
    time_machine.move_to(start + dt.timedelta(minutes=20), tick=False)
    assert services.alarms_escalate_due() == 0


def test_a_check_in_with_thoughts_of_harm_starts_the_pathway_on_its_reading(
    ward: Ward, record: Any
) -> None:
    result = record({"kind": "weight", "value": 61, "symptoms": ["self_harm_thoughts"]})
    (alarm,) = [a for a in result.alarms if a.rule == "safety_pathway"]
    assert (alarm.reading, alarm.values) == (result.readings[0], {"trigger": "red_flag_self_harm"})
    assert AuditEvent.objects.filter(action="safety_pathway_start", subject=ward.woman).count() == 1


def test_an_unknown_trigger_is_refused_and_nothing_raised(ward: Ward) -> None:
    with pytest.raises(DomainError) as refused:
        services.safety_pathway_start(woman=ward.woman, trigger="made_up")
    assert refused.value.code == "trigger_unknown"
    assert not Alarm.objects.exists()


# --- what she sees ------------------------------------------------------------------------


def test_the_result_page_shows_the_configured_lines_in_chinese_at_once(ward: Ward) -> None:
    _line(ward, order=2)
    _line(ward, name="医院心理门诊", number="12356", hours="", order=1)
    _line(ward, name="停用的热线", number="99999", active=False)
    client = woman_client(ward.woman)
    response = client.post("/monitoring/record/", {"symptoms": ["self_harm_thoughts"]}, **ZH)
    page = client.get(response["Location"], **ZH).content.decode()
    guidance = page[page.index('data-testid="crisis-guidance"') :]
    assert page.index('data-testid="crisis-guidance"') < page.index('data-testid="urgent-banner"')
    assert "你并不孤单" in guidance
    assert guidance.index("医院心理门诊") < guidance.index("心理援助热线")
    assert 'href="tel:12356"' in guidance
    assert 'href="tel:01012345678"' in guidance
    assert "24小时" in guidance
    assert "停用的热线" not in page
    assert 'data-testid="team-alerted"' in guidance


def test_with_no_line_configured_she_is_told_to_call_120(ward: Ward) -> None:
    client = woman_client(ward.woman)
    response = client.post("/monitoring/record/", {"symptoms": ["self_harm_thoughts"]}, **ZH)
    page = client.get(response["Location"], **ZH).content.decode()
    assert 'data-testid="crisis-guidance"' in page
    assert 'data-testid="crisis-lines"' not in page
    assert "拨打120" in page
    assert 'href="tel:120"' in page


def test_no_guidance_for_other_red_flags(ward: Ward) -> None:
    client = woman_client(ward.woman)
    response = client.post("/monitoring/record/", {"symptoms": ["dizziness"]}, **ZH)
    page = client.get(response["Location"], **ZH).content.decode()
    assert 'data-testid="crisis-guidance"' not in page


def test_the_api_answer_carries_the_guidance_in_chinese(ward: Ward) -> None:
    _line(ward)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=ward.woman)}", **ZH)
    body = {"items": [{"kind": "symptom_report", "symptoms": ["self_harm_thoughts"]}]}
    answer = api.post("/api/v1/monitoring/readings", body, content_type="application/json")
    assert answer.status_code == 201
    crisis = answer.json()["crisis"]
    assert crisis["team_alerted"] is True
    assert crisis["lines"] == [
        {
            "name": "心理援助热线",
            "number": "010-1234 5678",
            "hours": "24小时",
            "dial": "01012345678",
        }
    ]
    assert crisis["emergency_number"] == "120"
    assert crisis["message"].startswith("你并不孤单")
    assert "120" in crisis["emergency_text"]


def test_the_api_answer_without_lines_and_without_a_crisis(ward: Ward) -> None:
    api = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=ward.woman)}")
    body = {"items": [{"kind": "symptom_report", "symptoms": ["self_harm_thoughts"]}]}
    crisis = api.post("/api/v1/monitoring/readings", body, content_type="application/json").json()[
        "crisis"
    ]
    assert (crisis["lines"], crisis["emergency_number"]) == ([], "120")
    calm = {"items": [{"kind": "weight", "value": "60"}]}
    answer = api.post("/api/v1/monitoring/readings", calm, content_type="application/json")
    assert answer.json()["crisis"] is None


def test_the_api_refuses_a_symptom_code_not_in_the_table(ward: Ward) -> None:
    api = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=ward.woman)}")
    body = {"items": [{"kind": "symptom_report", "symptoms": ["sadness"]}]}
    answer = api.post("/api/v1/monitoring/readings", body, content_type="application/json")
    assert 400 <= answer.status_code < 500
    assert "code" in answer.json()
    assert not Alarm.objects.exists()


# --- the console ----------------------------------------------------------------------------


def test_the_quality_manager_and_a_department_head_edit_the_lines_audited(
    ward: Ward, make_staff: Any
) -> None:
    quality = staff_client(make_staff("quality_manager"))
    response = quality.post(
        "/console/crisis-lines/",
        {
            "name": "心理援助热线",
            "number": "12356",
            "hours": "24小时",
            "order": "1",
            "active": "on",
        },
    )
    assert response.status_code == 302
    line = CrisisLine.objects.get()
    assert (line.name, line.number, line.active) == ("心理援助热线", "12356", True)
    head = staff_client(ward.head)
    assert head.get("/console/crisis-lines/", **ZH).status_code == 200
    head.post(
        "/console/crisis-lines/",
        {"line": str(line.public_id), "name": "心理援助热线", "number": "12356", "order": "1"},
    )
    line.refresh_from_db()
    assert line.active is False
    assert line.updated_by == ward.head
    audits = list(
        AuditEvent.objects.filter(action="crisis_line_save")
        .order_by("id")
        .values_list("actor_role", "object_id", "detail")
    )
    assert [(role, oid) for role, oid, _d in audits] == [
        ("quality_manager", str(line.public_id)),
        ("clinician", str(line.public_id)),
    ]
    assert audits[1][2]["before"]["active"] is True
    assert audits[1][2]["after"]["active"] is False
    assert audits[0][1] and audits[1][2]["after"]["number"] == "12356"
    assert (
        AuditEvent.objects.filter(action="crisis_line_save", ip_address__isnull=False).count() == 2
    )


@pytest.mark.parametrize("role", ["clinician", "nurse", "pharmacist", "system_admin"])
def test_others_may_not_edit_the_lines(ward: Ward, make_staff: Any, role: str) -> None:
    user = ward.responsible if role == "clinician" else make_staff(role)
    client = staff_client(user)
    assert client.get("/console/crisis-lines/").status_code == 404
    assert (
        client.post("/console/crisis-lines/", {"name": "x", "number": "12356"}).status_code == 404
    )
    assert not CrisisLine.objects.exists()
    with pytest.raises(PermissionDenied):
        services.crisis_line_save(actor=user, name="x", number="12356")


def test_a_number_she_cannot_dial_is_refused_with_the_field_named(ward: Ward) -> None:
    for number in ("", "12", "call us", "12356; DROP"):
        with pytest.raises(DomainError) as refused:
            services.crisis_line_save(actor=ward.head, name="热线", number=number)
        assert (refused.value.code, refused.value.field) == ("number_invalid", "number")
    assert not CrisisLine.objects.exists()


def test_the_console_page_says_what_happens_when_no_line_is_configured(
    make_staff: Any,
) -> None:
    page = staff_client(make_staff("quality_manager")).get("/console/crisis-lines/", **ZH)
    assert 'data-testid="no-lines"' in page.content.decode()
