"""Uploaded photos and PDFs (meeting attachments, checklist evidence): the type is read from the content,
which must match the file's extension, and the size is limited (``TONGXIN_ATTACHMENT_MAX_BYTES``).

One check for every upload of this kind, so a rule changes in one place.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from tongxin.core.exceptions import DomainError
from tongxin.core.headers import FILE_POLICY

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
# Extension → (content type, the bytes such a file starts with).
ACCEPTED: dict[str, tuple[str, bytes]] = {
    ".pdf": (PDF, b"%PDF-"),
    ".png": (PNG, b"\x89PNG\r\n\x1a\n"),
    ".jpg": (JPEG, b"\xff\xd8\xff"),
    ".jpeg": (JPEG, b"\xff\xd8\xff"),
}
IMAGE_TYPES = frozenset({PNG, JPEG})
TYPES = frozenset({PDF, PNG, JPEG})


def max_bytes() -> int:
    return int(getattr(settings, "TONGXIN_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def clean_name(file_name: str) -> str:
    """The file's own name, without any directory a browser or client sent with it."""
    return os.path.basename((file_name or "").replace("\\", "/")).strip()[:255]


def check_upload(file_name: str, content: bytes, *, field: str = "file") -> tuple[str, str]:
    """(clean name, content type) of a photo (JPEG, PNG) or PDF, or a DomainError on ``field`` saying why not:
    another type, empty, over the size limit, or content that is not what the extension says."""
    name = clean_name(file_name)
    accepted = ACCEPTED.get(os.path.splitext(name)[1].lower())
    if accepted is None:
        raise DomainError(field, _("“%(name)s”: only photos (JPEG, PNG) and PDF files are accepted.") % {"name": name})
    if not content:
        raise DomainError(field, _("“%(name)s” is empty.") % {"name": name})
    limit = max_bytes()
    if len(content) > limit:
        raise DomainError(field, _("“%(name)s” is larger than the limit of %(mb)s MB.")
                          % {"name": name, "mb": f"{limit / 1024 / 1024:g}"})  # fmt: skip
    content_type, magic = accepted
    if not content.startswith(magic):
        raise DomainError(
            field,
            _("“%(name)s” is not what its name says: its content is not a real %(type)s file.")
            % {"name": name, "type": content_type.split("/")[1].upper()},
        )
    return name, content_type


def serve_upload(content: bytes, content_type: str, file_name: str) -> HttpResponse:
    """An uploaded file as a response: photos shown in the browser (inline), anything else downloaded
    (attachment; Chromium would not show a PDF under the sandbox policy anyway), never sniffed into another
    type, and under ``Content-Security-Policy: default-src 'none'; sandbox`` (also set for every file by
    tongxin.core.headers.SecurityHeadersMiddleware)."""
    inline = content_type in IMAGE_TYPES
    response = HttpResponse(content, content_type=content_type if content_type in TYPES else "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(not inline, file_name or "attachment") or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_POLICY
    return response
