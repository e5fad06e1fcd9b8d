"""What each kind of clinical task is, in words, for the task list and her record.

Tasks are opened by this app (a referral when she is unsuitable for online care, a regrading
proposal) and by the apps above it (a mental-health referral, a repeat screening); each
registers the labels of its own kinds (``register`` in its ``AppConfig.ready``).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext

KIND_LABELS: dict[str, Promise] = {}


def register(kinds: Mapping[str, Promise]) -> None:
    KIND_LABELS.update(kinds)


def kind_label(code: str) -> str:
    label = KIND_LABELS.get(code)
    return str(label) if label is not None else gettext("Other task")
