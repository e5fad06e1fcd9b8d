"""Her known conditions: one open row per code, added and ended by her clinicians, audited, the
apps above told (pregnancy.signals.diagnoses_changed); ended rows are kept."""

from __future__ import annotations

from typing import Any

import pytest

from anyun.audit.models import AuditEvent
from anyun.core.errors import DomainError, PermissionDenied
from anyun.pregnancy.selectors import current_pregnancy_of, diagnoses_open
from anyun.pregnancy.services import diagnoses_set, diagnosis_end
from anyun.pregnancy.signals import diagnoses_changed

pytestmark = pytest.mark.django_db


def test_diagnoses_are_added_once_ended_and_kept(world: Any) -> None:
    told: list[tuple[list[str], list[str]]] = []

    def listen(sender: Any, *, added: list[str], ended: list[str], **kwargs: Any) -> None:
        told.append((added, ended))

    diagnoses_changed.connect(listen)
    try:
        pregnancy = current_pregnancy_of(world.woman)
        first = diagnoses_set(actor=world.inside, pregnancy=pregnancy, codes=["gdm", "gdm"])
        again = diagnoses_set(actor=world.inside, pregnancy=pregnancy, codes=["gdm", "pgdm"])
        assert [d.code for d in first] == ["gdm"] and [d.code for d in again] == ["pgdm"]
        ended = diagnosis_end(actor=world.inside, pregnancy=pregnancy, code="gdm")
        assert ended.ended_by == world.inside
        assert list(diagnoses_open(pregnancy).values_list("code", flat=True)) == ["pgdm"]
        assert pregnancy.diagnoses.count() == 2  # the ended row is kept
        assert told == [(["gdm"], []), (["pgdm"], []), ([], ["gdm"])]
        assert AuditEvent.objects.filter(object_type="pregnancy_diagnosis").count() == 3
    finally:
        diagnoses_changed.disconnect(listen)


def test_refusals(world: Any) -> None:
    pregnancy = current_pregnancy_of(world.woman)
    with pytest.raises(DomainError) as unknown:
        diagnoses_set(actor=world.inside, pregnancy=pregnancy, codes=["flu"])
    assert (unknown.value.code, unknown.value.field) == ("diagnosis_invalid", "diagnoses")
    with pytest.raises(DomainError) as not_open:
        diagnosis_end(actor=world.inside, pregnancy=pregnancy, code="gdm")
    assert not_open.value.code == "diagnosis_not_open"
    with pytest.raises(PermissionDenied):
        diagnoses_set(actor=world.woman, pregnancy=pregnancy, codes=["gdm"])
    with pytest.raises(PermissionDenied):
        diagnoses_set(actor=world.pharmacist, pregnancy=pregnancy, codes=["gdm"])
    assert not pregnancy.diagnoses.exists()
