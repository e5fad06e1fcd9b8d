"""Uploaded files are checked by content, never by their name or declared type."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import filetype
from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from anyun.core.errors import DomainError

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
DOCUMENT_TYPES = IMAGE_TYPES | {"application/pdf"}
# Pillow's own warning limit (about 89 megapixels): larger than any phone camera's photo.
MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485


def check_upload(
    upload: IO[bytes],
    *,
    allowed: frozenset[str] = DOCUMENT_TYPES,
    max_bytes: int | None = None,
    field: str = "file",
) -> str:
    """Return the sniffed MIME type, or raise DomainError.

    Images must also decode; PDFs must start with the PDF header and contain an EOF marker.
    """
    limit = max_bytes or settings.ANYUN_UPLOAD_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    if size == 0:
        raise DomainError("upload_empty", _("The file is empty."), field=field)
    if size > limit:
        raise DomainError(
            "upload_too_large",
            _("The file is larger than %(mb)s MB.") % {"mb": round(limit / 1024 / 1024, 1)},
            field=field,
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else ""
    if mime not in allowed:
        raise DomainError(
            "upload_type",
            _("This file type is not accepted. Upload a JPEG, PNG or WebP image or a PDF."),
            field=field,
        )
    if mime in IMAGE_TYPES:
        try:
            with Image.open(upload) as image:
                # Refused before decoding: a small file can declare gigapixels.
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise DomainError(
                        "upload_too_many_pixels",
                        _("The image is too large in pixels. Upload a smaller photo."),
                        field=field,
                    )
                image.verify()
        except Image.DecompressionBombError as exc:
            raise DomainError(
                "upload_too_many_pixels",
                _("The image is too large in pixels. Upload a smaller photo."),
                field=field,
            ) from exc
        except DomainError:
            raise
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, IndexError) as exc:
            # Pillow meets malformed files with any of these (a PNG without image data
            # raises IndexError in verify()).
            raise DomainError(
                "upload_corrupt", _("The image could not be read."), field=field
            ) from exc
        finally:
            upload.seek(0)
    elif mime == "application/pdf":
        upload.seek(max(0, size - 2048))
        tail = upload.read()
        upload.seek(0)
        if b"%%EOF" not in tail:
            raise DomainError("upload_corrupt", _("The PDF file is incomplete."), field=field)
    return mime


@contextmanager
def stored_files_removed_on_failure(storage: Storage = default_storage) -> Iterator[list[str]]:
    """Collect the names of files stored in the block; if the block fails (its row was not
    saved or its transaction not committed), they are deleted: no file without its row."""
    names: list[str] = []
    try:
        yield names
    except BaseException:
        for name in names:
            storage.delete(name)
        raise
