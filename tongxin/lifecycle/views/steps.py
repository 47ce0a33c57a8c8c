"""What the step pages of the stepwise workflows (recruitment, party recommendation) share."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _


def step_refused(request: HttpRequest, services: ModuleType, record: Any, step: str, *, state: str,
                 steps: Any, detail: str) -> HttpResponse | None:  # fmt: skip
    """Why ``step`` may not be taken on ``record`` now, as the answer to send (None: it may): not a step
    (an error message), not the next one (the workflow's ``out_of_order_message``), or not the user's (404)."""
    if step not in steps:
        messages.error(request, _("Choose a step to record."))
        return redirect(detail, pk=record.pk)
    if step != services.NEXT_STEP.get(state):
        messages.error(request, services.out_of_order_message(record, step))
        return redirect(detail, pk=record.pk)
    if not services.may_act(request.user, record, step):
        raise Http404
    return None


def state_tabs(request: HttpRequest, visible: Any, waiting: Any, field: str, choices: Any) -> tuple[str, Any, list]:
    """The list page's tabs: 'waiting for me', one a state of ``field`` (``choices``, a TextChoices) and 'all',
    each with its count. Returns the chosen tab (``?tab=``, else 'waiting'), its rows and the tabs."""
    states = [choice.value for choice in choices]
    tab = request.GET.get("tab") or "waiting"
    if tab not in ("waiting", "all", *states):
        tab = "waiting"
    counts = dict(visible.order_by().values_list(field).annotate(n=Count("id")))
    counts["waiting"] = waiting.count()
    counts["all"] = sum(n for key, n in counts.items() if key in states)
    rows = waiting if tab == "waiting" else visible if tab == "all" else visible.filter(**{field: tab})
    labels = [("waiting", _("Waiting for me")), *((c.value, c.label) for c in choices), ("all", _("All"))]
    return tab, rows, [(key, label, counts.get(key, 0)) for key, label in labels]
