"""The printed pregnancy chart (FA-4): one A4 page, its text real text, CJK included.

WeasyPrint lays out the page: the header (hospital, her name, masked ID number, EDD, date
printed) and the table of latest measurements as HTML, the four panels as the chart's own
SVG (drawn by :mod:`anyun.monitoring.charts`), which WeasyPrint draws as vector graphics with
its text kept as text. Fonts are embedded as subsets, OpenType/CFF included (fonts-noto-cjk),
so every word can be selected, searched and extracted.

Nothing is fetched while rendering: the chart comes as a ``data:`` URI, and the fetcher refuses
every other protocol.
"""

from __future__ import annotations

import base64
import io
from typing import Final

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from anyun.clinical.dating import GestationalAge
from anyun.monitoring.chart_data import ChartData, ChartPoint, PrintHeader
from anyun.monitoring.charts import PRINT, render_chart_svg

__all__ = ["render_chart_pdf"]

_TEMPLATE: Final = "monitoring/chart_print.html"
_CHART_URI_PREFIX: Final = "data:image/svg+xml;base64,"


def render_chart_pdf(data: ChartData, header: PrintHeader) -> bytes:
    """The chart as a one-page A4 portrait PDF. Same data and header, same bytes.

    Texts come translated in ``data.labels`` and from the template in the active language.
    """
    svg = render_chart_svg(data, layout=PRINT)
    html = render_to_string(
        _TEMPLATE,
        {
            "header": header,
            "printed_at": timezone.localtime(header.printed_at),
            "labels": data.labels,
            "latest": _latest_rows(data),
            "chart_uri": _CHART_URI_PREFIX + base64.b64encode(svg.encode()).decode("ascii"),
        },
    )
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    document = HTML(string=html, url_fetcher=fetcher).render()
    buffer = io.BytesIO()
    document.write_pdf(buffer)
    return buffer.getvalue()


def _latest_rows(data: ChartData) -> list[tuple[str, str, str]]:
    """(measure, latest value, gestational age) per panel; "" where nothing was measured."""
    labels = data.labels
    rows = [
        _latest(labels.sfh, data.sfh),
        _latest(labels.weight, data.weight_gain),
        _latest(labels.ac, data.ac),
    ]
    last_bp = max(data.bp, key=lambda point: point.ga_days, default=None)
    if last_bp is None:
        rows.append((labels.bp, "", ""))
    else:
        rows.append(
            (
                labels.bp,
                f"{last_bp.systolic}/{last_bp.diastolic}",
                str(GestationalAge(last_bp.ga_days)),
            )
        )
    return rows


def _latest(title: str, points: list[ChartPoint]) -> tuple[str, str, str]:
    last = max(points, key=lambda point: point.ga_days, default=None)
    if last is None:
        return (title, "", "")
    return (title, f"{last.value:g}", str(GestationalAge(last.ga_days)))
