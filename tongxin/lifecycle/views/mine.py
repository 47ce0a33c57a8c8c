"""The member's own dues (我的团费): read-only, through the scope (``DuesPayment`` ``own="person"``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from tongxin.lifecycle.mine import my_dues, own_person
from tongxin.lifecycle.models import DuesPayment
from tongxin.orgs.models import Organization, path_ids


@login_required
def dues(request: HttpRequest) -> HttpResponse:
    person = own_person(request.user)
    if person is None:
        return render(request, "lifecycle/mine_none.html", {"title": _("My dues")})
    payments = DuesPayment.objects.visible_to(request.user).filter(person=person).order_by("-month", "kind")[:24]
    context = {
        "title": _("My dues"),
        "person": person,
        "owed": my_dues(request.user, person),
        "payments": list(payments),
    }
    return render(request, "lifecycle/dues/mine.html", context)


@login_required
def branch(request: HttpRequest) -> HttpResponse:
    """The member's own branch (我的团支部): what his own record (seen through ``own="pk"``) says of it, its name
    and the organisations above it, and his own pages there. The branch's page itself (its roster, children,
    actions) stays for role holders: he sees no one else's personal data here."""
    person = own_person(request.user)
    if person is None or person.branch is None:
        return render(request, "lifecycle/mine_none.html", {"title": _("My branch")})
    above = Organization.objects.filter(pk__in=path_ids(person.branch.path)[:-1]).order_by("path")
    context = {"title": _("My branch"), "person": person, "branch": person.branch, "above": list(above)}
    return render(request, "lifecycle/mine_branch.html", context)


urlpatterns = [
    path("dues/mine/", dues, name="my_dues"),
    path("mine/branch/", branch, name="my_branch"),
]
