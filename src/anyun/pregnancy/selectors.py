"""Reads of the pregnancy record. Loading always goes through the care-team access check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.utils import timezone

from anyun.careteam.selectors import women_visible_to
from anyun.clinical import anthropometry, dating
from anyun.core.errors import NotFound
from anyun.pregnancy.models import ExamReport, Pregnancy, PregnancyStatus, PreviousPregnancy


def current_pregnancy_of(woman: Any) -> Pregnancy | None:
    return Pregnancy.objects.filter(woman=woman, status=PregnancyStatus.CURRENT).first()


def pregnancies_visible_to(user: Any) -> QuerySet[Pregnancy]:
    return Pregnancy.objects.filter(woman__in=women_visible_to(user)).select_related("woman")


def access_pregnancy(*, user: Any, pregnancy_public_id: UUID | str) -> Pregnancy:
    try:
        return pregnancies_visible_to(user).get(public_id=pregnancy_public_id)
    except (Pregnancy.DoesNotExist, ValueError) as exc:
        raise NotFound() from exc


def access_report(*, user: Any, report_public_id: UUID | str) -> ExamReport:
    try:
        return ExamReport.objects.select_related("pregnancy__woman").get(
            public_id=report_public_id, pregnancy__woman__in=women_visible_to(user)
        )
    except (ExamReport.DoesNotExist, ValueError) as exc:
        raise NotFound() from exc


@dataclass(frozen=True)
class PregnancySummary:
    """What a screen shows about a pregnancy on a given day (GA is recomputed each day)."""

    pregnancy: Pregnancy
    today: dt.date
    ga: dating.GestationalAge | None
    trimester: int | None
    days_to_edd: int
    bmi: float | None
    bmi_category: str | None

    @property
    def ga_label(self) -> str:
        return str(self.ga) if self.ga else ""


def pregnancy_summary(pregnancy: Pregnancy, *, today: dt.date | None = None) -> PregnancySummary:
    today = today or timezone.localdate()
    days = dating.PREGNANCY_LENGTH_DAYS - (pregnancy.edd - today).days
    ga = dating.GestationalAge(days) if days >= 0 else None
    bmi = None
    category = None
    if pregnancy.height_cm and pregnancy.pre_pregnancy_weight_kg:
        bmi = anthropometry.bmi(
            height_cm=float(pregnancy.height_cm), weight_kg=float(pregnancy.pre_pregnancy_weight_kg)
        )
        category = str(anthropometry.bmi_category(bmi))
    return PregnancySummary(
        pregnancy=pregnancy,
        today=today,
        ga=ga,
        trimester=dating.trimester(ga) if ga else None,
        days_to_edd=(pregnancy.edd - today).days,
        bmi=bmi,
        bmi_category=category,
    )


def history_of(woman: Any) -> QuerySet[PreviousPregnancy]:
    return PreviousPregnancy.objects.filter(woman=woman)
