"""The prescribing API: the journey, idempotency, refusals in the JSON shape, access."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import staff_client, woman_client
from django.test import Client

from anyun.prescribing.models import Prescription
from anyun.prescribing.tests.conftest import World, signed, totp_now

pytestmark = pytest.mark.django_db
BASE = "/api/v1/prescribing"


def body(world: World, **kw: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "consultation_id": str(world.consultation.public_id),
        "diagnosis": "Iron-deficiency anaemia in pregnancy",
        "lines": [
            {
                "drug": "ferrous_succinate_0_1",
                "dose": "0.2 g",
                "frequency": "bid",
                "days": 7,
                "quantity": 28,
            }
        ],
    }
    values.update(kw)
    return values


def post(client: Client, path: str, data: Any, **headers: str) -> Any:
    return client.post(f"{BASE}{path}", data, content_type="application/json", headers=headers)


def test_write_sign_review_and_she_reads_it(world: World) -> None:
    doctor = staff_client(world.clinician)
    created = post(doctor, "/prescriptions", body(world), **{"Idempotency-Key": "rx-1"})
    assert created.status_code == 201, created.json()
    again = post(doctor, "/prescriptions", body(world), **{"Idempotency-Key": "rx-1"})
    assert again.status_code == 200
    assert again.json()["id"] == created.json()["id"]
    assert Prescription.objects.count() == 1
    rx = created.json()["id"]
    signed_ = post(doctor, f"/prescriptions/{rx}/sign", {"otp_token": totp_now(world.clinician)})
    assert signed_.status_code == 200, signed_.json()
    assert signed_.json()["status"] == "pending_review"
    pharmacy = staff_client(world.pharmacist)
    queue = pharmacy.get(f"{BASE}/review-queue")
    assert [p["id"] for p in queue.json()] == [rx]
    decided = post(pharmacy, f"/prescriptions/{rx}/review", {"decision": "approved"})
    assert decided.status_code == 200
    assert decided.json()["status"] == "approved"
    mine = woman_client(world.woman).get(f"{BASE}/mine", HTTP_ACCEPT_LANGUAGE="en")
    [hers] = mine.json()
    assert hers["status"] == "approved"
    assert hers["findings"] == []
    [plan] = hers["plan"]
    assert plan.startswith("琥珀酸亚铁片 (Ferrous succinate 0.1 g (about 35 mg elemental iron))")
    assert "0.2 g" in plan
    assert hers["lines"][0]["frequency"] == "bid"


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"diagnosis": ""}, 400, "diagnosis_required", "diagnosis"),
        ({"lines": []}, 400, "lines_required", "lines"),
        (
            {"lines": [{"drug": "nope", "dose": "1", "frequency": "qd", "days": 1, "quantity": 1}]},
            400,
            "drug_unknown",
            "lines.0.drug",
        ),
        (
            {
                "lines": [
                    {
                        "drug": "diazepam_2_5",
                        "dose": "1",
                        "frequency": "qd",
                        "days": 1,
                        "quantity": 1,
                    }
                ]
            },
            400,
            "controlled_online",
            "lines.0.drug",
        ),
        (
            {
                "lines": [
                    {
                        "drug": "folic_acid_0_4",
                        "dose": "1",
                        "frequency": "hourly",
                        "days": 1,
                        "quantity": 1,
                    }
                ]
            },
            400,
            "choice_invalid",
            "lines.0.frequency",
        ),
        (
            {
                "lines": [
                    {
                        "drug": "folic_acid_0_4",
                        "dose": "1",
                        "frequency": "qd",
                        "days": 0,
                        "quantity": 1,
                    }
                ]
            },
            422,
            "invalid",
            "lines.0.days",
        ),
        ({"validity_days": 2}, 400, "validity_reason_required", "validity_reason"),
        ({"consultation_id": "not-a-uuid"}, 422, "invalid", "consultation_id"),
    ],
)
def test_bad_input_is_4xx_in_our_shape(
    world: World, change: dict[str, Any], status: int, code: str, field: str
) -> None:
    response = post(staff_client(world.clinician), "/prescriptions", body(world, **change))
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["field"] == field
    assert Prescription.objects.count() == 0


def test_six_lines_refused(world: World) -> None:
    line = {"drug": "folic_acid_0_4", "dose": "1", "frequency": "qd", "days": 1, "quantity": 1}
    response = post(staff_client(world.clinician), "/prescriptions", body(world, lines=[line] * 6))
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_drugs"


def test_signing_refusals(world: World) -> None:
    doctor = staff_client(world.clinician)
    rx = post(
        doctor,
        "/prescriptions",
        body(
            world,
            lines=[
                {"drug": "folic_acid_0_4", "dose": "1", "frequency": "qd", "days": 8, "quantity": 8}
            ],
        ),
    ).json()["id"]
    blocked = post(doctor, f"/prescriptions/{rx}/sign", {"otp_token": totp_now(world.clinician)})
    assert (blocked.status_code, blocked.json()["code"]) == (400, "prescription_blocked")
    missing = post(doctor, f"/prescriptions/{rx}/sign", {})
    assert (missing.status_code, missing.json()["field"]) == (422, "otp_token")


def test_access(world: World, make_woman: Any) -> None:
    prescription = signed(world)
    path = f"{BASE}/prescriptions/{prescription.public_id}"
    assert Client().get(path).status_code == 401
    assert woman_client(world.woman).get(path).status_code == 200
    assert woman_client(world.other_woman).get(path).status_code == 404
    assert staff_client(world.outsider).get(path).status_code == 404
    assert staff_client(world.nurse).get(path).status_code == 200
    # Only a pharmacist reviews: a nurse on her team gets 403 and nothing changes.
    nurse = post(
        staff_client(world.nurse),
        f"/prescriptions/{prescription.public_id}/review",
        {"decision": "approved"},
    )
    assert (nurse.status_code, nurse.json()["code"]) == (403, "not_pharmacist")
    assert staff_client(world.nurse).get(f"{BASE}/review-queue").status_code == 403
    assert staff_client(world.clinician).get(f"{BASE}/mine").status_code == 403
    assert woman_client(world.woman).get(f"{BASE}/formulary").status_code == 403
    prescription.refresh_from_db()
    assert prescription.status == "pending_review"
    # Another woman writing for herself, or an outsider in a consultation not theirs.
    other = post(staff_client(world.outsider), "/prescriptions", body(world))
    assert other.status_code == 404


def test_formulary_search(world: World) -> None:
    found = staff_client(world.pharmacist).get(f"{BASE}/formulary", {"q": "拉贝洛尔"}).json()
    assert [d["code"] for d in found] == ["labetalol_100"]
    assert found[0]["price_fen"] == 100
    assert "ACOG" in found[0]["source"]


def test_allergy_api(world: World) -> None:
    doctor = staff_client(world.clinician)
    made = post(
        doctor, "/allergies", {"woman_id": str(world.woman.public_id), "substance": "penicillin"}
    )
    assert made.status_code == 201
    twice = post(
        doctor, "/allergies", {"woman_id": str(world.woman.public_id), "substance": "penicillin"}
    )
    assert (twice.status_code, twice.json()["code"]) == (400, "allergy_recorded")
    stranger = post(
        staff_client(world.outsider),
        "/allergies",
        {"woman_id": str(world.woman.public_id), "substance": "penicillin"},
    )
    assert stranger.status_code == 404


def test_return_after_approval(world: World) -> None:
    prescription = signed(world)
    pharmacy = staff_client(world.pharmacist)
    path = f"/prescriptions/{prescription.public_id}/return"
    early = post(pharmacy, path, {"reasons": ["dose"]})
    assert (early.status_code, early.json()["code"]) == (400, "not_approved")
    post(pharmacy, f"/prescriptions/{prescription.public_id}/review", {"decision": "approved"})
    nurse = post(staff_client(world.nurse), path, {"reasons": ["dose"]})
    assert (nurse.status_code, nurse.json()["code"]) == (403, "not_pharmacist")
    assert post(woman_client(world.woman), path, {"reasons": ["dose"]}).status_code == 403
    assert post(Client(), path, {"reasons": ["dose"]}).status_code == 401
    none = post(pharmacy, path, {"reasons": []})
    assert (none.status_code, none.json()["code"], none.json()["field"]) == (
        400,
        "reasons_required",
        "reasons",
    )
    done = post(pharmacy, path, {"reasons": ["allergy"], "note": "Check her record"})
    assert done.status_code == 200
    assert done.json()["status"] == "returned"
    assert done.json()["review"]["decision"] == "returned"
    assert done.json()["review"]["note"] == "Check her record"
