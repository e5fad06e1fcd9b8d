"""The WeChat Pay API v3 adapter, offline: keys and a self-signed platform certificate made
here with `cryptography`; WeChat Pay's notification is built as their servers build it (an
RSA-SHA256 signature over timestamp, nonce and body; the resource AES-256-GCM encrypted with
the APIv3 key). The SDK's HTTP call is replaced, and it is never allowed to fetch certificates
(the network is blocked in the suite besides)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID
from django.test import Client
from django.utils import timezone
from wechatpayv3 import WeChatPay, WeChatPayType
from wechatpayv3.core import Core

from anyun.billing import services
from anyun.billing.models import OrderStatus, PaymentOrder, ProviderNotification, Refund
from anyun.billing.providers import NotificationRefused
from anyun.billing.tests.conftest import API
from anyun.billing.wechatpay import WeChatPayProvider
from anyun.prescribing.models import Prescription
from anyun.prescribing.tests.conftest import World

pytestmark = pytest.mark.django_db
APIV3_KEY = "0123456789abcdef0123456789ABCDEF"  # 32 characters, as WeChat Pay issues them


def _pem_private(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@dataclass
class Keys:
    merchant: rsa.RSAPrivateKey
    platform: rsa.RSAPrivateKey
    certificate: x509.Certificate
    serial: str
    cert_dir: Path
    merchant_file: Path
    public_key_file: Path


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    merchant = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    platform = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com Root CA test")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(platform.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .sign(platform, hashes.SHA256())
    )
    root = tmp_path_factory.mktemp("wechatpay")
    cert_dir = root / "certs"
    cert_dir.mkdir()
    serial = f"{certificate.serial_number:X}"
    (cert_dir / f"{serial}.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    merchant_file = root / "apiclient_key.pem"
    merchant_file.write_text(_pem_private(merchant))
    public_key_file = root / "pub_key.pem"
    public_key_file.write_bytes(
        platform.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return Keys(merchant, platform, certificate, serial, cert_dir, merchant_file, public_key_file)


@pytest.fixture(autouse=True)
def no_fetching(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Fail the test if the SDK ever tries to fetch platform certificates."""
    fetched: list[Any] = []

    def refuse(self: Core) -> None:
        fetched.append(self)
        raise AssertionError("the SDK tried to fetch platform certificates")

    monkeypatch.setattr(Core, "_update_certificates", refuse)
    return fetched


def client_for(keys: Keys, *, public_key: bool = False) -> WeChatPay:
    return WeChatPay(
        wechatpay_type=WeChatPayType.NATIVE,
        mchid="1900000109",
        private_key=_pem_private(keys.merchant),
        cert_serial_no="MERCHANTSERIAL01",
        appid="wxd678efh567hg6787",
        apiv3_key=APIV3_KEY,
        notify_url="https://hospital.example/api/v1/billing/callbacks/wechatpay",
        cert_dir=None if public_key else str(keys.cert_dir),
        public_key=keys.public_key_file.read_text() if public_key else None,
        public_key_id="PUB_KEY_ID_0114232134912410000000000000" if public_key else None,
    )


def notification(
    keys: Keys,
    resource: dict[str, Any],
    *,
    event_type: str = "TRANSACTION.SUCCESS",
    serial: str | None = None,
    signer: rsa.RSAPrivateKey | None = None,
    apiv3_key: str = APIV3_KEY,
    timestamp: int | None = None,
) -> tuple[dict[str, str], bytes]:
    """A notification as WeChat Pay sends it: headers and body."""
    nonce = secrets.token_hex(6)  # 12 characters, AES-GCM's nonce
    associated = "transaction" if event_type.startswith("TRANSACTION") else "refund"
    ciphertext = AESGCM(apiv3_key.encode()).encrypt(
        nonce.encode(), json.dumps(resource).encode(), associated.encode()
    )
    body = json.dumps(
        {
            "id": f"EV-{secrets.token_hex(8)}",
            "create_time": timezone.localtime().isoformat(timespec="seconds"),
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": "支付成功",
            "resource": {
                "original_type": associated,
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": base64.b64encode(ciphertext).decode(),
                "associated_data": associated,
                "nonce": nonce,
            },
        }
    )
    stamp = str(timestamp or int(timezone.now().timestamp()))
    header_nonce = secrets.token_hex(16)
    signature = (signer or keys.platform).sign(
        f"{stamp}\n{header_nonce}\n{body}\n".encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    headers = {
        "Wechatpay-Timestamp": stamp,
        "Wechatpay-Nonce": header_nonce,
        "Wechatpay-Signature": base64.b64encode(signature).decode(),
        "Wechatpay-Serial": serial or keys.serial,
        "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
    }
    return headers, body.encode()


def paid_resource(order_number: str, total: int) -> dict[str, Any]:
    return {
        "mchid": "1900000109",
        "appid": "wxd678efh567hg6787",
        "out_trade_no": order_number,
        "transaction_id": "4200000000000000000000000001",
        "trade_type": "NATIVE",
        "trade_state": "SUCCESS",
        "success_time": timezone.localtime().isoformat(timespec="seconds"),
        "amount": {"total": total, "payer_total": total, "currency": "CNY"},
    }


# --- verification and decryption, the adapter alone -------------------------------------------


def test_notification_verified_and_decrypted_with_a_certificate(keys: Keys) -> None:
    provider = WeChatPayProvider(client=client_for(keys))
    headers, body = notification(keys, paid_resource("AY20260101ABCDEF123456", 2590))
    event = provider.parse_notification(headers, body)
    assert (event.event, event.order_number, event.amount_fen, event.succeeded) == (
        "payment",
        "AY20260101ABCDEF123456",
        2590,
        True,
    )
    assert event.provider_ref == "4200000000000000000000000001"
    assert event.notification_id == json.loads(body)["id"]


def test_notification_verified_with_the_platform_public_key(keys: Keys) -> None:
    provider = WeChatPayProvider(client=client_for(keys, public_key=True))
    headers, body = notification(
        keys, paid_resource("AY1", 100), serial="PUB_KEY_ID_0114232134912410000000000000"
    )
    assert provider.parse_notification(headers, body).amount_fen == 100


def test_django_style_header_names_are_read(keys: Keys) -> None:
    provider = WeChatPayProvider(client=client_for(keys))
    headers, body = notification(keys, paid_resource("AY2", 100))
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    assert provider.parse_notification(meta, body).order_number == "AY2"


@pytest.mark.parametrize(
    "forge",
    ["body", "signer", "serial", "apiv3_key", "stale", "signature_type"],
)
def test_forged_notifications_are_refused_without_fetching(
    keys: Keys, forge: str, no_fetching: list[Any]
) -> None:
    provider = WeChatPayProvider(client=client_for(keys))
    resource = paid_resource("AY3", 100)
    options: dict[str, Any] = {}
    if forge == "signer":
        options["signer"] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if forge == "serial":
        options["serial"] = "ABCDEF0123456789"
    if forge == "apiv3_key":
        options["apiv3_key"] = "X" * 32
    if forge == "stale":
        options["timestamp"] = int(timezone.now().timestamp()) - 600
    headers, body = notification(keys, resource, **options)
    if forge == "body":
        body = body.replace(b'"summary"', b'"summary" ')
    if forge == "signature_type":
        headers["Wechatpay-Signature-Type"] = "WECHATPAY2-SM2-WITH-SM3"
    with pytest.raises(NotificationRefused):
        provider.parse_notification(headers, body)
    assert no_fetching == []


def test_refund_notification_is_read(keys: Keys) -> None:
    provider = WeChatPayProvider(client=client_for(keys))
    headers, body = notification(
        keys,
        {
            "out_trade_no": "AY4",
            "out_refund_no": "RF4",
            "refund_id": "50000000000000000000000000001",
            "refund_status": "SUCCESS",
            "amount": {"total": 100, "refund": 100, "payer_total": 100, "payer_refund": 100},
        },
        event_type="REFUND.SUCCESS",
    )
    event = provider.parse_notification(headers, body)
    assert (event.event, event.refund_number, event.amount_fen, event.succeeded) == (
        "refund",
        "RF4",
        100,
        True,
    )


# --- through billing: order, pay, notification, refund ----------------------------------------


@pytest.fixture
def wechat(settings: Any, keys: Keys) -> None:
    settings.ANYUN_PAYMENT_PROVIDER = "anyun.billing.wechatpay.WeChatPayProvider"
    settings.ANYUN_WECHATPAY_MCHID = "1900000109"
    settings.ANYUN_WECHATPAY_APPID = "wxd678efh567hg6787"
    settings.ANYUN_WECHATPAY_CERT_SERIAL_NO = "MERCHANTSERIAL01"
    settings.ANYUN_WECHATPAY_PRIVATE_KEY_FILE = str(keys.merchant_file)
    settings.ANYUN_WECHATPAY_APIV3_KEY = APIV3_KEY
    settings.ANYUN_WECHATPAY_CERT_DIR = str(keys.cert_dir)
    settings.ANYUN_SITE_URL = "https://hospital.example"


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The SDK's requests to WeChat Pay, answered as WeChat Pay answers them."""
    made: list[dict[str, Any]] = []

    def request(self: Core, path: str, method: Any = None, data: Any = None, **kw: Any) -> Any:
        made.append({"path": path, "data": data})
        if path.endswith("/native"):
            return 200, json.dumps({"code_url": "weixin://wxpay/bizpayurl?pr=abc123"})
        if path.endswith("/jsapi"):
            return 200, json.dumps({"prepay_id": "wx201410272009395522657a690389285100"})
        if path.endswith("/close"):
            return 204, ""
        if path == "/v3/refund/domestic/refunds":
            return 200, json.dumps({"refund_id": "50000000000001", "status": "PROCESSING"})
        raise AssertionError(path)

    monkeypatch.setattr(Core, "request", request)
    return made


def test_native_order_paid_by_notification_and_refunded(
    world: World,
    approved: Prescription,
    wechat: None,
    keys: Keys,
    calls: list[dict[str, Any]],
    client: Client,
    jobs: Callable[[], int],
) -> None:
    order, _ = services.order_create(
        woman=world.woman, kind="prescription", ref=str(approved.public_id)
    )
    assert order.provider == "wechatpay"
    start = services.order_pay_start(woman=world.woman, order_id=order.public_id)
    assert (start.mode, start.code_url) == ("qr", "weixin://wxpay/bizpayurl?pr=abc123")
    [made] = calls
    assert made["path"] == "/v3/pay/transactions/native"
    assert made["data"]["out_trade_no"] == order.number
    assert made["data"]["amount"] == {"total": order.amount_fen, "currency": "CNY"}
    assert (
        made["data"]["notify_url"] == "https://hospital.example/api/v1/billing/callbacks/wechatpay"
    )

    headers, body = notification(keys, paid_resource(order.number, order.amount_fen))
    answer = client.post(
        f"{API}/callbacks/wechatpay", body, content_type="application/json", headers=headers
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json() == {"code": "SUCCESS", "message": ""}
    again = client.post(
        f"{API}/callbacks/wechatpay", body, content_type="application/json", headers=headers
    )
    assert again.status_code == 200
    order.refresh_from_db()
    approved.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.provider_transaction == "4200000000000000000000000001"
    assert approved.paid_at is not None
    assert ProviderNotification.objects.count() == 1

    services.order_cancel(woman=world.woman, order_id=order.public_id)
    jobs()
    refund = Refund.objects.get()
    assert calls[-1]["path"] == "/v3/refund/domestic/refunds"
    assert calls[-1]["data"]["out_refund_no"] == refund.number
    assert calls[-1]["data"]["amount"] == {
        "refund": order.amount_fen,
        "total": order.amount_fen,
        "currency": "CNY",
    }
    assert refund.status == "requested"  # PROCESSING: the notification decides
    headers, body = notification(
        keys,
        {
            "out_trade_no": order.number,
            "out_refund_no": refund.number,
            "refund_id": "50000000000001",
            "refund_status": "SUCCESS",
            "amount": {"total": order.amount_fen, "refund": order.amount_fen},
        },
        event_type="REFUND.SUCCESS",
    )
    answer = client.post(
        f"{API}/callbacks/wechatpay", body, content_type="application/json", headers=headers
    )
    assert answer.status_code == 200
    refund.refresh_from_db()
    order.refresh_from_db()
    assert (refund.status, order.status) == ("succeeded", "refunded")


def test_jsapi_order_gives_signed_bridge_parameters(
    world: World, approved: Prescription, wechat: None, keys: Keys, calls: list[dict[str, Any]]
) -> None:
    order, _ = services.order_create(
        woman=world.woman, kind="prescription", ref=str(approved.public_id)
    )
    start = services.order_pay_start(
        woman=world.woman, order_id=order.public_id, openid="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
    )
    assert calls[0]["path"] == "/v3/pay/transactions/jsapi"
    assert calls[0]["data"]["payer"] == {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}
    params = start.params
    assert params["package"] == "prepay_id=wx201410272009395522657a690389285100"
    message = (
        "\n".join([params["appId"], params["timeStamp"], params["nonceStr"], params["package"]])
        + "\n"
    )
    keys.merchant.public_key().verify(
        base64.b64decode(params["paySign"]), message.encode(), padding.PKCS1v15(), hashes.SHA256()
    )


def test_forged_wechat_notification_is_400_and_changes_nothing(
    world: World, approved: Prescription, wechat: None, keys: Keys, client: Client
) -> None:
    order, _ = services.order_create(
        woman=world.woman, kind="prescription", ref=str(approved.public_id)
    )
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    headers, body = notification(keys, paid_resource(order.number, order.amount_fen), signer=other)
    answer = client.post(
        f"{API}/callbacks/wechatpay", body, content_type="application/json", headers=headers
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "signature_invalid"
    assert PaymentOrder.objects.get().status == OrderStatus.PENDING
    assert ProviderNotification.objects.count() == 0


def test_sandbox_callback_refused_when_wechat_is_configured(
    world: World, approved: Prescription, wechat: None, client: Client
) -> None:
    answer = client.post(f"{API}/callbacks/sandbox", b"{}", content_type="application/json")
    assert answer.status_code == 404
