"""The charts' text alternatives: a summary in words, the plotted values as tables with their
reference ranges, a key that does not rely on colour, and a text flag on values outside the
alarm thresholds in force."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from conftest import woman_client

from anyun.accounts.models import Role
from anyun.monitoring import services
from anyun.monitoring.tests.conftest import Ward, ago, bp

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _flags(html: str) -> list[tuple[str, str]]:
    return re.findall(r'data-flag="(high|low)">([^<]+)</strong>', html)


def test_the_history_flags_values_outside_the_thresholds_in_words(ward: Ward, record: Any) -> None:
    record(bp(118, 76, measured_at=ago(hours=3)))
    record(bp(150, 96, measured_at=ago(hours=2)))
    record(bp(132, 84, measured_at=ago(hours=1)))

    page = woman_client(ward.woman).get("/monitoring/signs/blood_pressure/", **ZH)

    html = page.content.decode()
    assert _flags(html) == [("high", "偏高")]
    rows = page.context["rows"]
    assert [(r.reading.systolic, r.flag.code if r.flag else None) for r in rows] == [
        (132, None),
        (150, "high"),
        (118, None),
    ]


def test_a_low_value_is_flagged_low_and_english_says_so(ward: Ward, record: Any) -> None:
    record({"kind": "fetal_heart_rate", "value": 104, "measured_at": ago(hours=1)})

    page = woman_client(ward.woman).get(
        "/monitoring/signs/fetal_heart_rate/", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert _flags(page.content.decode()) == [("low", "Low")]


def test_the_flag_follows_the_hospitals_threshold_in_force(
    ward: Ward, record: Any, make_staff: Any
) -> None:
    record({"kind": "pulse", "value": 103, "measured_at": ago(hours=1)})
    client = woman_client(ward.woman)
    assert _flags(client.get("/monitoring/signs/pulse/", **ZH).content.decode()) == [
        ("high", "偏高")
    ]

    change = services.threshold_change_propose(
        actor=make_staff(Role.QUALITY_MANAGER),
        name="pulse_high",
        value=Decimal("105"),
        reason="Hospital protocol review 2026",
    )
    services.threshold_change_decide(actor=ward.head, change_id=change.public_id, approve=True)

    assert _flags(client.get("/monitoring/signs/pulse/", **ZH).content.decode()) == []


def test_the_trend_has_a_summary_a_key_and_a_table_of_its_values(ward: Ward, record: Any) -> None:
    record(bp(118, 76, measured_at=ago(days=2)))
    record(bp(150, 96, measured_at=ago(hours=1)))

    html = woman_client(ward.woman).get("/monitoring/signs/blood_pressure/", **ZH).content.decode()

    summary = re.search(r'<p id="trend-summary" data-testid="chart-summary">([^<]+)</p>', html)
    assert summary is not None
    assert "2" in summary.group(1) and "150/96 mmHg" in summary.group(1)
    assert 'aria-describedby="trend-summary"' in html
    assert "实线为收缩压，虚线为舒张压" in html  # the key names line styles, not colours
    table = html[html.index('data-testid="chart-data"') :]
    assert "<details" in html and "<summary>" in table
    assert re.search(
        r"<td>\d{4}-\d\d-\d\d \d\d:\d\d</td><td>150/96 mmHg</td><td>居家测量</td>", table
    )


def test_the_pregnancy_chart_has_its_values_and_reference_bands_as_tables(
    ward: Ward, record: Any
) -> None:
    record({"kind": "fundal_height", "value": "29.5"}, {"kind": "weight", "value": "62"})

    page = woman_client(ward.woman).get("/monitoring/chart/", **ZH)

    html = page.content.decode()
    assert 'aria-describedby="chart-summary"' in html
    assert re.search(r'data-testid="chart-summary">[^<]*29.5', html)
    tables = page.context["chart_tables"]
    sfh, weight, ac, bp_table = tables
    assert [(r.value, r.source) for r in sfh.rows] == [("29.5", "居家测量")]
    # Fundal height is drawn against P10-P90 at her GA (30 weeks): a range, not empty.
    assert re.fullmatch(r"\d+(\.\d)?–\d+(\.\d)?", sfh.rows[0].reference)
    assert sfh.reference_label == "P10–P90"
    assert ac.rows == [] and bp_table.rows == []
    assert html.count('data-testid="chart-table"') == 4
    assert "空心圆为居家测量，实心方块为院内测量" in html
