"""Community reporting forms (one column on a phone; the services check the rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongxin.community.models import CommunityRegistration, NeedKind, RegistrationStatus
from tongxin.core.forms import BootstrapFormMixin
from tongxin.core.scoping import CHANGE, scope_for
from tongxin.orgs.models import Organization, OrgCategory, OrgStatus

DATE = {"type": "date"}


def communities():
    """The organisations that are communities (社区): the same choice as a micro-wish's community."""
    return Organization.objects.filter(status=OrgStatus.ACTIVE, category=OrgCategory.COMMUNITY).order_by("path")


class RegisterForm(BootstrapFormMixin, forms.Form):
    community = forms.ModelChoiceField(label=_("Community"), queryset=Organization.objects.none())
    started_on = forms.DateField(label=_("Registered on"), required=False,
                                 widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
                                 help_text=_("Left empty: today."))  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = communities()


class NeedForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=NeedKind.choices)
    title = forms.CharField(label=_("Title"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=10000, required=False)
    starts_on = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    ends_on = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))


class RegistrationChoiceForm(BootstrapFormMixin, forms.Form):
    """Which of the user's registrations with the need's community acts (the member's own, or a unit's)."""

    registration = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=CommunityRegistration.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, choices: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["registration"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = choices if choices is not None else CommunityRegistration.objects.none()
        field.label_from_instance = lambda r: r.registrant_name  # type: ignore[method-assign,assignment]


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to a few photos in one file input (optional; the service checks each one's content and size)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png"}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(PhotosField, self).clean(f, initial) for f in files]


def photo_pairs(files: list[Any]) -> list[tuple[str, bytes]]:
    """The uploaded files as (name, content) for the services, each read within the upload limit."""
    return [(f.name or "", f.read()) for f in files]


class ReportFields(BootstrapFormMixin, forms.Form):
    """What was done: the text, the day, hours and people (optional), photos (optional, never required)."""

    content = forms.CharField(label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    done_on = forms.DateField(label=_("Done on"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
                              help_text=_("Left empty: today."))  # fmt: skip
    hours = forms.DecimalField(label=_("Hours (optional)"), required=False, min_value=0.1, max_value=24, max_digits=5,
                               decimal_places=1, widget=forms.NumberInput(attrs={"inputmode": "decimal",
                                                                                  "step": "0.1"}))  # fmt: skip
    people = forms.IntegerField(label=_("People taking part (optional)"), required=False, min_value=1,
                                max_value=10000)  # fmt: skip
    photos = PhotosField(label=_("Photos (optional, at most 3)"))


class ReportForm(RegistrationChoiceForm, ReportFields):
    """A report on a need taken up, for one of the user's registrations with its community."""

    field_order = ["registration", "content", "done_on", "hours", "people", "photos"]


class SendBackForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("What should the report add?"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip


def registrations_for(user: Any, community_id: int):
    """The active registrations with ``community_id`` the user may act for: his own, and his units' (CHANGE)."""
    rows = CommunityRegistration.objects.filter(community_id=community_id, status=RegistrationStatus.ACTIVE)
    own = Q(person_id=getattr(user, "person_id", None)) if getattr(user, "person_id", None) else Q(pk__in=[])
    return rows.filter(own | scope_for(user, CHANGE).q("org_path")).select_related("person", "organization")
