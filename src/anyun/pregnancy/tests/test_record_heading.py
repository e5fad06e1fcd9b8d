from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import woman_client

pytestmark = pytest.mark.django_db


def test_the_pregnancy_record_page_has_one_heading(make_woman: Any) -> None:
    woman = make_woman(pregnant_weeks=20)

    html = woman_client(woman).get("/pregnancy/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert re.findall(r"<h1[^>]*>(.*?)</h1>", html) == ["我的孕期档案"]
