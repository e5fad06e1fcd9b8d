"""Sign-in, identity and account pages. Thin: each calls one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from anyun.accounts import services
from anyun.accounts.consent_hooks import consent
from anyun.accounts.decorators import staff_required, woman_required
from anyun.accounts.forms import (
    CodeForm,
    IdentityForm,
    PasswordChangeForm,
    PhoneForm,
    StaffLoginForm,
)
from anyun.accounts.models import ADMIN_ROLES, Role, User
from anyun.audit.services import client_ip
from anyun.core import crypto
from anyun.core.errors import DomainError
from anyun.core.forms import form_error
from anyun.core.inputs import parse_uuid


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


def home_for(user: User) -> str:
    if user.role == Role.WOMAN:
        return "/"
    if user.role in {Role.CLINICIAN, Role.NURSE, Role.PHARMACIST}:
        return "/clinic/"
    return "/console/"


def _masked(raw: str) -> str:
    try:
        return crypto.mask_phone(services.phone_normalise(raw))
    except DomainError:
        return ""


def woman_login(request: HttpRequest) -> HttpResponse:
    """Step 1: phone number and acceptance of the user agreement and privacy notice -> a code
    by SMS. Step 2: the code -> signed in. A resend is step 1 again from step 2's page."""
    step = request.POST.get("step") if request.method == "POST" else None
    phone_form = PhoneForm(request.POST if step == "send" else None)
    code_form = CodeForm(request.POST if step == "verify" else None)
    sent_to_phone: str | None = None
    resend_error = ""
    if step == "send" and phone_form.is_valid():
        phone = phone_form.cleaned_data["phone"]
        resend = request.POST.get("resend") == "1"
        try:
            services.phone_code_request(
                phone=phone,
                terms_accepted=phone_form.cleaned_data["accept_terms"],
                terms=consent().sign_in_terms(),
                ip=client_ip(request),
                request=request,
            )
        except DomainError as exc:
            if resend:
                sent_to_phone, resend_error = phone, str(exc.message)
            else:
                form_error(phone_form, exc)
        else:
            sent_to_phone = phone
        if sent_to_phone is not None:
            code_form = CodeForm(initial={"phone": phone})
    elif step == "verify":
        sent_to_phone = request.POST.get("phone", "")[:20]
        if code_form.is_valid():
            try:
                user = services.phone_sign_in(
                    phone=code_form.cleaned_data["phone"],
                    code=code_form.cleaned_data["code"],
                    ip=client_ip(request),
                )
            except DomainError as exc:
                form_error(code_form, exc)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return redirect(_safe_next(request, "/"))
    sent = sent_to_phone is not None
    return render(
        request,
        "accounts/woman_login.html",
        {
            "phone_form": phone_form,
            "code_form": code_form,
            "sent": sent,
            "sent_to": _masked(sent_to_phone) if sent_to_phone else "",
            "sent_phone": sent_to_phone or "",
            "resend_wait": services.phone_code_resend_wait(phone=sent_to_phone)
            if sent_to_phone
            else 0,
            "resend_error": resend_error,
            "next": _safe_next(request, ""),
        },
    )


def staff_login(request: HttpRequest) -> HttpResponse:
    form = StaffLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.staff_sign_in(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                token=form.cleaned_data["token"],
                ip=client_ip(request),
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            otp_login(request, user.otp_device)  # type: ignore[attr-defined]
            if services.password_expired(user):
                messages.warning(request, _("Your password has expired. Choose a new one."))
                return redirect("accounts:password_change")
            return redirect(_safe_next(request, home_for(user)))
    timed_out = request.session.pop("anyun_timed_out", False)
    return render(
        request,
        "accounts/staff_login.html",
        {"form": form, "timed_out": timed_out, "next": _safe_next(request, "")},
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    staff = request.user.is_authenticated and request.user.role != Role.WOMAN  # type: ignore[union-attr]
    logout(request)
    return redirect("accounts:staff_login" if staff else "accounts:woman_login")


@woman_required
def identity(request: HttpRequest) -> HttpResponse:
    profile = request.user.woman_profile  # type: ignore[union-attr]
    form = IdentityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.woman_identity_verify(
                user=request.user,  # type: ignore[arg-type]
                data=services.IdentityInput(**form.cleaned_data),
                request=request,
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Your identity has been verified."))
            return redirect("/consent/")
    return render(request, "accounts/identity.html", {"form": form, "profile": profile})


@woman_required
def guide(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.woman_guide_seen(user=request.user)  # type: ignore[arg-type]
        return redirect("web:woman_home")
    return render(request, "accounts/guide.html")


def me(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:woman_login")
    signatures = consent().signatures_of(request.user) if request.user.role == Role.WOMAN else []  # type: ignore[union-attr]
    return render(request, "accounts/me.html", {"signatures": signatures})


@staff_required(roles=[r.value for r in Role if r != Role.WOMAN])
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=request.user,  # type: ignore[arg-type]
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
            messages.success(request, _("Your password has been changed."))
            return redirect(home_for(request.user))  # type: ignore[arg-type]
    return render(request, "accounts/password_change.html", {"form": form})


@staff_required(roles=[Role.SECURITY_ADMIN])
def security_accounts(request: HttpRequest) -> HttpResponse:
    """The security administrator's page: locked accounts, staff sign-in state and the staff
    accounts' active API sign-ins (tokens), each of which can be ended here."""
    if request.method == "POST":
        actor = request.user
        token_id = parse_uuid(request.POST.get("token"))
        user_id = parse_uuid(request.POST.get("user"))
        if token_id is not None:
            try:
                services.api_token_revoke(actor=actor, token_public_id=token_id, request=request)  # type: ignore[arg-type]
            except DomainError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("The sign-in has been ended."))
        elif user_id is not None:
            target = User.objects.filter(public_id=user_id).first()
            if target is not None:
                services.staff_unlock(actor=actor, user=target)  # type: ignore[arg-type]
                messages.success(request, _("The account has been unlocked."))
        return redirect("accounts:security")
    staff = list(User.objects.exclude(role=Role.WOMAN).order_by("role", "username"))
    tokens = [(u, services.api_tokens_active(u)) for u in staff]
    return render(
        request,
        "accounts/security.html",
        {
            "staff": staff,
            "admin_roles": ADMIN_ROLES,
            "tokens": [(u, t) for u, active in tokens for t in active],
        },
    )
