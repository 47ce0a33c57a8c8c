"""Forms of the lifecycle pages (one section per workflow)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from tongxin.core.forms import BootstrapFormMixin
from tongxin.core.scoping import CHANGE, scope_for
from tongxin.lifecycle.models import TransferReason
from tongxin.orgs.models import LEAGUE_KINDS, MEMBER_HOLDING_KINDS, Organization, OrgStatus

# --- transfers ---------------------------------------------------------------------------------------------


def find_destination(text: str) -> Organization | str:
    """The active league organisation named by its code or full name, anywhere in the system (the sender
    must find the receiver outside their own subtree); else the message saying why not."""
    text = " ".join(text.split())
    orgs = Organization.objects.filter(status=OrgStatus.ACTIVE, kind__in=LEAGUE_KINDS)
    found = list(orgs.filter(code=text)[:1]) or list(orgs.filter(name=text)[:6])
    if not found:
        return str(_("No active league organisation has this code or full name."))
    if len(found) > 1:
        codes = "、".join(f"{org.code}" for org in found[:5])
        return str(_("Several organisations have this name: write the code instead (%(codes)s).") % {"codes": codes})
    return found[0]


class TransferOutForm(BootstrapFormMixin, forms.Form):
    destination = forms.CharField(
        label=_("Receiving organisation"),
        required=False,
        max_length=200,
        help_text=_("Its code or full name. Leave empty when the member leaves the system."),
        # Suggestions while typing (htmx fills the datalist); without JavaScript the exact code or name works.
        widget=forms.TextInput(
            attrs={
                "list": "destinations",
                "autocomplete": "off",
                "hx-get": reverse_lazy("lifecycle:transfer_destinations"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#destinations",
            }
        ),
    )
    external_destination = forms.CharField(
        label=_("Destination outside the system"),
        required=False,
        max_length=200,
        help_text=_("For a move abroad, to the army or to a unit without a league organisation in the system."),
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=TransferReason.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = data.get("destination") or ""
        data["to_org"] = None
        if text:
            found = find_destination(text)
            if isinstance(found, str):
                self.add_error("destination", found)
            else:
                data["to_org"] = found
        return data


class TransferInForm(BootstrapFormMixin, forms.Form):
    """The receiving side starts a transfer for a member it knows by ID number."""

    id_number = forms.CharField(label=_("ID number of the member"), max_length=40)
    to_org = forms.ModelChoiceField(label=_("Receiving organisation"), queryset=Organization.objects.none())
    reason = forms.ChoiceField(label=_("Reason"), choices=TransferReason.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = scope_for(user, CHANGE)
        tops = Q(parent__isnull=True) if scope.everything else Q(path__in=scope.prefixes)
        self.fields["to_org"].queryset = (  # type: ignore[attr-defined]
            Organization.objects.visible_to(user, CHANGE)
            .filter(tops, status=OrgStatus.ACTIVE, kind__in=LEAGUE_KINDS)
            .order_by("path")
        )


class AcceptForm(BootstrapFormMixin, forms.Form):
    branch = forms.ModelChoiceField(label=_("Branch that receives the member"), queryset=Organization.objects.none())

    def __init__(self, *args: Any, to_org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = (
            Organization.objects.in_subtree(to_org.path)
            .filter(  # type: ignore[attr-defined]
                kind__in=MEMBER_HOLDING_KINDS, status=OrgStatus.ACTIVE
            )
            .exclude(pk=to_org.pk)
            .order_by("path")
        )


class RejectForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for rejection"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
