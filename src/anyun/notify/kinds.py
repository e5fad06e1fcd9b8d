"""What each kind of notification is, in words, for the delivery log and the inbox.

The apps that send notifications sit above notify, so each registers the labels of its own
kinds (``register`` in its ``AppConfig.ready``); a test checks every kind sent has one.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

KIND_LABELS: dict[str, Promise] = {
    "security": _("Security alert"),
    "login_code": _("Sign-in code"),
}


def register(kinds: Mapping[str, Promise]) -> None:
    KIND_LABELS.update(kinds)


def kind_label(code: str) -> str:
    label = KIND_LABELS.get(code)
    return str(label) if label is not None else gettext("Other message")
