"""The pages: her to-do list with the preparation, booking, her result with plain words and
the trend, the PDF with her values; the clinician's order form, result entry and list; 404 for
anyone else."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from conftest import staff_client, woman_client
from django.utils import timezone
from pypdf import PdfReader

from anyun.audit.models import AuditEvent
from anyun.orders.models import LabOrder, OrderStatus, Report
from anyun.orders.tests.conftest import World, next_weekday_morning, order, report, v

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_her_todo_list_shows_how_to_prepare(world: World) -> None:
    found = order(world, "ogtt")
    page = woman_client(world.woman).get("/orders/mine/", **EN)
    assert page.status_code == 200
    text = page.content.decode()
    assert "75 g oral glucose tolerance test" in text and "8 to 12 hours" in text
    detail = woman_client(world.woman).get(f"/orders/mine/{found.public_id}/", **EN)
    assert detail.status_code == 200 and "Book a time at the hospital" in detail.content.decode()
    chinese = woman_client(world.woman).get("/orders/mine/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "空腹" in chinese.content.decode()


def test_she_books_on_the_page(world: World) -> None:
    found = order(world, "fbc")
    when = next_weekday_morning(9, 30)
    response = woman_client(world.woman).post(
        f"/orders/mine/{found.public_id}/", {"starts_at": when.isoformat()}
    )
    assert response.status_code == 302
    found.refresh_from_db()
    assert found.status == OrderStatus.BOOKED and found.booked_for == when


def test_her_result_page_trend_and_pdf(world: World, time_machine: Any) -> None:
    report(world, order(world, "fbc"), v("hb", 118))
    time_machine.move_to(timezone.now() + timedelta(days=20), tick=False)
    latest = report(world, order(world, "fbc"), v("hb", 104), v("platelets", 150))
    her = woman_client(world.woman)
    page = her.get(f"/orders/mine/results/{latest.public_id}/", **EN)
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="result-hb" data-flag="low"' in text
    assert "Lower than the usual range." in text and "anaemia" in text
    assert 'data-testid="trend-hb"' in text and "118" in text
    pdf = her.get(f"/orders/results/{latest.public_id}/pdf/", **EN)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    words = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "104" in words and "150" in words and "Haemoglobin" in words
    assert AuditEvent.objects.filter(action="lab_report_print", subject_id=world.woman.pk).exists()
    assert AuditEvent.objects.filter(action="lab_report_read", subject_id=world.woman.pk).exists()


def test_others_get_404(world: World) -> None:
    found = order(world, "fbc")
    entered = report(world, found, v("hb", 104))
    other = woman_client(world.other_woman)
    assert other.get(f"/orders/mine/{found.public_id}/").status_code == 404
    assert other.get(f"/orders/mine/results/{entered.public_id}/").status_code == 404
    assert other.get(f"/orders/results/{entered.public_id}/pdf/").status_code == 404
    outsider = staff_client(world.outsider)
    assert outsider.get(f"/orders/clinic/{found.public_id}/").status_code == 404
    assert outsider.get(f"/orders/clinic/results/{entered.public_id}/").status_code == 404
    assert outsider.get(f"/orders/results/{entered.public_id}/pdf/").status_code == 404
    assert outsider.get(f"/orders/clinic/woman/{world.woman.public_id}/new/").status_code == 404
    assert staff_client(world.pharmacist).get("/orders/clinic/").status_code == 404
    assert not AuditEvent.objects.filter(
        action__in=["lab_report_read", "lab_report_print", "lab_order_read"]
    ).exists()


def test_clinician_orders_enters_results_and_sees_abnormal_first(world: World) -> None:
    doctor = staff_client(world.clinician)
    form = doctor.get(f"/orders/clinic/woman/{world.woman.public_id}/new/", **EN)
    assert form.status_code == 200 and "Full blood count" in form.content.decode()
    created = doctor.post(
        f"/orders/clinic/woman/{world.woman.public_id}/new/",
        {"tests": ["fbc", "urinalysis"], "reason": "Booking visit"},
    )
    assert created.status_code == 302
    found = LabOrder.objects.get()
    assert found.tests == ["fbc", "urinalysis"]
    entry = staff_client(world.nurse).post(
        f"/orders/clinic/{found.public_id}/",
        {"hb": "98", "platelets": "210", "urine_protein": "negative"},
    )
    assert entry.status_code == 302
    entered = Report.objects.get()
    assert entered.abnormal and entered.source == "staff"
    refused = staff_client(world.nurse).post(
        f"/orders/clinic/{found.public_id}/", {"hb": "5"}, **EN
    )
    assert refused.status_code == 200
    assert "This value cannot be right" in refused.content.decode()
    listed = doctor.get("/orders/clinic/", **EN).content.decode()
    assert 'data-abnormal="1"' in listed and "Haemoglobin 98" in listed
    assert f"/orders/clinic/woman/{world.woman.public_id}/new/" in listed
