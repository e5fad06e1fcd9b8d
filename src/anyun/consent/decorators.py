"""Views a woman may use only once she is verified and has signed every current consent."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from anyun.accounts.decorators import woman_required
from anyun.consent.services import consent_missing_for

View = Callable[..., HttpResponse]


def missing_step(request: HttpRequest) -> HttpResponse | None:
    """The redirect to the step she is missing (identity, then consent), or None if ready."""
    profile = getattr(request.user, "woman_profile", None)
    if profile is None or not profile.is_verified:
        return redirect("accounts:identity")
    if consent_missing_for(request.user):
        return redirect(f"/consent/?next={request.get_full_path()}")
    return None


def woman_ready_required(view: View) -> View:
    """Verified identity and every current consent signed, else the step she is missing."""

    @woman_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        step = missing_step(request)
        if step is not None:
            return step
        return view(request, *args, **kwargs)

    return wrapper
