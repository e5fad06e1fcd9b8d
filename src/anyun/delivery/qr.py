"""The pick-up code as a QR code, drawn on the server as SVG (the CSP allows no inline
script; an inline <svg> is markup)."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from django.utils.safestring import SafeString, mark_safe


def qr_svg(text: str) -> SafeString:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    # Only our own code (letters and digits) goes in; the markup is the library's.
    return mark_safe(svg)  # noqa: S308
