"""An alarm whose routing failed is still routed: the other alarms of the job go on, and the
minute sweep routes what no job reached; "normal on repeat" closes only a first high BP."""

from __future__ import annotations

from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from anyun.core.errors import DomainError
from anyun.monitoring import services
from anyun.monitoring.models import Alarm, AlarmEvent
from anyun.monitoring.services import alarms as alarms_service
from anyun.monitoring.tests.conftest import ROUTE_TASK, Ward, ago, bp
from anyun.notify.models import Notification

pytestmark = pytest.mark.django_db


def _fail(monkeypatch: Any, times: int) -> list[int]:
    """The directory fails the first `times` reads of a responder chain."""
    real = alarms_service.responder_chain
    calls: list[int] = []

    def flaky(woman: Any) -> Any:
        calls.append(1)
        if len(calls) <= times:
            raise RuntimeError("directory unavailable")
        return real(woman)

    monkeypatch.setattr(alarms_service, "responder_chain", flaky)
    return calls


def test_an_alarm_whose_routing_failed_is_routed_by_the_sweep(
    ward: Ward, record: Any, monkeypatch: Any
) -> None:
    _fail(monkeypatch, times=2)  # routed with the others, then alone
    (alarm,) = record(bp(170, 112)).alarms
    assert (alarm.status, alarm.assigned_to, alarm.escalate_at) == ("open", None, None)
    assert services.alarm_delivery(alarm) == "pending"
    assert services.alarms_route_stale() == 0  # too new: its job may still be coming
    assert services.alarms_route_stale(now=ago(seconds=-120)) == 1
    alarm.refresh_from_db()
    assert alarm.assigned_to == ward.responsible
    assert alarm.escalate_at is not None
    assert Notification.objects.filter(kind="alarm", recipient=ward.responsible).count() == 1
    assert services.alarm_delivery(alarm) == "told"
    assert services.alarms_route_stale(now=ago(seconds=-120)) == 0  # routed once only


def test_the_other_alarms_of_a_failing_job_are_still_routed(
    ward: Ward, record: Any, monkeypatch: Any
) -> None:
    # The job routes its alarms together (1st read), then, since that failed, each alone:
    # the urgent one fails again (2nd), the attention one goes out.
    _fail(monkeypatch, times=2)
    urgent, attention = record(
        bp(165, 100, pulse=105), {"kind": "temperature", "value": 37.5}
    ).alarms
    assert (urgent.grade, attention.grade) == ("urgent", "attention")
    job = DBTaskResult.objects.get(task_path=ROUTE_TASK)
    assert job.status == "SUCCESSFUL"  # one alarm's failure is logged, not the job's end
    assert (urgent.assigned_to, attention.assigned_to) == (None, ward.responsible)
    assert services.alarms_route_stale(now=ago(seconds=-120)) == 1
    urgent.refresh_from_db()
    assert urgent.assigned_to == ward.responsible and urgent.escalate_at is not None
    assert services.alarms_escalate_due(now=ago(minutes=-60)) == 1


def test_the_sweep_is_a_periodic_job_every_minute() -> None:
    from anyun.core.periodic import PERIODIC_JOBS

    (job,) = [j for j in PERIODIC_JOBS if j.name == "monitoring.alarms_route_stale"]
    assert job.trigger == {"trigger": "cron", "minute": "*"}
    assert job.task_path == "anyun.monitoring.tasks.alarms_route_stale"
    from anyun.monitoring import tasks

    assert tasks.alarms_route_stale.func() == 0  # type: ignore[attr-defined]


# --- "normal on repeat" only when every finding is a first high blood pressure -------------


def _itching_normal_repeat(record: Any) -> Alarm:
    (alarm,) = record(bp(150, 95, measured_at=ago(hours=5), symptoms=["itching"])).alarms
    assert [f["rule"] for f in alarm.findings] == ["red_flag_itching", "bp_high_first"]
    record(bp(122, 78))
    alarm.refresh_from_db()
    assert alarm.confirmation == "normal_on_repeat"
    return alarm


def test_normal_on_repeat_is_refused_while_another_finding_is_unresolved(
    ward: Ward, record: Any
) -> None:
    alarm = _itching_normal_repeat(record)
    with pytest.raises(DomainError) as refused:
        services.alarm_close(
            actor=ward.responsible, alarm_public_id=alarm.public_id, outcome="normal_on_repeat"
        )
    assert refused.value.code == "outcome_invalid"
    alarm.refresh_from_db()
    assert alarm.status == "open"
    assert not AlarmEvent.objects.filter(alarm=alarm, kind="closed").exists()


def test_the_page_does_not_offer_normal_on_repeat_while_another_finding_is_unresolved(
    ward: Ward, record: Any
) -> None:
    from conftest import staff_client

    alarm = _itching_normal_repeat(record)
    desk = staff_client(ward.responsible)
    page = desk.get(f"/clinic/alarms/{alarm.public_id}/").content.decode()
    assert 'data-testid="close-normal-on-repeat"' not in page
    assert 'value="normal_on_repeat"' not in page
    assert 'data-testid="close-form"' in page
    done = desk.post(f"/clinic/alarms/{alarm.public_id}/close/", {"outcome": "normal_on_repeat"})
    assert done.status_code in {200, 400}
    alarm.refresh_from_db()
    assert alarm.status == "open"


def test_a_job_whose_alarms_fail_together_routes_each_alone_at_once(
    ward: Ward, record: Any, monkeypatch: Any
) -> None:
    _fail(monkeypatch, times=1)  # the read of the batch only
    urgent, attention = record(
        bp(165, 100, pulse=105), {"kind": "temperature", "value": 37.5}
    ).alarms
    assert (urgent.assigned_to, attention.assigned_to) == (ward.responsible, ward.responsible)
    assert urgent.escalate_at is not None
    assert Notification.objects.filter(kind="alarm", recipient=ward.responsible).count() == 2
