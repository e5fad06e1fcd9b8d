"""Back office for hospitals, departments, clinician profiles and their credentials.

The forms apply the same checks as the services (content-checked uploads, 15-digit
practising numbers) and record who entered each credential.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from anyun.accounts.models import Role, User
from anyun.core.errors import DomainError
from anyun.core.uploads import DOCUMENT_TYPES, IMAGE_TYPES, check_upload
from anyun.staff.models import (
    ClinicianProfile,
    Credential,
    CredentialKind,
    Department,
    DutyShift,
    Hospital,
)
from anyun.staff.services import check_credential_number, check_practising_number_free


def _checked_file(value: Any, *, allowed: frozenset[str], field: str) -> Any:
    # Only a fresh upload has to be checked; an unchanged file is already stored.
    if value and hasattr(value, "content_type"):
        try:
            check_upload(value, allowed=allowed, field=field)
        except DomainError as exc:
            raise ValidationError(str(exc.message), code=exc.code) from exc
    return value


class CredentialForm(forms.ModelForm):
    class Meta:
        model = Credential
        fields = ("kind", "number", "issuer", "valid_from", "valid_until", "scan")

    def clean_scan(self) -> Any:
        return _checked_file(self.cleaned_data.get("scan"), allowed=DOCUMENT_TYPES, field="scan")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind, number = cleaned.get("kind"), cleaned.get("number")
        if kind and number is not None:
            try:
                cleaned["number"] = check_credential_number(kind=kind, number=number)
                if kind == CredentialKind.PRACTISING_CERTIFICATE:
                    profile = self.instance.profile if self.instance.profile_id else None
                    check_practising_number_free(profile=profile, number=cleaned["number"])
            except DomainError as exc:
                self.add_error("number", ValidationError(str(exc.message), code=exc.code))
        return cleaned


class CredentialInline(admin.TabularInline):
    model = Credential
    form = CredentialForm
    extra = 0
    fields = ("kind", "number", "issuer", "valid_from", "valid_until", "scan", "recorded_by")
    readonly_fields = ("recorded_by",)


class ClinicianProfileForm(forms.ModelForm):
    class Meta:
        model = ClinicianProfile
        fields = (
            "user",
            "department",
            "title",
            "specialty",
            "introduction",
            "photo",
            "is_listed",
            "is_department_head",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "user" in self.fields:
            field = self.fields["user"]
            if isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
                field.queryset = field.queryset.filter(
                    role__in=(Role.CLINICIAN, Role.NURSE, Role.PHARMACIST)
                )

    def clean_photo(self) -> Any:
        return _checked_file(self.cleaned_data.get("photo"), allowed=IMAGE_TYPES, field="photo")


@admin.register(Hospital)
class HospitalAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "hospital")
    list_filter = ("hospital",)
    search_fields = ("name", "code")
    list_select_related = ("hospital",)


@admin.register(ClinicianProfile)
class ClinicianProfileAdmin(admin.ModelAdmin):
    form = ClinicianProfileForm
    inlines = (CredentialInline,)
    list_display = ("__str__", "title", "department", "is_listed", "is_department_head")
    list_filter = ("is_listed", "is_department_head", "department__hospital", "department")
    search_fields = ("user__display_name", "user__username", "specialty", "credentials__number")
    list_select_related = ("user", "department")
    autocomplete_fields = ("department",)
    raw_id_fields = ("user",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ClinicianProfile]:
        return super().get_queryset(request).select_related("user", "department__hospital")

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for instance in instances:
            if isinstance(instance, Credential) and not instance.recorded_by_id:
                assert isinstance(request.user, User)  # the admin requires a signed-in user
                instance.recorded_by = request.user
            instance.save()
        formset.save_m2m()


@admin.register(DutyShift)
class DutyShiftAdmin(admin.ModelAdmin):
    list_display = ("department", "member", "position", "starts_at", "ends_at")
    list_filter = ("department",)
    date_hierarchy = "starts_at"
