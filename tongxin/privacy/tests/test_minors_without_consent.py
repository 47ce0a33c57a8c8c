"""The flag: active minors with no consent that stands are listed (per branch, in the user's subtree), badged
on their page and counted on their branch's page; a withdrawal flags them again."""

from __future__ import annotations

import pytest

from tongxin.privacy import views
from tongxin.privacy.services import lacking_counts, minors_lacking_consent, withdraw_consent
from tongxin.privacy.tests.helpers import consent, minor

pytestmark = pytest.mark.django_db


@pytest.fixture
def minors(tree):
    return {
        "child": minor(tree.branch_a, 12, name="甲小童"),
        "teen": minor(tree.branch_a, 16, name="甲少年"),
        "covered": minor(tree.branch_a, 15, name="甲已同意"),
        "sibling": minor(tree.branch_b, 13, name="乙小童"),
        "other": minor(tree.branch_c, 17, name="丙少年"),
    }


def test_the_list_shows_minors_lacking_consent_only(tree, users, minors, client_for):
    consent(None, minors["covered"], given_by="self")
    listed = set(minors_lacking_consent(users.committee_admin).values_list("name", flat=True))
    assert listed == {"甲小童", "甲少年", "乙小童"}  # not the one with consent, not adults, not committee 2
    body = client_for(users.committee_admin).get("/privacy/minors/").content.decode()
    for name in ("甲小童", "甲少年", "乙小童"):
        assert name in body
    for name in ("甲已同意", "丙少年", tree.people.a1.name):  # consent given; outside the scope; an adult
        assert name not in body


def test_counts_per_branch_and_the_secretarys_own_branch(tree, users, minors, client_for):
    counts = {c.name: c.count for c in lacking_counts(users.committee_admin)}
    assert counts == {tree.branch_a.name: 3, tree.branch_b.name: 1}
    body = client_for(users.secretary_a).get("/privacy/minors/").content.decode()
    assert "甲小童" in body and "乙小童" not in body
    narrowed = client_for(users.committee_admin).get(f"/privacy/minors/?org={tree.branch_b.pk}").content.decode()
    assert "乙小童" in narrowed and "甲小童" not in narrowed


def test_withdrawal_flags_the_minor_again(tree, users, minors, client_for):
    teen = minors["teen"]
    record = consent(users.secretary_a, teen, given_by="self")
    assert teen not in minors_lacking_consent(users.secretary_a)
    client = client_for(users.secretary_a)
    response = client.post(f"/privacy/people/{teen.pk}/consent/withdraw/", {"consent": record.pk})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.withdrawn_at is not None and record.withdrawn_by == users.secretary_a
    assert teen in minors_lacking_consent(users.secretary_a)
    assert "甲少年" in client.get("/privacy/minors/").content.decode()


def test_withdrawing_twice_is_refused(tree, users, minors):
    from tongxin.core.exceptions import DomainError

    record = consent(users.secretary_a, minors["teen"], given_by="self")
    withdraw_consent(users.secretary_a, record)
    with pytest.raises(DomainError):
        withdraw_consent(users.secretary_a, record)


def test_person_and_branch_pages_show_the_flag(tree, users, minors, client_for):
    client = client_for(users.secretary_a)
    page = client.get(f"/people/{minors['child'].pk}/").content.decode()
    assert 'data-testid="consent-missing"' in page and 'data-testid="record-consent"' in page
    consent(users.secretary_a, minors["child"])
    page = client.get(f"/people/{minors['child'].pk}/").content.decode()
    assert 'data-testid="consent-missing"' not in page and 'data-testid="consent-row"' in page
    adult = client.get(f"/people/{tree.people.a1.pk}/").content.decode()
    assert 'data-testid="minor-badge"' not in adult
    branch = client.get(f"/orgs/{tree.branch_a.pk}/").content.decode()
    assert 'data-testid="minors-without-consent"' in branch  # the teen and the one already covered: 1 left
    assert f"/privacy/minors/?org={tree.branch_a.pk}" in branch


def test_the_list_is_paginated(tree, users, minors, client_for, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client = client_for(users.committee_admin)
    first = client.get("/privacy/minors/")
    rows = first.content.decode().count('data-testid="minor-row"')
    assert rows == 2 and first.context["page"].next_cursor
    second = client.get(f"/privacy/minors/?cursor={first.context['page'].next_cursor}")
    assert second.content.decode().count('data-testid="minor-row"') == 2  # 4 lacking in committee 1
    assert {p.pk for p in first.context["page"].rows}.isdisjoint({p.pk for p in second.context["page"].rows})


def test_no_role_is_404(users, client_for, tree):
    assert client_for(users.nobody).get("/privacy/minors/").status_code == 404
    assert client_for(users.member).get("/privacy/minors/").status_code == 404


def test_a_member_withdraws_their_own_consent_but_not_a_child(tree, users, client_for):
    """From 14 the person may withdraw their own consent; a child's is withdrawn through the branch."""
    own = consent(users.secretary_a, tree.people.a2, given_by="self")  # the member's record (20)
    client = client_for(users.member)
    assert 'data-testid="consent-row"' in client.get(f"/people/{tree.people.a2.pk}/").content.decode()
    assert client.post(f"/privacy/people/{tree.people.a2.pk}/consent/withdraw/", {"consent": own.pk}).status_code == 302
    own.refresh_from_db()
    assert own.withdrawn_by == users.member
    child = minor(tree.branch_a, 10, name="甲幼童")
    users.member.person = child
    users.member.save()
    record = consent(users.secretary_a, child)
    response = client_for(users.member).post(f"/privacy/people/{child.pk}/consent/withdraw/", {"consent": record.pk})
    assert response.status_code == 404
    record.refresh_from_db()
    assert record.withdrawn_at is None
