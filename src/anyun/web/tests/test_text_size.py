"""The phone pages' text-size switch: a cookie the server reads to mark <html>, no script."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import woman_client
from django.test import Client

from anyun.web.text_size import TEXT_SIZE_COOKIE, TEXT_SIZE_MAX_AGE

pytestmark = pytest.mark.django_db

HTML_TAG = re.compile(r"<html[^>]*>")


def _html_tag(client: Client, path: str) -> str:
    found = HTML_TAG.search(client.get(path).content.decode())
    assert found is not None
    return found.group(0)


def test_large_text_is_kept_in_a_cookie_and_marks_every_page(make_woman: Any) -> None:
    client = woman_client(make_woman(pregnant_weeks=20))
    assert "text-large" not in _html_tag(client, "/monitoring/")

    response = client.post("/text-size/", {"size": "large", "next": "/monitoring/"})

    assert response.status_code == 302
    assert response["Location"] == "/monitoring/"
    cookie = response.cookies[TEXT_SIZE_COOKIE]
    assert cookie.value == "large"
    assert cookie["max-age"] == TEXT_SIZE_MAX_AGE
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    for path in ("/", "/monitoring/record/", "/inbox/", "/accounts/me/"):
        assert _html_tag(client, path) == '<html lang="zh-hans" class="text-large">', path
    page = client.get("/").content.decode()
    assert 'name="size" value="standard"' in page and "标准字" in page

    client.post("/text-size/", {"size": "standard", "next": "/"})
    assert _html_tag(client, "/") == '<html lang="zh-hans">'
    assert "大字" in client.get("/").content.decode()


def test_a_visitor_can_switch_before_signing_in() -> None:
    client = Client()
    assert "大字" in client.get("/accounts/login/").content.decode()
    client.post("/text-size/", {"size": "large", "next": "/accounts/login/"})
    assert _html_tag(client, "/accounts/login/") == '<html lang="zh-hans" class="text-large">'


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""]
)
def test_the_switch_only_goes_back_to_our_own_pages(next_url: str) -> None:
    response = Client().post("/text-size/", {"size": "large", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_an_unknown_size_changes_nothing_and_a_get_is_refused() -> None:
    client = Client()
    response = client.post("/text-size/", {"size": "huge", "next": "/"})
    assert response.status_code == 302
    assert TEXT_SIZE_COOKIE not in response.cookies
    client.cookies[TEXT_SIZE_COOKIE] = "huge"
    assert _html_tag(client, "/") == '<html lang="zh-hans">'
    assert client.get("/text-size/").status_code == 405
