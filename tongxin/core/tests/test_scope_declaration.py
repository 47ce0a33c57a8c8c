"""Every model declares its scope once (ScopeSpec), and a subtree move rewrites every path column so
declared: a new model with an organisation path cannot be forgotten, and a declaration naming a field
that does not exist fails the system check (``manage.py check``, run at startup)."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.checks.registry import registry
from django.db import models
from django.test.utils import isolate_apps
from django.utils import timezone

from tongxin.core.scoping import (
    PROJECT,
    ScopeSpec,
    check_declarations,
    check_scope_declarations,
    is_path_like,
    path_columns,
    scoped_models,
)
from tongxin.orgs.models import Organization
from tongxin.orgs.services import move_organization
from tongxin.people.models import Person


def _project_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m._meta.app_config.name.startswith(f"{PROJECT}.")]


def test_every_path_like_column_of_the_project_is_declared():
    errors = check_declarations(_project_models())
    assert not errors, "\n".join(str(e.msg) for e in errors)
    declared = {(m._meta.label, c) for m, c in path_columns()}
    for model in _project_models():
        for column in model._meta.concrete_fields:
            if is_path_like(column):
                assert (model._meta.label, column.name) in declared, f"{model._meta.label}.{column.name}"


def test_the_declaration_check_runs_with_the_system_checks():
    assert check_scope_declarations in registry.get_checks()


# Nullable columns a table's own check needs one of (a community registration is a person's or an organisation's).
FILL = {"community.CommunityRegistration": {"person"}}


class _Maker:
    """Makes one plain row of any model (required fields filled by their type), its path columns under
    ``path``; related rows come from the shared tree or are made the same way."""

    def __init__(self, tree: Any, path: str) -> None:
        self.path = path
        user = get_user_model().objects.create(username="scope-declaration")
        self.made: dict[type[models.Model], models.Model] = {
            Organization: tree.branch_a,
            Person: tree.people.a1,
            get_user_model(): user,
            ContentType: ContentType.objects.get_for_model(Person),
        }

    def row(self, model: type[models.Model]) -> models.Model:
        if model not in self.made:
            values = {f.attname: self._value(f) for f in model._meta.concrete_fields if self._needs(f)}
            (self.made[model],) = model._default_manager.bulk_create([model(**values)])
        return self.made[model]

    def _needs(self, f: Any) -> bool:
        if f.primary_key or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            return False
        wanted = f.name in FILL.get(f.model._meta.label, ())
        return wanted or is_path_like(f) or not (f.null or f.has_default())

    def _value(self, f: Any) -> Any:
        if is_path_like(f):
            return self.path
        if f.is_relation:
            return self.row(f.related_model).pk
        if f.choices:
            return f.choices[0][0]
        if isinstance(f, models.DateTimeField):  # each a second later: a start comes before its end
            self.tick = getattr(self, "tick", 0) + 1
            return timezone.now() + datetime.timedelta(seconds=self.tick)
        if isinstance(f, models.DateField):  # each a day later: a term starts before it ends
            self.day = getattr(self, "day", 0) + 1
            return datetime.date(2024, 1, 1) + datetime.timedelta(days=self.day)
        if isinstance(f, models.BooleanField):
            return False
        if isinstance(f, models.DecimalField):  # an amount: some tables check it is more than zero
            return decimal.Decimal(1)
        if isinstance(f, (models.IntegerField, models.FloatField)):
            return 1
        if isinstance(f, models.UUIDField):
            return uuid.uuid4()
        if isinstance(f, models.JSONField):
            return {}
        if isinstance(f, models.BinaryField):
            return b"x"
        return "x"


def test_every_declared_path_column_follows_a_moved_subtree(tree):
    branch = tree.branch_a
    maker = _Maker(tree, branch.path)
    rows = {(model, column): maker.row(model).pk for model, column in path_columns()}
    assert {m for m, _spec in scoped_models()} >= {m for m, _c in rows}
    move_organization(None, branch, tree.committee2)
    branch.refresh_from_db()
    assert branch.path.startswith(tree.committee2.path)
    stale = []
    for (model, column), pk in rows.items():
        value = model._default_manager.filter(pk=pk).values_list(column, flat=True).get()
        if value != branch.path:
            stale.append(f"{model._meta.label}.{column} = {value!r}, not {branch.path!r}")
    assert not stale, "path columns not rewritten by the move: " + ", ".join(stale)


@isolate_apps("tongxin.core")
def test_a_path_column_without_a_declaration_fails_the_check():
    class Forgotten(models.Model):
        org_path = models.CharField(max_length=255)

        class Meta:
            app_label = "core"

    errors = check_declarations([Forgotten])
    assert [e.id for e in errors] == ["tongxin.E103"]
    assert "core.Forgotten.org_path" in errors[0].msg


@isolate_apps("tongxin.core")
def test_a_declared_field_that_does_not_exist_fails_the_check():
    class Misspelt(models.Model):
        org_path = models.CharField(max_length=255)
        owner = models.ForeignKey(Organization, on_delete=models.CASCADE)

        scope = ScopeSpec(paths=("org_pth", "owner__nope"), own="owner__path")

        class Meta:
            app_label = "core"

    messages = [e.msg for e in check_declarations([Misspelt]) if e.id == "tongxin.E101"]
    assert any("'org_pth'" in m and "core.Misspelt" in m for m in messages), messages
    assert any("'owner__nope'" in m for m in messages), messages
    assert not any("owner__path" in m for m in messages), messages
    # The real column is not declared (the misspelt name is), so it is reported too.
    assert any(e.id == "tongxin.E103" for e in check_declarations([Misspelt]))


@pytest.mark.parametrize("spec", [ScopeSpec(paths=("org_path",)), ScopeSpec(records=("org_path",))])
def test_a_declared_column_is_rewritten_whether_it_scopes_or_only_records(spec):
    assert spec.columns == ("org_path",)
    assert ScopeSpec(paths=("person__org_path",)).columns == ()
