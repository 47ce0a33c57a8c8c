"""The password policy's own rules; the others are Django's validators (settings.AUTH_PASSWORD_VALIDATORS).

Django calls every validator with the user whose password is set (the password page, the first password
after a one-time code, the admin, ``manage.py changepassword``), so a rule may look at the person behind
the account.
"""

from __future__ import annotations

import datetime
import itertools
import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pypinyin import Style, pinyin


class LettersAndDigitsValidator:
    """A password must mix letters and digits (the length, common-password and similarity rules are Django's)."""

    def validate(self, password: str, user: Any = None) -> None:
        if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
            raise ValidationError(_("The password must contain both letters and digits."), code="password_no_mix")

    def get_help_text(self) -> str:
        return _("Your password must contain both letters and digits.")


# --- the person's name and birth date -------------------------------------------------------------------

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SEPARATORS = re.compile(r"[\s._\-·]+")
MAX_READINGS = 3  # readings kept per character (单: dan, shan, chan)
MAX_SPELLINGS = 24  # spellings of a whole name, heteronyms combined
MIN_OWN_PART = 6  # characters a password needs besides the name and birth date


def _spellings(name: str) -> list[list[str]]:
    """Each way to spell ``name`` in pinyin, as a list of syllables (heteronyms: 曾 is zeng or ceng; 吕 is
    lv or lu)."""
    readings = []
    for options in pinyin(name, style=Style.NORMAL, heteronym=True, errors="ignore"):
        variants: list[str] = []
        for reading in options[:MAX_READINGS]:
            for spelling in (reading.lower(), reading.lower().replace("v", "u")):  # pypinyin writes ü as v
                if spelling.isascii() and spelling.isalpha() and spelling not in variants:
                    variants.append(spelling)
        if variants:
            readings.append(variants)
    if not readings:
        return []
    return [list(combo) for combo in itertools.islice(itertools.product(*readings), MAX_SPELLINGS)]


def name_parts(name: str) -> set[str]:
    """What a password may be built from a Chinese name: its pinyin in order and reversed (given name then
    surname, for one- and two-character surnames), its initials both ways, the surname with the given name's
    initials, and the given name alone when it is long enough to mean something (≥ 4 letters)."""
    parts: set[str] = set()
    for syllables in _spellings(name):
        parts.add("".join(syllables))
        parts.add("".join(s[0] for s in syllables))
        for cut in (1, 2):
            if len(syllables) <= cut:
                continue
            surname, given = syllables[:cut], syllables[cut:]
            parts.add("".join(given + surname))
            parts.add("".join(s[0] for s in given + surname))
            parts.add("".join(surname) + "".join(s[0] for s in given))
            given_text = "".join(given)
            if len(given_text) >= 4:
                parts.add(given_text)
    return {p for p in parts if len(p) >= 2}


def birth_parts(birth: datetime.date | None) -> set[str]:
    if birth is None:
        return set()
    return {f"{birth:%Y%m%d}", f"{birth:%y%m%d}", f"{birth:%m%d%Y}", f"{birth:%Y}", f"{birth:%m%d}"}


def _person_of(user: Any) -> tuple[list[str], datetime.date | None]:
    """The Chinese names and birth date known for ``user``: its roster person (name, birth date) and the
    account's own first and last name when they are written in Chinese."""
    names: list[str] = []
    birth = None
    person = None
    if user is not None and getattr(user, "person_id", None) is not None:
        person = getattr(user, "person", None)
    if person is not None:
        names.append(person.name)
        birth = person.birth_date
    if user is not None:
        own = f"{getattr(user, 'last_name', '') or ''}{getattr(user, 'first_name', '') or ''}"
        if _CJK.search(own) and own not in names:
            names.append(own)
    return [n for n in names if _CJK.search(n)], birth


def built_from(password: str, names: set[str], births: set[str]) -> bool:
    """Whether ``password`` is one of ``names`` plus little else: once the name parts and then the birth
    date parts are taken out, what is left has fewer than ``MIN_OWN_PART`` characters or no letter."""
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", password).lower())
    rest = text
    for part in sorted(names, key=len, reverse=True):
        rest = rest.replace(part, "")
    if rest == text:
        return False  # no part of the name in it
    for part in sorted(births, key=len, reverse=True):
        rest = rest.replace(part, "")
    return len(rest) < MIN_OWN_PART or not any(c.isalpha() for c in rest)


class PersonalInfoValidator:
    """A password may not be the user's name in pinyin (or its initials, either order) with a few digits
    or the birth date: ``zhoujianguo1``, ``chenjie2007a``, ``zjg20070315``, ``jianguozhou88``."""

    def validate(self, password: str, user: Any = None) -> None:
        names, birth = _person_of(user)
        if not names:
            return
        parts = set().union(*(name_parts(n) for n in names))
        if parts and built_from(password, parts, birth_parts(birth)):
            raise ValidationError(
                _(
                    "The password must not be made of your name in pinyin (or its initials) with a few digits or "
                    "your birth date: add at least %(count)d characters of your own, letters among them."
                ),
                code="password_personal",
                params={"count": MIN_OWN_PART},
            )

    def get_help_text(self) -> str:
        return _("Your password must not be your name in pinyin with a few digits or your birth date.")
