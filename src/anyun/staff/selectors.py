"""Staff reads: the online-practice check (STAFF-1..3), the public directory and licence lookup.

`can_practise_online` / `practice_blockers` / `require_online_practice` are the one shared
check: consultations, prescriptions and orders call them, and nothing else decides it.

Validity is inclusive: a credential is valid from `valid_from` through `valid_until`, so on
its expiry date it still counts, and the next day it does not. A credential is "expiring
soon" when its last valid day is at most ANYUN_CREDENTIAL_WARNING_DAYS days away (30 days
away warns, 31 does not, and so does the expiry date itself).
"""

from __future__ import annotations

import mimetypes
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anyun.accounts.models import Role, User
from anyun.core.errors import DomainError, NotFound, PermissionDenied
from anyun.staff.models import (
    ClinicianProfile,
    Credential,
    CredentialKind,
    Department,
    DutyShift,
    Title,
)
from anyun.staff.services import PRACTISING_ROLES, credential_number_normalize

K = CredentialKind

# What each role must hold to work online. Order = display order.
REQUIRED_CREDENTIALS: dict[str, tuple[str, ...]] = {
    Role.CLINICIAN: (
        K.PRACTISING_CERTIFICATE,
        K.HOSPITAL_REGISTRATION,
        K.MCH_CERTIFICATE,
        K.INTERNET_ADMISSION,
    ),
    Role.NURSE: (K.HOSPITAL_REGISTRATION, K.MCH_CERTIFICATE, K.INTERNET_ADMISSION),
    Role.PHARMACIST: (K.HOSPITAL_REGISTRATION, K.INTERNET_ADMISSION),
}

_KIND_ORDER = (
    K.PRACTISING_CERTIFICATE,
    K.HOSPITAL_REGISTRATION,
    K.MCH_CERTIFICATE,
    K.INTERNET_ADMISSION,
)

_MISSING: dict[str, Promise] = {
    K.PRACTISING_CERTIFICATE: _("No valid practising certificate is on record."),
    K.HOSPITAL_REGISTRATION: _("No valid practice registration at this hospital is on record."),
    K.MCH_CERTIFICATE: _(
        "No valid maternal and child health technology assessment certificate is on record."
    ),
    K.INTERNET_ADMISSION: _("No valid internet diagnosis admission is on record."),
}
_EXPIRED: dict[str, Promise] = {
    K.PRACTISING_CERTIFICATE: _("The practising certificate has expired."),
    K.HOSPITAL_REGISTRATION: _("The practice registration at this hospital has expired."),
    K.MCH_CERTIFICATE: _(
        "The maternal and child health technology assessment certificate has expired."
    ),
    K.INTERNET_ADMISSION: _("The internet diagnosis admission has expired."),
}


class CredentialStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRING_SOON = "expiring_soon", _("Expires soon")
    EXPIRED = "expired", _("Expired")
    NOT_YET_VALID = "not_yet_valid", _("Not yet valid")


@dataclass(frozen=True)
class Blocker:
    """One reason a user may not practise online. `code` is stable; `message` translatable."""

    code: str
    message: str | Promise
    kind: str | None = None


@dataclass(frozen=True)
class PublicCredential:
    """What the public may see of a credential: never the scan, and a masked number."""

    public_id: uuid.UUID
    kind: str
    kind_label: str
    number: str
    issuer: str
    valid_from: date
    valid_until: date | None
    status: str
    status_label: str


@dataclass(frozen=True)
class LicenceRecord:
    profile: ClinicianProfile
    credentials: list[PublicCredential] = field(default_factory=list)


@dataclass(frozen=True)
class CredentialWarning:
    kind: str
    kind_label: str
    valid_until: date
    days_left: int  # negative once expired
    status: str
    message: str


# --- helpers ------------------------------------------------------------------------------


def _today(on: date | None) -> date:
    return on if on is not None else timezone.localdate()


def _warning_days() -> int:
    return int(settings.ANYUN_CREDENTIAL_WARNING_DAYS)


def credential_status(
    credential: Credential, *, on: date | None = None, warning_days: int | None = None
) -> str:
    """valid / expiring_soon / expired / not_yet_valid on the given day (inclusive ends)."""
    on = _today(on)
    days = _warning_days() if warning_days is None else warning_days
    if credential.valid_from > on:
        return CredentialStatus.NOT_YET_VALID
    if credential.valid_until is None:
        return CredentialStatus.VALID
    if credential.valid_until < on:
        return CredentialStatus.EXPIRED
    if (credential.valid_until - on).days <= days:
        return CredentialStatus.EXPIRING_SOON
    return CredentialStatus.VALID


def current_credential(
    credentials: Iterable[Credential], *, kind: str, on: date | None = None
) -> Credential | None:
    """The credential of this kind that speaks for the clinician on that day.

    Among those valid on the day, the one lasting longest; else the latest that has started
    (an expired one); else one that starts later. Renewals therefore supersede old rows.
    """
    on = _today(on)
    of_kind = [c for c in credentials if c.kind == kind]
    pool = (
        [c for c in of_kind if c.is_valid_on(on)]
        or [c for c in of_kind if c.valid_from <= on]
        or of_kind
    )
    if not pool:
        return None
    return max(pool, key=lambda c: (c.valid_until or date.max, c.valid_from))


def mask_number(number: str) -> str:
    """Keep the first two and last two characters: enough to compare with a paper copy."""
    if len(number) <= 4:
        return "*" * len(number)
    return number[:2] + "*" * (len(number) - 4) + number[-2:]


def _public_credential(credential: Credential, *, on: date) -> PublicCredential:
    status = credential_status(credential, on=on)
    # The practising certificate number is public (it is what the lookup verifies).
    shown = (
        credential.number
        if credential.kind == K.PRACTISING_CERTIFICATE
        else mask_number(credential.number)
    )
    return PublicCredential(
        public_id=credential.public_id,
        kind=credential.kind,
        kind_label=str(credential.get_kind_display()),
        number=shown,
        issuer=credential.issuer,
        valid_from=credential.valid_from,
        valid_until=credential.valid_until,
        status=status,
        status_label=str(CredentialStatus(status).label),
    )


# --- who is a clinician -------------------------------------------------------------------


def clinician_for(user: User | AnonymousUser | None) -> ClinicianProfile | None:
    """The professional profile of this user, or None (anonymous, woman, no profile yet)."""
    if user is None or not user.is_authenticated:
        return None
    return (
        ClinicianProfile.objects.select_related("user", "department__hospital")
        .filter(user_id=user.pk)
        .first()
    )


# --- STAFF-1..3: may this user work online? -----------------------------------------------


def practice_blockers(
    user: User | AnonymousUser,
    *,
    on: date | None = None,
    profile: ClinicianProfile | None = None,
) -> list[Blocker]:
    """Every reason this user may not practise online on `on` (default: today, Shanghai).

    Clinicians need a practising certificate, registration at this hospital, the maternal
    and child health assessment certificate and the internet admission; nurses the last
    three; pharmacists registration and internet admission. Empty list = may practise.
    `profile`: the user's own profile when the caller has already read it.
    """
    on = _today(on)
    if not user.is_authenticated or not user.is_active:
        return [Blocker("account_inactive", _("The account is not active."))]
    assert isinstance(user, User)
    required = REQUIRED_CREDENTIALS.get(user.role)
    if required is None:
        return [
            Blocker(
                "role_not_practising",
                _("Only clinicians, nurses and pharmacists can practise online."),
            )
        ]
    profile = profile if profile is not None else clinician_for(user)
    if profile is None:
        return [Blocker("profile_missing", _("No professional profile is on record."))]
    credentials = list(profile.credentials.all())
    blockers: list[Blocker] = []
    for kind in required:
        current = current_credential(credentials, kind=kind, on=on)
        status = credential_status(current, on=on) if current else None
        if status is None or status == CredentialStatus.NOT_YET_VALID:
            blockers.append(Blocker(f"{kind}_missing", _MISSING[kind], kind))
        elif status == CredentialStatus.EXPIRED:
            blockers.append(Blocker(f"{kind}_expired", _EXPIRED[kind], kind))
    return blockers


def can_practise_online(user: User | AnonymousUser, *, on: date | None = None) -> bool:
    """True when the user holds every credential their role needs, valid on `on`."""
    return not practice_blockers(user, on=on)


def practising_online(users: Iterable[User], *, on: date | None = None) -> set[int]:
    """The ids of those of `users` who may practise online on `on` (`can_practise_online`
    for each), read together: their profiles and their credentials in two statements."""
    people = {user.pk: user for user in users}
    if not people:
        return set()
    profiles = {
        p.user_id: p
        for p in ClinicianProfile.objects.filter(user_id__in=people)
        .select_related("department__hospital")
        .prefetch_related("credentials")
    }
    return {
        pk
        for pk, user in people.items()
        if pk in profiles and not practice_blockers(user, on=on, profile=profiles[pk])
    }


def require_online_practice(user: User | AnonymousUser, *, on: date | None = None) -> None:
    """Raise PermissionDenied(code="credential_invalid") listing what is missing or expired."""
    blockers = practice_blockers(user, on=on)
    if blockers:
        reasons = " ".join(str(b.message) for b in blockers)
        raise PermissionDenied(
            "credential_invalid",
            gettext("Online practice is not allowed: %(reasons)s") % {"reasons": reasons},
        )


# --- expiry -------------------------------------------------------------------------------


def credentials_expiring(
    *, within_days: int, on: date | None = None, include_expired: bool = False
) -> QuerySet[Credential]:
    """Current credentials of active staff whose last valid day is within `within_days`.

    "Current" = no renewal of the same kind for the same profile lasts longer, so a renewed
    certificate no longer warns. With `include_expired`, also those already expired.
    """
    on = _today(on)
    longer = Credential.objects.filter(profile=OuterRef("profile"), kind=OuterRef("kind")).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=OuterRef("valid_until"))
    )
    window = Q(valid_until__lte=on + timedelta(days=within_days))
    if not include_expired:
        window &= Q(valid_until__gte=on)
    return (
        Credential.objects.filter(
            window,
            valid_until__isnull=False,
            profile__user__is_active=True,
            profile__user__role__in=PRACTISING_ROLES,
        )
        .exclude(Exists(longer))
        .select_related("profile__user", "profile__department")
        .order_by("valid_until", "pk")
    )


def credential_warnings_for(
    user: User | AnonymousUser,
    *,
    on: date | None = None,
    profile: ClinicianProfile | None = None,
) -> list[CredentialWarning]:
    """Banner data for the workstation: the user's current credentials expiring or expired.

    Messages are rendered in the active language. Missing credentials are not warnings: see
    `practice_blockers`. `profile`: the user's own profile when the caller has read it.
    """
    on = _today(on)
    profile = profile if profile is not None else clinician_for(user)
    if profile is None:
        return []
    credentials = list(profile.credentials.all())
    warnings: list[CredentialWarning] = []
    for kind in _KIND_ORDER:
        current = current_credential(credentials, kind=kind, on=on)
        if current is None or current.valid_until is None:
            continue
        status = credential_status(current, on=on)
        if status not in {CredentialStatus.EXPIRING_SOON, CredentialStatus.EXPIRED}:
            continue
        label = str(current.get_kind_display())
        params = {"kind": label, "date": current.valid_until.isoformat()}
        if status == CredentialStatus.EXPIRED:
            message = gettext("Your %(kind)s expired on %(date)s.") % params
        else:
            message = gettext("Your %(kind)s is valid until %(date)s. Please renew it.") % params
        warnings.append(
            CredentialWarning(
                kind=kind,
                kind_label=label,
                valid_until=current.valid_until,
                days_left=(current.valid_until - on).days,
                status=status,
                message=message,
            )
        )
    return warnings


# --- public directory and licence lookup (FB-2) -------------------------------------------


def _listed() -> QuerySet[ClinicianProfile]:
    return ClinicianProfile.objects.filter(
        is_listed=True, user__is_active=True, user__role__in=PRACTISING_ROLES
    ).select_related("user", "department__hospital")


_TITLE_RANK = Case(
    *(When(title=value, then=Value(rank)) for rank, value in enumerate(Title.values)),
    default=Value(len(Title.values)),
    output_field=models.IntegerField(),
)


def directory(
    *, department: Department | uuid.UUID | None = None, query: str | None = None
) -> QuerySet[ClinicianProfile]:
    """Listed clinicians with their department and hospital (one query), heads and seniors first.

    `query` matches name, specialty or department name (contains, case-insensitive).
    """
    profiles = _listed()
    if isinstance(department, Department):
        profiles = profiles.filter(department=department)
    elif department is not None:
        profiles = profiles.filter(department__public_id=department)
    q = (query or "").strip()
    if q:
        profiles = profiles.filter(
            Q(user__display_name__icontains=q)
            | Q(specialty__icontains=q)
            | Q(department__name__icontains=q)
        )
    return profiles.annotate(title_rank=_TITLE_RANK).order_by(
        "department__name", "-is_department_head", "title_rank", "user__display_name", "pk"
    )


def directory_departments() -> QuerySet[Department]:
    """Departments that have at least one listed clinician (for the directory filter)."""
    return (
        Department.objects.filter(Exists(_listed().filter(department=OuterRef("pk"))))
        .select_related("hospital")
        .order_by("name", "pk")
    )


def listed_clinician(*, public_id: uuid.UUID) -> ClinicianProfile:
    """A listed profile by public id; NotFound for missing and unlisted alike."""
    profile = _listed().filter(public_id=public_id).first()
    if profile is None:
        raise NotFound()
    return profile


def listed_photo(*, public_id: uuid.UUID) -> FieldFile:
    """The photo of a listed profile; NotFound for missing, unlisted or no photo alike."""
    profile = listed_clinician(public_id=public_id)
    if not profile.photo:
        raise NotFound()
    return profile.photo


def photo_content_type(name: str) -> str:
    """The content type of a stored photo, from the extension `photo_set` gave it."""
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def public_credentials(
    profile: ClinicianProfile,
    *,
    on: date | None = None,
    prefetched: Iterable[Credential] | None = None,
) -> list[PublicCredential]:
    """The current credential of each kind the profile holds, as the public may see it."""
    on = _today(on)
    credentials = list(prefetched) if prefetched is not None else list(profile.credentials.all())
    shown: list[PublicCredential] = []
    for kind in _KIND_ORDER:
        current = current_credential(credentials, kind=kind, on=on)
        if current is not None:
            shown.append(_public_credential(current, on=on))
    return shown


LOOKUP_LIMIT = 50


def licence_lookup(*, query: str, on: date | None = None) -> list[LicenceRecord]:
    """Electronic licence lookup: by exact certificate number, or by name (exact, then contains).

    Only listed clinicians are found. Results carry the public view of each current
    credential (status valid / expires soon / expired); scans are never part of it.
    Two queries whatever the number of results.
    """
    on = _today(on)
    q = (query or "").strip()
    if not q:
        return []
    try:
        number = credential_number_normalize(q)
    except DomainError:
        number = ""  # lookalike digits cannot be a stored number, and no stored number is ""
    holds_number = Exists(Credential.objects.filter(profile=OuterRef("pk"), number=number))
    # Exact hits (certificate number, then full name) come first, then partial name matches;
    # ranked in the database so the limit never cuts an exact hit.
    rank = Case(
        When(holds_number, then=Value(0)),
        When(user__display_name=q, then=Value(1)),
        default=Value(2),
        output_field=models.IntegerField(),
    )
    profiles = list(
        _listed()
        .filter(Q(user__display_name__icontains=q) | Q(holds_number))
        .annotate(match_rank=rank)
        .prefetch_related("credentials")
        .order_by("match_rank", "user__display_name", "pk")[:LOOKUP_LIMIT]
    )
    return [
        LicenceRecord(
            profile=p,
            credentials=public_credentials(p, on=on, prefetched=p.credentials.all()),
        )
        for p in profiles
    ]


def duty_list(*, department: Department, at: datetime | None = None) -> list[User]:
    """Who is on duty in the department at `at` (default now), in calling order."""
    at = at or timezone.now()
    shifts = (
        DutyShift.objects.filter(
            department=department, starts_at__lte=at, ends_at__gt=at, member__is_active=True
        )
        .select_related("member")
        .order_by("position", "starts_at")
    )
    seen: list[User] = []
    for shift in shifts:
        if shift.member not in seen:
            seen.append(shift.member)
    return seen


def department_heads(*, department: Department) -> list[User]:
    return [
        p.user
        for p in ClinicianProfile.objects.filter(
            department=department, is_department_head=True, user__is_active=True
        ).select_related("user")
    ]


def clinical_heads() -> list[User]:
    """Active clinicians who head a department: the people who approve hospital-wide
    clinical settings such as alarm thresholds."""
    return [
        p.user
        for p in ClinicianProfile.objects.filter(
            is_department_head=True, user__is_active=True, user__role=Role.CLINICIAN
        )
        .select_related("user")
        .order_by("user__display_name", "pk")
    ]


def is_clinical_head(user: User | AnonymousUser | None) -> bool:
    """Whether `user` is an active clinician who heads a department."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return ClinicianProfile.objects.filter(
        user_id=user.pk, is_department_head=True, user__role=Role.CLINICIAN
    ).exists()
