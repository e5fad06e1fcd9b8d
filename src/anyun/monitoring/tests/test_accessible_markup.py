"""The alarm worklist and the alarm page as a screen reader meets them: named filters, links
that say whose alarm they open, a live region for new alarms, one heading per page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import staff_client

from anyun.monitoring.tests.conftest import Ward, bp

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_the_worklist_filters_are_named_and_each_link_says_whose_alarm(
    ward: Ward, record: Any
) -> None:
    result = record(bp(165, 112))
    (alarm,) = result.alarms
    name = ward.woman.woman_profile.real_name

    html = staff_client(ward.responsible).get("/clinic/alarms/", **ZH).content.decode()

    for control, label in (("status", "状态"), ("grade", "级别")):
        assert re.search(
            rf'<label class="visually-hidden" for="filter-{control}">{label}</label>\s*'
            rf'<select name="{control}" id="filter-{control}">',
            html,
        ), control
    link = re.search(rf'<a href="/clinic/alarms/{alarm.public_id}/">(.*?)</a>', html)
    assert link is not None
    assert re.fullmatch(
        rf'查看<span class="visually-hidden">: {name} · [^<]+</span>', link.group(1)
    )
    assert "<th></th>" not in html
    assert re.search(
        r'<p class="visually-hidden" id="alarm-announce" role="status" aria-live="polite"', html
    )


def test_the_alarm_page_has_one_heading_naming_the_alarm_and_the_woman(
    ward: Ward, record: Any
) -> None:
    (alarm,) = record(bp(165, 112)).alarms

    html = staff_client(ward.responsible).get(f"/clinic/alarms/{alarm.public_id}/", **ZH)

    headings = re.findall(r"<h1[^>]*>(.*?)</h1>", html.content.decode())
    assert len(headings) == 1
    assert headings[0].endswith(f" · {ward.woman.woman_profile.real_name}")
