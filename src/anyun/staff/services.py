"""Staff use cases (writes): hospitals, departments, clinician profiles, credentials, warnings."""

from __future__ import annotations

import re
from datetime import date
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anyun.accounts.models import Role, User
from anyun.clinical.typed_numbers import LookalikeCharacterError, typed_number_fold
from anyun.core.errors import DomainError
from anyun.core.uploads import (
    DOCUMENT_TYPES,
    IMAGE_TYPES,
    check_upload,
    stored_files_removed_on_failure,
)
from anyun.notify.services import notification_send
from anyun.staff.models import (
    ClinicianProfile,
    Credential,
    CredentialKind,
    Department,
    Hospital,
    Title,
)

PRACTISING_ROLES = frozenset({Role.CLINICIAN, Role.NURSE, Role.PHARMACIST})

# 医师执业证书编码: 15 ASCII digits, no checksum (DOMAIN.md section 10). [0-9], not \d, which
# would also accept Arabic-Indic and other Unicode digits.
_PRACTISING_NUMBER = re.compile(r"[0-9]{15}")
_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}

NOTIFICATION_KIND_CREDENTIAL_EXPIRY = "credential_expiry"


# --- checks -------------------------------------------------------------------------------


def credential_number_normalize(number: str) -> str:
    """The number as stored: full-width characters folded, blanks copied from paper removed.

    Raises DomainError("credential_number_characters", field="number") for any digit but 0-9
    and its full-width form (Arabic-Indic, superscript, circled, ...; see typed_number_fold),
    so that a number has one spelling.
    """
    try:
        folded = typed_number_fold(number or "")
    except LookalikeCharacterError:
        raise DomainError(
            "credential_number_characters",
            _("Write the digits of the certificate number as 0 to 9."),
            field="number",
        ) from None
    return re.sub(r"\s+", "", folded)


def check_credential_number(*, kind: str, number: str) -> str:
    """Return the normalized number, or raise DomainError(field="number")."""
    normalized = credential_number_normalize(number)
    if not normalized:
        raise DomainError(
            "credential_number_required", _("Enter the certificate number."), field="number"
        )
    if len(normalized) > 64:
        raise DomainError(
            "credential_number_too_long",
            _("The certificate number is too long."),
            field="number",
        )
    if kind == CredentialKind.PRACTISING_CERTIFICATE and not _PRACTISING_NUMBER.fullmatch(
        normalized
    ):
        raise DomainError(
            "practising_number_invalid",
            _("A practising certificate number has exactly 15 digits."),
            field="number",
        )
    return normalized


def check_practising_number_free(*, profile: ClinicianProfile | None, number: str) -> None:
    """Refuse a practising certificate number another clinician already holds."""
    holders = Credential.objects.filter(kind=CredentialKind.PRACTISING_CERTIFICATE, number=number)
    if profile is not None and profile.pk is not None:
        holders = holders.exclude(profile=profile)
    if holders.exists():
        raise DomainError(
            "practising_number_taken",
            _("Another clinician is registered with this practising certificate."),
            field="number",
        )


def _check_title(title: str) -> None:
    if title not in Title.values:
        raise DomainError("title_invalid", _("Choose a title from the list."), field="title")


# --- hospitals and departments ----------------------------------------------------------


def hospital_ensure(*, code: str, name: str) -> Hospital:
    """Return the hospital with this code, creating it or updating its name. Idempotent."""
    code = code.strip()
    name = name.strip()
    if not code:
        raise DomainError("hospital_code_required", _("Enter the hospital code."), field="code")
    if not name:
        raise DomainError("hospital_name_required", _("Enter the hospital name."), field="name")
    with transaction.atomic():
        hospital, created = Hospital.objects.select_for_update().get_or_create(
            code=code, defaults={"name": name}
        )
        if not created and hospital.name != name:
            hospital.name = name
            hospital.save(update_fields=["name", "updated_at"])
    return hospital


def department_create(*, hospital: Hospital, name: str, code: str) -> Department:
    """Create a department; its code is unique within the hospital (constraint-backed)."""
    code = code.strip()
    name = name.strip()
    if not name:
        raise DomainError("department_name_required", _("Enter the department name."), field="name")
    if not code:
        raise DomainError("department_code_required", _("Enter the department code."), field="code")
    try:
        with transaction.atomic():
            return Department.objects.create(hospital=hospital, name=name, code=code)
    except IntegrityError as exc:
        raise DomainError(
            "department_exists",
            _("This hospital already has a department with this code."),
            field="code",
        ) from exc


# --- clinician profiles -----------------------------------------------------------------


def clinician_profile_upsert(
    *,
    user: User,
    department: Department,
    title: str,
    specialty: str,
    introduction: str,
    is_listed: bool = False,
    is_department_head: bool = False,
) -> ClinicianProfile:
    """Create or replace the professional profile of a clinician, nurse or pharmacist.

    Every field is set to the given value (an upsert, not a patch). The photo is left alone:
    use `photo_set`. The OneToOne key on the user makes concurrent upserts converge.
    """
    if user.role not in PRACTISING_ROLES:
        raise DomainError(
            "role_not_practising",
            _("Only clinicians, nurses and pharmacists have a professional profile."),
            field="user",
        )
    _check_title(title)
    values: dict[str, Any] = {
        "department": department,
        "title": title,
        "specialty": specialty.strip(),
        "introduction": introduction.strip(),
        "is_listed": is_listed,
        "is_department_head": is_department_head,
    }
    with transaction.atomic():
        profile, _created = ClinicianProfile.objects.update_or_create(user=user, defaults=values)
    return profile


def photo_set(*, profile: ClinicianProfile, photo: IO[bytes] | None) -> ClinicianProfile:
    """Replace (or with None, remove) the profile photo.

    The upload is checked by content (JPEG, PNG or WebP that decodes) and stored under a name
    derived from the sniffed type, so the photo view can trust the extension. The old file is
    deleted only after the new state is committed.
    """
    old_name = profile.photo.name if profile.photo else ""
    with stored_files_removed_on_failure(profile.photo.storage) as stored, transaction.atomic():
        locked = ClinicianProfile.objects.select_for_update().get(pk=profile.pk)
        if photo is None:
            locked.photo = ""
        else:
            mime = check_upload(photo, allowed=IMAGE_TYPES, field="photo")
            locked.photo.save(f"photo.{_EXTENSIONS[mime]}", File(photo), save=False)
            stored.append(locked.photo.name)
        locked.save(update_fields=["photo", "updated_at"])
        if old_name and old_name != locked.photo.name:
            storage = locked.photo.storage
            transaction.on_commit(lambda: storage.delete(old_name))
    profile.photo = locked.photo
    profile.updated_at = locked.updated_at
    return profile


# --- credentials ------------------------------------------------------------------------


def credential_record(
    *,
    profile: ClinicianProfile,
    kind: str,
    number: str,
    issuer: str,
    valid_from: date,
    valid_until: date | None,
    scan: IO[bytes] | None = None,
    recorded_by: User,
) -> Credential:
    """Record a credential (a new certificate or a renewal; earlier rows stay as history).

    Checks: known kind; number present (15 ASCII digits for a practising certificate, which
    no other clinician may hold); issuer present; `valid_until` not before `valid_from`; the
    scan, if any, is really an image or a PDF (checked by content, not by name).
    """
    if kind not in CredentialKind.values:
        raise DomainError("credential_kind_invalid", _("Choose a credential kind."), field="kind")
    normalized = check_credential_number(kind=kind, number=number)
    issuer = issuer.strip()
    if not issuer:
        raise DomainError("credential_issuer_required", _("Enter the issuer."), field="issuer")
    if valid_until is not None and valid_until < valid_from:
        raise DomainError(
            "credential_dates_invalid",
            _("The end of validity is before its start."),
            field="valid_until",
        )
    scan_ext = ""
    if scan is not None:
        scan_ext = _EXTENSIONS[check_upload(scan, allowed=DOCUMENT_TYPES, field="scan")]

    try:
        with (
            stored_files_removed_on_failure(Credential.scan.field.storage) as stored,
            transaction.atomic(),
        ):
            if kind == CredentialKind.PRACTISING_CERTIFICATE:
                # One practising number, one clinician. No constraint can say "unique across
                # profiles, repeatable within one", so recordings of practising numbers are
                # serialized on the hospital row (one deployment serves one institution).
                Hospital.objects.select_for_update().get(pk=profile.department.hospital_id)
                check_practising_number_free(profile=profile, number=normalized)
            credential = Credential(
                profile=profile,
                kind=kind,
                number=normalized,
                issuer=issuer,
                valid_from=valid_from,
                valid_until=valid_until,
                recorded_by=recorded_by,
            )
            if scan is not None:
                credential.scan.save(f"scan.{scan_ext}", File(scan), save=False)
                stored.append(credential.scan.name)
            credential.save()
    except IntegrityError as exc:
        raise DomainError(
            "credential_duplicate",
            _("This credential has already been recorded."),
            field="number",
        ) from exc
    return credential


# --- expiry warnings --------------------------------------------------------------------


def credential_expiry_notify(*, credential: Credential, on: date | None = None) -> int:
    """Tell the holder (and the department heads) that a credential expires soon or expired.

    Safe to call repeatedly: each notification carries a dedup key made of the credential,
    its expiry date, the stage (expiring / expired) and the recipient, so a daily run sends
    each message once, and a renewal (new row, new date) starts afresh. Returns the number of
    recipients addressed. The notifications (and their queued deliveries) are written in one
    transaction: the notify module delivers them from its queue after commit.
    """
    if credential.valid_until is None:
        return 0
    on = on or timezone.localdate()
    profile = credential.profile
    holder = profile.user
    stage = "expired" if credential.valid_until < on else "expiring"
    recipients: list[User] = [holder]
    heads = (
        ClinicianProfile.objects.filter(
            department_id=profile.department_id, is_department_head=True, user__is_active=True
        )
        .exclude(pk=profile.pk)
        .select_related("user")
    )
    recipients.extend(head.user for head in heads)
    # The workstation shows the renewal banner; the public profile may be unlisted.
    link = reverse("web:clinic_home")
    with transaction.atomic():
        for recipient in recipients:
            _expiry_notify_one(
                credential=credential, recipient=recipient, holder=holder, stage=stage, link=link
            )
    return len(recipients)


def _expiry_notify_one(
    *, credential: Credential, recipient: User, holder: User, stage: str, link: str
) -> None:

    expiry = credential.valid_until.isoformat() if credential.valid_until else ""
    # Texts are stored, so they are written in the recipient's language, not the request's.
    with translation.override(recipient.preferred_language or settings.LANGUAGE_CODE):
        title, body = _expiry_text(
            credential=credential, stage=stage, for_holder=recipient.pk == holder.pk
        )
    notification_send(
        recipient=recipient,
        kind=NOTIFICATION_KIND_CREDENTIAL_EXPIRY,
        title=title,
        body=body,
        link=link,
        channels=("in_app", "push"),
        dedup_key=(
            f"staff.credential_expiry:{credential.public_id}:{expiry}:{stage}:{recipient.public_id}"
        ),
    )


def _expiry_text(*, credential: Credential, stage: str, for_holder: bool) -> tuple[str, str]:
    """Title and body in the active language."""
    params = {
        "kind": credential.get_kind_display(),
        "date": credential.valid_until.isoformat() if credential.valid_until else "",
        "name": credential.profile.name or str(credential.profile.user),
    }
    if stage == "expired":
        title = gettext("Credential expired")
        if for_holder:
            body = gettext(
                "Your %(kind)s expired on %(date)s. Online practice is blocked until a renewed "
                "credential is recorded."
            )
        else:
            body = gettext(
                "The %(kind)s of %(name)s expired on %(date)s. Their online practice is blocked "
                "until a renewed credential is recorded."
            )
    else:
        title = gettext("Credential expiring soon")
        if for_holder:
            body = gettext(
                "Your %(kind)s is valid until %(date)s. Please renew it in time to keep "
                "practising online."
            )
        else:
            body = gettext("The %(kind)s of %(name)s is valid until %(date)s.")
    return title, body % params
