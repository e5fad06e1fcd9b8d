"""The prescribing pages: the clinician writes and signs, the pharmacist decides, she reads
hers; refusals beside their field; access."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import staff_client as signed_in_staff
from conftest import woman_client as signed_in_woman
from django.test import Client

from anyun.prescribing.models import Allergy, Drug, Prescription, PrescriptionStatus
from anyun.prescribing.tests.conftest import World, draft, line, signed, totp_now

pytestmark = pytest.mark.django_db


def staff_client(user: Any) -> Client:
    client = signed_in_staff(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def woman_client(user: Any) -> Client:
    client = signed_in_woman(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def form(**lines: Any) -> dict[str, Any]:
    data = {"diagnosis": "Nausea and vomiting of pregnancy", "validity_days": "1"}
    data.update(lines)
    return data


def test_clinician_writes_sees_checks_and_signs(world: World) -> None:
    client = staff_client(world.clinician)
    page = client.get(f"/prescribing/consultation/{world.consultation.public_id}/new/")
    assert page.status_code == 200
    assert "Folic acid" in page.content.decode()
    assert "Diazepam" not in page.content.decode()  # controlled drugs are not offered online
    posted = client.post(
        f"/prescribing/consultation/{world.consultation.public_id}/new/",
        form(
            **{
                "line-0-drug": "ferrous_succinate_0_1",
                "line-0-dose": "0.1 g",
                "line-0-frequency": "tid",
                "line-0-days": "7",
                "line-0-quantity": "21",
                "line-1-drug": "calcium_carbonate_0_6",
                "line-1-dose": "1 tablet",
                "line-1-frequency": "bid",
                "line-1-days": "7",
                "line-1-quantity": "14",
            }
        ),
    )
    prescription = Prescription.objects.get()
    assert posted.status_code == 302
    detail = client.get(f"/prescribing/{prescription.public_id}/").content.decode()
    assert "calcium reduces the absorption of iron" in detail
    assert 'data-testid="finding-warn"' in detail
    refused = client.post(
        f"/prescribing/{prescription.public_id}/", {"otp_token": totp_now(world.clinician)}
    )
    assert refused.status_code == 200
    assert "State why the warnings are accepted before signing." in refused.content.decode()
    done = client.post(
        f"/prescribing/{prescription.public_id}/",
        {
            "otp_token": totp_now(world.clinician),
            "warning_reason": "Told her to take them 2 h apart",
        },
    )
    assert done.status_code == 302
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.PENDING_REVIEW


def test_a_line_error_shows_beside_its_field(world: World) -> None:
    client = staff_client(world.clinician)
    page = client.post(
        f"/prescribing/consultation/{world.consultation.public_id}/new/",
        form(
            **{
                "line-0-drug": "folic_acid_0_4",
                "line-0-dose": "",
                "line-0-frequency": "qd",
                "line-0-days": "7",
                "line-0-quantity": "7",
            }
        ),
    )
    assert page.status_code == 200
    assert page.context["lines"][0].errors["dose"] == ["This field is required."]
    empty = client.post(f"/prescribing/consultation/{world.consultation.public_id}/new/", form())
    assert "Add at least one drug." in empty.content.decode()
    assert Prescription.objects.count() == 0


def test_allergy_recorded_from_the_page(world: World) -> None:
    client = staff_client(world.clinician)
    client.post(
        f"/prescribing/consultation/{world.consultation.public_id}/allergy/",
        {"substance": "penicillin", "reaction": "hives"},
    )
    assert list(Allergy.objects.values_list("substance", "reaction")) == [("penicillin", "hives")]


def test_pharmacist_returns_with_labelled_reasons_and_clinician_revises(world: World) -> None:
    prescription = signed(world)
    pharmacy = staff_client(world.pharmacist)
    queue = pharmacy.get("/prescribing/review/").content.decode()
    assert str(prescription.public_id) in queue
    bad = pharmacy.post(f"/prescribing/review/{prescription.public_id}/", {"decision": "returned"})
    assert "Choose at least one reason for the return." in bad.content.decode()
    pharmacy.post(
        f"/prescribing/review/{prescription.public_id}/",
        {"decision": "returned", "reasons": ["dose", "quantity"], "note": "One tablet a day"},
    )
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.RETURNED
    doctor = staff_client(world.clinician)
    page = doctor.get(f"/prescribing/{prescription.public_id}/").content.decode()
    assert "Dose, frequency or duration not appropriate" in page
    assert ">dose<" not in page
    revised = doctor.post(f"/prescribing/{prescription.public_id}/revise/")
    new = Prescription.objects.get(version=2)
    assert revised["Location"] == f"/prescribing/{new.public_id}/edit/"


def test_she_sees_hers_in_plain_words_and_not_others(world: World) -> None:
    prescription = signed(
        world, line("labetalol_100", dose="1 tablet", frequency="bid", quantity=14)
    )
    mine = woman_client(world.woman)
    page = mine.get("/prescribing/mine/").content.decode()
    assert "take 1 tablet twice a day for 7 days" in page
    assert mine.get(f"/prescribing/mine/{prescription.public_id}/").status_code == 200
    assert (
        woman_client(world.other_woman)
        .get(f"/prescribing/mine/{prescription.public_id}/")
        .status_code
        == 404
    )
    assert (
        "labetalol"
        not in woman_client(world.other_woman).get("/prescribing/mine/").content.decode().lower()
    )


def test_draft_is_not_hers_to_see(world: World) -> None:
    prescription = draft(world)
    assert (
        woman_client(world.woman).get(f"/prescribing/mine/{prescription.public_id}/").status_code
        == 404
    )


def test_page_access(world: World) -> None:
    prescription = signed(world)
    assert (
        staff_client(world.outsider).get(f"/prescribing/{prescription.public_id}/").status_code
        == 404
    )
    assert (
        staff_client(world.outsider)
        .get(f"/prescribing/consultation/{world.consultation.public_id}/new/")
        .status_code
        == 404
    )
    assert (
        staff_client(world.nurse).get(f"/prescribing/review/{prescription.public_id}/").status_code
        == 404
    )
    assert staff_client(world.clinician).get("/prescribing/review/").status_code == 404
    assert woman_client(world.woman).get("/prescribing/review/").status_code == 404
    assert Client().get("/prescribing/review/").status_code == 302


def test_pharmacist_edits_the_formulary(world: World) -> None:
    pharmacy = staff_client(world.pharmacist)
    drug = Drug.objects.get(code="folic_acid_0_4")
    page = pharmacy.get(f"/prescribing/formulary/{drug.public_id}/edit/")
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    data.update(stock="1999", is_active="on")
    saved = pharmacy.post(f"/prescribing/formulary/{drug.public_id}/edit/", data)
    assert saved.status_code == 302
    drug.refresh_from_db()
    assert drug.stock == 1999
    assert (
        staff_client(world.clinician)
        .get(f"/prescribing/formulary/{drug.public_id}/edit/")
        .status_code
        == 404
    )
    assert (
        "叶酸片"
        in staff_client(world.clinician)
        .get("/prescribing/formulary/", {"q": "folic"})
        .content.decode()
    )


def test_pharmacist_returns_an_approved_one_from_its_page(world: World) -> None:
    prescription = signed(world)
    pharmacy = staff_client(world.pharmacist)
    pharmacy.post(f"/prescribing/review/{prescription.public_id}/", {"decision": "approved"})
    queue = pharmacy.get("/prescribing/review/").content.decode()
    assert f"/prescribing/review/{prescription.public_id}/" in queue  # recently decided
    page = pharmacy.get(f"/prescribing/review/{prescription.public_id}/").content.decode()
    assert 'data-testid="return-form"' in page
    path = f"/prescribing/review/{prescription.public_id}/return/"
    bad = pharmacy.post(path, {"reasons": []})
    assert "Choose at least one reason for the return." in bad.content.decode()
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.APPROVED
    # A nurse on her team cannot; the page answers 404 as for every non-pharmacist.
    assert staff_client(world.nurse).post(path, {"reasons": ["dose"]}).status_code == 404
    done = pharmacy.post(path, {"reasons": ["stock"], "note": "None left"})
    assert done["Location"] == "/prescribing/review/"
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.RETURNED
    doctor = staff_client(world.clinician).get(f"/prescribing/{prescription.public_id}/")
    assert "Not available at the hospital pharmacy" in doctor.content.decode()
    after = pharmacy.get(f"/prescribing/review/{prescription.public_id}/").content.decode()
    assert 'data-testid="return-form"' not in after
