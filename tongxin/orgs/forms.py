from django import forms

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
