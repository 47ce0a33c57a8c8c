"""The display links' pages: the organisation's links (create, list, revoke: CHANGE on it), the display page a
screen opens without a session, and the figures it fetches with its token in a header.

The token travels in the link's fragment (``/dashboard/wall/display/#<token>``): browsers never send a fragment,
so it reaches no access log, no proxy and no Referer; the page's script (dashboard.js) sends it in
``Authorization: Display <token>`` to ``figures/``, which answers exactly the wall's figures of the link's
organisation (aggregates, no names of people), or 401 with what happened (revoked, expired, unknown).
Wrong tokens are counted per address (django-ratelimit, as the public forms): past ``FAILURES_RATE`` the
address gets 429 whatever it sends, so the endpoint is no oracle to guess with.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import is_ratelimited

from tongxin.core.dbrouting import reads_from_replica
from tongxin.core.forms import BootstrapFormMixin
from tongxin.core.scoping import CHANGE
from tongxin.core.views import form_step, get_scoped_or_404, page_step
from tongxin.dashboard import queries
from tongxin.dashboard.display import services
from tongxin.dashboard.display.models import WallDisplay
from tongxin.orgs.models import Organization

FAILURES_RATE = "20/h"  # unknown tokens one address may send per hour before it is refused (429)
RATE_GROUP = "dashboard.wall_display"


class DisplayForm(BootstrapFormMixin, forms.Form):
    label = forms.CharField(label=gettext_lazy("Screen"), max_length=services.LABEL_MAX,
                            help_text=gettext_lazy("Where the screen stands, e.g. 会议室大屏."))  # fmt: skip
    expires_on = forms.DateField(label=gettext_lazy("Valid until"),
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                 help_text=gettext_lazy("A year at most."))  # fmt: skip


def _links_page(request: HttpRequest, org: Organization, form: DisplayForm | None = None,
                created: tuple[WallDisplay, str] | None = None) -> HttpResponse:  # fmt: skip
    today = timezone.localdate()
    if form is None:
        form = DisplayForm(initial={"expires_on": services.default_expiry()})
    form.fields["expires_on"].widget.attrs.update(min=today.isoformat(), max=services.default_expiry().isoformat())
    links = list(WallDisplay.objects.filter(organization=org).select_related("created_by").order_by("-created_at"))
    context = {
        "title": _("Display links: %(org)s") % {"org": org.name}, "org": org, "form": form, "links": links,
        "created": created[0] if created else None,
        "link": services.display_url(request, created[1]) if created else "",
        "now": timezone.now(),
    }  # fmt: skip
    response = render(request, "dashboard/wall_links.html", context, status=400 if form.errors else 200)
    response["Cache-Control"] = "no-store"  # the page may show a token: never kept by a cache or the history
    return response


@login_required
def wall_links(request: HttpRequest, pk: int) -> HttpResponse:
    """``/dashboard/wall/<id>/links/``: the organisation's display links (CHANGE on it, 404 otherwise) and a new
    one; the new link is shown on the answer to the POST only, once."""
    org = get_scoped_or_404(request, Organization, pk, CHANGE)
    if request.method != "POST":
        return _links_page(request, org)
    form = DisplayForm(request.POST)
    if form.is_valid():
        with form_step(request, form, _("The display link is made: open it on the screen now, it is shown only "
                                        "once."), denied_as_404=True) as step:  # fmt: skip
            created = services.create_display(request.user, org, label=form.cleaned_data["label"],
                                              expires_on=form.cleaned_data["expires_on"])  # fmt: skip
        if step.ok:
            return _links_page(request, org, created=created)
    return _links_page(request, org, form=form)


@login_required
@require_POST
def wall_link_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke a display link (CHANGE on its organisation): its screen says so at its next refresh."""
    display = get_scoped_or_404(request, WallDisplay, pk, CHANGE)
    with page_step(request, _("The display link is revoked: its screen shows the figures no more.")):
        services.revoke_display(request.user, display)
    return redirect("dashboard:wall_links", pk=display.organization_id)


@require_GET
def wall_display(request: HttpRequest) -> HttpResponse:
    """``/dashboard/wall/display/#<token>``: no login; the page is the same for everyone (no figures in it), its
    script fetches them with the token of the fragment."""
    context = {"title": _("Wall display"), "refresh_seconds": settings.TONGXIN_WALL_REFRESH_SECONDS}
    return render(request, "dashboard/wall_display.html", context)


def _refused(outcome: str) -> JsonResponse:
    messages = {
        services.REVOKED: _("This display link was revoked; ask the committee for a new one."),
        services.EXPIRED: _("This display link has expired; ask the committee for a new one."),
        services.DISSOLVED: _("The organisation of this display link was dissolved; its figures are no longer shown."),
        services.UNKNOWN: _("This display link is not valid; ask the committee for a new one."),
    }
    response = JsonResponse({"detail": messages[outcome], "reason": outcome}, status=401)
    response["WWW-Authenticate"] = 'Display realm="wall"'
    return response


def _limited() -> JsonResponse:
    return JsonResponse({"detail": _("Too many wrong display links from this address: try again later."),
                         "reason": "limited"}, status=429)  # fmt: skip


@never_cache
@require_GET
def wall_display_figures(request: HttpRequest) -> HttpResponse:
    """The wall's figures of the link's organisation (``queries.as_dict``, as ``/api/dashboards/<id>/``) for
    ``Authorization: Display <token>``; 401 with the reason otherwise, 429 for an address that sent too many
    unknown tokens."""
    if is_ratelimited(request, group=RATE_GROUP, key="ip", rate=FAILURES_RATE, increment=False):
        return _limited()
    check = services.check_token(services.token_from_header(request.headers.get("authorization", "")))
    if check.outcome == services.UNKNOWN:  # a wrong token counts; the one past the limit is refused already
        if is_ratelimited(request, group=RATE_GROUP, key="ip", rate=FAILURES_RATE, increment=True):
            return _limited()
        return _refused(check.outcome)
    if check.display is None or check.outcome != services.VALID:
        return _refused(check.outcome)
    services.mark_used(check.display)
    figures: dict[str, Any]
    with reads_from_replica():  # the figures may be a moment old (docs/scale-out.md); the token was not
        figures = queries.as_dict(queries.dashboard(check.display.organization))
    figures["refresh_seconds"] = settings.TONGXIN_WALL_REFRESH_SECONDS
    figures["label"] = check.display.label
    return JsonResponse(figures)
