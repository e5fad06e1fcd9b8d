"""A check-in's history and her pending alarms are read with SQL compiled once per shape
(`anyun.core.prepared`): they give exactly what the querysets they were built from give, for
every mix of kinds and thresholds, and a second check-in compiles nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anyun.clinical import signs
from anyun.clinical.alarm_thresholds import Thresholds
from anyun.monitoring.models import Alarm, AlarmConfirmation, AlarmStatus, Reading
from anyun.monitoring.selectors import grading_settings
from anyun.monitoring.services import readings as readings_services
from anyun.monitoring.tests.conftest import Ward, ago, bp, ward
from anyun.pregnancy.selectors import current_pregnancy_of

pytestmark = pytest.mark.django_db
__all__ = ["ward"]  # the fixture

FIELDS = readings_services._HISTORY_FIELDS


def _queryset_history(
    *, woman: Any, pregnancy: Any, kinds: set[str], until: dt.datetime, t: Thresholds
) -> list[tuple[Any, ...]]:
    """The history's rows as the plain ORM builds them, anew each time."""
    windows = readings_services._history_days(t)
    wanted = Q()
    for kind in kinds & windows.keys():
        window = Q(kind=kind, measured_at__gte=until - dt.timedelta(days=windows[kind]))
        if kind == signs.SignKind.BLOOD_PRESSURE:
            window &= Q(systolic__gte=t.bp_systolic_high) | Q(diastolic__gte=t.bp_diastolic_high)
        wanted |= window
    mine = Reading.objects.filter(woman=woman, pregnancy=pregnancy, measured_at__lte=until)
    rows = list(mine.filter(wanted).values_list(*FIELDS)) if wanted else []
    if signs.SignKind.FUNDAL_HEIGHT in kinds:
        count = max(t.sfh_low_repeat_count, t.sfh_flat_measurements) + 2
        rows += list(
            mine.filter(kind=signs.SignKind.FUNDAL_HEIGHT)
            .order_by("-measured_at")
            .values_list(*FIELDS)[:count]
        )
    return rows


def _her_readings(record: Callable[..., Any]) -> None:
    record(bp(150, 95, measured_at=ago(days=6)), confirm=True)
    record(bp(118, 76, measured_at=ago(days=5)), confirm=True)
    record(bp(128, 92, measured_at=ago(days=2)), confirm=True)
    for days, cm in ((40, 25), (26, 27), (12, 28), (3, 30)):
        record({"kind": "fundal_height", "value": cm, "measured_at": ago(days=days)}, confirm=True)
    for days, kg in ((30, 61.5), (9, 63), (1, 64)):
        record({"kind": "weight", "value": kg, "measured_at": ago(days=days)}, confirm=True)
    record(
        {
            "kind": "fetal_movements",
            "value": 4,
            "movement_period": "one_hour_count",
            "measured_at": ago(hours=20),
        },
        confirm=True,
    )


def test_the_history_read_gives_what_the_queryset_gives(
    ward: Ward, record: Callable[..., Any]
) -> None:
    _her_readings(record)
    pregnancy = current_pregnancy_of(ward.woman)
    current, _policy = grading_settings()
    lower = dataclasses.replace(current, bp_systolic_high=125, bp_diastolic_high=80)
    until = timezone.now()
    mixes = [
        {"blood_pressure"},
        {"weight"},
        {"fundal_height"},
        {"blood_pressure", "weight", "fundal_height", "fetal_movements"},
        {"glucose"},
    ]
    for t in (current, lower):
        for kinds in mixes:
            expected = _queryset_history(
                woman=ward.woman, pregnancy=pregnancy, kinds=kinds, until=until, t=t
            )
            got = readings_services._history(
                woman=ward.woman, pregnancy=pregnancy, kinds=kinds, until=until, t=t
            )
            assert got == readings_services._history_values(expected), (kinds, t)
    # The lower thresholds take in the 128/92 the stored ones leave out.
    high = readings_services._history(
        woman=ward.woman, pregnancy=pregnancy, kinds={"blood_pressure"}, until=until, t=lower
    )
    assert sorted(r.systolic or 0 for r in high) == [128, 150]


def test_a_second_history_read_compiles_nothing_and_is_one_statement(
    ward: Ward, record: Callable[..., Any]
) -> None:
    _her_readings(record)
    pregnancy = current_pregnancy_of(ward.woman)
    t, _policy = grading_settings()
    args = {"woman": ward.woman, "pregnancy": pregnancy, "kinds": {"blood_pressure", "weight"}}
    readings_services._history(**args, until=timezone.now(), t=t)
    shape = ((("blood_pressure", "weight")), (t.bp_systolic_high, t.bp_diastolic_high))
    read = readings_services._HISTORY_READS[shape]
    compiled = dict(read._shapes)
    with CaptureQueriesContext(connection) as captured:
        readings_services._history(**args, until=timezone.now() + dt.timedelta(seconds=1), t=t)
    assert len(captured.captured_queries) == 1
    assert read._shapes == compiled


def test_her_pending_alarms_are_what_the_queryset_gives(
    ward: Ward, record: Callable[..., Any]
) -> None:
    # Two first high blood pressures more than the repeat window apart: two unconfirmed alarms.
    record(bp(150, 95, measured_at=ago(days=9)), confirm=True)
    record(bp(145, 92, measured_at=ago(hours=2)), confirm=True)
    record(bp(100, 60, measured_at=ago(hours=1)), bp(100, 60), confirm=True, woman=ward.other_woman)
    with transaction.atomic():
        got = readings_services._PENDING_ALARMS.all(ward.woman.pk)
        expected = list(
            Alarm.objects.select_for_update()
            .filter(woman=ward.woman, confirmation=AlarmConfirmation.UNCONFIRMED)
            .exclude(status=AlarmStatus.CLOSED)
            .order_by("-created_at", "-id")
        )
    assert len(got) == 2 and got == expected
    assert [(a.findings, a.grade, a.created_at) for a in got] == [
        (a.findings, a.grade, a.created_at) for a in expected
    ]
    assert readings_services._PENDING_ALARMS.all(ward.other_woman.pk) == []
