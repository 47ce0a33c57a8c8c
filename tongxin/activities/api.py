"""Activities API: ``/api/activities/`` (list, read, plan; steps ``register``, ``check-in``, ``check-out``,
``personal-check-in``, ``personal-check-out``, ``cancel``; ``my-code``), ``/api/registrations/`` (list, read;
steps ``confirm``, ``decline``, ``cancel``, ``supplementary-hours``, ``request-correction``),
``/api/hours-corrections/`` (list, read; step ``decide``) and ``/api/certificates/`` (list, read, issue;
``verify``). Every write goes through ``activities.services``; a rule broken answers 400 naming it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from tongxin.activities import queries, services
from tongxin.activities.filters import ActivityFilter, RegistrationFilter
from tongxin.activities.models import Activity, ActivityKind, Certificate, HoursCorrection, Registration, Wish
from tongxin.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSet, Step
from tongxin.core.fields import DateTimeField
from tongxin.core.scoping import CHANGE, VIEW
from tongxin.orgs.models import Organization
from tongxin.people.models import Person


class ActivitySerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    partners: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)

    class Meta:
        model = Activity
        fields = ["id", "organization", "organization_name", "organizations", "partners", "kind", "kind_label",
                  "title", "status", "status_label", "starts_at", "ends_at", "place", "capacity", "audience",
                  "public", "description"]  # fmt: skip
        read_only_fields = fields


class ActivityCreateSerializer(serializers.Serializer):
    organization = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all(), action=CHANGE)
    organizations = serializers.ListField(
        child=ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all(), action=CHANGE), required=False,
        max_length=20,
    )  # fmt: skip
    partners = serializers.ListField(child=serializers.CharField(max_length=100), required=False, max_length=20)
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    title = serializers.CharField(max_length=200)
    starts_at = DateTimeField()
    ends_at = DateTimeField()
    capacity = serializers.IntegerField(min_value=1, max_value=100_000)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")
    audience = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all(), required=False, allow_null=True)
    public = serializers.BooleanField(required=False, default=False)


class CodeSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=200, help_text="The token of the QR code, or the six digits typed")


class PersonalCodeSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=200, help_text="The member's personal code: the token of his QR code, or the short code typed"
    )


class MyCodeSerializer(serializers.Serializer):
    token = serializers.CharField(allow_null=True, help_text="The QR code's content")
    short_code = serializers.CharField(allow_null=True, help_text="To type: <person id>-<six digits>")
    seconds_left = serializers.IntegerField(allow_null=True)


class HoursRowSerializer(serializers.Serializer):
    """Volunteer hours of one organisation's participants in the period (``organization`` null: the total)."""

    organization = serializers.IntegerField(allow_null=True)
    organization_name = serializers.CharField(allow_blank=True)
    participants = serializers.IntegerField()
    party_members = serializers.IntegerField()
    league_members = serializers.IntegerField()
    others = serializers.IntegerField()
    verified_hours = serializers.DecimalField(max_digits=12, decimal_places=2)
    supplementary_hours = serializers.DecimalField(max_digits=12, decimal_places=2)


def _hours_row(row: queries.HoursRow) -> dict[str, Any]:
    org = row.organization
    return {"organization": org.pk if org else None, "organization_name": org.name if org else "",
            "participants": row.people, "party_members": row.party, "league_members": row.league,
            "others": row.others, "verified_hours": row.verified, "supplementary_hours": row.supplementary}  # fmt: skip


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class HoursSerializer(serializers.Serializer):
    hours = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0, max_value=9999)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ActivityRegistrationSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Registration
        fields = ["id", "activity", "person", "person_name", "status", "status_label", "queued_at", "reason",
                  "checked_in_at", "checked_out_at", "verified_hours", "supplementary_hours",
                  "supplementary_reason"]  # fmt: skip
        read_only_fields = fields


def _register(actor: Any, activity: Activity) -> Registration:
    """Register yourself: a place while there is one, else the waiting list (``status`` says which)."""
    return services.register(actor, activity)


def _cancel_activity(actor: Any, activity: Activity) -> Activity:
    """Cancel the activity (an organiser)."""
    return services.cancel_activity(actor, activity)


class ActivityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Activities the caller sees (as an organiser, or as a member they are open to), newest first
    (``?kind=``, ``?status=``, ``?starts_after=``, ``?starts_before=``). POST plans one."""

    queryset = Activity.objects.select_related("organization")
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    steps = [
        Step("register", _register, response=ActivityRegistrationSerializer, write_scope=VIEW),
        # The service reads the activity with the caller's registration, locked: one she sees (she registered).
        Step("check_in", services.check_in, CodeSerializer, response=ActivityRegistrationSerializer, write_scope=VIEW,
             service_reads=True),
        Step(
            "check_out", services.check_out, CodeSerializer, response=ActivityRegistrationSerializer, write_scope=VIEW
        ),
        Step("personal_check_in", services.check_in_person, PersonalCodeSerializer,
             response=ActivityRegistrationSerializer),
        Step("personal_check_out", services.check_out_person, PersonalCodeSerializer,
             response=ActivityRegistrationSerializer),
        Step("cancel", _cancel_activity),
    ]  # fmt: skip

    @extend_schema(responses=MyCodeSerializer)
    @action(detail=False, methods=["get"], url_path="my-code", pagination_class=None)
    def my_code(self, request: Request, format: str | None = None) -> Response:
        """The caller's personal check-in code now: the QR code's token and the short code to type, renewed
        every 30 s (each accepted for at most a minute); an organiser scans or types it. All null: the account is
        not linked to a member record."""
        person_id = getattr(request.user, "person_id", None)
        if person_id is None:  # an account not linked to a member record has no code
            return Response(MyCodeSerializer({"token": None, "short_code": None, "seconds_left": None}).data)
        token, short, left = services.personal_code(person_id)
        return Response(MyCodeSerializer({"token": token, "short_code": short, "seconds_left": left}).data)

    def get_base_queryset(self):
        qs = super().get_base_queryset()
        if self.action in ("list", "retrieve"):
            return qs.prefetch_related("organizations", "partners")
        return qs  # a step answers with the registration: the activity's relations are not read

    @extend_schema(request=ActivityCreateSerializer, responses={201: ActivitySerializer})
    def create(self, request, *args, **kwargs):
        values = self.validated(ActivityCreateSerializer, request)
        activity = services.create_activity(request.user, **values)
        return Response(ActivitySerializer(activity).data, status=201)

    @extend_schema(
        parameters=[
            OpenApiParameter("org", int, description="The organisation (default: the caller's top one)"),
            OpenApiParameter("from", str, description="First day, yyyy-mm-dd (default: 1 January)"),
            OpenApiParameter("to", str, description="Last day, yyyy-mm-dd (default: today)"),
        ],
        responses=HoursRowSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None)  # one row per child organisation and the total
    def hours(self, request: Request, format: str | None = None) -> Response:
        """Volunteer hours of the organisation's participants per child organisation in the period, verified and
        supplementary apart, with who took part; the last row (``organization`` null) is the total."""
        get = request.query_params.get
        report = queries.hours_report(request.user, get("org"), get("from"), get("to"))
        return Response(HoursRowSerializer([_hours_row(r) for r in [*report.rows, report.total]], many=True).data)


def _decline(actor: Any, registration: Registration, reason: str) -> Registration:
    """Decline a registration, with the reason (an organiser; not one's own)."""
    return services.decline(actor, registration, reason)


def _cancel(actor: Any, registration: Registration) -> Registration:
    """Cancel a registration (the person herself, or an organiser); its place goes to the next in line."""
    return services.cancel_registration(actor, registration)


def _hours(actor: Any, registration: Registration, hours: Any, reason: str = "") -> Registration:
    """Set supplementary hours with a reason (an organiser; never more than the activity's length)."""
    return services.set_supplementary_hours(actor, registration, hours, reason)


class HoursCorrectionSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    activity = serializers.IntegerField(source="registration.activity_id", read_only=True)

    class Meta:
        model = HoursCorrection
        fields = ["id", "registration", "activity", "person", "person_name", "status", "status_label", "reason",
                  "requested_hours", "hours_before", "decided_hours", "decision_reason", "decided_at",
                  "created_at"]  # fmt: skip
        read_only_fields = fields


class CorrectionRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=services.CORRECTION_REASON_MAX)
    hours = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0, max_value=9999, required=False,
                                     allow_null=True, default=None,
                                     help_text="The hours the volunteer thinks right (optional)")  # fmt: skip


class CorrectionDecideSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(max_length=200)
    hours = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0, max_value=9999, required=False,
                                     allow_null=True, default=None,
                                     help_text="Accepted: the corrected hours, verified and supplementary "
                                               "together")  # fmt: skip


def _request_correction(actor: Any, registration: Registration, reason: str, hours: Any = None) -> HoursCorrection:
    """Ask for a correction of the hours of one's own registration, with a reason (the volunteer himself)."""
    return services.request_correction(actor, registration, reason, hours)


class RegistrationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Registrations: the organiser's of her activities, and one's own (``?status=``)."""

    queryset = Registration.objects.select_related("person")
    serializer_class = ActivityRegistrationSerializer
    filterset_class = RegistrationFilter
    steps = [
        Step("confirm", services.confirm),
        Step("decline", _decline, ReasonSerializer),
        Step("cancel", _cancel, write_scope=VIEW),
        Step("supplementary_hours", _hours, HoursSerializer),
        Step("request_correction", _request_correction, CorrectionRequestSerializer,
             response=HoursCorrectionSerializer, write_scope=VIEW),
    ]  # fmt: skip


def _decide(actor: Any, correction: HoursCorrection, accept: bool, reason: str, hours: Any = None) -> HoursCorrection:
    """Decide a correction of hours (an organiser of the activity, never the volunteer himself): accepted with the
    corrected hours (from the verified hours up to the activity's length), or rejected; with a reason."""
    return services.decide_correction(actor, correction, accept=accept, reason=reason, hours=hours)


class HoursCorrectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Corrections of volunteer hours: those of the caller's activities, and one's own, newest first."""

    queryset = HoursCorrection.objects.select_related("person", "registration")
    serializer_class = HoursCorrectionSerializer
    steps = [Step("decide", _decide, CorrectionDecideSerializer)]


class CertificateSerializer(serializers.ModelSerializer):
    """A certificate of service hours as its holder and the issuing organisation's role holders see it."""

    class Meta:
        model = Certificate
        fields = ["id", "serial", "person", "organization", "holder_name", "holder_masked_id", "issuer_name",
                  "lines", "verified_hours", "supplementary_hours", "issued_on"]  # fmt: skip
        read_only_fields = fields


class CertificateIssueSerializer(serializers.Serializer):
    person = ScopedPrimaryKeyRelatedField(queryset=Person.objects.all())
    organization = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all(), action=CHANGE)


class CertificateVerifySerializer(serializers.Serializer):
    """What the public verification page shows: the server's record, the holder masked."""

    serial = serializers.CharField()
    holder_name = serializers.CharField(help_text="Masked: the first character only")
    holder_masked_id = serializers.CharField()
    issuer_name = serializers.CharField()
    verified_hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    supplementary_hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    issued_on = serializers.DateField()


class CertificateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Certificates of service hours: one's own, and those issued by the caller's organisations, newest first.
    POST issues one (as the activity page does); ``verify`` answers what the public verification page shows."""

    queryset = Certificate.objects.all()
    serializer_class = CertificateSerializer

    def get_base_queryset(self):
        """``?mine=1`` on the list: only the caller's own certificates (a role holder sees her organisations' too)."""
        queryset = super().get_base_queryset()
        if self.action == "list" and self.request.query_params.get("mine") == "1":
            queryset = queryset.filter(person_id=getattr(self.request.user, "person_id", None) or 0)
        return queryset

    @extend_schema(parameters=[OpenApiParameter("mine", int, enum=[1], description="1: only one's own")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=CertificateIssueSerializer, responses={201: CertificateSerializer})
    def create(self, request, *args, **kwargs):
        """Issue a certificate of the person's hours at the activities of the organisation's subtree (an organiser
        of that organisation; never for oneself)."""
        values = self.validated(CertificateIssueSerializer, request)
        certificate = services.issue_certificate(request.user, **values)
        return Response(CertificateSerializer(certificate).data, status=201)

    @extend_schema(
        parameters=[
            OpenApiParameter("key", str, required=True, description="The key in the certificate's QR code"),
            OpenApiParameter("serial", str, description="The serial number printed on it (checked when given)"),
        ],
        responses=CertificateVerifySerializer,
    )
    @action(detail=False, methods=["get"], pagination_class=None, permission_classes=[AllowAny])
    def verify(self, request: Request, format: str | None = None) -> Response:
        """Public (no login, as the verification page): the server's record of a certificate, found by the key of
        its QR code (and its serial number, when given, must match): the facts of the public verification page,
        the holder masked. 404: no such certificate (forged, or altered)."""
        found = services.verify_certificate(request.query_params.get("key", ""),
                                            request.query_params.get("serial"))  # fmt: skip
        if found is None:
            raise NotFound(_("No certificate on record matches: it may be forged or altered."))
        return Response(CertificateVerifySerializer(services.verified_facts(found)).data)


class WishSerializer(serializers.ModelSerializer):
    """A micro-wish as its community and its claimer see it; the resident's contact is never in the API."""

    community_name = serializers.CharField(source="community.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Wish
        fields = ["id", "community", "community_name", "published_text", "flagged", "status", "status_label",
                  "reason", "claimed_by", "claimed_at", "fulfilment", "fulfilled_at", "closed_at",
                  "submitted_at"]  # fmt: skip
        read_only_fields = fields


class ScreenSerializer(serializers.Serializer):
    publish = serializers.BooleanField()
    published_text = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class FulfilSerializer(serializers.Serializer):
    fulfilment = serializers.CharField(max_length=2000)


class WishViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Micro-wishes: those of the caller's communities, the published ones open to claim, and her own claims.
    Steps: ``screen`` (the community), ``claim`` and ``fulfil`` (the member, for herself), ``close`` (the
    community, never the member who fulfilled it). Residents submit on the public page, not here."""

    queryset = Wish.objects.select_related("community")
    serializer_class = WishSerializer
    steps = [
        Step("screen", services.screen_wish, ScreenSerializer),
        Step("claim", services.claim_wish, write_scope=VIEW),
        Step("fulfil", services.fulfil_wish, FulfilSerializer, write_scope=VIEW),
        Step("close", services.close_wish),
    ]
