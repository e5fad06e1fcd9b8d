"""Read-only views of the outbox for administrators (the console page is notify:deliveries)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from anyun.core.crypto import mask_phone
from anyun.notify.models import Delivery, Notification


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ("channel", "state", "attempts", "next_attempt_at", "sent_at", "last_error")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "recipient", "title", "in_inbox", "read_at")
    list_filter = ("kind", "in_inbox")
    list_select_related = ("recipient",)
    search_fields = ("kind", "title", "dedup_key")
    date_hierarchy = "created_at"
    fields = (
        "public_id",
        "recipient",
        "kind",
        "title",
        "link",
        "dedup_key",
        "in_inbox",
        "read_at",
        "created_at",
    )
    readonly_fields = fields
    inlines = (DeliveryInline,)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "notification",
        "channel",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "masked_phone",
    )
    list_filter = ("state", "channel")
    list_select_related = ("notification",)
    date_hierarchy = "created_at"
    # The phone is shown masked; the text copy (it may hold a one-time code) never.
    fields = (
        "notification",
        "channel",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "provider_reference",
        "last_error",
        "masked_phone",
        "redact_after_send",
        "job_id",
        "created_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Delivery]:
        return super().get_queryset(request).defer("text")

    @admin.display(description=_("phone number"))
    def masked_phone(self, obj: Delivery) -> str:
        return mask_phone(obj.phone) if obj.phone else ""
