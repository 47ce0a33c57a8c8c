"""Forms of the privacy pages."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.core.fields import InWindow, PersonName
from tongxin.core.forms import BootstrapFormMixin
from tongxin.privacy.models import AnonymisationReason, ConsentMethod, ConsentRecord, GivenBy, GuardianRelationship


class ConsentForm(BootstrapFormMixin, forms.Form):
    given_by = forms.ChoiceField(label=_("Consent given by"), choices=GivenBy.choices)
    guardian_name = forms.CharField(
        label=_("Guardian's name"), max_length=50, required=False, validators=[PersonName()],
        help_text=_("Required when a guardian consented; always for a person under 14 on that day."),
    )  # fmt: skip
    guardian_relationship = forms.ChoiceField(
        label=_("Relationship to the person"), choices=[("", "—"), *GuardianRelationship.choices], required=False
    )
    given_on = forms.DateField(label=_("Date given"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                               validators=[InWindow("history")])  # fmt: skip
    purpose = forms.CharField(
        label=_("Purpose"), max_length=200,
        initial=_("League membership records and organisational life"),
    )  # fmt: skip
    notice_version = forms.CharField(
        label=_("Version of the privacy notice"), max_length=50,
        help_text=_("As printed on the notice the person or guardian read and signed."),
    )  # fmt: skip
    method = forms.ChoiceField(label=_("How it was recorded"), choices=ConsentMethod.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["given_on"].initial = timezone.localdate()


class WithdrawForm(BootstrapFormMixin, forms.Form):
    consent = forms.ModelChoiceField(queryset=ConsentRecord.objects.none())

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].queryset = ConsentRecord.objects.filter(person=person)  # type: ignore[attr-defined]


class AnonymiseForm(BootstrapFormMixin, forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=AnonymisationReason.choices)
    reference = forms.CharField(
        label=_("Reference of the request"), max_length=100, required=False,
        help_text=_("The number of the written request, for example. Write no name or ID number here."),
    )  # fmt: skip
    confirm = forms.BooleanField(
        label=_("I understand that the name, ID number and phone are removed for good."), required=True
    )
