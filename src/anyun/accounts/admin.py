"""Back office for the system administrator: staff accounts and roles.

Women's identities and health data are deliberately not here: the system administrator
manages configuration, not records (MLPS level 3 separation of duties).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from anyun.accounts.models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("username", "display_name", "role", "is_active", "locked_until", "date_joined")
    list_filter = ("role", "is_active")
    search_fields = ("username", "display_name")
    fields = ("username", "display_name", "role", "is_active", "date_joined", "last_login")
    readonly_fields = ("date_joined", "last_login")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A role is chosen when the account is made; changing it later would move an account
        # between the separated duties (e.g. make an administrator a clinician).
        return (
            (*self.readonly_fields, "role", "username") if obj is not None else self.readonly_fields
        )

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).exclude(role="woman")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # accounts are deactivated, never deleted: the audit trail points at them
