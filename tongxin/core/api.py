"""What every API viewset shares: scoping, domain errors as 400, out of scope as 404."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tongxin.core import params
from tongxin.core.api_pagination import KeysetPagination
from tongxin.core.exceptions import DomainError
from tongxin.core.fields import bound_serializer_fields
from tongxin.core.models import Notification
from tongxin.core.pagination import keyset_page
from tongxin.core.scoping import CHANGE, VIEW
from tongxin.core.services import mark_read


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        body = {key if key != "__all__" else "non_field_errors": value for key, value in exc.errors.items()}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)


# The scope action each HTTP method needs (NetBox's ``HTTP_ACTIONS``): reads need VIEW, writes the viewset's
# ``write_scope`` (CHANGE, or MANAGE where the model needs it).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ScopedViewSet(viewsets.GenericViewSet):
    """The one API base: every row a viewset lists, reads or acts on comes through ``restrict``.

    ``queryset`` (or ``get_base_queryset()``) is the unscoped rows with their joins; ``get_queryset`` restricts
    them to ``visible_to(user, action)`` with the action the request's method needs: VIEW for safe methods,
    ``write_scope`` (CHANGE by default, MANAGE for the organisation tree) for writes. An object outside the
    caller's scope is 404 for every method; one the caller sees but may not change answers 403, as the
    services do. A write that the service itself checks more finely (the owner of a checklist item, the
    person search that only reads) declares ``write_scope=VIEW`` on its ``@action`` or ``Step``.

    Object steps (``POST /api/<things>/<id>/<step>/``) are declared, not written: ``steps = [Step(...)]``
    (see :class:`Step`); each becomes an ``@action`` documented in the OpenAPI schema.
    """

    queryset: Any
    write_scope: str = CHANGE
    steps: ClassVar[list[Step]] = []
    # ``?waiting=1`` on the list: only the rows whose next step is the caller's (a workflow's ``waiting_for``)
    waiting_for: ClassVar[Any] = None  # staticmethod(services.waiting_for): (user) -> QuerySet
    # ``?<param>=<value>`` on the list: only the rows whose field ``param`` is ``value``, one of ``choices``
    # (a TextChoices); any other value is a 400 with ``unknown`` as the message.
    choice_filter: ClassVar[tuple[str, Any, Any] | None] = None  # (param, choices, unknown message)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for step in cls.__dict__.get("steps", []):
            # A step named after an HTTP method ("delete") would answer that method on the list route too,
            # where there is no object: a DELETE of the list ran the step and failed (found by schemathesis).
            if step.name in cls.http_method_names:
                raise ImproperlyConfigured(f"{cls.__name__}: the step {step.name!r} is named after an HTTP method")
            setattr(cls, step.name, step.as_action())

    # --- scoping ---------------------------------------------------------------------------------------

    def scope_action(self) -> str:
        """The action the caller needs for this request: VIEW to read, ``write_scope`` to write."""
        return VIEW if self.request.method in SAFE_METHODS else self.write_scope

    def get_base_queryset(self):
        """The rows before scoping (a viewset narrows them here: a filter, annotations; ``?waiting=1``)."""
        queryset = self.queryset.all()
        if self.waiting_for is not None and self.action == "list" and self.request.query_params.get("waiting") == "1":
            queryset = queryset & self.waiting_for(self.request.user)
        if self.choice_filter is not None and self.action == "list":
            param, choices, unknown = self.choice_filter
            value = self.request.query_params.get(param)
            if value:
                if value not in choices.values:
                    raise exceptions.ValidationError({param: [unknown]})
                queryset = queryset.filter(**{param: value})
        return queryset

    def restrict(self, queryset, action: str):
        """``queryset`` within what the caller may do ``action`` on."""
        return queryset.visible_to(self.request.user, action)

    def get_queryset(self):
        return self.restrict(self.get_base_queryset(), self.scope_action())

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            if self.scope_action() != VIEW and self._visible():
                raise exceptions.PermissionDenied from None  # seen, not the caller's to change: 403
            raise

    def _visible(self) -> bool:
        lookup = self.lookup_url_kwarg or self.lookup_field
        value = self.kwargs.get(lookup)
        if value is None:
            return False
        try:
            return self.restrict(self.get_base_queryset(), VIEW).filter(**{self.lookup_field: value}).exists()
        except (TypeError, ValueError, DjangoValidationError):
            return False

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        """The viewset's serializer; for a write, every field bounded (``core.fields``: safe text, dates in a
        window, whole numbers in their column's range)."""
        serializer = super().get_serializer(*args, **kwargs)
        request = getattr(self, "request", None)
        if request is not None and request.method not in SAFE_METHODS:
            bound_serializer_fields(serializer)
        return serializer

    def validated(self, serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
        """The request body checked by ``serializer_class`` (with the viewset's context, every field bounded as
        in :meth:`get_serializer`): 400 when invalid."""
        data = serializer_class(data=request.data, context=self.get_serializer_context())
        bound_serializer_fields(data)
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    # --- steps -----------------------------------------------------------------------------------------

    def step_response(self, step: Step, result: Any) -> Response:
        """The answer to a step: ``step.response`` (or the viewset's serializer) of what the service returned."""
        if step.response is not None:
            return Response(step.response(result, context=self.get_serializer_context()).data)
        return Response(self.get_serializer(result).data)

    def run_step(self, step: Step, request: Request) -> Response:
        if step.service_reads:
            return self._run_unread(step, request)
        obj = self.get_object()
        values = self.validated(step.request, request) if step.request is not None else {}
        return self.step_response(step, step.service(request.user, obj, **step.arguments(values)))

    def _run_unread(self, step: Step, request: Request) -> Response:
        """A ``service_reads`` step: the service gets an unsaved object carrying only the key and reads the row
        itself; the scoped lookup runs only when it refuses, so that out of the caller's scope the answer is
        404 (or 403) as for every step, whatever the service said."""
        pk = params.parse_id(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field))
        try:
            if pk is None:
                raise Http404
            values = self.validated(step.request, request) if step.request is not None else {}
            result = step.service(request.user, self.queryset.model(pk=pk), **step.arguments(values))
        except Exception:
            self.get_object()
            raise
        return self.step_response(step, result)


@dataclass(frozen=True)
class Step:
    """One POST step on an object: ``POST /api/<things>/<id>/<url_path>/`` calls
    ``service(request.user, obj, **arguments)`` and answers the object as the viewset serializes it.

    ``request``: the body's serializer (None: no body). ``fields``: which validated values the service takes as
    keyword arguments (None: all of them; a tuple: those given; a dict: those names with defaults when left
    out). ``response``: the answer's serializer when it is not the viewset's. ``url_path``: default the name
    with dashes. ``write_scope``: the scope action the lookup needs, when not the viewset's (VIEW when the
    service admits someone outside the subtree, such as an item's owner, and checks them itself).

    ``service_reads``: for a hot path (a quiz's submission, a check-in), the service reads and locks the row
    itself, in its transaction, among the caller's own rows only (his attempt, her registration's activity), so
    that a row it accepts is always one the caller sees. It gets an unsaved object carrying only the key, and
    the lookup's round trips (the caller's roles, the row) are saved; the lookup runs when the service refuses.
    """

    name: str
    service: Callable[..., Any]
    request: type[serializers.Serializer] | None = None
    fields: tuple[str, ...] | dict[str, Any] | None = None
    response: type[serializers.Serializer] | None = None
    url_path: str | None = None
    write_scope: str | None = None
    service_reads: bool = False

    def arguments(self, values: dict[str, Any]) -> dict[str, Any]:
        if self.fields is None:
            return values
        if isinstance(self.fields, dict):
            return {name: values.get(name, default) for name, default in self.fields.items()}
        return {name: values[name] for name in self.fields if name in values}

    def as_action(self) -> Callable[..., Response]:
        step = self

        def run(self: ScopedViewSet, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
            return self.run_step(step, request)

        run.__name__ = run.__qualname__ = self.name
        run.__doc__ = getattr(self.service, "__doc__", None)
        options: dict[str, Any] = {"url_path": self.url_path or self.name.replace("_", "-")}
        if self.write_scope is not None:
            options["write_scope"] = self.write_scope
        decorated = action(detail=True, methods=["post"], **options)(run)
        schema: dict[str, Any] = {"request": self.request}
        if self.response is not None:
            schema["responses"] = self.response
        return extend_schema(**schema)(decorated)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object chosen by id among those the caller may see (or change): any other id, existing or
    not, gets the same "not in your scope" answer, so the API reveals nothing outside the scope."""

    default_error_messages = {
        "does_not_exist": _("No such organisation in your scope."),
        "incorrect_type": _("Give the organisation's id (a number)."),
    }

    def __init__(self, *, action: str = VIEW, **kwargs: Any) -> None:
        self.scope_action = action
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        queryset: Any = self.__dict__.get("queryset")
        return queryset.visible_to(request.user if request else None, self.scope_action)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, (int, str)) and not isinstance(data, bool) and params.parse_id(data) is None:
            if isinstance(data, int) or params.parse_int(data, params.ANY_DIGITS) is not None:
                self.fail("does_not_exist", pk_value=data)  # a number no row can have: "not in your scope"
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "format": "month", "pattern": "^[0-9]{4}-[0-9]{2}$", "example": "2025-01"})
class MonthField(serializers.CharField):
    """A month ``yyyy-mm`` in a request body, read by ``core.params.parse_month`` (inside the window): the value
    is the first day of the month; anything else is a 400 naming the field and the window."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 7)
        super().__init__(**kwargs)

    def run_validation(self, data: Any = serializers.empty) -> Any:
        text = super().run_validation(data)  # the text, its length checked
        if text in (None, ""):
            return text
        month = params.parse_month(text)
        if month is None:
            raise serializers.ValidationError(params.month_refusal())
        return month


# --- /api/notifications/ ------------------------------------------------------------------------------------


class NewestFirstPagination(KeysetPagination):
    """Keyset pages running from the newest row down (``get_keyset_keys`` ascending keys, as for pages)."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        cursor = request.query_params.get(self.cursor_query_param)
        self.page = keyset_page(queryset, view.get_keyset_keys(), cursor, self.page_size, descending=True)
        self.count = view.get_keyset_count(queryset)
        return self.page.rows


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "created_at", "text", "url", "org_path", "read_at", "is_read"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("unread", bool, description="Only the unread notifications (1 or true).")]
    )
)
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The caller's own notifications, newest first (``?unread=1``: only the unread ones).

    ``POST /api/notifications/<id>/read/`` marks one read. Anyone else's notification is 404.
    """

    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
    pagination_class = NewestFirstPagination
    # one's own notification: marking it read is self-service (``mark_read`` checks the recipient)
    steps = [Step("read", mark_read, write_scope=VIEW)]

    def get_base_queryset(self):
        qs = super().get_base_queryset()
        if self.action == "list" and self.request.query_params.get("unread") in ("1", "true"):
            qs = qs.unread()
        return qs

    def get_keyset_keys(self) -> list[tuple[str, str]]:
        return [("created_at", "core_notification.created_at"), ("id", "core_notification.id")]

    def get_keyset_count(self, queryset) -> int:
        return queryset.count()
