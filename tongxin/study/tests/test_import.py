"""The national platform's participation export, through the import engine: rows matched by league member
number (or a unique name) become participations with the roll-ups; unmatched rows are reported, not written."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from tongxin.core import imports
from tongxin.core.models import ImportJob
from tongxin.study.models import Participation, PeriodStats, Source
from tongxin.study.tests.helpers import open_period

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _csv(rows: list[tuple[str, str, str]]) -> bytes:
    out = io.StringIO()
    out.write("全国平台导出\n姓名,团员编号,完成时间\n")
    for row in rows:
        out.write(",".join(row) + "\n")
    return out.getvalue().encode("utf-8")


def test_import_matches_members_and_reports_the_others(tree, users, client_for):
    period = open_period(tree)
    day = period.opens_at.date().isoformat()
    content = _csv([
        (tree.people.a1.name, tree.people.a1.league_number or "", day),
        (tree.people.a2.name, "", day),  # matched by the name, unique in the scope
        ("不存在", "20209999999", day),  # unmatched: reported
        (tree.people.c1.name, tree.people.c1.league_number or "", day),  # outside committee 1: unmatched
    ])  # fmt: skip
    client = client_for(users.committee_admin)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("study:import", args=[period.pk]),
                           {"file": SimpleUploadedFile("export.csv", content, content_type="text/csv")})  # fmt: skip
    job = ImportJob.objects.get()
    assert response.url == reverse("imports:detail", args=[job.pk])
    job = imports.run_check(job)
    assert job.report is not None
    assert job.report["counts"]["new"] == 2 and job.report["counts"]["rejected"] == 2
    imports.run_commit(job, valid_only=True)
    assert set(Participation.objects.values_list("person_id", "source")) == {
        (tree.people.a1.pk, Source.IMPORT), (tree.people.a2.pk, Source.IMPORT),
    }  # fmt: skip
    assert PeriodStats.objects.get(period=period, organization=tree.branch_a).participants == 2
    assert PeriodStats.objects.get(period=period, organization=tree.root).participants == 2


def test_outsider_cannot_import_into_a_period_he_does_not_see(tree, users, client_for):
    period = open_period(tree, org=tree.committee1)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(users.outsider).post(
        reverse("study:import", args=[period.pk]), {"file": SimpleUploadedFile("x.csv", b"a,b\n")}
    )
    assert response.status_code == 404 and not ImportJob.objects.exists()
