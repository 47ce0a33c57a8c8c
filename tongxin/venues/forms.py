"""The positions app's forms (bounded by BootstrapFormMixin); the services check the rules."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.core.fields import Wording
from tongxin.core.forms import BootstrapFormMixin
from tongxin.core.registry import link_choices
from tongxin.core.scoping import CHANGE
from tongxin.orgs.models import Organization, OrgStatus
from tongxin.venues.models import Frequency, HonourKind, HonourLevel, VenueKind, VenueStatus

ONCE = "once"
DATE = {"type": "date"}
# Times of day by the half hour: a list to pick from on a phone, and a value bounded by its choices.
TIME_CHOICES = [(f"{h:02d}:{m:02d}", f"{h:02d}:{m:02d}") for h in range(24) for m in (0, 30)]


def as_time(value: str) -> datetime.time:
    hour, minute = value.split(":")
    return datetime.time(int(hour), int(minute))


def time_field(label: Any, **kwargs: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, choices=TIME_CHOICES, coerce=as_time, **kwargs)


def _orgs(user: Any, action: str = CHANGE):
    return Organization.objects.visible_to(user, action).filter(status=OrgStatus.ACTIVE).order_by("path")


class VenueForm(BootstrapFormMixin, forms.Form):
    host = forms.ModelChoiceField(label=_("Host organisation"), queryset=Organization.objects.none())
    # "Name", "Kind", "Address" alone are a person's name, an organisation's kind, a web address elsewhere
    name = forms.CharField(label=pgettext_lazy("venue", "Name"), max_length=100, validators=[Wording()])
    kind = forms.ChoiceField(label=pgettext_lazy("venue", "Kind"), choices=VenueKind.choices)
    partner = forms.CharField(label=_("Partner"), max_length=100, required=False,
                              help_text=_("The shop, bookstore or museum whose premises it uses"))  # fmt: skip
    address = forms.CharField(label=pgettext_lazy("venue", "Address"), max_length=200)
    division_code = forms.CharField(label=_("Division code"), max_length=12, required=False)
    opens_at = time_field(_("Opens at"), initial="09:00")
    closes_at = time_field(_("Closes at"), initial="21:00")
    open_days = forms.CharField(label=_("Open days"), max_length=7, initial="1234567",
                                help_text=_("Weekdays 1 (Monday) to 7 (Sunday), e.g. 123456"))  # fmt: skip
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=100_000)
    facilities = forms.CharField(label=_("Facilities"), max_length=500, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        host = self.fields["host"]
        assert isinstance(host, forms.ModelChoiceField)
        host.queryset = _orgs(user)


class VenueEditForm(VenueForm):
    """The host's edit of a venue: its fields and its status (the host stays); ``status`` offers the venue's
    current status and those its transitions reach."""

    status = forms.ChoiceField(label=_("Status"), choices=VenueStatus.choices)

    def __init__(self, *args: Any, user: Any, reachable: list[str], **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        del self.fields["host"]
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [(value, label) for value, label in VenueStatus.choices if value in reachable]


class PhotoForm(BootstrapFormMixin, forms.Form):
    photo = forms.FileField(
        label=_("Photo (JPEG or PNG)"), widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"})
    )


class ClosureRemoveForm(BootstrapFormMixin, forms.Form):
    closure = forms.IntegerField(min_value=1, max_value=2**31 - 1)


class BookingForm(BootstrapFormMixin, forms.Form):
    organization = forms.ModelChoiceField(label=_("Booking organisation"), queryset=Organization.objects.none())
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    start = time_field(pgettext_lazy("time of day", "From"), initial="14:00")
    end = time_field(pgettext_lazy("time of day", "To"), initial="16:00")
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    expected_attendance = forms.IntegerField(label=_("Expected attendance"), min_value=1, max_value=100_000)
    repeat = forms.ChoiceField(label=_("Repeats"), choices=[(ONCE, _("Once")), *Frequency.choices], initial=ONCE)
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
                            help_text=_("The last date of a weekly or monthly booking"))  # fmt: skip
    skip_problems = forms.BooleanField(
        label=_("Skip the dates that conflict or fall on a closure, and book the others"), required=False
    )
    activity = forms.TypedChoiceField(label=_("Activity held (optional)"), required=False, coerce=int,
                                      empty_value=None,
                                      help_text=_("An activity your organisation holds there; for a repeating "
                                                  "booking, link each date on its page"))  # fmt: skip

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = self.fields["organization"]
        assert isinstance(org, forms.ModelChoiceField)
        org.queryset = _orgs(user)
        if org.queryset.count() == 1:
            self.initial.setdefault("organization", org.queryset.first())
        activity = self.fields["activity"]
        assert isinstance(activity, forms.TypedChoiceField)
        activity.choices = activity_choices(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("repeat") in Frequency.values and not data.get("until"):
            self.add_error("until", _("Give the last date of a repeating booking."))
        if data.get("repeat") in Frequency.values and data.get("activity"):
            self.add_error("activity", _("A repeating booking names no activity: link each date to its activity."))
        return data

    def times(self) -> tuple[datetime.datetime, datetime.datetime]:
        data = self.cleaned_data
        start = timezone.make_aware(datetime.datetime.combine(data["day"], data["start"]))
        end = timezone.make_aware(datetime.datetime.combine(data["day"], data["end"]))
        return start, end


def activity_choices(user: Any) -> list[tuple[Any, str]]:
    """The activities the user may link (core's "activity" link kind), after a blank choice: none."""
    return [("", "—"), *((a.pk, a.title) for a in link_choices("activity", user))]


class ActivityLinkForm(BootstrapFormMixin, forms.Form):
    activity = forms.TypedChoiceField(label=_("Activity held"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        activity = self.fields["activity"]
        assert isinstance(activity, forms.TypedChoiceField)
        activity.choices = activity_choices(user)


class ClosureForm(BootstrapFormMixin, forms.Form):
    starts_on = forms.DateField(label=_("Closed from"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    ends_on = forms.DateField(label=_("Closed until"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    reason = forms.CharField(label=pgettext_lazy("venue closure", "Reason"), max_length=200)


class SearchForm(BootstrapFormMixin, forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    start = time_field(pgettext_lazy("time of day", "From"), initial="14:00")
    end = time_field(pgettext_lazy("time of day", "To"), initial="16:00")
    capacity = forms.IntegerField(label=_("People"), min_value=1, max_value=100_000, required=False)
    division_code = forms.CharField(label=_("Area (division code)"), max_length=12, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The end must be after the start."))
        return data


class HonourForm(BootstrapFormMixin, forms.Form):
    """An honour for an organisation (its code) or a person (her ID number is not asked: picked among the people
    the user sees, by id on the person's page; here by the organisation's code, or a person's id)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=HonourKind.choices)
    level = forms.ChoiceField(label=_("Level"), choices=HonourLevel.choices)
    year = forms.IntegerField(label=_("Year"), min_value=1949, max_value=2100)
    awarding_body = forms.CharField(label=_("Awarding body"), max_length=200)
    organization = forms.ModelChoiceField(label=_("Organisation honoured"), queryset=Organization.objects.none(),
                                          required=False)  # fmt: skip
    person = forms.IntegerField(label=_("Person honoured (number on the roster)"), required=False, min_value=1,
                                max_value=2**31 - 1, widget=forms.HiddenInput)  # fmt: skip
    valid_until = forms.DateField(label=_("Valid until"), required=False,
                                  widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))  # fmt: skip
    certificate = forms.FileField(label=_("Certificate (photo or PDF)"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = self.fields["organization"]
        assert isinstance(org, forms.ModelChoiceField)
        org.queryset = _orgs(user)
