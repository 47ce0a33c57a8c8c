"""Masking of personal data for lists, logs and audit rows."""

import re


def _mask_middle(value: str | None) -> str:
    """The first three and the last four characters kept, the rest starred (a short value all starred)."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def mask_id_number(value: str | None) -> str:
    return _mask_middle(value)


def mask_phone(value: str | None) -> str:
    return _mask_middle(value)


# Field names whose values are personal data, masked wherever they are logged.
SENSITIVE_FIELDS = {"id_number": mask_id_number, "phone": mask_phone}


def mask_fields(data: dict) -> dict:
    return {key: SENSITIVE_FIELDS[key](value) if key in SENSITIVE_FIELDS else value for key, value in data.items()}


# The longest run of stars a masked cell shows: an 18-character ID number has exactly this many, so a
# pasted paragraph in an ID-number column does not fill the page with stars.
MAX_STARS = 11
# First 3 and last 4 characters stay visible only when at least 4 more stay hidden: a malformed phone of
# 10 digits is not shown but for 3 of them.
MIN_PARTLY_SHOWN = 11


def mask_cell(value: object) -> str:
    """A cell meant to hold an ID number or a phone, well-formed or not, as the import pages show it.

    Well-formed ID numbers and mobile phones come out as in the roster lists (``110***********4518``,
    ``138****5678``). A malformed value (a digit missing, letters, spaces) is masked too: first 3 and last
    4 characters when it has at least 11, else stars only; the row and column say where it is.
    """
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    if len(text) < MIN_PARTLY_SHOWN:
        return "*" * min(len(text), MAX_STARS)
    return f"{text[:3]}{'*' * min(len(text) - 7, MAX_STARS)}{text[-4:]}"


# Text shaped like a resident ID number (18 characters, or the old 15 digits) or a mobile number, with
# the spaces or dashes people type inside them; not part of a longer run of letters and digits.
_LOOKALIKE = re.compile(
    r"(?<![0-9A-Za-z])"
    r"(?:\d{6}[ -]?\d{8}[ -]?\d{3}[\dXx]|\d{15}|(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4})"
    r"(?![0-9A-Za-z])"
)


def mask_lookalikes(text: object) -> str:
    """``text`` with every part shaped like an ID number or a mobile phone masked by :func:`mask_cell`.

    For free text that should hold neither (a name cell, a header, a message) but may: an ID number
    typed in the wrong column is still not shown in full.
    """
    if text is None:
        return ""
    return _LOOKALIKE.sub(lambda match: mask_cell(match.group(0)), str(text))
