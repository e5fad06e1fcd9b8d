"""Reads of wellbeing data: her screenings, repeats, support and self-assessments (few queries).

A clinician reaches a woman's rows only through `careteam.selectors.access_woman`; the woman
reaches only her own (`screening_of_woman`, `self_assessment_of_woman`: missing and not-yours
both NotFound)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from anyun.core.errors import NotFound
from anyun.core.inputs import parse_uuid
from anyun.wellbeing.models import (
    RepeatStatus,
    Screening,
    ScreeningRepeat,
    SelfAssessment,
    SupportRecord,
)


def screenings_of(woman: Any) -> QuerySet[Screening]:
    return Screening.objects.filter(woman=woman).select_related("done_by", "safety_alarm")


def screening_of_woman(woman: Any, public_id: Any) -> Screening:
    parsed = parse_uuid(public_id)
    screening = (
        Screening.objects.filter(woman=woman, public_id=parsed)
        .select_related("safety_alarm")
        .first()
        if parsed is not None
        else None
    )
    if screening is None:
        raise NotFound()
    return screening


def repeats_open_of(woman: Any) -> QuerySet[ScreeningRepeat]:
    return ScreeningRepeat.objects.filter(woman=woman, status=RepeatStatus.OPEN).order_by(
        "due_from"
    )


def support_of(woman: Any) -> QuerySet[SupportRecord]:
    return SupportRecord.objects.filter(woman=woman).select_related("recorded_by", "screening")


def self_assessments_of(woman: Any) -> QuerySet[SelfAssessment]:
    return SelfAssessment.objects.filter(woman=woman)


def self_assessment_of_woman(woman: Any, public_id: Any) -> SelfAssessment:
    parsed = parse_uuid(public_id)
    assessment = (
        SelfAssessment.objects.filter(woman=woman, public_id=parsed).first()
        if parsed is not None
        else None
    )
    if assessment is None:
        raise NotFound()
    return assessment
