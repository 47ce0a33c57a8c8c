"""core.params (the query-parameter parsers) and core.filters (the bounded filters and the FilterSet base)."""

from __future__ import annotations

import datetime

import django_filters
import pytest

from tongxin.core import params
from tongxin.core.bounds import ID_RANGE, any_window
from tongxin.core.filters import FilterSet, IdFilter, IsoDateTimeFilter, MonthFilter
from tongxin.orgs.models import Organization

BOUNDARY = ["0001-01-01", "9999-12-31", "0001-01", "9999-12", "0", "-1", str(2**31), str(2**63), str(10**20), "abc", ""]


def test_month_inside_the_window_only():
    window = any_window()
    assert params.parse_month("2025-01") == datetime.date(2025, 1, 1)
    assert params.parse_month(f"{window.first:%Y-%m}") == window.first
    for text in ("9999-12", "0001-01", "1899-12", "2025-13", "2025-00", "2025-1", "２０２５-０１", "abc", "", None):
        assert params.parse_month(text) is None, text
    assert params.month_or_current("9999-12") == params.current_month()


def test_dates_whole_numbers_and_ids():
    assert params.parse_date("2025-02-28") == datetime.date(2025, 2, 28)
    for text in ("0001-01-01", "9999-12-31", "2025-02-30", "2025-2-3", "abc", ""):
        assert params.parse_date(text) is None, text
    assert params.parse_int("-5") == -5 and params.parse_int(str(2**31)) is None and params.parse_int("١٢") is None
    assert params.parse_id("1") == 1 and params.parse_id(str(ID_RANGE[1])) == ID_RANGE[1]
    refused: list = ["0", "-1", str(2**63), str(10**20), "1.0", "1e3", "abc", "", None, True]
    for value in refused:
        assert params.parse_id(value) is None, value
    assert params.parse_ids(["3", "x", str(10**20), "4"], limit=1) == [3]


class _Filter(FilterSet):
    org = IdFilter(field_name="parent_id")
    after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    month = MonthFilter(method="by_month")

    class Meta:
        model = Organization
        fields: list[str] = []

    def by_month(self, queryset, name, value):
        assert isinstance(value, datetime.date)
        return queryset


@pytest.mark.parametrize("value", BOUNDARY)
def test_bounded_filters_refuse_what_the_database_cannot_hold(db, value):
    for name in ("org", "after", "month"):
        filterset = _Filter({name: value}, queryset=Organization.objects.all())
        list(filterset.qs)  # never an error from the database
        sane = value == "" or (name == "org" and value == str(2**31))  # the only id among them
        assert filterset.is_valid() == sane, (name, value, filterset.errors)


def test_a_filterset_with_an_unbounded_number_filter_is_refused(db):
    class Careless(FilterSet):
        org = django_filters.NumberFilter(field_name="parent_id")

        class Meta:
            model = Organization
            fields: list[str] = []

    with pytest.raises(TypeError, match="bounded"):
        Careless({}, queryset=Organization.objects.all())


def test_every_filterset_is_bounded():
    from tongxin.lifecycle import filters as lifecycle_filters
    from tongxin.orglife import filters as orglife_filters
    from tongxin.orgs import filters as orgs_filters
    from tongxin.people import api as people_api
    from tongxin.people import filters as people_filters

    found = [
        value
        for module in (lifecycle_filters, orglife_filters, orgs_filters, people_filters, people_api)
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, django_filters.FilterSet)
    ]
    assert len(found) >= 6
    assert all(issubclass(cls, FilterSet) for cls in found), [c for c in found if not issubclass(c, FilterSet)]
