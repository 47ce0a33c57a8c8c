"""``orgs.services.update_organization`` changes only the fields it lists (``UPDATABLE_FIELDS``): anything
else (the path, the depth, a made-up name) is refused with the field named, and nothing is written. Pages,
the API and the import only pass listed fields, so a refusal is a programming error (TypeError)."""

from __future__ import annotations

import dataclasses

import pytest

from tongxin.orgs import tallies
from tongxin.orgs.api import OrganizationSerializer
from tongxin.orgs.forms import OrganizationForm
from tongxin.orgs.imports import UPDATABLE
from tongxin.orgs.models import Organization, OrgKind
from tongxin.orgs.services import UPDATABLE_FIELDS, create_organization, update_organization

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.parametrize("field", ["path", "depth", "created_at", "no_such_field"])
def test_a_field_outside_the_list_is_refused_and_nothing_changes(field, tree, users, row_counts):
    before = row_counts()
    with pytest.raises(TypeError, match=f"cannot change {field}: not in UPDATABLE_FIELDS"):
        update_organization(users.district, tree.branch_a, name="改名", **{field: "00000001"})
    assert Organization.objects.get(pk=tree.branch_a.pk).name == tree.branch_a.name
    assert row_counts() == before


def test_the_listed_fields_change_and_the_parent_is_left_to_the_move_service(tree, users):
    org = update_organization(users.district, tree.branch_a, name="甲团支部（新）", parent=tree.committee2)
    assert org.name == "甲团支部（新）" and org.parent_id == tree.committee1.pk


def test_the_edit_form_the_api_and_the_import_pass_only_fields_the_service_may_change(db):
    assert set(OrganizationForm().fields) <= UPDATABLE_FIELDS
    assert set(UPDATABLE) <= UPDATABLE_FIELDS
    writable = {name for name, f in OrganizationSerializer().fields.items() if not f.read_only}
    assert writable - {"parent"} <= UPDATABLE_FIELDS


def test_the_other_sources_own_cells_are_read_only_when_the_kind_or_the_status_changes(tree, users, monkeypatch):
    # The meeting-compliance cells depend on an organisation's kind and status: a rename leaves them alone
    # and costs no read of them; a change of kind moves them (read before and after).
    calls: list[str] = []
    for name, source in list(tallies._SOURCES.items()):
        if source.own is not None:
            own = source.own

            def counted(org, own=own, name=name):
                calls.append(name)
                return own(org)

            monkeypatch.setitem(tallies._SOURCES, name, dataclasses.replace(source, own=counted))
    assert tallies._SOURCES, "no tally source registered"
    update_organization(users.district, tree.branch_a, name="甲团支部（新）", category=tree.branch_a.category)
    assert calls == []
    empty = create_organization(None, parent=tree.committee1, kind=OrgKind.BRANCH, name="新团支部", code="N1")
    calls.clear()
    update_organization(users.district, empty, kind=OrgKind.GENERAL_BRANCH)
    assert calls and len(calls) % 2 == 0  # each source: before and after
    assert tallies.kept() == tallies.expected()
