"""The assessment API routes: thin, calling services and selectors."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["assessment"])
