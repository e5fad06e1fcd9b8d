"""Who may open a page. Views stay thin: these decide the redirect, services decide the rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from anyun.accounts.models import Role, User

View = Callable[..., HttpResponse]


def woman_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), "accounts:woman_login")
        if user.role != Role.WOMAN:  # type: ignore[union-attr]
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def staff_required(roles: Iterable[str]) -> Callable[[View], View]:
    """Signed in with password and a verified second factor, in one of `roles`."""
    allowed = frozenset(roles)

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if user.is_authenticated and user.role not in allowed:  # type: ignore[union-attr]
                raise Http404
            if not user.is_authenticated or not user.is_verified():  # type: ignore[union-attr,attr-defined]
                return redirect_to_login(request.get_full_path(), "accounts:staff_login")
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def acting_user(request: object) -> User:
    """The signed-in user of a request that a decorator or the API auth has already checked."""
    return cast("User", request.user)  # type: ignore[attr-defined]
