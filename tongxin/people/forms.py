from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from tongxin.core.forms import BootstrapFormMixin
from tongxin.orgs.models import MEMBER_HOLDING_KINDS, Organization
from tongxin.people.models import CadreTitle, Person


class PersonForm(BootstrapFormMixin, forms.ModelForm):
    branch = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        label=_("Branch"),
        error_messages={
            "invalid_choice": _("Only branches hold members: choose a League branch or party branch in your scope.")
        },
    )

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
        branches = Organization.objects.visible_to(user, "change").filter(
            kind__in=MEMBER_HOLDING_KINDS, status="active"
        )
        if self.instance.pk and self.instance.branch_id:
            # A former member's branch may have been dissolved since: it stays selectable for corrections.
            branches = branches | Organization.objects.visible_to(user, "change").filter(pk=self.instance.branch_id)
        self.fields["branch"].queryset = branches.order_by("path")  # type: ignore[attr-defined]
        # The ID number and phone are checked and normalised by the service, with the rule named.
        # The model's 18-character limit is for the normalised number: typed input may hold spaces.
        id_field = self.fields["id_number"]
        id_field.max_length = 40  # type: ignore[attr-defined]
        id_field.validators = [v for v in id_field.validators if not isinstance(v, MaxLengthValidator)]
        id_field.validators.append(MaxLengthValidator(40))
        id_field.widget.attrs["maxlength"] = 40
        if self.instance.pk:
            # Personal data is not put into the edit page in clear (that would be an unaudited reveal):
            # the fields start empty with the masked value as a hint, and empty means "unchanged".
            for name, masked in (("id_number", self.instance.masked_id_number), ("phone", self.instance.masked_phone)):
                field = self.fields[name]
                field.required = False
                self.initial[name] = ""
                field.widget.attrs["placeholder"] = masked
                field.help_text = _("Leave empty to keep the current value.")

    def changed_personal_data(self) -> dict:
        """The cleaned data, without the personal-data fields left empty on an existing person."""
        data = {name: self.cleaned_data[name] for name in self.fields}
        if self.instance.pk:
            for name in ("id_number", "phone"):
                if not data.get(name):
                    data.pop(name, None)
        return data

    def _post_clean(self) -> None:
        pass  # uniqueness and domain rules are the service's job, with their own messages


class AppointCadreForm(BootstrapFormMixin, forms.Form):
    person_number = forms.CharField(
        label=_("ID number or league member number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("The person must be in your organisations."),
    )
    title = forms.ChoiceField(label=_("Position"), choices=CadreTitle.choices)
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class EndCadreForm(BootstrapFormMixin, forms.Form):
    end = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
