"""Idle and absolute session timeouts (MLPS level 3: idle <= 30 minutes)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from anyun.accounts.sessions import IDLE_KEY, START_KEY, idle_touch_seconds, session_expired


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now().timestamp()
            if session_expired(request.session, now=now):
                logout(request)
                request.session["anyun_timed_out"] = True
            elif not 0 <= now - request.session.get(IDLE_KEY, 0) < idle_touch_seconds():
                request.session[IDLE_KEY] = now
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            # A bearer-token request carries no session and must not start one.
            and request.session.session_key is not None
            and START_KEY not in request.session
        ):
            # The request that signed in: both clocks start now.
            now = timezone.now().timestamp()
            request.session[START_KEY] = now
            request.session[IDLE_KEY] = now
        return response


class StaffSecondFactorMiddleware:
    """A staff session without a verified second factor is no session at all.

    Staff sign in only through `staff_sign_in` (password + TOTP); this closes any other way a
    password-only staff session could come about, for every page and API call at once.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.role != "woman"
            and not user.is_verified()
        ):
            logout(request)
        return self.get_response(request)
