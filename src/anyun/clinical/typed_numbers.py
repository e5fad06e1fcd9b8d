"""Numbers people type: mobile, national ID and certificate numbers (DOMAIN.md section 10).

A Chinese input method in full-width mode types ``０``-``９`` and ``Ｘ``; they mean ``0``-``9``
and ``X`` and are folded to them (Unicode NFKC). Every other character that is, or folds into,
a digit or a Latin letter is refused: Arabic-Indic ``٣``, Devanagari ``३``, superscript ``²``,
circled ``①``, mathematical ``𝟑``, Roman numeral ``Ⅹ``. Nobody means them in a number, and
letting them through gives one number several spellings (several accounts, several rate
limits). Python's ``\\d`` and ``str.isdigit()`` accept many of them, so checks after the fold
use :func:`is_ascii_digits` or ``[0-9]``.
"""

from __future__ import annotations

import unicodedata
from typing import Final

WIDTH_FORMS: Final = ("<wide>", "<narrow>")  # Unicode decomposition tags of width variants


class LookalikeCharacterError(ValueError):
    """The typed number holds a character that only stands in for a digit or a letter."""


def typed_number_fold(raw: str) -> str:
    """Return ``raw`` folded by NFKC, with surrounding whitespace stripped.

    Raises :class:`LookalikeCharacterError` if a character outside ASCII that is not a
    full- or half-width form is a decimal digit, or folds into ASCII letters or digits.
    Inner spaces and other characters are left for the caller's own format check.
    """
    for char in raw:
        if not char.isascii() and _stands_in_for_ascii(char) and not _is_width_form(char):
            raise LookalikeCharacterError(f"U+{ord(char):04X} in a typed number")
    return unicodedata.normalize("NFKC", raw).strip()


def is_ascii_digits(text: str) -> bool:
    """True when ``text`` is non-empty and only ``0``-``9`` (``str.isdigit`` alone is not)."""
    return text.isascii() and text.isdigit()


def _stands_in_for_ascii(char: str) -> bool:
    if unicodedata.category(char) == "Nd":
        return True
    return any(c.isascii() and c.isalnum() for c in unicodedata.normalize("NFKC", char))


def _is_width_form(char: str) -> bool:
    return unicodedata.decomposition(char).startswith(WIDTH_FORMS)
