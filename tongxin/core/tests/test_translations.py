"""The zh-hans catalogue is complete, compiled, and covers every user-facing string.

Both ``django.po`` and ``django.mo`` are committed, so installing needs no GNU gettext. When one of these
tests fails, refresh the catalogue (needs gettext: msgfmt/xgettext)::

    .venv/bin/python manage.py makemessages -l zh_Hans --no-obsolete --no-location \\
        -i node_modules -i .venv -i .uv -i var -i bench -i tests
    # translate the new entries in tongxin/locale/zh_Hans/LC_MESSAGES/django.po, drop any "#, fuzzy"
    .venv/bin/python manage.py compilemessages -l zh_Hans
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

PROJECT_DIR = Path(__file__).resolve().parents[3]
LOCALE_DIR = PROJECT_DIR / "tongxin" / "locale"
MESSAGES_DIR = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES"
PO_PATH = MESSAGES_DIR / "django.po"
MO_PATH = MESSAGES_DIR / "django.mo"

# The same exclusions as the documented makemessages command; "locale" keeps the committed catalogue out.
IGNORED_NAMES = {"node_modules", ".venv", ".uv", "var", "bench", "tests", "locale", "__pycache__"}
# What makemessages reads in the django domain (its default extensions: html, txt, py).
SOURCE_SUFFIXES = {".py", ".html", ".txt"}
# printf-style placeholders as Python formats them: %(name)s, %(n)d, %(s).1f, and %%.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")

Key = tuple[str | None, str, str | None]


def _key(entry: polib.POEntry | polib.MOEntry) -> Key:
    return (entry.msgctxt or None, entry.msgid, entry.msgid_plural or None)


def _translation(entry: polib.POEntry | polib.MOEntry) -> tuple[str, ...]:
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
    return (entry.msgstr,)


def _describe(key: Key) -> str:
    context, msgid, plural = key
    text = repr(msgid)
    if plural:
        text += f" / plural {plural!r}"
    if context:
        text += f" (context {context!r})"
    return text


def _entries(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete]


def _is_untranslated(entry: polib.POEntry) -> bool:
    if entry.msgid_plural:
        return not entry.msgstr_plural or any(not text for text in entry.msgstr_plural.values())
    return not entry.msgstr


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    assert PO_PATH.exists(), f"{PO_PATH} is missing: run makemessages (see this module's docstring)."
    return polib.pofile(str(PO_PATH))


def test_header(po):
    metadata = po.metadata
    assert not po.metadata_is_fuzzy, "The catalogue header is marked fuzzy: remove its '#, fuzzy' line."
    assert metadata.get("Language") == "zh_Hans"
    assert "charset=UTF-8" in metadata.get("Content-Type", "")
    assert metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"


def test_every_entry_is_translated(po):
    untranslated = [_describe(_key(e)) for e in _entries(po) if _is_untranslated(e)]
    fuzzy = [_describe(_key(e)) for e in _entries(po) if e.fuzzy]
    problems = []
    if untranslated:
        problems.append(f"{len(untranslated)} untranslated:\n  " + "\n  ".join(untranslated))
    if fuzzy:
        problems.append(f"{len(fuzzy)} fuzzy (check the translation, then drop the flag):\n  " + "\n  ".join(fuzzy))
    assert not problems, f"{PO_PATH.relative_to(PROJECT_DIR)}: " + "\n".join(problems)


def test_plural_entries_have_one_form(po):
    # Chinese has a single plural form; an extra msgstr[1] means the entry was not merged under our header.
    wrong = [_describe(_key(e)) for e in _entries(po) if e.msgid_plural and set(e.msgstr_plural) != {0}]
    assert not wrong, "Plural entries must have exactly msgstr[0]:\n  " + "\n  ".join(wrong)


def test_placeholders_are_kept(po):
    problems = []
    for entry in _entries(po):
        if _is_untranslated(entry):
            continue  # reported by test_every_entry_is_translated
        expected = sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            found = sorted(PLACEHOLDER.findall(text))
            if found != expected:
                problems.append(f"{_describe(_key(entry))}: expected {expected}, found {found} in {text!r}")
    assert not problems, "Placeholders differ between source and translation:\n  " + "\n  ".join(problems)


def test_mo_matches_po(po):
    assert MO_PATH.exists(), f"{MO_PATH} is missing: run `manage.py compilemessages -l zh_Hans`."
    expected = {_key(e): _translation(e) for e in _entries(po) if not e.fuzzy and not _is_untranslated(e)}
    mo = polib.mofile(str(MO_PATH))
    compiled = {_key(e): _translation(e) for e in mo}  # msgfmt leaves out fuzzy and untranslated entries too
    stale = sorted((k for k in expected if compiled.get(k) != expected[k]), key=str)
    extra = sorted((k for k in compiled if k not in expected), key=str)
    assert not stale and not extra, (
        f"{MO_PATH.relative_to(PROJECT_DIR)} is out of date with the .po "
        f"({len(stale)} missing or different, {len(extra)} no longer in the .po): "
        "run `manage.py compilemessages -l zh_Hans` and commit the .mo.\n  "
        + "\n  ".join(_describe(k) for k in [*stale, *extra][:20])
    )
    assert mo.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"


def _copy_sources(destination: Path) -> None:
    """Copy the files makemessages would read, so extraction never writes into the working tree."""
    for dirpath, dirnames, filenames in os.walk(PROJECT_DIR):
        dirnames[:] = [d for d in dirnames if d not in IGNORED_NAMES and not d.startswith(".")]
        relative = Path(dirpath).relative_to(PROJECT_DIR)
        for filename in filenames:
            if Path(filename).suffix in SOURCE_SUFFIXES and filename not in IGNORED_NAMES:
                target = destination / relative / filename
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(Path(dirpath) / filename, target)


def test_catalogue_covers_every_source_string(po, tmp_path, settings, monkeypatch):
    """Regenerate the catalogue into a temporary copy: it must add no msgid the committed .po lacks."""
    missing_tools = [tool for tool in ("xgettext", "msguniq", "msgmerge", "msgattrib") if not shutil.which(tool)]
    if missing_tools:
        pytest.skip(f"GNU gettext is not installed ({', '.join(missing_tools)} not found): source strings not checked")
    sources = tmp_path / "src"
    out = tmp_path / "locale"
    _copy_sources(sources)
    (out / "zh_Hans" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copyfile(PO_PATH, out / "zh_Hans" / "LC_MESSAGES" / "django.po")
    settings.LOCALE_PATHS = [out]
    monkeypatch.chdir(sources)
    call_command(
        "makemessages",
        locale=["zh_Hans"],
        no_obsolete=True,
        no_location=True,
        ignore_patterns=sorted(IGNORED_NAMES),
        verbosity=0,
    )
    assert not list(sources.rglob("*.pot")), "makemessages wrote its template outside the temporary locale dir"
    regenerated = polib.pofile(str(out / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    committed_keys = {_key(e) for e in _entries(po)}
    added = sorted((_key(e) for e in _entries(regenerated) if _key(e) not in committed_keys), key=str)
    assert not added, (
        f"{len(added)} user-facing string(s) in the code or templates are missing from "
        f"{PO_PATH.relative_to(PROJECT_DIR)}: run makemessages, translate them, then compilemessages "
        "(see tongxin/core/tests/test_translations.py).\n  " + "\n  ".join(_describe(k) for k in added)
    )
