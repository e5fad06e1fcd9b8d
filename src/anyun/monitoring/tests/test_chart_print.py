"""The printed pregnancy chart (A4 PDF) names whose it is, in real text; the symptom timeline."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from xml.etree import ElementTree

import pytest
from conftest import staff_client, woman_client
from django.test import Client
from django.utils import timezone, translation
from pypdf import PdfReader

from anyun.core.crypto import mask_national_id
from anyun.monitoring.chart_data import ChartData, PrintHeader
from anyun.monitoring.chart_print import render_chart_pdf
from anyun.monitoring.tests.conftest import Ward, bp
from anyun.pregnancy.selectors import current_pregnancy_of

SVG = "{http://www.w3.org/2000/svg}"


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


@pytest.mark.django_db
def test_the_printed_chart_names_her_hospital_and_dates_in_real_text(
    ward: Ward, record: Any, settings: Any
) -> None:
    settings.ANYUN_HOSPITAL_NAME = "北京市安孕妇产医院"
    record(bp(128, 84), {"kind": "fundal_height", "value": 29.5})
    pregnancy = current_pregnancy_of(ward.woman)
    profile = ward.woman.woman_profile
    url = f"/monitoring/chart/{pregnancy.public_id}.pdf"
    client = staff_client(ward.responsible)
    before = timezone.localtime()
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    after = timezone.localtime()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert profile.real_name in text
    assert mask_national_id(profile.national_id) in text
    assert profile.national_id not in text
    assert profile.national_id[-8:] not in text
    assert "北京市安孕妇产医院" in text
    assert pregnancy.edd.isoformat() in text
    assert any(f"{moment:%Y-%m-%d %H:%M}" in text for moment in (before, after))
    assert "预产期" in text  # the header's labels, translated
    assert "宫高" in text  # the plots' own labels are text too
    assert "128/84" in text  # the latest measurements table


def test_the_print_date_is_local_and_the_page_one_a4_the_same_twice() -> None:
    # 23:30 UTC is 07:30 the next morning in Shanghai
    header = PrintHeader(
        hospital="安孕示范医院",
        name="王小红",
        masked_id="110***********1234",
        edd=dt.date(2026, 8, 1),
        printed_at=dt.datetime(2026, 5, 3, 23, 30, tzinfo=dt.UTC),
    )
    with translation.override("zh-hans"):
        first = render_chart_pdf(ChartData(), header)
        second = render_chart_pdf(ChartData(), header)
    assert first == second
    text = pdf_text(first)
    assert "2026-05-04 07:30" in text
    assert "2026-08-01" in text
    assert "暂无测量数据" in text or "No measurements yet" in text
    page = PdfReader(io.BytesIO(first)).pages[0]
    assert float(page.mediabox.width) == pytest.approx(595.28, abs=0.5)
    assert float(page.mediabox.height) == pytest.approx(841.89, abs=0.5)


@pytest.mark.django_db
def test_the_symptom_trend_is_a_timeline_of_her_reports(ward: Ward, record: Any) -> None:
    record({"kind": "symptom_report", "symptoms": ["headache", "visual_change"]})
    record(bp(150, 95, symptoms=["epigastric_pain"]))
    record(bp(120, 80))  # no symptom: not on the timeline
    client = woman_client(ward.woman)
    response = client.get("/monitoring/signs/symptom_report/trend.svg", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own renderer's output
    reports = [e for e in root.iter() if e.get("id", "").startswith("symptom-report-")]
    assert len(reports) == 2
    # each report's lines (long labels wrap), newest first
    newest, oldest = (
        " ".join("".join(t.itertext()) for t in r.iter(f"{SVG}text")) for r in reports
    )
    assert newest.endswith(" Pain below the ribs")
    assert "Headache that will not go away or is getting worse" in oldest
    assert oldest.endswith(" Blurred vision or seeing spots")
    assert "headache" not in oldest
    assert not any(e.get("id") == "trend-series" for e in root.iter())
    assert Client().get("/monitoring/signs/symptom_report/trend.svg").status_code in {302, 404}
