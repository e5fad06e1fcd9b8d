"""Production refuses the demo's sandbox provider and a half-configured WeChat Pay."""

from __future__ import annotations

from typing import Any

from anyun.billing.checks import payment_settings


def ids(settings: Any) -> list[str]:
    return [str(e.id) for e in payment_settings(None)]


def test_sandbox_is_fine_in_development_and_refused_in_production(settings: Any) -> None:
    settings.ANYUN_PAYMENT_PROVIDER = "anyun.billing.providers.SandboxProvider"
    settings.IS_PRODUCTION = False
    assert ids(settings) == []
    settings.IS_PRODUCTION = True
    assert ids(settings) == ["anyun.billing.E001"]


def test_wechatpay_needs_its_keys(settings: Any, tmp_path: Any) -> None:
    settings.IS_PRODUCTION = True
    settings.ANYUN_PAYMENT_PROVIDER = "anyun.billing.wechatpay.WeChatPayProvider"
    for name in (
        "ANYUN_WECHATPAY_MCHID",
        "ANYUN_WECHATPAY_APPID",
        "ANYUN_WECHATPAY_CERT_SERIAL_NO",
        "ANYUN_WECHATPAY_PRIVATE_KEY_FILE",
        "ANYUN_WECHATPAY_APIV3_KEY",
        "ANYUN_WECHATPAY_PUBLIC_KEY_FILE",
        "ANYUN_WECHATPAY_PUBLIC_KEY_ID",
        "ANYUN_WECHATPAY_CERT_DIR",
    ):
        setattr(settings, name, "")
    assert ids(settings) == ["anyun.billing.E002"]
    settings.ANYUN_WECHATPAY_MCHID = "1900000109"
    settings.ANYUN_WECHATPAY_APPID = "wxd678efh567hg6787"
    settings.ANYUN_WECHATPAY_CERT_SERIAL_NO = "ABC"
    settings.ANYUN_WECHATPAY_PRIVATE_KEY_FILE = str(tmp_path / "key.pem")
    settings.ANYUN_WECHATPAY_APIV3_KEY = "k" * 32
    settings.ANYUN_WECHATPAY_PUBLIC_KEY_FILE = str(tmp_path / "pub.pem")
    assert ids(settings) == ["anyun.billing.E003"]
    settings.ANYUN_WECHATPAY_PUBLIC_KEY_ID = "PUB_KEY_ID_1"
    assert ids(settings) == []
