"""Every error code of `anyun.clinical` has a translatable message with the same placeholders."""

from __future__ import annotations

import re

from django.utils.translation import override

from anyun.clinical.errors import ERROR_CODES
from anyun.core.messages import CLINICAL_MESSAGES


def test_every_clinical_code_has_a_message() -> None:
    assert set(CLINICAL_MESSAGES) == set(ERROR_CODES)


def test_messages_mirror_the_english_text_and_placeholders() -> None:
    with override("en"):
        for code, english in ERROR_CODES.items():
            ours = str(CLINICAL_MESSAGES[code])
            assert ours == re.sub(r"\{(\w+)\}", r"%(\1)s", english), code
