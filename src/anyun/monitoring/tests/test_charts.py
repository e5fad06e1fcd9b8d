"""The chart renderers: the pregnancy chart (FA-4) and one sign's trend (FA-3) as SVG."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import re
import xml.etree.ElementTree as ET
import zoneinfo
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from anyun.clinical.anthropometry import BmiCategory
from anyun.monitoring import charts
from anyun.monitoring.chart_data import (
    BpPoint,
    ChartData,
    ChartLabels,
    ChartPoint,
    TrendData,
    TrendEvent,
    TrendPoint,
)
from anyun.monitoring.charts import render_chart_svg, render_trend_svg

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
PANELS = ("sfh", "weight", "ac", "bp")


def week(weeks: int, days: int = 0) -> int:
    return weeks * 7 + days


FULL = ChartData(
    sfh=[
        ChartPoint(week(24), 23.0, "clinic"),
        ChartPoint(week(28, 2), 27.5, "home"),
        ChartPoint(week(30), 29.0, "home"),
        ChartPoint(week(32), 31.0, "clinic"),
    ],
    weight_gain=[
        ChartPoint(week(10), 0.8, "home"),
        ChartPoint(week(20), 4.1, "clinic"),
        ChartPoint(week(24), 5.9, "home"),
        ChartPoint(week(28), 7.6, "home"),
        ChartPoint(week(30), 9.0, "home"),
    ],
    ac=[ChartPoint(week(20), 85.0, "clinic"), ChartPoint(week(30), 95.5, "clinic")],
    bp=[
        BpPoint(week(20), 118, 76, "clinic"),
        BpPoint(week(26), 142, 92, "home"),
        BpPoint(week(30), 128, 84, "home"),
    ],
    bmi_category=BmiCategory.NORMAL,
    today_ga_days=week(32, 3),
)

CHINESE = ChartLabels(
    title="孕期曲线图",
    ga_axis="孕周",
    sfh="宫高（厘米）",
    weight="体重增长（千克）",
    ac="腹围（厘米）",
    bp="血压（毫米汞柱）",
    home="家庭测量",
    clinic="门诊测量",
    band="推荐范围",
    systolic="收缩压",
    diastolic="舒张压",
    today="今天",
    no_data="暂无测量数据",
)


def parse(svg: str) -> ET.Element:
    # our own renderer's output, not untrusted input
    return ET.fromstring(svg.encode("utf-8"))  # noqa: S314


def by_id(root: ET.Element, gid: str) -> ET.Element | None:
    return next((element for element in root.iter() if element.get("id") == gid), None)


def markers(root: ET.Element, gid: str) -> int:
    """Points drawn by the series ``gid``: one <use> per marker, 0 if the series is absent."""
    group = by_id(root, gid)
    return 0 if group is None else sum(1 for _ in group.iter(f"{SVG}use"))


def texts(root: ET.Element) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


@pytest.fixture(scope="module")
def full_svg() -> str:
    return render_chart_svg(FULL)


@pytest.fixture(scope="module")
def full_root(full_svg: str) -> ET.Element:
    return parse(full_svg)


def test_svg_parses_and_carries_an_accessible_title(full_root: ET.Element) -> None:
    assert full_root.tag == f"{SVG}svg"
    assert full_root.get("role") == "img"
    first, second = list(full_root)[:2]
    assert first.tag == f"{SVG}title"
    assert first.text == "Pregnancy chart"
    assert full_root.get("aria-labelledby") == first.get("id")
    assert second.tag == f"{SVG}desc"
    assert full_root.get("aria-describedby") == second.get("id")
    # latest reading of each panel
    assert second.text is not None
    assert "Fundal height (cm): 31 (32+0)" in second.text
    assert "Blood pressure (mmHg): 128/84 (30+0)" in second.text
    assert len(full_root.findall(f"{SVG}title")) == 1


def test_svg_holds_no_script_and_no_external_reference(full_root: ET.Element) -> None:
    for element in full_root.iter():
        assert element.tag not in {f"{SVG}script", f"{SVG}foreignObject", f"{SVG}a"}
        assert not any(name.lower().startswith("on") for name in element.attrib)
        href = element.get(XLINK_HREF) or element.get("href")
        assert href is None or href.startswith("#")


def test_svg_ids_are_unique(full_root: ET.Element) -> None:
    ids = [element.get("id") for element in full_root.iter() if element.get("id")]
    assert len(ids) == len(set(ids))


def test_svg_text_stays_text_with_every_label(full_root: ET.Element) -> None:
    shown = texts(full_root)
    labels = FULL.labels
    for label in (
        labels.title,
        labels.ga_axis,
        labels.sfh,
        labels.weight,
        labels.ac,
        labels.bp,
        labels.home,
        labels.clinic,
        labels.band,
        labels.systolic,
        labels.diastolic,
        labels.today,
    ):
        assert label in shown, label
    assert labels.no_data not in shown  # every panel has data
    assert by_id(full_root, "chart-legend") is not None
    assert by_id(full_root, "bp-legend") is not None


def test_one_marker_per_point_home_and_clinic_apart(full_root: ET.Element) -> None:
    expected = {
        "sfh-home": 2,
        "sfh-clinic": 2,
        "weight-home": 4,
        "weight-clinic": 1,
        "ac-home": 0,
        "ac-clinic": 2,
        "bp-systolic-home": 2,
        "bp-systolic-clinic": 1,
        "bp-diastolic-home": 2,
        "bp-diastolic-clinic": 1,
    }
    assert set(expected) == set(charts.GIDS["points"])
    for gid, count in expected.items():
        assert markers(full_root, gid) == count, gid
    # home and clinic use different marker shapes
    home = by_id(full_root, "sfh-home")
    clinic = by_id(full_root, "sfh-clinic")
    assert home is not None
    assert clinic is not None
    home_shape = home.find(f"{SVG}defs/{SVG}path")
    clinic_shape = clinic.find(f"{SVG}defs/{SVG}path")
    assert home_shape is not None
    assert clinic_shape is not None
    assert home_shape.get("d") != clinic_shape.get("d")


def test_trend_lines_join_the_points(full_root: ET.Element) -> None:
    for gid in charts.GIDS["trends"]:
        group = by_id(full_root, gid)
        assert group is not None, gid
        assert group.find(f"{SVG}path") is not None
        assert markers(full_root, gid) == 0


def test_sfh_reference_curves(full_root: ET.Element) -> None:
    for gid in ("sfh-p10", "sfh-p50", "sfh-p90"):
        group = by_id(full_root, gid)
        assert group is not None, gid
        path = group.find(f"{SVG}path")
        assert path is not None
        # sampled every quarter week from 16 to 42 weeks
        assert len(re.findall(r"[ML] ", path.get("d", ""))) == 105
    assert {"P10", "P50", "P90"} <= set(texts(full_root))


def test_sfh_curves_are_drawn_even_without_points() -> None:
    root = parse(render_chart_svg(ChartData()))
    for gid in ("sfh-p10", "sfh-p50", "sfh-p90"):
        assert by_id(root, gid) is not None


def test_bp_reference_lines(full_root: ET.Element) -> None:
    for level in (140, 90, 160, 110):
        assert by_id(full_root, f"bp-ref-{level}") is not None
        assert str(level) in texts(full_root)


def test_weight_band_only_with_a_bmi_category(full_root: ET.Element) -> None:
    assert by_id(full_root, "weight-band") is not None
    without = parse(render_chart_svg(replace(FULL, bmi_category=None)))
    assert by_id(without, "weight-band") is None
    assert FULL.labels.band not in texts(without)
    assert markers(without, "weight-home") == 4


def test_weight_band_differs_by_category() -> None:
    def band_path(category: BmiCategory) -> str | None:
        root = parse(render_chart_svg(ChartData(bmi_category=category)))
        group = by_id(root, "weight-band")
        assert group is not None
        path = group.find(f"{SVG}path")
        assert path is not None
        return path.get("d")

    assert band_path(BmiCategory.UNDERWEIGHT) != band_path(BmiCategory.OBESE)


def test_today_line_only_when_known(full_root: ET.Element) -> None:
    for panel in PANELS:
        assert by_id(full_root, f"today-{panel}") is not None
    without = parse(render_chart_svg(replace(FULL, today_ga_days=None)))
    for panel in PANELS:
        assert by_id(without, f"today-{panel}") is None
    assert FULL.labels.today not in texts(without)


def test_empty_chart_says_no_data_in_every_panel() -> None:
    root = parse(render_chart_svg(ChartData()))
    for panel in PANELS:
        element = by_id(root, f"no-data-{panel}")
        assert element is not None
        assert texts(element) == ["No measurements yet"]
    for gid in charts.GIDS["points"] + charts.GIDS["trends"]:
        assert by_id(root, gid) is None
    assert by_id(root, "weight-band") is None


def test_only_the_empty_panel_says_no_data() -> None:
    root = parse(render_chart_svg(replace(FULL, ac=[])))
    assert by_id(root, "no-data-ac") is not None
    for panel in ("sfh", "weight", "bp"):
        assert by_id(root, f"no-data-{panel}") is None


def test_ga_axis_widens_for_late_data() -> None:
    data = ChartData(sfh=[ChartPoint(week(43, 4), 40.0, "clinic")])
    root = parse(render_chart_svg(data))
    assert "44" in texts(root)
    assert markers(root, "sfh-clinic") == 1
    default = parse(render_chart_svg(ChartData()))
    shown = texts(default)
    # on screen every 4 weeks from 12 to 40 (the axis ends at 42)
    assert "12" in shown
    assert "40" in shown
    assert "44" not in shown
    printed = texts(parse(render_chart_svg(ChartData(), layout=charts.PRINT)))
    assert {"12", "42"} <= set(printed)
    assert "44" not in printed


def test_chinese_labels_survive_as_text() -> None:
    root = parse(render_chart_svg(replace(FULL, labels=CHINESE, ac=[])))
    shown = texts(root)
    for label in (
        CHINESE.title,
        CHINESE.ga_axis,
        CHINESE.sfh,
        CHINESE.weight,
        CHINESE.ac,
        CHINESE.bp,
        CHINESE.home,
        CHINESE.clinic,
        CHINESE.band,
        CHINESE.systolic,
        CHINESE.diastolic,
        CHINESE.today,
        CHINESE.no_data,
    ):
        assert label in shown, label
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == "孕期曲线图"


def test_labels_are_escaped_and_not_parsed_as_math() -> None:
    labels = ChartLabels(title='<script>alert("x")</script> & co', weight="Cost $5 & $6")
    svg = render_chart_svg(ChartData(labels=labels))
    root = parse(svg)
    assert "<script" not in svg
    assert all(element.tag != f"{SVG}script" for element in root.iter())
    assert labels.title in texts(root)
    assert labels.weight in texts(root)
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == labels.title


def test_svg_is_deterministic(full_svg: str) -> None:
    assert render_chart_svg(FULL) == full_svg
    assert "<dc:date>" not in full_svg


def test_renders_from_threads_agree(full_svg: str) -> None:
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: render_chart_svg(FULL), range(3)))
    assert results == [full_svg] * 3


def test_missing_preferred_font_falls_back_quietly(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(charts, "FONT_FAMILIES", ("No Such Font CJK", "DejaVu Sans"))
    charts._available_font_families.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="matplotlib"):
            root = parse(render_chart_svg(FULL))
    finally:
        charts._available_font_families.cache_clear()
    assert markers(root, "sfh-home") == 2
    assert not [record for record in caplog.records if "findfont" in record.getMessage()]


def test_rc_params_are_restored() -> None:
    import matplotlib

    before = dict(matplotlib.rcParams)
    render_chart_svg(FULL)
    assert dict(matplotlib.rcParams) == before


def font_sizes(root: ET.Element) -> list[float]:
    return [
        float(element.get("font-size", "0").removesuffix("px"))
        for element in root.iter(f"{SVG}text")
    ]


def test_svg_uses_no_css_so_a_strict_csp_draws_it(full_svg: str, full_root: ET.Element) -> None:
    # Opened alone under our CSP (no inline styles), style attributes and <style> are ignored:
    # every fill fell back to black. Presentation attributes are not styles.
    assert "style=" not in full_svg
    assert full_root.find(f".//{SVG}style") is None
    background = by_id(full_root, "patch_1")
    assert background is not None
    path = background.find(f"{SVG}path")
    assert path is not None
    assert path.get("fill") == "#ffffff"
    assert full_root.get("stroke-linejoin") == "round"
    assert all(size > 0 for size in font_sizes(full_root))


def test_screen_chart_is_phone_shaped_with_readable_text(full_root: ET.Element) -> None:
    # 4 in wide (288 pt = 384 CSS px): shown at ~330-400 px on a phone, so 11 pt is >= 12 px
    assert full_root.get("viewBox", "").split()[2] == "288"
    assert min(font_sizes(full_root)) >= 11
    printed = parse(render_chart_svg(FULL, layout=charts.PRINT))
    assert printed.find(f"{SVG}title") is not None
    assert FULL.labels.title not in texts(printed)  # the printed page has its own header


# --- one sign's trend -----------------------------------------------------------------------

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def tick_labels(root: ET.Element, axis: str) -> list[str]:
    """The tick labels of the x or y axis, as drawn (lines of a two-line label joined by /)."""
    labels = []
    for group in root.iter(f"{SVG}g"):
        if re.fullmatch(f"{axis}tick_\\d+", group.get("id", "")):
            labels.append("/".join("".join(t.itertext()) for t in group.iter(f"{SVG}text")))
    return labels


def bp_trend(start: dt.datetime, step: dt.timedelta, count: int) -> TrendData:
    return TrendData(
        title="Blood pressure",
        unit="mmHg",
        points=[TrendPoint(start + i * step, 120.0 + i, 80.0) for i in range(count)],
        lines=[(140.0, "140")],
        tz=SHANGHAI,
    )


def test_trend_times_are_the_hospitals_local_time() -> None:
    # 06:00-12:00 in Shanghai is 22:00-04:00 UTC, across midnight
    start = dt.datetime(2026, 3, 2, 6, 0, tzinfo=SHANGHAI)
    root = parse(render_trend_svg(bp_trend(start.astimezone(dt.UTC), dt.timedelta(hours=1.5), 5)))
    labels = tick_labels(root, "x")
    assert labels == ["06:00", "08:00", "10:00", "12:00"]
    assert "2026-03-02" in texts(root)  # the date of those hours, under the axis


@pytest.mark.parametrize(
    "step",
    [
        dt.timedelta(minutes=20),
        dt.timedelta(hours=3),
        dt.timedelta(hours=9),  # two days: hours would repeat (12:00, 03-03, 12:00)
        dt.timedelta(days=1),
        dt.timedelta(days=4),
        dt.timedelta(days=20),
        dt.timedelta(days=60),
    ],
)
def test_trend_never_repeats_a_tick_label(step: dt.timedelta) -> None:
    start = dt.datetime(2026, 3, 2, 7, 30, tzinfo=SHANGHAI)
    labels = tick_labels(parse(render_trend_svg(bp_trend(start, step, 6))), "x")
    assert len(labels) >= 3
    assert len(labels) == len(set(labels)), labels


def test_trend_of_one_reading_shows_its_hours() -> None:
    start = dt.datetime(2026, 3, 2, 23, 10, tzinfo=SHANGHAI)
    labels = tick_labels(parse(render_trend_svg(bp_trend(start, dt.timedelta(0), 1))), "x")
    assert "23:00" in labels
    assert len(labels) == len(set(labels))


def test_trend_is_phone_sized_with_readable_text() -> None:
    start = dt.datetime(2026, 3, 2, 7, 30, tzinfo=SHANGHAI)
    root = parse(render_trend_svg(bp_trend(start, dt.timedelta(days=1), 5)))
    assert root.get("viewBox", "").split()[2] == "288"
    assert min(font_sizes(root)) >= 11
    assert "style=" not in render_trend_svg(bp_trend(start, dt.timedelta(days=1), 5))


def test_symptoms_are_a_timeline_of_reports_with_their_labels() -> None:
    first = dt.datetime(2026, 3, 2, 6, 5, tzinfo=SHANGHAI)
    events = [
        TrendEvent(first.astimezone(dt.UTC), ("头痛持续不缓解或加重", "视物模糊或眼前闪光点")),
        TrendEvent(first + dt.timedelta(minutes=40), ("腹痛",)),
        TrendEvent(first + dt.timedelta(days=2), ("Baby moving less",)),
    ]
    root = parse(render_trend_svg(TrendData("症状", "", events=events, tz=SHANGHAI)))
    assert markers(root, "symptom-reports") == 3  # one marker per report, at its time
    newest, middle, oldest = (by_id(root, f"symptom-report-{i}") for i in range(3))
    assert newest is not None and middle is not None and oldest is not None
    # each report: its local time, then each symptom's label
    assert texts(oldest) == ["03-02 06:05", "头痛持续不缓解或加重", "视物模糊或眼前闪光点"]
    assert texts(middle) == ["03-02 06:45", "腹痛"]
    assert texts(newest) == ["03-04 06:05", "Baby moving less"]
    # no value axis: no 0-1 line chart
    assert by_id(root, "trend-series") is None
    assert not {"0.0", "1.0"} & set(texts(root))
    assert min(font_sizes(root)) >= 11


def test_symptom_reports_close_in_time_do_not_overlap() -> None:
    first = dt.datetime(2026, 3, 2, 6, 0, tzinfo=SHANGHAI)
    events = [
        TrendEvent(first + dt.timedelta(minutes=10 * i), ("Headache that will not go away",))
        for i in range(8)
    ]
    root = parse(render_trend_svg(TrendData("Symptoms", "", events=events, tz=SHANGHAI)))
    tops = []
    for index in range(8):
        block = by_id(root, f"symptom-report-{index}")
        assert block is not None
        ys = [
            float(re.findall(r"[\d.]+", t.get("transform", ""))[1])
            for t in block.iter(f"{SVG}text")
        ]
        assert len(ys) == 2
        tops.append(min(ys))
    # newest first, each block below the one before by at least its two lines of 11 px
    assert all(later - earlier >= 22 for earlier, later in itertools.pairwise(tops)), tops


def test_trend_without_readings_says_so() -> None:
    root = parse(render_trend_svg(TrendData("Weight", "kg", tz=SHANGHAI)))
    element = by_id(root, "trend-no-data")
    assert element is not None
    assert texts(element) == ["No measurements yet"]


def test_the_blood_pressure_legend_never_hides_a_reading() -> None:
    """High readings early in pregnancy sit where a fixed upper-left legend would cover them."""
    early_high = replace(
        FULL,
        bp=[
            BpPoint(week(12), 168, 108, "home"),
            BpPoint(week(14), 162, 104, "home"),
            BpPoint(week(16), 158, 100, "clinic"),
            BpPoint(week(30), 120, 80, "home"),
        ],
    )
    figure = charts._build_figure(early_high, charts.SCREEN)
    figure.canvas.draw()
    bp_ax = figure.axes[3]
    legend_box = bp_ax.get_legend().get_window_extent()
    points = [
        bp_ax.transData.transform((point.ga_days / 7, value))
        for point in early_high.bp
        for value in (point.systolic, point.diastolic)
    ]
    assert not [p for p in points if legend_box.contains(*p)]
