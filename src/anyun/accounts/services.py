"""Account use cases: phone codes, women's identity, staff sign-in with TOTP, API tokens."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from anyun.accounts import throttle
from anyun.accounts.identity import identity_provider
from anyun.accounts.models import ApiToken, IdentityCheck, PhoneCode, Role, User, WomanProfile
from anyun.accounts.signals import account_locked_signal, login_code_signal
from anyun.audit.services import audit_record
from anyun.clinical.errors import ClinicalValueError
from anyun.clinical.national_id import age_on, check_woman_eligible, parse_national_id
from anyun.clinical.typed_numbers import LookalikeCharacterError, is_ascii_digits, typed_number_fold
from anyun.core import crypto
from anyun.core.errors import DomainError, PermissionDenied, RateLimited
from anyun.core.locks import lock_name
from anyun.core.messages import clinical_message

# [0-9], not \d, which also matches Arabic-Indic and other Unicode digits.
PHONE_RE = re.compile(r"1[3-9][0-9]{9}")
ADULT_AGE = 18


def local_today() -> date:
    return timezone.localdate()


# --- phone numbers and one-time codes -------------------------------------------------------


def phone_normalise(raw: str, *, field: str = "phone") -> str:
    """The 11 ASCII digits of a mainland mobile number, or DomainError("phone_invalid", field).

    Full-width digits fold to ASCII and any other digit is refused (``typed_number_fold``), so
    a number has one spelling: one account, one blind index, one per-number code limit.
    Spaces, hyphens and a leading +86 are dropped.
    """
    invalid = DomainError(
        "phone_invalid",
        _("Enter an 11-digit mainland China mobile number starting with 1."),
        field=field,
    )
    try:
        folded = typed_number_fold(raw or "")
    except LookalikeCharacterError:
        raise invalid from None
    phone = re.sub(r"[\s-]", "", folded).removeprefix("+86")
    if not PHONE_RE.fullmatch(phone):
        raise invalid
    return phone


def _typed_code(raw: str) -> str:
    """The code as typed, full-width digits folded; "" (never a match) for lookalike digits."""
    try:
        return typed_number_fold(raw or "")
    except LookalikeCharacterError:
        return ""


def _code_hash(phone_index: str, code: str) -> str:
    return crypto.blind_index(f"{phone_index}:{code}")


@dataclass(frozen=True)
class CodeSent:
    """Where the code went (masked) and when she may ask for another."""

    sent_to: str
    resend_after_seconds: int


def phone_code_request(
    *,
    phone: str,
    terms_accepted: bool,
    terms: Sequence[Mapping[str, Any]],
    ip: str | None,
    request: Any = None,
) -> CodeSent:
    """The sign-in's "send code": only once she has ticked her acceptance of `terms` (the user
    agreement and privacy notice in force, each kind, version and document id, from
    `consent.services.sign_in_terms`), which is audited as given from this address before
    the code is sent. The throttle of `phone_code_send` applies to every send and resend.
    """
    normalised = phone_normalise(phone)
    if not terms_accepted:
        raise DomainError(
            "terms_not_accepted",
            _("Please read and accept the user agreement and the privacy notice."),
            field="accept_terms",
        )
    with transaction.atomic():
        phone_code_send(phone=normalised, ip=ip, terms=terms)
        for term in terms:
            audit_record(
                actor=None,
                action="consent_sign",
                object_type="consent_document",
                object_id=term["document"],
                request=request,
                ip=ip,
                detail={
                    "kind": term["kind"],
                    "version": term["version"],
                    "step": "sign_in_code",
                    "phone": crypto.mask_phone(normalised),
                },
            )
    return CodeSent(crypto.mask_phone(normalised), settings.ANYUN_OTP_RESEND_SECONDS)


def phone_code_resend_wait(*, phone: str) -> int:
    """Seconds until this number may ask for another code (0: now)."""
    try:
        index = crypto.blind_index(phone_normalise(phone))
    except DomainError:
        return 0
    latest = PhoneCode.objects.filter(phone_index=index).order_by("-created_at").first()
    if latest is None:
        return 0
    waited = (timezone.now() - latest.created_at).total_seconds()
    return max(0, int(settings.ANYUN_OTP_RESEND_SECONDS - waited + 0.999))


def phone_code_send(*, phone: str, ip: str | None, terms: Sequence[Mapping[str, Any]] = ()) -> None:
    """Send a 6-digit login code. Rate-limited per number and per address. `terms`: what she
    accepted before asking (kept with the code and audited under her account at sign-in).

    Side effect: an SMS notification row (delivered by the queue) in the same transaction,
    written by the receiver of `login_code_signal` (the notify app).
    """
    phone = phone_normalise(phone)
    index = crypto.blind_index(phone)
    with transaction.atomic():
        # Count-then-insert: concurrent requests for one number (or address) wait here, so
        # the limits hold under load.
        lock_name(f"phone-code:{index}")
        if ip:
            lock_name(f"phone-code-ip:{ip}")
        now = timezone.now()
        recent = PhoneCode.objects.filter(
            phone_index=index, created_at__gte=now - timedelta(hours=1)
        )
        latest = recent.order_by("-created_at").first()
        if latest and (now - latest.created_at).total_seconds() < settings.ANYUN_OTP_RESEND_SECONDS:
            raise RateLimited(
                "code_too_soon",
                _("A code was just sent. Wait a minute before asking for another."),
                field="phone",
            )
        if recent.count() >= settings.ANYUN_OTP_MAX_PER_PHONE_HOUR:
            raise RateLimited(
                "code_phone_limit",
                _("Too many codes for this number. Try again in an hour."),
                field="phone",
            )
        if ip and (
            PhoneCode.objects.filter(
                ip_address=ip, created_at__gte=now - timedelta(hours=1)
            ).count()
            >= settings.ANYUN_OTP_MAX_PER_IP_HOUR
        ):
            raise RateLimited(
                "code_ip_limit",
                _("Too many codes from this network. Try again later."),
                field="phone",
            )
        code = f"{secrets.randbelow(10**6):06d}"
        PhoneCode.objects.create(
            phone_index=index,
            code_hash=_code_hash(index, code),
            ip_address=ip,
            created_at=now,
            expires_at=now + timedelta(seconds=settings.ANYUN_OTP_TTL_SECONDS),
            terms=[dict(term) for term in terms],
        )
        minutes = settings.ANYUN_OTP_TTL_SECONDS // 60
        text = _(
            "[Anyun] Your sign-in code is %(code)s, valid for %(minutes)d minutes. Do not share it."
        ) % {"code": code, "minutes": minutes}
        if not login_code_signal.send(sender=PhoneCode, phone=phone, text=str(text)):
            raise ImproperlyConfigured("Nothing sends sign-in codes: is anyun.notify installed?")


def phone_sign_in(*, phone: str, code: str, ip: str | None = None) -> User:
    """Check a code and return the woman's account, creating it on first sign-in.

    A code works once, only for the number it was sent to, until it expires; after too many
    wrong tries it is void. A wrong try is counted (committed) before the refusal is raised.
    """
    phone = phone_normalise(phone)
    index = crypto.blind_index(phone)
    code = _typed_code(code)
    now = timezone.now()
    user: User | None = None
    with transaction.atomic():
        pending = (
            PhoneCode.objects.select_for_update()
            .filter(phone_index=index, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        usable = pending is not None and pending.attempts < settings.ANYUN_OTP_MAX_ATTEMPTS
        if usable and pending is not None:
            if is_ascii_digits(code) and hmac.compare_digest(
                pending.code_hash, _code_hash(index, code)
            ):
                # Conditional update: of two racing requests with the same code, one wins.
                if PhoneCode.objects.filter(pk=pending.pk, used_at__isnull=True).update(
                    used_at=now
                ):
                    user = User.objects.filter(phone_index=index).first() or _woman_create(
                        phone=phone, phone_index=index
                    )
            else:
                PhoneCode.objects.filter(pk=pending.pk).update(attempts=F("attempts") + 1)
        if user is not None:
            audit_record(
                actor=user,
                action="login",
                object_type="user",
                object_id=user.public_id,
                detail={"ip": ip or ""},
            )
            # What she accepted before this code was sent, now under her own account.
            for term in pending.terms if pending is not None else []:
                audit_record(
                    actor=user,
                    action="consent_sign",
                    object_type="consent_document",
                    object_id=term.get("document", ""),
                    subject=user,
                    ip=ip,
                    detail={
                        "kind": term.get("kind", ""),
                        "version": term.get("version"),
                        "step": "sign_in",
                    },
                )
    if user is None:
        raise DomainError(
            "code_invalid", _("The code is wrong or has expired. Ask for a new one."), field="code"
        )
    if not user.is_active:
        raise PermissionDenied("account_inactive", _("This account is disabled."))
    return user


def _woman_create(*, phone: str, phone_index: str) -> User:
    user = User.objects.create_user(
        f"w-{uuid.uuid4().hex[:16]}", role=Role.WOMAN, phone=phone, phone_index=phone_index
    )
    WomanProfile.objects.create(user=user)
    return user


# --- the woman's real-name identity (FB-3) -------------------------------------------------


@dataclass(frozen=True)
class IdentityInput:
    real_name: str
    national_id: str
    guardian_name: str = ""
    guardian_phone: str = ""


NAME_RE = re.compile(r"^[\u4e00-\u9fa5·A-Za-z .'-]{2,40}$")


def woman_identity_verify(*, user: User, data: IdentityInput, request: Any = None) -> WomanProfile:
    """Check the ID number (GB 11643), the woman's eligibility, then the identity provider.

    A minor (under 18) must name a guardian. One ID number belongs to one account.
    """
    if user.role != Role.WOMAN:
        raise PermissionDenied("not_a_woman", _("Only a woman's account has a real-name identity."))
    name = (data.real_name or "").strip()
    if not NAME_RE.match(name):
        raise DomainError(
            "real_name_invalid", _("Enter your real name as on your ID card."), field="real_name"
        )
    today = local_today()
    try:
        nid = parse_national_id(data.national_id, today=today)
        check_woman_eligible(nid, today=today)
    except ClinicalValueError as exc:
        raise DomainError(
            exc.code, clinical_message(exc), field=exc.field or "national_id"
        ) from exc
    age = age_on(nid.birth_date, today)
    guardian_phone = ""
    if age < ADULT_AGE:
        if not data.guardian_name.strip():
            raise DomainError(
                "guardian_required",
                _("You are under 18: enter the name and phone number of your guardian."),
                field="guardian_name",
            )
        guardian_phone = phone_normalise(data.guardian_phone, field="guardian_phone")
    index = crypto.blind_index(nid.number)
    profile = WomanProfile.objects.select_related("user").get(user=user)
    if profile.is_verified and profile.national_id_index != index:
        raise DomainError(
            "identity_locked",
            _("Your identity is already verified. Ask the hospital to correct it."),
            field="national_id",
        )
    result = identity_provider().verify(real_name=name, national_id=nid.number)
    with transaction.atomic():
        IdentityCheck.objects.create(
            user=user,
            provider=settings.ANYUN_IDENTITY_PROVIDER,
            request_summary={"real_name": name, "national_id": crypto.mask_national_id(nid.number)},
            passed=result.passed,
            reference=result.reference,
        )
    if not result.passed:
        raise DomainError(
            "identity_refused",
            _("The name and ID number could not be verified. Check them and try again."),
            field="national_id",
        )
    try:
        with transaction.atomic():
            profile.real_name = name
            profile.national_id = nid.number
            profile.national_id_index = index
            profile.birth_date = nid.birth_date
            profile.guardian_name = data.guardian_name.strip() if age < ADULT_AGE else ""
            profile.guardian_phone = guardian_phone
            profile.verified_at = timezone.now()
            profile.save()
            User.objects.filter(pk=user.pk).update(display_name=name)
            audit_record(
                actor=user,
                action="identity_verify",
                object_type="woman_profile",
                object_id=profile.public_id,
                subject=user,
                request=request,
            )
    except IntegrityError as exc:
        raise DomainError(
            "national_id_taken",
            _("This ID number is already registered to another account."),
            field="national_id",
        ) from exc
    user.display_name = name
    return profile


def woman_guide_seen(*, user: User) -> None:
    WomanProfile.objects.filter(user=user, guide_seen_at__isnull=True).update(
        guide_seen_at=timezone.now()
    )


# --- staff sign-in: password + TOTP, lockout -----------------------------------------------


def staff_sign_in(*, username: str, password: str, token: str, ip: str | None = None) -> User:
    """Password and TOTP together (MLPS level 3), with every failure answered alike.

    - Attempts are rate-limited per address and per account name (429 with Retry-After).
    - Five failures of one account from one address lock that pair for ten minutes; a
      colleague elsewhere can still sign in, so nobody can lock a clinician out from afar.
      Failures from every address together lock the whole account after a higher count
      (ANYUN_LOGIN_ACCOUNT_MAX_FAILURES), and the security administrator is told.
    - An unknown name costs a password hash like a known one, and a locked account answers
      the same words as a wrong password: neither response time nor message tells a name.
    """
    name = (username or "").strip()
    retry = throttle.hit(
        "staff-sign-in:address", ip or "-", settings.ANYUN_SIGN_IN_RATE_PER_ADDRESS
    ) or throttle.hit(
        "staff-sign-in:account", name.lower(), settings.ANYUN_SIGN_IN_RATE_PER_ACCOUNT
    )
    if retry:
        raise RateLimited(
            "sign_in_throttled",
            _("Too many sign-in attempts. Try again in %(seconds)s seconds.") % {"seconds": retry},
            retry_after=retry,
        )
    bad = DomainError(
        "sign_in_failed",
        _(
            "The username, password or one-time code is wrong. After several failures, "
            "sign-in from this device waits %(minutes)s minutes."
        )
        % {"minutes": settings.ANYUN_LOGIN_LOCK_MINUTES},
    )
    now = timezone.now()
    user = User.objects.filter(username=name).first() if name else None
    if user is None or user.role == Role.WOMAN:
        User().set_password(password)  # the same cost as checking a real account's password
        raise bad
    locked = throttle.pair_locked(user.pk, ip) or bool(
        user.locked_until and user.locked_until > now
    )
    ok = user.check_password(password) and user.is_active and not locked
    device = match_token(user, (token or "").strip()) if ok else None
    if not ok or device is None:
        if not locked:
            _sign_in_failed(user=user, now=now, ip=ip)
        raise bad
    throttle.pair_clear(user.pk, ip)
    User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
    user.otp_device = device  # type: ignore[attr-defined]
    audit_record(
        actor=user,
        action="login",
        object_type="user",
        object_id=user.public_id,
        detail={"ip": ip or ""},
        ip=ip,
    )
    return user


def _sign_in_failed(*, user: User, now: Any, ip: str | None) -> None:
    pair_locked = throttle.pair_failed(user.pk, ip)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_login_count=F("failed_login_count") + 1)
        user.refresh_from_db(fields=["failed_login_count"])
        account_locked = user.failed_login_count >= settings.ANYUN_LOGIN_ACCOUNT_MAX_FAILURES
        if account_locked:
            User.objects.filter(pk=user.pk).update(
                locked_until=now + timedelta(minutes=settings.ANYUN_LOGIN_LOCK_MINUTES),
                failed_login_count=0,
            )
        audit_record(
            actor=None,
            action="login_failed",
            object_type="user",
            object_id=user.public_id,
            detail={
                "username": user.username,
                "ip": ip or "",
                "address_locked": pair_locked,
                "account_locked": account_locked,
            },
            ip=ip,
        )
    if account_locked:
        account_locked_signal.send(sender=User, user=user, ip=ip)


def staff_unlock(*, actor: User, user: User) -> None:
    if actor.role != Role.SECURITY_ADMIN:
        raise PermissionDenied(
            "not_security_admin", _("Only the security administrator can unlock accounts.")
        )
    User.objects.filter(pk=user.pk).update(locked_until=None, failed_login_count=0)
    audit_record(actor=actor, action="unlock", object_type="user", object_id=user.public_id)


def password_expired(user: User) -> bool:
    if user.role == Role.WOMAN or settings.ANYUN_PASSWORD_MAX_AGE_DAYS <= 0:
        return False
    changed = user.password_changed_at or user.date_joined
    return timezone.now() - changed > timedelta(days=settings.ANYUN_PASSWORD_MAX_AGE_DAYS)


def password_change(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise DomainError(
            "password_wrong", _("The current password is wrong."), field="old_password"
        )
    if old_password == new_password:
        raise DomainError(
            "password_same", _("Choose a password you have not used now."), field="new_password"
        )
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        raise DomainError("password_weak", " ".join(exc.messages), field="new_password") from exc
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    audit_record(actor=user, action="password_change", object_type="user", object_id=user.public_id)


def staff_create(
    *, username: str, password: str, role: str, display_name: str, totp_key: str | None = None
) -> tuple[User, TOTPDevice]:
    """Create a staff account with its TOTP device (the second factor)."""
    if role not in {r.value for r in Role} or role == Role.WOMAN:
        raise DomainError("role_invalid", _("Choose a staff role."), field="role")
    user = User(username=username, role=role, display_name=display_name)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise DomainError("password_weak", " ".join(exc.messages), field="password") from exc
    with transaction.atomic():
        user.set_password(password)
        user.password_changed_at = timezone.now()
        # Only the system administrator uses the back office (configuration, not records).
        user.is_staff = user.is_superuser = role == Role.SYSTEM_ADMIN
        user.save()
        device = TOTPDevice.objects.create(
            user=user, name="default", confirmed=True, **({"key": totp_key} if totp_key else {})
        )
    return user, device


# --- API tokens ------------------------------------------------------------------------------

API_TOKEN_DAYS = 30  # a woman's app token; staff tokens keep the staff session limits
TOKEN_TOUCH_SECONDS = 60  # how often last use is written (the idle clock's resolution)


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_issue(*, user: User) -> str:
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    lifetime = (
        timedelta(days=API_TOKEN_DAYS)
        if user.role == Role.WOMAN
        else timedelta(hours=settings.ANYUN_ABSOLUTE_SESSION_HOURS)
    )
    ApiToken.objects.create(
        user=user, token_hash=_token_hash(raw), expires_at=now + lifetime, last_used_at=now
    )
    return raw


def api_tokens_live(raw: str) -> QuerySet[ApiToken]:
    """The token `raw` names if it is neither revoked nor expired, with its user (one row at
    most: a caller may join more to it and read it in the same statement)."""
    return api_tokens_live_hashed(_token_hash(raw), now=timezone.now())


def api_token_hash(raw: str) -> str:
    """What a presented token is looked up by (`api_tokens_live_hashed`)."""
    return _token_hash(raw)


def api_tokens_live_hashed(token_hash: str, *, now: datetime) -> QuerySet[ApiToken]:
    """`api_tokens_live` from the token's hash and the moment of the request (a caller that
    compiles the read once and runs it again with new values: `anyun.core.prepared`)."""
    return ApiToken.objects.select_related("user").filter(
        token_hash=token_hash, revoked_at__isnull=True, expires_at__gt=now
    )


def api_token_accept(token: ApiToken | None) -> User | None:
    """The user of a live token (from `api_tokens_live`). A staff token also ends when idle
    longer than a staff session may be (ANYUN_IDLE_TIMEOUT_MINUTES) and at the absolute limit
    (its expiry). Notes the use at most every TOKEN_TOUCH_SECONDS."""
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    last_used = token.last_used_at or token.created_at
    if token.user.role != Role.WOMAN and now - last_used > timedelta(
        minutes=settings.ANYUN_IDLE_TIMEOUT_MINUTES
    ):
        return None
    if now - last_used > timedelta(seconds=TOKEN_TOUCH_SECONDS):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def api_token_user(raw: str) -> User | None:
    """The user of a live token (see `api_token_accept`)."""
    return api_token_accept(api_tokens_live(raw).first())


def api_tokens_active(user: User) -> list[ApiToken]:
    """The user's tokens that still work, newest first (idle staff tokens left out)."""
    now = timezone.now()
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now)
    if user.role != Role.WOMAN:
        tokens = tokens.filter(
            last_used_at__gt=now - timedelta(minutes=settings.ANYUN_IDLE_TIMEOUT_MINUTES)
        )
    return list(tokens.order_by("-created_at"))


def api_token_sign_out(*, raw: str) -> None:
    """The holder ends the token it presents (the app's sign-out)."""
    token = ApiToken.objects.filter(token_hash=_token_hash(raw), revoked_at__isnull=True).first()
    if token is None:
        return
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    audit_record(
        actor=token.user, action="token_revoke", object_type="api_token", object_id=token.public_id
    )


def api_token_revoke(*, actor: User, token_public_id: Any, request: Any = None) -> None:
    """The security administrator ends a token of any account."""
    if actor.role != Role.SECURITY_ADMIN:
        raise PermissionDenied(
            "not_security_admin", _("Only the security administrator can end other sign-ins.")
        )
    token = ApiToken.objects.filter(public_id=token_public_id, revoked_at__isnull=True).first()
    if token is None:
        raise DomainError("token_unknown", _("This sign-in has already ended."))
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    audit_record(
        actor=actor,
        action="token_revoke",
        object_type="api_token",
        object_id=token.public_id,
        subject=token.user,
        request=request,
    )
