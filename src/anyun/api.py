"""The JSON API /api/v1 (django-ninja): routers from each app, one error format.

Errors are always JSON `{"code": ..., "message": ..., "field": ...}` with a localised message.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from anyun.accounts.api import router as accounts_router
from anyun.careteam.api import router as clinic_router
from anyun.consent.api import router as consent_router
from anyun.core.api_auth import API_AUTH
from anyun.core.errors import DomainError
from anyun.monitoring.api import router as monitoring_router
from anyun.notify.api import router as notify_router
from anyun.pregnancy.api import router as pregnancy_router
from anyun.staff.api import router as staff_router

api = NinjaAPI(
    title="Anyun API",
    version="1",
    description="Internet prenatal care: the same use cases as the web front ends.",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=API_AUTH,
)
api.add_router("/v1/auth", accounts_router)
api.add_router("/v1/consent", consent_router)
api.add_router("/v1/pregnancy", pregnancy_router)
api.add_router("/v1/clinic", clinic_router)
api.add_router("/v1/monitoring", monitoring_router)
api.add_router("/v1/inbox", notify_router)
api.add_router("/v1/staff", staff_router)


def _error(
    request: HttpRequest, status: int, code: str, message: str, **extra: Any
) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    details = getattr(exc, "details", None)
    extra = {"details": details} if details is not None else {}
    return _error(request, exc.status, exc.code, str(exc.message), field=exc.field, **extra)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", _("Not found."))


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", _("Sign in first."))


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": ".".join(str(p) for p in e.get("loc", [])[1:]), "message": e.get("msg", "")}
        for e in exc.errors
    ]
    first = errors[0] if errors else {"field": None}
    return _error(
        request,
        422,
        "invalid",
        _("Some fields are missing or malformed."),
        field=first["field"],
        errors=errors,
    )
