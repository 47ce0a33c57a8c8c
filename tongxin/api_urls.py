import re

from csp.decorators import csp_update
from django.urls import ResolverMatch, URLPattern, URLResolver, include, path, re_path
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RoutePattern
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from tongxin.accounts.authentication import SchemaAccess, docs_page
from tongxin.activities.api import (
    ActivityViewSet,
    CertificateViewSet,
    HoursCorrectionViewSet,
    RegistrationViewSet,
    WishViewSet,
)
from tongxin.community.api import NeedViewSet, ReportViewSet
from tongxin.community.api import RegistrationViewSet as CommunityRegistrationViewSet
from tongxin.core.api import NotificationViewSet
from tongxin.dashboard.api import DashboardViewSet
from tongxin.dashboard.display.api import WallDisplayViewSet
from tongxin.dashboard.index.api import IndexViewSet
from tongxin.dashboard.report.api import AnnualReportViewSet
from tongxin.deputies.api import DeputyRequestViewSet, DeputyViewSet
from tongxin.donations.api import DisbursementViewSet, DonationDriveViewSet, DonationViewSet
from tongxin.lifecycle.api import (
    AgeOutViewSet,
    AnnualReviewViewSet,
    DuesPaymentViewSet,
    GraduationBatchViewSet,
    LapseCaseViewSet,
    RecommendationViewSet,
    RecruitmentViewSet,
    TransferViewSet,
)
from tongxin.orglife.api import (
    ChecklistItemViewSet,
    ComplianceBoardViewSet,
    LapseViewSet,
    LessonTurnViewSet,
    MeetingViewSet,
)
from tongxin.orgs.api import OrganizationViewSet
from tongxin.people.api import PersonViewSet
from tongxin.points.api import ClaimViewSet, MonthCycleViewSet, ObjectionViewSet, PointEntryViewSet, PointRulesViewSet
from tongxin.study.api import (
    StudyAttemptViewSet,
    StudyCampaignViewSet,
    StudyCheckInViewSet,
    StudyNoteViewSet,
    StudyParticipationViewSet,
    StudyPeriodViewSet,
    StudyQuestionViewSet,
)
from tongxin.venues.api import BookingViewSet, HonourViewSet, VenueViewSet

# The API documentation pages (drf-spectacular's sidecar Swagger UI and Redoc, served from our own static
# files) are the only pages whose policy is relaxed: both inject <style> elements at run time, and Redoc
# runs its search in a Web Worker made from a blob: URL. Scripts stay 'self' only: Swagger's start-up
# script is served as a file by the split view. No other page may use these relaxations.
DOCS_CSP = {"style-src": ["'unsafe-inline'"]}
REDOC_CSP = {"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]}

# The schema and its documentation pages are open in development (DEBUG) and behind login in production: the
# schema for a session or a token, the pages (for browsers) redirect to the login page.
SCHEMA_ACCESS = [SchemaAccess]
swagger_view = SpectacularSwaggerSplitView.as_view(url_name="schema", permission_classes=SCHEMA_ACCESS)
redoc_view = SpectacularRedocView.as_view(url_name="schema", permission_classes=SCHEMA_ACCESS)


class PrefixRouter(DefaultRouter):
    """DRF's DefaultRouter, its routes grouped under one URL pattern per prefix: ``/api/study-attempts/…`` is
    matched against that viewset's handful of routes (the prefix found by :class:`PrefixResolver`), instead of
    against every route of every viewset in turn (~320 regular expressions, and Django's list of the patterns
    tried, for a viewset registered late: 0.5 ms of each request). The same URLs, names, views and schema as the
    flat list. :meth:`resolver` hands the groups it made to the resolver, so that the two cannot disagree."""

    def get_urls(self) -> list:
        flat = super().get_urls()
        # plain prefixes only (no regular expression characters): a route's own text is then "^<prefix>/…"
        names = {prefix for prefix, _viewset, _basename in self.registry if re.fullmatch(r"[a-z0-9-]+", prefix)}
        groups: dict[str, list] = {}
        rest, dotted = [], []
        for pattern in flat:
            regex = str(pattern.pattern)
            prefix = regex[1:].partition("/")[0]
            if isinstance(pattern, URLPattern) and regex.startswith("^") and prefix in names:
                groups.setdefault(prefix, []).append(
                    re_path(f"^{regex[len(prefix) + 2 :]}", pattern.callback, pattern.default_args, pattern.name)
                )
            elif regex.startswith("^") and regex[1:].partition("\\.")[0] in names:
                dotted.append(pattern)  # a list with a format suffix ("^<prefix>\.(?P<format>…)"): kept whole, after
            else:
                rest.append(pattern)
        self.groups = {prefix: re_path(f"^{prefix}/", include(routes)) for prefix, routes in groups.items()}
        return [*rest, *self.groups.values(), *dotted]

    def resolver(self) -> "PrefixResolver":
        """The router's URL patterns as one :class:`PrefixResolver`, with the prefix groups :meth:`get_urls` made."""
        patterns = self.urls
        return PrefixResolver(patterns, self.groups)


class PrefixResolver(URLResolver):
    """The router's URL patterns (``path("", include(router.urls))``), a request sent straight to its prefix's
    group: the path's first segment is looked up in a dictionary, and only the patterns that could match a path
    starting with it are tried, in their order (the group, and the router's own routes that have no prefix).
    Matching the prefixes in turn (46 registered; a request to the weekly study peak's tried about 35) cost it some
    400 Python calls, a sixteenth of it; reversing, the schema and a 404's list of the patterns tried use the whole
    list as before. A path the narrow list does not match is resolved against the whole list, so nothing can
    resolve otherwise. ``groups``: each prefix's group, one of ``patterns`` (:meth:`PrefixRouter.resolver`)."""

    def __init__(self, patterns: list, groups: dict[str, URLResolver]) -> None:
        super().__init__(RoutePattern("", is_endpoint=False), patterns)
        grouped = {id(group) for group in groups.values()}
        if not grouped <= {id(p) for p in patterns}:
            raise ValueError("every prefix group must be one of the patterns")
        self._narrow = {
            prefix: URLResolver(self.pattern, [p for p in patterns if p is group or id(p) not in grouped])
            for prefix, group in groups.items()
        }

    def resolve(self, path: str) -> ResolverMatch:
        narrow = self._narrow.get(str(path).partition("/")[0])
        if narrow is not None:
            try:
                return narrow.resolve(path)
            except Resolver404:
                pass
        return super().resolve(path)


router = PrefixRouter()
router.register("orgs", OrganizationViewSet, basename="org")
router.register("people", PersonViewSet, basename="person")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("transfers", TransferViewSet, basename="transfer")
router.register("age-outs", AgeOutViewSet, basename="age-out")
router.register("graduation-batches", GraduationBatchViewSet, basename="graduation-batch")
router.register("dues-payments", DuesPaymentViewSet, basename="dues-payment")
router.register("recruitments", RecruitmentViewSet, basename="recruitment")
router.register("recommendations", RecommendationViewSet, basename="recommendation")
router.register("reviews", AnnualReviewViewSet, basename="review")
router.register("lapse-cases", LapseCaseViewSet, basename="lapse-case")
router.register("checklist-items", ChecklistItemViewSet, basename="checklist-item")
router.register("lapses", LapseViewSet, basename="lapse")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("lesson-turns", LessonTurnViewSet, basename="lesson-turn")
router.register("venues", VenueViewSet, basename="venue")
router.register("bookings", BookingViewSet, basename="booking")
router.register("honours", HonourViewSet, basename="honour")
router.register("deputies", DeputyViewSet, basename="deputy")
router.register("deputy-requests", DeputyRequestViewSet, basename="deputy-request")
router.register("donation-drives", DonationDriveViewSet, basename="donation-drive")
router.register("donations", DonationViewSet, basename="donation")
router.register("disbursements", DisbursementViewSet, basename="disbursement")
router.register("community-registrations", CommunityRegistrationViewSet, basename="community-registration")
router.register("service-needs", NeedViewSet, basename="service-need")
router.register("service-reports", ReportViewSet, basename="service-report")
router.register("activities", ActivityViewSet, basename="activity")
router.register("registrations", RegistrationViewSet, basename="registration")
router.register("wishes", WishViewSet, basename="wish")
router.register("hours-corrections", HoursCorrectionViewSet, basename="hours-correction")
router.register("certificates", CertificateViewSet, basename="certificate")
router.register("study-campaigns", StudyCampaignViewSet, basename="study-campaign")
router.register("study-questions", StudyQuestionViewSet, basename="study-question")
router.register("study-periods", StudyPeriodViewSet, basename="study-period")
router.register("study-attempts", StudyAttemptViewSet, basename="study-attempt")
router.register("study-participations", StudyParticipationViewSet, basename="study-participation")
router.register("study-checkins", StudyCheckInViewSet, basename="study-checkin")
router.register("study-notes", StudyNoteViewSet, basename="study-note")
router.register("point-entries", PointEntryViewSet, basename="point-entry")
router.register("point-claims", ClaimViewSet, basename="point-claim")
router.register("point-months", MonthCycleViewSet, basename="point-month")
router.register("point-objections", ObjectionViewSet, basename="point-objection")
router.register("point-rules", PointRulesViewSet, basename="point-rules")
router.register("dashboards", DashboardViewSet, basename="dashboard")
router.register("wall-displays", WallDisplayViewSet, basename="wall-display")
router.register("annual-reports", AnnualReportViewSet, basename="annual-report")
router.register("index", IndexViewSet, basename="index")

urlpatterns = [
    router.resolver(),
    path("compliance/", ComplianceBoardViewSet.as_view({"get": "board"}), name="compliance"),
    path("schema/", SpectacularAPIView.as_view(permission_classes=SCHEMA_ACCESS), name="schema"),
    path("docs/", csp_update(DOCS_CSP)(docs_page(swagger_view)), name="docs"),
    path("redoc/", csp_update(REDOC_CSP)(docs_page(redoc_view)), name="redoc"),
]
