from django import forms

from tongxin.core.fields import bound_form_fields, normalise_cleaned


class BootstrapFormMixin:
    """Give every widget Bootstrap's classes, and every field its bounds (``core.fields``): every form of the
    project derives from it (a test checks), so a new form's text, dates and numbers are bounded too."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        meta = getattr(self, "_meta", None)
        bound_form_fields(self.fields, model=getattr(meta, "model", None))  # type: ignore[attr-defined]
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect)):  # RadioSelect: CheckboxSelectMultiple too
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)

    def full_clean(self):
        super().full_clean()  # type: ignore[misc]
        if hasattr(self, "cleaned_data"):
            normalise_cleaned(self.fields, self.cleaned_data)  # type: ignore[attr-defined]

    def add_error(self, field, error):
        super().add_error(field, error)  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                attrs = self.fields[name].widget.attrs  # type: ignore[attr-defined]
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
