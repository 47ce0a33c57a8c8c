"""``_form_fields.html``, the template every page form renders through: a field of several checkboxes (or radio
buttons) is a fieldset with its label as the legend and one labelled, Bootstrap-styled box per choice; a single
checkbox keeps its label beside it."""

from __future__ import annotations

import re

from django import forms
from django.template.loader import render_to_string

from tongxin.core.forms import BootstrapFormMixin


class Sample(BootstrapFormMixin, forms.Form):
    colours = forms.MultipleChoiceField(
        label="Colours", choices=[("r", "Red"), ("g", "Green"), ("b", "Blue")], widget=forms.CheckboxSelectMultiple
    )
    size = forms.ChoiceField(label="Size", choices=[("s", "Small"), ("l", "Large")], widget=forms.RadioSelect)
    agree = forms.BooleanField(label="Agree", required=False)


def test_a_field_of_several_choices_is_a_fieldset_of_labelled_boxes():
    html = render_to_string("_form_fields.html", {"form": Sample()})
    legends = re.findall(r"<legend[^>]*>([^<]+)", html)
    assert [legend.strip() for legend in legends] == ["Colours", "Size"]
    for choice_id, label in (("id_colours_0", "Red"), ("id_colours_2", "Blue"), ("id_size_1", "Large")):
        box = re.search(rf'<input [^>]*id="{choice_id}"[^>]*>', html)
        assert box and 'class="form-check-input"' in box.group(0)
        assert re.search(rf'<label class="form-check-label" for="{choice_id}">{label}</label>', html)
    # The single checkbox: its label beside it, not a legend.
    assert re.search(r'<input [^>]*class="form-check-input"[^>]*id="id_agree"', html)
    assert '<label class="form-check-label" for="id_agree">Agree</label>' in html
