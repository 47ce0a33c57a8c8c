"""The table and the helpers of the scope walk (test_scope_walk.py) and the scope matrix (test_scope_matrix.py).

``ROUTES`` says, for every named URL pattern, how its parameters are filled and which methods it takes;
``walk`` enumerates the root URLconf; ``url_for``, ``send``, ``client_as`` and the ``_*_of_branch_a`` builders
make the requests. Tests import them from here (a test module imports no other test module).
"""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tongxin.accounts.models import User
from tongxin.core.testing import person_data
from tongxin.people.models import CadrePosition, Person
from tongxin.people.services import appoint_cadre

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16  # starts like a PNG: what core.uploads checks
SKIPPED_PREFIXES = ("admin/", "i18n/", "static/", "media/", "captcha/")  # captcha/: the library's challenge images
# Routes anyone may reach without logging in (activities:verify: a printed certificate's QR code leads there, by
# the certificate's random key; a resident's micro-wish form and the list of fulfilled wishes; the venues'
# public directory; study:verify checks a study receipt's signed token, ?t=, for anyone holding its link).
PUBLIC = {
    "accounts:login",
    "accounts:logout",
    "core:health",
    "schema",
    "docs",
    "redoc",
    "activities:verify",
    "activities:wish_submit",
    "activities:fulfilled",
    "certificate-verify",  # the API's answer of the verification page: the same masked facts, by the same key
    "venues:directory",
    "venues:directory_photo",
    "study:verify",
    # a display link's screen (大屏): the page carries no figures; its figures answer only the token, sent in a
    # header (tongxin/dashboard/tests/test_wall_display.py)
    "dashboard:wall_display",
    "dashboard:wall_display_figures",
}
# Of those, the API schema and its documentation pages only in development (DEBUG); in production they need a
# login (tongxin/accounts/tests/test_api_docs.py).
DEBUG_PUBLIC = {"schema", "docs", "redoc"}


@dataclass(frozen=True)
class Route:
    target: str | None  # "org": committee 1; "person": person a1 of branch A; "cadre": a position in branch A;
    # "import": a checked import of rows for branch A, uploaded by committee_admin; "dues_payment": a1's
    # dues of 2025-01, paid in branch A (a route with a ``month`` gets 2025-01)
    methods: tuple[str, ...] = ("GET",)
    api: bool = False
    payload: str | None = None  # for non-GET methods: which PAYLOADS entry to send
    # A collection route whose POST always answers with a redirect (post/redirect/get), also to an outsider
    # whose request touched nothing of committee 1 (row counts and targets are still checked).
    post_redirects: bool = False
    prepare: str | None = None  # a target made before the walk counts rows, for a payload that names it
    # Who makes the control request of an object route (in scope: gets 200). The rules pages are the
    # district admin's alone.
    insider: str = "committee_admin"


def _api_steps(target: str, payloads: dict[str, str]) -> dict[str, Route]:
    """The API's POST step routes ``{target}-{step}`` on one ``target`` object, each with its payload."""
    return {f"{target}-{step}": Route(target, ("POST",), api=True, payload=p) for step, p in payloads.items()}


ROUTES: dict[str, Route] = {
    # Pages
    "core:home": Route(None),
    # login hardening (accounts): the two-factor pages send a user who needs no code home; the login-code
    # page lists the caller's change scope and issues codes only there
    "accounts:otp_verify": Route(None),
    "accounts:otp_enrol": Route(None),
    "accounts:password_change": Route(None, ("GET", "POST"), payload="empty"),
    "accounts:bulk_reset": Route(None, ("GET", "POST"), payload="login_codes_form"),
    "accounts:bulk_reset_download": Route(None, ("POST",), payload="empty"),
    "core:audit": Route(None),
    "core:inbox": Route(None, prepare="notification"),
    "core:inbox_read_all": Route(None, ("POST",), payload="empty", post_redirects=True),
    "core:open_notification": Route("notification", ("POST",), payload="empty"),
    "core:rules": Route(None),
    "core:rule_edit": Route("rule", ("GET", "POST"), payload="rule_form", insider="district"),
    "orgs:tree": Route(None),
    "orgs:detail": Route("org"),
    "orgs:children": Route("org"),
    "orgs:edit": Route("org", ("GET", "POST"), payload="org_form"),
    "orgs:create_child": Route("org", ("GET", "POST"), payload="org_form"),
    "orgs:move": Route("org", ("GET", "POST"), payload="org_form"),
    # The search form POSTs its term, kept in the session behind ?s=<key> (no names or ID numbers in URLs).
    "people:roster": Route(None, ("GET", "POST"), payload="roster_search", post_redirects=True),
    "people:create": Route(None, ("GET", "POST"), payload="person_form"),
    "people:export": Route(None),
    "people:import_template": Route(None),
    "people:detail": Route("person"),
    "people:edit": Route("person", ("GET", "POST"), payload="person_form"),
    "people:reveal": Route("person", ("POST",), payload="empty"),
    "people:appoint_cadre": Route("org", ("GET", "POST"), payload="cadre_form"),
    "people:end_cadre": Route("cadre", ("GET", "POST"), payload="cadre_form"),
    "imports:list": Route(None),
    "imports:upload": Route(None, ("GET", "POST"), payload="import_upload", post_redirects=True),
    "imports:detail": Route("import"),
    "imports:remap": Route("import", ("POST",), payload="empty"),
    "imports:commit": Route("import", ("POST",), payload="empty"),
    "imports:report": Route("import"),
    "lifecycle:graduation": Route("branch", ("GET", "POST"), payload="graduation_form"),
    "lifecycle:graduation_overdue": Route(None),
    "lifecycle:transfers": Route(None),
    "lifecycle:transfers_act": Route(None, ("POST",), payload="transfer_ids", post_redirects=True, prepare="transfer"),
    "lifecycle:transfer_start_in": Route(None, ("GET", "POST"), payload="transfer_in"),
    "lifecycle:transfer_destinations": Route(None),
    "lifecycle:transfer_start_out": Route("person", ("GET", "POST"), payload="transfer_out"),
    "lifecycle:transfer_detail": Route("transfer"),
    "lifecycle:transfer_approve": Route("transfer", ("POST",), payload="empty"),
    "lifecycle:transfer_accept": Route("transfer", ("POST",), payload="accept_form"),
    "lifecycle:transfer_reject": Route("transfer", ("POST",), payload="reject_form"),
    "lifecycle:transfer_cancel": Route("transfer", ("POST",), payload="empty"),
    "lifecycle:age_out": Route(None),
    "lifecycle:age_out_confirm": Route(None, ("GET", "POST"), payload="age_out_form"),
    "lifecycle:recruitments": Route(None),
    "lifecycle:recruitment_new": Route(None, ("GET", "POST"), payload="recruitment_form"),
    "lifecycle:recruitment_detail": Route("recruitment"),
    "lifecycle:recruitment_act": Route("recruitment", ("POST",), payload="recruitment_step_form"),
    "lifecycle:recruitment_withdraw": Route("recruitment", ("POST",), payload="recruitment_withdraw_form"),
    "lifecycle:recommendations": Route(None),
    "lifecycle:recommendation_propose": Route("person", ("GET", "POST"), payload="recommendation_form"),
    "lifecycle:recommendation_detail": Route("recommendation"),
    "lifecycle:recommendation_act": Route("recommendation", ("POST",), payload="recommendation_step_form"),
    "lifecycle:recommendation_withdraw": Route("recommendation", ("POST",), payload="empty"),
    "lifecycle:dues_home": Route(None),
    "lifecycle:dues_ledger": Route("branch", ("GET", "POST"), payload="dues_mark_form"),
    "lifecycle:dues_ledger_export": Route("branch"),
    "lifecycle:dues_summary": Route("org"),
    "lifecycle:dues_summary_export": Route("org"),
    "lifecycle:dues_arrears": Route("org"),
    "lifecycle:dues_arrears_export": Route("org"),
    "lifecycle:dues_profile": Route("person", ("GET", "POST"), payload="dues_profile_form"),
    "lifecycle:reviews": Route(None),
    "lifecycle:review_progress_export": Route(None),
    "lifecycle:review_open": Route(None, ("POST",), payload="review_open"),
    "lifecycle:review_detail": Route("review"),
    "lifecycle:review_grade": Route("review", ("POST",), payload="review_grades"),
    "lifecycle:review_submit": Route("review", ("POST",), payload="review_submit"),
    "lifecycle:review_approve": Route("review", ("POST",), payload="empty"),
    "lifecycle:review_return": Route("review", ("POST",), payload="reject_form"),
    "lifecycle:review_register": Route("review", ("POST",), payload="review_register"),
    "lifecycle:review_defer": Route("review", ("POST",), payload="review_defer"),
    # lapse (自行脱团): a1, on the lapse list, proposed by branch A; the committee above decides
    "lifecycle:lapse_cases": Route(None),
    "lifecycle:lapse_propose": Route("person", ("GET", "POST"), payload="lapse_form"),
    "lifecycle:lapse_case": Route("lapse_case"),
    "lifecycle:lapse_approve": Route("lapse_case", ("POST",), payload="empty"),
    "lifecycle:lapse_reject": Route("lapse_case", ("POST",), payload="reject_form"),
    # the four lists, duties and lapse (orglife/views/checklists.py)
    "orglife:checklists": Route("org", ("GET", "POST"), payload="checklist_item_form"),
    "orglife:checklist_item": Route("checklist_item"),
    "orglife:checklist_note": Route("checklist_item", ("POST",), payload="checklist_note_form"),
    "orglife:checklist_act": Route("checklist_item", ("POST",), payload="checklist_act_form"),
    "orglife:checklist_attachment": Route("checklist_attachment"),
    "orglife:duties": Route("org", ("GET", "POST"), payload="duty_form"),
    "orglife:duty_end": Route("duty", ("POST",), payload="empty"),
    "orglife:lapse": Route(None),
    "orglife:meetings": Route("branch"),
    "orglife:meeting_plan": Route("branch", ("GET", "POST"), payload="meeting_plan_form"),
    "orglife:meeting_record_held": Route("branch", ("GET", "POST"), payload="meeting_held_form"),
    # the member's own pages (issue 13): his dues and his branch, through his own record
    "lifecycle:my_dues": Route(None),
    "lifecycle:my_branch": Route(None),
    "orglife:meeting_detail": Route("meeting"),
    "orglife:meeting_record": Route("meeting", ("GET", "POST"), payload="meeting_record_form"),
    "orglife:meeting_cancel": Route("meeting", ("POST",), payload="empty"),
    "orglife:meeting_upload": Route("meeting", ("POST",), payload="meeting_upload"),
    "orglife:meeting_attachment": Route("meeting_attachment"),
    # lessons in turn (orglife/views/lessons.py): a1 gives branch A's league lesson of this year's first quarter
    "orglife:lessons": Route("branch", ("GET", "POST"), payload="lesson_rota_form"),
    "orglife:lesson_turn": Route("lesson_turn", ("GET", "POST"), payload="lesson_turn_form"),
    "orglife:my_lessons": Route(None),
    # API (DefaultRouter)
    "api-root": Route(None, api=True),
    "org-list": Route(None, ("GET", "POST"), api=True, payload="org_api"),
    "org-detail": Route("org", ("GET", "PUT", "PATCH"), api=True, payload="org_api"),
    "person-list": Route(None, ("GET", "POST"), api=True, payload="person_api"),
    "person-detail": Route("person", ("GET", "PUT", "PATCH"), api=True, payload="person_api"),
    "notification-list": Route(None, api=True, prepare="notification"),
    "notification-detail": Route("notification", api=True),
    "notification-read": Route("notification", ("POST",), api=True, payload="empty"),
    "transfer-list": Route(None, ("GET", "POST"), api=True, payload="transfer_api"),
    "transfer-detail": Route("transfer", api=True),
    **_api_steps(
        "transfer", {"approve-out": "empty", "accept-in": "accept_form", "reject": "reject_form", "cancel": "empty"}
    ),
    "graduation-batch-list": Route(None, ("GET", "POST"), api=True, payload="graduation_api"),
    "graduation-batch-detail": Route("graduation_batch", api=True),
    "graduation-batch-overdue": Route(None, api=True),
    "age-out-list": Route(None, api=True),
    "age-out-detail": Route("person", api=True),
    "age-out-confirm": Route(None, ("POST",), api=True, payload="age_out_api"),
    "recruitment-list": Route(None, ("GET", "POST"), api=True, payload="recruitment_api"),
    "recruitment-detail": Route("recruitment", api=True),
    **{
        f"recruitment-{step}": Route("recruitment", ("POST",), api=True, payload="recruitment_step_api")
        for step in (
            "name-activist",
            "record-training",
            "choose-candidate",
            "precheck",
            "record-vote",
            "approve",
            "record-oath",
            "withdraw",
        )
    },
    "recommendation-list": Route(None, ("GET", "POST"), api=True, payload="recommendation_api"),
    "recommendation-detail": Route("recommendation", api=True),
    **{
        f"recommendation-{step}": Route("recommendation", ("POST",), api=True, payload="recommendation_step_api")
        for step in ("record-vote", "approve", "hand-over", "record-outcome", "withdraw")
    },
    "dues-payment-list": Route(None, api=True),
    "dues-payment-detail": Route("dues_payment", ("GET", "DELETE"), api=True, payload="empty"),
    "dues-payment-mark-paid": Route(None, ("POST",), api=True, payload="dues_mark_api"),
    "review-list": Route(None, ("GET", "POST"), api=True, payload="review_open"),
    "review-detail": Route("review", api=True),
    **_api_steps(
        "review",
        {
            "grade": "review_grades_api",
            "submit": "review_submit",
            "approve": "empty",
            "return-for-changes": "reject_form",
            "register": "review_register",
            "defer": "review_defer",
        },
    ),
    "checklist-item-list": Route(None, ("GET", "POST"), api=True, payload="checklist_item_api"),
    "checklist-item-detail": Route("checklist_item", api=True),
    "checklist-item-note": Route("checklist_item", ("POST",), api=True, payload="checklist_note_api"),
    **{
        f"checklist-item-{step}": Route("checklist_item", ("POST",), api=True, payload="empty")
        for step in ("request-closing", "verify", "reopen")
    },
    "lapse-list": Route(None, api=True),
    "lapse-detail": Route("person", api=True),
    "lapse-case-list": Route(None, ("GET", "POST"), api=True, payload="lapse_api"),
    "lapse-case-detail": Route("lapse_case", api=True),
    "lapse-case-approve": Route("lapse_case", ("POST",), api=True, payload="empty"),
    "lapse-case-reject": Route("lapse_case", ("POST",), api=True, payload="reject_form"),
    # points API (points/api.py)
    "point-entry-list": Route(None, api=True),
    "point-entry-detail": Route("point_entry", api=True),
    "point-claim-list": Route(None, ("GET", "POST"), api=True, payload="points_claim_api"),
    "point-claim-detail": Route("point_claim", api=True),
    "point-claim-review": Route("point_claim", ("POST",), api=True, payload="points_review_form"),
    "point-claim-withdraw": Route("point_claim", ("POST",), api=True, payload="empty"),
    "point-month-list": Route(None, api=True),
    "point-month-open": Route(None, ("POST",), api=True, payload="points_month_open_api"),
    "point-month-detail": Route("point_cycle", api=True),
    "point-month-publish": Route("point_cycle", ("POST",), api=True, payload="empty"),
    "point-month-reopen": Route("point_cycle", ("POST",), api=True, payload="empty"),
    "point-month-confirm": Route("point_cycle", ("POST",), api=True, payload="points_confirm_api"),
    "point-entry-correct": Route("point_entry", ("POST",), api=True, payload="points_correction_api"),
    "point-objection-list": Route(None, ("GET", "POST"), api=True, payload="points_objection_api"),
    "point-objection-detail": Route("point_objection", api=True),
    "point-objection-answer": Route("point_objection", ("POST",), api=True, payload="points_answer_form"),
    # the rules in force for an organisation; its admins (MANAGE) copy them for the subtree and change them
    "point-rules-list": Route(None, api=True),
    "point-rules-detail": Route("org", api=True),
    "point-rules-own": Route("org", ("POST",), api=True, payload="empty"),
    "point-rules-change-item": Route("org", ("POST",), api=True, payload="points_item_api"),
    "point-rules-change-scores": Route("org", ("POST",), api=True, payload="points_scores_api"),
    "meeting-list": Route(None, ("GET", "POST"), api=True, payload="meeting_api"),
    "meeting-detail": Route("meeting", api=True),
    "meeting-record": Route("meeting", ("POST",), api=True, payload="meeting_record_api"),
    "meeting-record-held": Route(None, ("POST",), api=True, payload="meeting_held_api"),
    "lesson-turn-list": Route(None, ("GET", "POST"), api=True, payload="lesson_turn_api", prepare="lesson_turn"),
    "lesson-turn-detail": Route("lesson_turn", ("GET", "PATCH"), api=True, payload="lesson_turn_patch_api"),
    "lesson-turn-rota": Route(None, ("POST",), api=True, payload="lesson_rota_api", prepare="lesson_turn"),
    # The roster search: the term in a JSON body, never in the URL (an org outside the scope answers 400).
    "person-search": Route(None, ("POST",), api=True, payload="person_search_api"),
    # points (points/views.py): the member's month, claims and their review, the branch's month and its steps
    "points:mine": Route(None),
    "points:claim_new": Route(None, ("GET", "POST"), payload="points_claim_form"),
    "points:claim": Route("point_claim"),
    "points:claim_review": Route("point_claim", ("POST",), payload="points_review_form"),
    "points:claim_withdraw": Route("point_claim", ("POST",), payload="empty"),
    "points:branch": Route("branch"),
    "points:subtree": Route("org"),
    "points:subtree_export": Route("org"),
    "points:branch_act": Route("branch", ("POST",), payload="points_publish_form"),
    "points:cycle": Route("point_cycle"),
    "points:my_branch": Route(None),
    "points:objection_new": Route(None, ("POST",), payload="points_objection_form", post_redirects=True),
    "points:objection": Route("point_objection"),
    "points:objection_answer": Route("point_objection", ("POST",), payload="points_answer_form"),
    "points:rules": Route("org"),
    "points:rule_edit": Route("org", ("GET", "POST"), payload="points_item_form"),
    "points:rule_scores": Route("org", ("GET", "POST"), payload="points_scores_form"),
    "points:rules_override": Route("org", ("POST",), payload="empty"),
    "points:entry_correct": Route("point_entry", ("GET", "POST"), payload="points_correction_form"),
    "points:history": Route(None),
    "orglife:board": Route(None),
    "orglife:board_export": Route(None),
    "orglife:requirements": Route(None, ("GET", "POST"), payload="empty"),
    "compliance": Route(None, api=True),
    # dashboards (issue 18): the page takes ?org= (the param sweep tries others' ids), the API the id
    "dashboard:org": Route(None),
    "dashboard:wall": Route(None),
    "dashboard-list": Route(None, api=True),
    "dashboard-detail": Route("org", api=True),
    # the annual report (issue 18): committee 1's report of this year, its files, its submission
    "dashboard:report": Route("org"),
    "dashboard:report_xlsx": Route("org"),
    "dashboard:report_pdf": Route("org"),
    "dashboard:report_submit": Route("org", ("POST",), payload="annual_report_form"),
    "annual-report-list": Route(None, api=True),
    "annual-report-detail": Route("org", api=True),
    "annual-report-submit": Route("org", ("POST",), api=True, payload="annual_report_api"),
    # the 三力一度 index (issue 18): the children's scores for any role holder who sees the organisation; its
    # weights (a new version) and its rankings switch are its admins' (MANAGE)
    "dashboard:index": Route("org"),
    "dashboard:index_weights": Route("org", ("GET", "POST"), payload="index_weights_form"),
    "dashboard:index_rankings": Route("org", ("POST",), payload="index_rankings_form"),
    "dashboard:index_stars": Route("org", ("POST",), payload="index_stars_form"),
    "index-list": Route(None, api=True),
    "index-detail": Route("org", api=True),
    "index-weights": Route("org", ("GET", "POST"), api=True, payload="index_weights_api"),
    "index-rankings": Route("org", ("POST",), api=True, payload="index_rankings_api"),
    # display links of the wall display (issue 18): an organisation's links and a new one (CHANGE on it), revoking
    # one; the screen's page and figures are in PUBLIC
    "dashboard:wall_links": Route("org", ("GET", "POST"), payload="wall_display_form"),
    "dashboard:wall_link_revoke": Route("wall_display", ("POST",), payload="empty"),
    "wall-display-list": Route(None, ("GET", "POST"), api=True, payload="wall_display_api", prepare="wall_display"),
    "wall-display-detail": Route("wall_display", api=True),
    "wall-display-revoke": Route("wall_display", ("POST",), api=True, payload="empty"),
    # personal data: minors' consent, the right-of-access file, anonymisation (the district admin's alone)
    "privacy:minors": Route(None),
    "privacy:consent_new": Route("person", ("GET", "POST"), payload="consent_form"),
    "privacy:consent_withdraw": Route("person", ("POST",), payload="empty"),
    "privacy:access_export": Route("person"),
    "privacy:anonymise": Route("person", ("GET", "POST"), payload="anonymise_form", insider="district"),
    # positions (阵地): venues and bookings (venues/views.py, venues/api.py); the public directory is in PUBLIC
    "venues:list": Route(None),
    "venues:create": Route(None, ("GET", "POST"), payload="venue_form"),
    "venues:search": Route(None),
    "venues:usage": Route(None),
    "venues:bookings": Route(None, prepare="venue"),
    "venues:detail": Route("venue"),
    "venues:book": Route("venue", ("GET", "POST"), payload="booking_form"),
    "venues:status": Route("venue", ("POST",), payload="venue_status_form"),
    "venues:closure": Route("venue", ("POST",), payload="closure_form"),
    "venues:edit": Route("venue", ("GET", "POST"), payload="venue_edit_form"),
    "venues:photo_add": Route("venue", ("POST",), payload="venue_photo_upload"),
    "venues:photo": Route("venue_photo"),
    "venues:photo_remove": Route("venue_photo", ("POST",), payload="empty"),
    "venues:closure_remove": Route("venue", ("POST",), payload="closure_remove_form", prepare="closure"),
    "venues:booking": Route("booking"),
    "venues:booking_cancel": Route("booking", ("POST",), payload="empty"),
    "venues:booking_activity": Route("booking", ("POST",), payload="booking_activity", prepare="activity_link"),
    "venues:booking_add_back": Route("skipped_booking", ("POST",), payload="empty"),
    "venue-list": Route(None, ("GET", "POST"), api=True, payload="venue_api"),
    "venue-detail": Route("venue", ("GET", "PATCH"), api=True, payload="venue_patch_api"),
    "venue-closures": Route("venue", ("POST",), api=True, payload="closure_form"),
    "venue-free": Route(None, api=True, prepare="venue"),
    "booking-list": Route(None, ("GET", "POST"), api=True, payload="booking_api", prepare="venue"),
    "booking-detail": Route("booking", api=True),
    "booking-cancel": Route("booking", ("POST",), api=True, payload="empty"),
    "booking-add-back": Route("skipped_booking", ("POST",), api=True, payload="empty"),
    "booking-link-activity": Route("booking", ("POST",), api=True, payload="booking_activity", prepare="activity_link"),
    "booking-series": Route(None, ("POST",), api=True, payload="booking_series_api", prepare="venue"),
    # honours and brands (venues/views.py, venues/api.py)
    "venues:honours": Route(None, prepare="honour"),
    "venues:honours_export": Route(None, prepare="honour"),
    "venues:honour_award": Route(None, ("GET", "POST"), payload="honour_form"),
    "venues:honour": Route("honour"),
    "venues:honour_certificate": Route("honour"),
    "venues:honour_act": Route("honour", ("POST",), payload="honour_review_form"),
    "honour-list": Route(None, ("GET", "POST"), api=True, payload="honour_api", prepare="honour"),
    "honour-detail": Route("honour", api=True),
    "honour-counts": Route(None, api=True, prepare="honour"),
    **_api_steps("honour", {"review": "empty", "confirm": "empty", "revoke": "honour_revoke_api"}),
    # league deputies' studios (deputies/views.py, deputies/api.py): person a1 of branch A, deputy to committee 1's
    # congress, and a request brought to her, just received
    "deputies:list": Route(None, prepare="deputy"),
    "deputies:congress_create": Route(None, ("GET", "POST"), payload="congress_form"),
    "deputies:deputy_add": Route(None, ("GET", "POST"), payload="deputy_form", prepare="deputy"),
    "deputies:requests": Route(None, prepare="deputy_request"),
    "deputies:deputy": Route("deputy"),
    "deputies:request_create": Route("deputy", ("GET", "POST"), payload="deputy_request_form"),
    "deputies:reception_create": Route("deputy", ("GET", "POST"), payload="reception_form"),
    "deputies:summary": Route("deputy"),
    "deputies:summary_export": Route("deputy"),
    "deputies:request": Route("deputy_request"),
    "deputies:request_reveal": Route("deputy_request", ("POST",), payload="empty"),
    "deputies:request_act": Route("deputy_request", ("POST",), payload="deputy_assign_form"),
    "deputy-list": Route(None, ("GET", "POST"), api=True, payload="deputy_api", prepare="deputy"),
    "deputy-detail": Route("deputy", api=True),
    "deputy-request-list": Route(
        None, ("GET", "POST"), api=True, payload="deputy_request_api", prepare="deputy_request"
    ),
    "deputy-request-detail": Route("deputy_request", api=True),
    "deputy-request-assign": Route("deputy_request", ("POST",), api=True, payload="deputy_assign_api"),
    "deputy-request-follow-up": Route("deputy_request", ("POST",), api=True, payload="deputy_follow_up_api"),
    "deputy-request-answer": Route("deputy_request", ("POST",), api=True, payload="deputy_answer_api"),
    "deputy-request-close": Route("deputy_request", ("POST",), api=True, payload="empty"),
    # donation drives (donations/views.py, donations/api.py): branch A's drive with a donation and a disbursement
    "donations:list": Route(None, prepare="donation_drive"),
    "donations:drive_create": Route(None, ("GET", "POST"), payload="drive_form"),
    "donations:drive": Route("donation_drive"),
    "donations:drive_close": Route("donation_drive", ("POST",), payload="empty"),
    "donations:donations": Route("donation_drive"),
    "donations:donation_create": Route("donation_drive", ("GET", "POST"), payload="donation_form"),
    "donations:disbursement_create": Route("donation_drive", ("GET", "POST"), payload="disbursement_form"),
    "donations:export": Route("donation_drive"),
    "donations:donation_void": Route("donation", ("POST",), payload="void_form"),
    "donations:evidence": Route("disbursement_evidence"),
    "donation-drive-list": Route(None, ("GET", "POST"), api=True, payload="drive_api", prepare="donation_drive"),
    "donation-drive-detail": Route("donation_drive", api=True),
    "donation-drive-close": Route("donation_drive", ("POST",), api=True, payload="empty"),
    "donation-list": Route(None, ("GET", "POST"), api=True, payload="donation_api", prepare="donation"),
    "donation-detail": Route("donation", api=True),
    "donation-void": Route("donation", ("POST",), api=True, payload="void_form"),
    "disbursement-list": Route(None, ("GET", "POST"), api=True, payload="disbursement_api", prepare="disbursement"),
    "disbursement-detail": Route("disbursement", api=True),
    # activities (issue 15): an activity of branch A, a1's registration for it
    "activities:list": Route(None),
    "activities:mine": Route(None),
    "activities:hours": Route(None),
    "activities:hours_export": Route(None),
    "activities:create": Route(None, ("GET", "POST"), payload="activity_form"),
    "activities:detail": Route("activity"),
    "activities:register": Route("activity", ("POST",), payload="empty"),
    "activities:cancel": Route("activity", ("POST",), payload="empty"),
    "activities:code": Route("activity"),
    "activities:check": Route("activity", ("GET", "POST"), payload="check_form"),
    "activities:registration_confirm": Route("registration", ("POST",), payload="empty"),
    "activities:registration_decline": Route("registration", ("POST",), payload="reject_form"),
    "activities:registration_cancel": Route("registration", ("POST",), payload="empty"),
    "activities:registration_hours": Route("registration", ("GET", "POST"), payload="hours_form"),
    "activities:registration_certificate": Route("registration", ("POST",), payload="empty"),
    "activities:certificate": Route("certificate"),
    # the member's personal code, scanned or typed by the organiser; a1 asks for a correction of his hours
    "activities:my_code": Route(None),
    "activities:personal_check": Route("activity", ("GET", "POST"), payload="personal_check_form"),
    "activities:correction_request": Route("registration", ("GET", "POST"), payload="correction_form"),
    "activities:correction": Route("hours_correction"),
    "activities:correction_decide": Route("hours_correction", ("POST",), payload="correction_decide_form"),
    "hours-correction-list": Route(None, api=True),
    "hours-correction-detail": Route("hours_correction", api=True),
    "hours-correction-decide": Route("hours_correction", ("POST",), api=True, payload="correction_decide_api"),
    "certificate-list": Route(None, ("GET", "POST"), api=True, payload="certificate_api"),
    "certificate-detail": Route("certificate", api=True),
    "activity-my-code": Route(None, api=True),
    "activities:wishes": Route(None),
    "activities:wish_detail": Route("wish"),
    "activities:wish_screen": Route("wish", ("POST",), payload="wish_screen_form"),
    "activities:wish_claim": Route("wish", ("POST",), payload="empty"),
    "activities:wish_fulfil": Route("wish", ("POST",), payload="wish_fulfil_form"),
    "activities:wish_close": Route("wish", ("POST",), payload="empty"),
    "wish-list": Route(None, api=True),
    "wish-detail": Route("wish", api=True),
    **_api_steps(
        "wish", {"screen": "wish_screen_api", "claim": "empty", "fulfil": "wish_fulfil_form", "close": "empty"}
    ),
    "activity-list": Route(None, ("GET", "POST"), api=True, payload="activity_api"),
    "activity-detail": Route("activity", api=True),
    "activity-hours": Route(None, api=True),
    **_api_steps(
        "activity",
        {
            "register": "empty",
            "check-in": "check_api",
            "check-out": "check_api",
            "cancel": "empty",
            "personal-check-in": "check_api",
            "personal-check-out": "check_api",
        },
    ),
    "registration-list": Route(None, api=True),
    "registration-detail": Route("registration", api=True),
    **_api_steps(
        "registration",
        {
            "confirm": "empty",
            "decline": "reject_form",
            "cancel": "empty",
            "supplementary-hours": "hours_form",
            "request-correction": "correction_form",
        },
    ),
    # community reporting (双报到双报告, community/views.py, community/api.py): a1 registered with branch A as his
    # community, branch A's need, a1's take-up and report; the member registers himself (SELF_SERVICE)
    "community:index": Route(None, prepare="community_report"),
    "community:mine": Route(None),
    "community:person_register": Route("person", ("GET", "POST"), payload="community_register_form"),
    "community:org_register": Route("org", ("GET", "POST"), payload="community_register_form"),
    "community:unit": Route("org"),
    "community:community": Route("org"),
    "community:need_create": Route("org", ("GET", "POST"), payload="community_need_form"),
    "community:need": Route("community_need"),
    "community:need_take_up": Route(
        "community_need", ("POST",), payload="community_take_up_form", prepare="community_registration"
    ),
    "community:need_report": Route(
        "community_need", ("POST",), payload="community_report_form", prepare="community_registration"
    ),
    "community:need_close": Route("community_need", ("POST",), payload="empty"),
    "community:registration": Route("community_registration"),
    "community:registration_export": Route("community_registration"),
    "community:registration_end": Route("community_registration", ("POST",), payload="empty"),
    "community-registration-list": Route(
        None, ("GET", "POST"), api=True, payload="community_register_api", prepare="community_report"
    ),
    "community-registration-detail": Route("community_registration", api=True),
    "community-registration-end": Route("community_registration", ("POST",), api=True, payload="empty"),
    "service-need-list": Route(
        None, ("GET", "POST"), api=True, payload="community_need_api", prepare="community_report"
    ),
    "service-need-detail": Route("community_need", api=True),
    "service-need-take-up": Route(
        "community_need", ("POST",), api=True, payload="community_take_up_form", prepare="community_registration"
    ),
    "service-need-close": Route("community_need", ("POST",), api=True, payload="empty"),
    "service-report-list": Route(
        None, ("GET", "POST"), api=True, payload="community_report_api", prepare="community_report"
    ),
    "service-report-detail": Route("community_report", api=True),
    # a free-standing report (no posted need), a report's page and photo, the community acknowledges or sends back
    "community:report_new": Route("community_registration", ("GET", "POST"), payload="community_free_report_form"),
    "community:report": Route("community_report"),
    "community:report_acknowledge": Route("community_report", ("POST",), payload="empty"),
    "community:report_send_back": Route("community_report", ("POST",), payload="community_send_back_form"),
    "community:report_resubmit": Route("community_report", ("POST",), payload="community_free_report_form"),
    "community:report_photo": Route("community_report_photo"),
    "service-report-acknowledge": Route("community_report", ("POST",), api=True, payload="empty"),
    "service-report-send-back": Route("community_report", ("POST",), api=True, payload="community_send_back_form"),
    "service-report-resubmit": Route("community_report", ("POST",), api=True, payload="community_free_report_form"),
    # study (issue 14): the targets are branch A's campaign for party members (a2, a league member, is not in
    # its audience), its period with a video, a1's open attempt and a1's participation
    "study:mine": Route(None),
    "study:checkins": Route(None, ("GET", "POST"), payload="empty"),
    "study:campaigns": Route(None, ("GET", "POST"), payload="study_campaign_form"),
    "study:campaign": Route("study_campaign", ("GET", "POST"), payload="empty"),
    "study:campaign_edit": Route("study_campaign", ("GET", "POST"), payload="study_campaign_edit_form"),
    "study:campaign_deactivate": Route("study_campaign", ("POST",), payload="empty"),
    "study:campaign_reactivate": Route("study_campaign", ("POST",), payload="empty"),
    "study:period": Route("study_period"),
    "study:start": Route("study_period", ("POST",), payload="empty"),
    "study:video": Route("study_period"),
    "study:drill": Route("study_period"),
    "study:drill_export": Route("study_period"),
    "study:upload": Route("study_period", ("POST",), payload="empty"),
    "study:import": Route("study_period", ("POST",), payload="empty"),
    "study:attempt": Route("study_attempt", ("GET", "POST"), payload="empty"),
    "study:result": Route("study_attempt"),
    "study:receipt": Route("study_participation"),
    "study-period-list": Route(None, ("GET", "POST"), api=True, payload="study_period_api", prepare="study_campaign"),
    # the campaigns and their question bank (the question: one of branch A's campaign, with its answer key)
    "study-campaign-list": Route(None, ("GET", "POST"), api=True, payload="study_campaign_api"),
    "study-campaign-detail": Route("study_campaign", ("GET", "PATCH"), api=True, payload="study_campaign_patch_api"),
    "study-campaign-deactivate": Route("study_campaign", ("POST",), api=True, payload="empty"),
    "study-campaign-reactivate": Route("study_campaign", ("POST",), api=True, payload="empty"),
    "study-question-list": Route(
        None, ("GET", "POST"), api=True, payload="study_question_api", prepare="study_campaign"
    ),
    "study-question-detail": Route("study_question", ("GET", "PATCH"), api=True, payload="study_question_patch_api"),
    "study-period-detail": Route("study_period", api=True),
    "study-attempt-list": Route(None, ("GET", "POST"), api=True, payload="study_start_api"),
    "study-attempt-detail": Route("study_attempt", api=True),
    "study-attempt-submit": Route("study_attempt", ("POST",), api=True, payload="study_submit_api"),
    "study-participation-list": Route(None, api=True),
    "study-participation-detail": Route("study_participation", api=True),
    "study-period-rates": Route("study_period", api=True),
    "study-period-video": Route("study_period", ("POST",), api=True, payload="empty"),
    "study-checkin-list": Route(None, ("GET", "POST"), api=True, payload="empty"),
    "study-checkin-detail": Route("study_checkin", api=True, insider="member"),  # his own log: no role reads it
    "study-participation-verify": Route(None, ("POST",), api=True, payload="empty"),
    # study notes (微心得): the target is a1's note in branch A with its image; the member (a2, of branch A) reads it
    # and comments (test_scope_matrix.BRANCH_READERS), and posts his own note (MEMBER_POSTS)
    "study:notes": Route(None, ("GET", "POST"), payload="study_note_form"),
    "study:note_counts": Route(None),
    "study:note": Route("study_note"),
    "study:note_image": Route("study_note"),
    "study:note_comment": Route("study_note", ("POST",), payload="study_note_comment"),
    "study:note_delete": Route("study_note", ("POST",), payload="empty"),
    "study:note_feature": Route("study_note", ("POST",), payload="empty"),
    "study:note_unfeature": Route("study_note", ("POST",), payload="empty"),
    "study:note_hide": Route("study_note", ("POST",), payload="study_note_hide"),
    "study:note_restore": Route("study_note", ("POST",), payload="empty"),
    "study-note-list": Route(None, ("GET", "POST"), api=True, payload="study_note_form"),
    "study-note-detail": Route("study_note", api=True),
    "study-note-comment": Route("study_note", ("POST",), api=True, payload="study_note_comment"),
    "study-note-feature": Route("study_note", ("POST",), api=True, payload="empty"),
    "study-note-unfeature": Route("study_note", ("POST",), api=True, payload="empty"),
    "study-note-hide": Route("study_note", ("POST",), api=True, payload="study_note_hide"),
    "study-note-restore": Route("study_note", ("POST",), api=True, payload="empty"),
    "study-note-delete-note": Route("study_note", ("POST",), api=True, payload="empty"),
}

# Target kinds a member reads in his own branch (a study note is the branch's to read and comment on): the walk's
# "member" (a2, of branch A) is no outsider to them; the scope matrix says what he reaches there, and that branch
# B's are 404 to him.
BRANCH_READ_KINDS = {"study_note"}

# API lists whose rows are people (their ids are compared with committee 1's people, not its organisations).
PERSON_ROW_ROUTES = ("person", "lapse")
FILLABLE_PARAMS = {"pk", "key", "format", "month"}
OBJECT_PARAMS = {"pk", "key"}  # a route with one of these has a target


# --- enumerating the URLconf -------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    name: str
    pattern: str
    params: tuple[str, ...]
    callback: Any

    @property
    def id(self) -> str:
        return f"{self.name}[{','.join(self.params)}]" if self.params else self.name


def _params(entry: URLPattern | URLResolver) -> tuple[str, ...]:
    pattern = entry.pattern
    if isinstance(pattern, RoutePattern):
        return tuple(pattern.converters)
    return tuple(pattern.regex.groupindex)


def walk(patterns, prefix: str = "", namespace: str = "", params: tuple[str, ...] = ()) -> Iterator[Found]:
    for entry in patterns:
        text = prefix + str(entry.pattern).lstrip("^")
        if text.startswith(SKIPPED_PREFIXES):
            continue
        here = (*params, *_params(entry))
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry.url_patterns, text, ns, here)
        else:
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Found(name or f"<unnamed {text}>", text, here, entry.callback)


FOUND = list(walk(get_resolver().url_patterns))
WALKED = [f for f in FOUND if f.name in ROUTES]
OBJECT_ROUTES = [f for f in WALKED if ROUTES[f.name].target]
COLLECTION_ROUTES = [f for f in WALKED if not ROUTES[f.name].target]


# --- filling parameters and payloads -------------------------------------------------------------------


def prepare(route: Route, tree) -> None:
    """Make the route's ``prepare`` target in ``tree`` (the walk's, or the scope matrix's mirror) before rows
    are counted."""
    if route.prepare == "transfer":
        _transfer_of_a1(tree)
    if route.prepare == "notification":  # committee_admin's, naming branch A: no one else's list shows it
        _notification_of_committee_admin()
    if route.prepare == "venue":  # branch A's venue with a booking, named by the payloads
        _booking_of_branch_a(tree)
    if route.prepare == "closure":  # a closure of branch A's venue, named by the payload
        _closure_of_branch_a(tree)
    if route.prepare == "activity_link":  # branch A's activity, which its booking is linked to
        _activity_of_branch_a(tree)
    if route.prepare == "honour":  # branch A's brand: no list outside committee 1 shows it
        _honour_of_branch_a(tree)
    if route.prepare == "wall_display":  # branch A's display link: no list outside committee 1 shows it
        _wall_display_of_branch_a(tree)
    if route.prepare == "deputy":  # a1, deputy to committee 1's congress: no list outside committee 1 shows her
        _deputy_of_branch_a(tree)
    if route.prepare == "deputy_request":  # a request to a1: no list outside committee 1 shows it
        _deputy_request_of_branch_a(tree)
    if route.prepare == "donation_drive":  # branch A's drive: no list outside committee 1 shows it
        _donation_drive_of_branch_a(tree)
    if route.prepare == "donation":  # a donation to it, named by the payloads
        _donation_of_branch_a(tree)
    if route.prepare == "disbursement":
        _disbursement_of_branch_a(tree)
    if route.prepare == "community_registration":  # a1's registration with branch A, named by the payload
        _community_registration_of_a1(tree)
    if route.prepare == "community_report":  # a1's report to branch A: no list outside committee 1 shows it
        _community_report_of_a1(tree)
    if route.prepare == "lesson_turn":  # a1's turn in branch A: no list outside committee 1 (nor a2's) shows it
        _lesson_turn_of_branch_a(tree)
    if route.prepare == "study_campaign":  # branch A's campaign and its question, named by the payloads
        _study_period_of_branch_a(tree)


def url_for(found: Found, tree) -> str:
    route = ROUTES[found.name]
    kwargs: dict[str, Any] = {}
    if "pk" in found.params:
        kwargs["pk"] = _target_pk(route.target, tree)
    prepare(route, tree)
    if "key" in found.params and route.target == "rule":
        kwargs["key"] = "league_max_age"
    if "month" in found.params:  # a dues ledger's month (yyyy-mm)
        kwargs["month"] = "2025-01"
    if "format" in found.params:
        kwargs["format"] = "json"
    return reverse(found.name, kwargs=kwargs)


def _target_pk(target: str | None, tree) -> int:
    """The primary key of the object a route's ``target`` names, made once per test where it needs making."""
    if target in ("org", "branch"):
        return (tree.committee1 if target == "org" else tree.branch_a).pk
    if target == "notification":
        return _notification_of_committee_admin()
    builders = {
        "cadre": _cadre_in_branch_a, "import": _import_for_branch_a, "transfer": _transfer_of_a1,
        "recruitment": _recruitment_in_a, "recommendation": _recommendation_of_a1, "dues_payment": _dues_payment_of_a1,
        "lapse_case": _lapse_case_of_a1,
        "graduation_batch": _graduation_batch_of_branch_a, "review": _review_of_branch_a,
        "meeting": _meeting_of_branch_a, "meeting_attachment": _attachment_of_branch_a,
        "checklist_item": _checklist_item_of_branch_a, "checklist_attachment": _checklist_attachment_of_branch_a,
        "duty": _duty_of_branch_a, "venue": _venue_of_branch_a, "booking": _booking_of_branch_a,
        "venue_photo": _venue_photo_of_branch_a, "lesson_turn": _lesson_turn_of_branch_a,
        "skipped_booking": _skipped_booking_of_branch_a, "honour": _honour_of_branch_a,
        "deputy": _deputy_of_branch_a, "deputy_request": _deputy_request_of_branch_a,
        "donation_drive": _donation_drive_of_branch_a, "donation": _donation_of_branch_a,
        "disbursement": _disbursement_of_branch_a, "disbursement_evidence": _disbursement_evidence_of_branch_a,
        "community_registration": _community_registration_of_a1, "community_need": _community_need_of_branch_a,
        "community_report": _community_report_of_a1, "community_report_photo": _community_report_photo_of_a1,
        "activity": _activity_of_branch_a, "registration": _registration_of_a1,
        "certificate": _certificate_of_a1, "wish": _wish_of_branch_a, "hours_correction": _hours_correction_of_a1,
        "study_campaign": lambda tree: _study_period_of_branch_a(tree).campaign,
        "study_question": _study_question_of_branch_a,
        "study_period": _study_period_of_branch_a, "study_attempt": _study_attempt_of_a1,
        "study_participation": _study_participation_of_a1, "study_checkin": _study_checkin_of_a2,
        "study_note": _study_note_of_a1,
        "point_claim": _point_claim_of_a1, "point_cycle": _point_cycle_of_branch_a,
        "point_objection": _point_objection_of_a1,
        "point_entry": _point_entry_of_a1, "wall_display": _wall_display_of_branch_a,
    }  # fmt: skip
    builder = builders.get(target or "")
    return builder(tree).pk if builder else tree.people.a1.pk


def _dues_payment_of_a1(tree):
    """Person a1's league dues of January 2025, marked paid in branch A (made once per test)."""
    from tongxin.lifecycle.models import DuesPayment
    from tongxin.lifecycle.services.dues import mark_paid

    payment = DuesPayment.objects.filter(person=tree.people.a1).first()
    if payment is None:
        (payment,) = mark_paid(None, branch=tree.branch_a, kind="league", month=datetime.date(2025, 1, 1),
                               person_ids=[tree.people.a1.pk], paid_on=datetime.date(2025, 1, 10))  # fmt: skip
    return payment


def _cadre_in_branch_a(tree):
    """A current cadre position in branch A (the secretary: person a1), made once per test."""
    position = CadrePosition.objects.filter(organization=tree.branch_a, title="secretary", end__isnull=True).first()
    if position is None:
        position = appoint_cadre(
            None, person=tree.people.a1, organization=tree.branch_a, title="secretary", start=datetime.date(2024, 9, 1)
        )
    return position


def _import_file(tree) -> bytes:
    """A roster file adding one person to branch A, and a row with a bad ID number (so it has a report)."""
    good = person_data(tree.branch_a, name="导入新人")
    return "\n".join([
        "姓名,公民身份号码,所在团支部",
        f"{good['name']},{good['id_number']},{tree.branch_a.code}",
        f"坏号码,110101200001011234,{tree.branch_a.code}",
    ]).encode()  # fmt: skip


def _import_for_branch_a(tree):
    """A checked import by committee_admin (made once per test)."""
    from tongxin.core.imports import create_job, run_check
    from tongxin.core.models import ImportJob

    job = ImportJob.objects.filter(actor__username="committee_admin").first()
    if job is None:
        actor = User.objects.filter(username="committee_admin").first()  # None where no user is made
        job = create_job(actor, kind="roster", file_name="名册.csv", content=_import_file(tree), options={},
                         org_path=tree.committee1.path)  # fmt: skip
        run_check(job)
    return job


def _review_of_branch_a(tree):
    """Branch A's annual review of this year, open with its two members (made once per test): visible inside
    committee 1 only."""
    from tongxin.lifecycle.models import AnnualReview
    from tongxin.lifecycle.services.review import open_review

    review = AnnualReview.objects.filter(branch=tree.branch_a).first()
    if review is None:
        review = open_review(None, branch=tree.branch_a, year=timezone.localdate().year)
    return review


def _graduation_batch_of_branch_a(tree):
    """Branch A's graduation batch sending a2 on to committee 1 (made once per test): the batch is visible inside
    branch A's subtree only (its transfer from either side)."""
    from tongxin.lifecycle.models import GraduationBatch, GraduationDestination
    from tongxin.lifecycle.services.graduation import Assignment, send_graduates

    batch = GraduationBatch.objects.filter(branch=tree.branch_a).first()
    if batch is None:
        line = Assignment(tree.people.a2, GraduationDestination.COMMUNITY, tree.committee1)
        batch = send_graduates(None, branch=tree.branch_a, graduation_date=datetime.date(2026, 7, 1),
                               assignments=[line])  # fmt: skip
    return batch


def _transfer_of_a1(tree):
    """Person a1 on the way from branch A to committee 1 (which assigns a branch): visible inside committee 1
    only, so secretary B (a sibling branch) must not see it either."""
    from tongxin.lifecycle.models import Transfer, TransferReason, TransferSide
    from tongxin.lifecycle.services.transfers import start_transfer

    transfer = Transfer.objects.filter(person=tree.people.a1).first()
    if transfer is None:
        transfer = start_transfer(None, person=tree.people.a1, to_org=tree.committee1, side=TransferSide.SENDING,
                                  reason=TransferReason.OTHER)  # fmt: skip
    return transfer


def _meeting_of_branch_a(tree):
    """A league day of branch A planned for an hour ago (made once per test): visible inside committee 1 only."""
    from django.utils import timezone

    from tongxin.orglife.models import Meeting
    from tongxin.orglife.services.meetings import plan_meeting

    meeting = Meeting.objects.filter(organization=tree.branch_a).first()
    if meeting is None:
        meeting = plan_meeting(None, organization=tree.branch_a, kind="league_day", topic="甲团日",
                               starts_at=timezone.now() - datetime.timedelta(hours=1))  # fmt: skip
    return meeting


def _attachment_of_branch_a(tree):
    """A PDF attached to branch A's meeting (made once per test)."""
    from tongxin.orglife.models import Attachment
    from tongxin.orglife.services.meetings import add_attachment

    attachment = Attachment.objects.filter(meeting__organization=tree.branch_a).first()
    if attachment is None:
        attachment = add_attachment(None, _meeting_of_branch_a(tree), file_name="甲.pdf", content=b"%PDF-1.4\n")
    return attachment


def _checklist_item_of_branch_a(tree):
    """An overdue project item of branch A, owned by nobody with a login (made once per test)."""
    from tongxin.orglife.models import ChecklistItem
    from tongxin.orglife.services.checklists import add_item

    item = ChecklistItem.objects.filter(organization=tree.branch_a).first()
    if item is None:
        item = add_item(None, organization=tree.branch_a, kind="project", content="甲支部项目",
                        deadline=datetime.date(2025, 1, 1))  # fmt: skip
    return item


def _checklist_attachment_of_branch_a(tree):
    """A PDF of evidence on branch A's item (made once per test)."""
    from tongxin.orglife.models import Attachment
    from tongxin.orglife.services.checklists import add_note

    attachment = Attachment.objects.filter(note__item__organization=tree.branch_a).first()
    if attachment is None:
        add_note(None, _checklist_item_of_branch_a(tree), text="甲进展", files=[("甲.pdf", b"%PDF-1.4\n")])
        attachment = Attachment.objects.get(note__item__organization=tree.branch_a)
    return attachment


def _lesson_turn_of_branch_a(tree):
    """a1 gives branch A's league lesson of this year's first quarter (made once per test): seen inside committee 1
    and by a1, not by a2 (the member)."""
    from tongxin.orglife.models import LessonTurn
    from tongxin.orglife.services.lessons import plan_turn

    turn = LessonTurn.objects.filter(organization=tree.branch_a).first()
    if turn is None:
        turn = plan_turn(None, organization=tree.branch_a, year=timezone.localdate().year, quarter=1,
                         kind="league_lesson", lecturer=tree.people.a1)  # fmt: skip
    return turn


def _duty_of_branch_a(tree):
    """Person a1's duty in branch A (made once per test)."""
    from tongxin.orglife.models import Duty
    from tongxin.orglife.services.checklists import set_duty

    duty = Duty.objects.filter(organization=tree.branch_a).first()
    if duty is None:
        duty = set_duty(None, organization=tree.branch_a, person=tree.people.a1, post="书记",
                        responsibilities="全面工作")  # fmt: skip
    return duty


def _venue_day(weeks: int = 3) -> datetime.date:
    """A Saturday a few weeks ahead (inside the plan window): the walk's bookings are on it."""
    today = timezone.localdate()
    return today + datetime.timedelta(days=(5 - today.weekday()) % 7 + 7 * weeks)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _wall_display_of_branch_a(tree):
    """A display link of branch A's wall display (made once per test)."""
    from tongxin.dashboard.display.models import WallDisplay
    from tongxin.dashboard.display.services import create_display

    display = WallDisplay.objects.filter(organization=tree.branch_a).first()
    if display is None:
        display, _token = create_display(None, tree.branch_a, label="甲支部会议室大屏")
    return display


def _venue_of_branch_a(tree):
    """A youth home hosted by branch A, open every day 09:00–21:00 for 40 (made once per test): seen by branch A
    and the organisations above it, not by branch B."""
    from tongxin.venues.models import Venue
    from tongxin.venues.services import create_venue

    venue = Venue.objects.filter(host=tree.branch_a).first()
    if venue is None:
        venue = create_venue(None, host=tree.branch_a, name="甲支部青年之家", kind="youth_home", address="甲路1号",
                             opens_at=datetime.time(9), closes_at=datetime.time(21), open_days="1234567",
                             capacity=40)  # fmt: skip
    return venue


def _venue_photo_of_branch_a(tree):
    """A photo of branch A's venue (made once per test)."""
    from tongxin.venues.models import VenuePhoto
    from tongxin.venues.services import add_venue_photo

    photo = VenuePhoto.objects.filter(venue__host=tree.branch_a).first()
    if photo is None:
        photo = add_venue_photo(None, _venue_of_branch_a(tree), file_name="甲之家.png", content=PNG_BYTES)
    return photo


def _closure_of_branch_a(tree):
    """A closure of branch A's venue, on a Saturday ten weeks ahead (made once per test): its host may take it back."""
    from tongxin.venues.models import VenueClosure
    from tongxin.venues.services import add_closure

    venue = _venue_of_branch_a(tree)
    closure = VenueClosure.objects.filter(venue=venue).first()
    if closure is None:
        day = _venue_day(10)
        closure = add_closure(None, venue, starts_on=day, ends_on=day, reason="甲之家检修")
    return closure


def _booking_of_branch_a(tree):
    """Branch A's booking of its venue, 09:00–11:00 on the walk's Saturday (made once per test)."""
    from tongxin.venues.models import Booking
    from tongxin.venues.services import book

    booking = Booking.objects.filter(organization=tree.branch_a, series=None).first()
    if booking is None:
        day = _venue_day()
        booking = book(None, venue=_venue_of_branch_a(tree), organization=tree.branch_a, starts_at=_at(day, 9),
                       ends_at=_at(day, 11), purpose="甲支部团日", expected_attendance=10)  # fmt: skip
    return booking


def _skipped_booking_of_branch_a(tree):
    """A date of branch A's monthly salon left out when booking (made once per test): it may be added back."""
    from tongxin.venues.models import Booking
    from tongxin.venues.services import book_series

    booking = Booking.objects.filter(organization=tree.branch_a, status="skipped").first()
    if booking is None:
        day = _venue_day(5)
        series = book_series(None, venue=_venue_of_branch_a(tree), organization=tree.branch_a,
                             starts_at=_at(day, 18), ends_at=_at(day, 20), frequency="monthly",
                             until=day + datetime.timedelta(days=40), purpose="甲支部青年沙龙",
                             expected_attendance=20, skip=[day])  # fmt: skip
        booking = series.bookings.get(status="skipped")
    return booking


def _honour_of_branch_a(tree):
    """Branch A's youth shock team brand with its certificate (a PDF), made once per test."""
    from tongxin.venues.models import Honour
    from tongxin.venues.services import award_honour

    honour = Honour.objects.filter(organization=tree.branch_a, person=None).first()
    if honour is None:
        honour = award_honour(None, organization=tree.branch_a, kind="shock_team", level="district", year=2024,
                              awarding_body="团区委", certificate=("甲证书.pdf", b"%PDF-1.4\n"))  # fmt: skip
    return honour


def _deputies_studio(tree):
    """Committee 1's league deputies' studio (made once per test): seen by committee 1 and the branches below."""
    from tongxin.venues.models import Venue
    from tongxin.venues.services import create_venue

    studio = Venue.objects.filter(host=tree.committee1, kind="deputy_studio").first()
    if studio is None:
        studio = create_venue(None, host=tree.committee1, name="一委团代表工作室", kind="deputy_studio",
                              address="甲路2号", opens_at=datetime.time(9), closes_at=datetime.time(17),
                              open_days="12345", capacity=15)  # fmt: skip
    return studio


def _deputy_of_branch_a(tree):
    """Person a1 of branch A, deputy to committee 1's congress at its studio (made once per test): seen inside
    branch A and from committee 1, not from branch B."""
    from tongxin.deputies.models import Congress, Deputy
    from tongxin.deputies.services import create_congress, elect_deputy

    deputy = Deputy.objects.filter(person=tree.people.a1).first()
    if deputy is None:
        congress = Congress.objects.filter(organization=tree.committee1).first()
        if congress is None:
            today = timezone.localdate()
            congress = create_congress(None, organization=tree.committee1, name="一委第三次团代会",
                                       term_start=today - datetime.timedelta(days=400),
                                       term_end=today + datetime.timedelta(days=700))  # fmt: skip
        deputy = elect_deputy(None, congress=congress, person=tree.people.a1, studio=_deputies_studio(tree))
    return deputy


def _deputy_request_of_branch_a(tree):
    """A young person's request to a1 the deputy, just received (made once per test)."""
    from tongxin.deputies.models import ConstituentRequest
    from tongxin.deputies.services import record_request

    deputy = _deputy_of_branch_a(tree)
    row = ConstituentRequest.objects.filter(deputy=deputy).first()
    if row is None:
        row = record_request(None, deputy, name="青年甲", phone="13800000002", subject="甲的诉求", content="求职指导")
    return row


def _donation_drive_of_branch_a(tree):
    """Branch A's donation drive, open from ten days ago (made once per test): seen inside committee 1 only."""
    from tongxin.donations.models import DonationDrive
    from tongxin.donations.services import create_drive

    drive = DonationDrive.objects.filter(organization=tree.branch_a).first()
    if drive is None:
        today = timezone.localdate()
        drive = create_drive(None, organization=tree.branch_a, title="甲支部助学募捐", partner="青基会",
                             goal="10000", starts_on=today - datetime.timedelta(days=10),
                             ends_on=today + datetime.timedelta(days=20), beneficiaries="随迁子女")  # fmt: skip
    return drive


def _donation_of_branch_a(tree):
    """A donation of 1,000 yuan to branch A's drive (made once per test)."""
    from tongxin.donations.models import Donation
    from tongxin.donations.services import record_donation

    drive = _donation_drive_of_branch_a(tree)
    row = Donation.objects.filter(drive=drive).order_by("id").first()
    if row is None:
        row = record_donation(None, drive, donor_kind="person", donor_name="甲捐赠人", amount="1000",
                              donated_on=timezone.localdate(), receipt_number="甲-0001")  # fmt: skip
    return row


def _disbursement_of_branch_a(tree):
    """A disbursement of 100 yuan from branch A's drive, with a PDF as evidence (made once per test)."""
    from tongxin.donations.models import Disbursement
    from tongxin.donations.services import record_disbursement

    drive = _donation_of_branch_a(tree).drive
    row = Disbursement.objects.filter(drive=drive).order_by("id").first()
    if row is None:
        row = record_disbursement(None, drive, amount="100", disbursed_on=timezone.localdate(), purpose="甲书包",
                                  recipient="甲学校", evidence=("甲收据.pdf", b"%PDF-1.4\n"))  # fmt: skip
    return row


def _disbursement_evidence_of_branch_a(tree):
    return _disbursement_of_branch_a(tree).evidence.get()


def _community_registration_of_a1(tree):
    """Person a1 registered with branch A as his community (made once per test): seen inside committee 1."""
    from tongxin.community.models import CommunityRegistration
    from tongxin.community.services import register

    row = CommunityRegistration.objects.filter(person=tree.people.a1, community=tree.branch_a).first()
    if row is None:
        row = register(None, community=tree.branch_a, person=tree.people.a1)
    return row


def _community_need_of_branch_a(tree):
    """A service need posted by branch A as a community (made once per test)."""
    from tongxin.community.models import ServiceNeed
    from tongxin.community.services import post_need

    need = ServiceNeed.objects.filter(community=tree.branch_a).first()
    if need is None:
        need = post_need(None, community=tree.branch_a, title="甲社区敬老探访", description="探访独居老人")
    return need


def _community_report_of_a1(tree):
    """a1's report of what he did on branch A's need, which he took up (made once per test)."""
    from tongxin.community.models import ServiceReport
    from tongxin.community.services import file_report, take_up

    registration = _community_registration_of_a1(tree)
    report = ServiceReport.objects.filter(registration=registration).first()
    if report is None:
        taken = take_up(None, _community_need_of_branch_a(tree), registration=registration)
        report = file_report(None, registration, content="甲探访了两位老人", take_up=taken)
    return report


def _community_report_photo_of_a1(tree):
    """A photo of a1's free-standing report to branch A (made once per test)."""
    from tongxin.community.models import ReportPhoto
    from tongxin.community.services import file_report

    photo = ReportPhoto.objects.filter(report__registration=_community_registration_of_a1(tree)).first()
    if photo is None:
        report = file_report(None, _community_registration_of_a1(tree), content="甲清理了楼道",
                             photos=[("楼道.png", PNG_BYTES)])  # fmt: skip
        photo = report.photos.get()
    return photo


def _activity_of_branch_a(tree):
    """A volunteer activity of branch A under way (an hour ago to two hours from now), for the party branch's
    members (made once per test): visible inside committee 1 only (the member a2 is not its audience)."""
    from tongxin.activities.models import Activity
    from tongxin.activities.services import create_activity

    activity = Activity.objects.filter(organization=tree.branch_a).first()
    if activity is None:
        start = timezone.now() - datetime.timedelta(hours=1)
        activity = create_activity(None, organization=tree.branch_a, kind="volunteer", title="甲支部志愿服务",
                                   starts_at=start, ends_at=start + datetime.timedelta(hours=3), capacity=5,
                                   audience=tree.party_branch)  # fmt: skip
    return activity


def _registration_of_a1(tree):
    """Person a1's registration for branch A's activity, awaiting confirmation (made once per test)."""
    from tongxin.activities.models import Registration
    from tongxin.activities.services import register

    activity = _activity_of_branch_a(tree)
    registration = Registration.objects.filter(activity=activity, person=tree.people.a1).first()
    if registration is None:
        registration = register(None, activity, tree.people.a1)
    return registration


def _certificate_of_a1(tree):
    """A certificate of a1's hours (1.5 supplementary at branch A's activity) issued by branch A (made once per
    test)."""
    from tongxin.activities.models import Certificate
    from tongxin.activities.services import confirm, issue_certificate, set_supplementary_hours

    certificate = Certificate.objects.filter(person=tree.people.a1, organization=tree.branch_a).first()
    if certificate is None:
        registration = _registration_of_a1(tree)
        if registration.status != "confirmed":  # the correction's builder may have confirmed it already
            registration = confirm(None, registration)
        set_supplementary_hours(None, registration, "1.5", "补录")
        certificate = issue_certificate(None, person=tree.people.a1, organization=tree.branch_a)
    return certificate


def _hours_correction_of_a1(tree):
    """a1's request to correct his hours at branch A's activity (his registration confirmed), awaiting the
    organiser's decision (made once per test)."""
    from tongxin.activities.models import HoursCorrection, RegistrationStatus
    from tongxin.activities.services import confirm, request_correction

    registration = _registration_of_a1(tree)
    correction = HoursCorrection.objects.filter(registration=registration).first()
    if correction is None:
        if registration.status != RegistrationStatus.CONFIRMED:
            registration = confirm(None, registration)
        correction = request_correction(None, registration, "忘记签退，请按实际时长更正")
    return correction


def _wish_of_branch_a(tree):
    """A resident's micro-wish to branch A's community, awaiting screening (made once per test): its contact is
    seen inside committee 1 only."""
    from tongxin.activities.models import Wish
    from tongxin.activities.services import submit_wish

    wish = Wish.objects.filter(community=tree.branch_a).first()
    if wish is None:
        wish = submit_wish(community=tree.branch_a, text="家里老人需要陪同就医", contact_name="居民甲",
                           contact_phone="13800000000")  # fmt: skip
    return wish


def _study_period_of_branch_a(tree):
    """Branch A's study campaign for party members (a2 is a league member: not in its audience), with one
    period open now and its video (made once per test)."""
    from tongxin.study import services as study
    from tongxin.study.models import StudyPeriod

    period = StudyPeriod.objects.filter(campaign__organization=tree.branch_a).first()
    if period is None:
        campaign = study.create_campaign(None, organization=tree.branch_a, title="党员学习", audience_statuses=["01"])
        question = study.add_question(None, campaign, kind="single", text="问题", options=["甲", "乙"], answer=[0])
        now = timezone.now()
        period = study.create_period(
            None, campaign, number=1, title="第一期", opens_at=now - datetime.timedelta(hours=1),
            closes_at=now + datetime.timedelta(days=1), questions=[question],
        )  # fmt: skip
        study.upload_video(None, period, file_name="v.mp4", content=b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    return period


def _study_question_of_branch_a(tree):
    """The question of branch A's campaign (its period asks it), made with the period."""
    return _study_period_of_branch_a(tree).questions.get()


def _study_attempt_of_a1(tree):
    """a1's open attempt at branch A's period (made here: a1 is outside its audience, and has no user)."""
    from tongxin.study.models import Attempt

    period = _study_period_of_branch_a(tree)
    attempt = Attempt.objects.filter(period=period, person=tree.people.a1).first()
    if attempt is None:
        attempt = Attempt.objects.create(
            period=period, person=tree.people.a1, org_path=tree.people.a1.org_path, seed=7,
            token=f"walk{tree.people.a1.pk}", question_ids=list(period.questions.values_list("pk", flat=True)),
            started_at=timezone.now(),
        )  # fmt: skip
    return attempt


def _study_participation_of_a1(tree):
    from tongxin.study.models import Participation

    period = _study_period_of_branch_a(tree)
    row, _created = Participation.objects.get_or_create(
        period=period, person=tree.people.a1,
        defaults={"org_path": tree.people.a1.org_path, "best_score": 80, "completed_at": timezone.now()},
    )  # fmt: skip
    return row


def _study_checkin_of_a2(tree):
    """A line of a2's own study log (a2 is the ``member`` user's person: the one who reaches it)."""
    from tongxin.study.models import CheckIn

    row = CheckIn.objects.filter(person=tree.people.a2).first()
    return row or CheckIn.objects.create(person=tree.people.a2, day=timezone.localdate(), what="学习党章", minutes=30)


def _study_note_of_a1(tree):
    """a1's study note in branch A, with an image (made here: a1 has no user), once per test."""
    from tongxin.study.models import StudyNote, StudyNoteImage

    a1 = tree.people.a1
    note = StudyNote.objects.filter(author=a1).first()
    if note is None:
        month = timezone.localdate().replace(day=1)
        note = StudyNote.objects.create(author=a1, organization_id=a1.branch_id, org_path=a1.org_path, month=month,
                                        text="学习了第一期，很受启发。")  # fmt: skip
        StudyNoteImage.objects.create(note=note, file_name="心得.png", content_type="image/png",
                                      size=len(PNG_BYTES), content=PNG_BYTES)  # fmt: skip
    return note


def _point_claim_of_a1(tree):
    """The post-duty item claimed for a1 this month by the system (filed as a secretary would), awaiting review
    (made once per test)."""
    from tongxin.points.defaults import install_now
    from tongxin.points.models import Claim, Rule
    from tongxin.points.services.cycle import submit_claim

    claim = Claim.objects.filter(person=tree.people.a1).first()
    if claim is None:
        install_now()
        rule = Rule.objects.get(rule_set__org_path="", rule_set__audience="league", key="duty")
        claim = submit_claim(None, person=tree.people.a1, rule=rule, evidence="甲支部岗位履职")
    return claim


def _point_entry_of_a1(tree):
    """The point a1 earned for attending a meeting of branch A, offered through the hooks (made once per test)."""
    from tongxin.core.achievements import Achievement, offer
    from tongxin.points.defaults import install_now
    from tongxin.points.models import PointEntry

    entry = PointEntry.objects.filter(person=tree.people.a1).first()
    if entry is None:
        install_now()
        offer(Achievement("orglife.attended", person_id=tree.people.a1.pk, org_path=tree.people.a1.org_path,
                          occurred_on=timezone.localdate(), source="walk.attendance:1"))  # fmt: skip
        entry = PointEntry.objects.get(person=tree.people.a1)
    return entry


def _point_duty_rule_id() -> int:
    from tongxin.points.defaults import install_now
    from tongxin.points.models import Rule

    install_now()
    return Rule.objects.get(rule_set__org_path="", rule_set__audience="league", key="duty").pk


def _next_month() -> str:
    """The month after this one, ``yyyy-mm`` (a rule change's first month)."""
    return f"{(timezone.localdate().replace(day=28) + datetime.timedelta(days=4)):%Y-%m}"


def _point_cycle_of_branch_a(tree):
    """Branch A's points of last month, published to the branch (made once per test)."""
    from tongxin.points.models import MonthCycle
    from tongxin.points.services.cycle import open_cycle, publish_month

    cycle = MonthCycle.objects.filter(organization=tree.branch_a).first()
    if cycle is None:
        last = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        cycle = publish_month(None, open_cycle(None, tree.branch_a, last))
    return cycle


def _point_objection_of_a1(tree):
    """a1's objection to branch A's published month (made once per test; a member's own write, so made here)."""
    from tongxin.points.models import Objection

    objection = Objection.objects.filter(person=tree.people.a1).first()
    if objection is None:
        cycle = _point_cycle_of_branch_a(tree)
        objection = Objection.objects.create(cycle=cycle, person=tree.people.a1, org_path=cycle.org_path,
                                             text="甲的异议", answer_by=timezone.localdate())  # fmt: skip
    return objection


def _recruitment_in_a(tree):
    """An application received by branch A (made once per test): visible inside committee 1 only."""
    from tongxin.core.testing import make_id_number, years_ago
    from tongxin.lifecycle.models import Recruitment
    from tongxin.lifecycle.services.recruitment import apply

    recruitment = Recruitment.objects.filter(branch=tree.branch_a).first()
    if recruitment is None:
        recruitment = apply(None, branch=tree.branch_a, name="甲申请人", id_number=make_id_number(years_ago(17)),
                            applied_on=timezone.localdate())  # fmt: skip
    return recruitment


def _recommendation_of_a1(tree):
    """Person a1 proposed for recommendation to the Party by branch A (made once per test). Branch A gets
    three more members first, so its 20% quota has a place."""
    from tongxin.lifecycle.models import PartyRecommendation
    from tongxin.lifecycle.services.recommendation import propose
    from tongxin.people.services import create_person

    rec = PartyRecommendation.objects.filter(person=tree.people.a1).first()
    if rec is None:
        for name in ("甲推三", "甲推四", "甲推五"):
            create_person(None, person_data(tree.branch_a, name=name))
        rec = propose(None, person=tree.people.a1, party_application_on=datetime.date(2024, 1, 1))
    return rec


def _lapse_case_of_a1(tree):
    """Person a1 (on the lapse list: no dues, no meeting) proposed for lapse by branch A's meeting of today (made
    once per test): visible inside committee 1 only; committee 1 decides."""
    from tongxin.lifecycle.models import LapseCase
    from tongxin.lifecycle.services.lapse import propose

    case = LapseCase.objects.filter(person=tree.people.a1).first()
    if case is None:
        case = propose(None, person=tree.people.a1, meeting_on=timezone.localdate(), note="连续六个月未参加组织生活")
    return case


def _notification_of_committee_admin() -> int:
    """A notification of committee_admin about branch A (made once per test); where no users are made, the id
    of none (the anonymous caller is sent to log in before anything is looked up)."""
    from tongxin.core.models import Notification

    recipient = User.objects.filter(username="committee_admin").first()
    if recipient is None:
        return 2**31 - 1
    notification = Notification.objects.filter(recipient=recipient).first()
    if notification is None:
        notification = Notification.objects.create(recipient=recipient, text="甲团支部 张甲一", url="/people/")
    return notification.pk


def _form_values(data: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in data.items():
        if value is None:
            out[key] = ""
        elif isinstance(value, datetime.date):
            out[key] = value.isoformat()
        elif hasattr(value, "pk"):
            out[key] = value.pk
        else:
            out[key] = value
    return out


def _index_weights() -> dict[str, Any]:
    """The index's default weights as a new version from next New Year's Day."""
    from tongxin.dashboard.index.indicators import DEFAULT_WEIGHTS

    return {"valid_from": f"{timezone.localdate().year + 1}-01-01", **DEFAULT_WEIGHTS}


PAYLOADS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "empty": lambda tree: {},
    "wall_display_form": lambda tree: {
        "label": "会议室大屏",
        "expires_on": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
    },
    "wall_display_api": lambda tree: {"organization": tree.branch_a.pk, "label": "会议室大屏"},
    "annual_report_form": lambda tree: {"year": timezone.localdate().year, "explain_members_end": "转出较多"},
    "annual_report_api": lambda tree: {"year": timezone.localdate().year, "explanations": {"members_end": "转出较多"}},
    "study_start_api": lambda tree: {"period": 2**31 - 1},  # no such period: refused for everyone
    "study_submit_api": lambda tree: {"token": "walk", "answers": {}},
    "study_note_form": lambda tree: {"text": "越权心得"},
    "study_note_comment": lambda tree: {"text": "越权评论"},
    "study_note_hide": lambda tree: {"reason": "越权隐藏"},
    "study_campaign_edit_form": lambda tree: {
        "title": "越权改名",
        "audience_statuses": ["01"],
        "tier_thresholds": "95",
    },
    "study_campaign_api": lambda tree: {
        "organization": tree.branch_a.pk,
        "title": "越权学习",
        "audience_statuses": ["03"],
        "tier_thresholds": "95",
    },
    "study_campaign_patch_api": lambda tree: {"title": "越权改名", "tier_thresholds": "95"},
    "study_question_api": lambda tree: {
        "campaign": _study_period_of_branch_a(tree).campaign_id,
        "kind": "single",
        "text": "越权问题",
        "options": ["甲", "乙"],
        "answer": [1],
        "category": "越权",
    },
    "study_question_patch_api": lambda tree: {"text": "越权改题", "explanation": "越权解析", "category": "越权"},
    "study_period_api": lambda tree: {
        "campaign": _study_period_of_branch_a(tree).campaign_id,
        "number": 2,
        "title": "越权一期",
        "opens_at": (timezone.now() + datetime.timedelta(days=1)).isoformat(),
        "closes_at": (timezone.now() + datetime.timedelta(days=2)).isoformat(),
        "questions": [_study_question_of_branch_a(tree).pk],
    },
    "study_campaign_form": lambda tree: {
        "organization": tree.committee1.pk,
        "title": "越权学习",
        "audience_statuses": ["03"],
        "tier_thresholds": "95",
    },
    "roster_search": lambda tree: {"q": tree.people.a1.name},
    "login_codes_form": lambda tree: {"person": [tree.people.a1.pk, tree.people.a2.pk, tree.people.b1.pk]},
    "org_form": lambda tree: {
        "kind": "branch",
        "name": "越权改名",
        "code": "WALK1",
        "category": "other",
        "status": "active",
        "new_parent_code": tree.committee2.code,
    },
    "org_api": lambda tree: {"parent": tree.committee1.pk, "kind": "branch", "name": "越权改名", "code": "WALK2"},
    "person_form": lambda tree: _form_values(person_data(tree.branch_a, name="越权新人", status="active")),
    "cadre_form": lambda tree: {
        "person_number": tree.people.a2.id_number,
        "title": "publicity",
        "start": "2025-09-01",
        "end": "2025-12-31",
    },
    "import_upload": lambda tree: {
        "kind": "roster",
        "org": tree.branch_a.pk,
        "file": SimpleUploadedFile("名册.csv", _import_file(tree), content_type="text/csv"),
    },
    "transfer_api": lambda tree: {"person": tree.people.a1.pk, "to_org": tree.committee2.pk, "reason": "other"},
    "graduation_form": lambda tree: {
        "graduation_date": "2026-07-01",
        f"pick-{tree.people.a1.pk}": "1",
        f"dest-{tree.people.a1.pk}": "employer",
        f"org-{tree.people.a1.pk}": "T2C",
    },
    "graduation_api": lambda tree: {
        "branch": tree.branch_a.pk,
        "graduation_date": "2026-07-01",
        "assignments": [{"person": tree.people.a1.pk, "destination": "employer", "to_org": tree.branch_c.pk}],
    },
    "transfer_ids": lambda tree: {"ids": [_transfer_of_a1(tree).pk]},
    "transfer_in": lambda tree: {
        "id_number": tree.people.a1.id_number,
        "to_org": tree.committee1.pk,
        "reason": "other",
    },
    "transfer_out": lambda tree: {"destination": tree.committee2.code, "reason": "other"},
    "accept_form": lambda tree: {"branch": tree.branch_b.pk},
    "reject_form": lambda tree: {"reason": "越权驳回"},
    "rule_form": lambda tree: {"value": "99"},
    "age_out_form": lambda tree: {"person_ids": [tree.people.a1.pk], "step": "confirm"},
    "age_out_api": lambda tree: {"person_ids": [tree.people.a1.pk]},
    "recruitment_form": lambda tree: {
        "branch": tree.branch_a.pk,
        "name": "越权申请",
        "id_number": "",
        "applied_on": timezone.localdate().isoformat(),
    },
    "recruitment_api": lambda tree: {
        "branch": tree.branch_a.pk,
        "name": "越权申请",
        "id_number": "11010120080101001X",
        "applied_on": timezone.localdate().isoformat(),
    },
    "recruitment_step_form": lambda tree: {"step": "name_activist", "step-on": timezone.localdate().isoformat()},
    "recruitment_withdraw_form": lambda tree: {"withdraw-reason": "越权撤回"},
    "recruitment_step_api": lambda tree: {"on": timezone.localdate().isoformat(), "reason": "越权"},
    "recommendation_form": lambda tree: {"party_application_on": "2024-01-01"},
    "recommendation_api": lambda tree: {"person": tree.people.a1.pk, "party_application_on": "2024-01-01"},
    "lapse_form": lambda tree: {"meeting_on": timezone.localdate().isoformat(), "note": "支部大会决定"},
    "lapse_api": lambda tree: {
        "person": tree.people.a1.pk,
        "meeting_on": timezone.localdate().isoformat(),
        "note": "支部大会决定",
    },
    "recommendation_step_form": lambda tree: {
        "step": "record_vote",
        "step-on": timezone.localdate().isoformat(),
        "step-voters_expected": 5,
        "step-votes_for": 5,
        "step-votes_against": 0,
    },
    "recommendation_step_api": lambda tree: {
        "on": timezone.localdate().isoformat(),
        "voters_expected": 5,
        "votes_for": 5,
        "votes_against": 0,
        "admitted": True,
    },
    "dues_mark_form": lambda tree: {"person": [tree.people.a1.pk, tree.people.a2.pk], "paid_on": "2025-01-10"},
    "dues_profile_form": lambda tree: {"category": "wage", "monthly_income": "9000"},
    "dues_mark_api": lambda tree: {"branch": tree.branch_a.pk, "month": "2025-01", "person_ids": [tree.people.a1.pk]},
    "review_open": lambda tree: {"branch": tree.branch_a.pk, "year": timezone.localdate().year},
    "review_grades": lambda tree: {f"grade_{tree.people.a1.pk}": "excellent", f"grade_{tree.people.a2.pk}": "basic"},
    "review_grades_api": lambda tree: {"grades": {str(tree.people.a1.pk): "excellent"}},
    "review_submit": lambda tree: {"meeting_on": timezone.localdate().isoformat(), "members_present": 2},
    "review_register": lambda tree: {"on": timezone.localdate().isoformat()},
    "review_defer": lambda tree: {
        "entry": _review_of_branch_a(tree).entries.values_list("pk", flat=True).first(),
        "until": timezone.localdate().isoformat(),
    },
    "meeting_plan_form": lambda tree: {
        "kind": "league_day",
        "starts_at": "2025-01-10T09:00",
        "topic": "越权团日",
        "joint_with": tree.committee2.code,
    },
    "meeting_record_form": lambda tree: {
        "starts_at": "2025-01-10T09:00",
        f"status-{tree.people.a1.pk}": "present",
        f"status-{tree.people.a2.pk}": "present",
    },
    "meeting_held_form": lambda tree: {
        "kind": "league_day",
        "topic": "越权团日",
        "starts_at": "2025-01-10T09:00",
        f"status-{tree.people.a1.pk}": "present",
        f"status-{tree.people.a2.pk}": "present",
    },
    "meeting_held_api": lambda tree: {
        "organization": tree.branch_a.pk,
        "kind": "league_day",
        "starts_at": "2025-01-10T09:00:00+08:00",
        "topic": "越权团日",
        "attendance": [
            {"person": tree.people.a1.pk, "status": "present"},
            {"person": tree.people.a2.pk, "status": "present"},
        ],
    },
    "meeting_upload": lambda tree: {
        "file": SimpleUploadedFile("越权.pdf", b"%PDF-1.4\n", content_type="application/pdf")
    },
    "meeting_api": lambda tree: {
        "organization": tree.branch_a.pk,
        "kind": "league_day",
        "starts_at": "2025-01-10T09:00:00+08:00",
        "topic": "越权团日",
    },
    "meeting_record_api": lambda tree: {
        "attendance": [
            {"person": tree.people.a1.pk, "status": "present"},
            {"person": tree.people.a2.pk, "status": "present"},
        ]
    },
    "checklist_item_form": lambda tree: {"kind": "project", "content": "越权事项", "owner": "", "deadline": ""},
    "checklist_note_form": lambda tree: {
        "text": "越权进展",
        "files": SimpleUploadedFile("越权.pdf", b"%PDF-1.4\n", content_type="application/pdf"),
    },
    "checklist_act_form": lambda tree: {"action": "request_closing"},
    "duty_form": lambda tree: {"person": tree.people.a1.pk, "post": "越权", "responsibilities": "越权"},
    "checklist_item_api": lambda tree: {"organization": tree.branch_a.pk, "kind": "project", "content": "越权"},
    "checklist_note_api": lambda tree: {"text": "越权进展"},
    "person_api": lambda tree: {
        k: v for k, v in _form_values(person_data(tree.branch_a, name="越权新人")).items() if v != ""
    },
    "consent_form": lambda tree: {
        "given_by": "self",
        "given_on": timezone.localdate().isoformat(),
        "purpose": "越权同意",
        "notice_version": "v1",
        "method": "paper",
    },
    "anonymise_form": lambda tree: {"reason": "request", "reference": "越权", "confirm": "on"},
    "points_claim_form": lambda tree: {"rule": "1", "evidence": "越权申报"},
    "points_review_form": lambda tree: {"decision": "accepted"},
    "points_publish_form": lambda tree: {"step": "publish", "month": timezone.localdate().strftime("%Y-%m")},
    "points_objection_form": lambda tree: {"text": "越权异议", "month": timezone.localdate().strftime("%Y-%m")},
    "points_answer_form": lambda tree: {"answer": "越权答复"},
    "points_claim_api": lambda tree: {"person": tree.people.a1.pk, "rule": _point_duty_rule_id(), "evidence": "越权"},
    "points_month_open_api": lambda tree: {"organization": tree.branch_a.pk, "month": "2025-01"},
    "points_confirm_api": lambda tree: {"meeting": 1},
    "points_correction_api": lambda tree: {"reason": "越权更正", "points": "1"},
    "points_correction_form": lambda tree: {"how": "adjust", "points": "1", "reason": "越权更正"},
    "points_objection_api": lambda tree: {"month": "2025-01", "text": "越权异议"},
    "points_item_api": lambda tree: {"rule": _point_duty_rule_id(), "valid_from": _next_month(), "points": "3"},
    "points_item_form": lambda tree: {
        "rule": _point_duty_rule_id(),
        "valid_from": _next_month(),
        "name": "越权修改",
        "points": "3",
        "claimant": "secretary",
        "active": "on",
    },
    "index_weights_form": lambda tree: _index_weights(),
    "index_weights_api": lambda tree: _index_weights(),
    "index_rankings_form": lambda tree: {"on": "1"},
    "index_stars_form": lambda tree: {"five_star_min": 85, "four_star_min": 75, "three_star_min": 60},
    "index_rankings_api": lambda tree: {"on": True},
    "points_scores_api": lambda tree: {"valid_from": _next_month(), "base_score": "70", "floor": "0"},
    "points_scores_form": lambda tree: {"valid_from": _next_month(), "base_score": "70", "floor": "0"},
    "person_search_api": lambda tree: {"q": tree.people.a1.name, "org": tree.branch_a.pk},
    "venue_form": lambda tree: {
        "host": tree.branch_a.pk,
        "name": "越权之家",
        "kind": "youth_home",
        "address": "越权路1号",
        "opens_at": "09:00",
        "closes_at": "21:00",
        "open_days": "1234567",
        "capacity": 30,
    },
    "venue_api": lambda tree: {
        "host": tree.branch_a.pk,
        "name": "越权之家",
        "kind": "youth_home",
        "address": "越权路1号",
        "opens_at": "09:00",
        "closes_at": "21:00",
        "open_days": "1234567",
        "capacity": 30,
    },
    "venue_status_form": lambda tree: {"step": "suspend"},
    "venue_edit_form": lambda tree: {
        "name": "越权改名之家",
        "kind": "youth_home",
        "address": "越权路2号",
        "opens_at": "08:00",
        "closes_at": "20:00",
        "open_days": "123456",
        "capacity": 25,
        "status": "suspended",
    },
    "venue_patch_api": lambda tree: {"name": "越权改名之家", "capacity": 25, "status": "closed"},
    "venue_photo_upload": lambda tree: {
        "photo": SimpleUploadedFile("越权.png", PNG_BYTES, content_type="image/png"),
    },
    "closure_remove_form": lambda tree: {"closure": _closure_of_branch_a(tree).pk},
    "booking_activity": lambda tree: {"activity": _activity_of_branch_a(tree).pk},
    "closure_form": lambda tree: {
        "starts_on": _venue_day(8).isoformat(),
        "ends_on": _venue_day(8).isoformat(),
        "reason": "越权闭馆",
    },
    "booking_form": lambda tree: {
        "organization": tree.branch_a.pk,
        "day": _venue_day().isoformat(),
        "start": "14:00",
        "end": "16:00",
        "purpose": "越权预约",
        "expected_attendance": 10,
        "repeat": "once",
    },
    "booking_api": lambda tree: {
        "venue": _venue_of_branch_a(tree).pk,
        "organization": tree.branch_a.pk,
        "starts_at": _at(_venue_day(), 14).isoformat(),
        "ends_at": _at(_venue_day(), 16).isoformat(),
        "purpose": "越权预约",
        "expected_attendance": 10,
    },
    "honour_form": lambda tree: {
        "kind": "shock_team",
        "level": "district",
        "year": 2024,
        "awarding_body": "越权",
        "organization": tree.branch_a.pk,
    },
    "honour_api": lambda tree: {
        "kind": "shock_team",
        "level": "district",
        "year": 2024,
        "awarding_body": "越权",
        "organization": tree.branch_a.pk,
    },
    "honour_review_form": lambda tree: {"step": "review"},
    "honour_revoke_api": lambda tree: {"reason": "越权撤销"},
    "booking_series_api": lambda tree: {
        "venue": _venue_of_branch_a(tree).pk,
        "organization": tree.branch_a.pk,
        "starts_at": _at(_venue_day(), 16).isoformat(),
        "ends_at": _at(_venue_day(), 18).isoformat(),
        "frequency": "weekly",
        "until": _venue_day(6).isoformat(),
        "purpose": "越权读书会",
        "expected_attendance": 10,
    },
    "activity_form": lambda tree: {
        "organization": tree.branch_a.pk,
        "kind": "volunteer",
        "title": "越权活动",
        "starts_at": "2026-01-10T09:00",
        "ends_at": "2026-01-10T12:00",
        "capacity": 10,
    },
    "activity_api": lambda tree: {
        "organization": tree.branch_a.pk,
        "kind": "volunteer",
        "title": "越权活动",
        "starts_at": "2026-01-10T09:00:00+08:00",
        "ends_at": "2026-01-10T12:00:00+08:00",
        "capacity": 10,
    },
    "check_form": lambda tree: {"code": "000000", "purpose": "in"},
    "check_api": lambda tree: {"code": "000000"},
    "personal_check_form": lambda tree: {"code": f"{tree.people.a1.pk}-000000", "purpose": "in"},
    "correction_form": lambda tree: {"reason": "越权申请更正", "hours": "1"},
    "correction_decide_form": lambda tree: {"decision": "reject", "reason": "越权驳回"},
    "correction_decide_api": lambda tree: {"accept": False, "reason": "越权驳回"},
    "certificate_api": lambda tree: {"person": tree.people.a1.pk, "organization": tree.branch_a.pk},
    "hours_form": lambda tree: {"hours": "1", "reason": "越权补录"},
    "community_register_form": lambda tree: {"community": tree.branch_a.pk},
    "community_register_api": lambda tree: {"community": tree.branch_a.pk, "person": tree.people.a1.pk},
    "community_need_form": lambda tree: {"kind": "need", "title": "越权需求"},
    "community_need_api": lambda tree: {"community": tree.branch_a.pk, "kind": "need", "title": "越权需求"},
    "community_take_up_form": lambda tree: {"registration": _community_registration_of_a1(tree).pk},
    "community_report_form": lambda tree: {
        "registration": _community_registration_of_a1(tree).pk,
        "content": "越权报告",
    },
    "community_free_report_form": lambda tree: {"content": "越权报告"},
    "community_send_back_form": lambda tree: {"reason": "越权退回"},
    "community_report_api": lambda tree: {
        "registration": _community_registration_of_a1(tree).pk,
        "content": "越权报告",
    },
    "deputy_request_form": lambda tree: {
        "name": "越权青年",
        "phone": "13800000003",
        "subject": "越权诉求",
        "content": "越权内容",
    },
    "reception_form": lambda tree: {
        "studio": _deputies_studio(tree).pk,
        "day": _venue_day().isoformat(),
        "start": "09:00",
        "end": "12:00",
        "note": "越权接待",
    },
    "congress_form": lambda tree: {
        "organization": tree.committee1.pk,
        "name": "越权团代会",
        "term_start": "2025-01-01",
        "term_end": "2028-01-01",
    },
    "deputy_form": lambda tree: {"congress": _deputy_of_branch_a(tree).congress_id, "person": tree.people.a2.pk},
    "deputy_api": lambda tree: {"congress": _deputy_of_branch_a(tree).congress_id, "person": tree.people.a2.pk},
    "deputy_assign_form": lambda tree: {"step": "assign", "organization": tree.branch_a.pk},
    "deputy_request_api": lambda tree: {
        "deputy": _deputy_of_branch_a(tree).pk,
        "name": "越权青年",
        "subject": "越权诉求",
        "content": "越权内容",
    },
    "deputy_assign_api": lambda tree: {"organization": tree.branch_a.pk},
    "deputy_follow_up_api": lambda tree: {"note": "越权跟进"},
    "deputy_answer_api": lambda tree: {"answer": "越权答复"},
    "wish_screen_form": lambda tree: {"decision": "publish", "published_text": "越权发布", "reason": ""},
    "wish_fulfil_form": lambda tree: {"fulfilment": "越权完成"},
    "drive_form": lambda tree: {
        "organization": tree.branch_a.pk,
        "title": "越权募捐",
        "partner": "越权基金会",
        "goal": "100",
        "starts_on": timezone.localdate().isoformat(),
        "ends_on": timezone.localdate().isoformat(),
        "beneficiaries": "越权",
    },
    "drive_api": lambda tree: {
        "organization": tree.branch_a.pk,
        "title": "越权募捐",
        "partner": "越权基金会",
        "goal": "100",
        "starts_on": timezone.localdate().isoformat(),
        "ends_on": timezone.localdate().isoformat(),
        "beneficiaries": "越权",
    },
    "donation_form": lambda tree: {
        "donor_kind": "anonymous",
        "amount": "10",
        "donated_on": timezone.localdate().isoformat(),
        "receipt_number": "越权-1",
    },
    "donation_api": lambda tree: {
        "drive": _donation_drive_of_branch_a(tree).pk,
        "donor_kind": "anonymous",
        "amount": "10",
        "donated_on": timezone.localdate().isoformat(),
        "receipt_number": "越权-1",
    },
    "disbursement_form": lambda tree: {
        "amount": "1",
        "disbursed_on": timezone.localdate().isoformat(),
        "purpose": "越权支出",
        "recipient": "越权",
    },
    "disbursement_api": lambda tree: {
        "drive": _donation_drive_of_branch_a(tree).pk,
        "amount": "1",
        "disbursed_on": timezone.localdate().isoformat(),
        "purpose": "越权支出",
        "recipient": "越权",
    },
    "void_form": lambda tree: {"reason": "越权作废"},
    "lesson_rota_form": lambda tree: {
        "kind": "league_lesson",
        "quarters": ["2"],
        "lecturers": [tree.people.a1.pk],
        "topic": "越权",
    },
    "lesson_turn_form": lambda tree: {"lecturer": tree.people.a2.pk, "topic": "越权改题", "reason": "越权"},
    "lesson_turn_api": lambda tree: {
        "organization": tree.branch_a.pk,
        "year": timezone.localdate().year,
        "quarter": 3,
        "kind": "league_lesson",
        "lecturer": tree.people.a1.pk,
    },
    "lesson_turn_patch_api": lambda tree: {"topic": "越权改题", "reason": "越权"},
    "lesson_rota_api": lambda tree: {
        "organization": tree.branch_a.pk,
        "year": timezone.localdate().year,
        "kind": "league_lesson",
        "lecturers": [tree.people.a1.pk],
        "quarters": [4],
    },
    "wish_screen_api": lambda tree: {"publish": True, "published_text": "越权发布"},
}


def send(client, method: str, url: str, route: Route, tree):
    if method == "GET":
        return client.get(url)
    data = PAYLOADS[route.payload or "empty"](tree)
    if route.api:
        return client.generic(method, url, data=json.dumps(data), content_type="application/json")
    if method == "POST":
        return client.post(url, data)
    return client.generic(method, url, data=data)


def page_client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def client_as(user, route: Route, api_for):
    return api_for(user) if route.api else page_client(user)


def body_text(response) -> str:
    """The text of an answer: a page as it is, a downloaded .xlsx file as the text of all its cells."""
    if not getattr(response, "streaming", False):
        return response.content.decode()
    data = b"".join(response.streaming_content)
    if not response.get("Content-Disposition", "").startswith("attachment"):
        return data.decode()
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    cells = (cell for name in workbook.sheet_names for row in workbook.get_sheet_by_name(name).to_python()
             for cell in row)  # fmt: skip
    return "\n".join(str(cell) for cell in cells)


def committee1_marks(tree) -> list[str]:
    """Strings that must not appear in an answer to someone outside committee 1."""
    people = [tree.people.a1, tree.people.a2, tree.people.b1]
    marks = [tree.committee1.name, tree.branch_a.name, tree.branch_b.name]
    marks += [p.name for p in people] + [p.id_number for p in people] + [p.masked_id_number for p in people]
    return marks


def committee1_ids(tree) -> tuple[set[int], set[int]]:
    return (
        {tree.committee1.pk, tree.branch_a.pk, tree.branch_b.pk},
        {tree.people.a1.pk, tree.people.a2.pk, tree.people.b1.pk},
    )


def snapshot_of_targets(tree) -> tuple:
    tree.committee1.refresh_from_db()
    a1 = Person.objects.get(pk=tree.people.a1.pk)
    return (tree.committee1.name, tree.committee1.code, tree.committee1.parent_id, tree.committee1.path, a1.name,
            a1.branch_id, a1.status)  # fmt: skip
