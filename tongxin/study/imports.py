"""The national platform's participation export (青年大学习 on the national platform), imported through the
core import engine for branches whose members study there: one row per member (name, league member number,
the time he completed), matched to the people of the period's audience in the importer's scope.

A row is matched by its league member number, else by the name when exactly one member of the audience in the
importer's scope bears it. Unmatched rows are reported (rejected, with the reason) and never written; a member
already recorded for the period is "unchanged". The import is opened from a period's page (its id is the
job's ``period_id`` option); writing goes through ``services.record_participations`` (the audience, the window,
one per person, the roll-ups and the points hook).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongxin.core.imports import NEW, UNCHANGED, Column, Progress, Row
from tongxin.core.scoping import CHANGE, Actor, actor_scope
from tongxin.study import services
from tongxin.study.models import Participation, Source, StudyPeriod

COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", gettext_lazy("Name"), synonyms=("团员姓名",), required=True, max_length=50),
    Column(
        "league_number",
        "团员编号",
        gettext_lazy("League member number"),
        synonyms=("发展团员编号", "编号"),
        max_length=32,
    ),
    Column("completed_at", "完成时间", gettext_lazy("Completed at"), synonyms=("学习时间", "参学时间"), kind="date"),
)


def _period(options: dict[str, Any]) -> StudyPeriod | None:
    pk = options.get("period_id")
    return StudyPeriod.objects.select_related("campaign__organization").filter(pk=pk).first() if pk else None


class ParticipationImport:
    kind = "study_participation"
    label = gettext_lazy("Study participation (national platform)")
    columns: tuple[Column, ...] = COLUMNS

    def check(self, actor: Actor, rows: list[Row], options: dict[str, Any], progress: Progress) -> None:
        period = _period(options)
        if period is None:
            for row in rows:
                row.reject(None, _("Open this import from the study period's page: it names the period."))
            return
        scope = actor_scope(actor, CHANGE)
        people = services.audience_people(period.campaign)
        if not scope.everything:
            people = people.filter(scope.q("org_path"))
        by_number = {}
        by_name: dict[str, list[Any]] = defaultdict(list)
        for person in people.only("pk", "name", "league_number", "org_path", "branch_id", "status", "political_status"):
            if person.league_number:
                by_number[person.league_number] = person
            by_name[person.name].append(person)
        done = set(Participation.objects.filter(period=period).values_list("person_id", flat=True))
        seen: set[int] = set()
        for index, row in enumerate(rows, 1):
            values = row.values
            row.label = values.get("name", "")
            number = str(values.get("league_number") or "").strip()
            person = by_number.get(number) if number else None
            if person is None and number:
                row.reject("league_number", _("No member of the period's audience in your scope has this number."))
                continue
            if person is None:
                named = by_name.get(values.get("name", ""), [])
                if len(named) != 1:
                    row.reject("name", _("No single member of the period's audience in your scope bears this name: "
                                         "give the league member number."))  # fmt: skip
                    continue
                person = named[0]
            if person.pk in seen:
                row.reject("name", _("This member is already on another row of this file."))
                continue
            seen.add(person.pk)
            day = values.get("completed_at")
            at = period.opens_at
            if isinstance(day, datetime.date):
                at = max(period.opens_at, timezone.make_aware(datetime.datetime.combine(day, datetime.time(12))))
                if not period.opens_at.date() <= day <= period.closes_at.date():
                    row.reject("completed_at", _("This date lies outside the period's opening and closing time."))
                    continue
            at = min(at, period.closes_at - datetime.timedelta(seconds=1))
            row.status = UNCHANGED if person.pk in done else NEW
            row.data = {"person": person, "at": at}
            if index % 500 == 0:
                progress(index, len(rows))

    def write(self, actor: Actor, rows: list[Row], options: dict[str, Any]) -> None:
        period = _period(options)
        if period is None:
            return
        entries = [(row.data["person"], None, row.data["at"]) for row in rows if row.status == NEW]
        services.record_participations(actor, period, entries, source=Source.IMPORT)
