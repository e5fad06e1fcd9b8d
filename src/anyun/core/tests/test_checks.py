"""Production mode refuses to start with unsafe settings."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet

from anyun.core.checks import production_settings


def test_development_defaults_pass_outside_production(settings: Any) -> None:
    settings.IS_PRODUCTION = False
    assert production_settings(None) == []


def test_production_refuses_every_unsafe_default(settings: Any) -> None:
    settings.IS_PRODUCTION = True
    settings.DEBUG = True
    assert sorted(str(e.id) for e in production_settings(None)) == [
        "anyun.E001",
        "anyun.E002",
        "anyun.E003",
        "anyun.E004",
        "anyun.E005",
    ]


def test_production_with_real_settings_passes(settings: Any) -> None:
    settings.IS_PRODUCTION = True
    settings.DEBUG = False
    settings.SECRET_KEY = "x" * 50
    settings.ANYUN_FIELD_KEYS = [Fernet.generate_key().decode()]
    settings.ANYUN_INDEX_KEY = "i"
    settings.ANYUN_SMS_PROVIDER = "hospital.sms.Gateway"
    settings.ANYUN_IDENTITY_PROVIDER = "hospital.identity.Gateway"
    assert production_settings(None) == []


def _production(settings: Any) -> None:
    test_production_with_real_settings_passes(settings)


def test_production_refuses_the_in_memory_sms_provider(settings: Any) -> None:
    _production(settings)
    settings.ANYUN_SMS_PROVIDER = "anyun.notify.providers.MemorySmsProvider"
    assert [e.id for e in production_settings(None)] == ["anyun.E004"]


def test_production_refuses_any_host(settings: Any) -> None:
    _production(settings)
    settings.ALLOWED_HOSTS = ["anyun.hospital.cn", "*"]
    assert [e.id for e in production_settings(None)] == ["anyun.E006"]


def test_production_refuses_a_field_key_that_is_not_a_fernet_key(settings: Any) -> None:
    _production(settings)
    settings.ANYUN_FIELD_KEYS = [Fernet.generate_key().decode(), "not-a-key"]
    assert [e.id for e in production_settings(None)] == ["anyun.E007"]


def test_production_settings_redirect_to_https_behind_the_configured_proxy_header() -> None:
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "ANYUN_ENV": "production", "ANYUN_PROXY_SSL_HEADER": "X-Scheme"}
    env.pop("DATABASE_URL", None)
    code = (
        "import json; from anyun import settings as s; print(json.dumps([s.SECURE_SSL_REDIRECT,"
        " s.SECURE_PROXY_SSL_HEADER, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE]))"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == [True, ["HTTP_X_SCHEME", "https"], 31536000, True]
