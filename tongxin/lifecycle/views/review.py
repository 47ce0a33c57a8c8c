"""Annual review and registration pages (教育评议, 团籍注册).

* ``reviews/?org=&year=``: the progress table of an organisation's subtree for a year, drilling down
  child by child (``?org=``) to a branch, whose row leads to its review (or to opening it); the reviews
  waiting for the viewer's approval; ``reviews/export/`` the same table as .xlsx.
* ``reviews/<pk>/``: one branch's review: the grading table (a select per member, "set all to
  Qualified", counts per grade with the Excellent cap, recomputed on the server after each save — live
  with htmx, on reload without), the submission form, the committee's approval or return, and after
  approval the registration step with deferral of the Unqualified members.

Organisations and reviews are fetched through ``visible_to``: out of scope is 404, and so is an action the
viewer may not take (as on the transfer pages). Every write is a call to ``services.review``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongxin.core import params
from tongxin.core.dbrouting import reads_from_replica
from tongxin.core.exceptions import DomainError
from tongxin.core.scoping import CHANGE, scope_for, subtree_q
from tongxin.core.views import get_scoped_or_404, has_role, xlsx_table_response
from tongxin.lifecycle.forms import (
    DeferForm,
    GradingForm,
    OpenReviewForm,
    RegisterForm,
    ReturnReviewForm,
    SubmitReviewForm,
)
from tongxin.lifecycle.models import AnnualReview, ReviewEntry, ReviewGrade, ReviewStatus
from tongxin.lifecycle.services import review as services
from tongxin.orgs.models import Organization, OrgKind
from tongxin.orgs.queries import org_from_query, top_organizations
from tongxin.orgs.services import ancestors_of

WAITING_LIMIT = 50


# --- helpers ---------------------------------------------------------------------------------------------


def _year(request: HttpRequest) -> int:
    this_year = timezone.localdate().year
    return params.parse_int(request.GET.get("year"), (services.FIRST_YEAR, this_year)) or this_year


def _org_from_query(request: HttpRequest) -> Organization | None:
    return org_from_query(request.user, request.GET.get("org"))


def _ancestors(request: HttpRequest, org: Organization) -> list[Organization]:
    scope = scope_for(request.user)
    return [a for a in ancestors_of(org) if scope.covers_path(a.path)]


def progress_url(org: Organization, year: int) -> str:
    return f"{reverse('lifecycle:reviews')}?org={org.pk}&year={year}"


def _visible_review(request: HttpRequest, pk: int) -> AnnualReview:
    return get_scoped_or_404(request, AnnualReview.objects.select_related("branch", "approved_by"), pk)


# --- progress --------------------------------------------------------------------------------------------


@login_required
def progress(request: HttpRequest) -> HttpResponse:
    """The progress table of ``?org=`` (default: the viewer's organisation) for ``?year=``; a branch shows its
    review, or the form that opens it."""
    if not has_role(request):
        return render(request, "core/no_role.html")
    year = _year(request)
    org = _org_from_query(request)
    if org is None:
        links = [(top, progress_url(top, year)) for top in top_organizations(request.user)]
        return render(
            request, "lifecycle/review/home.html", {"links": links, "year": year, "title": _("Annual review")}
        )
    if org.kind == OrgKind.BRANCH:
        return _branch_page(request, org, year)
    data = services.progress(request.user, org, year)
    rows = [(row, progress_url(row.org, year)) for row in data.rows if row.org is not None]
    waiting = list(
        services.waiting_for_approval(request.user)
        .filter(subtree_q("org_path", org.path), year=year)
        .select_related("branch")
        .order_by("submitted_at", "id")[:WAITING_LIMIT]
    )
    context = {
        "title": _("Annual review of %(year)d: %(org)s") % {"year": year, "org": org.display_name},
        "org": org,
        "year": year,
        "progress": data,
        "rows": rows,
        "waiting": waiting,
        "ancestors": _ancestors(request, org),
        "prev_year": year - 1 if year > services.FIRST_YEAR else None,
        "next_year": year + 1 if year < timezone.localdate().year else None,
    }
    return render(request, "lifecycle/review/progress.html", context)


def _branch_page(request: HttpRequest, branch: Organization, year: int) -> HttpResponse:
    review = AnnualReview.objects.filter(branch=branch, year=year).only("pk").first()
    if review is not None:
        return redirect("lifecycle:review_detail", pk=review.pk)
    can_open = scope_for(request.user, CHANGE).covers_path(branch.path)
    context = {
        "title": _("Annual review of %(year)d: %(org)s") % {"year": year, "org": branch.display_name},
        "org": branch,
        "year": year,
        "members": services.league_members(branch).count(),
        "form": OpenReviewForm(initial={"branch": branch.pk, "year": year}) if can_open else None,
        "ancestors": _ancestors(request, branch),
        "prev_year": year - 1 if year > services.FIRST_YEAR else None,
        "next_year": year + 1 if year < timezone.localdate().year else None,
    }
    return render(request, "lifecycle/review/branch.html", context)


@login_required
@reads_from_replica
def progress_export(request: HttpRequest) -> FileResponse:
    """The progress table as .xlsx: counts only, no personal data."""
    if not has_role(request):
        raise Http404
    year = _year(request)
    org = _org_from_query(request)
    if org is None:
        raise Http404
    data = services.progress(request.user, org, year)

    def values(name: str, row: services.ProgressRow) -> list[Any]:
        return [
            name,
            row.members,
            row.branches,
            row.reviews,
            row.graded,
            row.submitted,
            row.approved,
            row.reviewed,
            row.registered,
            row.deferred,
            row.rate,
        ]

    rows = [values(row.org.name, row) for row in data.rows if row.org is not None]
    rows.append(values(_("Total"), data.total))
    headers = [
        _("Organisation"),
        _("Members"),
        _("Branches"),
        _("Reviews opened"),
        _("Fully graded"),
        _("Submitted"),
        _("Approved"),
        _("Members reviewed"),
        _("Registered"),
        _("Deferred"),
        _("Registration rate"),
    ]
    filename = f"{org.display_name}-{_('Annual review')}-{year}.xlsx"
    sheet_name = _("Annual review %(year)d") % {"year": year}
    return xlsx_table_response(request, filename, sheet_name, headers, rows, widths=(24, 12))


@login_required
@require_POST
def open_review(request: HttpRequest) -> HttpResponse:
    form = OpenReviewForm(request.POST)
    if not form.is_valid():
        raise Http404
    branch = get_scoped_or_404(request, Organization, form.cleaned_data["branch"], CHANGE)
    year = form.cleaned_data["year"]
    try:
        review = services.open_review(request.user, branch=branch, year=year)
    except DomainError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(progress_url(branch, year))
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("The review is open: grade every member, then submit it."))
    return redirect("lifecycle:review_detail", pk=review.pk)


# --- one review ------------------------------------------------------------------------------------------


def _entries(review: AnnualReview) -> list[ReviewEntry]:
    return list(
        ReviewEntry.objects.filter(review=review)
        .select_related("person")
        .only(
            "id",
            "review_id",
            "person_id",
            "person__name",
            "person__name_pinyin",
            "org_path",
            "grade",
            "registered_on",
            "deferred_until",
        )
        .order_by("person__name_pinyin", "person_id")
    )


def _permissions(request: HttpRequest, review: AnnualReview) -> dict[str, bool]:
    branch_side = scope_for(request.user, CHANGE).covers_path(review.org_path)
    return {
        "grade": branch_side and review.status == ReviewStatus.DRAFT,
        "approve": review.status == ReviewStatus.SUBMITTED and services.may_approve(request.user, review),
        "register": branch_side and review.status == ReviewStatus.APPROVED,
    }


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = _visible_review(request, pk)
    entries = _entries(review)
    can = _permissions(request, review)
    counts = services.review_counts(review)
    today = timezone.localdate()
    earliest, latest = services.deferral_window(today)
    context = {
        "title": _("Annual review of %(year)d: %(org)s") % {"year": review.year, "org": review.branch.display_name},
        "review": review,
        "org": review.branch,
        "year": review.year,
        "entries": entries,
        "counts": counts,
        "can": can,
        "grading": GradingForm(entries=entries) if can["grade"] else None,
        "submit_form": SubmitReviewForm(
            initial={"meeting_on": review.meeting_on or today, "members_present": review.members_present}
        )
        if can["grade"]
        else None,
        "return_form": ReturnReviewForm() if can["approve"] else None,
        "register_form": RegisterForm(initial={"on": today}) if can["register"] and _unregistered(counts) else None,
        "defer_window": (earliest, latest),
        "ancestors": _ancestors(request, review.branch),
        "qualified": ReviewGrade.QUALIFIED,
        "unqualified": ReviewGrade.UNQUALIFIED,
    }
    return render(request, "lifecycle/review/detail.html", context)


def _unregistered(counts: services.ReviewCounts) -> int:
    return counts.members - counts.registered - counts.deferred


def _valid(form: Any) -> dict[str, Any]:
    """The form's cleaned data, or its errors raised as a DomainError (shown as a notice)."""
    if not form.is_valid():
        raise DomainError(errors={field: list(errors) for field, errors in form.errors.items()})
    return form.cleaned_data


def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    review = _visible_review(request, pk)
    post = request.POST
    try:
        if action == "grade":
            entries = _entries(review)
            if post.get("set_all") == ReviewGrade.QUALIFIED:
                grades = {entry.person_id: ReviewGrade.QUALIFIED.value for entry in entries}
            else:
                grading = GradingForm(post, entries=entries)
                if not grading.is_valid():
                    raise DomainError("grades", _("Choose a grade from the list for every member."))
                grades = {pid: value for pid, value in grading.grades().items() if f"grade_{pid}" in post}
            services.grade(request.user, review, grades)
            if request.htmx:  # type: ignore[attr-defined]
                return _counts_partial(request, review)
            messages.success(request, _("The grades are saved."))
        elif action == "submit":
            data = _valid(SubmitReviewForm(post))
            services.submit(
                request.user, review, meeting_on=data["meeting_on"], members_present=data["members_present"]
            )
            messages.success(request, _("The review is submitted: the committee above has been asked to approve it."))
        elif action == "approve":
            services.approve(request.user, review)
            messages.success(request, _("The review is approved: the branch has been asked to register the members."))
        elif action == "return":
            services.return_for_changes(request.user, review, reason=post.get("reason", ""))
            messages.success(request, _("The review was returned to the branch."))
        elif action == "register":
            data = _valid(RegisterForm(post))
            done = services.register(request.user, review, on=data["on"], defer_until=data.get("defer_until"))
            messages.success(
                request,
                _("%(registered)d members registered, %(deferred)d deferred.")
                % {"registered": done.registered, "deferred": done.deferred},
            )
        else:  # defer
            data = _valid(DeferForm(post))
            entry = get_object_or_404(ReviewEntry.objects.select_related("person"), review=review, pk=data["entry"])
            services.defer(request.user, entry, until=data["until"])
            messages.success(
                request,
                _("The registration of %(name)s is deferred until %(date)s.")
                % {"name": entry.person.name, "date": data["until"].isoformat()},
            )
    except DomainError as exc:
        if action == "grade" and request.htmx:  # type: ignore[attr-defined]
            return _counts_partial(request, review, errors=exc.messages)
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        raise Http404 from None
    return redirect("lifecycle:review_detail", pk=review.pk)


def _counts_partial(request: HttpRequest, review: AnnualReview, errors: list[str] | None = None) -> HttpResponse:
    context = {"counts": services.review_counts(review), "review": review, "errors": errors or [], "saved": not errors}
    return render(request, "lifecycle/review/_counts.html", context)
