"""Every destructive form in the templates asks before it acts (issue 13, "Pages").

A cancel, reject, remove, withdraw, reopen or undo button carries ``data-confirm="question"``: the shared
handler in static/tongxin/app.js asks the question and stops the submission unless the user agrees (no
inline script, so the strict CSP holds). This test reads the templates, so a new destructive form that
forgets the attribute fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>.*?</form>", re.DOTALL | re.IGNORECASE)
# Words that make a form destructive: in the URL it posts to, a button's name/value/test id, or its label.
WORDS = r"cancel|reject|remove|delete|withdraw|undo|revoke|reopen|return|take back|end_|_end\b|dismiss|discard"
ACTION = re.compile(rf"action=\"{{% url '[^']*({WORDS})[^']*'", re.IGNORECASE)
BUTTON = re.compile(r"<button\b(?P<attrs>[^>]*)>(?P<label>.*?)</button>", re.DOTALL | re.IGNORECASE)
ATTR = re.compile(rf"(name|value|data-testid)=\"[^\"]*({WORDS})[^\"]*\"", re.IGNORECASE)
LABEL = re.compile(rf"{{% (translate|blocktranslate)[^%]*?[\"'](?:{WORDS})", re.IGNORECASE)


def destructive_forms() -> list[tuple[str, str]]:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for form in FORM.findall(path.read_text(encoding="utf-8")):
            buttons = list(BUTTON.finditer(form))
            risky = (
                ACTION.search(form)
                or path.name == "_reason_form.html"  # the shared refusal (reject, return): its URL is a variable
                or any(ATTR.search(b["attrs"]) or LABEL.search(b["label"]) for b in buttons)
            )
            if risky:
                found.append((str(path.relative_to(TEMPLATES)), form))
    return found


def test_the_scan_finds_the_known_destructive_forms():
    names = {name for name, _form in destructive_forms()}
    for expected in (
        "orglife/meetings/detail.html",  # 取消会议
        "orglife/checklists/duties.html",
        "lifecycle/transfers/detail.html",
        "lifecycle/_reason_form.html",
        "lifecycle/dues/ledger.html",  # take back a payment
        "privacy/_person_panel.html",  # withdraw a consent
    ):
        assert expected in names


def test_every_destructive_form_asks_first():
    unasked = [f"{name}: {form[:160]}" for name, form in destructive_forms() if "data-confirm=" not in form]
    assert not unasked, "destructive forms without data-confirm:\n" + "\n".join(unasked)


def test_the_shared_handler_reads_data_confirm():
    script = (TEMPLATES.parent / "static" / "tongxin" / "app.js").read_text(encoding="utf-8")
    assert "[data-confirm]" in script and "window.confirm" in script


def test_every_asking_form_also_asks_without_javascript():
    """The browser's dialog needs the script; the hidden question (``{% ask_first %}``) makes the server ask
    the same when the script does not run (tongxin/core/confirm.py)."""
    forms = [(path, form) for path in sorted(TEMPLATES.rglob("*.html"))
             for form in FORM.findall(path.read_text(encoding="utf-8"))]  # fmt: skip
    assert len(forms) > 50
    silent = [f"{path.relative_to(TEMPLATES)}: {form[:160]}" for path, form in forms
              if form.count("data-confirm=") > form.count("{% ask_first ")]  # fmt: skip
    assert not silent, "forms asking only with JavaScript:\n" + "\n".join(silent)
