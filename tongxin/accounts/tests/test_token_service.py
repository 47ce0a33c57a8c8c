"""``accounts.services.issue_api_token`` (behind ``manage.py issue_token``): issuing or replacing a token
leaves a ChangeLog row about the user, never the key; handing out the existing one writes nothing."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from tongxin.accounts.models import User
from tongxin.accounts.services import issue_api_token
from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog

pytestmark = pytest.mark.usefixtures("english")


def token_logs(user) -> list[ChangeLog]:
    return list(ChangeLog.objects.filter(content_type__model="user", object_id=str(user.pk)).order_by("id"))


def test_issuing_and_rotating_leave_a_row_without_the_key(tree, users):
    member = users.member
    key = issue_api_token(None, username="member")
    (issued,) = token_logs(member)
    assert issued.action == ChangeLog.Action.UPDATE and issued.org_path == tree.people.a2.org_path
    assert issued.before == {"api_token_created": None} and set(issued.after or {}) == {"api_token_created"}

    assert issue_api_token(None, username="member") == key  # the same token again: nothing written
    assert len(token_logs(member)) == 1

    rotated = issue_api_token(None, username="member", rotate=True)
    assert rotated != key and Token.objects.get(user=member).key == rotated
    logs = token_logs(member)
    assert len(logs) == 2 and logs[1].before == issued.after
    assert all(key not in str(log.before) + str(log.after) + log.object_repr for log in logs)
    assert all(rotated not in str(log.before) + str(log.after) + log.object_repr for log in logs)


def test_an_unknown_or_inactive_user_is_a_domain_error(tree, users):
    User.objects.filter(pk=users.viewer.pk).update(is_active=False)
    for name in ("no-such-user", "viewer"):
        with pytest.raises(DomainError, match="No active user"):
            issue_api_token(None, username=name)
    assert not Token.objects.exists() and not ChangeLog.objects.filter(content_type__model="user").exists()
