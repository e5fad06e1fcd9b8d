"""One check-in, one alarm per grade; a first high BP reaches a clinician and is confirmed or
cleared by its repeat; she is told what really happened; urgent alarms go out by SMS too."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anyun.clinical.alarm_thresholds import DEFAULT_POLICY, DEFAULT_THRESHOLDS
from anyun.core.errors import DomainError
from anyun.monitoring import services
from anyun.monitoring.models import Alarm, AlarmEvent, MonitoringPlan
from anyun.monitoring.services import readings as readings_service
from anyun.monitoring.tests.conftest import Ward, ago, bp, route_alarms
from anyun.notify import providers
from anyun.notify.models import Delivery, Notification
from anyun.notify.services import delivery_attempt

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms(settings: Any) -> Iterator[list[tuple[str, str]]]:
    settings.ANYUN_SMS_PROVIDER = "anyun.notify.providers.MemorySmsProvider"
    settings.ANYUN_SITE_URL = "https://anyun.example"
    providers.sent_messages.clear()
    yield providers.sent_messages
    providers.sent_messages.clear()


def _deliver_sms() -> None:
    for delivery in Delivery.objects.filter(channel="sms"):
        delivery_attempt(delivery_id=delivery.pk)


# --- item 4: one check-in, one alarm to handle ----------------------------------------------


def test_severe_bp_with_a_headache_is_one_urgent_alarm_listing_every_rule(
    ward: Ward, record: Any
) -> None:
    result = record(bp(165, 112, symptoms=["headache"]))
    (alarm,) = result.alarms
    assert (alarm.grade, alarm.status, alarm.rule, alarm.action) == (
        "urgent",
        "open",
        "bp_severe",
        "seek_care_now",
    )
    reading = str(result.readings[0].public_id)
    assert [(f["rule"], f["grade"], f["action"], f["reading"]) for f in alarm.findings] == [
        ("bp_severe", "urgent", "seek_care_now", reading),
        ("bp_high_with_symptoms", "urgent", "seek_care_now", reading),
        ("red_flag_headache", "urgent", "seek_care_now", reading),
    ]
    assert alarm.findings[0]["values"]["systolic"] == 165
    assert alarm.findings[0]["confidence"] == "S"
    assert alarm.findings[1]["values"]["symptoms"] == ["headache"]
    assert alarm.findings[2]["sign"] == "blood_pressure"
    assert Notification.objects.filter(kind="alarm", recipient=ward.responsible).count() == 1
    assert Alarm.objects.count() == 1


def test_one_alarm_per_grade_across_the_readings_of_a_check_in(ward: Ward, record: Any) -> None:
    result = record(
        bp(165, 100, pulse=105),
        {"kind": "temperature", "value": 37.5},
        {"kind": "weight", "value": 60, "symptoms": ["fever"]},
    )
    assert [(a.grade, [f["rule"] for f in a.findings]) for a in result.alarms] == [
        ("urgent", ["bp_severe"]),
        ("attention", ["pulse_high", "temperature_raised"]),
        ("advice", ["red_flag_fever_felt"]),
    ]
    temperature = result.readings[1]
    assert result.alarms[1].findings[1]["reading"] == str(temperature.public_id)
    assert result.alarms[1].reading == result.readings[0]  # the primary reading


def test_acknowledge_and_close_act_on_the_grouped_alarm(ward: Ward, record: Any) -> None:
    (alarm,) = record(bp(165, 112, symptoms=["headache"])).alarms
    services.alarm_acknowledge(actor=ward.responsible, alarm_public_id=alarm.public_id)
    closed = services.alarm_close(
        actor=ward.responsible, alarm_public_id=alarm.public_id, outcome="in_person"
    )
    assert closed.status == "closed"
    assert services.alarms_escalate_due(now=ago(minutes=-60)) == 0


def test_the_function_for_other_use_cases_raises_one_urgent_alarm(ward: Ward, record: Any) -> None:
    from anyun.clinical.red_flags import grade_symptoms

    (reading,) = record({"kind": "weight", "value": 60}).readings
    findings = grade_symptoms({"bleeding", "headache"}, sign=reading.kind)
    alarm = services.alarm_raise(woman=ward.woman, reading=reading, findings=findings)
    assert (alarm.grade, [f["rule"] for f in alarm.findings]) == (
        "urgent",
        ["red_flag_bleeding", "red_flag_headache"],
    )
    assert alarm.assigned_to == ward.responsible and alarm.escalate_at is not None


def test_existing_alarms_get_their_finding_listed_by_the_migration(ward: Ward, record: Any) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("anyun.monitoring.migrations.0004_alarm_grouping")
    (alarm,) = record(bp(146, 94)).alarms
    advice = services.alarm_raise(
        woman=ward.woman,
        reading=alarm.reading,
        finding=readings_service.rules.Finding(
            rule="red_flag_fever_felt",
            grade=readings_service.rules.Grade.ADVICE,
            sign=readings_service.signs.SignKind.BLOOD_PRESSURE,
            values={"symptom": "fever"},
            action="check_temperature",
            source="AIM",
            confidence="P",
        ),
    )
    # As stored before this change: no findings, no confirmation, advice open.
    Alarm.objects.update(findings=[], confirmation="", status="open")
    migration.findings_from_columns(apps, None)
    alarm.refresh_from_db()
    advice.refresh_from_db()
    assert alarm.findings == [
        {
            "rule": "bp_high_first",
            "grade": "attention",
            "sign": "blood_pressure",
            "values": alarm.values,
            "action": "repeat_bp_4h",
            "source": alarm.source,
            "confidence": "S",
            "reading": str(alarm.reading.public_id),
        }
    ]
    assert (alarm.confirmation, alarm.status) == ("unconfirmed", "open")
    assert (advice.status, advice.findings[0]["rule"]) == ("information", "red_flag_fever_felt")


# --- item 3: a first high BP reaches a clinician ------------------------------------------


def test_a_single_159_109_reaches_a_clinician_unconfirmed(ward: Ward, record: Any) -> None:
    (alarm,) = record(bp(159, 109)).alarms
    assert (alarm.grade, alarm.status, alarm.rule, alarm.confirmation, alarm.action) == (
        "attention",
        "open",
        "bp_high_first",
        "unconfirmed",
        "repeat_bp_4h",
    )
    assert alarm.assigned_to == ward.responsible
    assert Notification.objects.filter(kind="alarm", recipient=ward.responsible).count() == 1


def test_the_hospital_may_keep_a_first_reading_as_advice_until_a_high_repeat(
    ward: Ward, record: Any, monkeypatch: Any
) -> None:
    advice = dataclasses.replace(DEFAULT_POLICY, first_high_bp_grade="advice")
    monkeypatch.setattr(readings_service, "grading_settings", lambda: (DEFAULT_THRESHOLDS, advice))
    (alarm,) = record(bp(150, 95, measured_at=ago(hours=5))).alarms
    assert (alarm.grade, alarm.status, alarm.assigned_to) == ("advice", "information", None)
    assert not Notification.objects.filter(kind="alarm").exists()
    (confirmed,) = record(bp(150, 96)).alarms
    assert confirmed.pk == alarm.pk
    assert (confirmed.grade, confirmed.status, confirmed.confirmation) == (
        "attention",
        "open",
        "confirmed",
    )
    assert confirmed.assigned_to == ward.responsible


def test_a_normal_repeat_marks_it_and_the_clinician_closes_it_in_one_action(
    ward: Ward, record: Any
) -> None:
    (alarm,) = record(bp(150, 95, measured_at=ago(hours=5))).alarms
    repeat = record(bp(122, 78))
    assert [a.pk for a in repeat.alarms] == [alarm.pk]
    alarm.refresh_from_db()
    assert (alarm.confirmation, alarm.status, alarm.repeat_reading) == (
        "normal_on_repeat",
        "open",
        repeat.readings[0],
    )
    closed = services.alarm_close(
        actor=ward.responsible, alarm_public_id=alarm.public_id, outcome="normal_on_repeat"
    )
    assert (closed.status, closed.outcome) == ("closed", "normal_on_repeat")


def test_normal_on_repeat_is_refused_for_an_alarm_not_found_normal(ward: Ward, record: Any) -> None:
    (alarm,) = record(bp(150, 95)).alarms
    with pytest.raises(DomainError) as refused:
        services.alarm_close(
            actor=ward.responsible, alarm_public_id=alarm.public_id, outcome="normal_on_repeat"
        )
    assert refused.value.code == "outcome_invalid"


def test_it_closes_itself_on_a_normal_repeat_if_the_hospital_chose_that(
    ward: Ward, record: Any, monkeypatch: Any
) -> None:
    closing = dataclasses.replace(DEFAULT_POLICY, close_on_normal_repeat=True)
    monkeypatch.setattr(readings_service, "grading_settings", lambda: (DEFAULT_THRESHOLDS, closing))
    (alarm,) = record(bp(150, 95, measured_at=ago(hours=5))).alarms
    record(bp(122, 78))
    alarm.refresh_from_db()
    assert (alarm.status, alarm.outcome, alarm.confirmation) == (
        "closed",
        "normal_on_repeat",
        "normal_on_repeat",
    )
    told = Notification.objects.get(kind="alarm_update", recipient=ward.woman)
    assert "122/78" in told.body


def test_a_high_repeat_sooner_than_four_hours_joins_the_same_alarm(ward: Ward, record: Any) -> None:
    (alarm,) = record(bp(150, 95, measured_at=ago(hours=2))).alarms
    (same,) = record(bp(152, 96)).alarms
    assert same.pk == alarm.pk
    assert [f["rule"] for f in same.findings] == ["bp_high_first", "bp_high_first"]
    assert same.findings[1]["action"] == "repeat_bp_4h_again"
    assert same.confirmation == "unconfirmed"
    assert Alarm.objects.count() == 1


# --- item 11: messages that are true ------------------------------------------------------


def test_advice_is_for_her_information_not_an_open_item(ward: Ward, record: Any) -> None:
    from anyun.monitoring.selectors import alarms_of

    (alarm,) = record({"kind": "weight", "value": 60, "symptoms": ["fever"]}).alarms
    assert (alarm.grade, alarm.status) == ("advice", "information")
    assert list(alarms_of(ward.woman, open_only=True)) == []


def test_she_is_told_when_her_alarm_is_acknowledged_and_closed(ward: Ward, record: Any) -> None:
    ward.woman.preferred_language = "zh-hans"
    ward.woman.save(update_fields=["preferred_language"])
    (alarm,) = record(bp(165, 112, symptoms=["headache"])).alarms
    services.alarm_acknowledge(actor=ward.responsible, alarm_public_id=alarm.public_id)
    services.alarm_close(
        actor=ward.responsible, alarm_public_id=alarm.public_id, outcome="in_person"
    )
    told = list(
        Notification.objects.filter(kind="alarm_update", recipient=ward.woman).order_by("id")
    )
    assert [n.title for n in told] == ["您的医护团队已查看您的预警", "您的预警已关闭"]
    assert all(n.in_inbox and n.link == "/monitoring/alarms/" for n in told)
    assert "165/112" in told[1].body
    for code in ("bp_severe", "in_person", "red_flag_headache", "urgent"):
        assert all(code not in n.body for n in told)
    kinds = list(AlarmEvent.objects.filter(alarm=alarm).values_list("kind", flat=True))
    assert kinds.count("woman_told") == 2


def test_she_is_told_when_a_clinician_sets_an_instruction(ward: Ward) -> None:
    with CaptureQueriesContext(connection):
        plan = services.plan_set(
            actor=ward.responsible,
            woman=ward.woman,
            kind="blood_pressure",
            times=["20:00", "08:00"],
            note="Seated, after 5 minutes' rest",
        )
    assert MonitoringPlan.objects.get(pk=plan.pk).active
    note = Notification.objects.get(kind="monitoring_plan", recipient=ward.woman)
    assert "08:00, 20:00" in note.body and "Seated" in note.body
    assert "blood_pressure" not in note.body and note.in_inbox


# --- item 18: urgent alarms by SMS to the clinician on duty --------------------------------


def test_an_urgent_alarm_texts_her_clinician_and_those_on_duty_once(
    ward: Ward, record: Any, sms: list[tuple[str, str]], time_machine: Any
) -> None:
    from django.utils import timezone

    for n, person in enumerate((ward.responsible, ward.duty_first, ward.duty_second)):
        person.phone = f"1380000000{n}"
        person.save()
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    (alarm,) = record(bp(165, 112, symptoms=["headache"])).alarms
    _deliver_sms()
    assert sorted(phone for phone, _text in sms) == ["13800000000", "13800000001", "13800000002"]
    link = f"https://anyun.example/clinic/alarms/{alarm.public_id}/"
    for _phone, text in sms:
        assert link in text
        for detail in ("165", "112", "血压", "blood pressure", "headache", "头痛"):
            assert detail not in text.lower()
    # The duty clinicians may open the link.
    for person in (ward.duty_first, ward.duty_second):
        assert services.access_alarm(user=person, alarm_public_id=alarm.public_id) == alarm
    # Escalating to people already texted sends no second SMS.
    time_machine.move_to(start + dt.timedelta(minutes=15), tick=False)
    assert services.alarms_escalate_due() == 1
    time_machine.move_to(start + dt.timedelta(minutes=30), tick=False)
    assert services.alarms_escalate_due() == 1
    _deliver_sms()
    assert len(sms) == 3
    assert Delivery.objects.filter(channel="sms").count() == 3
    sms_events = AlarmEvent.objects.filter(alarm=alarm, kind="notified", detail__channel="sms")
    assert {e.recipient for e in sms_events} == {ward.duty_first, ward.duty_second}


def test_an_attention_alarm_sends_no_sms(
    ward: Ward, record: Any, sms: list[tuple[str, str]]
) -> None:
    ward.responsible.phone = "13800000000"
    ward.responsible.save()
    record(bp(150, 95))
    assert not Delivery.objects.filter(channel="sms").exists()


# --- what the API and the pages show --------------------------------------------------------


def test_the_api_returns_one_alarm_listing_every_finding(ward: Ward) -> None:
    from django.test import Client

    from anyun.accounts.services import api_token_issue

    api = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=ward.woman)}")
    body = {"items": [bp(165, 112, symptoms=["headache"])]}
    response = api.post("/api/v1/monitoring/readings", body, content_type="application/json")
    assert response.status_code == 201
    (alarm,) = response.json()["alarms"]
    assert (alarm["grade"], alarm["rule"], alarm["status"]) == ("urgent", "bp_severe", "open")
    assert [f["rule"] for f in alarm["findings"]] == [
        "bp_severe",
        "bp_high_with_symptoms",
        "red_flag_headache",
    ]
    reading_id = response.json()["readings"][0]["id"]
    assert {f["reading_id"] for f in alarm["findings"]} == {reading_id}
    assert all(f["label"] and f["action_text"] for f in alarm["findings"])
    assert alarm["findings"][0]["values"]["systolic_limit"] == 160
    listed = api.get("/api/v1/monitoring/alarms").json()
    assert [len(a["findings"]) for a in listed] == [3]


def test_her_check_in_page_shows_one_instruction_with_the_reasons(ward: Ward) -> None:
    from conftest import woman_client

    client = woman_client(ward.woman)
    result = services.readings_record(
        actor=ward.woman,
        woman=ward.woman,
        items=[services.ReadingInput(**bp(165, 112, symptoms=["headache"]))],
    )
    page = client.get(f"/monitoring/checkins/{result.readings[0].batch}/")
    html = page.content.decode()
    assert html.count('data-testid="alarm"') == 1
    assert html.count('data-testid="alarm-action"') == 1
    assert html.count('data-testid="alarm-reason"') == 3
    # Raised; the queue worker has not routed it yet: she is told it is being sent.
    assert "正在通知您的医护团队。请不要等待他们回复。" in html
    assert "已通知您的医护团队" not in html
    assert route_alarms() == 1
    html = client.get(f"/monitoring/checkins/{result.readings[0].batch}/").content.decode()
    assert "已通知您的医护团队。请不要等待他们回复。" in html  # told, and it is true
    assert "需要医生查看的情况已通知您的诊疗团队" not in html  # the old blanket claim


def test_she_is_not_told_her_team_knows_when_nobody_could_be_reached(
    ward: Ward, make_woman: Any
) -> None:
    from conftest import woman_client

    from anyun.staff.models import ClinicianProfile, DutyShift

    alone = make_woman(pregnant_weeks=30)  # no care team
    DutyShift.objects.all().delete()
    ClinicianProfile.objects.update(is_department_head=False)
    result = services.readings_record(
        actor=alone, woman=alone, items=[services.ReadingInput(**bp(150, 95))]
    )
    (alarm,) = result.alarms
    route_alarms()
    alarm.refresh_from_db()
    assert (alarm.grade, alarm.assigned_to) == ("attention", None)
    page = woman_client(alone).get(f"/monitoring/checkins/{result.readings[0].batch}/")
    text = page.content.decode()
    assert "目前没有在线医生可以接收此预警" in text
    assert "已通知您的医护团队" not in text


def test_advice_says_it_was_not_sent_to_her_team(ward: Ward, record: Any) -> None:
    from conftest import woman_client

    result = record({"kind": "weight", "value": 60, "symptoms": ["fever"]})
    html = woman_client(ward.woman).get(f"/monitoring/checkins/{result.readings[0].batch}/")
    text = html.content.decode()
    assert "未发送给您的医护团队" in text
    assert "已通知您的医护团队" not in text
    mine = woman_client(ward.woman).get("/monitoring/alarms/").content.decode()
    assert "供您参考" in mine


def test_the_clinician_closes_a_normal_repeat_in_one_action_on_the_alarm_page(
    ward: Ward, record: Any
) -> None:
    from conftest import staff_client

    (alarm,) = record(bp(150, 95, measured_at=ago(hours=5))).alarms
    desk = staff_client(ward.responsible)
    page = desk.get(f"/clinic/alarms/{alarm.public_id}/").content.decode()
    assert 'data-testid="close-normal-on-repeat"' not in page
    assert 'value="normal_on_repeat"' not in page  # not offered before a normal repeat
    record(bp(122, 78))
    page = desk.get(f"/clinic/alarms/{alarm.public_id}/").content.decode()
    assert 'data-testid="close-normal-on-repeat"' in page
    assert 'data-testid="alarm-repeat"' in page and "122/78" in page
    done = desk.post(f"/clinic/alarms/{alarm.public_id}/close/", {"outcome": "normal_on_repeat"})
    assert done.status_code == 302
    alarm.refresh_from_db()
    assert (alarm.status, alarm.outcome, alarm.closed_by) == (
        "closed",
        "normal_on_repeat",
        ward.responsible,
    )


def test_the_worklist_row_says_how_many_more_reasons_the_alarm_lists(
    ward: Ward, record: Any
) -> None:
    from conftest import staff_client

    record(bp(165, 112, symptoms=["headache"]))
    rows = staff_client(ward.responsible).get("/clinic/alarms/").content.decode()
    assert rows.count('data-testid="alarm-row"') == 1
    assert 'data-testid="alarm-more-reasons"' in rows and "另有 2 条原因" in rows


def test_what_she_is_told_holds_when_routing_commits_between_two_reads(ward: Ward) -> None:
    """Her page read the alarm before the worker routed it and its events after: she must be
    told her team was told (it was), never that nobody could be reached."""
    result = services.readings_record(
        actor=ward.woman, woman=ward.woman, items=[services.ReadingInput(**bp(165, 112))]
    )
    (read_before_routing,) = result.alarms
    assert services.alarm_delivery(read_before_routing) == "pending"
    route_alarms()
    assert read_before_routing.assigned_to_id is None  # the page's copy is stale
    assert services.alarm_delivery(read_before_routing) == "told"
    fresh = Alarm.objects.get(pk=read_before_routing.pk)
    assert fresh.assigned_to == ward.responsible
    assert services.alarm_delivery(fresh) == "told"
