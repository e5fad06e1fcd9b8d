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

import functools
import io
import math
import threading
from collections.abc import Callable, Iterable, Sequence
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

__all__ = ["FONT_FAMILIES", "GIDS", "render_chart_pdf", "render_chart_svg"]

# Preferred fonts: CJK first so Chinese labels render where fonts-noto-cjk is installed;
# DejaVu Sans ships with matplotlib, so a render never lacks a font.
FONT_FAMILIES: Final = ("Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei", "DejaVu Sans")
_FALLBACK_FONT: Final = "DejaVu Sans"

# A4 portrait, inches.
A4_PORTRAIT_IN: Final = (210 / 25.4, 297 / 25.4)

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

# Figure-fraction layout of the A4 page: title, legend, then four panels.
_TITLE_Y: Final = 0.975
_LEGEND_Y: Final = 0.942
_GRID: Final = {"left": 0.08, "right": 0.93, "top": 0.905, "bottom": 0.055, "hspace": 0.38}

_RENDER_LOCK: Final = threading.Lock()


def render_chart_svg(data: ChartData) -> str:
    """The chart as a standalone SVG document (text kept as text, no scripts).

    The root carries ``role="img"``, a ``<title>`` (``labels.title``) and a ``<desc>``
    summarising the latest reading of each panel. Same data, same bytes.
    """
    with _RENDER_LOCK, matplotlib.rc_context(_rc_params()):
        figure = _build_figure(data)
        buffer = io.StringIO()
        figure.savefig(
            buffer,
            format="svg",
            metadata={"Date": None},  # no "Title": the <title> is added below, with an id
        )
    return _add_svg_accessibility(buffer.getvalue(), data)


def render_chart_pdf(data: ChartData) -> bytes:
    """The chart as a one-page A4 portrait PDF for printing. Same data, same bytes."""
    with _RENDER_LOCK, matplotlib.rc_context(_rc_params()):
        figure = _build_figure(data)
        buffer = io.BytesIO()
        figure.savefig(
            buffer,
            format="pdf",
            metadata={"CreationDate": None, "ModDate": None, "Title": data.labels.title},
        )
    return buffer.getvalue()


# --- figure ---------------------------------------------------------------------------


def _build_figure(data: ChartData) -> Figure:
    labels = data.labels
    figure = Figure(figsize=A4_PORTRAIT_IN)
    FigureCanvasAgg(figure)  # non-GUI canvas; savefig switches to the SVG/PDF one
    # A fixed layout: constrained layout would double the render time.
    axes = figure.subplots(4, 1, gridspec_kw=_GRID)
    sfh_ax, weight_ax, ac_ax, bp_ax = (axes[0], axes[1], axes[2], axes[3])
    figure.suptitle(labels.title, y=_TITLE_Y, fontsize="x-large", fontweight="bold")

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
        ax.xaxis.set_major_locator(ticker.MultipleLocator(2))
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
        bbox_to_anchor=(0.5, _LEGEND_Y),
        ncols=4,
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
            fontsize="x-small",
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
    ax.set_title(title, loc="left", fontsize="medium", fontweight="bold")
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
    ax.set_title(labels.bp, loc="left", fontsize="medium", fontweight="bold")
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
            fontsize="x-small",
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
        loc="upper left",
        fontsize="small",
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


def _rc_params() -> dict[RcKeyType, Any]:
    return {
        # Installed preferred fonts (with per-glyph fallback between them), then the
        # generic family, which the SVG spells out as the whole preference list so a
        # viewer with a CJK font of its own uses it.
        "font.family": [*_available_font_families(), "sans-serif"],
        "font.sans-serif": list(FONT_FAMILIES),
        "font.size": 9,
        "text.parse_math": False,  # a "$" in a translated label stays a "$"
        "svg.fonttype": "none",
        "svg.hashsalt": _SVG_HASH_SALT,
        "pdf.fonttype": 3,  # Type 42 subsetting of a CJK font costs ~1 s per render
        "axes.spines.top": False,
        "axes.spines.right": False,
        "legend.fontsize": "small",
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
    """A small SVG of one sign over time, with her reference band and fixed reference lines.

    Blood pressure draws systolic and diastolic (``TrendPoint.second``). Same data, same bytes.
    """
    with _RENDER_LOCK, matplotlib.rc_context(_rc_params()):
        figure = Figure(figsize=(7.0, 2.8))
        FigureCanvasAgg(figure)
        ax = figure.add_axes((0.09, 0.16, 0.88, 0.74))
        ax.set_title(
            f"{trend.title} ({trend.unit})" if trend.unit else trend.title, fontsize="medium"
        )
        ax.grid(True, color="#e4e7ec", linewidth=0.6)
        if trend.band:
            xs = [mdates.date2num(at) for at, _low, _high in trend.band]
            ax.fill_between(
                xs,
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
                fontsize="x-small",
                color="#777777",
                ha="right",
                va="bottom",
            )
        if trend.points:
            xs = [mdates.date2num(p.at) for p in trend.points]
            ax.plot(
                xs,
                [p.value for p in trend.points],
                color=_COLOURS["systolic"],
                linewidth=1.0,
                gid="trend-series",
            )
            if any(p.second is not None for p in trend.points):
                seconds = [
                    (x, p.second)
                    for x, p in zip(xs, trend.points, strict=True)
                    if p.second is not None
                ]
                ax.plot(
                    [x for x, _ in seconds],
                    [v for _, v in seconds],
                    color=_COLOURS["diastolic"],
                    linewidth=1.0,
                    gid="trend-series-2",
                )
            for source in ("home", "clinic"):
                pts = [(x, p) for x, p in zip(xs, trend.points, strict=True) if p.source == source]
                _plot_markers(
                    ax,
                    [x for x, _ in pts],
                    [p.value for _, p in pts],
                    source,
                    _COLOURS["systolic"],
                    gid=f"trend-{source}",
                )
                seconds = [(x, p.second) for x, p in pts if p.second is not None]
                _plot_markers(
                    ax,
                    [x for x, _ in seconds],
                    [float(v) for _, v in seconds],
                    source,
                    _COLOURS["diastolic"],
                    gid=f"trend-{source}-2",
                )
            locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))
        else:
            ax.set_xticks([])
            ax.text(
                0.5,
                0.5,
                trend.no_data,
                transform=ax.transAxes,
                ha="center",
                va="center",
                color="#777777",
                gid="trend-no-data",
            )
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
