"""Queue tasks of accounts: thin, idempotent, safe to run twice."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django_tasks import task


@task()
def sessions_clear_expired() -> None:
    """Delete the sessions past their expiry, as `manage.py clearsessions` does."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
