"""The hospital's screening cut-offs: ``ANYUN_SCALE_CUTOFFS`` over the defaults of DOMAIN.md
section 7 (``anyun.clinical.scales.ScalePolicy``), read from the environment when a screening is
scored (a change applies after a restart, when the start-up check has passed)."""

from __future__ import annotations

import dataclasses
import functools
import os

from django.core.exceptions import ImproperlyConfigured

from anyun.clinical import scales
from anyun.clinical.errors import ClinicalValueError
from anyun.core.messages import clinical_message


def scale_policy() -> scales.ScalePolicy:
    """The hospital's cut-offs (``ANYUN_SCALE_CUTOFFS``, e.g. ``phq9_referral_above=9``); the
    defaults of DOMAIN.md section 7 otherwise. Checked at start-up (``WellbeingConfig.ready``)."""
    raw = os.environ.get("ANYUN_SCALE_CUTOFFS", "").strip()
    if not raw:
        return scales.DEFAULT_SCALE_POLICY
    return _policy_from(raw)


@functools.lru_cache(maxsize=4)
def _policy_from(raw: str) -> scales.ScalePolicy:
    values: dict[str, int] = {}
    names = {f.name for f in dataclasses.fields(scales.ScalePolicy)}
    for part in raw.split(","):
        name, _sep, value = part.partition("=")
        name = name.strip()
        if name not in names or not value.strip().isdigit():
            raise ImproperlyConfigured(
                f"ANYUN_SCALE_CUTOFFS: {part.strip()!r} is not one of {sorted(names)} = a number"
            )
        values[name] = int(value)
    try:
        return scales.ScalePolicy(**values)
    except ClinicalValueError as exc:
        raise ImproperlyConfigured(f"ANYUN_SCALE_CUTOFFS: {clinical_message(exc)}") from exc
