from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from anyun.consent.models import ConsentDocument
from anyun.consent.services import document_publish


@admin.register(ConsentDocument)
class ConsentDocumentAdmin(admin.ModelAdmin):
    """Publishing a new version is the only change: versions in force are never edited."""

    list_display = ("kind", "version", "title_zh", "effective_at")
    list_filter = ("kind",)
    fields = ("kind", "title_zh", "title_en", "body_zh", "body_en", "effective_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields if obj is not None else ()

    def save_model(
        self, request: HttpRequest, obj: ConsentDocument, form: Any, change: bool
    ) -> None:
        if change:
            return
        published = document_publish(
            kind=obj.kind,
            title_zh=obj.title_zh,
            title_en=obj.title_en,
            body_zh=obj.body_zh,
            body_en=obj.body_en,
            effective_at=obj.effective_at,
        )
        obj.pk, obj.version = published.pk, published.version

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
