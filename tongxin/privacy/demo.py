"""Consent for most of the demo district's minors: the seed_demo step registered in ``PrivacyConfig.ready()``
(after the demo accounts, which are its actors).

About nine in ten minors have a consent on record, given when they joined or during the last year: by a parent
when they were under 14 that day (PIPL art. 31), otherwise by themselves or a parent; so the list of minors
without consent is short enough to act on. The demo secretary's branch goes through ``record_consent`` by the
secretary; the other branches in bulk after the same checks (a date not in the future nor before the birth, a
guardian named with the relationship when one is needed or consented, a purpose and a notice version), with
the ChangeLog row ``record_consent`` writes, by the account whose scope holds them.

Data (names, purpose) is Chinese by nature: it is sample content, not UI text.
"""

from __future__ import annotations

import datetime
import random
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from faker import Faker

from tongxin.accounts.demo import demo_actors
from tongxin.core.audit import change_entry, snapshot
from tongxin.core.bounds import history_window
from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.core.registry import DemoRun
from tongxin.core.rules import rule
from tongxin.people.models import MembershipStatus, Person
from tongxin.privacy.models import ConsentMethod, ConsentRecord, GivenBy, GuardianRelationship
from tongxin.privacy.services import birth_cutoff, needs_guardian, record_consent

CONSENT_SHARE = 0.9
PURPOSE = "团籍管理和组织生活"  # the consent form's default purpose, as the Chinese page offers it
NOTICE_VERSION = "个人信息保护告知书 2025 年版"


@dataclass
class PrivacyResult:
    minors: int
    consents: int
    seconds: float = 0.0


def _consent(rng: random.Random, fake: Faker, person: Person, today: datetime.date) -> dict[str, object]:
    """What the secretary types from the signed form."""
    since = max(person.league_join_date or person.birth_date, today - datetime.timedelta(days=360))
    given_on = since + datetime.timedelta(days=rng.randint(0, max(0, (today - since).days)))
    guardian = needs_guardian(person, given_on) or rng.random() < 0.4
    values: dict[str, object] = {
        "given_by": GivenBy.SELF,
        "given_on": given_on,
        "purpose": PURPOSE,
        "notice_version": NOTICE_VERSION,
        "method": ConsentMethod.PAPER if rng.random() < 0.8 else ConsentMethod.IN_PERSON,
    }
    if guardian:
        father = rng.random() < 0.5
        values["given_by"] = GivenBy.GUARDIAN
        values["guardian_relationship"] = GuardianRelationship.FATHER if father else GuardianRelationship.MOTHER
        surname = person.name[0] if father else fake.last_name()
        values["guardian_name"] = surname + (fake.first_name_male() if father else fake.first_name_female())
    return values


def _check(person: Person, values: dict[str, object], today: datetime.date) -> None:
    """``record_consent``'s checks."""
    given_on = values["given_on"]
    assert isinstance(given_on, datetime.date)
    if given_on > today or given_on < person.birth_date:
        raise DomainError("given_on", f"{person.pk}: {given_on}")
    if refusal := history_window(today).refusal(given_on):  # the consent form's window (core.bounds)
        raise DomainError("given_on", refusal)
    guardian = values["given_by"] == GivenBy.GUARDIAN
    if needs_guardian(person, given_on) and not guardian:
        raise DomainError("given_by", f"{person.pk}: a guardian must consent")
    if guardian and not (values.get("guardian_name") and values.get("guardian_relationship")):
        raise DomainError("guardian_name", f"{person.pk}: guardian not named")
    if not (str(values["purpose"]).strip() and str(values["notice_version"]).strip()):
        raise DomainError("purpose", f"{person.pk}: purpose and notice version")


def seed(run: DemoRun) -> PrivacyResult:
    started = time.monotonic()
    today = timezone.localdate()
    actors = demo_actors()
    rng = random.Random(run.seed + 501)
    fake = Faker("zh_CN")
    fake.seed_instance(run.seed + 501)
    cutoff = birth_cutoff(today, int(rule("minor_below_age")))
    minors = list(
        Person.objects.filter(status=MembershipStatus.ACTIVE, branch__isnull=False, birth_date__gt=cutoff)
        .only("id", "name", "birth_date", "league_join_date", "org_path", "branch", "status")
        .order_by("org_path", "id")
    )
    records: list[ConsentRecord] = []
    with transaction.atomic():
        served = 0
        for person in minors:
            consents = rng.random() < CONSENT_SHARE
            values = _consent(rng, fake, person, today)
            if not consents:
                continue
            actor = actors.for_path(person.org_path)
            if person.branch_id == actors.branch.pk:
                record_consent(actor, person, **values)  # type: ignore[arg-type]
                served += 1
                continue
            _check(person, values, today)
            records.append(ConsentRecord(person=person, recorded_by=actor, **values))
        ConsentRecord.objects.bulk_create(records, batch_size=1000)
        entries = [
            change_entry(
                actors.for_path(r.person.org_path), r, ChangeLog.Action.CREATE, after=snapshot(r),
                org_path=r.person.org_path,
            )
            for r in records
        ]  # fmt: skip
        ChangeLog.objects.bulk_create([e for e in entries if e is not None], batch_size=1000)
    return PrivacyResult(len(minors), len(records) + served, time.monotonic() - started)


def summary(result: PrivacyResult) -> str:
    return _("Consent seeded: %(consents)d of %(minors)d minors in %(s).1f s.") % {
        "consents": result.consents,
        "minors": result.minors,
        "s": result.seconds,
    }
