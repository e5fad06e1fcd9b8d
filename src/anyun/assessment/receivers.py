"""What this app does when a lower app tells it something: a confirmed high blood pressure
(monitoring) or a new diagnosis (pregnancy) may raise her colour, so her clinician is asked to
regrade her (``services.regrade_check``), after the telling transaction commits: a failure
here never undoes the reading or the diagnosis."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from anyun.assessment import services
from anyun.monitoring.signals import bp_confirmed
from anyun.pregnancy.signals import diagnoses_changed

logger = logging.getLogger("anyun.assessment")


def _regrade_soon(woman: Any) -> None:
    def run() -> None:
        try:
            services.regrade_check(woman)
        except Exception:
            logger.exception("Regrading check for woman %s failed.", woman.pk)

    transaction.on_commit(run)


def on_bp_confirmed(sender: Any, *, woman: Any, **kwargs: Any) -> None:
    _regrade_soon(woman)


def on_diagnoses_changed(sender: Any, *, pregnancy: Any, added: list[str], **kwargs: Any) -> None:
    if added:
        _regrade_soon(pregnancy.woman)


def connect() -> None:
    bp_confirmed.connect(on_bp_confirmed, dispatch_uid="assessment_bp_confirmed")
    diagnoses_changed.connect(on_diagnoses_changed, dispatch_uid="assessment_diagnoses_changed")
