"""The JSON API /api/v1 (django-ninja): routers from each app, one error format.

Errors are always JSON `{"code": ..., "message": ..., "field": ...}` with a localised message.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from anyun.accounts.api import router as accounts_router
from anyun.accounts.api_auth import API_AUTH
from anyun.assessment.api import router as assessment_router
from anyun.billing.api import router as billing_router
from anyun.consent.api import router as consent_router
from anyun.consultation.api import router as consultation_router
from anyun.core.errors import DomainError
from anyun.core.failures import TEXT_INVALID, failure_for, failure_for_status
from anyun.core.inputs import first_forbidden_param, first_forbidden_text
from anyun.delivery.api import router as delivery_router
from anyun.monitoring.api import router as monitoring_router
from anyun.notify.api import router as notify_router
from anyun.orders.api import router as orders_router
from anyun.pregnancy.api import router as pregnancy_router
from anyun.pregnancy.clinic_api import router as clinic_router
from anyun.prescribing.api import router as prescribing_router
from anyun.scheduling.api import router as scheduling_router
from anyun.staff.api import router as staff_router
from anyun.wellbeing.api import router as wellbeing_router

logger = logging.getLogger("anyun.api")


class TextCheckingParser(Parser):
    """JSON bodies and query strings whose text can be stored: a NUL or a lone surrogate
    (`"\\ud800"`) anywhere is refused with 400 and the field named."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        where = first_forbidden_text(data)
        if where is not None:
            raise DomainError(TEXT_INVALID.code, TEXT_INVALID.message, field=where or None)
        return data  # type: ignore[no-any-return]

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        where = first_forbidden_param(data.lists())
        if where is not None:
            raise DomainError(TEXT_INVALID.code, TEXT_INVALID.message, field=where)
        return super().parse_querydict(data, list_fields, request)


ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "description": "Every error under /api/: a stable code, a localised message, the field at fault.",
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "field": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
        "details": {},
        "red_flags": {
            "type": "array",
            "description": "Red flags of a refused check-in, raised all the same: do this now.",
            "items": {
                "type": "object",
                "properties": {
                    "alarm_id": {"type": "string"},
                    "grade": {"type": "string"},
                    "rule": {"type": "string"},
                    "label": {"type": "string"},
                    "action": {"type": "string"},
                    "action_text": {"type": "string"},
                },
            },
        },
        "crisis": {
            "anyOf": [{"type": "object"}, {"type": "null"}],
            "description": "Crisis guidance when she reported thoughts of self-harm.",
        },
    },
    "required": ["code", "message", "field"],
}
ERROR_RESPONSES = {
    "400": "The request was refused: a rule of the service, a malformed body or value.",
    "401": "Sign in first: no token or session, or one that has ended.",
    "403": "Not allowed for this account.",
    "404": "Not found, or not yours (never told apart).",
    "413": "The request body is larger than accepted.",
    "422": "Some fields are missing or malformed; `errors` lists each.",
    "429": "Too many attempts; see the Retry-After header.",
    "503": "Briefly unavailable; see the Retry-After header.",
}


class AnyunAPI(NinjaAPI):
    """The API whose schema documents, on every operation, the error answers it can give."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        schema["components"].setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        body = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                # The generator keys responses by int; JSON keys are strings, so mixing the two
                # would write "404" twice.
                responses = {str(k): v for k, v in operation.get("responses", {}).items()}
                operation["responses"] = responses
                for status, description in ERROR_RESPONSES.items():
                    if status == "401" and not operation.get("security"):
                        continue
                    if status == "413" and method not in {"post", "put", "patch"}:
                        continue
                    responses.setdefault(status, {"description": description, "content": body})
        return schema


api = AnyunAPI(
    title="Anyun API",
    version="1",
    description="Internet prenatal care: the same use cases as the web front ends.",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=API_AUTH,
    parser=TextCheckingParser(),
)
api.add_router("/v1/auth", accounts_router)
api.add_router("/v1/consent", consent_router)
api.add_router("/v1/pregnancy", pregnancy_router)
api.add_router("/v1/clinic", clinic_router)
api.add_router("/v1/monitoring", monitoring_router)
api.add_router("/v1/assessment", assessment_router)
api.add_router("/v1/wellbeing", wellbeing_router)
api.add_router("/v1/scheduling", scheduling_router)
api.add_router("/v1/consultation", consultation_router)
api.add_router("/v1/prescribing", prescribing_router)
api.add_router("/v1/orders", orders_router)
api.add_router("/v1/billing", billing_router)
api.add_router("/v1/delivery", delivery_router)
api.add_router("/v1/inbox", notify_router)
api.add_router("/v1/staff", staff_router)


def _error(
    request: HttpRequest, status: int, code: str, message: str, **extra: Any
) -> HttpResponse:
    body = {"code": code, "message": message, "field": None, **extra}
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    details = getattr(exc, "details", None)
    extra = {"details": details} if details is not None else {}
    extra.update(getattr(exc, "body_extra", None) or {})
    response = _error(request, exc.status, exc.code, str(exc.message), field=exc.field, **extra)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", _("Not found."))


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", _("Sign in first."))


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # The body parser wraps what it raises: a refused character keeps its own code and field.
    cause = exc.__cause__
    if isinstance(cause, DomainError):
        return domain_error(request, cause)
    failure = failure_for_status(exc.status_code)
    if exc.status_code == 400:
        return _error(request, 400, "body_invalid", _("The request body is not valid JSON."))
    if exc.status_code == 429:
        return _error(request, 429, "rate_limited", _("Too many requests. Try again later."))
    return _error(request, failure.status, failure.code, str(failure.message), field=None)


@api.exception_handler(Exception)
def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Input or an unavailable database explains most failures: answer those as such."""
    failure = failure_for(exc)
    if failure is None:
        logger.exception("Unexpected error in %s %s", request.method, request.path)
        failure = failure_for_status(500)
    response = _error(
        request, failure.status, failure.code, str(failure.message), field=failure.field
    )
    if failure.retry_after:
        response["Retry-After"] = str(failure.retry_after)
    return response


def field_path(error: dict[str, Any]) -> str:
    """The field as the client named it: ("body", "data", "gravidity") -> "gravidity"."""
    loc = [str(p) for p in error.get("loc", [])]
    if loc[:1] == ["body"] and len(loc) > 2:
        loc = loc[1:]
    return ".".join(loc[1:])


def field_message(error: dict[str, Any]) -> str:
    """A localised sentence for one of pydantic's per-field errors (its own text is English)."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"float_parsing", "float_type", "decimal_parsing", "decimal_type"}:
        return _("Enter a number.")
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Enter a value of at least %(limit)s.") % {
            "limit": ctx.get("ge", ctx.get("gt", ""))
        }
    if kind in {"less_than_equal", "less_than"}:
        return _("Enter a value of at most %(limit)s.") % {
            "limit": ctx.get("le", ctx.get("lt", ""))
        }
    if kind == "string_too_long":
        return _("Keep this to %(max)s characters.") % {"max": ctx.get("max_length", "")}
    if kind == "string_too_short":
        return _("Enter at least %(min)s characters.") % {"min": ctx.get("min_length", "")}
    if kind.startswith(("date", "datetime", "time")):
        return _("Enter a valid date or time (YYYY-MM-DD, ISO 8601).")
    if kind.startswith("uuid"):
        return _("Enter a valid identifier.")
    if kind.startswith("bool"):
        return _("Enter true or false.")
    if kind in {"enum", "literal_error"}:
        return _("Choose one of the listed values.")
    if kind in {"string_type", "string_unicode"}:
        return _("Enter text.")
    if kind in {"list_type", "dict_type", "model_type", "model_attributes_type"}:
        return _("This field has the wrong structure.")
    return _("This value is not valid.")


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [{"field": field_path(e), "message": field_message(e)} for e in exc.errors]
    return _error(
        request,
        422,
        "invalid",
        _("Some fields are missing or malformed."),
        field=errors[0]["field"] if errors else None,
        errors=errors,
    )
