"""A text field stored encrypted (Fernet); reads give plaintext back."""

from __future__ import annotations

from typing import Any

from django.db import models

from anyun.core import crypto


class EncryptedTextField(models.TextField):
    """Encrypted at rest. Not searchable: pair it with a blind-index column for look-ups."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))
