"""What the pregnancy chart plots (FA-4): plain data, built by selectors, drawn by charts.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import Literal

from anyun.clinical.anthropometry import BmiCategory

Source = Literal["home", "clinic"]


@dataclass(frozen=True)
class ChartPoint:
    ga_days: int
    value: float
    source: Source


@dataclass(frozen=True)
class BpPoint:
    ga_days: int
    systolic: int
    diastolic: int
    source: Source


@dataclass(frozen=True)
class ChartLabels:
    """Translated texts, given by the caller so the renderer stays language-free."""

    title: str = "Pregnancy chart"
    ga_axis: str = "Gestational age (weeks)"
    sfh: str = "Fundal height (cm)"
    weight: str = "Weight gain (kg)"
    ac: str = "Abdominal circumference (cm)"
    bp: str = "Blood pressure (mmHg)"
    home: str = "Home reading"
    clinic: str = "Clinic measurement"
    band: str = "Recommended range"
    systolic: str = "Systolic"
    diastolic: str = "Diastolic"
    today: str = "Today"
    no_data: str = "No measurements yet"


@dataclass(frozen=True)
class ChartData:
    sfh: list[ChartPoint] = field(default_factory=list)
    weight_gain: list[ChartPoint] = field(default_factory=list)  # kg above pre-pregnancy weight
    ac: list[ChartPoint] = field(default_factory=list)
    bp: list[BpPoint] = field(default_factory=list)
    bmi_category: BmiCategory | None = None
    today_ga_days: int | None = None
    labels: ChartLabels = field(default_factory=ChartLabels)


@dataclass(frozen=True)
class PrintHeader:
    """Who and what the printed chart is for: names the page so it cannot be mistaken."""

    hospital: str
    name: str
    masked_id: str  # the national ID number masked as everywhere else; never the full number
    edd: date
    printed_at: datetime  # aware, shown in the hospital's local time


@dataclass(frozen=True)
class TrendPoint:
    at: datetime
    value: float
    second: float | None = None  # diastolic for blood pressure
    source: Source = "home"


@dataclass(frozen=True)
class TrendEvent:
    """One symptom report: when, and the translated label of each symptom ticked."""

    at: datetime
    labels: tuple[str, ...]


@dataclass(frozen=True)
class TrendData:
    """One sign over days or weeks, with her reference band (per point) and fixed lines.

    Symptom reports have no value: they come as ``events`` and are drawn as a timeline.
    Times are shown in ``tz``, the hospital's local time.
    """

    title: str
    unit: str
    points: list[TrendPoint] = field(default_factory=list)
    band: list[tuple[datetime, float, float]] = field(default_factory=list)
    lines: list[tuple[float, str]] = field(default_factory=list)
    band_label: str = "Reference range"
    no_data: str = "No measurements yet"
    events: list[TrendEvent] = field(default_factory=list)
    tz: tzinfo = UTC
