"""Normalising and checking personal data (DOMAIN.md: People and codes, League membership)."""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata

from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin
from stdnum import numdb
from stdnum.cn import ric

from tongxin.core.codes import Sex
from tongxin.core.exceptions import DomainError
from tongxin.core.fields import date_refusal, length_refusal, person_name_refusal, text_refusal
from tongxin.core.rules import rule


def normalise_text(value: str) -> str:
    """Full-width characters to ASCII, spaces removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or ""))


_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_SPACE_IN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_NAME_DOT = re.compile(rf"(?<=[{_CJK}])\s*[.•‧∙・·]\s*(?=[{_CJK}])")


def normalise_name(value: str) -> str:
    """A name as typed by many hands: full-width letters to ASCII, no spaces between Chinese characters
    ("张 三" is 张三), one space between Latin words, and the middle dot of names like 阿依古丽·买买提."""
    text = unicodedata.normalize("NFKC", value or "")
    text = _NAME_DOT.sub("·", text)
    text = _SPACE_IN_CJK.sub("", text)
    return " ".join(text.split())


def normalise_id_number(value: str) -> str:
    return normalise_text(value).upper()


def check_id_number(value: str, field: str = "id_number", *, today: datetime.date | None = None) -> str:
    """Normalise and validate a resident ID number (GB 11643) or raise DomainError naming the rule.

    ``today`` (the configured time zone's date by default) lets a bulk check read the clock once.
    """
    number = normalise_id_number(value)
    if not number:
        raise DomainError(field, _("The ID number is required."))
    if len(number) != 18:
        raise DomainError(field, _("An ID number has 18 characters; this one has %(n)d.") % {"n": len(number)})
    if not ID_NUMBER_RE.match(number):
        raise _malformed(field)
    if number[-1] != ric.calc_check_digit(number):
        raise DomainError(
            field, _("The ID number's check character is wrong (GB 11643 checksum): please check each digit.")
        )
    try:
        birth = id_birth_date(number)
    except ValueError:
        raise _malformed(field) from None
    today = today or timezone.localdate()
    if birth > today:
        raise _malformed(field)
    if age_on(birth, today) > MAX_AGE:
        raise DomainError(
            field,
            _("The birth date in this ID number (%(date)s) would make the person %(age)d years old: check the number.")
            % {"date": birth.isoformat(), "age": age_on(birth, today)},
        )
    # The region code is where the number was issued, which may be later than the birth: a code in use
    # at any time is accepted (stdnum's validate() wants it in use in the birth year, refusing real numbers).
    if not _known_region(number[:6]):
        raise _malformed(field)
    return number


def _malformed(field: str) -> DomainError:
    return DomainError(field, _("The ID number is malformed: its region code or birth date is not valid (GB 11643)."))


ID_NUMBER_RE = re.compile(r"^[0-9]{17}[0-9X]$")
MAX_AGE = 120  # an ID number whose birth date gives an older person is a typing error
PARTY_JOIN_MIN_AGE = 18  # 党章: 年满十八岁的中国工人、农民、军人、知识分子和其他社会阶层的先进分子
NAME_MAX_LENGTH = 50  # Person.name's max_length


@functools.lru_cache(maxsize=8192)
def _known_region(code: str) -> bool:
    parts = numdb.get("cn/loc").info(code)
    return any("county" in props for _part, props in parts)


def id_birth_date(number: str) -> datetime.date:
    """Digits 7-14 of a normalised ID number (GB 11643); ValueError if they are no date."""
    return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def id_sex(number: str) -> str:
    return Sex.MALE if int(number[16]) % 2 else Sex.FEMALE


MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def check_phone(value: str, field: str = "phone") -> str:
    phone = normalise_text(value).replace("+86", "", 1) if value else ""
    if not phone:
        return ""
    if MOBILE_RE.match(phone) or LANDLINE_RE.match(phone):
        return phone
    raise DomainError(
        field,
        _("The phone number is malformed: use an 11-digit mobile number or a landline such as 0871-12345678."),
    )


def name_pinyin(name: str) -> tuple[str, str]:
    """Full pinyin (no spaces) and initials of a Chinese name, both lowercase."""
    syllables = lazy_pinyin(name, errors="ignore")
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(syllables).lower(), "".join(initials).lower()


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def check_league_join(
    birth: datetime.date, join: datetime.date | None, number: str | None, *, today: datetime.date | None = None
) -> None:
    """The age at joining and the member number's year rule (DOMAIN.md: League membership); ``today`` as in
    check_id_number."""
    errors: dict[str, list[str]] = {}
    if join is not None:
        if join > (today or timezone.localdate()):
            errors.setdefault("league_join_date", []).append(_("The league join date is in the future."))
        threshold_year = rule("league_number_required_from_year")
        min_age = (
            rule("league_join_min_age") if join.year >= threshold_year else rule("league_join_min_age_before_2017")
        )
        max_age = rule("league_max_age")
        age = age_on(birth, join)
        if age < min_age or age > max_age:
            errors.setdefault("league_join_date", []).append(
                _("Joining the League is open from age %(min)d to %(max)d; this person was %(age)d on that date.")
                % {"min": min_age, "max": max_age, "age": age}
            )
        if join.year >= threshold_year and not number:
            errors.setdefault("league_number", []).append(
                _("Members who joined from %(year)d need a league member number.") % {"year": threshold_year}
            )
    if number:
        if not number.isdigit():
            errors.setdefault("league_number", []).append(_("The league member number must contain digits only."))
        elif join is not None and number[:4] != str(join.year):
            errors.setdefault("league_number", []).append(
                _("The league member number must start with the join year %(year)d.") % {"year": join.year}
            )
        elif join is None:
            errors.setdefault("league_join_date", []).append(
                _("Enter the league join date that goes with this member number.")
            )
    if errors:
        raise DomainError(errors=errors)


def person_name_errors(name: str, field: str = "name") -> dict[str, list[str]]:
    """The rules of a normalised person's name (safe text, letters, its column's length), by field."""
    message = text_refusal(name) or length_refusal(name, NAME_MAX_LENGTH) or person_name_refusal(name)
    return {field: [message]} if name and message else {}


def membership_date_errors(
    birth: datetime.date | None, league_join: datetime.date | None, party_join: datetime.date | None
) -> dict[str, list[str]]:
    """The join dates in the history window (core.bounds), and a party join at 18 or older."""
    errors: dict[str, list[str]] = {}
    for field, day in (("league_join_date", league_join), ("party_join_date", party_join)):
        message = date_refusal(day, "history")
        if message:
            errors.setdefault(field, []).append(message)
    too_young = birth is not None and party_join is not None and age_on(birth, party_join) < PARTY_JOIN_MIN_AGE
    if too_young and "party_join_date" not in errors:
        assert birth is not None and party_join is not None
        errors["party_join_date"] = [
            _("A person joins the Party at %(min)d or older; this person was %(age)d on that date.")
            % {"min": PARTY_JOIN_MIN_AGE, "age": max(age_on(birth, party_join), 0)}
        ]
    return errors
