"""The alarm path under load: the routing job delivers the in-app and live-feed notification
itself (no delivery job to wait for behind a busy queue), routes the other alarms still
waiting (gravest first) so that later jobs find theirs routed, and a job with an urgent alarm
goes ahead of the others in the queue. The outbox guarantee holds: a delivery the job could
not make is retried, and one it never made is queued by notify's minute sweep."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from anyun.careteam.services import care_team_assign
from anyun.monitoring import services
from anyun.monitoring.models import Alarm
from anyun.monitoring.services import alarms as alarms_service
from anyun.monitoring.tests.conftest import ROUTE_TASK, Ward, bp, route_alarms
from anyun.notify import adapters
from anyun.notify.models import Delivery, DeliveryState
from anyun.notify.services import deliveries_redeliver_due

pytestmark = pytest.mark.django_db

DELIVER_TASK = "anyun.notify.tasks.deliver"


def _raise(ward: Ward, *items: dict[str, Any]) -> list[Alarm]:
    """Her check-in, stored and graded; its routing job is left in the queue."""
    return services.readings_record(
        actor=ward.woman,
        woman=ward.woman,
        items=[services.ReadingInput(**item) for item in items],
    ).alarms


def test_the_routing_job_delivers_the_inbox_and_the_live_feed_itself(
    ward: Ward, record: Any
) -> None:
    (alarm,) = record(bp(150, 95)).alarms  # attention; `record` runs the routing job only
    assert alarm.assigned_to == ward.responsible
    deliveries = Delivery.objects.filter(
        notification__kind="alarm", notification__recipient=ward.responsible
    )
    assert sorted((d.channel, d.state, d.job_id) for d in deliveries) == [
        ("in_app", DeliveryState.SENT, None),
        ("push", DeliveryState.SENT, None),
    ]
    assert _delivery_jobs(deliveries) == []


def _delivery_jobs(deliveries: Any) -> list[DBTaskResult]:
    """The queued `deliver` jobs of these deliveries (her care team's own notices aside)."""
    ids = {d.pk for d in deliveries}
    return [
        job
        for job in DBTaskResult.objects.filter(task_path=DELIVER_TASK)
        if job.args_kwargs["kwargs"]["delivery_id"] in ids
    ]


def test_the_urgent_texts_still_go_through_their_own_jobs(ward: Ward, record: Any) -> None:
    ward.responsible.phone = "13800000001"
    ward.responsible.save()
    (alarm,) = record(bp(170, 112)).alarms
    assert alarm.grade == "urgent"
    sms = Delivery.objects.get(notification__kind="alarm_sms")
    assert (sms.state, sms.job_id is not None) == (DeliveryState.PENDING, True)
    pushed = Delivery.objects.get(notification__kind="alarm", channel="push")
    assert pushed.state == DeliveryState.SENT


def test_a_job_with_an_urgent_alarm_goes_first(ward: Ward) -> None:
    _raise(ward, {"kind": "pulse", "value": 105})  # attention
    _raise(ward, bp(170, 112))  # urgent
    jobs = list(DBTaskResult.objects.filter(task_path=ROUTE_TASK).order_by("enqueued_at"))
    assert [job.priority for job in jobs] == [0, alarms_service.URGENT_ROUTE_PRIORITY]
    ready = DBTaskResult.objects.ready().filter(task_path=ROUTE_TASK).first()
    assert ready == jobs[1]  # the worker's own order: priority first


def test_one_job_routes_every_alarm_waiting_gravest_first(ward: Ward) -> None:
    (attention,) = _raise(ward, {"kind": "pulse", "value": 105})
    (urgent,) = _raise(ward, bp(170, 112))
    (other,) = services.readings_record(
        actor=ward.other_woman,
        woman=ward.other_woman,
        items=[services.ReadingInput(kind="temperature", value=38.5)],
    ).alarms
    together: list[list[int]] = []
    real = alarms_service._alarms_route_together

    def noted(alarms: list[Alarm], **kwargs: Any) -> None:
        together.append([alarm.pk for alarm in alarms])
        real(alarms, **kwargs)

    alarms_service._alarms_route_together = noted  # type: ignore[assignment]
    try:
        # The attention alarm's job runs first: its own alarm, then the others waiting,
        # together and gravest first.
        assert services.alarms_route(alarm_ids=[attention.pk]) == 3
    finally:
        alarms_service._alarms_route_together = real
    assert together == [[attention.pk], [urgent.pk, other.pk]]
    assert services.alarms_route(alarm_ids=[urgent.pk]) == 0  # its own job: done already
    assert all(
        a.assigned_to is not None for a in Alarm.objects.filter(pk__in=[attention.pk, urgent.pk])
    )


def test_the_batch_is_bounded(ward: Ward, monkeypatch: Any) -> None:
    monkeypatch.setattr(alarms_service, "ROUTE_BATCH_MAX", 1)
    first = _raise(ward, {"kind": "pulse", "value": 105})[0]
    for _ in range(2):
        _raise(ward, {"kind": "temperature", "value": 38.5})
    assert services.alarms_route(alarm_ids=[first.pk]) == 2  # its own and one more
    assert route_alarms() == 3  # the remaining jobs: one of them routes the last alarm
    assert not Alarm.objects.filter(status="open", assigned_to__isnull=True).exists()


def test_a_live_push_that_fails_in_the_job_is_retried_by_a_delivery_job(
    ward: Ward, record: Any, monkeypatch: Any
) -> None:
    def down(deliveries: list[Delivery]) -> list[str | Exception]:
        return [ConnectionError("channel layer down") for _d in deliveries]

    monkeypatch.setitem(adapters.BATCH_ADAPTERS, "push", down)
    (alarm,) = record(bp(150, 95)).alarms
    assert alarm.assigned_to == ward.responsible  # routed all the same
    push = Delivery.objects.get(notification__kind="alarm", channel="push")
    assert (push.state, push.attempts) == (DeliveryState.FAILED, 1)
    (retry,) = _delivery_jobs([push])
    assert str(push.job_id) == str(retry.id)
    inbox = Delivery.objects.get(notification__kind="alarm", channel="in_app")
    assert (inbox.state, _delivery_jobs([inbox])) == (DeliveryState.SENT, [])


def test_a_delivery_the_job_never_made_is_queued_by_the_sweep(ward: Ward, monkeypatch: Any) -> None:
    """The worker died between the routing commit and the delivery: the delivery is due and
    has no job, so notify's minute sweep queues one."""
    monkeypatch.setattr(alarms_service, "notifications_deliver_now", lambda notifications: 0)
    (alarm,) = _raise(ward, bp(150, 95))
    assert services.alarms_route(alarm_ids=[alarm.pk]) == 1
    waiting = Delivery.objects.filter(notification__kind="alarm")
    assert {(d.state, d.job_id) for d in waiting} == {(DeliveryState.PENDING, None)}
    assert deliveries_redeliver_due() >= 2
    assert len(_delivery_jobs(waiting)) == 2


def _statements_to_route(ward: Ward, count: int) -> int:
    for _ in range(count):
        _raise(ward, bp(170, 112))
        _raise(ward, {"kind": "temperature", "value": 38.5})
    waiting = list(Alarm.objects.filter(assigned_to__isnull=True).values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as captured:
        assert services.alarms_route(alarm_ids=waiting, batch=False) == len(waiting)
    assert not Alarm.objects.filter(assigned_to__isnull=True).exists()
    return len(captured.captured_queries)


def test_alarms_routed_together_take_the_same_statements_whatever_their_number(
    ward: Ward,
) -> None:
    """Assignments, access, notices, texts, events and their delivery are written in bulk:
    routing 2 alarms and routing 20 take the same statements (the chain read once)."""
    for n, person in enumerate((ward.responsible, ward.duty_first, ward.duty_second)):
        person.phone = f"1390000000{n}"  # each urgent alarm texts all three
        person.save()
    # A first round gives the people texted access (they join her team): the same team next.
    _statements_to_route(ward, 1)
    Alarm.objects.update(status="closed")
    few = _statements_to_route(ward, 1)
    Alarm.objects.update(status="closed")
    many = _statements_to_route(ward, 10)
    assert many == few
    texts = Delivery.objects.filter(channel="sms", notification__kind="alarm_sms")
    assert texts.count() == 3 * Alarm.objects.filter(grade="urgent").count() > 0


def test_alarms_of_many_women_are_routed_in_as_many_statements_as_those_of_one(
    ward: Ward, make_woman: Any
) -> None:
    """A chunk under load holds the alarms of many women: their care teams are read in one
    go, not one read per woman."""
    women = [make_woman(pregnant_weeks=30) for _ in range(4)]
    for woman in women:
        care_team_assign(actor=ward.head, woman=woman, member=ward.responsible, responsible=True)

    def route(who: list[Any]) -> tuple[int, list[Alarm]]:
        raised = [
            alarm
            for woman in who
            for alarm in services.readings_record(
                actor=woman, woman=woman, items=[services.ReadingInput(kind="pulse", value=125)]
            ).alarms
        ]
        with CaptureQueriesContext(connection) as captured:
            assert services.alarms_route(alarm_ids=[a.pk for a in raised], batch=False) == len(
                raised
            )
        return len(captured.captured_queries), raised

    one, _ = route([ward.woman])
    many, raised = route(women)
    assert many == one
    assert {a.assigned_to for a in Alarm.objects.filter(pk__in=[a.pk for a in raised])} == {
        ward.responsible
    }


def _count_waiting_reads_compiled(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """From now on, each read of the alarms to route that is compiled to SQL is listed."""
    compiled: list[object] = []
    real = SQLCompiler.as_sql

    def counting(self: SQLCompiler, *args: Any, **kwargs: Any) -> Any:
        if self.query.model is Alarm and self.query.select_for_update:
            compiled.append(self.query)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    return compiled


def test_a_later_job_compiles_no_read_of_the_waiting_alarms(
    ward: Ward, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker's reads of the alarms to route are compiled once per shape
    (`anyun.core.prepared`): the next job only runs them, and they find what the queryset
    finds (here: its own alarm, then the other woman's still waiting)."""

    def two_waiting(*mine: dict[str, Any]) -> tuple[Alarm, Alarm]:
        (own,) = _raise(ward, *mine)
        (other,) = services.readings_record(
            actor=ward.other_woman,
            woman=ward.other_woman,
            items=[services.ReadingInput(kind="temperature", value=38.5)],
        ).alarms
        return own, other

    first, _ = two_waiting({"kind": "pulse", "value": 105})
    assert services.alarms_route(alarm_ids=[first.pk]) == 2
    mine, hers = two_waiting(bp(170, 112))
    compiled = _count_waiting_reads_compiled(monkeypatch)
    assert services.alarms_route(alarm_ids=[mine.pk]) == 2
    assert compiled == []
    assert {a.pk for a in Alarm.objects.filter(assigned_to__isnull=False)} >= {mine.pk, hers.pk}


def test_a_busy_job_compiles_a_few_shapes_of_the_waiting_read(
    ward: Ward, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The alarms a job has tried grow chunk by chunk; its reads of the next ones take a
    shape per power of two of them, not one per count, so a busy worker compiles a handful."""
    monkeypatch.setattr(alarms_service, "ROUTE_CHUNK", 1)
    monkeypatch.setattr(
        alarms_service, "_WAITING", alarms_service.PreparedReads(alarms_service._waiting)
    )
    first = _raise(ward, {"kind": "pulse", "value": 105})[0]
    for _ in range(15):
        _raise(ward, {"kind": "temperature", "value": 38.5})
    compiled = _count_waiting_reads_compiled(monkeypatch)
    assert services.alarms_route(alarm_ids=[first.pk]) == 16
    # Its own alarm; then 1, 2, 4, 8 and 16 tried.
    assert len(compiled) == 6
    assert not Alarm.objects.filter(status="open", assigned_to__isnull=True).exists()
