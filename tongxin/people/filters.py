"""The roster FilterSet, shared by the roster page and /api/people/."""

from __future__ import annotations

import datetime
import re
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from tongxin.core.codes import PoliticalStatus
from tongxin.core.filters import FilterSet, IdFilter, IntFilter
from tongxin.core.scoping import subtree_q
from tongxin.orgs.models import MEMBER_HOLDING_KINDS, Organization, OrgKind
from tongxin.people.models import MembershipStatus, Person, PersonQuerySet

STATUS_ALL = "all"
ID_TAIL_RE = re.compile(r"^\d{3,17}[\dXx]$")  # at least the 4 characters id_tail holds

# Sort keys: (label, [(attribute, SQL column), ...]); the last key is unique so cursors are exact.
SORTS: dict[str, tuple[Any, list[tuple[str, str]]]] = {
    "org": (_("Organisation, then name"), [("org_path", "people_person.org_path"),
                                           ("name_pinyin", "people_person.name_pinyin"),
                                           ("id", "people_person.id")]),
    "name": (_("Name"), [("name_pinyin", "people_person.name_pinyin"), ("id", "people_person.id")]),
    "oldest": (_("Oldest first"), [("birth_date", "people_person.birth_date"), ("id", "people_person.id")]),
}  # fmt: skip
DEFAULT_SORT = "org"


def _years_ago(years: int) -> datetime.date:
    today = timezone.localdate()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


class PersonFilter(FilterSet):
    org = IdFilter(label=_("Organisation (with its subtree)"), method="filter_org")
    org_kind = django_filters.ChoiceFilter(
        label=_("Organisation kind"),
        choices=[(k, OrgKind(k).label) for k in sorted(MEMBER_HOLDING_KINDS)],
        field_name="branch__kind",
        empty_label=_("All"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Membership status"),
        choices=[*MembershipStatus.choices, (STATUS_ALL, _("All"))],
        method="filter_status",
        empty_label=None,
    )
    political_status = django_filters.ChoiceFilter(
        label=_("Political status"), choices=PoliticalStatus.choices, empty_label=_("All")
    )
    age_min = IntFilter(label=_("Age from"), method="filter_age_min", bounds=(0, 150))
    age_max = IntFilter(label=_("Age to"), method="filter_age_max", bounds=(0, 150))
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        help_text=_("Name, pinyin initials, or the last digits of an ID or phone"),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[(k, v[0]) for k, v in SORTS.items()],
        method="filter_noop",
        empty_label=None,
    )

    class Meta:
        model = Person
        fields = ["org", "org_kind", "status", "political_status", "age_min", "age_max", "q", "sort"]

    def __init__(self, data=None, *args: Any, **kwargs: Any) -> None:
        data = data.copy() if data is not None else {}
        if not data.get("status"):
            data["status"] = MembershipStatus.ACTIVE
        if not data.get("sort"):
            data["sort"] = DEFAULT_SORT
        super().__init__(data, *args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if hasattr(field, "choices") else "form-control")

    def filter_noop(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset

    @cached_property
    def subtree_org(self) -> Organization | None:
        """The organisation named by ``?org=``, fetched once for the filter, the count and the page."""
        org_id = self.form.cleaned_data.get("org") if self.is_valid() else None
        if org_id is None:
            return None
        return Organization.objects.filter(pk=int(org_id)).only("path", "name").first()

    def filter_org(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        org = self.subtree_org
        if org is None:
            return queryset.none()
        return queryset.filter(subtree_q("org_path", org.path))

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset if value == STATUS_ALL else queryset.filter(status=value)

    def filter_age_min(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset.filter(birth_date__lte=_years_ago(int(value)))

    def filter_age_max(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        # Younger than age_max + 1 years.
        return queryset.filter(birth_date__gt=_years_ago(int(value) + 1))

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        text = "".join(value.split())
        if not text:
            return queryset
        if ID_TAIL_RE.match(text):
            # The last 4-6 characters of an ID number (no more: a whole number typed here would confirm it
            # without the audited reveal), or the last 4-11 digits of a phone.
            # Both are encrypted: the 4-character tails are stored in clear, a longer text is compared with
            # the decrypted values of the rows sharing the tail (PersonQuerySet.q_*_ends_with).
            people = queryset if isinstance(queryset, PersonQuerySet) else Person.objects.all()
            by_phone = people.q_phone_ends_with(text) if text.isdigit() and len(text) <= 11 else Q(pk=None)
            if len(text) <= 6:
                return queryset.filter(people.q_id_ends_with(text) | by_phone)
            return queryset.filter(by_phone)
        if text.isascii() and text.isalpha():
            lowered = text.lower()
            return queryset.filter(
                Q(name_initials__startswith=lowered) | Q(name_pinyin__startswith=lowered) | Q(name__icontains=text)
            )
        return queryset.filter(name__contains=text)

    @property
    def sort_keys(self) -> list[tuple[str, str]]:
        key = self.form.cleaned_data.get("sort") if self.is_bound and self.form.is_valid() else None
        return SORTS.get(key or DEFAULT_SORT, SORTS[DEFAULT_SORT])[1]

    def only_subtree_and_status(self) -> bool:
        """True when nothing but the subtree and the default status narrows the list."""
        data = self.form.cleaned_data
        narrowing = ("org_kind", "political_status", "age_min", "age_max", "q")
        return data.get("status") == MembershipStatus.ACTIVE and not any(
            data.get(k) not in (None, "") for k in narrowing
        )
