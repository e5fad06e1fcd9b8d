"""Production mode refuses to start with unsafe settings."""

from __future__ import annotations

from typing import Any

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
    settings.ANYUN_FIELD_KEYS = ["k"]
    settings.ANYUN_INDEX_KEY = "i"
    settings.ANYUN_SMS_PROVIDER = "hospital.sms.Gateway"
    settings.ANYUN_IDENTITY_PROVIDER = "hospital.identity.Gateway"
    assert production_settings(None) == []
