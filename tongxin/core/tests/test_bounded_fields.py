"""Every value a user writes is bounded (issue 12 §3), checked over every form and serializer class of the project,
so a coming app inherits the rule or this test names the field that escapes it.

* Every form derives from ``core.forms.BootstrapFormMixin``, which bounds its fields (``core.fields
  .bound_form_fields``); every serializer reached by the API goes through ``ScopedViewSet.get_serializer`` or
  ``validated``, which bound them (``bound_serializer_fields``). A body parsed by hand in an API module is named.
* After bounding, each field of each class is of a kind the bounds know: text refuses control characters and
  direction overrides and has a length limit, a date has a window, a whole number a range; a field of any other
  kind (a DurationField, a JSONField, …) fails until ``core.fields`` learns it.
* The checks themselves: NUL, the RLO override, names, windows and ranges.
"""

from __future__ import annotations

import copy
import datetime
import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from captcha.fields import CaptchaField
from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

import tongxin
from tongxin.core import fields as bounded
from tongxin.core.forms import BootstrapFormMixin

# Forms that only look something up and write nothing a user typed (the username and password of a login).
NOT_WRITTEN_FORMS = {"tongxin.accounts.forms.LoginForm"}


def _import_everything() -> None:
    for module in pkgutil.walk_packages(tongxin.__path__, "tongxin."):
        if ".tests" in module.name or ".migrations" in module.name or module.name.endswith(".wsgi"):
            continue
        importlib.import_module(module.name)


def _subclasses(base: type) -> list[type]:
    _import_everything()
    found, todo = [], [base]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("tongxin.") and ".tests" not in sub.__module__:
                found.append(sub)
    return sorted(set(found), key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


FORMS = _subclasses(forms.BaseForm)
SERIALIZERS = [cls for cls in _subclasses(serializers.Serializer) if not cls.__name__.startswith("_")]
# CaptchaField (the public wish form's challenge): the library checks its own answer against its stored key.
KNOWN_FORM_FIELDS = (forms.ChoiceField, forms.ModelChoiceField, forms.BooleanField, forms.FileField,
                     forms.DecimalField, forms.ModelMultipleChoiceField, CaptchaField)  # fmt: skip


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def test_every_form_and_serializer_is_found():
    assert len(FORMS) >= 30 and len(SERIALIZERS) >= 40, (len(FORMS), len(SERIALIZERS))


@pytest.mark.parametrize("form_class", FORMS, ids=_name)
def test_every_form_bounds_its_fields(form_class):
    if _name(form_class) in NOT_WRITTEN_FORMS:
        return
    assert issubclass(form_class, BootstrapFormMixin), f"{_name(form_class)} must derive from BootstrapFormMixin"
    fields = copy.deepcopy(form_class.base_fields)
    bounded.bound_form_fields(fields, model=getattr(getattr(form_class, "_meta", None), "model", None))
    for name, field in fields.items():
        where = f"{_name(form_class)}.{name}"
        if isinstance(field, forms.CharField):
            typed_as_is = isinstance(field.widget, forms.PasswordInput) or not field.strip
            assert typed_as_is or any(isinstance(v, bounded.TEXT_VALIDATORS) for v in field.validators), where
            long_text = isinstance(field.widget, forms.Textarea)  # checked by the service (core.fields.checked_text)
            assert typed_as_is or long_text or field.max_length is not None, f"{where}: no length limit"
        elif isinstance(field, forms.DateField | forms.DateTimeField):
            assert any(isinstance(v, bounded.InWindow) for v in field.validators), where
        elif isinstance(field, forms.IntegerField) and not isinstance(field, forms.DecimalField):
            assert bounded.int_is_bounded(field), where
        elif isinstance(field, forms.DecimalField):
            assert field.max_digits is not None, f"{where}: a decimal needs max_digits (its column's range)"
        else:
            assert isinstance(field, KNOWN_FORM_FIELDS), f"{where}: {type(field).__name__} is unknown to core.fields"


def _writable(serializer: serializers.Serializer, prefix: str):
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        where = f"{prefix}.{name}"
        if isinstance(field, serializers.Serializer):
            yield from _writable(field, where)
        elif isinstance(field, serializers.ListSerializer) and isinstance(field.child, serializers.Serializer):
            yield from _writable(field.child, where)
        elif isinstance(field, serializers.ListField | serializers.DictField):
            yield where, field.child
        else:
            yield where, field


@pytest.mark.parametrize("serializer_class", SERIALIZERS, ids=_name)
def test_every_serializer_bounds_its_writable_fields(serializer_class):
    serializer = serializer_class()
    bounded.bound_serializer_fields(serializer)
    for where, field in _writable(serializer, _name(serializer_class)):
        if isinstance(field, serializers.ChoiceField | serializers.BooleanField | serializers.RelatedField):
            continue
        if isinstance(field, serializers.CharField):
            assert any(isinstance(v, bounded.TEXT_VALIDATORS) for v in field.validators), where
        elif isinstance(field, serializers.DateField | serializers.DateTimeField):
            assert any(isinstance(v, bounded.InWindow) for v in field.validators), where
            if isinstance(field, serializers.DateTimeField):
                assert isinstance(field, bounded.DateTimeField), f"{where}: use core.fields.DateTimeField"
        elif isinstance(field, serializers.IntegerField):
            assert bounded.int_is_bounded(field), where
        elif isinstance(field, serializers.DecimalField):
            assert field.max_digits is not None, where
        else:
            assert isinstance(field, serializers.FileField | serializers.JSONField | serializers.HiddenField), (
                f"{where}: {type(field).__name__} is unknown to core.fields"
            )


def test_no_api_module_parses_a_body_past_the_bounds():
    """A serializer built by hand on ``request.data`` skips ScopedViewSet's bounds unless it bounds it itself."""
    root = Path(tongxin.__file__).parent
    for path in root.glob("*/api.py"):
        text = path.read_text()
        for match in re.finditer(r"(\w+)\s*=\s*\w+Serializer\(data=request\.data", text):
            assert f"bound_serializer_fields({match.group(1)})" in text, f"{path}: {match.group(0)}"


# --- the checks ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["张\x00三", "abc\x07", "张\u202e三", "a\u2066b", "line\nbreak"])
def test_unsafe_text_is_refused(text, english):
    assert bounded.text_refusal(text)
    with pytest.raises(ValidationError):
        bounded.SafeText()(text)


def test_line_breaks_are_text_in_multiline_fields():
    assert bounded.text_refusal("一\n二\r\n\t三", multiline=True) is None
    assert bounded.text_refusal("一\x00二", multiline=True)


@pytest.mark.parametrize("name", ["张三", "阿依古丽·买买提", "Anna-Lena O'Neil", "张伟2"])
def test_names_that_are_names(name):
    assert bounded.person_name_refusal(name) is None


@pytest.mark.parametrize("name", ["12345", "···", "张三!", "<b>张三</b>", "😀"])
def test_names_that_are_not(name):
    assert bounded.person_name_refusal(name)


def test_an_id_field_keeps_its_bigint_range():
    field = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    serializer: serializers.Serializer = serializers.Serializer()
    serializer.fields["person"] = field
    bounded.bound_serializer_fields(serializer)
    assert field.run_validation(2**40) == 2**40  # an id above 32 bits is an id


def test_windows_and_ranges(english):
    assert bounded.date_refusal(datetime.date(1, 1, 1))
    assert bounded.date_refusal(datetime.date(9999, 12, 31))
    assert bounded.date_refusal(datetime.date(2020, 1, 1), "history") is None
    with pytest.raises(ValidationError):
        bounded.IntRange()(-99999999999999999999)
    bounded.IntRange()(2**31 - 1)


def test_a_form_refuses_what_core_fields_refuses(english):
    class Sample(BootstrapFormMixin, forms.Form):
        text = forms.CharField(max_length=20)
        day = forms.DateField()
        number = forms.IntegerField()

    form = Sample({"text": "a\x00b", "day": "9999-12-31", "number": "-99999999999999999999"})
    assert not form.is_valid()
    assert set(form.errors) == {"text", "day", "number"}
    form = Sample({"text": " cafe\u0301 ", "day": "2020-01-01", "number": "3"})
    assert form.is_valid() and form.cleaned_data["text"] == "café"  # NFC, trimmed
