"""Every value a user writes, bounded (issue 12 §3): one implementation of each check, wrapped for the model
fields, the Django forms, the DRF serializers and the import engine's cells.

The checks (plain functions returning the reason a value is refused, in the user's language, or None):

* :func:`text_refusal`: no control characters (NUL and the like; a line break only in multi-line text) and no
  bidirectional overrides or isolates (U+202A–U+202E, U+2066–U+2069), which make text read differently
  from how it is stored;
* :func:`length_refusal`: too long is an error naming the limit, never a silent cut;
* :func:`person_name_refusal`: a person's name holds letters (Chinese or Latin, with the middle dot of names
  like 阿依古丽·买买提, spaces, a hyphen or apostrophe), not a number, punctuation or symbols;
* :func:`wording_refusal`: a title or an organisation's name holds at least one letter;
* dates: :class:`tongxin.core.bounds.Window` (``history``, ``plan`` or ``any``); whole numbers:
  :func:`tongxin.core.bounds.int_refusal`.

:func:`normalise_text` is the one text normaliser (NFC, trimmed; NFKC for names through the people app).

The wrappers: the Django validators below (deconstructible, so model fields carry them and ModelSerializers
pick them up); :func:`bound_form_fields` and :func:`bound_serializer_fields`, which the shared form mixin
(``core.forms.BootstrapFormMixin``) and API base (``core.api.ScopedViewSet``) apply to every form and
serializer: every text field refuses control characters and overrides, every date field without a window of
its own gets the ``any`` window (year 1 and 9999 are never dates), every whole number its column's range.
"""

from __future__ import annotations

import datetime
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from rest_framework import serializers

from tongxin.core import bounds
from tongxin.core.exceptions import DomainError

# Bidirectional embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and isolates (LRI, RLI, FSI, PDI).
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
LINE_BREAKS = frozenset("\n\r\t")
NAME_MARKS = frozenset("·-' .")  # the middle dot of minority names, a hyphen, an apostrophe, a space, a dot


def normalise_text(value: str) -> str:
    """Text as stored: Unicode NFC (one encoding of each character) and no spaces around it."""
    return unicodedata.normalize("NFC", value).strip()


def text_refusal(value: str, *, multiline: bool = False) -> str | None:
    """Why ``value`` is refused as text (a control character or a direction override), or None."""
    for char in value:
        if char in BIDI_CONTROLS:
            return _(
                "Remove the invisible direction control (U+%(code)04X): it makes the text display differently "
                "from what is stored."
            ) % {"code": ord(char)}
        if unicodedata.category(char) in ("Cc", "Cs") and not (multiline and char in LINE_BREAKS):
            return _("Remove the control character (U+%(code)04X): text may not contain it.") % {"code": ord(char)}
    return None


def length_refusal(value: str, max_length: int | None) -> str | None:
    if max_length is None or len(value) <= max_length:
        return None
    return _("Enter at most %(limit)d characters (this has %(count)d).") % {"limit": max_length, "count": len(value)}


def person_name_refusal(value: str) -> str | None:
    """A person's name: at least one letter (any script: Chinese, Latin, …), and besides letters only the middle
    dot, a hyphen, an apostrophe, a dot, a space or a digit (records that number namesakes: 张伟2); a number,
    punctuation or symbols alone are no name."""
    letters = 0
    for char in value:
        category = unicodedata.category(char)
        if category[0] == "L":
            letters += 1
        elif category[0] != "M" and category != "Nd" and char not in NAME_MARKS:
            return _name_rule()
    return None if letters else _name_rule()


def _name_rule() -> str:
    return _("A name is written in letters (Chinese or Latin, with · between the parts of a name), not as a "
             "number or with signs.")  # fmt: skip


def wording_refusal(value: str) -> str | None:
    """A title or name of a thing: at least one letter (not only digits and punctuation)."""
    if not value or any(unicodedata.category(char)[0] == "L" for char in value):
        return None
    return _("Write this in words: it holds no letter or Chinese character.")


WINDOWS = {"history": bounds.history_window, "plan": bounds.plan_window, "any": bounds.any_window}


def as_day(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def date_refusal(value: datetime.date | datetime.datetime | None, window: str = "any") -> str | None:
    """Why the date (or the day of a date and time) is outside the named window, or None."""
    if value is None:
        return None
    return WINDOWS[window]().refusal(as_day(value))


# --- Django validators (model fields carry them; forms and ModelSerializers pick them up) -------------------


def _raise(message: str | None, code: str) -> None:
    if message is not None:
        raise ValidationError(message, code=code)


@deconstructible
class SafeText:
    """No control characters (line breaks allowed in ``multiline`` text) and no direction overrides."""

    def __init__(self, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        if isinstance(value, str):
            _raise(text_refusal(value, multiline=self.multiline), "unsafe_text")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SafeText) and other.multiline == self.multiline


@deconstructible
class PersonName:
    """A person's name: letters, not a number (and safe text)."""

    def __call__(self, value: Any) -> None:
        if isinstance(value, str) and value:
            _raise(text_refusal(value) or person_name_refusal(value), "person_name")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PersonName)


@deconstructible
class Wording:
    """The name or title of a thing: at least one letter (and safe text)."""

    def __call__(self, value: Any) -> None:
        if isinstance(value, str):
            _raise(text_refusal(value) or wording_refusal(value), "wording")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Wording)


@deconstructible
class InWindow:
    """A date (or date and time) inside the ``history``, ``plan`` or ``any`` window of ``core.bounds``."""

    def __init__(self, window: str = "any") -> None:
        if window not in WINDOWS:
            raise ValueError(f"unknown window {window!r}")
        self.window = window

    def __call__(self, value: Any) -> None:
        if isinstance(value, datetime.date):
            _raise(date_refusal(value, self.window), "date_window")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, InWindow) and other.window == self.window


@deconstructible
class IntRange:
    """A whole number inside ``bounds`` (``INT32`` by default)."""

    def __init__(self, low: int = bounds.INT32[0], high: int = bounds.INT32[1]) -> None:
        self.low, self.high = low, high

    def __call__(self, value: Any) -> None:
        if isinstance(value, int) and not isinstance(value, bool):
            _raise(bounds.int_refusal(value, (self.low, self.high)), "int_range")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IntRange) and (other.low, other.high) == (self.low, self.high)


TEXT_VALIDATORS = (SafeText, PersonName, Wording)


def int_is_bounded(field: Any) -> bool:
    """A whole-number field (form or serializer) that already has both bounds (an id up to BIGINT, a count up
    to 100,000) or an IntRange; any other gets the 32-bit range of an ``integer`` column."""
    both = getattr(field, "min_value", None) is not None and getattr(field, "max_value", None) is not None
    return both or _has(field.validators, IntRange)


def _has(validators: list[Any], kinds: type | tuple[type, ...]) -> bool:
    return any(isinstance(v, kinds) for v in validators)


# --- forms ---------------------------------------------------------------------------------------------------


def bound_form_fields(fields: dict[str, forms.Field], model: Any = None) -> None:
    """Give every field of a form its bounds (in place): the model field's own validators (a ModelForm whose
    ``_post_clean`` leaves model validation to the service would lose them), safe text for every text field,
    the ``any`` window for a date without one, the 32-bit range for a whole number without a tighter one."""
    for name, field in fields.items():
        if model is not None:
            try:
                model_field = model._meta.get_field(name)
            except Exception:  # a form field that is no model field
                model_field = None
            for validator in getattr(model_field, "validators", ()):
                if validator not in field.validators:
                    field.validators.append(validator)
        if isinstance(field, forms.CharField):
            if not _typed_as_is(field) and not _has(field.validators, TEXT_VALIDATORS):
                field.validators.append(SafeText(multiline=isinstance(field.widget, forms.Textarea)))
        elif isinstance(field, forms.DateField | forms.DateTimeField):
            if not _has(field.validators, InWindow):
                field.validators.append(InWindow("any"))
        elif isinstance(field, forms.IntegerField) and not int_is_bounded(field):
            field.validators.append(IntRange())


def _typed_as_is(field: forms.Field) -> bool:
    """A field whose text is kept exactly as typed: a password (``strip=False``)."""
    return isinstance(field.widget, forms.PasswordInput) or not getattr(field, "strip", True)


def normalise_cleaned(fields: dict[str, forms.Field], cleaned_data: dict[str, Any]) -> None:
    """NFC for every cleaned text value (in place), passwords left as typed."""
    for name, value in cleaned_data.items():
        if isinstance(value, str) and name in fields and not _typed_as_is(fields[name]):
            cleaned_data[name] = normalise_text(value)


# --- DRF serializers -----------------------------------------------------------------------------------------


class DateTimeField(serializers.DateTimeField):
    """A date and time in a request body. DRF's own field converts the value to UTC before any validator
    runs, and a moment near year 1 or 9999 has no UTC equivalent there (OverflowError: a 500 once, on
    ``POST /api/meetings/ {"starts_at": "0001-01-01T00:00:00"}``): here it is refused naming the window.
    Every writable date-and-time field of a serializer is one of these (``test_bounded_fields``)."""

    def to_internal_value(self, value: Any) -> datetime.datetime:
        try:
            return super().to_internal_value(value)
        except OverflowError:
            raise serializers.ValidationError(bounds.any_window().refusal(datetime.date.min)) from None


def bound_serializer_fields(serializer: serializers.BaseSerializer) -> None:
    """The same bounds for every writable field of ``serializer`` (in place, nested serializers and list items
    too): safe text, the ``any`` window for a date without one, the 32-bit range for a whole number without
    tighter bounds."""
    if isinstance(serializer, serializers.ListSerializer):
        if isinstance(serializer.child, serializers.BaseSerializer):
            bound_serializer_fields(serializer.child)
        return
    if not isinstance(serializer, serializers.Serializer):
        return
    for field in serializer.fields.values():
        _bound_serializer_field(field)


def _bound_serializer_field(field: serializers.Field) -> None:
    if field.read_only:
        return
    if isinstance(field, serializers.BaseSerializer):
        bound_serializer_fields(field)
    elif isinstance(field, serializers.ListField | serializers.DictField):
        _bound_serializer_field(field.child)
    elif isinstance(field, serializers.ChoiceField):
        return  # one of the choices, checked by the field
    elif isinstance(field, serializers.CharField):
        if not _has(field.validators, TEXT_VALIDATORS):
            field.validators.append(SafeText())
    elif isinstance(field, serializers.DateField | serializers.DateTimeField):
        if not _has(field.validators, InWindow):
            field.validators.append(InWindow("any"))
    elif isinstance(field, serializers.IntegerField) and not int_is_bounded(field):
        field.validators.append(IntRange())


# --- the import engine's cells ---------------------------------------------------------------------------------


def cell_text_refusal(value: str, max_length: int | None = None) -> str | None:
    """Why an imported text cell is refused: the same text and length rules as the forms."""
    return text_refusal(value) or length_refusal(value, max_length)


# --- services: the same checks as a DomainError naming the field -------------------------------------------------

# The most a free text a user writes may hold when its column sets no limit (a note, a list item, minutes).
LONG_TEXT_MAX = 5000


def checked_text(
    field: str, value: str | None, *, max_length: int | None = LONG_TEXT_MAX, multiline: bool = False
) -> str:
    """``value`` normalised (NFC, trimmed; one line: runs of spaces made one) or a DomainError on ``field``
    naming the rule: a control character, a direction override, or longer than ``max_length`` (never cut)."""
    text = normalise_text(value or "")
    refusal = text_refusal(text, multiline=multiline)
    if not multiline:
        text = " ".join(text.split())
    refusal = refusal or length_refusal(text, max_length)
    if refusal:
        raise DomainError(field, refusal)
    return text


def checked_date(field: str, value: Any, window: str = "any") -> Any:
    """``value`` (a date or date and time, or None) when inside the named window, else a DomainError on
    ``field``."""
    refusal = date_refusal(value, window) if isinstance(value, datetime.date) else None
    if refusal:
        raise DomainError(field, refusal)
    return value
