"""The annual report's two forms: the year asked for (GET), and a submission with its explanations (POST)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.core.forms import BootstrapFormMixin
from tongxin.dashboard.report.models import FIRST_YEAR, LAST_YEAR
from tongxin.dashboard.report.queries import COMPARED
from tongxin.dashboard.report.services import EXPLANATION_MAX

EXPLAIN_PREFIX = "explain_"


class YearForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR, required=False)


class SubmitForm(BootstrapFormMixin, forms.Form):
    """The year, and an explanation field for each row of the year-on-year table (only the decreases need one)."""

    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)

    def explanations(self) -> dict[str, str]:
        return {name[len(EXPLAIN_PREFIX):]: value for name, value in self.cleaned_data.items()
                if name.startswith(EXPLAIN_PREFIX) and value}  # fmt: skip


# One explanation field per row of the year-on-year table, declared once for every instance (the mixin bounds them).
for _key, _label in COMPARED:
    SubmitForm.base_fields[EXPLAIN_PREFIX + _key] = forms.CharField(
        label=_label, max_length=EXPLANATION_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
