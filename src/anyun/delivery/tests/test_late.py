"""The late-delivery sweep (IMP-4d): a delivery not delivered within the promised hours
alerts the pharmacy and tells her, once; a delivered one is never late; a resend makes a new
promise. Time moves with time-machine from the world built here."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from anyun.core.periodic import PERIODIC_JOBS
from anyun.delivery import services, tasks
from anyun.delivery.models import EventKind, Fulfilment
from anyun.delivery.tests.conftest import run_delivery_jobs
from anyun.notify.models import Notification
from anyun.prescribing.tests.conftest import World

pytestmark = pytest.mark.django_db


def late_notes(world: World) -> tuple[int, int]:
    her = Notification.objects.filter(recipient=world.woman, kind="delivery_late").count()
    pharmacy = Notification.objects.filter(
        recipient=world.pharmacist, kind="delivery_late_pharmacy"
    ).count()
    return her, pharmacy


def test_late_delivery_alerts_the_pharmacy_and_tells_her_once(
    world: World, delivery: Fulfilment, time_machine: Any, settings: Any
) -> None:
    settings.ANYUN_DELIVERY_DEMO_MINUTES = 60 * 48  # the courier does not come in time
    assert delivery.promised_by is not None
    promised = delivery.promised_by
    services.delivery_dispense(actor=world.pharmacist, fulfilment_id=delivery.public_id)
    run_delivery_jobs()
    time_machine.move_to(promised - timedelta(minutes=1), tick=False)
    assert services.deliveries_alert_late() == 0
    assert late_notes(world) == (0, 0)
    time_machine.move_to(promised + timedelta(minutes=1), tick=False)
    assert services.deliveries_alert_late() == 1
    assert late_notes(world) == (1, 1)
    delivery.refresh_from_db()
    assert delivery.late_alerted_at == timezone.now()
    assert delivery.events.filter(kind=EventKind.LATE).count() == 1
    time_machine.move_to(promised + timedelta(hours=3), tick=False)
    assert services.deliveries_alert_late() == 0
    assert late_notes(world) == (1, 1)


def test_a_delivery_in_time_is_never_late(
    world: World, delivery: Fulfilment, time_machine: Any, settings: Any
) -> None:
    settings.ANYUN_DELIVERY_DEMO_MINUTES = 30
    assert delivery.promised_by is not None
    services.delivery_dispense(actor=world.pharmacist, fulfilment_id=delivery.public_id)
    run_delivery_jobs()
    time_machine.move_to(timezone.now() + timedelta(minutes=31), tick=False)
    run_delivery_jobs()
    time_machine.move_to(delivery.promised_by + timedelta(hours=1), tick=False)
    assert services.deliveries_alert_late() == 0
    assert late_notes(world) == (0, 0)


def test_a_pickup_is_never_late(world: World, pickup: Fulfilment, time_machine: Any) -> None:
    time_machine.move_to(timezone.now() + timedelta(days=5), tick=False)
    assert services.deliveries_alert_late() == 0


def test_the_promise_hours_are_a_setting(
    world: World, delivery: Fulfilment, time_machine: Any, settings: Any
) -> None:
    settings.ANYUN_DELIVERY_PROMISE_HOURS = 2
    delivery.refresh_from_db()
    parcel = services.delivery_dispense(actor=world.pharmacist, fulfilment_id=delivery.public_id)
    services.handover_submit(fulfilment_id=parcel.pk)
    parcel.refresh_from_db()
    services.delivery_fail(actor=world.pharmacist, fulfilment_id=parcel.public_id)
    resent = services.delivery_resend(actor=world.pharmacist, fulfilment_id=parcel.public_id)
    assert resent.promised_by is not None
    assert abs(resent.promised_by - timezone.now() - timedelta(hours=2)) < timedelta(seconds=5)
    time_machine.move_to(resent.promised_by + timedelta(minutes=1), tick=False)
    assert services.deliveries_alert_late() == 1


def test_the_sweep_is_a_periodic_job_and_its_task_runs_it(
    world: World, delivery: Fulfilment, time_machine: Any
) -> None:
    jobs = {job.task_path for job in PERIODIC_JOBS}
    assert "anyun.delivery.tasks.deliveries_alert_late" in jobs
    assert delivery.promised_by is not None
    time_machine.move_to(delivery.promised_by + timedelta(minutes=1), tick=False)
    assert tasks.deliveries_alert_late.call() == 1
