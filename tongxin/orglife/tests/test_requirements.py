"""Required meeting frequencies: only the district admin edits them, each change is audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.orglife.models import MeetingKind, MeetingRequirement
from tongxin.orglife.services.requirements import set_requirement


def test_the_migration_seeds_the_defaults(db):
    assert MeetingRequirement.objects.get(org_kind="branch", meeting_kind=MeetingKind.LEAGUE_GENERAL).frequency == (
        "quarter"
    )
    assert MeetingRequirement.objects.filter(org_kind="party_branch").count() == 7


def test_the_district_admin_changes_a_requirement_with_an_audit_row(tree, users):
    row = set_requirement(users.district, org_kind="branch", meeting_kind=MeetingKind.LEAGUE_GROUP,
                          frequency="quarter", active=True)  # fmt: skip
    assert row is not None and row.frequency == "quarter"
    log = ChangeLog.objects.filter(object_id=str(row.pk), action=ChangeLog.Action.UPDATE).get()
    assert log.before == {"frequency": "month"} and log.after == {"frequency": "quarter"}
    assert log.actor == users.district and log.org_path == tree.root.path
    # Unchanged: nothing written.
    assert set_requirement(users.district, org_kind="branch", meeting_kind=MeetingKind.LEAGUE_GROUP,
                           frequency="quarter", active=True) is None  # fmt: skip
    # A new pair is added.
    new = set_requirement(users.district, org_kind="general_branch", meeting_kind=MeetingKind.LEAGUE_COMMITTEE,
                          frequency="quarter", active=True)  # fmt: skip
    assert new is not None and ChangeLog.objects.filter(object_id=str(new.pk), action=ChangeLog.Action.CREATE).exists()


@pytest.mark.parametrize("who", ["committee_admin", "secretary_a", "outsider", "nobody", "member"])
def test_only_the_district_admin_may(tree, users, who):
    before = list(MeetingRequirement.objects.values_list("org_kind", "meeting_kind", "frequency", "active"))
    with pytest.raises(PermissionDenied):
        set_requirement(getattr(users, who), org_kind="branch", meeting_kind=MeetingKind.LEAGUE_GROUP,
                        frequency="year", active=False)  # fmt: skip
    assert list(MeetingRequirement.objects.values_list("org_kind", "meeting_kind", "frequency", "active")) == before


def test_unknown_values_are_refused(users):
    for kwargs in (
        {"org_kind": "club", "meeting_kind": MeetingKind.LEAGUE_GROUP, "frequency": "month"},
        {"org_kind": "branch", "meeting_kind": "party", "frequency": "month"},
        {"org_kind": "branch", "meeting_kind": MeetingKind.LEAGUE_GROUP, "frequency": "week"},
    ):
        with pytest.raises(DomainError):
            set_requirement(users.district, active=True, **kwargs)


def test_the_page_lists_and_edits_for_the_district_admin_only(tree, users, client_for):
    client = client_for(users.district)
    page = client.get("/orglife/board/requirements/")
    assert page.status_code == 200 and 'data-requirement="branch-league_group"' in page.content.decode()
    response = client.post("/orglife/board/requirements/",
                           {"org_kind": "branch", "meeting_kind": "league_group", "frequency": "quarter"})  # fmt: skip
    assert response.status_code == 302
    row = MeetingRequirement.objects.get(org_kind="branch", meeting_kind="league_group")
    assert (row.frequency, row.active) == ("quarter", False)  # the box unticked: no longer required
    for who in ("committee_admin", "outsider", "nobody"):
        other = client_for(getattr(users, who))
        assert other.get("/orglife/board/requirements/").status_code == 404
        assert (
            other.post(
                "/orglife/board/requirements/",
                {"org_kind": "branch", "meeting_kind": "league_group", "frequency": "year", "active": "on"},
            ).status_code
            == 404
        )
    row.refresh_from_db()
    assert row.frequency == "quarter"
