"""Positions API.

``/api/venues/``: the venues the caller sees (hosted in or above her subtrees); POST creates one (CHANGE over
the host); ``PATCH /api/venues/<id>/`` changes its fields or status and ``POST /api/venues/<id>/closures/`` closes
it for some dates (the host only: 403 for the organisations below it, which see it).
``GET /api/venues/free/?starts_at=&ends_at=&capacity=&division_code=``: the free-venue search.
``/api/bookings/``: bookings of the caller's organisations and of the venues they host; POST books once (naming
the ``activity`` held there, by its id, if any; ``POST /api/bookings/<id>/link-activity/`` names it later);
``POST /api/bookings/series/`` books weekly or monthly (refused with each conflicting or closed date named,
unless ``skip_problems`` or the date is in ``skip``); steps ``cancel`` and ``add-back`` (a skipped date).
"""

from __future__ import annotations

import base64
import binascii
import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tongxin.core import params
from tongxin.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSet, Step
from tongxin.core.bounds import plan_window
from tongxin.core.fields import DateTimeField
from tongxin.core.scoping import CHANGE, scope_for
from tongxin.orgs.models import Organization
from tongxin.people.models import Person
from tongxin.venues import queries, services
from tongxin.venues.filters import BookingFilter, HonourFilter, VenueFilter
from tongxin.venues.forms import TIME_CHOICES, as_time
from tongxin.venues.models import (
    Booking,
    Frequency,
    Honour,
    HonourKind,
    HonourLevel,
    Venue,
    VenueClosure,
    VenueKind,
    VenueStatus,
)


class VenueSerializer(serializers.ModelSerializer):
    host_name = serializers.CharField(source="host.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Venue
        fields = ["id", "name", "kind", "kind_label", "host", "host_name", "partner", "address", "division_code",
                  "opens_at", "closes_at", "open_days", "capacity", "facilities", "status", "status_label"]  # fmt: skip
        read_only_fields = fields


class VenueCreateSerializer(serializers.Serializer):
    host = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all(), action=CHANGE)
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=VenueKind.choices)
    partner = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200)
    division_code = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    opens_at = serializers.ChoiceField(choices=TIME_CHOICES, help_text="HH:MM, by the half hour")
    closes_at = serializers.ChoiceField(choices=TIME_CHOICES, help_text="HH:MM, by the half hour")
    open_days = serializers.CharField(max_length=7, required=False, default="1234567")
    capacity = serializers.IntegerField(min_value=1, max_value=100_000)
    facilities = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class VenueUpdateSerializer(serializers.Serializer):
    """A partial update by the host: any of the venue's fields, and its status (open, suspended, closed)."""

    name = serializers.CharField(max_length=100, required=False)
    kind = serializers.ChoiceField(choices=VenueKind.choices, required=False)
    partner = serializers.CharField(max_length=100, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False)
    division_code = serializers.CharField(max_length=12, required=False, allow_blank=True)
    opens_at = serializers.ChoiceField(choices=TIME_CHOICES, required=False, help_text="HH:MM, by the half hour")
    closes_at = serializers.ChoiceField(choices=TIME_CHOICES, required=False, help_text="HH:MM, by the half hour")
    open_days = serializers.CharField(max_length=7, required=False)
    capacity = serializers.IntegerField(min_value=1, max_value=100_000, required=False)
    facilities = serializers.CharField(max_length=500, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=VenueStatus.choices, required=False)


class ClosureSerializer(serializers.ModelSerializer):
    class Meta:
        model = VenueClosure
        fields = ["id", "starts_on", "ends_on", "reason"]
        read_only_fields = ["id"]


class BookingSerializer(serializers.ModelSerializer):
    activity = serializers.IntegerField(source="activity_id", read_only=True, allow_null=True,
                                        help_text="The activity held there (/api/activities/), or null")  # fmt: skip
    venue_name = serializers.CharField(source="venue.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Booking
        fields = ["id", "venue", "venue_name", "organization", "organization_name", "series", "starts_at", "ends_at",
                  "purpose", "expected_attendance", "status", "status_label", "skip_reason", "activity"]  # fmt: skip
        read_only_fields = fields


class BookSerializer(serializers.Serializer):
    venue = serializers.PrimaryKeyRelatedField(queryset=Venue.objects.all())
    organization = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all(), action=CHANGE)
    starts_at = DateTimeField()
    ends_at = DateTimeField()
    purpose = serializers.CharField(max_length=200)
    expected_attendance = serializers.IntegerField(min_value=1, max_value=100_000)
    activity = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**31 - 1,
                                        help_text="An activity the caller's organisation holds there")  # fmt: skip

    def validate_venue(self, venue: Venue) -> Venue:
        user = self.context["request"].user
        if not Venue.objects.visible_to(user).filter(pk=venue.pk).exists():
            raise serializers.ValidationError(_("No such venue in your scope."))
        return venue


class ActivityLinkSerializer(serializers.Serializer):
    activity = serializers.IntegerField(allow_null=True, min_value=1, max_value=2**31 - 1,
                                        help_text="The activity held there; null takes the link away")  # fmt: skip


class SeriesSerializer(BookSerializer):
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    until = serializers.DateField()
    skip = serializers.ListField(child=serializers.DateField(), required=False, default=list, max_length=200)
    skip_problems = serializers.BooleanField(required=False, default=False)


class SeriesResultSerializer(serializers.Serializer):
    series = serializers.IntegerField(source="pk")
    bookings = BookingSerializer(many=True, read_only=True, source="ordered_bookings")


class VenueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = Venue.objects.select_related("host").order_by("name", "id")
    serializer_class = VenueSerializer
    filterset_class = VenueFilter

    @extend_schema(request=VenueCreateSerializer, responses={201: VenueSerializer})
    def create(self, request, *args, **kwargs):
        values = self.validated(VenueCreateSerializer, request)
        values["opens_at"], values["closes_at"] = as_time(values["opens_at"]), as_time(values["closes_at"])
        venue = services.create_venue(request.user, **values)
        return Response(VenueSerializer(venue).data, status=201)

    @extend_schema(request=VenueUpdateSerializer, responses={200: VenueSerializer})
    def partial_update(self, request, *args, **kwargs):
        """The host changes some of the venue's fields or its status; refused by field, nothing written."""
        venue = self._own_venue()
        values = self.validated(VenueUpdateSerializer, request)
        for name in ("opens_at", "closes_at"):
            if name in values:
                values[name] = as_time(values[name])
        venue = services.update_venue(request.user, venue, **values)
        return Response(VenueSerializer(venue).data)

    @extend_schema(request=ClosureSerializer, responses={200: ClosureSerializer})
    @action(detail=True, methods=["post"])
    def closures(self, request: Request, pk: str | None = None, format: str | None = None) -> Response:
        """The host closes the venue from one date to another (both included), saying why."""
        venue = self._own_venue()
        values = self.validated(ClosureSerializer, request)
        closure = services.add_closure(request.user, venue, **values)
        return Response(ClosureSerializer(closure).data)  # a step on the venue: 200, as the house's steps

    def _own_venue(self) -> Venue:
        """The venue, when the caller hosts it: the venues above her own are seen (403), others are 404."""
        venue = self.get_object()
        if not scope_for(self.request.user, CHANGE).covers_path(venue.org_path):
            raise exceptions.PermissionDenied
        return venue

    @extend_schema(
        parameters=[
            OpenApiParameter("starts_at", str, description="ISO date and time (default: the next full hour)"),
            OpenApiParameter("ends_at", str, description="ISO date and time, the same day (default: two hours later)"),
            OpenApiParameter("capacity", int, description="People to hold (default 1)"),
            OpenApiParameter("division_code", str, description="Area: a prefix of the GB/T 2260 code"),
        ],
        responses=VenueSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None)  # at most 200, in capacity order: no pages
    def free(self, request: Request, format: str | None = None) -> Response:
        """Open venues free for the whole slot, holding the people, in the area."""
        query = request.query_params
        times = [_moment(query, "starts_at", 0), _moment(query, "ends_at", 2)]
        capacity = params.parse_int(query.get("capacity"), (1, 100_000)) or 1
        division = (query.get("division_code") or "")[:12]
        if division and not division.isdigit():
            raise exceptions.ValidationError({"division_code": [_("A division code is digits.")]})
        found = queries.free_venues(self.get_queryset(), starts_at=times[0], ends_at=times[1], capacity=capacity,
                                    division_code=division)  # fmt: skip
        return Response(VenueSerializer(found[:200], many=True).data)


def _moment(query, name: str, hours_ahead: int) -> datetime.datetime:
    """``?starts_at=`` / ``?ends_at=`` (ISO, in the plan window); left out: the next full hour, plus ``hours_ahead``
    hours (the search answers "free now, for two hours" when asked nothing)."""
    raw = query.get(name)
    if not raw:
        now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
        return now + datetime.timedelta(hours=1 + hours_ahead)
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value is None or timezone.localtime(value).date() not in plan_window():
        raise exceptions.ValidationError({name: [_("Give a date and time in the plan window.")]})
    return value


def _series_result(series):
    series.ordered_bookings = list(series.bookings.select_related("venue", "organization").order_by("starts_at"))
    return series


class BookingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = Booking.objects.select_related("venue", "organization").order_by("starts_at", "id")
    serializer_class = BookingSerializer
    filterset_class = BookingFilter
    steps = [
        Step("cancel", services.cancel_booking, response=BookingSerializer),
        Step("add_back", services.add_back, response=BookingSerializer),
        Step("link_activity", services.link_activity, ActivityLinkSerializer, response=BookingSerializer),
    ]

    @extend_schema(request=BookSerializer, responses={201: BookingSerializer})
    def create(self, request, *args, **kwargs):
        values = self.validated(BookSerializer, request)
        booking = services.book(request.user, **values)
        return Response(BookingSerializer(booking).data, status=201)

    @extend_schema(request=SeriesSerializer, responses={201: SeriesResultSerializer})
    @action(detail=False, methods=["post"])
    def series(self, request: Request, format: str | None = None) -> Response:
        """A weekly or monthly booking, checked date by date."""
        values = self.validated(SeriesSerializer, request)
        if values.pop("activity", None) is not None:
            message = _("A repeating booking names no activity: link each date to its activity.")
            raise exceptions.ValidationError({"activity": [message]})
        series = services.book_series(request.user, **values)
        return Response(SeriesResultSerializer(_series_result(series)).data, status=201)


# --- honours -------------------------------------------------------------------------------------------------
# ``/api/honours/``: honours of the caller's subtrees (and her own), ``?kind=``, ``?level=``, ``?status=``;
# ``GET /api/honours/counts/`` counts them by kind and level; POST awards one (the certificate as base64,
# checked by its content); steps ``review``, ``confirm``, ``revoke`` (with ``reason``).


class HonourSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True, default="")

    class Meta:
        model = Honour
        fields = ["id", "kind", "kind_label", "level", "level_label", "year", "awarding_body", "organization",
                  "organization_name", "person", "person_name", "valid_until", "status", "status_label", "note",
                  "certificate_name"]  # fmt: skip
        read_only_fields = fields


class HonourAwardSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=HonourKind.choices)
    level = serializers.ChoiceField(choices=HonourLevel.choices)
    year = serializers.IntegerField(min_value=1949, max_value=2100)
    awarding_body = serializers.CharField(max_length=200)
    organization = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all(), action=CHANGE, required=False,
                                                allow_null=True)  # fmt: skip
    person = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    valid_until = serializers.DateField(required=False, allow_null=True)
    certificate_name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    certificate_base64 = serializers.CharField(required=False, allow_blank=True, default="", max_length=15_000_000)


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class HonourViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = Honour.objects.select_related("organization", "person").defer("certificate").order_by("-year", "id")
    serializer_class = HonourSerializer
    filterset_class = HonourFilter
    steps = [
        Step("review", services.review_honour, response=HonourSerializer),
        Step("confirm", services.confirm_honour, response=HonourSerializer),
        Step("revoke", services.revoke_honour, RevokeSerializer, response=HonourSerializer),
    ]

    @extend_schema(request=HonourAwardSerializer, responses={201: HonourSerializer})
    def create(self, request, *args, **kwargs):
        values = self.validated(HonourAwardSerializer, request)
        person = None
        if values.get("person"):
            person = Person.objects.visible_to(request.user, CHANGE).filter(pk=values["person"]).first()
            if person is None:
                raise exceptions.ValidationError({"person": [_("No such person in your scope.")]})
        certificate = None
        if values.get("certificate_base64"):
            try:
                content = base64.b64decode(values["certificate_base64"], validate=True)
            except (binascii.Error, ValueError):
                message = _("The file content is not valid base64.")
                raise exceptions.ValidationError({"certificate_base64": [message]}) from None
            certificate = (values.get("certificate_name") or "", content)
        honour = services.award_honour(
            request.user, kind=values["kind"], level=values["level"], year=values["year"],
            awarding_body=values["awarding_body"], organization=values.get("organization"), person=person,
            valid_until=values.get("valid_until"), certificate=certificate,
        )  # fmt: skip
        return Response(HonourSerializer(honour).data, status=201)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["get"], pagination_class=None)
    def counts(self, request: Request, format: str | None = None) -> Response:
        """Valid and under-review honours of the caller's scope by kind and level."""
        levels, rows = queries.honour_counts(self.get_queryset())
        return Response({"levels": levels, "rows": [{"kind": k, "counts": c, "total": t} for k, c, t in rows]})
