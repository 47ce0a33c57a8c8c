"""Pages every area shares: home, audit log, health."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tongxin.core.models import AccessLog, ChangeLog
from tongxin.core.pagination import keyset_page
from tongxin.core.scoping import ScopedQuerySet, scope_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if getattr(user, "has_org_role", False):
        return redirect("orgs:tree")
    if getattr(user, "person_id", None):
        return redirect("people:detail", pk=user.person_id)  # type: ignore[union-attr]
    return render(request, "core/no_role.html", status=200)


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if scope_for(request.user).prefixes == () and not scope_for(request.user).everything:
        return render(request, "core/no_role.html")
    kind = request.GET.get("kind", "change")
    qs: ScopedQuerySet
    if kind == "access":
        qs = AccessLog.objects.visible_to(request.user).select_related("actor", "content_type")
    else:
        kind = "change"
        qs = ChangeLog.objects.visible_to(request.user).select_related("actor", "content_type")
    table = qs.model._meta.db_table
    keys = [("created_at", f"{table}.created_at"), ("id", f"{table}.id")]
    page = keyset_page(qs, keys, request.GET.get("cursor"), 50, descending=True)  # newest first
    return render(request, "core/audit_log.html", {"page": page, "kind": kind, "title": _("Audit log")})


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})
