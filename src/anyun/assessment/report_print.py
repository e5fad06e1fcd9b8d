"""The printed report to the district maternal-child health institution: one A4 page laid out
by WeasyPrint (as the printed pregnancy chart), its text real text, CJK included. Nothing is
fetched while rendering: every protocol is refused."""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from anyun.assessment.selectors import ReportView

__all__ = ["render_report_pdf"]


def render_report_pdf(view: ReportView) -> bytes:
    html = render_to_string(
        "assessment/report_print.html",
        {"view": view, "printed_at": timezone.localtime(view.header.printed_at)},
    )
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    document = HTML(string=html, url_fetcher=fetcher).render()
    buffer = io.BytesIO()
    document.write_pdf(buffer)
    return buffer.getvalue()
