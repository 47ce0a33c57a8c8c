"""Writes of the index's settings: the weights (a new version from a date, today or later; older versions kept,
so past years keep their scores), the rankings switch and the star minimums. All are an organisation's admin's
(MANAGE on it: the district admin for the root's weights, which every organisation inherits until it sets its
own), validated, locked, written and audited here."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.core.audit import record_change, snapshot
from tongxin.core.exceptions import DomainError
from tongxin.core.fields import checked_date
from tongxin.core.models import ChangeLog
from tongxin.core.scoping import MANAGE, Actor, by, require
from tongxin.dashboard.index.indicators import BY_KEY
from tongxin.dashboard.models import IndexScheme, IndexWeight, IndexWeightsVersion
from tongxin.orgs.models import Organization


def _scheme(organization: Organization) -> IndexScheme:
    """``organization``'s own settings row, made when first needed, locked for the caller's transaction."""
    IndexScheme.objects.get_or_create(organization=organization, defaults={"org_path": organization.path})
    return IndexScheme.objects.select_for_update().get(organization=organization)


def check_weights(weights: Mapping[str, Any]) -> dict[str, int]:
    """Every indicator's whole percentage from 0 to 100 (a missing one is 0), adding up to 100."""
    unknown = sorted(set(weights) - set(BY_KEY))
    if unknown:
        raise DomainError("weights", _("Unknown indicators: %(keys)s.") % {"keys": ", ".join(unknown)})
    checked = {}
    for key in BY_KEY:
        value = weights.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise DomainError(key, _("A whole percentage from 0 to 100."))
        checked[key] = value
    total = sum(checked.values())
    if total != 100:
        raise DomainError("weights", _("The weights add up to %(total)s%%: they must add up to 100%%.")
                          % {"total": total})  # fmt: skip
    return checked


@transaction.atomic
def set_weights(
    actor: Actor, organization: Organization, *, valid_from: datetime.date, weights: Mapping[str, Any]
) -> IndexWeightsVersion:
    """The weights of ``organization``'s subtree from ``valid_from`` on: a new version, the older ones kept (a
    version from the same day is corrected, its change audited). ``valid_from`` is today or later: a version
    from an earlier day would score again the years, or the part of this one, already scored."""
    require(actor, MANAGE, organization.path)
    checked_date("valid_from", valid_from)
    today = timezone.localdate()
    if valid_from < today:
        raise DomainError("valid_from", _("New weights start today or later (%(today)s): the years and days before "
                                          "keep the weights they were scored with.") % {"today": today})  # fmt: skip
    percents = check_weights(weights)
    scheme = _scheme(organization)
    version = scheme.versions.filter(valid_from=valid_from).first()
    if version is None:
        version = IndexWeightsVersion.objects.create(scheme=scheme, org_path=scheme.org_path, valid_from=valid_from,
                                                     created_by=by(actor))  # fmt: skip
        IndexWeight.objects.bulk_create(
            IndexWeight(version=version, indicator=k, percent=v) for k, v in percents.items()
        )
        record_change(actor, version, ChangeLog.Action.CREATE, after=snapshot(version) | {"weights": percents},
                      org_path=scheme.org_path)  # fmt: skip
        return version
    before = dict(version.items.values_list("indicator", "percent"))
    version.items.all().delete()
    IndexWeight.objects.bulk_create(IndexWeight(version=version, indicator=k, percent=v) for k, v in percents.items())
    record_change(actor, version, ChangeLog.Action.UPDATE, before={"weights": before}, after={"weights": percents},
                  org_path=scheme.org_path)  # fmt: skip
    return version


@transaction.atomic
def set_rankings(actor: Actor, organization: Organization, *, on: bool) -> IndexScheme:
    """Switch the ranking of ``organization``'s children on its index page on or off (its own choice)."""
    require(actor, MANAGE, organization.path)
    scheme = _scheme(organization)
    before = snapshot(scheme)
    scheme.rankings = bool(on)
    scheme.save(update_fields=["rankings"])
    record_change(actor, scheme, ChangeLog.Action.UPDATE, before=before, after=snapshot(scheme),
                  org_path=scheme.org_path)  # fmt: skip
    return scheme


STAR_FIELDS = ("five_star_min", "four_star_min", "three_star_min")


def check_stars(five: Any, four: Any, three: Any) -> tuple[int, int, int]:
    """Whole scores from 0 to 100, five stars above four above three."""
    values = (five, four, three)
    for key, value in zip(STAR_FIELDS, values, strict=True):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise DomainError(key, _("A whole score from 0 to 100."))
    if not five > four > three:
        raise DomainError("five_star_min", _("Five stars need more than four, and four more than three: "
                                             "%(five)s, %(four)s, %(three)s are not descending.")
                          % {"five": five, "four": four, "three": three})  # fmt: skip
    return five, four, three


@transaction.atomic
def set_stars(actor: Actor, organization: Organization, *, five: Any, four: Any, three: Any) -> IndexScheme:
    """The lowest scores of five, four and three stars on ``organization``'s index page (its own, not inherited;
    they grade every year shown, as the scores themselves are worked out when shown)."""
    require(actor, MANAGE, organization.path)
    checked = check_stars(five, four, three)
    scheme = _scheme(organization)
    before = snapshot(scheme)
    scheme.five_star_min, scheme.four_star_min, scheme.three_star_min = checked
    scheme.save(update_fields=list(STAR_FIELDS))
    record_change(actor, scheme, ChangeLog.Action.UPDATE, before=before, after=snapshot(scheme),
                  org_path=scheme.org_path)  # fmt: skip
    return scheme
