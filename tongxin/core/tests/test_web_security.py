"""Browser-facing protections (docs/security.md, "Web"): the Content Security Policy and the other security
headers, `check --deploy` with the production settings, CSRF on every view, the headers of every file the
app serves, and error pages that show nothing of the request.

Run: ``env -u DATABASE_URL .venv/bin/python -m pytest -q tongxin/core/tests/test_web_security.py``
"""

from __future__ import annotations

import inspect
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.views import APIView

from tongxin.accounts.models import User
from tongxin.core.tests.scope_walk import FOUND, ROUTES, page_client, send, url_for

BASE_DIR = Path(settings.BASE_DIR)
TEMPLATES = BASE_DIR / "tongxin" / "templates"


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


def policy(response) -> dict[str, list[str]]:
    """The response's Content-Security-Policy as {directive: [sources]}."""
    parts = [p.strip().split() for p in response["Content-Security-Policy"].split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


# --- Content Security Policy and the other headers -----------------------------------------------------

STRICT = {
    directive.split()[0]: directive.split()[1:]
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
}


@pytest.mark.parametrize("who", ["anonymous", "district"])
def test_pages_send_the_strict_policy_and_security_headers(who, users):
    client = page_client(None if who == "anonymous" else users.district)
    url = reverse("accounts:login") if who == "anonymous" else reverse("people:roster")
    response = client.get(url)
    assert response.status_code == 200
    assert policy(response) == STRICT
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in permissions


@pytest.mark.parametrize("name", ["docs", "redoc"])
def test_only_the_api_docs_relax_the_policy_and_never_for_scripts(name, db):
    client = Client()
    client.force_login(User.objects.create_user("reader"))  # the docs are behind login in production
    response = client.get(reverse(name))
    assert response.status_code == 200
    csp = policy(response)
    assert csp["script-src"] == ["'self'"]  # no inline script, no eval, not even here
    assert "'unsafe-inline'" in csp["style-src"]  # Swagger UI and Redoc inject <style> elements
    body = response.content.decode()
    assert "<script>" not in body  # Swagger's start-up script comes as a file (the split view)
    assert "fonts.googleapis.com" not in body


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on* event handler attribute"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style[\s>]", re.I), "<style> element"),
    (re.compile(r"\shx-on[:-]", re.I), "hx-on attribute (needs eval)"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_templates_have_no_inline_script_style_or_handler():
    """The policy would block them in the browser: every template must do without (tests/e2e/test_csp.py
    checks the rendered pages in Chromium)."""
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(BASE_DIR)}:{line}: {what}")
    assert not found, "\n".join(found)


def test_htmx_is_configured_for_the_policy(users):
    body = page_client(users.district).get(reverse("orgs:tree")).content.decode()
    assert 'name="htmx-config"' in body
    assert '"includeIndicatorStyles": false' in body  # htmx would inject a <style> element
    assert '"allowEval": false' in body


# --- check --deploy --------------------------------------------------------------------------------------


def production_env(**changes: str | None) -> dict[str, str]:
    """The environment of a production deployment (docs/operations.md): HTTPS, a strong secret key,
    DEBUG off, real host names."""
    from cryptography.fernet import Fernet

    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGXIN_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DJANGO_SETTINGS_MODULE="tongxin.settings",
        TONGXIN_HTTPS="1",
        TONGXIN_SECRET_KEY=secrets.token_urlsafe(50),
        TONGXIN_ALLOWED_HOSTS="tongxin.example.gov.cn",
        TONGXIN_FIELD_KEYS=Fernet.generate_key().decode(),
        TONGXIN_LOOKUP_KEY=secrets.token_urlsafe(40),
    )
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_check_deploy_is_clean_with_the_production_settings():
    result = check_deploy(production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_without_https():
    """The same check fails when HTTPS is not on: the test above would notice a regression."""
    result = check_deploy(production_env(TONGXIN_HTTPS=None))
    assert result.returncode != 0
    output = result.stdout + result.stderr
    for code in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert code in output


# --- CSRF -------------------------------------------------------------------------------------------------

# Views allowed to skip Django's CSRF check, with the reason. Django REST framework views are exempt at the
# Django level by design and enforce CSRF themselves for session-authenticated requests (checked below).
CSRF_EXEMPT_ALLOWED: dict[str, str] = {}


def _all_patterns(patterns, prefix: str = ""):
    for entry in patterns:
        text = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _all_patterns(entry.url_patterns, text)
        elif isinstance(entry, URLPattern):
            yield text, entry


def test_no_view_skips_the_csrf_check():
    exempt = []
    checked = 0
    for text, entry in _all_patterns(get_resolver().url_patterns):
        callback = entry.callback
        checked += 1
        if not getattr(callback, "csrf_exempt", False) or entry.name in CSRF_EXEMPT_ALLOWED:
            continue
        view_class = getattr(callback, "cls", None)
        if isinstance(view_class, type) and issubclass(view_class, APIView):
            # DRF: only authentications that enforce CSRF on cookies (session) or use no cookie (token).
            for auth in view_class.authentication_classes:
                if issubclass(auth, SessionAuthentication):
                    if auth.enforce_csrf is not SessionAuthentication.enforce_csrf:
                        exempt.append(f"{text} ({auth.__name__} overrides enforce_csrf)")
                elif not issubclass(auth, TokenAuthentication):
                    exempt.append(f"{text} ({auth.__name__}: not known to be CSRF-safe)")
            continue
        exempt.append(f"{text} ({callback.__module__}.{callback.__name__})")
    assert checked > 100  # the walk saw the whole URLconf, admin and API included
    assert not exempt, exempt


@pytest.fixture
def csrf_client(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users.district)
    return client


def _csrf_token(client) -> str:
    client.get(reverse("orgs:tree"))
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def test_the_api_with_a_session_refuses_a_write_without_the_csrf_token(csrf_client, tree):
    data = {"name": "新团支部", "kind": "branch", "parent": tree.committee1.pk, "code": "T1Z"}
    refused = csrf_client.post("/api/orgs/", data, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    accepted = csrf_client.post(
        "/api/orgs/", data, content_type="application/json", HTTP_X_CSRFTOKEN=_csrf_token(csrf_client)
    )
    assert accepted.status_code != 403, accepted.content


def test_a_page_form_without_the_csrf_token_gets_the_expired_form_page(csrf_client, tree):
    response = csrf_client.post(reverse("people:reveal", args=[tree.people.a1.pk]))
    assert response.status_code == 403
    body = response.content.decode()
    assert zh("The form has expired") in body
    assert tree.people.a1.id_number not in body
    assert "CSRF" not in body  # Django's technical page explains the reason; ours does not

    ok = csrf_client.post(reverse("people:reveal", args=[tree.people.a1.pk]), HTTP_X_CSRFTOKEN=_csrf_token(csrf_client))
    assert ok.status_code == 200


# --- files: exports, reports, attachments -----------------------------------------------------------------

# Every route that answers with a file, and how it is served (a new one must be listed here).
DOWNLOADS = {
    "activities:hours_export": "attachment",
    "people:export": "attachment",
    "people:import_template": "attachment",
    "imports:report": "attachment",
    "lifecycle:dues_ledger_export": "attachment",
    "lifecycle:dues_summary_export": "attachment",
    "lifecycle:dues_arrears_export": "attachment",
    "lifecycle:review_progress_export": "attachment",
    "orglife:board_export": "attachment",
    "study:drill_export": "attachment",
    "orglife:meeting_attachment": "attachment",  # the walk's attachment is a PDF
    "orglife:checklist_attachment": "attachment",  # the same
    "venues:honours_export": "attachment",
    "deputies:summary_export": "attachment",
    "donations:export": "attachment",
    "donations:evidence": "attachment",  # the walk's evidence is a PDF
    "community:registration_export": "attachment",
    "community:report_photo": "inline",  # a report's photo, a PNG
    "activities:certificate": "attachment",  # the certificate of hours, a PDF to print
    "points:subtree_export": "attachment",
    "venues:honour_certificate": "attachment",  # the walk's certificate is a PDF
    "venues:photo": "inline",  # a venue's photo, a PNG
    "study:note_image": "inline",  # a study note's image, a PNG
    "venues:directory_photo": "inline",  # the same, public in the directory while the venue is open
    "privacy:access_export": "attachment",
    "accounts:bulk_reset_download": "attachment",
    "dashboard:report_xlsx": "attachment",  # the annual statistical report in its fixed layout
    "dashboard:report_pdf": "attachment",  # the same as a PDF
}
FILE_POLICY = {"default-src": ["'none'"], "sandbox": []}


def assert_safe_file(response, disposition: str) -> None:
    assert response.status_code == 200, response.status_code
    assert response["Content-Disposition"].split(";")[0] == disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert policy(response) == FILE_POLICY
    if disposition == "inline":
        assert response["Content-Type"] in {"image/png", "image/jpeg"}


def test_every_view_that_serves_a_file_is_listed():
    """A view whose code makes a file response must be in DOWNLOADS (so the test below covers it)."""
    serving = set()
    for found in FOUND:
        view = inspect.unwrap(found.callback)
        try:
            source = inspect.getsource(view)
        except (OSError, TypeError):
            continue
        # A file response made here, or through core's helpers that make one (core.views, core.uploads).
        if re.search(r"FileResponse\(|Content-Disposition|serve_upload\(|xlsx_(table_)?response\(|xlsx_file\(", source):
            serving.add(found.name)
    assert serving <= set(DOWNLOADS), serving - set(DOWNLOADS)
    assert len(serving) >= 8  # the walk found the export views


@pytest.mark.parametrize("name", sorted(DOWNLOADS))
def test_every_file_is_served_with_safe_headers(name, tree, users):
    if name == "venues:directory_photo":  # public (not in the walk's ROUTES): no login
        from tongxin.core.tests.scope_walk import _venue_photo_of_branch_a

        response = page_client(None).get(reverse(name, args=[_venue_photo_of_branch_a(tree).pk]))
        assert_safe_file(response, DOWNLOADS[name])
        return
    found = next(f for f in FOUND if f.name == name)
    route = ROUTES[name]
    url = url_for(found, tree)
    user = getattr(users, route.insider)
    if name == "accounts:bulk_reset_download":  # it takes back the sealed handout its page just showed
        from django.utils import timezone

        from tongxin.accounts.views import seal_handout

        rows = [["张甲一", "甲团支部", "a1", "123456", timezone.now().isoformat()]]
        handout = seal_handout(user.pk, rows)
        response = page_client(user).post(url, {"handout": handout})
    else:
        response = send(page_client(user), route.methods[0], url, route, tree)
    assert_safe_file(response, DOWNLOADS[name])


@pytest.mark.parametrize(
    ("file_name", "content", "disposition"),
    [
        ("合影.png", b"\x89PNG\r\n\x1a\n" + b"0" * 16, "inline"),
        ("现场.jpg", b"\xff\xd8\xff\xe0" + b"0" * 16, "inline"),
        ("记录.pdf", b"%PDF-1.4\n", "attachment"),
    ],
)
def test_attachments_show_only_photos_inline(file_name, content, disposition, tree, users):
    from tongxin.core.tests.scope_walk import _checklist_item_of_branch_a, _meeting_of_branch_a
    from tongxin.orglife.services.checklists import add_note
    from tongxin.orglife.services.meetings import add_attachment

    meeting_file = add_attachment(None, _meeting_of_branch_a(tree), file_name=file_name, content=content)
    note = add_note(None, _checklist_item_of_branch_a(tree), text="进展", files=[(file_name, content)])
    client = page_client(users.secretary_a)
    for url in (
        reverse("orglife:meeting_attachment", args=[meeting_file.pk]),
        reverse("orglife:checklist_attachment", args=[note.attachments.get().pk]),
    ):
        response = client.get(url)
        assert_safe_file(response, disposition)
        assert response.content == content


# --- error pages ---------------------------------------------------------------------------------------------

SECRET_QUERY = "110101199003071234"


@pytest.mark.urls("tongxin.core.tests.failing_urls")
def test_a_server_error_shows_the_500_page_without_the_error_or_the_query(db):
    client = Client(raise_request_exception=False)
    response = client.get(f"/boom/?q={SECRET_QUERY}")
    assert response.status_code == 500
    body = response.content.decode()
    assert zh("Server error") in body
    assert "the exception text 13800138000" not in body
    assert "RuntimeError" not in body and "Traceback" not in body
    assert SECRET_QUERY not in body and "boom" not in body
    request_id = response.get("X-Request-ID")
    if request_id:  # set by tongxin.core.request_id.RequestIdMiddleware
        assert request_id in body
    assert policy(response) == STRICT  # the page needs no inline script or style either


@pytest.mark.parametrize(("path", "status", "title"), [
    ("/people/999999999/?q=" + SECRET_QUERY, 404, "Page not found"),
    ("/no-such-page/?phone=13800138000", 404, "Page not found"),
])  # fmt: skip
def test_error_pages_show_nothing_of_the_request(path, status, title, users):
    response = page_client(users.district).get(path)
    assert response.status_code == status
    body = response.content.decode()
    assert zh(title) in body
    assert SECRET_QUERY not in body and "13800138000" not in body
    assert "no-such-page" not in body and "999999999" not in body


def test_a_permission_error_shows_the_403_page(users, tree):
    # A viewer may see person a1 but not edit them: the edit page raises PermissionDenied.
    response = page_client(users.viewer).get(reverse("people:edit", args=[tree.people.a1.pk]))
    assert response.status_code == 403
    body = response.content.decode()
    assert zh("No permission") in body
    assert tree.people.a1.name not in body


def test_a_bad_request_shows_the_400_page(db):
    response = Client().get("/people/?q=" + SECRET_QUERY, HTTP_HOST="evil.example.com")  # not an allowed host
    assert response.status_code == 400
    body = response.content.decode()
    assert zh("Bad request") in body
    assert SECRET_QUERY not in body and "evil.example.com" not in body
