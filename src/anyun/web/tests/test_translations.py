"""Every user-facing string has a Simplified Chinese translation (the default language)."""

from __future__ import annotations

import re
from pathlib import Path

import anyun

PO = Path(anyun.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries() -> list[str]:
    return [block for block in PO.read_text(encoding="utf-8").split("\n\n") if "msgid" in block]


def test_no_entry_is_fuzzy() -> None:
    assert [e for e in _entries() if "#, fuzzy" in e] == []


def test_no_entry_is_untranslated() -> None:
    untranslated = []
    for entry in _entries()[1:]:  # the first block is the header
        strings = re.findall(r'^msgstr(?:\[\d\])? ((?:"[^\n]*"\n?)+)', entry, flags=re.M)
        if not strings or any(s.replace('"', "").replace("\n", "") == "" for s in strings):
            untranslated.append(entry.splitlines()[-1])
    assert untranslated == []
