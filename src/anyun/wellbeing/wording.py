"""The scales' wording shown to her: the hospital's validated text from the files named by
``ANYUN_SCALE_WORDING_FILES`` (one JSON file per scale, ``anyun.clinical.scales.wording_parse``),
else our own, marked for demonstration. A file is read again when it changes; a file that does
not fit its scale is refused at start-up (``wording_files_check``)."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from anyun.clinical.errors import ClinicalValueError
from anyun.clinical.scales import Instrument, ScaleWording, wording_for, wording_parse
from anyun.core.messages import clinical_message


@dataclass(frozen=True)
class Wording:
    """The text of one scale in one language and its version (a digest of the text)."""

    text: ScaleWording
    version: str


_lock = threading.Lock()
_cache: dict[tuple[tuple[str, float], ...], dict[Instrument, dict[str, ScaleWording]]] = {}


def _files_key() -> tuple[tuple[str, float], ...]:
    key = []
    for path in settings.ANYUN_SCALE_WORDING_FILES:
        try:
            key.append((path, Path(path).stat().st_mtime))
        except OSError as exc:
            raise ImproperlyConfigured(f"Scale wording file {path}: {exc}") from exc
    return tuple(key)


def _load(key: tuple[tuple[str, float], ...]) -> dict[Instrument, dict[str, ScaleWording]]:
    loaded: dict[Instrument, dict[str, ScaleWording]] = {}
    for path, _mtime in key:
        try:
            text = Path(path).read_bytes()
            by_language = wording_parse(text, source=Path(path).name)
        except OSError as exc:
            raise ImproperlyConfigured(f"Scale wording file {path}: {exc}") from exc
        except ClinicalValueError as exc:
            raise ImproperlyConfigured(
                f"Scale wording file {path}: {clinical_message(exc)}"
            ) from exc
        instrument = next(iter(by_language.values())).instrument
        if instrument in loaded:
            raise ImproperlyConfigured(f"Scale wording file {path}: {instrument} is given twice.")
        loaded[instrument] = by_language
    return loaded


def hospital_wording() -> dict[Instrument, dict[str, ScaleWording]]:
    """The validated wording the hospital loaded, per scale and language (may be empty)."""
    key = _files_key()
    with _lock:
        if key not in _cache:
            _cache.clear()
            _cache[key] = _load(key)
        return _cache[key]


def wording_files_check() -> None:
    """Read the configured files now: raises ImproperlyConfigured for one that does not fit."""
    hospital_wording()


def _digest(text: ScaleWording) -> str:
    body = json.dumps(
        [
            text.instrument,
            text.language,
            text.title,
            text.instructions,
            [[item.prompt, list(item.options)] for item in text.items],
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(body.encode()).hexdigest()[:12]


def wording_current(instrument: Instrument | str, language: str) -> Wording:
    """What to show for `instrument` in `language` (a Django language code)."""
    scale = Instrument(instrument)
    text = wording_for(scale, language, loaded=hospital_wording().get(scale))
    return Wording(text=text, version=_digest(text))
