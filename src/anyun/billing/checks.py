"""Production refuses to start with the demo's sandbox payment provider, or with WeChat Pay
half configured."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

WECHATPAY_REQUIRED = (
    "ANYUN_WECHATPAY_MCHID",
    "ANYUN_WECHATPAY_APPID",
    "ANYUN_WECHATPAY_CERT_SERIAL_NO",
    "ANYUN_WECHATPAY_PRIVATE_KEY_FILE",
    "ANYUN_WECHATPAY_APIV3_KEY",
)


@register(Tags.security, deploy=False)
def payment_settings(app_configs: Any, **kwargs: Any) -> list[Error]:
    errors = []
    provider = settings.ANYUN_PAYMENT_PROVIDER
    if settings.IS_PRODUCTION and provider.endswith("SandboxProvider"):
        errors.append(Error("A real payment provider must be configured.", id="anyun.billing.E001"))
    if provider.endswith("WeChatPayProvider"):
        missing = [name for name in WECHATPAY_REQUIRED if not getattr(settings, name)]
        verified_by = settings.ANYUN_WECHATPAY_PUBLIC_KEY_FILE or settings.ANYUN_WECHATPAY_CERT_DIR
        if missing or not verified_by:
            errors.append(
                Error(
                    "WeChat Pay needs "
                    + ", ".join(missing or ["ANYUN_WECHATPAY_PUBLIC_KEY_FILE or _CERT_DIR"])
                    + ".",
                    id="anyun.billing.E002",
                )
            )
        if settings.ANYUN_WECHATPAY_PUBLIC_KEY_FILE and not settings.ANYUN_WECHATPAY_PUBLIC_KEY_ID:
            errors.append(
                Error(
                    "ANYUN_WECHATPAY_PUBLIC_KEY_ID goes with ANYUN_WECHATPAY_PUBLIC_KEY_FILE.",
                    id="anyun.billing.E003",
                )
            )
    return errors
