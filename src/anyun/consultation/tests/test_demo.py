"""The demo lets both modes be tried at once: schedules for the coming two weeks, women who
may consult online and one who may not yet, and one finished consultation with its record."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from anyun import demo
from anyun.accounts.models import Role, User
from anyun.consultation.models import Consultation, ConsultationStatus, Rating
from anyun.core.errors import DomainError
from anyun.scheduling import selectors as scheduling
from anyun.scheduling.gates import require_may_start

pytestmark = pytest.mark.django_db


def _may_start(woman: User) -> bool:
    try:
        require_may_start(woman)
    except DomainError:
        return False
    return True


def test_two_or_more_women_may_consult_online_and_one_may_not() -> None:
    demo.load_demo()
    women = list(User.objects.filter(role=Role.WOMAN).order_by("pk"))
    allowed = [w for w in women if _may_start(w)]
    refused = [w for w in women if not _may_start(w)]
    assert len(allowed) >= 2
    assert len(refused) == 1


def test_the_demo_holds_one_finished_consultation_with_a_signed_record() -> None:
    demo.load_demo()
    held = Consultation.objects.get()
    assert held.status == ConsultationStatus.ENDED
    assert held.clinician.username == "dr_wang"
    assert held.messages.count() == 3
    record = held.records.get()
    assert record.signed_at is not None
    assert record.diagnoses == ["Z34.9"]
    assert Rating.objects.get(consultation=held).score == 5
    assert held.record_signed_at is not None


def test_the_clinicians_and_the_department_have_free_slots_in_each_of_the_coming_weeks() -> None:
    demo.load_demo()
    department = User.objects.get(username="dr_wang").clinician_profile.department
    today = timezone.localdate()
    owners = [None, *scheduling.bookable_clinicians(department)]
    assert len(owners) >= 3  # the department and at least two clinicians
    for owner in owners:
        free = [s for s in scheduling.free_slots(department, owner, days=15) if s.free > 0]
        for week in (0, 1):
            first, last = today + timedelta(days=7 * week + 1), today + timedelta(days=7 * week + 7)
            assert any(first <= timezone.localdate(s.starts_at) <= last for s in free), (
                owner,
                week,
            )
