"""Bounded django-filter filters and the one FilterSet base every app's ``filters.py`` derives from (issue 12 §3).

A filter value goes straight into a query: a whole number outside the column (``?org=10**20``) or a date the
database or the time zone cannot hold (``?starts_after=0001-01-01`` becomes year 0 in UTC) was a 500. The
filters here refuse such a value in the form (the API answers 400 naming the parameter and the rule, a page
ignores the filter), with the windows of :mod:`tongxin.core.bounds`:

* :class:`IntFilter` (a whole number in :data:`~tongxin.core.bounds.INT32` unless told otherwise) and
  :class:`IdFilter` (:data:`~tongxin.core.bounds.ID_RANGE`);
* :class:`DateFilter`, :class:`IsoDateTimeFilter` and :class:`MonthFilter` (``yyyy-mm``), inside
  :func:`~tongxin.core.bounds.any_window`.

:class:`FilterSet` refuses, when it is used, a number, date or date-time filter that is not one of these, so
a new filter cannot forget its bounds; each filter also tells the OpenAPI schema its type, format and range
(schemathesis then tries the edges).
"""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField

from tongxin.core.bounds import ID_RANGE, INT32, any_window
from tongxin.core.params import month_refusal, parse_month

# The form fields of the filters that need bounds: a filter with one of these fields must be bounded.
UNBOUNDED_FIELDS = (forms.IntegerField, forms.DecimalField, forms.FloatField, forms.DateField, forms.DateTimeField)


class _Bounded:
    """Marks a filter whose form field checks its value against core.bounds."""

    def _schema(self, schema: dict[str, Any]) -> None:
        self._spectacular_annotation = {"field": schema}  # read by drf-spectacular's django-filter extension


# --- form fields ---------------------------------------------------------------------------------------------


class BoundedIntegerField(forms.IntegerField):
    """A whole number inside ``bounds`` (the column's range), with Django's min/max messages."""

    def __init__(self, *args: Any, bounds: tuple[int, int] = INT32, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", bounds[0])
        kwargs.setdefault("max_value", bounds[1])
        super().__init__(*args, **kwargs)


def _window_refusal(day: datetime.date) -> str | None:
    return any_window().refusal(day)


class WindowDateField(forms.DateField):
    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and (refusal := _window_refusal(value)):
            raise ValidationError(refusal, code="out_of_window")


class WindowDateTimeField(IsoDateTimeField):
    def to_python(self, value: Any) -> datetime.datetime | None:
        try:
            return super().to_python(value)
        except (OverflowError, ValueError):  # a time zone shift past year 1 or 9999
            raise ValidationError(_window_refusal(datetime.date.min) or "", code="out_of_window") from None

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and (refusal := _window_refusal(value.date())):
            raise ValidationError(refusal, code="out_of_window")


class MonthField(forms.CharField):
    """``yyyy-mm`` inside the window, as the first day of the month."""

    def to_python(self, value: Any) -> datetime.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        month = parse_month(text)
        if month is None:
            raise ValidationError(month_refusal(), code="month")
        return month


# --- filters -------------------------------------------------------------------------------------------------


class IntFilter(_Bounded, django_filters.NumberFilter):
    """A whole number inside ``bounds`` (default INT32)."""

    field_class = BoundedIntegerField

    def __init__(self, *args: Any, bounds: tuple[int, int] = INT32, **kwargs: Any) -> None:
        super().__init__(*args, bounds=bounds, **kwargs)
        self._schema({"type": "integer", "format": "int64", "minimum": bounds[0], "maximum": bounds[1]})


class IdFilter(IntFilter):
    """A row's id (:data:`ID_RANGE`): anything outside is refused before it reaches a query."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, bounds=ID_RANGE, **kwargs)


class DateFilter(_Bounded, django_filters.DateFilter):
    field_class = WindowDateField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._schema({"type": "string", "format": "date"})


class IsoDateTimeFilter(_Bounded, django_filters.IsoDateTimeFilter):
    field_class = WindowDateTimeField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._schema({"type": "string", "format": "date-time"})


class MonthFilter(_Bounded, django_filters.Filter):
    """``yyyy-mm``: the value handed to the lookup (or the filter's method) is the first day of the month."""

    field_class = MonthField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "month" is our own format name: the schemathesis test gives it a strategy with the window's edges
        self._schema({"type": "string", "format": "month", "pattern": "^[0-9]{4}-[0-9]{2}$", "example": "2025-01"})


class FilterSet(django_filters.FilterSet):
    """The base of every FilterSet: its number and date filters must be the bounded ones above."""

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        **{
            field: {"filter_class": IntFilter}
            for field in (
                django_filters.filterset.models.IntegerField,
                django_filters.filterset.models.SmallIntegerField,
                django_filters.filterset.models.PositiveIntegerField,
                django_filters.filterset.models.PositiveSmallIntegerField,
            )
        },
        django_filters.filterset.models.AutoField: {"filter_class": IdFilter},
        django_filters.filterset.models.BigAutoField: {"filter_class": IdFilter},
        django_filters.filterset.models.DateField: {"filter_class": DateFilter},
        django_filters.filterset.models.DateTimeField: {"filter_class": IsoDateTimeFilter},
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, flt in self.filters.items():
            if issubclass(flt.field_class, UNBOUNDED_FIELDS) and not isinstance(flt, _Bounded):
                raise TypeError(
                    f"{type(self).__name__}.{name}: a number or date filter must be one of tongxin.core.filters' "
                    "bounded filters (IntFilter, IdFilter, DateFilter, IsoDateTimeFilter, MonthFilter)"
                )
