"""Fuzzing what users type and upload, with Hypothesis: the ID number check and the import engine.

* ``check_id_number``: every well-formed number (a known region, a real birth date, any order digits, the
  GB 11643 check character) is accepted and comes back as it was, also typed with full-width digits,
  spaces or a lowercase x; any 17 digits with their check character, and any text at all, either pass or
  raise the documented ``DomainError`` naming the field, nothing else.
* The import engine: arbitrary bytes (raw, behind a zip or OLE header, a real workbook with bytes
  overwritten) are refused with a message or checked into a report, never an exception; arbitrary cell
  values in a valid .xlsx/.csv are imported or reported at their row; a refused file, a dry run and a
  commit with any rejected row write no Person rows. The upload page answers such files without a 500.

Atheris is not used: it is not installed and the project adds no dependencies; Hypothesis covers these
pure-Python parsers (the binary readers, calamine and msoffcrypto, are exercised through the same entry).
Examples per property: the ``tongxin`` Hypothesis profile (``HYPOTHESIS_PROFILE=deep`` for ten times more).
"""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from tongxin.core.exceptions import DomainError
from tongxin.core.imports import run_commit
from tongxin.core.models import ImportJob
from tongxin.core.spreadsheets import CFB_MAGIC, ZIP_MAGIC
from tongxin.core.testing import figures
from tongxin.people.models import Person
from tongxin.people.tests.import_helpers import USUAL, check, csv_file, member, table, xlsx_file
from tongxin.people.tests.import_helpers import report as report_of
from tongxin.people.validators import MAX_AGE, check_id_number, normalise_id_number

# The ID number properties are pure functions: four times the profile's examples cost little.
PURE = settings(max_examples=settings().max_examples * 4)
FIXTURES = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
REGIONS = ["110101", "310104", "440305", "530112", "650102"]  # county-level codes in use
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def counted() -> None:
    figures.add("fuzz iterations")


def with_check_character(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


# --- the ID number -------------------------------------------------------------------------------------

# A birth date that gives an age over MAX_AGE (120) is a typing error, refused (issue 12 §3).
births = st.dates(min_value=timezone.localdate().replace(year=timezone.localdate().year - MAX_AGE + 1),
                  max_value=timezone.localdate())  # fmt: skip
well_formed = st.builds(
    lambda region, birth, order: with_check_character(f"{region}{birth:%Y%m%d}{order:03d}"),
    st.sampled_from(REGIONS),
    births,
    st.integers(0, 999),
)


@PURE
@given(number=well_formed, full_width=st.booleans(), spaces=st.booleans())
def test_a_well_formed_id_number_round_trips(number, full_width, spaces):
    counted()
    typed = number.lower()
    if full_width:
        typed = typed.upper().translate(FULL_WIDTH)
    if spaces:
        typed = f" {typed[:6]} {typed[6:14]}\t{typed[14:]} "
    assert check_id_number(typed) == number
    assert normalise_id_number(typed) == number


@PURE
@given(body=st.text("0123456789", min_size=17, max_size=17))
def test_any_17_digits_with_their_check_character_pass_or_are_refused_by_the_rule(body):
    counted()
    number = with_check_character(body)
    try:
        assert check_id_number(number) == number
    except DomainError as exc:
        assert set(exc.errors) == {"id_number"} and all(exc.errors["id_number"])


@PURE
@given(text=st.text() | st.text("0123456789Xx０１２３４５６７８９ \t", max_size=24))
def test_any_text_passes_or_raises_the_documented_error(text):
    counted()
    try:
        number = check_id_number(text, field="number")
    except DomainError as exc:
        assert set(exc.errors) == {"number"} and all(exc.errors["number"])
    else:
        assert len(number) == 18 and number == normalise_id_number(text)


@PURE
@given(number=well_formed, position=st.integers(0, 17), digit=st.sampled_from("0123456789X"))
def test_one_wrong_character_is_refused(number, position, digit):
    assume(number[position] != digit)
    counted()
    changed = number[:position] + digit + number[position + 1 :]
    with pytest.raises(DomainError):
        check_id_number(changed)


# --- the import engine: whole files -------------------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


_VALID_XLSX = xlsx_file([["姓名", "公民身份号码", "所在团支部"], ["张三", "530112200001010011", "甲团支部"]])


def _overwrite(content: bytes, patches: list[tuple[int, int]]) -> bytes:
    data = bytearray(content)
    for position, value in patches:
        data[position % len(data)] = value
    return bytes(data)


files = st.one_of(
    st.binary(max_size=2048),
    st.binary(max_size=512).map(lambda rest: ZIP_MAGIC + rest),
    st.binary(max_size=512).map(lambda rest: CFB_MAGIC + rest),
    st.binary(max_size=512).map(lambda junk: _zip({"xl/workbook.xml": junk})),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8).map(
        lambda patches: _overwrite(_VALID_XLSX, patches)
    ),
    st.text(max_size=300).map(lambda text: text.encode("utf-8")),
)
names = st.sampled_from(["名册.xlsx", "名册.xls", "名册.csv", "名册.txt", "名册"])


@FIXTURES
@given(content=files, file_name=names)
def test_any_file_is_refused_with_a_message_or_checked(users, content, file_name):
    counted()
    people = Person.objects.count()
    job = check(users.committee_admin, content, file_name)
    assert job.status in (ImportJob.Status.REFUSED, ImportJob.Status.CHECKED), job.status
    if job.status == ImportJob.Status.REFUSED:
        assert job.error.strip() and job.report is None
    else:
        assert job.report is not None
        job = run_commit(job)  # whatever was read, all or nothing
        assert job.status in (ImportJob.Status.REFUSED, ImportJob.Status.CHECKED, ImportJob.Status.DONE)
    if job.status != ImportJob.Status.DONE:
        assert Person.objects.count() == people


# --- the import engine: cells --------------------------------------------------------------------------

cells = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.text("0123456789Xx-./年月日 ", max_size=20),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),  # a workbook has no NaN cell; as text below
    st.sampled_from(["nan", "inf", "-inf", "1e400", "#N/A", "=1/0"]),
    st.dates(min_value=datetime.date(1800, 1, 1)),
    st.booleans(),
)


def fuzzed_rows(tree, draw_cells: list[dict[str, object]]) -> list[dict[str, object]]:
    rows = []
    for index, changes in enumerate(draw_cells):
        row = member(tree.branch_a, f"模糊{index}")
        row.update(changes)
        rows.append(row)
    return rows


row_changes = st.lists(st.dictionaries(st.sampled_from(USUAL), cells, max_size=4), min_size=1, max_size=4)


@FIXTURES
@given(changes=row_changes, as_csv=st.booleans())
# Found on PostgreSQL ("A string literal cannot contain NUL characters"): the whole import failed (issue 12 §3).
@example(changes=[{"name": "张\x00三"}], as_csv=False)
def test_any_cell_values_are_imported_or_reported_at_their_row(tree, users, changes, as_csv):
    counted()
    rows = table(fuzzed_rows(tree, changes))
    if as_csv:
        content, file_name = csv_file([[_csv_cell(v) for v in row] for row in rows]), "名册.csv"
    else:
        content, file_name = xlsx_file(rows), "名册.xlsx"
    people = Person.objects.count()

    job = check(users.committee_admin, content, file_name)
    assert Person.objects.count() == people, "the dry run wrote rows"
    if as_csv and b"\x00" in content:
        # A NUL byte makes a text file binary: the CSV is refused as a whole, with the reason, not read.
        assert job.status == ImportJob.Status.REFUSED and job.error
        return
    assert job.status == ImportJob.Status.CHECKED, job.error
    report = report_of(job)
    data_rows = set(range(2, len(rows) + 1))  # Excel rows of the data (row 1 is the header)
    assert {issue["row"] for issue in report["issues"]} <= data_rows
    assert all(issue["message"] for issue in report["issues"])

    job = run_commit(job)
    if report["counts"]["rejected"]:
        assert job.status == ImportJob.Status.CHECKED
        assert Person.objects.count() == people, "a file with rejected rows was partly written"
    else:
        assert job.status == ImportJob.Status.DONE, job.error
        assert Person.objects.count() == people + report["counts"]["new"]


def _csv_cell(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


# --- the upload page -----------------------------------------------------------------------------------


@settings(FIXTURES, max_examples=max(5, settings().max_examples // 2))  # a page per example: fewer
@given(content=files, file_name=names)
def test_the_upload_page_answers_any_file_without_a_server_error(tree, users, client_for, content, file_name):
    counted()
    people = Person.objects.count()
    client = client_for(users.committee_admin)
    upload = SimpleUploadedFile(file_name, content or b"\0")
    response = client.post("/imports/new/", {"kind": "roster", "org": tree.branch_a.pk, "file": upload}, follow=True)
    assert response.status_code == 200
    assert Person.objects.count() == people
