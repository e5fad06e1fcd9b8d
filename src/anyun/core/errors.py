"""Domain errors: services raise these; the web shows them beside the field, the API as JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.utils.functional import Promise

if TYPE_CHECKING:
    from anyun.accounts.models import User


class DomainError(Exception):
    """A refused use case. `code` is stable for clients; `message` is translatable."""

    status = 400

    def __init__(self, code: str, message: str | Promise, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field


class NotFound(DomainError):
    """Missing *or* not yours: the two are never told apart."""

    status = 404

    def __init__(self, message: str | Promise | None = None) -> None:
        from django.utils.translation import gettext_lazy as _

        super().__init__("not_found", message or _("Not found."))


class PermissionDenied(DomainError):
    status = 403

    def __init__(self, code: str, message: str | Promise) -> None:
        super().__init__(code, message)


class RateLimited(DomainError):
    """Too many attempts; `retry_after` (seconds) goes out as the Retry-After header."""

    status = 429

    def __init__(
        self,
        code: str,
        message: str | Promise,
        *,
        field: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(code, message, field=field)
        self.retry_after = retry_after


def acting_user(request: object) -> User:
    """The signed-in user of a request that a decorator or the API auth has already checked."""
    return cast("User", request.user)  # type: ignore[attr-defined]
