"""The organisation tree: one table for league and party organisations, as a materialized path."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongxin.core.fields import InWindow, Wording
from tongxin.core.scoping import ScopedQuerySet, ScopeSpec
from tongxin.orgs.validators import DivisionCode, OrgCode

# Each path step is the organisation's own id, zero-padded to a fixed width, so a path names every
# ancestor and a subtree is a prefix range.
STEP_WIDTH = 8


def path_ids(path: str) -> list[int]:
    """Ids of the organisations on ``path``, root first (the last one is the organisation itself)."""
    return [int(path[i : i + STEP_WIDTH]) for i in range(0, len(path), STEP_WIDTH)]


def path_step(org_id: int) -> str:
    return str(org_id).zfill(STEP_WIDTH)


class OrgKind(models.TextChoices):
    LOCAL_COMMITTEE = "local_committee", _("Local League committee")
    COMMITTEE = "committee", _("League committee")
    WORKING_COMMITTEE = "working_committee", _("League working committee")
    GENERAL_BRANCH = "general_branch", _("League general branch")
    BRANCH = "branch", _("League branch")
    PARTY_COMMITTEE = "party_committee", _("Party committee")
    PARTY_GENERAL_BRANCH = "party_general_branch", _("Party general branch")
    PARTY_BRANCH = "party_branch", _("Party branch")


LEAGUE_KINDS = frozenset(
    {
        OrgKind.LOCAL_COMMITTEE,
        OrgKind.COMMITTEE,
        OrgKind.WORKING_COMMITTEE,
        OrgKind.GENERAL_BRANCH,
        OrgKind.BRANCH,
    }
)
PARTY_KINDS = frozenset({OrgKind.PARTY_COMMITTEE, OrgKind.PARTY_GENERAL_BRANCH, OrgKind.PARTY_BRANCH})
# Only these hold members; they have no child organisations.
MEMBER_HOLDING_KINDS = frozenset({OrgKind.BRANCH, OrgKind.PARTY_BRANCH})

# Which kinds may sit under which. None stands for "a root". The deployment's own organ party
# branch sits under the local committee it serves, paired with it.
ALLOWED_PARENT_KINDS: dict[str, frozenset[str | None]] = {
    OrgKind.LOCAL_COMMITTEE: frozenset({None, OrgKind.LOCAL_COMMITTEE}),
    OrgKind.COMMITTEE: frozenset({OrgKind.LOCAL_COMMITTEE, OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE}),
    OrgKind.WORKING_COMMITTEE: frozenset({OrgKind.LOCAL_COMMITTEE, OrgKind.COMMITTEE}),
    OrgKind.GENERAL_BRANCH: frozenset({OrgKind.LOCAL_COMMITTEE, OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE}),
    OrgKind.BRANCH: frozenset(
        {OrgKind.LOCAL_COMMITTEE, OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE, OrgKind.GENERAL_BRANCH}
    ),
    OrgKind.PARTY_COMMITTEE: frozenset({None, OrgKind.PARTY_COMMITTEE, OrgKind.LOCAL_COMMITTEE}),
    OrgKind.PARTY_GENERAL_BRANCH: frozenset({OrgKind.PARTY_COMMITTEE, OrgKind.LOCAL_COMMITTEE}),
    OrgKind.PARTY_BRANCH: frozenset({OrgKind.PARTY_COMMITTEE, OrgKind.PARTY_GENERAL_BRANCH, OrgKind.LOCAL_COMMITTEE}),
}


class CommitteeLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    MUNICIPAL = "municipal", _("Municipal")
    COUNTY = "county", _("County / district")


class OrgCategory(models.TextChoices):
    GOVERNMENT = "government", _("Government organ")
    SCHOOL = "school", _("School")
    ENTERPRISE = "enterprise", _("Enterprise")
    RURAL = "rural", _("Rural")
    COMMUNITY = "community", _("Community / sub-district")
    PARK = "park", _("Industrial park")
    BUILDING = "building", _("Commercial building")
    SOCIAL = "social", _("Social organisation")
    OTHER = "other", _("Other")


class OrgStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DISSOLVED = "dissolved", _("Dissolved")


class OrganizationQuerySet(ScopedQuerySet):
    def active(self) -> OrganizationQuerySet:
        return self.filter(status=OrgStatus.ACTIVE)


class Organization(models.Model):
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=OrgKind.choices)
    level = models.CharField(_("level"), max_length=16, choices=CommitteeLevel.choices, blank=True)
    category = models.CharField(_("category"), max_length=16, choices=OrgCategory.choices, default=OrgCategory.OTHER)
    is_joint = models.BooleanField(_("joint branch"), default=False)
    name = models.CharField(_("full name"), max_length=200, validators=[Wording()])
    short_name = models.CharField(_("short name"), max_length=100, blank=True, validators=[Wording()])
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[OrgCode()])
    division_code = models.CharField(_("division code"), max_length=12, blank=True, validators=[DivisionCode()])
    established = models.DateField(_("established"), null=True, blank=True, validators=[InWindow("history")])
    term_start = models.DateField(_("current term start"), null=True, blank=True, validators=[InWindow("history")])
    term_end = models.DateField(_("current term end"), null=True, blank=True, validators=[InWindow("any")])
    status = models.CharField(_("status"), max_length=16, choices=OrgStatus.choices, default=OrgStatus.ACTIVE)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True, validators=[InWindow("history")])
    paired_org = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("paired organisation"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationQuerySet.as_manager()
    scope = ScopeSpec(paths=("path",))
    audit_fields = [
        "parent", "kind", "level", "category", "is_joint", "name", "short_name", "code", "division_code",
        "established", "term_start", "term_end", "status", "dissolved_on", "paired_org",
    ]  # fmt: skip

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path"]
        indexes = [models.Index(fields=["parent", "status", "kind", "code"], name="org_children_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def holds_members(self) -> bool:
        return self.kind in MEMBER_HOLDING_KINDS

    @property
    def is_party(self) -> bool:
        return self.kind in PARTY_KINDS

    def ancestor_ids(self) -> list[int]:
        return path_ids(self.path)[:-1]


class OrgStats(models.Model):
    """Roll-up counts for one organisation, kept current by the services that change them.

    ``members_direct``: active members of this organisation (branches only); ``members_total``:
    active members of its whole subtree; ``children_count``: active direct child organisations.
    ``python manage.py rebuild_rollups`` recomputes all of them from the roster.
    """

    organization = models.OneToOneField(Organization, primary_key=True, on_delete=models.CASCADE, related_name="stats")
    members_direct = models.PositiveIntegerField(_("direct members"), default=0)
    members_total = models.PositiveIntegerField(_("total members"), default=0)
    children_count = models.PositiveIntegerField(_("child organisations"), default=0)

    class Meta:
        verbose_name = _("organisation statistics")
        verbose_name_plural = _("organisation statistics")

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.members_total}"


class Tally(models.Model):
    """One figure of an organisation's whole subtree: how many of ``facet`` have the value ``bucket``
    (active members with sex 2, branches of category "school", volunteer minutes in month 202611).

    Kept current by the services that change what is counted, in the same transaction, through
    ``orgs.tallies.adjust``: the change is made at the organisation where it happens and added to it and to
    every ancestor in one statement. ``manage.py rebuild_rollups`` recomputes every row from the records
    (each counting app registers its source with ``orgs.tallies.register_source``). A figure that drifts with
    time and no event (an age) is stored by what does not drift (the birth month) and derived when read.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="tallies")
    facet = models.CharField(max_length=24)
    bucket = models.CharField(max_length=64, blank=True)  # the longest: a compliance cell, "2026|quarter4|…|…"
    count = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")
        constraints = [
            models.UniqueConstraint(fields=["organization", "facet", "bucket"], name="orgs_tally_one_per_bucket")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.facet}={self.bucket}: {self.count}"
