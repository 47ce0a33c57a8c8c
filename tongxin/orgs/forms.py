from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.core.forms import BootstrapFormMixin
from tongxin.orgs.models import Organization


class OrganizationForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Organization
        fields = [
            "kind", "name", "short_name", "code", "category", "level", "is_joint", "division_code",
            "established", "term_start", "term_end", "status", "dissolved_on",
        ]  # fmt: skip
        widgets = {
            "established": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "term_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "term_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "dissolved_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def _post_clean(self) -> None:
        # Model validation (uniqueness, structure) is the service's job, with its own messages.
        pass


class MoveForm(BootstrapFormMixin, forms.Form):
    new_parent_code = forms.CharField(
        label=_("Code of the new parent organisation"),
        max_length=32,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
