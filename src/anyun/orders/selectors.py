"""Orders reads: who sees which order and report (one door each), her to-do list, her results
and the trend of one observation, the clinician's results with the abnormal first, and the
display rows the pages, the API and the PDF share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import Case, IntegerField, QuerySet, Value, When

from anyun.accounts.models import CLINICAL_ROLES, Role
from anyun.careteam.selectors import women_visible_to
from anyun.clinical import labs
from anyun.core.errors import NotFound
from anyun.orders import words
from anyun.orders.models import OPEN_STATUSES, LabOrder, Report, Result

TREND_LIMIT = 20


def orders_visible_to(user: Any) -> QuerySet[LabOrder]:
    rows = LabOrder.objects.select_related("woman__woman_profile", "clinician", "consultation")
    if user is None or not user.is_authenticated:
        return rows.none()
    if user.role == Role.WOMAN:
        return rows.filter(woman=user)
    if user.role in CLINICAL_ROLES:
        return rows.filter(woman__in=women_visible_to(user).values("pk"))
    return rows.none()


def access_order(*, user: Any, order_id: UUID | str) -> LabOrder:
    """The order if `user` may see it; the same NotFound for missing and not allowed."""
    try:
        return orders_visible_to(user).get(public_id=order_id)
    except (LabOrder.DoesNotExist, ValueError) as exc:
        raise NotFound() from exc


def reports_visible_to(user: Any) -> QuerySet[Report]:
    rows = Report.objects.select_related("order__clinician", "woman__woman_profile", "entered_by")
    if user is None or not user.is_authenticated:
        return rows.none()
    if user.role == Role.WOMAN:
        return rows.filter(woman=user)
    if user.role in CLINICAL_ROLES:
        return rows.filter(woman__in=women_visible_to(user).values("pk"))
    return rows.none()


def access_report(*, user: Any, report_id: UUID | str) -> Report:
    try:
        return reports_visible_to(user).get(public_id=report_id)
    except (Report.DoesNotExist, ValueError) as exc:
        raise NotFound() from exc


def todo_of(woman: Any) -> list[LabOrder]:
    """Her orders still to do (not all results in), the oldest first."""
    return list(
        LabOrder.objects.filter(woman=woman, status__in=OPEN_STATUSES)
        .select_related("clinician")
        .order_by("created_at", "id")
    )


def reports_of_woman(woman: Any) -> list[Report]:
    return list(
        Report.objects.filter(woman=woman)
        .select_related("order", "entered_by")
        .prefetch_related("results")
    )


def reports_for_clinician(user: Any, *, limit: int = 100) -> list[Report]:
    """Reports of the women she sees: critical first, then abnormal, then the newest."""
    rank = Case(
        When(critical=True, then=Value(0)),
        When(abnormal=True, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return list(
        reports_visible_to(user)
        .prefetch_related("results")
        .annotate(rank=rank)
        .order_by("rank", "-observed_at", "-id")[:limit]
    )


def trend_of(woman: Any, observation: str) -> list[Result]:
    """Her results of one observation over time, the oldest first (the last TREND_LIMIT)."""
    rows = list(
        Result.objects.filter(woman=woman, observation=observation)
        .select_related("report")
        .order_by("-observed_at", "-id")[:TREND_LIMIT]
    )
    return rows[::-1]


# --- display ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TestRow:
    code: str
    label: str
    preparation: str
    kind: str


def test_rows(codes: list[str]) -> list[TestRow]:
    rows = []
    for code in codes:
        test = labs.CATALOGUE.get(code)
        if test is None:
            continue
        rows.append(
            TestRow(
                code,
                words.test_label(code),
                words.preparation_text(test.preparation.value),
                test.kind.value,
            )
        )
    return rows


def preparations_of(order: LabOrder) -> list[str]:
    """Each distinct preparation text of the order's tests, in the order of the tests."""
    seen: list[str] = []
    for row in test_rows(order.tests):
        if row.preparation not in seen:
            seen.append(row.preparation)
    return seen


def catalogue_rows() -> list[TestRow]:
    return test_rows(list(labs.CATALOGUE))


def _number(value: float | None, decimals: int) -> str:
    if value is None:
        return ""
    return f"{value:.{decimals}f}"


@dataclass(frozen=True)
class ResultRow:
    result: Result
    label: str
    value: str
    unit: str
    flag: str
    flag_label: str
    flag_words: str
    abnormal: bool
    critical: bool
    range_text: str
    range_source: str
    explanation: str


def range_text(result: Result, decimals: int) -> str:
    low, high = result.range_low, result.range_high
    if low is None and high is None:
        return ""
    if low is not None and high is not None:
        return f"{_number(low, decimals)}–{_number(high, decimals)}"
    if low is not None:
        return f"≥ {_number(low, decimals)}"
    sign = "<" if result.range_high_inclusive else "≤"
    return f"{sign} {_number(high, decimals)}"


def result_row(result: Result) -> ResultRow:
    observation = labs.OBSERVATIONS.get(result.observation)
    decimals = observation.decimals if observation is not None else 1
    flag = labs.Flag(result.flag)
    value = (
        _number(result.number, decimals)
        if result.number is not None
        else words.value_words(result.text)
    )
    return ResultRow(
        result=result,
        label=words.observation_label(result.observation),
        value=value,
        unit=words.unit_words(result.unit),
        flag=result.flag,
        flag_label=str(result.get_flag_display()),
        flag_words=words.flag_words(result.flag),
        abnormal=flag.abnormal,
        critical=flag.critical,
        range_text=range_text(result, decimals),
        range_source=result.range_source,
        explanation=words.explanation(result.observation),
    )


def result_rows(report: Report) -> list[ResultRow]:
    return [result_row(r) for r in report.results.all()]


@dataclass(frozen=True)
class TrendPoint:
    when: Any
    value: str
    flag: str
    x: float
    y: float


@dataclass(frozen=True)
class Trend:
    code: str
    label: str
    unit: str
    points: list[TrendPoint]

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


CHART_W, CHART_H, CHART_PAD = 300.0, 80.0, 8.0


def trend_for(woman: Any, observation: str) -> Trend:
    """Her values of one observation laid out for a small SVG line (numbers only) and a table."""
    rows = trend_of(woman, observation)
    numbers = [r.number for r in rows if r.number is not None]
    low, high = (min(numbers), max(numbers)) if numbers else (0.0, 1.0)
    span = (high - low) or 1.0
    meta = labs.OBSERVATIONS.get(observation)
    decimals = meta.decimals if meta is not None else 1
    points = []
    count = max(len(rows) - 1, 1)
    for i, r in enumerate(rows):
        x = CHART_PAD + (CHART_W - 2 * CHART_PAD) * (i / count if len(rows) > 1 else 0.5)
        y = (
            CHART_H - CHART_PAD - (CHART_H - 2 * CHART_PAD) * ((r.number - low) / span)
            if r.number is not None
            else CHART_H / 2
        )
        value = _number(r.number, decimals) if r.number is not None else words.value_words(r.text)
        points.append(TrendPoint(r.observed_at, value, r.flag, x, y))
    return Trend(
        observation,
        words.observation_label(observation),
        words.unit_words(meta.unit if meta else ""),
        points,
    )


def trends_of_report(report: Report) -> list[Trend]:
    """The trend of each numeric observation in the report that she has more than once."""
    trends = []
    for result in report.results.all():
        if result.number is None:
            continue
        trend = trend_for(report.woman, result.observation)
        if len(trend.points) > 1:
            trends.append(trend)
    return trends


def woman_name(woman: Any) -> str:
    profile = getattr(woman, "woman_profile", None)
    return (profile.real_name if profile is not None else "") or str(woman)
