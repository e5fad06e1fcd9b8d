"""Password policy: MLPS level 3 asks for at least three of four character classes."""

from __future__ import annotations

import string
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def character_classes(password: str) -> int:
    classes = (
        any(c in string.ascii_lowercase for c in password),
        any(c in string.ascii_uppercase for c in password),
        any(c in string.digits for c in password),
        any(not c.isalnum() for c in password),
    )
    return sum(classes)


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                ngettext(
                    "The password must mix at least %(n)d kind of character "
                    "(lower case, upper case, digits, symbols).",
                    "The password must mix at least %(n)d kinds of characters "
                    "(lower case, upper case, digits, symbols).",
                    self.min_classes,
                )
                % {"n": self.min_classes},
                code="password_classes",
            )

    def get_help_text(self) -> str:
        return _("Use at least %(n)d of: lower case, upper case, digits, symbols.") % {
            "n": self.min_classes
        }
