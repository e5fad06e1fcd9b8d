"""What a request that fails outside the use cases answers: never a bare 500 for bad input.

`failure_for` maps an exception that input or an unavailable database can cause to a status,
a stable code and a localised message: a value a column cannot hold is the client's 400, a
body past the limits its 413, a database that refuses connections a 503 with Retry-After.
Under /api/ the answer is the JSON error shape `{code, message, field}`; elsewhere a styled
page rendered without touching the database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    ValidationError,
)
from django.db import DataError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from PIL import Image

logger = logging.getLogger("anyun.failures")

API_PREFIX = "/api/"
RETRY_AFTER_SECONDS = 30


@dataclass(frozen=True)
class Failure:
    status: int
    code: str
    message: str | Promise
    field: str | None = None
    retry_after: int | None = None


TOO_LARGE = Failure(413, "request_too_large", _("The request is larger than this server accepts."))
VALUE_INVALID = Failure(
    400, "value_invalid", _("A value is too large, too long or not valid for its field.")
)
TEXT_INVALID = Failure(400, "text_invalid", _("The text contains a character that is not allowed."))
BAD_REQUEST = Failure(400, "bad_request", _("The request could not be understood."))
UNAVAILABLE = Failure(
    503,
    "unavailable",
    _("The service is briefly unavailable. Please try again in a moment."),
    retry_after=RETRY_AFTER_SECONDS,
)
NOT_FOUND = Failure(404, "not_found", _("Not found."))
FORBIDDEN = Failure(403, "forbidden", _("You do not have access to this page."))
METHOD_NOT_ALLOWED = Failure(405, "method_not_allowed", _("This method is not allowed here."))
SERVER_ERROR = Failure(
    500, "server_error", _("Something went wrong on our side. It has been logged.")
)

_BY_STATUS = {
    400: BAD_REQUEST,
    403: FORBIDDEN,
    404: NOT_FOUND,
    405: METHOD_NOT_ALLOWED,
    413: TOO_LARGE,
    503: UNAVAILABLE,
}


def failure_for_status(status: int) -> Failure:
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return SERVER_ERROR
    return Failure(status, "request_refused", BAD_REQUEST.message)


def failure_for(exc: BaseException) -> Failure | None:
    """The answer for an exception that input or the database's state explains, else None."""
    if isinstance(exc, RequestDataTooBig | Image.DecompressionBombError):
        return TOO_LARGE
    if isinstance(exc, TooManyFieldsSent):
        return TOO_LARGE
    # A value the database cannot hold, or one a model field refused on its way to a query
    # (e.g. a malformed UUID in a lookup).
    if isinstance(exc, DataError | OverflowError | ValidationError):
        return VALUE_INVALID
    if isinstance(exc, UnicodeError):
        return TEXT_INVALID
    if isinstance(exc, OperationalError | InterfaceError):
        return UNAVAILABLE
    if isinstance(exc, SuspiciousOperation | BadRequest | MultiPartParserError):
        return BAD_REQUEST
    return None


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def failure_response(request: HttpRequest, failure: Failure) -> HttpResponse:
    """The JSON error (API) or a page that needs no database (web) for `failure`."""
    response: HttpResponse
    if is_api(request):
        response = JsonResponse(
            {"code": failure.code, "message": str(failure.message), "field": failure.field},
            status=failure.status,
        )
    else:
        html = render_to_string(
            "web/error.html", {"status": failure.status, "message": failure.message}
        )
        response = HttpResponse(html, status=failure.status)
    if failure.retry_after:
        response["Retry-After"] = str(failure.retry_after)
    response["Cache-Control"] = "no-store"
    return response
