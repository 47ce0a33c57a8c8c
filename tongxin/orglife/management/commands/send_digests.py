"""The daily digest (daily cron): one plain-text email per user with a role, in the deployment's language.

It lists, for the subtrees of the user's role assignments: meetings due in the next 7 days or overdue
(planned, not yet recorded), political birthdays this month (the anniversary of the party join date of
party members and probationary members), the party dues day (rule ``party_dues_day``) and the overdue
checklist items. A user with nothing to read (the dues day alone counts only on that day) or without an
email address gets nothing.

A fixed number of queries whatever the number of users: the role assignments, then each kind of row for
the union of everyone's subtrees at once, sorted out per user in memory.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models.functions import ExtractMonth
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tongxin.accounts.models import RoleAssignment
from tongxin.core.codes import PoliticalStatus
from tongxin.core.rules import rule
from tongxin.core.scoping import Scope, normalise_prefixes
from tongxin.orglife.models import ChecklistItem, Meeting, MeetingStatus
from tongxin.orglife.services.checklists import overdue_q
from tongxin.orgs.models import OrgStatus
from tongxin.people.models import MembershipStatus, Person

DUE_DAYS = 7
SECTION_LIMIT = 20  # rows shown per section; the rest are counted


@dataclass
class Recipient:
    user_id: int
    username: str
    email: str
    prefixes: tuple[str, ...] = ()


@dataclass
class Digest:
    recipient: Recipient
    meetings: list[dict[str, Any]] = field(default_factory=list)
    birthdays: list[dict[str, Any]] = field(default_factory=list)
    overdue_items: list[dict[str, Any]] = field(default_factory=list)
    dues_day: int = 0
    dues_day_today: bool = False

    @property
    def has_news(self) -> bool:
        return bool(self.meetings or self.birthdays or self.overdue_items or self.dues_day_today)


def recipients() -> list[Recipient]:
    """Active users with a role on an active organisation and an email address (one query)."""
    rows = (
        RoleAssignment.objects.filter(organization__status=OrgStatus.ACTIVE, user__is_active=True)
        .exclude(user__email="")
        .values_list("user_id", "user__username", "user__email", "organization__path")
        .order_by("user_id")
    )
    by_user: dict[int, Recipient] = {}
    paths: dict[int, list[str]] = {}
    for user_id, username, email, path in rows:
        by_user.setdefault(user_id, Recipient(user_id, username, email))
        paths.setdefault(user_id, []).append(path)
    for user_id, recipient in by_user.items():
        recipient.prefixes = normalise_prefixes(paths[user_id])
    return list(by_user.values())


def _mine(rows: Iterable[Mapping[str, Any]], prefixes: tuple[str, ...]) -> list[Any]:
    return [row for row in rows if row["org_path"].startswith(prefixes)]


def build_digests(today: datetime.date, now: datetime.datetime | None = None) -> list[Digest]:
    """Every recipient's digest (those with nothing to say included: ``has_news`` tells). Four queries."""
    now = now or timezone.now()
    people = recipients()
    union = normalise_prefixes([p for r in people for p in r.prefixes])
    if not union:
        return []
    where = Scope(prefixes=union).q("org_path")
    meetings = list(
        Meeting.objects.filter(where, status=MeetingStatus.PLANNED, starts_at__lte=now + datetime.timedelta(DUE_DAYS))
        .order_by("starts_at", "id")
        .values("id", "org_path", "topic", "kind", "starts_at", "organization__name")
    )
    birthdays = list(
        Person.objects.filter(where, status=MembershipStatus.ACTIVE, party_join_date__year__lt=today.year)
        .filter(political_status__in=[PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PROBATIONARY_PARTY_MEMBER])
        .annotate(join_month=ExtractMonth("party_join_date"))
        .filter(join_month=today.month)
        .order_by("party_join_date", "id")
        .values("id", "org_path", "name", "party_join_date", "branch__name")
    )
    items = list(
        ChecklistItem.objects.filter(where)
        .filter(overdue_q(today))
        .order_by("deadline", "id")
        .values("id", "org_path", "content", "deadline", "organization__name")
    )
    dues_day = int(rule("party_dues_day"))
    return [
        Digest(
            recipient=r,
            meetings=_mine(meetings, r.prefixes),
            birthdays=_mine(birthdays, r.prefixes),
            overdue_items=_mine(items, r.prefixes),
            dues_day=dues_day,
            dues_day_today=today.day == dues_day,
        )
        for r in people
    ]


def _more(lines: list[str], total: int) -> None:
    if total > SECTION_LIMIT:
        n = total - SECTION_LIMIT
        lines.append("  " + ngettext("… and %(n)d more", "… and %(n)d more", n) % {"n": n})


def render_digest(digest: Digest, today: datetime.date, now: datetime.datetime) -> tuple[str, str]:
    """(subject, body) in the active language."""
    subject = _("Tongxin daily digest, %(day)s") % {"day": today.isoformat()}
    lines = [_("Hello %(name)s,") % {"name": digest.recipient.username}, ""]
    if digest.meetings:
        lines.append(_("Meetings due in the next %(days)d days or overdue:") % {"days": DUE_DAYS})
        for m in digest.meetings[:SECTION_LIMIT]:
            when = timezone.localtime(m["starts_at"]).strftime("%Y-%m-%d %H:%M")
            label = _("overdue, not recorded") if m["starts_at"] < now else _("due")
            lines.append(f"  - {when} {m['organization__name']}: {m['topic']} ({label})")
        _more(lines, len(digest.meetings))
        lines.append("")
    if digest.birthdays:
        lines.append(_("Political birthdays this month:"))
        for p in digest.birthdays[:SECTION_LIMIT]:
            years = today.year - p["party_join_date"].year
            lines.append("  - " + _("%(name)s (%(branch)s), %(date)s: %(years)d years in the Party")
                         % {"name": p["name"], "branch": p["branch__name"] or "",
                            "date": p["party_join_date"].strftime("%m-%d"), "years": years})  # fmt: skip
        _more(lines, len(digest.birthdays))
        lines.append("")
    if digest.overdue_items:
        lines.append(_("Overdue checklist items:"))
        for item in digest.overdue_items[:SECTION_LIMIT]:
            content = " ".join(item["content"].split())[:60]
            lines.append("  - " + _("%(org)s: %(content)s (deadline %(deadline)s)")
                         % {"org": item["organization__name"], "content": content,
                            "deadline": item["deadline"].isoformat()})  # fmt: skip
        _more(lines, len(digest.overdue_items))
        lines.append("")
    if digest.dues_day_today:
        lines.append(_("Today is the party dues day."))
    else:
        lines.append(_("Party dues are collected on day %(day)d of each month.") % {"day": digest.dues_day})
    return subject, "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Email each user with a role a digest of meetings due, political birthdays and overdue checklist items."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Print the emails instead of sending them.")
        parser.add_argument("--date", help="The day to write the digest for (YYYY-MM-DD; default today).")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        now = timezone.now()
        if options.get("date"):
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(_("Give the date as YYYY-MM-DD.")) from None
            now = timezone.make_aware(datetime.datetime.combine(today, datetime.time(7, 0)))
        with translation.override(settings.LANGUAGE_CODE):
            digests = [d for d in build_digests(today, now) if d.has_news]
            messages = []
            for digest in digests:
                subject, body = render_digest(digest, today, now)
                messages.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [digest.recipient.email]))
            if options.get("dry_run"):
                for message in messages:
                    self.stdout.write(f"To: {', '.join(message.to)}\nSubject: {message.subject}\n\n{message.body}\n")
                return
            sent = get_connection().send_messages(messages) if messages else 0
            self.stdout.write(_("%(count)d digests sent.") % {"count": sent or 0})
