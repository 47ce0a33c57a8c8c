"""Dashboard pages: thin views over ``dashboard.queries`` (figures from the roll-ups only)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tongxin.core.scoping import scope_for
from tongxin.dashboard import queries
from tongxin.orgs.queries import org_from_query, top_organizations
from tongxin.orgs.services import ancestors_of


@login_required
def org_dashboard(request: HttpRequest) -> HttpResponse:
    """``/dashboard/?org=<id>``: an organisation of the caller's scope (404 otherwise); without ``org``, her
    single top organisation, or the list of her top organisations to choose from."""
    org = org_from_query(request.user, request.GET.get("org"))
    if org is None:
        tops = top_organizations(request.user)
        return render(request, "dashboard/choose.html", {"title": _("Dashboard"), "tops": tops})
    board = queries.dashboard(org)
    scope = scope_for(request.user)
    ancestors = [a for a in ancestors_of(org) if scope.covers_path(a.path)]  # the way back up the drill-down
    return render(
        request,
        "dashboard/org.html",
        {"title": _("Dashboard: %(org)s") % {"org": org.name}, "board": board, "org": org,
         "ancestors": ancestors, "chart": queries.as_dict(board)},
    )  # fmt: skip
