"""Sign-in and identity over the API (apps, mini-programs)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema

from anyun.accounts import services
from anyun.accounts.consent_hooks import consent
from anyun.accounts.models import Role
from anyun.audit.services import client_ip
from anyun.core.errors import PermissionDenied

router = Router(tags=["accounts"])


class PhoneIn(Schema):
    phone: str
    accept_terms: bool = Field(
        False,
        description=(
            "She has read and accepts the user agreement and the privacy notice in force "
            "(GET /consent/documents/user_agreement/ and /consent/documents/privacy_notice/). "
            "Without true no code is sent: 400 with code terms_not_accepted and field "
            "accept_terms."
        ),
    )


class CodeSentOut(Schema):
    ok: bool = True
    sent_to: str = Field(description="The number the code went to, masked (138****5678).")
    resend_after_seconds: int = Field(
        description="Seconds before another code for this number is sent."
    )


class CodeIn(Schema):
    phone: str
    code: str


class StaffIn(Schema):
    username: str
    password: str
    token: str


class TokenOut(Schema):
    token: str
    user_id: UUID
    role: str


class OkOut(Schema):
    ok: bool = True


class MeOut(Schema):
    user_id: UUID
    role: str
    name: str
    verified: bool
    birth_date: date | None = None
    consent_required: bool
    guide_seen: bool


class IdentityIn(Schema):
    real_name: str
    national_id: str
    guardian_name: str = ""
    guardian_phone: str = ""


@router.post("/code", auth=None, response=CodeSentOut)
def send_code(request: HttpRequest, data: PhoneIn) -> CodeSentOut:
    """Send a sign-in code by SMS, once she accepts the user agreement and privacy notice."""
    sent = services.phone_code_request(
        phone=data.phone,
        terms_accepted=data.accept_terms,
        terms=consent().sign_in_terms(),
        ip=client_ip(request),
        request=request,
    )
    return CodeSentOut(sent_to=sent.sent_to, resend_after_seconds=sent.resend_after_seconds)


@router.post("/token", auth=None, response=TokenOut)
def woman_token(request: HttpRequest, data: CodeIn) -> TokenOut:
    user = services.phone_sign_in(phone=data.phone, code=data.code, ip=client_ip(request))
    return TokenOut(
        token=services.api_token_issue(user=user), user_id=user.public_id, role=user.role
    )


@router.post("/staff-token", auth=None, response=TokenOut)
def staff_token(request: HttpRequest, data: StaffIn) -> TokenOut:
    user = services.staff_sign_in(
        username=data.username, password=data.password, token=data.token, ip=client_ip(request)
    )
    return TokenOut(
        token=services.api_token_issue(user=user), user_id=user.public_id, role=user.role
    )


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> MeOut:
    user = request.user
    profile = getattr(user, "woman_profile", None) if user.role == Role.WOMAN else None  # type: ignore[union-attr]
    return MeOut(
        user_id=user.public_id,  # type: ignore[union-attr]
        role=user.role,  # type: ignore[union-attr]
        name=str(user),
        verified=bool(profile and profile.is_verified) if profile else user.role != Role.WOMAN,  # type: ignore[union-attr]
        birth_date=profile.birth_date if profile else None,
        consent_required=bool(profile) and bool(consent().missing_for(user)),
        guide_seen=bool(profile and profile.guide_seen_at),
    )


@router.post("/identity", response=MeOut)
def verify_identity(request: HttpRequest, data: IdentityIn) -> MeOut:
    if request.user.role != Role.WOMAN:  # type: ignore[union-attr]
        raise PermissionDenied("not_a_woman", _("This is for a pregnant woman's own account."))
    services.woman_identity_verify(
        user=request.user,  # type: ignore[arg-type]
        data=services.IdentityInput(**data.dict()),
        request=request,
    )
    request.user.refresh_from_db()  # type: ignore[union-attr]
    return me(request)


@router.post("/guide-seen", response=OkOut)
def guide_seen(request: HttpRequest) -> OkOut:
    if request.user.role != Role.WOMAN:  # type: ignore[union-attr]
        raise PermissionDenied("not_a_woman", _("This is for a pregnant woman's own account."))
    services.woman_guide_seen(user=request.user)  # type: ignore[arg-type]
    return OkOut()


@router.post("/logout", response=OkOut)
def sign_out(request: HttpRequest) -> OkOut:
    """End the bearer token this request presents (an app's sign-out)."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        services.api_token_sign_out(raw=header[7:].strip())
    return OkOut()
