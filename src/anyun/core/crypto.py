"""Encryption at rest for sensitive fields, and a keyed hash (blind index) to search them.

Keys come from the environment (ANYUN_FIELD_KEYS: comma-separated Fernet keys, newest first,
so keys can rotate; ANYUN_INDEX_KEY: the HMAC key). Development derives both from SECRET_KEY;
production refuses to start without them (core.checks).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def _derived(purpose: str) -> bytes:
    return hashlib.sha256(f"{purpose}:{settings.SECRET_KEY}".encode()).digest()


@cache
def _fernet() -> MultiFernet:
    keys = list(settings.ANYUN_FIELD_KEYS) or [base64.urlsafe_b64encode(_derived("field")).decode()]
    return MultiFernet([Fernet(k.encode()) for k in keys])


@cache
def _index_key() -> bytes:
    return settings.ANYUN_INDEX_KEY.encode() if settings.ANYUN_INDEX_KEY else _derived("index")


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def blind_index(value: str) -> str:
    """Deterministic keyed hash of a normalised value, for equality search and uniqueness."""
    return hmac.new(_index_key(), value.strip().upper().encode(), hashlib.sha256).hexdigest()


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


def mask_national_id(number: str) -> str:
    return f"{number[:3]}***********{number[-4:]}" if len(number) >= 8 else "****"
