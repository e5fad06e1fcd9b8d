"""The consultation record as PDF (FB-6: she may view and copy her records): WeasyPrint, as
the printed pregnancy chart; nothing is fetched while rendering."""

from __future__ import annotations

import io

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from anyun.consultation.models import ConsultationRecord
from anyun.scheduling.selectors import woman_name


def render_record_pdf(record: ConsultationRecord, diagnoses: list[tuple[str, str]]) -> bytes:
    consultation = record.consultation
    html = render_to_string(
        "consultation/record_print.html",
        {
            "r": record,
            "c": consultation,
            "diagnoses": diagnoses,
            "name": woman_name(consultation.woman),
            "hospital": settings.ANYUN_HOSPITAL_NAME,
            "printed_at": timezone.localtime(),
        },
    )
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    buffer = io.BytesIO()
    HTML(string=html, url_fetcher=fetcher).render().write_pdf(buffer)
    return buffer.getvalue()
