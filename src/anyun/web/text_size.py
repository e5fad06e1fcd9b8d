"""The phone pages' text size: standard, or large for a woman who reads better with bigger text.

Her choice is a cookie the server reads to put a class on <html>, so it works without scripts
and the page is drawn at her size from the first paint. The root font size stays relative to
the browser's own setting, so "large" scales whatever size her browser already gives.
"""

from __future__ import annotations

from django.http import HttpRequest

TEXT_SIZE_COOKIE = "anyun_text_size"
STANDARD = "standard"
LARGE = "large"
TEXT_SIZES = (STANDARD, LARGE)
# A year: the choice belongs to her device, like the language.
TEXT_SIZE_MAX_AGE = 365 * 24 * 60 * 60


def text_size_of(request: HttpRequest) -> str:
    """Her chosen size, STANDARD for anything missing or unknown."""
    size = request.COOKIES.get(TEXT_SIZE_COOKIE, STANDARD)
    return size if size in TEXT_SIZES else STANDARD
