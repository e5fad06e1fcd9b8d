"""The JSON API /api/v1 (django-ninja): routers from each app, one error format."""

from __future__ import annotations

from ninja import NinjaAPI

from anyun.notify.api import router as notify_router
from anyun.staff.api import router as staff_router

api = NinjaAPI(title="Anyun API", version="1", urls_namespace="api", docs_url="/docs", openapi_url="/openapi.json")
api.add_router("/v1/inbox", notify_router)
api.add_router("/v1/staff", staff_router)
