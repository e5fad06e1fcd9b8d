"""What the audit trail's codes mean, in words: actions and kinds of object.

The audit app sits below the apps that record events, so each app registers the labels of
its own codes (``register`` in its ``AppConfig.ready``); the generic verbs are here. A test
checks that every code an app passes to ``audit_record`` has a label.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, Promise] = {
    "create": _("Created"),
    "read": _("Viewed"),
    "update": _("Changed"),
    "close": _("Closed"),
    "upload": _("Uploaded"),
    "lookup": _("Looked up"),
    "tampered": _("Tampering detected"),
}
OBJECT_LABELS: dict[str, Promise] = {}
ROLE_LABELS: dict[str, Promise] = {}


def register(
    *,
    actions: Mapping[str, Promise] | None = None,
    objects: Mapping[str, Promise] | None = None,
    roles: Mapping[str, Promise] | None = None,
) -> None:
    ACTION_LABELS.update(actions or {})
    OBJECT_LABELS.update(objects or {})
    ROLE_LABELS.update(roles or {})


def action_label(code: str) -> str:
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else gettext("Other action")


def object_label(code: str) -> str:
    label = OBJECT_LABELS.get(code)
    return str(label) if label is not None else gettext("Other record")


def role_label(code: str) -> str:
    if not code:
        return "—"
    label = ROLE_LABELS.get(code)
    return str(label) if label is not None else gettext("Other role")
