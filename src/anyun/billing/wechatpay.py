"""The WeChat Pay API v3 provider, on the `wechatpayv3` SDK.

Configured by the ``ANYUN_WECHATPAY_*`` settings: merchant id, app id, the merchant
certificate's serial number and private key (a PEM file), the APIv3 key, and how WeChat Pay's
notifications are verified: either the platform public key (``..._PUBLIC_KEY_FILE`` with its
``..._PUBLIC_KEY_ID``) or a directory of platform certificates (``..._CERT_DIR``, PEM files).

The SDK fetches platform certificates from WeChat Pay whenever it meets a serial number it
does not hold. We never let it: the keys are given locally, and a notification signed under any
other serial is refused before the SDK sees it (a forged serial would otherwise make each forged
request call out). Rotate by adding the new certificate to the directory.

Pay: JSAPI when her WeChat openid is known (inside WeChat), else Native (a QR code). Order
numbers are our `PaymentOrder.number`; refunds use `Refund.number` as ``out_refund_no``.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from wechatpayv3 import WeChatPay, WeChatPayType

from anyun.billing.providers import (
    MAX_NOTIFICATION_AGE_SECONDS,
    NotificationRefused,
    PaymentProvider,
    PayStart,
    ProviderEvent,
    RefundResult,
    _header,
)

PAY_PATH = "/api/v1/billing/callbacks/wechatpay"
SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
REFUND_EVENTS = {"REFUND.SUCCESS": True, "REFUND.ABNORMAL": False, "REFUND.CLOSED": False}


class WeChatPayError(Exception):
    """WeChat Pay answered a call with an error; `code` and `message` are theirs."""

    def __init__(self, status: int, text: Any) -> None:
        super().__init__(f"WeChat Pay answered {status}: {text!r}")
        self.status = status
        self.text = text


def _read(path: str) -> str:
    return Path(path).read_text() if path else ""


def client_from_settings() -> WeChatPay:
    public_key = _read(settings.ANYUN_WECHATPAY_PUBLIC_KEY_FILE) or None
    return WeChatPay(
        wechatpay_type=WeChatPayType.NATIVE,
        mchid=settings.ANYUN_WECHATPAY_MCHID,
        private_key=_read(settings.ANYUN_WECHATPAY_PRIVATE_KEY_FILE),
        cert_serial_no=settings.ANYUN_WECHATPAY_CERT_SERIAL_NO,
        appid=settings.ANYUN_WECHATPAY_APPID,
        apiv3_key=settings.ANYUN_WECHATPAY_APIV3_KEY,
        notify_url=settings.ANYUN_SITE_URL + PAY_PATH,
        cert_dir=settings.ANYUN_WECHATPAY_CERT_DIR or None,
        public_key=public_key,
        public_key_id=settings.ANYUN_WECHATPAY_PUBLIC_KEY_ID if public_key else None,
        timeout=(5, 15),
    )


def _serial_known(client: WeChatPay, serial: str) -> bool:
    """Whether we hold the key of this serial: the platform public key's id, or the serial
    number (hex) of a loaded platform certificate. (The SDK keeps both on its private `_core`;
    there is no public accessor.)"""
    core = client._core
    if core._public_key_id and serial == core._public_key_id:
        return True
    try:
        number = int(serial, 16)
    except ValueError:
        return False
    return any(cert.serial_number == number for cert in core._certificates)


class WeChatPayProvider(PaymentProvider):
    name = "wechatpay"

    def __init__(self, client: WeChatPay | None = None) -> None:
        self._client = client

    @property
    def client(self) -> WeChatPay:
        if self._client is None:
            self._client = client_from_settings()
        return self._client

    def start(self, order: Any, *, openid: str = "") -> PayStart:
        expire = timezone.localtime(order.expires_at).isoformat(timespec="seconds")
        common: dict[str, Any] = {
            "description": order.title[:127],
            "out_trade_no": order.number,
            "amount": {"total": order.amount_fen, "currency": "CNY"},
            "time_expire": expire,
        }
        if openid:
            status, text = self.client.pay(
                **common, payer={"openid": openid}, pay_type=WeChatPayType.JSAPI
            )
            prepay_id = _answer(status, text).get("prepay_id", "")
            return PayStart(
                mode="jsapi", provider_ref=prepay_id, params=self.jsapi_params(prepay_id)
            )
        status, text = self.client.pay(**common, pay_type=WeChatPayType.NATIVE)
        code_url = _answer(status, text).get("code_url", "")
        return PayStart(mode="qr", provider_ref=code_url, code_url=code_url)

    def jsapi_params(self, prepay_id: str) -> dict[str, str]:
        """What the page passes to WeixinJSBridge `getBrandWCPayRequest`, signed by us."""
        app_id = settings.ANYUN_WECHATPAY_APPID
        timestamp = str(int(time.time()))
        nonce = uuid.uuid4().hex
        package = f"prepay_id={prepay_id}"
        signature = self.client.sign([app_id, timestamp, nonce, package])
        return {
            "appId": app_id,
            "timeStamp": timestamp,
            "nonceStr": nonce,
            "package": package,
            "signType": "RSA",
            "paySign": signature,
        }

    def close(self, order: Any) -> None:
        status, text = self.client.close(out_trade_no=order.number)
        if status not in {200, 204}:
            raise WeChatPayError(status, text)

    def refund(self, refund: Any) -> RefundResult:
        status, text = self.client.refund(
            out_refund_no=refund.number,
            out_trade_no=refund.order.number,
            amount={
                "refund": refund.amount_fen,
                "total": refund.order.amount_fen,
                "currency": "CNY",
            },
            reason=refund.get_reason_display()[:80],
            notify_url=settings.ANYUN_SITE_URL + PAY_PATH,
        )
        if status not in {200, 201}:
            return RefundResult(status="failed", failure=str(text)[:200])
        data = _answer(status, text)
        state = data.get("status", "")
        if state == "SUCCESS":
            return RefundResult(status="succeeded", provider_ref=data.get("refund_id", ""))
        if state in {"CLOSED", "ABNORMAL"}:
            return RefundResult(status="failed", failure=state)
        return RefundResult(status="pending", provider_ref=data.get("refund_id", ""))

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> ProviderEvent:
        client = self.client
        serial = _header(headers, "Wechatpay-Serial")
        if not serial or not _serial_known(client, serial):
            raise NotificationRefused
        if _header(headers, "Wechatpay-Signature-Type") != SIGNATURE_TYPE:
            raise NotificationRefused
        try:
            timestamp = int(_header(headers, "Wechatpay-Timestamp"))
        except ValueError as exc:
            raise NotificationRefused from exc
        if abs(timezone.now().timestamp() - timestamp) > MAX_NOTIFICATION_AGE_SECONDS:
            raise NotificationRefused
        sdk_headers = {
            name: _header(headers, name)
            for name in (
                "Wechatpay-Signature",
                "Wechatpay-Timestamp",
                "Wechatpay-Nonce",
                "Wechatpay-Serial",
                "Wechatpay-Signature-Type",
            )
        }
        try:
            text = body.decode()
            data = client.callback(sdk_headers, text)
        except Exception as exc:  # the SDK raises bare Exception for an unknown algorithm
            raise NotificationRefused from exc
        if not data or not isinstance(data.get("resource"), dict):
            raise NotificationRefused
        return _event(data)


def _answer(status: int, text: Any) -> dict[str, Any]:
    if status not in {200, 201}:
        raise WeChatPayError(status, text)
    try:
        data = json.loads(text) if isinstance(text, str | bytes) else {}
    except ValueError as exc:
        raise WeChatPayError(status, text) from exc
    return data if isinstance(data, dict) else {}


def _event(data: dict[str, Any]) -> ProviderEvent:
    """A decrypted notification (`callback`'s answer) as our event."""
    resource = data["resource"]
    event_type = str(data.get("event_type", ""))
    amount = resource.get("amount") or {}
    try:
        if event_type.startswith("REFUND."):
            return ProviderEvent(
                notification_id=str(data.get("id", ""))[:128],
                event="refund",
                order_number=str(resource.get("out_trade_no", ""))[:32],
                refund_number=str(resource.get("out_refund_no", ""))[:32],
                succeeded=REFUND_EVENTS.get(event_type, False)
                and resource.get("refund_status") == "SUCCESS",
                amount_fen=int(amount.get("refund", 0)),
                provider_ref=str(resource.get("refund_id", ""))[:64],
                raw=resource,
            )
        return ProviderEvent(
            notification_id=str(data.get("id", ""))[:128],
            event="payment",
            order_number=str(resource.get("out_trade_no", ""))[:32],
            succeeded=event_type == "TRANSACTION.SUCCESS"
            and resource.get("trade_state") == "SUCCESS",
            amount_fen=int(amount.get("total", 0)),
            provider_ref=str(resource.get("transaction_id", ""))[:64],
            raw=resource,
        )
    except (TypeError, ValueError) as exc:
        raise NotificationRefused from exc
