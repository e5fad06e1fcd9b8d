"""Request guards shared by every endpoint (see core.failures for the answers).

- A body declared larger than the upload limit (plus room for form fields) is refused with
  413 before it is read.
- Query and form parameters with a NUL or a lone surrogate are refused with 400.
- An exception that input or the database's state explains becomes its 4xx/503 answer
  instead of a 500, whatever the DEBUG setting.
- Under /api/, an error answered as HTML or `{"detail": ...}` gets the JSON error shape.
- Pages and API answers are never stored by browsers or proxies (they carry health data);
  static files are served outside this chain and stay cacheable.
- A request reads the versions of the small tables held in the process once, all together.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from anyun.core.failures import (
    TEXT_INVALID,
    TOO_LARGE,
    Failure,
    failure_for,
    failure_for_status,
    failure_response,
    is_api,
)
from anyun.core.inputs import first_forbidden_param
from anyun.core.versioned import versions_read_together

logger = logging.getLogger("anyun.failures")

# Form fields and multipart framing beside the largest accepted file.
BODY_MARGIN_BYTES = 1024 * 1024


class FailureMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self._refusal(request)
        if refusal is not None:
            return failure_response(request, refusal)
        response = self.get_response(request)
        if is_api(request) and response.status_code >= 400 and not _is_our_json(response):
            return failure_response(request, failure_for_status(response.status_code))
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        failure = failure_for(exception)
        if failure is None:
            return None
        logger.warning(
            "%s %s answered %s: %r", request.method, request.path, failure.status, exception
        )
        return failure_response(request, failure)

    @staticmethod
    def _refusal(request: HttpRequest) -> Failure | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.ANYUN_UPLOAD_MAX_BYTES + BODY_MARGIN_BYTES:
            return TOO_LARGE
        field = first_forbidden_param(request.GET.lists())
        if field is not None:
            return Failure(TEXT_INVALID.status, TEXT_INVALID.code, TEXT_INVALID.message, field)
        return None


def _is_our_json(response: HttpResponse) -> bool:
    if not response.get("Content-Type", "").startswith("application/json"):
        return False
    try:
        body = json.loads(response.content)
    except (ValueError, AttributeError):
        return False
    return isinstance(body, dict) and "code" in body and "message" in body


class VersionsMiddleware:
    """A request reads the versions of the values held in the process once, together
    (`anyun.core.versioned.versions_read_together`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with versions_read_together():
            return self.get_response(request)


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        patch_vary_headers(response, ["Cookie", "Authorization"])
        return response
