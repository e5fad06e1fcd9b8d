"""Ordering rules and access, booking, result entry, flags, notifications and the risk hook."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from anyun.assessment.models import ClinicalTask, TaskStatus
from anyun.audit.models import AuditEvent
from anyun.core.errors import DomainError, NotFound, PermissionDenied
from anyun.notify.models import Notification
from anyun.orders import selectors, services
from anyun.orders.models import LabOrder, OrderStatus, Report, Result
from anyun.orders.tests.conftest import World, next_weekday_morning, order, report, v
from anyun.staff.models import Credential

pytestmark = pytest.mark.django_db


def test_a_team_clinician_orders_with_a_reason_and_she_is_told(world: World) -> None:
    found = order(world, "ogtt", "fbc", "ogtt")
    assert found.tests == ["ogtt", "fbc"]
    assert found.status == OrderStatus.ORDERED
    told = Notification.objects.get(recipient=world.woman, kind="lab_order")
    assert told.link == f"/orders/mine/{found.public_id}/"
    event = AuditEvent.objects.get(action="lab_order_create")
    assert event.detail == {"tests": ["ogtt", "fbc"]}


@pytest.mark.parametrize(
    ("tests", "reason", "code"),
    [
        ([], "why", "tests_required"),
        (["mri"], "why", "test_unknown"),
        (["fbc"], "  ", "reason_required"),
        (["fbc"], "x" * 501, "text_too_long"),
    ],
)
def test_refused_orders_write_nothing(
    world: World, tests: list[str], reason: str, code: str
) -> None:
    with pytest.raises(DomainError) as caught:
        services.order_create(
            actor=world.clinician, woman_id=world.woman.public_id, tests=tests, reason=reason
        )
    assert caught.value.code == code
    assert LabOrder.objects.count() == 0
    assert not Notification.objects.filter(kind="lab_order").exists()


def test_who_may_order(world: World) -> None:
    with pytest.raises(NotFound):
        services.order_create(
            actor=world.outsider, woman_id=world.woman.public_id, tests=["fbc"], reason="x"
        )
    for person in (world.nurse, world.pharmacist, world.woman):
        with pytest.raises(PermissionDenied):
            services.order_create(
                actor=person, woman_id=world.woman.public_id, tests=["fbc"], reason="x"
            )
    Credential.objects.filter(profile__user=world.clinician).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    with pytest.raises(PermissionDenied) as caught:
        order(world)
    assert caught.value.code == "credential_invalid"
    assert LabOrder.objects.count() == 0


def test_the_same_idempotency_key_orders_once(world: World) -> None:
    first = order(world, idempotency_key="k-1")
    again = order(world, "ogtt", idempotency_key="k-1")
    assert again.pk == first.pk and LabOrder.objects.count() == 1


def test_preparation_in_plain_words(world: World) -> None:
    found = order(world, "ogtt", "fbc", "urinalysis")
    with translation.override("en"):
        words = selectors.preparations_of(found)
    assert len(words) == 3
    assert "8 to 12 hours" in words[0] and "75 g" in words[0]
    assert "No preparation" in words[1]
    assert "first urine" in words[2]
    assert selectors.todo_of(world.woman) == [found]


def test_she_books_within_opening_hours(world: World) -> None:
    found = order(world, "fbc")
    morning = next_weekday_morning(9, 0)
    booked = services.order_book(actor=world.woman, order_id=found.public_id, starts_at=morning)
    assert booked.status == OrderStatus.BOOKED and booked.booked_for == morning
    for bad in (morning.replace(hour=12), morning.replace(minute=10), morning - timedelta(days=1)):
        with pytest.raises(DomainError) as caught:
            services.order_book(actor=world.woman, order_id=found.public_id, starts_at=bad)
        assert caught.value.code == "time_unavailable"
    with pytest.raises(NotFound):
        services.order_book(actor=world.other_woman, order_id=found.public_id, starts_at=morning)


def test_fasting_tests_are_booked_in_the_morning_only(world: World) -> None:
    found = order(world, "ogtt")
    day = next_weekday_morning().date()
    times = [timezone.localtime(t).strftime("%H:%M") for t in services.booking_times(found, day)]
    assert times == ["08:00", "08:30", "09:00", "09:30", "10:00"]
    with pytest.raises(DomainError):
        services.order_book(
            actor=world.woman, order_id=found.public_id, starts_at=next_weekday_morning(14, 0)
        )


def test_staff_entry_flags_and_tells_the_clinician(world: World) -> None:
    found = order(world, "fbc")
    entered = report(world, found, v("hb", 105), v("platelets", 180), v("wbc", 8.2))
    flags = dict(Result.objects.filter(report=entered).values_list("observation", "flag"))
    assert flags == {"hb": "low", "platelets": "normal", "wbc": "normal"}
    hb = Result.objects.get(report=entered, observation="hb")
    assert (hb.range_low, hb.range_high, hb.range_pregnancy) == (110, 150, True)
    assert entered.abnormal and not entered.critical
    found.refresh_from_db()
    assert found.status == OrderStatus.RESULTED
    doctor = Notification.objects.get(recipient=world.clinician, kind="lab_result_abnormal")
    assert "105" in doctor.body and doctor.link == f"/orders/clinic/results/{entered.public_id}/"
    assert Notification.objects.filter(recipient=world.woman, kind="lab_result").count() == 1
    assert (
        AuditEvent.objects.filter(action="lab_report_record", subject_id=world.woman.pk).count()
        == 1
    )


def test_a_normal_report_tells_her_only(world: World) -> None:
    found = order(world, "fbc")
    report(world, found, v("hb", 125), v("platelets", 200), v("wbc", 6))
    assert not Notification.objects.filter(
        recipient=world.clinician, kind__startswith="lab_"
    ).exists()
    assert Notification.objects.filter(recipient=world.woman, kind="lab_result").exists()


def test_critical_result(world: World) -> None:
    found = order(world, "fbc", "syphilis")
    entered = report(world, found, v("platelets", 40))
    assert entered.critical
    assert Notification.objects.filter(
        recipient=world.clinician, kind="lab_result_critical"
    ).exists()
    found.refresh_from_db()
    assert found.status == OrderStatus.PARTIAL


def test_fasting_glucose_is_judged_by_her_weeks(world: World) -> None:
    # 5.3 mmol/L: below 7.0 at 20 weeks, at or above 5.1 at 26 weeks (DOMAIN s.4).
    early = report(world, order(world, "fasting_glucose"), v("fasting_glucose", 5.3))
    late = report(
        world, order(world, "fasting_glucose", woman=world.other_woman), v("fasting_glucose", 5.3)
    )
    assert Result.objects.get(report=early).flag == "normal"
    assert Result.objects.get(report=late).flag == "high"
    assert (early.ga_days, late.ga_days) == (140, 182)
    task = ClinicalTask.objects.get(woman=world.other_woman, kind="lab_risk_review")
    assert "5.3" in task.reason
    assert not ClinicalTask.objects.filter(woman=world.woman, kind="lab_risk_review").exists()


def test_low_hb_proposes_a_regrading(world: World) -> None:
    report(world, order(world, "fbc"), v("hb", 100), v("platelets", 90))
    task = ClinicalTask.objects.get(woman=world.woman, kind="risk_regrade", status=TaskStatus.OPEN)
    assert task.details["colour"] == "yellow"
    assert task.details["lab_values"] == {"hb_g_l": 100.0, "platelets": 90.0}
    assert task.assigned_to == world.clinician


def test_positive_screen_proposes_purple(world: World) -> None:
    report(world, order(world, "syphilis"), v("syphilis", "positive"))
    task = ClinicalTask.objects.get(woman=world.woman, kind="risk_regrade")
    assert task.details["purple"] is True


@pytest.mark.parametrize(
    ("values", "code", "field"),
    [
        ([v("alt", 30)], "observation_not_ordered", "values.0.code"),
        ([v("hb", 105), v("hb", 106)], "observation_twice", "values.1.code"),
        ([v("hb", 105, unit="mg/dL")], "unit_mismatch", "values.0.unit"),
        ([v("hb", 1050)], "value_impossible", "values.0"),
        ([v("hb", "low")], "value_required", "values.0"),
        ([], "values_required", "values"),
    ],
)
def test_refused_results_write_nothing(
    world: World, values: list[services.ValueInput], code: str, field: str
) -> None:
    found = order(world, "fbc")
    with pytest.raises(DomainError) as caught:
        report(world, found, *values)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert Report.objects.count() == 0 and Result.objects.count() == 0
    assert not Notification.objects.filter(kind__startswith="lab_result").exists()


def test_units_as_laboratories_write_them(world: World) -> None:
    found = order(world, "fbc")
    entered = report(world, found, v("hb", 120, unit="g/l"), v("platelets", 200, unit="10*9/L"))
    assert set(entered.results.values_list("unit", flat=True)) == {"g/L", "10^9/L"}


def test_the_same_report_id_records_once(world: World) -> None:
    found = order(world, "fbc")
    first = report(world, found, v("hb", 120), external_id="LIS-1")
    again = report(world, found, v("hb", 90), external_id="LIS-1")
    assert again.pk == first.pk and Report.objects.count() == 1


def test_who_may_record_results(world: World) -> None:
    found = order(world, "fbc")
    with pytest.raises(NotFound):
        report(world, found, v("hb", 120), actor=world.outsider)
    with pytest.raises(PermissionDenied):
        report(world, found, v("hb", 120), actor=world.pharmacist)
    with pytest.raises(PermissionDenied):
        report(world, found, v("hb", 120), actor=world.woman)


def test_her_trend_oldest_first(world: World, time_machine: Any) -> None:
    report(world, order(world, "fbc"), v("hb", 118))
    time_machine.move_to(timezone.now() + timedelta(days=30), tick=False)
    report(world, order(world, "fbc"), v("hb", 104))
    trend = selectors.trend_for(world.woman, "hb")
    assert [p.value for p in trend.points] == ["118", "104"]
    assert [p.flag for p in trend.points] == ["normal", "low"]
    assert selectors.trend_for(world.other_woman, "hb").points == []


def test_clinician_list_abnormal_first(world: World) -> None:
    normal = report(world, order(world, "fbc"), v("hb", 125))
    low = report(
        world,
        order(world, "fbc"),
        v("hb", 100),
        observed_at=timezone.now() - timedelta(hours=2),
    )
    critical = report(
        world,
        order(world, "fbc", woman=world.other_woman),
        v("platelets", 20),
        observed_at=timezone.now() - timedelta(hours=3),
    )
    assert selectors.reports_for_clinician(world.clinician) == [critical, low, normal]
    assert selectors.reports_for_clinician(world.outsider) == []
