"""Ordering from a consultation: only the clinician who received it; not after a referral."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from django.utils import timezone

from anyun.accounts.models import User
from anyun.consultation.models import Consultation, ConsultationStatus
from anyun.consultation.services import consultation_open
from anyun.core.errors import DomainError, NotFound
from anyun.orders import services
from anyun.orders.models import LabOrder
from anyun.orders.tests.conftest import World
from anyun.scheduling import services as scheduling

pytestmark = pytest.mark.django_db


def _consultation(world: World, starts_at: datetime) -> Consultation:
    profile = world.clinician.clinician_profile
    for weekday in range(7):
        scheduling.schedule_rule_add(
            actor=world.clinician,
            department=profile.department,
            clinician=profile,
            weekday=weekday,
            start=time(9),
            end=time(11),
            slot_minutes=30,
            capacity=1,
        )
    appointment, _ = scheduling.appointment_book(
        woman=world.woman, department=profile.department, clinician=profile, starts_at=starts_at
    )
    return consultation_open(
        woman=world.woman,
        clinician=world.clinician,
        reference=f"test:{appointment.public_id}",
        appointment=appointment,
    )


def _order(actor: User, consultation: Consultation) -> LabOrder:
    return services.order_create(
        actor=actor,
        woman_id=None,
        consultation_id=consultation.public_id,
        tests=["fbc"],
        reason="Tired and pale",
    )


def test_ordered_in_her_consultation(world: World, tomorrow: datetime) -> None:
    held = _consultation(world, timezone.localtime(tomorrow).replace(hour=9))
    found = _order(world.clinician, held)
    assert (found.woman, found.consultation) == (world.woman, held)
    with pytest.raises(NotFound):
        _order(world.outsider, held)
    Consultation.objects.filter(pk=held.pk).update(status=ConsultationStatus.REFERRED)
    with pytest.raises(DomainError) as caught:
        _order(world.clinician, held)
    assert caught.value.code == "consultation_referred"
    assert LabOrder.objects.count() == 1
