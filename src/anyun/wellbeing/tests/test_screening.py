"""Screening (FA-6): scoring stored per option, and each outcome (referral task, repeat,
safety pathway) acted on in the request that stored it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from conftest import staff_client, woman_client
from django.utils import timezone

from anyun.assessment.models import ClinicalTask, TaskStatus
from anyun.audit.models import AuditEvent
from anyun.clinical.scales import Instrument
from anyun.core.errors import DomainError, NotFound
from anyun.monitoring import services as monitoring
from anyun.monitoring.models import Alarm, AlarmEvent
from anyun.monitoring.tests.conftest import Ward
from anyun.notify.models import Notification
from anyun.wellbeing import services
from anyun.wellbeing.models import RepeatStatus, Screening, ScreeningRepeat
from anyun.wellbeing.tests.helpers import epds, flat, form_data

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _submit(ward: Ward, instrument: str, answers: dict[int, int], **kw: Any) -> Any:
    return services.screening_submit(
        actor=ward.woman, woman=ward.woman, instrument=instrument, answers=answers, **kw
    )


def test_points_are_stored_per_option_in_the_scales_order(ward: Ward) -> None:
    # Option 0 of each item: items 1, 2, 4 score 0, the reversed items 3 and 5-10 score 3.
    outcome = _submit(ward, "epds", dict.fromkeys(range(1, 11), 0))
    s = Screening.objects.get()
    assert [a["points"] for a in s.answers] == [0, 0, 3, 0, 3, 3, 3, 3, 3, 3]
    assert [a["option"] for a in s.answers] == [0] * 10
    assert (s.total, s.max_total, s.band, s.follow_up) == (21, 30, "above_cutoff", "referral")
    assert s.safety_trigger == "epds_item_10"  # item 10's first option is "quite often"
    assert outcome.result.total == 21
    assert (s.wording_language, s.wording_demonstration) == ("zh-hans", True)
    assert len(s.wording_version) == 12
    (audit,) = AuditEvent.objects.filter(action="screening_submit")
    assert (audit.subject_id, audit.detail["total"], audit.detail["band"]) == (
        ward.woman.pk,
        21,
        "above_cutoff",
    )


def test_a_low_epds_asks_nothing_more(ward: Ward) -> None:
    outcome = _submit(ward, "epds", epds([1, 1, 1, 1, 1, 1, 1, 1, 1, 0]))
    assert (outcome.screening.total, outcome.screening.follow_up) == (9, "routine")
    assert outcome.screening.band == "below_cutoff"
    assert outcome.crisis is None and outcome.repeat is None
    assert not ClinicalTask.objects.exists()
    assert not Alarm.objects.exists()


def test_epds_13_opens_one_referral_task_for_her_responsible_clinician(ward: Ward) -> None:
    first = _submit(ward, "epds", epds([2, 2, 2, 2, 2, 1, 1, 1, 0, 0]))
    assert (first.screening.total, first.screening.follow_up) == (13, "referral")
    task = ClinicalTask.objects.get()
    assert (task.kind, task.assigned_to, task.status) == (
        "mental_health_referral",
        ward.responsible,
        TaskStatus.OPEN,
    )
    assert task.details["screening"] == str(first.screening.public_id)
    assert first.screening.referral_task == task
    # A later positive screening joins the open referral.
    second = _submit(ward, "gad7", flat(Instrument.GAD7, [3, 3, 3, 3, 3, 0, 0]))
    assert second.screening.referral_task == task
    assert ClinicalTask.objects.count() == 1
    assert not Alarm.objects.exists()


@pytest.mark.parametrize(
    ("instrument", "points", "follow_up", "band"),
    [
        ("phq9", [2, 2, 2, 2, 2, 2, 2, 1, 0], "referral", "moderately_severe"),  # 15 > 14
        ("phq9", [2, 2, 2, 2, 2, 2, 2, 0, 0], "routine", "moderate"),  # 14
        ("gad7", [3, 3, 3, 3, 3, 0, 0], "referral", "severe"),  # 15 > 14
        ("gad7", [2, 2, 2, 2, 2, 0, 0], "routine", "moderate"),  # 10: positive, no referral
    ],
)
def test_phq9_and_gad7_refer_above_the_cut_off(
    ward: Ward, instrument: str, points: list[int], follow_up: str, band: str
) -> None:
    outcome = _submit(ward, instrument, flat(Instrument(instrument), points))
    assert (outcome.screening.follow_up, outcome.screening.band) == (follow_up, band)
    assert ClinicalTask.objects.filter(kind="mental_health_referral").exists() == (
        follow_up == "referral"
    )
    if instrument == "gad7" and follow_up == "routine":
        assert outcome.screening.screen_positive
        assert [f["rule"] for f in outcome.screening.findings] == ["gad7_screen_positive"]


def test_epds_10_to_12_schedules_a_repeat_in_2_to_4_weeks_done_by_the_next_epds(
    ward: Ward,
) -> None:
    today = timezone.localdate()
    outcome = _submit(ward, "epds", epds([2, 2, 2, 1, 1, 1, 1, 1, 0, 0]))
    assert (outcome.screening.total, outcome.screening.follow_up) == (11, "repeat")
    repeat = ScreeningRepeat.objects.get()
    assert (repeat.due_from, repeat.due_until, repeat.status) == (
        today + dt.timedelta(days=14),
        today + dt.timedelta(days=28),
        RepeatStatus.OPEN,
    )
    task = repeat.task
    assert task is not None
    assert (task.kind, task.due_on, task.assigned_to) == (
        "screening_repeat",
        repeat.due_until,
        ward.responsible,
    )
    # The next EPDS is the repeat: the due row and the task are done.
    again = _submit(ward, "epds", epds([1, 1, 1, 1, 1, 1, 1, 0, 0, 0]))
    assert again.screening.context == "repeat"
    repeat.refresh_from_db()
    task.refresh_from_db()
    assert (repeat.status, repeat.done_by_screening) == (RepeatStatus.DONE, again.screening)
    assert task.status == TaskStatus.DONE
    assert not ScreeningRepeat.objects.filter(status=RepeatStatus.OPEN).exists()


def test_epds_item_10_starts_the_safety_pathway_at_once_escalated_and_audited(
    ward: Ward, time_machine: Any
) -> None:
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    # Low total; only item 10 answered "hardly ever" (1 point).
    outcome = _submit(ward, "epds", epds([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]))
    s = outcome.screening
    assert (s.total, s.safety_trigger) == (1, "epds_item_10")
    alarm = s.safety_alarm
    assert alarm is not None
    assert (alarm.rule, alarm.grade, alarm.values) == (
        "safety_pathway",
        "urgent",
        {"trigger": "epds_item_10"},
    )
    assert alarm.assigned_to == ward.responsible
    assert outcome.crisis is not None and outcome.crisis["team_alerted"] is True
    assert Notification.objects.filter(kind="alarm", recipient=ward.responsible).exists()
    assert AuditEvent.objects.filter(
        action="safety_pathway_start", subject=ward.woman, detail__trigger="epds_item_10"
    ).exists()
    # Item 10 > 0 is a referral whatever the total.
    assert s.follow_up == "referral" and s.referral_task is not None
    time_machine.move_to(start + dt.timedelta(minutes=15), tick=False)
    assert monitoring.alarms_escalate_due() == 1
    alarm.refresh_from_db()
    assert (alarm.assigned_to, alarm.escalation_level) == (ward.duty_first, 1)
    assert AlarmEvent.objects.filter(alarm=alarm, kind="escalated").count() == 1


def test_phq9_item_9_starts_the_safety_pathway(ward: Ward) -> None:
    outcome = _submit(ward, "phq9", flat(Instrument.PHQ9, [0, 0, 0, 0, 0, 0, 0, 0, 1]))
    assert outcome.screening.safety_alarm.values == {"trigger": "phq9_item_9"}
    assert outcome.crisis is not None
    # A low total is no referral; the pathway is the safety check.
    assert outcome.screening.follow_up == "routine"


def test_the_same_key_stores_one_screening_and_starts_one_pathway(ward: Ward) -> None:
    answers = epds([0, 0, 0, 0, 0, 0, 0, 0, 0, 2])
    first = _submit(ward, "epds", answers, idempotency_key="k-1")
    again = _submit(ward, "epds", answers, idempotency_key="k-1")
    assert (first.replayed, again.replayed) == (False, True)
    assert again.screening == first.screening
    assert again.crisis is not None
    assert Screening.objects.count() == 1
    assert Alarm.objects.count() == 1


@pytest.mark.parametrize(
    ("answers", "code", "field"),
    [
        ({n: 0 for n in range(1, 10)}, "scale_item_missing", "item_10"),
        ({**{n: 0 for n in range(1, 11)}, 11: 0}, "scale_item_unknown", "answers"),
        ({**{n: 0 for n in range(1, 10)}, 10: 4}, "scale_option_unknown", "item_10"),
        ({**{n: 0 for n in range(1, 10)}, 10: "x"}, "answer_invalid", "item_10"),
        ({**{n: 0 for n in range(1, 10)}, 10: True}, "answer_invalid", "item_10"),
    ],
)
def test_bad_answers_are_refused_with_the_field_and_nothing_stored(
    ward: Ward, answers: dict[int, Any], code: str, field: str
) -> None:
    with pytest.raises(DomainError) as caught:
        _submit(ward, "epds", answers)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert not Screening.objects.exists()


def test_an_unknown_scale_is_refused(ward: Ward) -> None:
    with pytest.raises(DomainError) as caught:
        _submit(ward, "bdi", {1: 0})
    assert (caught.value.code, caught.value.field) == ("scale_unknown", "instrument")


def test_nobody_else_submits_for_her(ward: Ward) -> None:
    for actor in (ward.other_woman, ward.outsider):
        with pytest.raises(NotFound):
            services.screening_submit(actor=actor, woman=ward.woman, instrument="gad7", answers={})


# --- the woman's pages ----------------------------------------------------------------


def test_the_result_page_shows_the_crisis_guidance_after_item_10(ward: Ward) -> None:
    client = woman_client(ward.woman)
    page = client.get("/wellbeing/screen/epds/", **ZH)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="demo-wording"' in html and html.count('data-testid="scale-item"') == 10
    response = client.post(
        "/wellbeing/screen/epds/", form_data(epds([0] * 9 + [1]), key="web-1"), **ZH
    )
    assert response.status_code == 302
    s = Screening.objects.get()
    assert response["Location"] == f"/wellbeing/screenings/{s.public_id}/"
    result = client.get(response["Location"], **ZH).content.decode()
    assert 'data-testid="crisis-guidance"' in result
    assert 'data-testid="team-alerted"' in result
    assert "1/30" in result


def test_a_missing_answer_is_shown_beside_it_and_her_answers_are_kept(ward: Ward) -> None:
    client = woman_client(ward.woman)
    data = form_data(epds([1] * 10))
    del data["item_7"]
    page = client.post("/wellbeing/screen/epds/", data, **ZH)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="id_item_7_error"' in html
    assert html.count("checked") == 9
    assert not Screening.objects.exists()


def test_her_result_is_hers_alone(ward: Ward) -> None:
    outcome = _submit(ward, "gad7", flat(Instrument.GAD7, [0] * 7))
    url = f"/wellbeing/screenings/{outcome.screening.public_id}/"
    assert woman_client(ward.woman).get(url).status_code == 200
    assert woman_client(ward.other_woman).get(url).status_code == 404
    assert woman_client(ward.woman).get("/wellbeing/screen/bdi/").status_code == 404


# --- the clinician's page ------------------------------------------------------------------


def test_her_clinician_sees_the_history_with_bands_and_findings_audited(ward: Ward) -> None:
    _submit(ward, "epds", epds([2, 2, 2, 2, 2, 1, 1, 1, 0, 0]))
    _submit(ward, "gad7", flat(Instrument.GAD7, [0] * 7))
    url = f"/wellbeing/clinic/patients/{ward.woman.public_id}/"
    page = staff_client(ward.responsible).get(url, **ZH)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-testid="screening-row"') == 2
    assert "13/30" in html and "0/21" in html
    assert AuditEvent.objects.filter(
        action="read", object_type="screenings", actor=ward.responsible, subject=ward.woman
    ).exists()
    assert staff_client(ward.outsider).get(url).status_code == 404
    assert woman_client(ward.woman).get(url).status_code == 404
    # Her overview links to it.
    overview = staff_client(ward.responsible).get(f"/clinic/patients/{ward.woman.public_id}/")
    assert url in overview.content.decode()


def test_the_clinician_records_support_given_audited_and_closing_the_referral(
    ward: Ward,
) -> None:
    outcome = _submit(ward, "epds", epds([2, 2, 2, 2, 2, 1, 1, 1, 0, 0]))
    url = f"/wellbeing/clinic/patients/{ward.woman.public_id}/"
    client = staff_client(ward.responsible)
    response = client.post(
        url,
        {
            "kind": "counselling",
            "given_on": timezone.localdate().isoformat(),
            "screening": str(outcome.screening.public_id),
            "note": "谈话 30 分钟",
            "close_referral": "on",
        },
    )
    assert response.status_code == 302
    record = ward.woman.support_records.get()
    assert (record.kind, record.screening, record.recorded_by) == (
        "counselling",
        outcome.screening,
        ward.responsible,
    )
    assert AuditEvent.objects.filter(
        action="support_record", object_id=str(record.public_id), subject=ward.woman
    ).exists()
    task = ClinicalTask.objects.get(kind="mental_health_referral")
    assert task.status == TaskStatus.DONE
    assert "谈话 30 分钟" in client.get(url).content.decode()


def test_support_is_refused_in_the_future_and_for_an_outsider(ward: Ward) -> None:
    url = f"/wellbeing/clinic/patients/{ward.woman.public_id}/"
    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    page = staff_client(ward.responsible).post(url, {"kind": "counselling", "given_on": future})
    assert page.status_code == 200
    assert 'id="id_given_on_error"' in page.content.decode()
    assert not ward.woman.support_records.exists()
    with pytest.raises(NotFound):
        services.support_record(actor=ward.outsider, woman=ward.woman, kind="counselling")
    with pytest.raises(DomainError) as caught:
        services.support_record(actor=ward.responsible, woman=ward.woman, kind="hypnosis")
    assert caught.value.field == "kind"


def test_her_colour_beside_her_name_on_the_mental_health_page(ward: Ward) -> None:
    url = f"/wellbeing/clinic/patients/{ward.woman.public_id}/"
    page = staff_client(ward.responsible).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    heading = page.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert 'data-testid="risk-badge"' in heading and "Risk not graded" in heading  # not yet
