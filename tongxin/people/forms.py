from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.core.forms import BootstrapFormMixin
from tongxin.orgs.models import MEMBER_HOLDING_KINDS, Organization
from tongxin.people.models import Person


class PersonForm(BootstrapFormMixin, forms.ModelForm):
    branch = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Branch"))

    class Meta:
        model = Person
        fields = [
            "name", "id_number", "branch", "status", "political_status", "ethnicity", "education", "phone",
            "occupation", "league_join_date", "league_number", "party_join_date",
        ]  # fmt: skip
        widgets = {
            "league_join_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "party_join_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "id_number": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
            "phone": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = (  # type: ignore[attr-defined]
            Organization.objects.visible_to(user, "change")
            .filter(kind__in=MEMBER_HOLDING_KINDS, status="active")
            .order_by("path")
        )
        # The ID number and phone are checked and normalised by the service, with the rule named.
        self.fields["id_number"].max_length = 40  # type: ignore[attr-defined]
        self.fields["id_number"].widget.attrs["maxlength"] = 40

    def _post_clean(self) -> None:
        pass  # uniqueness and domain rules are the service's job, with their own messages
