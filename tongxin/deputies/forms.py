"""The deputies' forms (bounded by BootstrapFormMixin); the services check the rules."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.core.forms import BootstrapFormMixin
from tongxin.core.scoping import CHANGE, scope_for
from tongxin.deputies.models import Congress, Deputy, ReceptionDay
from tongxin.orgs.models import Organization, OrgStatus
from tongxin.venues.models import Venue, VenueKind

DATE = {"type": "date"}

TIME_CHOICES = [(f"{h:02d}:{m:02d}", f"{h:02d}:{m:02d}") for h in range(6, 23) for m in (0, 30)]


def _as_time(value: str) -> datetime.time:
    hour, minute = value.split(":")
    return datetime.time(int(hour), int(minute))


def _time_field(label: Any, **kwargs: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, choices=TIME_CHOICES, coerce=_as_time, **kwargs)


class RequestForm(BootstrapFormMixin, forms.Form):
    """What a deputy notes at a reception: who, how to reach them, what they ask (one column on a phone)."""

    name = forms.CharField(label=_("Young person's name"), max_length=50)
    phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
                            help_text=_("Kept private: shown masked, in full only to those handling it."))  # fmt: skip
    subject = forms.CharField(label=_("Subject"), max_length=100)
    content = forms.CharField(label=_("What is asked"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    reception_day = forms.ModelChoiceField(label=_("Reception day"), queryset=ReceptionDay.objects.none(),
                                           required=False)  # fmt: skip
    received_on = forms.DateField(label=_("Received on"), required=False,
                                  widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
                                  help_text=_("Left empty: the reception day's date, or today."))  # fmt: skip

    def __init__(self, *args: Any, deputy: Deputy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reception_day"]
        assert isinstance(field, forms.ModelChoiceField)
        recent = timezone.now() - datetime.timedelta(days=366)
        field.queryset = deputy.reception_days.select_related("studio").filter(starts_at__gte=recent
                                                                               ).order_by("-starts_at")  # fmt: skip
        field.label_from_instance = lambda day: (  # type: ignore[method-assign,assignment]
            f"{timezone.localtime(day.starts_at):%Y-%m-%d %H:%M} {day.studio.name}"
        )


class ReceptionForm(BootstrapFormMixin, forms.Form):
    studio = forms.ModelChoiceField(label=_("Studio"), queryset=Venue.objects.none())
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    start = _time_field(_("From"), initial="09:00")
    end = _time_field(_("To"), initial="12:00")
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, user: Any, deputy: Deputy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["studio"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Venue.objects.visible_to(user).filter(kind=VenueKind.DEPUTY_STUDIO).order_by("name")
        if deputy.studio_id:
            self.initial.setdefault("studio", deputy.studio_id)

    def times(self) -> tuple[datetime.datetime, datetime.datetime]:
        data = self.cleaned_data
        start = timezone.make_aware(datetime.datetime.combine(data["day"], data["start"]))
        end = timezone.make_aware(datetime.datetime.combine(data["day"], data["end"]))
        return start, end


class AssignForm(BootstrapFormMixin, forms.Form):
    organization = forms.ModelChoiceField(label=_("Assign to"), queryset=Organization.objects.none())

    def __init__(self, *args: Any, congress_path: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        # Any active organisation under the congress's: the services check the same rule.
        field.queryset = Organization.objects.filter(status=OrgStatus.ACTIVE, path__startswith=congress_path
                                                     ).order_by("path")  # fmt: skip


class FollowUpForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label=_("Follow-up"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(BootstrapFormMixin, forms.Form):
    answer = forms.CharField(label=_("Answer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class CongressForm(BootstrapFormMixin, forms.Form):
    organization = forms.ModelChoiceField(label=_("Organisation holding it"), queryset=Organization.objects.none())
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("For example 共青团昆明市西山区第十次代表大会"))  # fmt: skip
    term_start = forms.DateField(label=_("Term starts"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    term_end = forms.DateField(label=_("Term ends"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organization.objects.visible_to(user, CHANGE).filter(status=OrgStatus.ACTIVE).order_by("path")


class DeputyForm(BootstrapFormMixin, forms.Form):
    """A person elected to a congress of one of the user's organisations, and the studio she receives at."""

    congress = forms.ModelChoiceField(label=_("Congress"), queryset=Congress.objects.none())
    person = forms.IntegerField(label=_("Person (number on the roster)"), min_value=1, max_value=2**31 - 1)
    studio = forms.ModelChoiceField(label=_("Studio"), queryset=Venue.objects.none(), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        congress = self.fields["congress"]
        assert isinstance(congress, forms.ModelChoiceField)
        # the congresses of the organisations she may change (not those held above her)
        congress.queryset = Congress.objects.filter(scope_for(user, CHANGE).q("org_path")).order_by("-term_start")
        studio = self.fields["studio"]
        assert isinstance(studio, forms.ModelChoiceField)
        studio.queryset = Venue.objects.visible_to(user).filter(kind=VenueKind.DEPUTY_STUDIO).order_by("name")
