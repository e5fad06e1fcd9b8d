"""Follow-up booking at the end (IMP-5): the clinician books her next online follow-up in
their own schedule through scheduling's booking rules; she is told as for any booking."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from conftest import staff_client
from django.utils import timezone

from anyun.consultation import services
from anyun.consultation.tests.conftest import Room
from anyun.core.errors import DomainError, PermissionDenied
from anyun.scheduling import selectors as scheduling_selectors
from anyun.scheduling import services as scheduling
from anyun.scheduling.models import Appointment, AppointmentStatus

pytestmark = pytest.mark.django_db


def schedule_all_day(room: Room) -> None:
    profile = room.clinician.clinician_profile
    for weekday in range(7):
        scheduling.schedule_rule_add(
            actor=room.clinician,
            department=profile.department,
            clinician=profile,
            weekday=weekday,
            start=time(0),
            end=time(23, 30),
            slot_minutes=30,
            capacity=1,
        )


def test_the_clinician_books_her_follow_up_in_their_schedule(room: Room) -> None:
    schedule_all_day(room)
    profile = room.clinician.clinician_profile
    services.consultation_end(actor=room.clinician, consultation_id=room.consultation.public_id)
    later = timezone.now() + timedelta(days=7)
    slot = next(
        s
        for s in scheduling_selectors.free_slots(profile.department, profile)
        if s.starts_at > later
    )
    local = timezone.localtime(slot.starts_at).strftime("%Y-%m-%dT%H:%M")
    response = staff_client(room.clinician).post(
        f"/consultation/{room.consultation.public_id}/follow-up/", {"starts_at": local}
    )
    assert response.status_code == 302
    booked = Appointment.objects.get(woman=room.woman)
    assert (booked.starts_at, booked.clinician, booked.status) == (
        slot.starts_at,
        profile,
        AppointmentStatus.BOOKED,
    )
    # The same slot again is the same booking; she cannot book her own through this.
    again = services.follow_up_book(
        actor=room.clinician, consultation_id=room.consultation.public_id, starts_at=slot.starts_at
    )
    assert again.pk == booked.pk
    with pytest.raises(PermissionDenied):
        services.follow_up_book(
            actor=room.woman, consultation_id=room.consultation.public_id, starts_at=slot.starts_at
        )


def test_a_time_outside_the_schedule_is_refused(room: Room) -> None:
    with pytest.raises(DomainError):
        services.follow_up_book(
            actor=room.clinician,
            consultation_id=room.consultation.public_id,
            starts_at=timezone.now() + timedelta(days=3),
        )
    assert not Appointment.objects.exists()
