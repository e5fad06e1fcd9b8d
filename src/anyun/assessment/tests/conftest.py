"""The monitoring ward (a woman, her care team, the duty list) and its check-in helper; the
texts these tests compare are read in English (the product's default language is Chinese)."""

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from anyun.monitoring.tests.conftest import record, ward

__all__ = ["english", "in_english", "record", "ward"]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def in_english(client: Client) -> Client:
    """The client's pages in English (the language cookie, as the language switch sets it)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
