"""API authentication: bearer tokens for apps, the session (with CSRF) for the web front ends.

Staff on a session must have passed the second factor; a staff token is only issued after it.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from anyun.accounts.models import User
from anyun.accounts.services import api_token_user


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = self.lookup(request, token)
        if user is not None:
            request.user = user
        return user

    def lookup(self, request: HttpRequest, token: str) -> User | None:
        """The token's user; an operation that needs more about her may read it in the same
        statement (a subclass joins it to `api_tokens_live` and accepts with
        `api_token_accept`)."""
        return api_token_user(token)


class VerifiedSessionAuth(SessionAuth):
    def __call__(self, request: HttpRequest) -> Any:
        # A request that presents a bearer token is judged by the token alone: an expired or
        # invalid one is "sign in first" (401), never a CSRF refusal from the session check.
        if request.headers.get("Authorization", "").lower().startswith("bearer "):
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None:
            return None
        if user.role != "woman" and not user.is_verified():
            return None
        return user


API_AUTH = [TokenAuth(), VerifiedSessionAuth(csrf=True)]
