"""The scheduling API: slots, booking with an idempotency key, cancel, move, the live queue,
the clinician's day; every bad input a 4xx in the project's error shape."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from conftest import staff_client, woman_client
from django.test import Client

from anyun.audit.models import AuditEvent
from anyun.scheduling.models import Appointment, AppointmentStatus
from anyun.scheduling.tests.conftest import Clinic, at, days_after

pytestmark = pytest.mark.django_db
BASE = "/api/v1/scheduling"


def _error(response: Any, status: int, code: str, field: str | None = None) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code and body["field"] == field and body["message"], body


def test_she_books_through_the_api(clinic: Clinic, time_machine: Any, tomorrow: datetime) -> None:
    time_machine.move_to(at(tomorrow, 8), tick=False)
    client = woman_client(clinic.woman)
    departments = client.get(f"{BASE}/departments").json()
    assert [d["id"] for d in departments] == [str(clinic.department.public_id)]
    assert departments[0]["has_department_schedule"] is True
    assert [c["id"] for c in departments[0]["clinicians"]] == [str(clinic.profile.public_id)]
    slots = client.get(
        f"{BASE}/slots",
        {
            "department": clinic.department.public_id,
            "clinician": clinic.profile.public_id,
            "days": 2,
        },
    ).json()
    assert len(slots) == 8 and slots[0]["free"] == 1
    body = {
        "department": str(clinic.department.public_id),
        "clinician": str(clinic.profile.public_id),
        "starts_at": slots[4]["starts_at"],
    }
    first = client.post(
        f"{BASE}/appointments",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": "abc"},
    )
    assert first.status_code == 201, first.content
    again = client.post(
        f"{BASE}/appointments",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": "abc"},
    )
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Appointment.objects.count() == 1
    mine = client.get(f"{BASE}/appointments").json()
    assert [a["id"] for a in mine] == [first.json()["id"]] and mine[0]["status"] == "booked"
    # Someone else cannot take the full slot.
    other = woman_client(clinic.other_woman).post(
        f"{BASE}/appointments", body, content_type="application/json"
    )
    _error(other, 400, "slot_full", "starts_at")
    moved = client.post(
        f"{BASE}/appointments/{first.json()['id']}/reschedule",
        {"starts_at": slots[5]["starts_at"]},
        content_type="application/json",
    )
    assert moved.status_code == 200 and moved.json()["starts_at"] == slots[5]["starts_at"]
    cancelled = client.post(
        f"{BASE}/appointments/{first.json()['id']}/cancel", {}, content_type="application/json"
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_bad_input_is_a_4xx_in_our_shape(
    clinic: Clinic, time_machine: Any, tomorrow: datetime
) -> None:
    time_machine.move_to(at(tomorrow, 8), tick=False)
    client = woman_client(clinic.woman)
    dept = str(clinic.department.public_id)
    _error(client.get(f"{BASE}/slots", {"department": "not-a-uuid"}), 422, "invalid", "department")
    _error(client.get(f"{BASE}/slots", {"department": dept, "days": 0}), 422, "invalid", "days")
    _error(
        client.get(f"{BASE}/slots", {"department": "00000000-0000-0000-0000-000000000000"}),
        404,
        "not_found",
    )
    _error(
        client.get(f"{BASE}/slots", {"department": dept, "clinician": str(clinic.woman.public_id)}),
        404,
        "not_found",
    )

    def post(body: dict[str, Any], **kw: Any) -> Any:
        return client.post(f"{BASE}/appointments", body, content_type="application/json", **kw)

    _error(post({"department": dept}), 422, "invalid", "starts_at")
    _error(post({"department": dept, "starts_at": "tomorrow"}), 422, "invalid", "starts_at")
    _error(
        post({"department": dept, "starts_at": at(tomorrow, 7).isoformat()}),
        400,
        "slot_past",
        "starts_at",
    )
    _error(
        post({"department": dept, "starts_at": at(tomorrow, 12).isoformat()}),
        400,
        "slot_unavailable",
        "starts_at",
    )
    _error(
        post({"department": dept, "starts_at": at(days_after(tomorrow, 20), 14).isoformat()}),
        400,
        "slot_too_far",
        "starts_at",
    )
    _error(
        post(
            {"department": dept, "starts_at": at(tomorrow, 14).isoformat()},
            headers={"Idempotency-Key": "k" * 65},
        ),
        400,
        "idempotency_key_invalid",
        "Idempotency-Key",
    )
    _error(
        client.post(f"{BASE}/appointments", "{", content_type="application/json"),
        400,
        "body_invalid",
    )
    missing = "00000000-0000-0000-0000-000000000000"
    _error(
        client.post(f"{BASE}/appointments/{missing}/cancel", {}, content_type="application/json"),
        404,
        "not_found",
    )
    _error(
        client.post(f"{BASE}/appointments/nope/cancel", {}, content_type="application/json"),
        422,
        "invalid",
        "appointment_id",
    )
    _error(client.get(f"{BASE}/queue"), 404, "not_found")
    _error(client.delete(f"{BASE}/queue"), 404, "not_found")
    _error(
        client.post(f"{BASE}/queue", {}, content_type="application/json"),
        422,
        "invalid",
        "department",
    )
    _error(client.get(f"{BASE}/clinic/today"), 403, "not_staff")
    _error(staff_client(clinic.clinician).get(f"{BASE}/appointments"), 403, "not_a_woman")
    _error(Client().get(f"{BASE}/appointments"), 401, "unauthenticated")
    assert not Appointment.objects.exists()


def test_another_woman_gets_404_for_her_appointment(
    clinic: Clinic, time_machine: Any, tomorrow: datetime
) -> None:
    time_machine.move_to(at(tomorrow, 8), tick=False)
    client = woman_client(clinic.woman)
    created = client.post(
        f"{BASE}/appointments",
        {"department": str(clinic.department.public_id), "starts_at": at(tomorrow, 14).isoformat()},
        content_type="application/json",
    ).json()
    other = woman_client(clinic.other_woman)
    _error(
        other.post(
            f"{BASE}/appointments/{created['id']}/cancel", {}, content_type="application/json"
        ),
        404,
        "not_found",
    )
    _error(
        other.post(
            f"{BASE}/appointments/{created['id']}/reschedule",
            {"starts_at": at(tomorrow, 15).isoformat()},
            content_type="application/json",
        ),
        404,
        "not_found",
    )
    assert other.get(f"{BASE}/appointments").json() == []
    assert Appointment.objects.get().status == AppointmentStatus.BOOKED


def test_queue_and_the_clinicians_day(
    clinic: Clinic, make_clinician: Any, time_machine: Any, tomorrow: datetime
) -> None:
    time_machine.move_to(at(tomorrow, 9, 50), tick=False)
    her = woman_client(clinic.woman)
    booked = her.post(
        f"{BASE}/appointments",
        {
            "department": str(clinic.department.public_id),
            "clinician": str(clinic.profile.public_id),
            "starts_at": at(tomorrow, 10).isoformat(),
        },
        content_type="application/json",
    ).json()
    joined = woman_client(clinic.other_woman).post(
        f"{BASE}/queue",
        {"department": str(clinic.department.public_id)},
        content_type="application/json",
    )
    assert joined.status_code == 201 and joined.json()["position"] == 1
    assert joined.json()["expected_wait_minutes"] == 0
    _error(
        woman_client(clinic.other_woman).post(
            f"{BASE}/queue",
            {"department": str(clinic.department.public_id)},
            content_type="application/json",
        ),
        400,
        "queue_already_waiting",
    )
    desk = staff_client(clinic.clinician)
    today = desk.get(f"{BASE}/clinic/today").json()
    assert [a["id"] for a in today["appointments"]] == [booked["id"]]
    assert [q["id"] for q in today["queue"]] == [joined.json()["id"]]
    assert AuditEvent.objects.filter(action="workday_read", actor=clinic.clinician).count() == 1
    received = desk.post(f"{BASE}/clinic/appointments/{booked['id']}/receive")
    assert received.status_code == 200 and received.json()["status"] == "received"
    accepted = desk.post(f"{BASE}/clinic/queue/{joined.json()['id']}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    _error(
        desk.post(f"{BASE}/clinic/queue/{joined.json()['id']}/accept"),
        400,
        "queue_entry_not_waiting",
    )
    expired = make_clinician(missing=("mch_certificate",))
    _error(
        staff_client(expired).post(f"{BASE}/clinic/appointments/{booked['id']}/receive"),
        403,
        "credential_invalid",
    )
    position = woman_client(clinic.other_woman).get(f"{BASE}/queue").json()
    assert position["status"] == "accepted" and position["position"] is None
