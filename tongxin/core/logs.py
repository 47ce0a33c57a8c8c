"""Logging: the request id on every record, personal data masked, JSON lines or plain text.

The settings attach both filters to the console handler, so they apply to every logger's records
(Django's, libraries', ours). ``TONGXIN_LOG_FORMAT=json`` (the default without DEBUG) writes one JSON
object per line; ``text`` (the default with DEBUG) a readable line.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
from typing import Any

from tongxin.core.masking import mask_id_number, mask_phone
from tongxin.core.request_id import get_request_id

# Anything that looks like an ID number (17 digits and a digit or X) or a mainland mobile number (11 digits
# starting 13–19), not inside a longer run of digits. Masked as the lists mask them: first 3, last 4.
ID_NUMBER = re.compile(r"(?<!\d)(\d{3})\d{11}(\d{3}[\dXx])(?![\dA-Za-z])")
MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")

# The query string of a request line in runserver's log ("GET /people/?q=张三 HTTP/1.1"): a search carries names.
QUERY_STRING = re.compile(r'("[A-Z]+ [^ ?"]*)\?[^ "]*')

# The attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime", "request_id"}


def mask_personal_data(text: str) -> str:
    text = ID_NUMBER.sub(lambda m: mask_id_number(m[0]), text)
    return MOBILE.sub(lambda m: mask_phone(m[0]), text)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = get_request_id() or "-"
        return True


class PersonalDataFilter(logging.Filter):
    """Defence in depth: the code never logs ID numbers or phones, and should it, they come out masked.

    The message is formatted here (its args merged in) and masked; so are the traceback and string extras.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = mask_personal_data(record.getMessage())
        if record.name == "django.server":
            message = QUERY_STRING.sub(r"\1", message)
        record.msg, record.args = message, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_data(record.stack_info)
        for key, value in record.__dict__.items():
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, mask_personal_data(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request id, any extras, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or get_request_id(),
        }
        # Plain extras only: Django's ``extra={"request": ...}`` would print the URL with its query string.
        entry.update(
            (key, value)
            for key, value in record.__dict__.items()
            if key not in _STANDARD and isinstance(value, str | int | float | bool | None)
        )
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)
