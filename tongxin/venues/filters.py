"""The positions filters, shared by pages and API."""

from __future__ import annotations

import django_filters

from tongxin.core.filters import FilterSet, IdFilter, IsoDateTimeFilter
from tongxin.venues.models import (
    Booking,
    BookingStatus,
    Honour,
    HonourKind,
    HonourLevel,
    HonourStatus,
    Venue,
    VenueKind,
    VenueStatus,
)


class VenueFilter(FilterSet):
    kind = django_filters.ChoiceFilter(choices=VenueKind.choices)
    status = django_filters.ChoiceFilter(choices=VenueStatus.choices)
    host = IdFilter(field_name="host_id")

    class Meta:
        model = Venue
        fields: list[str] = []


class BookingFilter(FilterSet):
    venue = IdFilter(field_name="venue_id")
    organization = IdFilter(field_name="organization_id")
    status = django_filters.ChoiceFilter(choices=BookingStatus.choices)
    starts_after = IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = Booking
        fields: list[str] = []


class HonourFilter(FilterSet):
    kind = django_filters.ChoiceFilter(choices=HonourKind.choices)
    level = django_filters.ChoiceFilter(choices=HonourLevel.choices)
    status = django_filters.ChoiceFilter(choices=HonourStatus.choices)
    organization = IdFilter(field_name="organization_id")

    class Meta:
        model = Honour
        fields: list[str] = []
