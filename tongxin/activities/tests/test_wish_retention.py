"""A resident's contact on a micro-wish is kept while the wish is open and ``contact_retention_days`` after it
was closed or rejected, then erased by the daily command; what was asked and done stays."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tongxin.activities import services
from tongxin.activities.models import Wish, WishStatus
from tongxin.core.models import ChangeLog
from tongxin.core.retention import erase_expired_contacts

pytestmark = pytest.mark.usefixtures("english")


def _wish(tree, text):
    return services.submit_wish(community=tree.branch_a, text=text, contact_name="王阿姨", contact_phone="13912345678")


def test_contacts_are_erased_after_the_retention_days_and_only_then(tree, users):
    long_ago = timezone.now() - datetime.timedelta(days=181)
    closed_long_ago = _wish(tree, "需要有人帮忙修理轮椅")
    Wish.objects.filter(pk=closed_long_ago.pk).update(status=WishStatus.CLOSED, closed_at=long_ago)
    closed_lately = _wish(tree, "需要有人帮忙买药")
    Wish.objects.filter(pk=closed_lately.pk).update(status=WishStatus.CLOSED, closed_at=timezone.now())
    rejected_long_ago = _wish(tree, "需要一台电视")
    Wish.objects.filter(pk=rejected_long_ago.pk).update(status=WishStatus.REJECTED, submitted_at=long_ago)
    open_long_ago = _wish(tree, "需要有人陪同看病")
    Wish.objects.filter(pk=open_long_ago.pk).update(submitted_at=long_ago)  # still awaiting screening

    out = StringIO()
    call_command("erase_expired_contacts", "--dry-run", stdout=out)
    assert "Micro-wishes: 2 contacts" in out.getvalue()
    assert Wish.objects.filter(contact_name="王阿姨").count() == 4  # a dry run changes nothing

    call_command("erase_expired_contacts", stdout=StringIO())
    erased = {w.pk: (w.contact_name, w.contact_phone, w.text) for w in Wish.objects.all()}
    assert erased[closed_long_ago.pk] == ("", "", "需要有人帮忙修理轮椅")
    assert erased[rejected_long_ago.pk][:2] == ("", "")
    assert erased[closed_lately.pk][:2] == ("王阿姨", "13912345678")
    assert erased[open_long_ago.pk][:2] == ("王阿姨", "13912345678")
    audit = ChangeLog.objects.filter(object_id=str(closed_long_ago.pk), after__has_key="contact_erased")
    assert audit.count() == 1 and "13912345678" not in str(audit.get().after)
    # a second run finds nothing more to erase
    assert dict((str(label), n) for label, n in erase_expired_contacts())["Micro-wishes"] == 0


def test_the_wish_page_says_the_contact_was_erased(tree, users, client_for):
    wish = _wish(tree, "需要有人帮忙修理轮椅")
    Wish.objects.filter(pk=wish.pk).update(
        status=WishStatus.CLOSED, closed_at=timezone.now() - datetime.timedelta(days=400)
    )
    erase_expired_contacts()
    page = client_for(users.secretary_a).get(f"/activities/wishes/{wish.pk}/")
    assert page.status_code == 200 and "contact erased" in page.content.decode()
