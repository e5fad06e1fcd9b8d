"""The charts as a woman sees them in Chromium, in Chinese.

Opened alone (the image opened in a tab of its own, under our Content-Security-Policy), the
pregnancy chart and a sign's trend draw as on the page: a white background and coloured
series, not a black sheet. On a 375 px phone their text is readable (12 CSS px or more) and
they fit the screen's width; at 1280 px they stay within their figure's max-width.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page

from anyun.clinical.red_flags import Symptom
from anyun.clinical.signs import SignKind
from anyun.monitoring.services import ReadingInput, readings_record
from anyun.pregnancy.selectors import current_pregnancy_of
from tests.browser.support import DESKTOP_VIEWPORT, PHONE_VIEWPORT, axe_check, woman_signed_in

pytestmark = pytest.mark.django_db(transaction=True)

# The smallest text a woman reads on her phone without zooming, in CSS px.
MIN_TEXT_PX = 12.0
# A channel at or above this is white; a pixel whose channels spread this far is coloured.
WHITE = 245
# Series colours of anyun.monitoring.charts, and how far an anti-aliased pixel may stray.
SYSTOLIC_RED = (0xC6, 0x28, 0x28)
DIASTOLIC_BLUE = (0x15, 0x65, 0xC0)
WEIGHT_GREEN = (0x2E, 0x7D, 0x32)
SFH_BLUE = (0x1F, 0x4E, 0x8C)
COLOUR_TOLERANCE = 40
MIN_COLOURED_PIXELS = 20


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go, to be looked at (not the documentation's screenshots)."""
    return tmp_path_factory.mktemp("chart-screenshots", numbered=False)


def _woman_with_readings(make_woman: Any) -> Any:
    """A woman at 30 weeks with a week of home readings: blood pressure, weight, fundal
    height, and two symptom reports (a fever felt, itching)."""
    woman = make_woman(pregnant_weeks=30)
    now = timezone.now()
    for day in range(6, 0, -1):
        readings_record(
            actor=woman,
            woman=woman,
            items=[
                ReadingInput(
                    kind=SignKind.BLOOD_PRESSURE,
                    measured_at=now - dt.timedelta(days=day, hours=2),
                    systolic=112 + day,
                    diastolic=72 + day,
                ),
                ReadingInput(
                    kind=SignKind.WEIGHT,
                    measured_at=now - dt.timedelta(days=day, hours=2),
                    value=Decimal("63.0") - Decimal(day) / 10,
                ),
            ],
        )
    for day in (6, 3):
        readings_record(
            actor=woman,
            woman=woman,
            items=[
                ReadingInput(
                    kind=SignKind.FUNDAL_HEIGHT,
                    measured_at=now - dt.timedelta(days=day, hours=1),
                    value=Decimal("29.5") if day == 6 else Decimal("30"),
                )
            ],
        )
    for day, symptom in ((5, Symptom.FEVER), (2, Symptom.ITCHING)):
        readings_record(
            actor=woman,
            woman=woman,
            items=[
                ReadingInput(
                    kind=SignKind.SYMPTOM_REPORT,
                    measured_at=now - dt.timedelta(days=day, hours=3),
                    symptoms=[symptom],
                )
            ],
        )
    return woman


def _chart_svg_path(woman: Any) -> str:
    pregnancy = current_pregnancy_of(woman)
    assert pregnancy is not None
    return f"/monitoring/chart/{pregnancy.public_id}.svg"


def _near(pixel: tuple[int, ...], colour: tuple[int, int, int]) -> bool:
    return all(abs(pixel[i] - colour[i]) <= COLOUR_TOLERANCE for i in range(3))


def _svg_alone_screenshot(page: Page, url: str, shots: Path, name: str) -> Image.Image:
    """Open `url` as a document of its own, check it came under our CSP, and return the
    screenshot of the SVG's own box."""
    response = page.goto(url)
    assert response is not None and response.ok, url
    assert response.headers["content-type"].startswith("image/svg+xml")
    csp = response.headers["content-security-policy"]
    style_src = next(part for part in csp.split(";") if part.strip().startswith("style-src"))
    assert "'unsafe-inline'" not in style_src  # the policy that blacked it out before
    box = page.evaluate(
        """() => {
            const r = document.documentElement.getBoundingClientRect();
            return {tag: document.documentElement.localName, width: r.width, height: r.height};
        }"""
    )
    assert box["tag"] == "svg"
    # The whole SVG in the window (a full-page screenshot measures an HTML body, not an SVG).
    page.set_viewport_size(
        {"width": math.ceil(box["width"]) + 40, "height": math.ceil(box["height"]) + 40}
    )
    path = shots / name
    page.screenshot(path=str(path))
    image = Image.open(path).convert("RGB")
    return image.crop((0, 0, int(box["width"]), int(box["height"])))


def _assert_white_with_colours(
    image: Image.Image, colours: dict[str, tuple[int, int, int]]
) -> None:
    width, height = image.size
    assert width > 200 and height > 150, image.size
    # (count, colour) of every colour drawn
    drawn = image.getcolors(width * height) or []
    colours_drawn = [(n, pixel) for n, pixel in drawn if isinstance(pixel, tuple)]
    assert sum(n for n, _pixel in colours_drawn) == width * height
    total = width * height
    # The corners are the figure's background, and most of the chart is background.
    for x, y in ((2, 2), (width - 3, 2), (2, height - 3), (width - 3, height - 3)):
        pixel = image.getpixel((x, y))
        assert isinstance(pixel, tuple)
        assert min(pixel) >= WHITE, f"background at {(x, y)} is {pixel}, not white"
    white = sum(n for n, pixel in colours_drawn if min(pixel) >= WHITE)
    assert white / total > 0.6, f"only {white / total:.0%} of the chart is white"
    dark = sum(n for n, pixel in colours_drawn if max(pixel) < 40)
    assert dark / total < 0.1, f"{dark / total:.0%} of the chart is black"
    for series, colour in colours.items():
        found = sum(n for n, pixel in colours_drawn if _near(pixel, colour))
        assert found >= MIN_COLOURED_PIXELS, f"no {series} pixels ({found})"


def test_the_pregnancy_chart_opened_alone_draws_white_with_its_coloured_series(
    live_server: Any, open_page: Any, make_woman: Any, shots: Path
) -> None:
    woman = _woman_with_readings(make_woman)
    page = open_page(viewport=DESKTOP_VIEWPORT)
    woman_signed_in(page, live_server.url, woman)
    image = _svg_alone_screenshot(
        page, live_server.url + _chart_svg_path(woman), shots, "chart-alone.png"
    )
    _assert_white_with_colours(
        image,
        {
            "fundal height": SFH_BLUE,
            "weight": WEIGHT_GREEN,
            "systolic": SYSTOLIC_RED,
            "diastolic": DIASTOLIC_BLUE,
        },
    )


def test_a_sign_trend_opened_alone_draws_white_with_its_coloured_series(
    live_server: Any, open_page: Any, make_woman: Any, shots: Path
) -> None:
    woman = _woman_with_readings(make_woman)
    page = open_page(viewport=DESKTOP_VIEWPORT)
    woman_signed_in(page, live_server.url, woman)
    url = f"{live_server.url}/monitoring/signs/{SignKind.BLOOD_PRESSURE}/trend.svg"
    image = _svg_alone_screenshot(page, url, shots, "trend-alone.png")
    _assert_white_with_colours(image, {"systolic": SYSTOLIC_RED, "diastolic": DIASTOLIC_BLUE})


# --- on the page: readable on a phone, within bounds on a desktop ----------------------------

# In the page: the chart <img>'s displayed box, whether the page scrolls sideways, the
# figure's max-width; then the SVG itself, fetched and laid out at the image's displayed size
# (as the <img> scales it), with the size each <text> is drawn at in CSS px: its computed
# font size times the scale of its screen transform (viewBox to displayed width), and its box.
_MEASURE = """async (selector) => {
    const img = document.querySelector(selector);
    img.scrollIntoView();
    if (!img.complete) await new Promise(r => img.addEventListener("load", r, {once: true}));
    const box = img.getBoundingClientRect();
    const figure = img.closest("figure").getBoundingClientRect();
    const root = document.documentElement;
    const source = await (await fetch(img.currentSrc)).text();
    const svg = new DOMParser().parseFromString(source, "image/svg+xml").documentElement;
    const copy = document.importNode(svg, true);
    copy.setAttribute("width", String(box.width));
    copy.setAttribute("height", String(box.height));
    const holder = document.createElement("div");
    holder.style.position = "absolute";
    holder.style.left = "0";
    holder.style.top = "0";
    holder.style.visibility = "hidden";
    holder.appendChild(copy);
    document.body.appendChild(holder);
    const texts = [];
    for (const text of copy.querySelectorAll("text")) {
        const content = text.textContent.trim();
        if (!content) continue;
        const m = text.getScreenCTM();
        const rect = text.getBoundingClientRect();
        texts.push({
            content,
            px: parseFloat(getComputedStyle(text).fontSize) * Math.hypot(m.a, m.b),
            rotated: Math.abs(m.b) > Math.abs(m.a),
            width: rect.width,
            height: rect.height,
        });
    }
    holder.remove();
    return {
        naturalWidth: img.naturalWidth,
        left: box.left, right: box.right, width: box.width, height: box.height,
        figureWidth: figure.width,
        figureMaxWidth: parseFloat(getComputedStyle(img.closest("figure")).maxWidth),
        scrollWidth: root.scrollWidth, clientWidth: root.clientWidth,
        texts,
    };
}"""

PAGES = {
    "blood-pressure-history": (f"/monitoring/signs/{SignKind.BLOOD_PRESSURE}/", "figure.trend img"),
    "symptom-history": (f"/monitoring/signs/{SignKind.SYMPTOM_REPORT}/", "figure.trend img"),
    "pregnancy-chart": ("/monitoring/chart/", "figure.chart img"),
}


def _measured(page: Page, base: str, shots: Path, name: str, width: int) -> dict[str, Any]:
    path, selector = PAGES[name]
    page.goto(base + path)
    found: dict[str, Any] = page.evaluate(_MEASURE, selector)
    page.evaluate("() => window.scrollTo(0, 0)")  # the sticky header back at the top
    page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
    assert found["naturalWidth"] > 0, "the chart image did not load"
    assert found["texts"], "the chart has no text"
    return found


def _assert_readable(found: dict[str, Any]) -> None:
    small = [t for t in found["texts"] if t["px"] < MIN_TEXT_PX]
    assert not small, [(t["content"], round(t["px"], 1)) for t in small]
    # The drawn line box agrees: a horizontal label is at least that tall, a rotated one
    # (the y-axis title) that wide.
    flat = [
        t for t in found["texts"] if (t["width"] if t["rotated"] else t["height"]) < MIN_TEXT_PX
    ]
    assert not flat, [(t["content"], t["width"], t["height"]) for t in flat]


@pytest.mark.parametrize("name", list(PAGES))
def test_at_375_px_the_chart_text_is_readable_and_the_chart_fits(
    name: str, live_server: Any, open_page: Any, make_woman: Any, shots: Path
) -> None:
    woman = _woman_with_readings(make_woman)
    page = open_page(viewport=PHONE_VIEWPORT)
    woman_signed_in(page, live_server.url, woman)
    found = _measured(page, live_server.url, shots, name, PHONE_VIEWPORT["width"])
    axe_check(page)
    # No sideways scroll, the chart within the screen.
    assert found["scrollWidth"] <= found["clientWidth"] == PHONE_VIEWPORT["width"]
    assert found["left"] >= 0 and found["right"] <= found["clientWidth"]
    _assert_readable(found)


@pytest.mark.parametrize("name", list(PAGES))
def test_at_1280_px_the_chart_keeps_to_its_max_width(
    name: str, live_server: Any, open_page: Any, make_woman: Any, shots: Path
) -> None:
    woman = _woman_with_readings(make_woman)
    page = open_page(viewport=DESKTOP_VIEWPORT)
    woman_signed_in(page, live_server.url, woman)
    found = _measured(page, live_server.url, shots, name, DESKTOP_VIEWPORT["width"])
    assert found["scrollWidth"] <= found["clientWidth"]
    # The figure stops at its max-width (30rem), far short of the 1280 px window, and the
    # chart inside it.
    assert found["figureWidth"] <= found["figureMaxWidth"] < DESKTOP_VIEWPORT["width"] / 2
    assert found["width"] < found["figureWidth"]
    _assert_readable(found)
