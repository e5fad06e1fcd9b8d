"""Public JSON API of the staff context (FB-2): directory, profile and licence lookup.

All three endpoints are open to anyone (auth=None) and show only listed clinicians; errors use
the project-wide `{code, message, field}` body.

No `from __future__ import annotations` here: django-ninja reads the annotations at runtime.
"""

import uuid
from datetime import date

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from anyun.core.errors import DomainError
from anyun.core.pagination import BoundedLimitOffsetPagination
from anyun.staff import selectors
from anyun.staff.models import ClinicianProfile, Department

router = Router(tags=["staff"])

QUERY_MAX_LENGTH = 100


class ErrorOut(Schema):
    """The project-wide error body (see anyun.api)."""

    code: str
    message: str
    field: str | None = None


class DepartmentOut(Schema):
    public_id: uuid.UUID
    name: str
    hospital: str

    @staticmethod
    def resolve_hospital(obj: Department) -> str:
        return obj.hospital.name


class ClinicianOut(Schema):
    public_id: uuid.UUID
    name: str
    title: str
    title_label: str
    specialty: str
    department: DepartmentOut
    is_department_head: bool
    photo_url: str | None

    @staticmethod
    def resolve_title_label(obj: ClinicianProfile) -> str:
        return str(obj.get_title_display())

    @staticmethod
    def resolve_photo_url(obj: ClinicianProfile) -> str | None:
        if not obj.photo:
            return None
        return reverse("staff:photo", kwargs={"public_id": obj.public_id})


class CredentialOut(Schema):
    """The public view of a credential: masked number (except the practising one), no scan."""

    public_id: uuid.UUID
    kind: str
    kind_label: str
    number: str
    issuer: str
    valid_from: date
    valid_until: date | None
    status: str
    status_label: str


class ClinicianDetailOut(ClinicianOut):
    introduction: str
    credentials: list[CredentialOut]

    @staticmethod
    def resolve_credentials(obj: ClinicianProfile) -> list[selectors.PublicCredential]:
        return selectors.public_credentials(obj)


class LicenceOut(Schema):
    clinician: ClinicianOut
    credentials: list[CredentialOut]

    @staticmethod
    def resolve_clinician(obj: selectors.LicenceRecord) -> ClinicianProfile:
        return obj.profile


class DirectoryFilters(Schema):
    department: uuid.UUID | None = None
    q: str | None = None


@router.get("/clinicians", response=list[ClinicianOut], auth=None)
@paginate(BoundedLimitOffsetPagination)
def clinician_list(
    request: HttpRequest, filters: Query[DirectoryFilters]
) -> QuerySet[ClinicianProfile]:
    """The public directory: listed clinicians, optionally by department and search text."""
    query = (filters.q or "").strip()[:QUERY_MAX_LENGTH]
    return selectors.directory(department=filters.department, query=query)


@router.get(
    "/clinicians/{public_id}",
    response={200: ClinicianDetailOut, 404: ErrorOut},
    auth=None,
)
def clinician_detail(request: HttpRequest, public_id: uuid.UUID) -> ClinicianProfile:
    """One listed clinician with the public view of their credentials (404 if not listed)."""
    return selectors.listed_clinician(public_id=public_id)


@router.get("/licence-lookup", response={200: list[LicenceOut], 400: ErrorOut}, auth=None)
def licence_lookup(request: HttpRequest, q: str = "") -> list[selectors.LicenceRecord]:
    """Electronic licence lookup by name or exact certificate number (400 without a query)."""
    query = q.strip()[:QUERY_MAX_LENGTH]
    if not query:
        raise DomainError("query_required", _("Enter a name or a certificate number."), field="q")
    return selectors.licence_lookup(query=query)
