"""Domain errors: services raise these; the web shows them beside the field, the API as JSON."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


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
