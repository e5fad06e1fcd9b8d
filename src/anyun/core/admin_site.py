"""The back office (Django admin) for the system administrator only.

Signing in goes through the staff sign-in (password + TOTP, lockout); the admin's own
password-only login form is never used. Health records are not registered here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse


class AnyunAdminSite(admin.AdminSite):
    site_header = "Anyun"
    site_title = "Anyun"

    def has_permission(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(
            super().has_permission(request) and user.role == "system_admin" and user.is_verified()
        )

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path(), "accounts:staff_login")


class AnyunAdminConfig(AdminConfig):
    default_site = "anyun.core.admin_site.AnyunAdminSite"
