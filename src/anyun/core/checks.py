"""Production mode refuses to start with unsafe settings."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, Tags, register

DEVELOPMENT_SMS_PROVIDERS = ("ConsoleSmsProvider", "MemorySmsProvider")


@register(Tags.security, deploy=False)
def production_settings(app_configs: Any, **kwargs: Any) -> list[Error]:
    if not settings.IS_PRODUCTION:
        return []
    errors = []
    if settings.SECRET_KEY == settings.DEMO_SECRET or len(settings.SECRET_KEY) < 40:
        errors.append(
            Error("ANYUN_SECRET_KEY must be set to a long random value.", id="anyun.E001")
        )
    if settings.DEBUG:
        errors.append(Error("ANYUN_DEBUG must be off in production.", id="anyun.E002"))
    if not settings.ANYUN_FIELD_KEYS or not settings.ANYUN_INDEX_KEY:
        errors.append(Error("ANYUN_FIELD_KEYS and ANYUN_INDEX_KEY must be set.", id="anyun.E003"))
    if settings.ANYUN_SMS_PROVIDER.endswith(DEVELOPMENT_SMS_PROVIDERS):
        errors.append(Error("A real SMS provider must be configured.", id="anyun.E004"))
    if settings.ANYUN_IDENTITY_PROVIDER.endswith("DevelopmentIdentityProvider"):
        errors.append(Error("A real identity provider must be configured.", id="anyun.E005"))
    if "*" in settings.ALLOWED_HOSTS:
        errors.append(
            Error("ANYUN_ALLOWED_HOSTS must name the hospital's host names.", id="anyun.E006")
        )
    for key in settings.ANYUN_FIELD_KEYS:
        try:
            Fernet(key)
        except (ValueError, TypeError):
            errors.append(
                Error(
                    "ANYUN_FIELD_KEYS must be Fernet keys (32 url-safe base64-encoded bytes).",
                    id="anyun.E007",
                )
            )
            break
    return errors
