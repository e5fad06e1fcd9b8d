"""Electronic signatures of prescriptions and reviews: a pluggable signer.

`ANYUN_PRESCRIPTION_SIGNER` names the signer class (dotted path). The default, `LocalKeySigner`,
signs with the staff member's own Ed25519 key, made on first use and kept encrypted at rest. A
certificate authority's provider (a CA's cloud signing service, SM2 under 密评) is plugged in
by naming a class with the same two methods; it returns its certificate with each signature.
What is signed is `content_bytes(...)`: canonical JSON of a version's content, so any change of
a stored field after signing fails `verify`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from anyun.accounts.models import User
from anyun.prescribing.models import SigningKey


@dataclass(frozen=True)
class SignatureResult:
    provider: str
    key_id: str
    signature: str  # base64
    certificate: str = ""


class Signer(Protocol):
    name: str

    def sign(self, *, user: User, content: bytes) -> SignatureResult: ...

    def verify(
        self, *, key_id: str, content: bytes, signature: str, certificate: str, signer: User
    ) -> bool:
        """True when `signature` over `content` was made with `signer`'s own key."""
        ...


def content_bytes(content: dict[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class LocalKeySigner:
    """Ed25519 with a key per staff member (the private key never leaves the database, where
    it is encrypted with the server's field key)."""

    name = "local-ed25519"

    def _key_of(self, user: User) -> SigningKey:
        found = SigningKey.objects.filter(user=user).first()
        if found is not None:
            return found
        private = Ed25519PrivateKey.generate()
        public_pem = (
            private.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
        private_pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        try:
            with transaction.atomic():
                return SigningKey.objects.create(
                    user=user,
                    key_id=uuid.uuid4().hex,
                    public_key=public_pem,
                    private_key=private_pem,
                )
        except IntegrityError:  # made at the same moment by another request
            return SigningKey.objects.get(user=user)

    def sign(self, *, user: User, content: bytes) -> SignatureResult:
        key = self._key_of(user)
        private = serialization.load_pem_private_key(key.private_key.encode(), password=None)
        assert isinstance(private, Ed25519PrivateKey)
        raw = private.sign(content)
        return SignatureResult(self.name, key.key_id, base64.b64encode(raw).decode())

    def verify(
        self, *, key_id: str, content: bytes, signature: str, certificate: str, signer: User
    ) -> bool:
        key = SigningKey.objects.filter(key_id=key_id, user=signer).first()
        if key is None:
            return False
        public = serialization.load_pem_public_key(key.public_key.encode())
        if not isinstance(public, Ed25519PublicKey):
            return False
        try:
            public.verify(base64.b64decode(signature), content)
        except (InvalidSignature, ValueError):
            return False
        return True


@lru_cache(maxsize=4)
def _signer(path: str) -> Signer:
    return import_string(path)()  # type: ignore[no-any-return]


def signer() -> Signer:
    return _signer(settings.ANYUN_PRESCRIPTION_SIGNER)


def signer_named(name: str) -> Signer | None:
    """The signer that made a signature, for verifying it (the configured one, or the default)."""
    for candidate in (signer(), _signer("anyun.prescribing.signing.LocalKeySigner")):
        if candidate.name == name:
            return candidate
    return None
