"""Organisation pages: the lazily loaded tree, an organisation's page, its edit form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tongxin.core.exceptions import DomainError
from tongxin.core.registry import page_context
from tongxin.core.scoping import CHANGE, MANAGE, scope_for
from tongxin.core.views import form_step, get_changeable_or_404, get_scoped_or_404
from tongxin.orgs import services
from tongxin.orgs.forms import MoveForm, OrganizationForm
from tongxin.orgs.models import Organization, OrgStatus
from tongxin.orgs.queries import children_page, top_organizations

CHILDREN_PAGE_SIZE = 100


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    tops = top_organizations(request.user)
    if not tops:
        raise Http404
    return render(request, "orgs/tree.html", {"tops": tops, "title": _("Organisation tree")})


@login_required
def children(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_scoped_or_404(request, Organization.objects.select_related("stats", "parent"), pk)
    page = children_page(org, request.GET.get("after"), CHILDREN_PAGE_SIZE)
    return render(request, "orgs/_children.html", {"org": org, **page})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_scoped_or_404(request, Organization.objects.select_related("stats", "parent"), pk)
    page = children_page(org, request.GET.get("after"), CHILDREN_PAGE_SIZE)
    ancestors = [a for a in services.ancestors_of(org) if scope_for(request.user).covers_path(a.path)]
    context = {
        "org": org,
        "title": org.name,
        "ancestors": ancestors,
        "can_manage": scope_for(request.user, MANAGE).covers_path(org.path),
        "can_change": scope_for(request.user, CHANGE).covers_path(org.path),
        **page,
        **page_context("orgs:detail", request, org),  # the cadres, from the people app above (core.registry)
    }
    return render(request, "orgs/detail.html", context)


def _org_to_manage(request: HttpRequest, pk: int) -> Organization:
    """The organisation of a page that changes the tree: 404 outside the user's scope, 403 without MANAGE."""
    qs = Organization.objects.select_related("stats", "parent")
    return get_changeable_or_404(request, qs, pk, MANAGE, path_field="path", refuse=PermissionDenied)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = _org_to_manage(request, pk)
    form = OrganizationForm(request.POST or None, instance=Organization.objects.get(pk=org.pk))
    if request.method == "POST" and form.is_valid():
        with form_step(request, form, _("The changes to %(org)s were saved.") % {"org": org.name}) as step:
            services.update_organization(request.user, org, **{f: form.cleaned_data[f] for f in form.changed_data})
        if step.ok:
            return redirect("orgs:detail", pk=org.pk)
    context = {
        "form": form,
        "title": _("Edit %(org)s") % {"org": org},
        "cancel_url": reverse("orgs:detail", args=[org.pk]),
    }
    return render(request, "form_page.html", context)


@login_required
def create_child(request: HttpRequest, pk: int) -> HttpResponse:
    parent = _org_to_manage(request, pk)
    form = OrganizationForm(request.POST or None, initial={"status": OrgStatus.ACTIVE})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("status", "dissolved_on")}
        done = _("%(org)s was created.") % {"org": data["name"]}
        with form_step(request, form, done) as step:
            org = services.create_organization(request.user, parent=parent, **data)
        if step.ok:
            return redirect("orgs:detail", pk=org.pk)
    return render(
        request, "form_page.html",
        {"form": form, "title": _("New organisation under %(org)s") % {"org": parent},
         "cancel_url": reverse("orgs:detail", args=[parent.pk])},
    )  # fmt: skip


@login_required
def move(request: HttpRequest, pk: int) -> HttpResponse:
    """Put an organisation and its whole subtree under another parent."""
    org = _org_to_manage(request, pk)
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["new_parent_code"].strip()
        new_parent = Organization.objects.visible_to(request.user, MANAGE).filter(code=code).first()
        if new_parent is None:
            message = _("No organisation with the code %(code)s in your scope.") % {"code": code}
            form.add_error("new_parent_code", message)
        else:
            try:
                services.move_organization(request.user, org, new_parent)
            except DomainError as exc:
                for message in exc.errors.get("parent", []) + exc.errors.get("__all__", []):
                    form.add_error("new_parent_code", message)
            else:
                message = _("%(org)s now sits under %(parent)s.") % {"org": org.name, "parent": new_parent.name}
                messages.success(request, message)
                return redirect("orgs:detail", pk=org.pk)
    context = {
        "form": form,
        "title": _("Move %(org)s") % {"org": org},
        "intro": _(
            "%(name)s moves together with all its child organisations and members. "
            "Member counts of the old and new parents are updated at once."
        )
        % {"name": org.name},
        "submit_label": _("Move"),
        "cancel_url": reverse("orgs:detail", args=[org.pk]),
    }
    return render(request, "form_page.html", context)
