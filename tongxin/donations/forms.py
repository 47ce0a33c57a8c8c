"""The donation drives' forms (bounded by BootstrapFormMixin; one column on a phone); the services check the
rules (amounts exact, at most the rule, dates, the balance)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.core.forms import BootstrapFormMixin
from tongxin.core.scoping import CHANGE
from tongxin.donations.models import DonorKind
from tongxin.orgs.models import Organization, OrgStatus

DATE = {"type": "date"}
MONEY = {"inputmode": "decimal", "autocomplete": "off"}


def _amount(label: Any, **kwargs: Any) -> forms.DecimalField:
    # no decimal_places / min_value here: the service refuses with the house's message and writes nothing
    return forms.DecimalField(label=label, max_digits=14, widget=forms.TextInput(attrs=MONEY), **kwargs)


class DriveForm(BootstrapFormMixin, forms.Form):
    organization = forms.ModelChoiceField(label=_("Organising organisation"), queryset=Organization.objects.none())
    title = forms.CharField(label=_("Title"), max_length=100, help_text=_("For example 关爱农民工子女助学募捐"))
    partner = forms.CharField(label=_("Partner charity"), max_length=100,
                              help_text=_("The charity with the public fundraising qualification that receives the "
                                          "money; Tongxin only records the drive."))  # fmt: skip
    goal = _amount(_("Goal (yuan)"))
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    beneficiaries = forms.CharField(label=_("Beneficiaries"), max_length=1000,
                                    widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organization.objects.visible_to(user, CHANGE).filter(status=OrgStatus.ACTIVE).order_by("path")


class DonationForm(BootstrapFormMixin, forms.Form):
    """What an organiser copies from the partner's receipt."""

    donor_kind = forms.ChoiceField(label=_("Donor"), choices=DonorKind.choices, initial=DonorKind.PERSON)
    donor_name = forms.CharField(
        label=_("Donor's name"),
        max_length=100,
        required=False,
        help_text=_("Left empty for an anonymous donation. Shown only to the organisers."),
    )
    amount = _amount(_("Amount (yuan)"))
    donated_on = forms.DateField(label=_("Donated on"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    receipt_number = forms.CharField(label=_("Receipt number"), max_length=40)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("donated_on", timezone.localdate())


class DisbursementForm(BootstrapFormMixin, forms.Form):
    amount = _amount(_("Amount (yuan)"))
    disbursed_on = forms.DateField(label=_("Disbursed on"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    recipient = forms.CharField(label=_("Recipient"), max_length=100)
    evidence = forms.FileField(
        label=_("Evidence (photo or PDF)"),
        required=False,
        help_text=_("Optional: the partner's receipt or a photo of what was handed over."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("disbursed_on", timezone.localdate())


class VoidForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for voiding"), max_length=300)
