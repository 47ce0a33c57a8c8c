"""The index pages: an organisation's children scored (any role holder who sees the organisation), its weights,
its star minimums and its rankings switch (its admins: MANAGE). Thin over ``scores`` and ``services``."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tongxin.core.forms import BootstrapFormMixin
from tongxin.core.scoping import MANAGE, scope_for
from tongxin.core.views import form_step, get_scoped_or_404, page_step
from tongxin.dashboard.index import scores, services
from tongxin.dashboard.index.indicators import INDICATORS, Dimension
from tongxin.dashboard.models import IndexWeightsVersion
from tongxin.orgs.models import Organization


def _org(request: HttpRequest, pk: int, action_manage: bool = False) -> Organization:
    org = get_scoped_or_404(request, Organization, pk)
    if action_manage and not scope_for(request.user, MANAGE).covers_path(org.path):
        raise Http404
    return org


def _may_manage(request: HttpRequest, org: Organization) -> bool:
    return scope_for(request.user, MANAGE).covers_path(org.path)


@login_required
def index_page(request: HttpRequest, pk: int) -> HttpResponse:
    """``/dashboard/index/<id>/?year=``: the children of an organisation in scope, scored for a year, with each
    indicator's contribution; ranked only when the organisation switched rankings on."""
    org = _org(request, pk)
    year, refusal = scores.year_param(request.GET.get("year"))
    if refusal:
        messages.error(request, refusal)
        context = {"title": _("三力一度 index: %(org)s") % {"org": org.name}, "org": org, "refused": True,
                   "this_year": timezone.localdate().year}  # fmt: skip
        return render(request, "dashboard/index.html", context, status=400)
    index = scores.index_of(org, year)
    dimensions = [(d.value, d.label, [i for i in INDICATORS if i.dimension == d.value]) for d in Dimension]
    context = {
        "title": _("三力一度 index: %(org)s") % {"org": org.name}, "org": org, "index": index,
        "dimensions": dimensions, "stars": index.grades, "may_manage": _may_manage(request, org),
        "years": list(range(timezone.localdate().year, scores.FIRST_YEAR - 1, -1))[:6],
    }  # fmt: skip
    return render(request, "dashboard/index.html", context)


def _weights_form_class() -> type[forms.Form]:
    fields: dict[str, Any] = {
        "valid_from": forms.DateField(label=gettext_lazy("Valid from"), widget=forms.DateInput(attrs={"type": "date"}),
                                      help_text=gettext_lazy("A year is scored with the weights in force on its last "
                                                             "day (today for the year under way).")),
    }  # fmt: skip
    for indicator in INDICATORS:
        fields[indicator.key] = forms.IntegerField(label=indicator.label, min_value=0, max_value=100,
                                                   help_text=indicator.help)  # fmt: skip
    return cast(type[forms.Form], type("WeightsForm", (BootstrapFormMixin, forms.Form), fields))


WeightsForm = _weights_form_class()


class StarsForm(BootstrapFormMixin, forms.Form):
    five_star_min = forms.IntegerField(label=gettext_lazy("Five stars from"), min_value=0, max_value=100)
    four_star_min = forms.IntegerField(label=gettext_lazy("Four stars from"), min_value=0, max_value=100)
    three_star_min = forms.IntegerField(label=gettext_lazy("Three stars from"), min_value=0, max_value=100)


def _weights_page(request: HttpRequest, org: Organization, form: forms.Form | None = None,
                  stars_form: forms.Form | None = None) -> HttpResponse:  # fmt: skip
    """The weights page, with the forms as posted (else their current values)."""
    today = timezone.localdate()
    current = scores.weights_in_force(org, today)
    if form is None:
        initial: dict[str, Any] = {"valid_from": datetime.date(today.year + 1, 1, 1)} | current.percents
        form = WeightsForm(initial=initial)
    form.fields["valid_from"].widget.attrs["min"] = today.isoformat()  # the browser's hint; the service decides
    if stars_form is None:
        scheme = scores.own_scheme(org)
        stars_form = StarsForm(initial={key: getattr(scheme, key) for key in services.STAR_FIELDS})
    versions = list(
        IndexWeightsVersion.objects.filter(scheme__organization=org).prefetch_related("items").order_by("-valid_from")
    )
    context = {"title": _("Index weights: %(org)s") % {"org": org.name}, "org": org, "form": form,
               "stars_form": stars_form, "current": current, "versions": versions, "indicators": INDICATORS,
               "today": today, "cancel_url": reverse("dashboard:index", args=[org.pk]),
               "submit_label": _("Save the new version")}  # fmt: skip
    status = 400 if form.errors or stars_form.errors else 200
    return render(request, "dashboard/index_weights.html", context, status=status)


@login_required
def weights_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The weights of the organisation's subtree: the versions so far, and a new version from a date, today or
    later (adding up to 100%, refused otherwise with the total named); and its star minimums (saved by
    :func:`stars_save`)."""
    org = _org(request, pk, action_manage=True)
    if request.method != "POST":
        return _weights_page(request, org)
    form = WeightsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        weights = {i.key: data[i.key] for i in INDICATORS}
        with form_step(request, form, _("The new weights are saved."), denied_as_404=True) as step:
            services.set_weights(request.user, org, valid_from=data["valid_from"], weights=weights)
        if step.ok:
            return redirect("dashboard:index_weights", pk=org.pk)
    return _weights_page(request, org, form=form)


@login_required
@require_POST
def stars_save(request: HttpRequest, pk: int) -> HttpResponse:
    """The lowest scores of five, four and three stars on the organisation's index page (the weights page's second
    form; shown again there with its errors)."""
    org = _org(request, pk, action_manage=True)
    form = StarsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with form_step(request, form, _("The star minimums are saved."), denied_as_404=True) as step:
            services.set_stars(request.user, org, five=data["five_star_min"], four=data["four_star_min"],
                               three=data["three_star_min"])  # fmt: skip
        if step.ok:
            return redirect("dashboard:index_weights", pk=org.pk)
    return _weights_page(request, org, stars_form=form)


@login_required
@require_POST
def rankings_switch(request: HttpRequest, pk: int) -> HttpResponse:
    """Switch the ranking of the children on or off (``on=1`` / ``on=0``)."""
    org = _org(request, pk, action_manage=True)
    on = request.POST.get("on") == "1"
    done = (
        _("The ranking is shown now.") if on else _("The ranking is hidden now: the organisations are listed by name.")
    )
    with page_step(request, done):
        services.set_rankings(request.user, org, on=on)
    return redirect("dashboard:index", pk=org.pk)
