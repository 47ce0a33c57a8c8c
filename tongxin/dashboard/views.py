"""Dashboard pages: thin views over ``dashboard.queries`` (figures from the roll-ups only)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tongxin.core.dbrouting import reads_from_replica
from tongxin.core.scoping import CHANGE, scope_for
from tongxin.dashboard import queries
from tongxin.orgs.queries import org_from_query, top_organizations
from tongxin.orgs.services import ancestors_of


@login_required
@reads_from_replica
def org_dashboard(request: HttpRequest) -> HttpResponse:
    """``/dashboard/?org=<id>``: an organisation of the caller's scope (404 otherwise); without ``org``, her
    single top organisation, or the list of her top organisations to choose from."""
    org = org_from_query(request.user, request.GET.get("org"))
    if org is None:
        tops = top_organizations(request.user)
        return render(
            request, "dashboard/choose.html", {"title": _("Dashboard"), "tops": tops, "target": "dashboard:org"}
        )
    board = queries.dashboard(org)
    scope = scope_for(request.user)
    ancestors = [a for a in ancestors_of(org) if scope.covers_path(a.path)]  # the way back up the drill-down
    return render(
        request,
        "dashboard/org.html",
        {"title": _("Dashboard: %(org)s") % {"org": org.name}, "board": board, "org": org,
         "ancestors": ancestors, "chart": queries.as_dict(board),
         "may_change": scope_for(request.user, CHANGE).covers_path(org.path)},
    )  # fmt: skip


@login_required
@reads_from_replica
def wall(request: HttpRequest) -> HttpResponse:
    """``/dashboard/wall/?org=<id>``: the wall display (大屏) for the committee's screen, 1920×1080; the page
    fetches its figures again from the API every ``TONGXIN_WALL_REFRESH_SECONDS`` (nothing from outside)."""
    org = org_from_query(request.user, request.GET.get("org"))
    if org is None:
        return render(request, "dashboard/choose.html", {"title": _("Wall display"), "tops": top_organizations(
            request.user), "target": "dashboard:wall"})  # fmt: skip
    board = queries.dashboard(org)
    return render(
        request,
        "dashboard/wall.html",
        {"title": _("Wall display: %(org)s") % {"org": org.name}, "board": board, "org": org,
         "chart": queries.as_dict(board), "refresh_seconds": settings.TONGXIN_WALL_REFRESH_SECONDS,
         "may_change": scope_for(request.user, CHANGE).covers_path(org.path)},
    )  # fmt: skip
