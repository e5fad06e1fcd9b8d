"""The live queue (position, expected wait, expiry) and receiving (credentials, care access)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from conftest import staff_client

from anyun.accounts.models import Role
from anyun.audit.models import AuditEvent
from anyun.careteam.selectors import can_see_woman
from anyun.core.errors import DomainError, PermissionDenied
from anyun.notify.models import Notification
from anyun.scheduling import selectors, services
from anyun.scheduling.models import AppointmentStatus, QueueStatus
from anyun.scheduling.signals import request_received
from anyun.scheduling.tests.conftest import Clinic, at, book, seen_in_person
from anyun.staff.models import Credential, CredentialKind

pytestmark = pytest.mark.django_db


def test_position_and_expected_wait(
    clinic: Clinic, make_woman: Any, time_machine: Any, tomorrow: datetime
) -> None:
    time_machine.move_to(at(tomorrow, 20), tick=False)
    third_woman = seen_in_person(
        make_woman(pregnant_weeks=33), head=clinic.head, visit=clinic.visit
    )
    entries = []
    for n, woman in enumerate((clinic.woman, clinic.other_woman, third_woman)):
        time_machine.move_to(at(tomorrow, 20, n), tick=False)
        entries.append(services.queue_join(woman=woman, department=clinic.department))
    places = [selectors.queue_place(e) for e in entries]
    assert [(p.position, p.expected_wait_minutes) for p in places if p] == [
        (1, 0),
        (2, 10),
        (3, 20),
    ]
    assert entries[0].expires_at == at(tomorrow, 20) + timedelta(minutes=30)
    with pytest.raises(DomainError) as excinfo:
        services.queue_join(woman=clinic.woman, department=clinic.department)
    assert excinfo.value.code == "queue_already_waiting"
    services.queue_leave(woman=clinic.woman)
    services.queue_policy_set(actor=clinic.head, accept_minutes=45, minutes_per_woman=15)
    place = selectors.queue_place(entries[2])
    assert place is not None and (place.position, place.expected_wait_minutes) == (2, 15)
    rejoined = services.queue_join(woman=clinic.woman, department=clinic.department)
    assert rejoined.expires_at - rejoined.joined_at == timedelta(minutes=45)


def test_a_request_not_accepted_in_time_expires_once_and_is_counted(
    clinic: Clinic, time_machine: Any, tomorrow: datetime
) -> None:
    time_machine.move_to(at(tomorrow, 20), tick=False)
    entry = services.queue_join(woman=clinic.woman, department=clinic.department)
    time_machine.move_to(at(tomorrow, 20, 29), tick=False)
    assert services.queue_expire_due() == 0
    time_machine.move_to(at(tomorrow, 20, 30), tick=False)
    assert services.queue_expire_due() == 1
    assert services.queue_expire_due() == 0
    entry.refresh_from_db()
    assert entry.status == QueueStatus.EXPIRED
    told = Notification.objects.get(kind="queue_expired")
    assert told.recipient == clinic.woman and told.link == "/scheduling/queue/"
    assert "30" in told.body
    with pytest.raises(DomainError) as excinfo:
        services.queue_accept(actor=clinic.clinician, entry_id=entry.public_id)
    assert excinfo.value.code == "queue_entry_not_waiting"
    counts = selectors.period_counts(
        clinic.department.pk, first=tomorrow.date(), last=tomorrow.date()
    )
    assert (counts.queue_joined, counts.queue_expired, counts.queue_accepted) == (1, 1, 0)
    # She may start again at once.
    services.queue_join(woman=clinic.woman, department=clinic.department)


def test_accepting_from_the_queue_needs_valid_credentials_and_grants_access(
    clinic: Clinic, make_clinician: Any, time_machine: Any, tomorrow: datetime
) -> None:
    expired = make_clinician(missing=("internet_admission",))
    time_machine.move_to(at(tomorrow, 20), tick=False)
    entry = services.queue_join(woman=clinic.woman, department=clinic.department)
    with pytest.raises(PermissionDenied) as excinfo:
        services.queue_accept(actor=expired, entry_id=entry.public_id)
    assert excinfo.value.code == "credential_invalid"
    assert not can_see_woman(clinic.clinician, clinic.woman)
    heard: list[dict[str, Any]] = []

    def listener(sender: Any, **kwargs: Any) -> None:
        heard.append(kwargs)

    request_received.connect(listener)
    try:
        accepted = services.queue_accept(actor=clinic.clinician, entry_id=entry.public_id)
    finally:
        request_received.disconnect(listener)
    assert accepted.status == QueueStatus.ACCEPTED and accepted.accepted_by == clinic.clinician
    assert can_see_woman(clinic.clinician, clinic.woman)
    assert (
        heard[0]["reference"] == f"queue:{entry.public_id}" and heard[0]["queue_entry"] == accepted
    )
    with pytest.raises(DomainError):
        services.queue_accept(actor=clinic.head, entry_id=entry.public_id)  # already taken
    assert AuditEvent.objects.filter(action="queue_accept", subject=clinic.woman).count() == 1
    assert Notification.objects.filter(kind="queue_accepted", recipient=clinic.woman).count() == 1


def test_receiving_an_appointment_within_its_time(
    clinic: Clinic, make_clinician: Any, time_machine: Any, tomorrow: datetime
) -> None:
    time_machine.move_to(at(tomorrow, 6), tick=False)
    mine = book(clinic, clinic.woman, at(tomorrow, 10))
    pool = book(clinic, clinic.other_woman, at(tomorrow, 14), clinician=None)
    colleague = make_clinician()
    time_machine.move_to(at(tomorrow, 9, 44), tick=False)
    with pytest.raises(DomainError) as excinfo:
        services.appointment_receive(actor=clinic.clinician, appointment_id=mine.public_id)
    assert excinfo.value.code == "appointment_outside_time"
    time_machine.move_to(at(tomorrow, 9, 45), tick=False)
    with pytest.raises(PermissionDenied) as excinfo:
        services.appointment_receive(actor=colleague, appointment_id=mine.public_id)
    assert excinfo.value.code == "appointment_other_clinician"
    received = services.appointment_receive(actor=clinic.clinician, appointment_id=mine.public_id)
    assert (received.status, received.received_by) == (AppointmentStatus.RECEIVED, clinic.clinician)
    assert can_see_woman(clinic.clinician, clinic.woman)
    with pytest.raises(DomainError) as excinfo:
        services.appointment_receive(actor=clinic.clinician, appointment_id=mine.public_id)
    assert excinfo.value.code == "appointment_not_open"
    # The department's appointment: any clinician of the department, during its hour.
    time_machine.move_to(at(tomorrow, 14, 59), tick=False)
    services.appointment_receive(actor=colleague, appointment_id=pool.public_id)
    assert can_see_woman(colleague, clinic.other_woman)
    assert not can_see_woman(colleague, clinic.woman)


def test_receiving_with_an_expired_credential_is_refused(
    clinic: Clinic, time_machine: Any, tomorrow: datetime
) -> None:
    time_machine.move_to(at(tomorrow, 6), tick=False)
    appointment = book(clinic, clinic.woman, at(tomorrow, 10))
    Credential.objects.filter(
        profile=clinic.profile, kind=CredentialKind.PRACTISING_CERTIFICATE
    ).update(valid_until=tomorrow.date() - timedelta(days=1))
    time_machine.move_to(at(tomorrow, 10), tick=False)
    with pytest.raises(PermissionDenied) as excinfo:
        services.appointment_receive(actor=clinic.clinician, appointment_id=appointment.public_id)
    assert excinfo.value.code == "credential_invalid"
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert not can_see_woman(clinic.clinician, clinic.woman)


def test_the_workstation_day(
    clinic: Clinic, make_clinician: Any, time_machine: Any, tomorrow: datetime
) -> None:
    time_machine.move_to(at(tomorrow, 6), tick=False)
    mine = book(clinic, clinic.woman, at(tomorrow, 10))
    pool = book(clinic, clinic.other_woman, at(tomorrow, 14), clinician=None)
    colleague = make_clinician()
    book(clinic, clinic.other_woman, at(tomorrow + timedelta(days=1), 9))  # not today
    entry = services.queue_join(woman=clinic.woman, department=clinic.department)
    day = selectors.workday(clinic.clinician)
    assert [a.pk for a in day.appointments] == [mine.pk, pool.pk]
    assert [e.pk for e in day.queue] == [entry.pk]
    assert [a.pk for a in selectors.workday(colleague).appointments] == [pool.pk]


def test_a_pharmacist_of_the_department_cannot_take_women_from_the_clinic_lists(
    clinic: Clinic, make_clinician: Any, time_machine: Any, tomorrow: datetime
) -> None:
    """Pharmacists hold a staff profile and may practise online, but receiving women is
    clinical work: the API refuses them as the web pages do, and the service itself too."""
    pharmacist = make_clinician(Role.PHARMACIST)
    time_machine.move_to(at(tomorrow, 20), tick=False)
    entry = services.queue_join(woman=clinic.woman, department=clinic.department)
    api = staff_client(pharmacist)
    assert api.get("/api/v1/scheduling/clinic/today").status_code == 403
    accept = api.post(
        f"/api/v1/scheduling/clinic/queue/{entry.public_id}/accept", content_type="application/json"
    )
    assert (accept.status_code, accept.json()["code"]) == (403, "not_clinical_staff")
    with pytest.raises(PermissionDenied):
        services.queue_accept(actor=pharmacist, entry_id=entry.public_id)
    entry.refresh_from_db()
    assert entry.status == QueueStatus.WAITING
    assert not can_see_woman(pharmacist, clinic.woman)
