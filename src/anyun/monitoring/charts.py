"""The pregnancy chart (FA-4), drawn server-side as SVG (screen) or A4 PDF (print).

Four panels over gestational age in weeks: fundal height against the INTERGROWTH-21st
P10/P50/P90 curves, weight gain against the WS/T 801-2022 band for her BMI category,
abdominal circumference (plot only) and blood pressure with the 140/90 and 160/110 mmHg
lines (DOMAIN.md section 5). The references come from :mod:`anyun.clinical`; this module
only draws. All words come from ``data.labels`` so the caller translates.

Thread safety: figures are built with :class:`matplotlib.figure.Figure` directly (never
pyplot, no ``matplotlib.use``). ``matplotlib.rc_context`` changes the process-wide
``rcParams`` for the duration of a render, so renders are serialised by a module lock.

Each data series is an artist with a stable ``gid`` that becomes the ``id`` of its
``<g>`` in the SVG; a marker series draws one ``<use>`` per point. See ``GIDS``.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal
from xml.sax.saxutils import escape, quoteattr

import matplotlib
from matplotlib import dates as mdates
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from anyun.clinical.anthropometry import BmiCategory, weight_gain_band
from anyun.clinical.dating import DAYS_PER_WEEK, GestationalAge
from anyun.clinical.sfh import SFH_MAX_GA_WEEKS, SFH_MIN_GA_WEEKS, sfh_p10, sfh_p50, sfh_p90
from anyun.monitoring.chart_data import (
    BpPoint,
    ChartData,
    ChartLabels,
    ChartPoint,
    Source,
    TrendData,
)

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

__all__ = ["FONT_FAMILIES", "GIDS", "PRINT", "SCREEN", "render_chart_svg", "render_trend_svg"]

# Preferred fonts: CJK first so Chinese labels render where fonts-noto-cjk is installed;
# DejaVu Sans ships with matplotlib, so a render never lacks a font.
FONT_FAMILIES: Final = ("Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei", "DejaVu Sans")
_FALLBACK_FONT: Final = "DejaVu Sans"

# Default visible GA range in weeks; widened when the data lies outside.
GA_AXIS_MIN_WEEKS: Final = 12
GA_AXIS_MAX_WEEKS: Final = 42
# Weight-gain band: evaluated weekly from 0 to 42 weeks (WS/T 801-2022 is linear by week).
WEIGHT_BAND_LAST_WEEK: Final = 42
_GA_PAD_WEEKS: Final = 0.5
# SFH reference curves are sampled every quarter week over their valid range.
SFH_CURVE_STEP_WEEKS: Final = 0.25

# Blood-pressure reference lines, mmHg (DOMAIN.md section 5: attention / urgent).
BP_ATTENTION_SYSTOLIC: Final = 140
BP_ATTENTION_DIASTOLIC: Final = 90
BP_URGENT_SYSTOLIC: Final = 160
BP_URGENT_DIASTOLIC: Final = 110

# y ranges used when a panel has nothing to scale to (and the minimum BP range, so the
# reference lines always show).
_EMPTY_SFH_RANGE: Final = (10.0, 45.0)
_EMPTY_WEIGHT_RANGE: Final = (-2.0, 20.0)
_EMPTY_AC_RANGE: Final = (60.0, 120.0)
_BP_RANGE: Final = (40.0, 180.0)
# Smallest y span shown, so one point or a flat series does not fill the panel.
_MIN_Y_SPAN: Final = {"sfh": 10.0, "weight": 10.0, "ac": 20.0}

_SVG_TITLE_ID: Final = "anyun-chart-title"
_SVG_DESC_ID: Final = "anyun-chart-desc"
_SVG_HASH_SALT: Final = "anyun-pregnancy-chart"

_SOURCES: Final[tuple[Source, ...]] = ("home", "clinic")
Measure = Literal["sfh", "weight", "ac"]

# Every gid this module puts in the SVG. "{panel}" is sfh, weight, ac or bp.
GIDS: Final = {
    # one <use> per point; absent when the series is empty
    "points": (
        "sfh-home",
        "sfh-clinic",
        "weight-home",
        "weight-clinic",
        "ac-home",
        "ac-clinic",
        "bp-systolic-home",
        "bp-systolic-clinic",
        "bp-diastolic-home",
        "bp-diastolic-clinic",
    ),
    # thin line joining all points of a measure in GA order (no markers)
    "trends": ("sfh-trend", "weight-trend", "ac-trend", "bp-systolic-trend", "bp-diastolic-trend"),
    "references": (
        "sfh-p10",
        "sfh-p50",
        "sfh-p90",
        "weight-band",  # only with a BMI category
        "bp-ref-140",
        "bp-ref-90",
        "bp-ref-160",
        "bp-ref-110",
    ),
    "panels": ("panel-sfh", "panel-weight", "panel-ac", "panel-bp"),
    # per panel: "today-{panel}" (only with today_ga_days), "no-data-{panel}" (empty panel)
    "per_panel": ("today-{panel}", "no-data-{panel}"),
    "legends": ("chart-legend", "bp-legend"),
}

# Colours chosen to stay apart in grey print; home vs clinic is told by marker shape.
_COLOURS: Final = {
    "sfh": "#1f4e8c",
    "weight": "#2e7d32",
    "ac": "#6a3d9a",
    "systolic": "#c62828",
    "diastolic": "#1565c0",
    "neutral": "#333333",
    "reference": "#7a7a7a",
    "band": "#a5d6a7",
    "today": "#ef6c00",
}
_MARKER_SIZE: Final = 5.5


@dataclass(frozen=True)
class _Layout:
    """Size, figure-fraction grid and font sizes (points) of one way of showing the chart."""

    figsize: tuple[float, float]  # inches
    grid: dict[str, float]
    title_y: float | None  # None: no title drawn (the print page has its own header)
    legend_y: float
    legend_columns: int
    ga_tick_weeks: int
    text_pt: float  # ticks, legends, notes: the smallest text drawn; panel titles are "large"


# On screen: a phone-shaped column, 4 in (384 CSS px) wide, shown at about 330-400 CSS px on a
# 375 px phone and capped near that on a desktop (anyun.css), so 11 pt text shows at >= 12 px.
SCREEN: Final = _Layout(
    figsize=(4.0, 11.0),
    grid={"left": 0.14, "right": 0.89, "top": 0.885, "bottom": 0.045, "hspace": 0.42},
    title_y=0.99,
    legend_y=0.942,
    legend_columns=2,
    ga_tick_weeks=4,
    text_pt=11.0,
)
# In print: the plots under the page's header, 186 mm wide on A4 (vector in the PDF).
PRINT: Final = _Layout(
    figsize=(186 / 25.4, 222 / 25.4),
    grid={"left": 0.075, "right": 0.93, "top": 0.93, "bottom": 0.06, "hspace": 0.42},
    title_y=None,
    legend_y=0.975,
    legend_columns=4,
    ga_tick_weeks=2,
    text_pt=8.0,
)

_RENDER_LOCK: Final = threading.Lock()


def render_chart_svg(data: ChartData, *, layout: _Layout = SCREEN) -> str:
    """The chart as a standalone SVG document (text kept as text, no scripts, no CSS).

    The root carries ``role="img"``, a ``<title>`` (``labels.title``) and a ``<desc>``
    summarising the latest reading of each panel. Styles are presentation attributes, so
    the SVG draws the same under a Content-Security-Policy without inline styles, opened
    alone or inlined in a page. Same data, same bytes.
    """
    with _RENDER_LOCK, matplotlib.rc_context(_rc_params(layout)):
        figure = _build_figure(data, layout)
        buffer = io.StringIO()
        figure.savefig(
            buffer,
            format="svg",
            metadata={"Date": None},  # no "Title": the <title> is added below, with an id
        )
    return _add_svg_accessibility(_styles_as_attributes(buffer.getvalue()), data)


# --- figure ---------------------------------------------------------------------------


def _build_figure(data: ChartData, layout: _Layout) -> Figure:
    labels = data.labels
    figure = Figure(figsize=layout.figsize)
    FigureCanvasAgg(figure)  # non-GUI canvas; savefig switches to the SVG one
    # A fixed layout: constrained layout would double the render time.
    axes = figure.subplots(4, 1, gridspec_kw=layout.grid)
    sfh_ax, weight_ax, ac_ax, bp_ax = (axes[0], axes[1], axes[2], axes[3])
    if layout.title_y is not None:
        figure.suptitle(labels.title, y=layout.title_y, fontsize="x-large", fontweight="bold")

    _draw_sfh(sfh_ax, data.sfh, labels)
    band_drawn = _draw_weight(weight_ax, data.weight_gain, data.bmi_category, labels)
    _draw_measure(ac_ax, "ac", data.ac, labels.ac, labels, _EMPTY_AC_RANGE)
    _draw_bp(bp_ax, data.bp, labels)

    x_min, x_max = _ga_axis_range(data)
    for panel, ax in zip(
        ("sfh", "weight", "ac", "bp"), (sfh_ax, weight_ax, ac_ax, bp_ax), strict=True
    ):
        ax.set_gid(f"panel-{panel}")
        ax.set_xlim(x_min, x_max)
        ax.xaxis.set_major_locator(ticker.MultipleLocator(layout.ga_tick_weeks))
        ax.grid(True, color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        if data.today_ga_days is not None:
            ax.axvline(
                data.today_ga_days / DAYS_PER_WEEK,
                color=_COLOURS["today"],
                linewidth=1.2,
                linestyle=(0, (4, 2)),
                zorder=1.5,
                gid=f"today-{panel}",
            )
    bp_ax.set_xlabel(labels.ga_axis)

    legend = figure.legend(
        handles=_legend_handles(
            labels, band_drawn=band_drawn, today=data.today_ga_days is not None
        ),
        loc="center",
        bbox_to_anchor=(0.5, layout.legend_y),
        ncols=layout.legend_columns,
        frameon=False,
    )
    legend.set_gid("chart-legend")
    return figure


def _draw_sfh(ax: Axes, points: Sequence[ChartPoint], labels: ChartLabels) -> None:
    weeks = _frange(SFH_MIN_GA_WEEKS, SFH_MAX_GA_WEEKS, SFH_CURVE_STEP_WEEKS)
    curves: tuple[tuple[str, Callable[[float], float], Any], ...] = (
        ("p10", sfh_p10, (0, (5, 3))),
        ("p50", sfh_p50, "-"),
        ("p90", sfh_p90, (0, (5, 3))),
    )
    for name, centile, linestyle in curves:
        values = [centile(week) for week in weeks]
        ax.plot(
            weeks,
            values,
            color=_COLOURS["reference"],
            linewidth=1.0,
            linestyle=linestyle,
            zorder=2,
            gid=f"sfh-{name}",
        )
        ax.annotate(
            name.upper(),
            xy=(weeks[-1], values[-1]),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize="medium",
            color=_COLOURS["reference"],
            annotation_clip=False,
        )
    _draw_measure(ax, "sfh", points, labels.sfh, labels, _EMPTY_SFH_RANGE, autoscale=True)


def _draw_weight(
    ax: Axes,
    points: Sequence[ChartPoint],
    category: BmiCategory | None,
    labels: ChartLabels,
) -> bool:
    if category is not None:
        weeks = list(range(WEIGHT_BAND_LAST_WEEK + 1))
        bands = [weight_gain_band(category, GestationalAge(week * DAYS_PER_WEEK)) for week in weeks]
        band = ax.fill_between(
            weeks,
            [low for low, _ in bands],
            [high for _, high in bands],
            facecolor=_COLOURS["band"],
            edgecolor=_COLOURS["weight"],
            linewidth=0.5,
            alpha=0.5,
            zorder=1,
        )
        band.set_gid("weight-band")
    _draw_measure(
        ax,
        "weight",
        points,
        labels.weight,
        labels,
        _EMPTY_WEIGHT_RANGE,
        autoscale=category is not None,
    )
    return category is not None


def _draw_measure(
    ax: Axes,
    measure: Measure,
    points: Sequence[ChartPoint],
    title: str,
    labels: ChartLabels,
    empty_range: tuple[float, float],
    *,
    autoscale: bool = False,
) -> None:
    """Title, trend line and home/clinic markers of one measure; or the no-data text."""
    ax.set_title(title, loc="left", fontsize="large", fontweight="bold")
    colour = _COLOURS[measure]
    if not points:
        _no_data(ax, measure, labels)
        if not autoscale:
            ax.set_ylim(*empty_range)
        return
    ordered = sorted(points, key=lambda point: point.ga_days)
    ax.plot(
        [_weeks(point.ga_days) for point in ordered],
        [point.value for point in ordered],
        color=colour,
        linewidth=0.8,
        alpha=0.6,
        zorder=3,
        gid=f"{measure}-trend",
    )
    for source in _SOURCES:
        selected = [point for point in ordered if point.source == source]
        _plot_markers(
            ax,
            [_weeks(point.ga_days) for point in selected],
            [point.value for point in selected],
            source,
            colour,
            gid=f"{measure}-{source}",
        )
    _ensure_min_span(ax, _MIN_Y_SPAN[measure])


def _ensure_min_span(ax: Axes, span: float) -> None:
    low, high = ax.get_ylim()
    if high - low < span:
        middle = (low + high) / 2
        ax.set_ylim(middle - span / 2, middle + span / 2)


def _draw_bp(ax: Axes, points: Sequence[BpPoint], labels: ChartLabels) -> None:
    ax.set_title(labels.bp, loc="left", fontsize="large", fontweight="bold")
    references = (
        (BP_ATTENTION_SYSTOLIC, 1.0, "#8a8a8a"),
        (BP_ATTENTION_DIASTOLIC, 1.0, "#8a8a8a"),
        (BP_URGENT_SYSTOLIC, 0.8, "#c8c8c8"),
        (BP_URGENT_DIASTOLIC, 0.8, "#c8c8c8"),
    )
    for level, width, colour in references:
        ax.axhline(
            level,
            color=colour,
            linewidth=width,
            linestyle=(0, (6, 3)),
            zorder=1,
            gid=f"bp-ref-{level}",
        )
        ax.annotate(
            str(level),
            xy=(1, level),
            xycoords=("axes fraction", "data"),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize="medium",
            color=colour if width == 1.0 else "#9a9a9a",
            annotation_clip=False,
        )
    low, high = _BP_RANGE
    if not points:
        _no_data(ax, "bp", labels)
        ax.set_ylim(low, high)
        return
    ordered = sorted(points, key=lambda point: point.ga_days)
    weeks = [_weeks(point.ga_days) for point in ordered]
    series = (
        ("systolic", [float(point.systolic) for point in ordered], "-"),
        ("diastolic", [float(point.diastolic) for point in ordered], (0, (4, 2))),
    )
    for name, values, linestyle in series:
        colour = _COLOURS[name]
        ax.plot(
            weeks,
            values,
            color=colour,
            linewidth=0.9,
            linestyle=linestyle,
            alpha=0.7,
            zorder=3,
            gid=f"bp-{name}-trend",
        )
        for source in _SOURCES:
            chosen = [i for i, point in enumerate(ordered) if point.source == source]
            _plot_markers(
                ax,
                [weeks[i] for i in chosen],
                [values[i] for i in chosen],
                source,
                colour,
                gid=f"bp-{name}-{source}",
            )
    all_values = [float(point.systolic) for point in ordered] + [
        float(point.diastolic) for point in ordered
    ]
    ax.set_ylim(min(low, min(all_values) - 10), max(high, max(all_values) + 10))
    legend = ax.legend(
        handles=[
            Line2D([], [], color=_COLOURS["systolic"], linewidth=1.2, label=labels.systolic),
            Line2D(
                [],
                [],
                color=_COLOURS["diastolic"],
                linewidth=1.2,
                linestyle=(0, (4, 2)),
                label=labels.diastolic,
            ),
        ],
        loc="best",  # never over her readings, wherever they lie
        framealpha=0.9,
    )
    legend.set_gid("bp-legend")


def _plot_markers(
    ax: Axes, x: list[float], y: list[float], source: Source, colour: str, *, gid: str
) -> None:
    """Markers only: hollow circles for home readings, filled squares for the clinic."""
    if not x:
        return
    ax.plot(x, y, linestyle="none", zorder=4, gid=gid, **_marker_style(source, colour))


def _marker_style(source: Source, colour: str) -> dict[str, Any]:
    if source == "home":
        return {
            "marker": "o",
            "markersize": _MARKER_SIZE,
            "markerfacecolor": "white",
            "markeredgecolor": colour,
            "markeredgewidth": 1.2,
        }
    return {
        "marker": "s",
        "markersize": _MARKER_SIZE - 0.5,
        "markerfacecolor": colour,
        "markeredgecolor": colour,
        "markeredgewidth": 0.8,
    }


def _no_data(ax: Axes, panel: str, labels: ChartLabels) -> None:
    ax.text(
        0.5,
        0.5,
        labels.no_data,
        transform=ax.transAxes,
        ha="center",
        va="center",
        color="#777777",
        fontsize="medium",
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85},
        zorder=5,
        gid=f"no-data-{panel}",
    )


def _legend_handles(labels: ChartLabels, *, band_drawn: bool, today: bool) -> list[Any]:
    neutral = _COLOURS["neutral"]
    handles: list[Any] = [
        Line2D([], [], linestyle="none", label=labels.home, **_marker_style("home", neutral)),
        Line2D([], [], linestyle="none", label=labels.clinic, **_marker_style("clinic", neutral)),
    ]
    if band_drawn:
        handles.append(
            Patch(
                facecolor=_COLOURS["band"],
                edgecolor=_COLOURS["weight"],
                alpha=0.5,
                label=labels.band,
            )
        )
    if today:
        handles.append(
            Line2D(
                [],
                [],
                color=_COLOURS["today"],
                linewidth=1.2,
                linestyle=(0, (4, 2)),
                label=labels.today,
            )
        )
    return handles


def _ga_axis_range(data: ChartData) -> tuple[float, float]:
    days: list[int] = [
        point.ga_days for series in (data.sfh, data.weight_gain, data.ac) for point in series
    ]
    days.extend(point.ga_days for point in data.bp)
    if data.today_ga_days is not None:
        days.append(data.today_ga_days)
    low: float = GA_AXIS_MIN_WEEKS
    high: float = GA_AXIS_MAX_WEEKS
    if days:
        # half a week of room so a point on the edge is not cut in half
        low = min(low, math.floor(min(days) / DAYS_PER_WEEK - _GA_PAD_WEEKS))
        high = max(high, math.ceil(max(days) / DAYS_PER_WEEK + _GA_PAD_WEEKS))
    return (max(low, 0), high)


def _weeks(ga_days: int) -> float:
    return ga_days / DAYS_PER_WEEK


def _frange(start: float, stop: float, step: float) -> list[float]:
    count = round((stop - start) / step)
    return [start + i * step for i in range(count + 1)]


# --- rcParams, fonts ------------------------------------------------------------------


def _rc_params(layout: _Layout) -> dict[RcKeyType, Any]:
    return {
        # Installed preferred fonts (with per-glyph fallback between them), then the
        # generic family, which the SVG spells out as the whole preference list so a
        # viewer with a CJK font of its own uses it.
        "font.family": [*_available_font_families(), "sans-serif"],
        "font.sans-serif": list(FONT_FAMILIES),
        "font.size": layout.text_pt,
        "text.parse_math": False,  # a "$" in a translated label stays a "$"
        "svg.fonttype": "none",
        "svg.hashsalt": _SVG_HASH_SALT,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "legend.fontsize": "medium",
    }


@functools.cache
def _available_font_families() -> tuple[str, ...]:
    """FONT_FAMILIES that are installed, in order, always ending with DejaVu Sans.

    Filtering avoids a "font family not found" log line on machines without CJK fonts.
    """
    from matplotlib import font_manager

    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    found = tuple(family for family in FONT_FAMILIES if family in installed)
    return found if _FALLBACK_FONT in found else (*found, _FALLBACK_FONT)


# --- SVG under a strict CSP --------------------------------------------------------------

_STYLE_ATTRIBUTE: Final = re.compile(r' style="([^"]*)"')
_STYLE_SHEET: Final = re.compile(r"\s*<defs>\s*<style[^>]*>\*\{([^}]*)\}</style>\s*</defs>")


def _styles_as_attributes(svg: str) -> str:
    """Every ``style="a: b"`` as ``a="b"`` and matplotlib's ``*{...}`` sheet on the root.

    A CSP without 'unsafe-inline' styles (ours) ignores style attributes and <style> in an
    SVG opened alone: every fill fell back to black. Presentation attributes are not
    styles, so no CSP blocks them. The sheet's two properties are inherited, so on the root
    they reach every element that does not set its own, as the ``*`` rule did.
    """
    sheet = _STYLE_SHEET.search(svg)
    if sheet is not None:
        svg = svg[: sheet.start()] + svg[sheet.end() :]
        start = svg.index("<svg")
        end = svg.index(">", start)
        svg = svg[:end] + _attributes(sheet.group(1)) + svg[end:]
    return _STYLE_ATTRIBUTE.sub(lambda match: _attributes(match.group(1)), svg)


def _attributes(declarations: str) -> str:
    pairs = (part.split(":", 1) for part in declarations.split(";") if ":" in part)
    return "".join(f' {name.strip()}="{value.strip()}"' for name, value in pairs)


# --- SVG accessibility ----------------------------------------------------------------


def _add_svg_accessibility(svg: str, data: ChartData) -> str:
    """Give the root ``role="img"``, a ``<title>`` and a ``<desc>`` (first children)."""
    start = svg.index("<svg")
    end = svg.index(">", start)
    attributes = (
        f' role="img" aria-labelledby={quoteattr(_SVG_TITLE_ID)}'
        f" aria-describedby={quoteattr(_SVG_DESC_ID)}"
    )
    children = (
        f'\n <title id="{_SVG_TITLE_ID}">{escape(data.labels.title)}</title>'
        f'\n <desc id="{_SVG_DESC_ID}">{escape(_description(data))}</desc>'
    )
    return svg[:end] + attributes + ">" + children + svg[end + 1 :]


def chart_description(data: ChartData) -> str:
    """The chart's summary in words: the SVG's <desc>, and the caption under it on the page."""
    return _description(data)


def _description(data: ChartData) -> str:
    """Latest reading per panel, e.g. "Fundal height (cm): 30.5 (32+1)"."""
    labels = data.labels
    parts = [
        _latest(labels.sfh, data.sfh, labels),
        _latest(labels.weight, data.weight_gain, labels),
        _latest(labels.ac, data.ac, labels),
    ]
    if data.bp:
        last_bp = max(data.bp, key=lambda point: point.ga_days)
        parts.append(
            f"{labels.bp}: {last_bp.systolic}/{last_bp.diastolic} ({GestationalAge(last_bp.ga_days)})"
        )
    else:
        parts.append(f"{labels.bp}: {labels.no_data}")
    return "; ".join(parts)


def _latest(title: str, points: Iterable[ChartPoint], labels: ChartLabels) -> str:
    last = max(points, key=lambda point: point.ga_days, default=None)
    if last is None:
        return f"{title}: {labels.no_data}"
    return f"{title}: {last.value:g} ({GestationalAge(last.ga_days)})"


# --- one sign's trend (FA-3 look-back) ------------------------------------------------------


def render_trend_svg(trend: TrendData) -> str:
    """A small SVG of one sign over time, in ``trend.tz`` (the hospital's local time).

    Values: a line with her reference band and fixed reference lines; blood pressure draws
    systolic and diastolic (``TrendPoint.second``). Symptom reports (``trend.events``): a
    timeline, each report a marker at its time with its local time and symptoms beside it.
    Phone-sized (4 in wide, 11 pt text) like the pregnancy chart. Same data, same bytes.
    """
    with _RENDER_LOCK, matplotlib.rc_context(_rc_params(SCREEN)):
        figure = _symptom_timeline(trend) if trend.events else _value_trend(trend)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return _styles_as_attributes(buffer.getvalue())


# Tick labels by the span shown, numeric so they read the same in every language; each label
# names a different tick (a day span labels days, an hour span hours with the date at
# midnight), and the offset under the axis gives what the labels leave out.
_DATE_FORMATS: Final = ["%Y", "%Y-%m", "%m-%d", "%H:%M", "%H:%M", "%H:%M:%S"]
_DATE_ZERO_FORMATS: Final = ["", "%Y-%m", "%m-%d", "%m-%d", "%H:%M", "%H:%M"]
_DATE_OFFSET_FORMATS: Final = ["", "", "%Y", "%Y-%m-%d", "%Y-%m-%d", "%Y-%m-%d %H:%M"]
# A lone reading (or a burst within minutes) is shown with this much time either side.
_MIN_TIME_SPAN: Final = dt.timedelta(hours=4)
_TIME_PAD_FRACTION: Final = 0.05
_TREND_SIZE_IN: Final = (4.0, 3.2)
_TREND_AXES: Final = (0.17, 0.2, 0.78, 0.66)


class _UniqueDateFormatter(mdates.ConciseDateFormatter):
    """Concise labels, but never the same label twice.

    Hour ticks over more than a day (12:00, 03-03, 12:00) would repeat a time: then each tick
    is labelled with its date and time, on two lines, and the offset gives the year.
    """

    _year: str | None = None

    def format_ticks(self, values: Any) -> list[str]:
        labels: list[str] = super().format_ticks(values)
        self._year = None
        if len(set(labels)) == len(labels):
            return labels
        when = [mdates.num2date(value, tz=self._tz) for value in values]
        self._year = when[-1].strftime("%Y")
        return [moment.strftime("%m-%d\n%H:%M") for moment in when]

    def get_offset(self) -> str:
        if self._year is not None and self.show_offset:
            return self._year
        return str(super().get_offset())


def _date_axis(
    axis: Any, times: Sequence[dt.datetime], tz: dt.tzinfo, *, offset: bool = True
) -> tuple[float, float]:
    """Local-time ticks on ``axis`` and the padded range (date numbers) of ``times``."""
    locator = mdates.AutoDateLocator(tz=tz, minticks=3, maxticks=6)
    axis.set_major_locator(locator)
    axis.set_major_formatter(
        _UniqueDateFormatter(
            locator,
            tz=tz,
            formats=_DATE_FORMATS,
            zero_formats=_DATE_ZERO_FORMATS,
            offset_formats=_DATE_OFFSET_FORMATS,
            show_offset=offset,
        )
    )
    first, last = min(times), max(times)
    if last - first < _MIN_TIME_SPAN:
        middle = first + (last - first) / 2
        first, last = middle - _MIN_TIME_SPAN / 2, middle + _MIN_TIME_SPAN / 2
    pad = (last - first) * _TIME_PAD_FRACTION
    return float(mdates.date2num(first - pad)), float(mdates.date2num(last + pad))


def _trend_figure() -> tuple[Figure, Axes]:
    figure = Figure(figsize=_TREND_SIZE_IN)
    FigureCanvasAgg(figure)
    return figure, figure.add_axes(_trend_axes(_TREND_SIZE_IN[1]))


def _trend_axes(height_in: float) -> tuple[float, float, float, float]:
    """The axes' rectangle in a trend figure ``height_in`` tall: margins keep their inches."""
    left, bottom, width, height = _TREND_AXES
    scale = _TREND_SIZE_IN[1] / height_in
    return (left, bottom * scale, width, 1 - (1 - height - bottom) * scale - bottom * scale)


def _value_trend(trend: TrendData) -> Figure:
    figure, ax = _trend_figure()
    ax.set_title(f"{trend.title} ({trend.unit})" if trend.unit else trend.title, loc="left")
    ax.grid(True, color="#e4e7ec", linewidth=0.6)
    if not trend.points:
        _trend_no_data(ax, trend.no_data)
        return figure
    if trend.band:
        ax.fill_between(
            [mdates.date2num(at) for at, _low, _high in trend.band],
            [low for _at, low, _high in trend.band],
            [high for _at, _low, high in trend.band],
            color=_COLOURS["band"],
            alpha=0.35,
            linewidth=0,
            label=trend.band_label,
            gid="trend-band",
        )
    for value, text in trend.lines:
        ax.axhline(
            value, color=_COLOURS["reference"], linestyle="--", linewidth=0.8, gid="trend-line"
        )
        ax.annotate(
            text,
            xy=(1.0, value),
            xycoords=("axes fraction", "data"),
            color="#666666",
            ha="right",
            va="bottom",
        )
    xs = [float(mdates.date2num(p.at)) for p in trend.points]
    ax.plot(
        xs,
        [p.value for p in trend.points],
        color=_COLOURS["systolic"],
        linewidth=1.0,
        gid="trend-series",
    )
    if any(p.second is not None for p in trend.points):
        seconds = [
            (x, p.second) for x, p in zip(xs, trend.points, strict=True) if p.second is not None
        ]
        ax.plot(
            [x for x, _ in seconds],
            [v for _, v in seconds],
            color=_COLOURS["diastolic"],
            linewidth=1.0,
            linestyle=(0, (4, 2)),  # dashed, as on the pregnancy chart: not by colour alone
            gid="trend-series-2",
        )
    for source in _SOURCES:
        pts = [(x, p) for x, p in zip(xs, trend.points, strict=True) if p.source == source]
        _plot_markers(
            ax,
            [x for x, _ in pts],
            [p.value for _, p in pts],
            source,
            _COLOURS["systolic"],
            gid=f"trend-{source}",
        )
        second_points = [(x, p.second) for x, p in pts if p.second is not None]
        _plot_markers(
            ax,
            [x for x, _ in second_points],
            [float(v) for _, v in second_points],
            source,
            _COLOURS["diastolic"],
            gid=f"trend-{source}-2",
        )
    ax.set_xlim(*_date_axis(ax.xaxis, [p.at for p in trend.points], trend.tz))
    return figure


def _trend_no_data(ax: Axes, text: str) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(
        0.5,
        0.5,
        text,
        transform=ax.transAxes,
        ha="center",
        va="center",
        color="#777777",
        gid="trend-no-data",
    )


# Symptom timeline: time runs up the left axis (newest at the top, as in the list below it);
# each report's text sits in its own rows on the right, joined to its marker by a leader.
_EVENT_GAP_LINES: Final = 0.8  # of the font size, between two reports' blocks
_LABEL_WIDTH_EM: Final = 17.0  # what fits right of the leaders at 11 pt in 4 in
_MARKER_X: Final = 0.06
_LABEL_X: Final = 0.2
_TIMELINE_MARGINS_IN: Final = (1 - _TREND_AXES[3]) * _TREND_SIZE_IN[1]  # title, bottom


def _symptom_timeline(trend: TrendData) -> Figure:
    events = sorted(trend.events, key=lambda event: event.at, reverse=True)
    figure, ax = _trend_figure()
    ax.set_title(trend.title, loc="left")
    ax.set_xlim(0, 1)
    ax.set_xticks([])
    ax.spines["bottom"].set_visible(False)
    ax.grid(True, axis="y", color="#e4e7ec", linewidth=0.6)
    texts = [
        ax.text(
            _LABEL_X,
            0,
            "\n".join(
                [timezone_text(event.at, trend.tz)]
                + [line for label in event.labels for line in _wrap(label, _LABEL_WIDTH_EM)]
            ),
            va="center",
            ha="left",
            linespacing=1.35,
            gid=f"symptom-report-{index}",
        )
        for index, event in enumerate(events)
    ]
    # The figure grows with the reports' text so that no two blocks overlap.
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    gap_in = SCREEN.text_pt * _EVENT_GAP_LINES / 72
    block_in = [text.get_window_extent(renderer).height / figure.dpi + gap_in for text in texts]
    height_in = max(_TREND_SIZE_IN[1], sum(block_in) + _TIMELINE_MARGINS_IN)
    figure.set_size_inches(_TREND_SIZE_IN[0], height_in)
    ax.set_position(_trend_axes(height_in))
    low, high = _date_axis(ax.yaxis, [event.at for event in events], trend.tz, offset=False)
    ax.set_ylim(low, high)
    per_in = (high - low) / (ax.get_position().height * height_in)
    times = [float(mdates.date2num(event.at)) for event in events]
    centres = _stack(times, [size * per_in for size in block_in], low=low, high=high)
    for index, (at, centre, text) in enumerate(zip(times, centres, texts, strict=True)):
        text.set_y(centre)
        ax.plot(
            [_MARKER_X, _LABEL_X - 0.03],
            [at, centre],
            color="#9a9a9a",
            linewidth=0.8,
            gid=f"symptom-leader-{index}",
        )
    colour = _COLOURS["systolic"]
    ax.plot(
        [_MARKER_X] * len(times),
        times,
        linestyle="none",
        marker="o",
        markersize=_MARKER_SIZE + 1,
        markerfacecolor=colour,
        markeredgecolor=colour,
        gid="symptom-reports",
    )
    return figure


def timezone_text(at: dt.datetime, tz: dt.tzinfo) -> str:
    """``at`` in ``tz`` as "MM-DD HH:MM" (the date of the timeline's labels)."""
    return at.astimezone(tz).strftime("%m-%d %H:%M")


def _stack(
    wanted: Sequence[float], heights: Sequence[float], *, low: float, high: float
) -> list[float]:
    """Centres near ``wanted`` (descending) for blocks of ``heights`` that never overlap.

    Each block goes as close to its own time as the one above it allows, then the whole
    stack is pushed up from the bottom if it ran out of room; the figure is sized so that
    the blocks fit between ``low`` and ``high``.
    """
    centres: list[float] = []
    ceiling = high
    for centre, height in zip(wanted, heights, strict=True):
        placed = min(centre, ceiling - height / 2)
        centres.append(placed)
        ceiling = placed - height / 2
    floor = low
    for index in range(len(centres) - 1, -1, -1):
        half = heights[index] / 2
        if centres[index] - half < floor:
            centres[index] = floor + half
        floor = centres[index] + half
    return centres


def _wrap(text: str, width_em: float) -> list[str]:
    """Lines of at most ``width_em`` (CJK characters count 1 em, others about half).

    Latin text breaks at spaces; CJK text between any two characters.
    """
    lines: list[str] = []
    line = ""
    used = 0.0
    for word in re.findall(
        r"[\u2e80-\u9fff\uff00-\uffef]|[^\s\u2e80-\u9fff\uff00-\uffef]+\s*", text
    ):
        size = sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in word)
        if line and used + size > width_em:
            lines.append(line.rstrip())
            line, used = "", 0.0
        line += word
        used += size
    if line.strip():
        lines.append(line.rstrip())
    return lines
