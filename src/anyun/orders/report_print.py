"""Her lab report as PDF (she may view and copy her records, DOMAIN.md section 9): WeasyPrint,
as the consultation record; nothing is fetched while rendering."""

from __future__ import annotations

import io

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from anyun.orders import selectors
from anyun.orders.models import Report


def render_report_pdf(report: Report) -> bytes:
    html = render_to_string(
        "orders/report_print.html",
        {
            "report": report,
            "order": report.order,
            "tests": selectors.test_rows(report.order.tests),
            "rows": selectors.result_rows(report),
            "name": selectors.woman_name(report.woman),
            "hospital": settings.ANYUN_HOSPITAL_NAME,
            "printed_at": timezone.localtime(),
        },
    )
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    buffer = io.BytesIO()
    HTML(string=html, url_fetcher=fetcher).render().write_pdf(buffer)
    return buffer.getvalue()
