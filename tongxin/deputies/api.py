"""League deputies' studios API.

``/api/deputies/``: the deputies the caller sees (``?congress=``, ``?studio=``, ``?active=``); POST records a
person elected to a congress of an organisation the caller may change.
``/api/deputy-requests/``: the requests the caller sees (``?deputy=``, ``?status=``, ``?overdue=true``); the
young person's phone is only ever given masked here (``phone_masked``): the page's audited reveal is the one
place it is shown in full. POST records a request for a deputy the caller may change; steps ``assign``
(``organization``: an organisation under the congress's), ``follow-up`` (``note``), ``answer`` (``answer``) and
``close``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers
from rest_framework.response import Response

from tongxin.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSet, Step
from tongxin.core.scoping import CHANGE, scope_for
from tongxin.deputies import services
from tongxin.deputies.filters import DeputyFilter, RequestFilter
from tongxin.deputies.models import Congress, ConstituentRequest, Deputy, ReceptionDay
from tongxin.orgs.models import Organization
from tongxin.people.models import Person
from tongxin.venues.models import Venue


class DeputySerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    congress_name = serializers.CharField(source="congress.name", read_only=True)
    studio_name = serializers.CharField(source="studio.name", read_only=True, default="")

    class Meta:
        model = Deputy
        fields = ["id", "person", "person_name", "congress", "congress_name", "studio", "studio_name", "active"]
        read_only_fields = fields


class DeputyRequestSerializer(serializers.ModelSerializer):
    deputy_name = serializers.CharField(source="deputy.person.name", read_only=True)
    phone_masked = serializers.CharField(source="masked_phone", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    assigned_to_name = serializers.CharField(source="assigned_to.name", read_only=True, default="")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ConstituentRequest
        fields = ["id", "deputy", "deputy_name", "reception_day", "received_on", "name", "phone_masked", "subject",
                  "content", "assigned_to", "assigned_to_name", "status", "status_label", "due_on", "overdue",
                  "follow_up", "answer", "assigned_at", "answered_at", "closed_at"]  # fmt: skip
        read_only_fields = fields

    def get_overdue(self, row: ConstituentRequest) -> bool:
        return row.is_overdue()


class DeputyField(ScopedPrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": _("No such deputy in your scope."),
        "incorrect_type": _("Give the deputy's id (a number)."),
    }


class RecordRequestSerializer(serializers.Serializer):
    deputy = DeputyField(queryset=Deputy.objects.all(), action=CHANGE)
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    subject = serializers.CharField(max_length=100)
    content = serializers.CharField(max_length=2000)
    received_on = serializers.DateField(required=False, allow_null=True, default=None)
    reception_day = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**31 - 1)


class AssignSerializer(serializers.Serializer):
    organization = serializers.IntegerField(min_value=1, max_value=2**31 - 1,
                                            help_text="An organisation under the congress's organisation")  # fmt: skip


class FollowUpSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=2000)


def _assign(actor, request: ConstituentRequest, *, organization: int) -> ConstituentRequest:
    org = Organization.objects.filter(pk=organization, path__startswith=request.congress_path).first()
    if org is None:
        raise exceptions.ValidationError({"organization": [_("No such organisation under the congress's own.")]})
    return services.assign_request(actor, request, organization=org)


class ElectSerializer(serializers.Serializer):
    congress = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="A congress of an organisation "
                                        "the caller may change")  # fmt: skip
    person = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="A person under that organisation")
    studio = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False, allow_null=True,
                                      help_text="A venue of kind deputy_studio")  # fmt: skip


class DeputyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = Deputy.objects.select_related("person", "congress", "studio").order_by("congress_id", "id")
    serializer_class = DeputySerializer
    filterset_class = DeputyFilter

    @extend_schema(request=ElectSerializer, responses={201: DeputySerializer})
    def create(self, request, *args, **kwargs):
        """Record a person elected to a congress (the congress's organisation records it)."""
        values = self.validated(ElectSerializer, request)
        user = request.user
        congress = Congress.objects.filter(scope_for(user, CHANGE).q("org_path"), pk=values["congress"]).first()
        if congress is None:
            raise exceptions.ValidationError({"congress": [_("No such congress in your scope.")]})
        person = Person.objects.filter(pk=values["person"], org_path__startswith=congress.org_path).first()
        if person is None:
            message = _("No such person under %(org)s.") % {"org": congress.organization.name}
            raise exceptions.ValidationError({"person": [message]})
        studio = None
        if values.get("studio"):
            studio = Venue.objects.visible_to(user).filter(pk=values["studio"]).first()
            if studio is None:
                raise exceptions.ValidationError({"studio": [_("No such venue in your scope.")]})
        deputy = services.elect_deputy(user, congress=congress, person=person, studio=studio)
        return Response(DeputySerializer(deputy).data, status=201)


class DeputyRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = ConstituentRequest.objects.select_related("deputy__person", "assigned_to").order_by("due_on", "id")
    serializer_class = DeputyRequestSerializer
    filterset_class = RequestFilter
    steps = [
        Step("assign", _assign, AssignSerializer, response=DeputyRequestSerializer),
        Step("follow_up", services.follow_up_request, FollowUpSerializer, response=DeputyRequestSerializer),
        Step("answer", services.answer_request, AnswerSerializer, response=DeputyRequestSerializer),
        Step("close", services.close_request, response=DeputyRequestSerializer),
    ]

    @extend_schema(request=RecordRequestSerializer, responses={201: DeputyRequestSerializer})
    def create(self, request, *args, **kwargs):
        values = self.validated(RecordRequestSerializer, request)
        deputy = values.pop("deputy")
        day_id = values.pop("reception_day", None)
        day = None
        if day_id:
            day = ReceptionDay.objects.filter(pk=day_id, deputy=deputy).first()
            if day is None:
                raise exceptions.ValidationError({"reception_day": [_("No such reception day of this deputy.")]})
        row = services.record_request(request.user, deputy, reception_day=day, **values)
        return Response(DeputyRequestSerializer(row).data, status=201)
