"""The dashboard's own rows: the 三力一度 index's settings (``tongxin.dashboard.index``) and the submitted annual
reports (``report.models``, imported at the end).

``IndexScheme``: an organisation's own index settings: whether its page ranks its children (off by default,
the organisation's own choice: 指尖上的形式主义), the lowest scores of five, four and three stars on its page
(its own too, not inherited: 90/80/70 by default, descending within 0–100), and, through its versions, the
weights of the indicators for its subtree. The weights of an organisation are those of the nearest scheme up its
path with a version in force (the defaults of ``index.indicators.DEFAULT_WEIGHTS`` when none), as the points
rules are inherited.

``IndexWeightsVersion``: the weights from ``valid_from`` until the next version; a change is a new version from
today or later (a past year keeps the weights it was scored with), the older ones are kept, and a year is scored
with the version in force on its last day (today for the year under way). ``IndexWeight``: one indicator's
percentage in a version (the percentages add up to 100).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tongxin.core.fields import IntRange, InWindow
from tongxin.core.scoping import ScopedQuerySet, ScopeSpec
from tongxin.orgs.models import Organization


class IndexScheme(models.Model):
    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="index_scheme",
                                        verbose_name=_("organisation"))  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)
    rankings = models.BooleanField(_("rankings shown"), default=False)  # off by default
    five_star_min = models.PositiveSmallIntegerField(_("five stars from"), default=90, validators=[IntRange(0, 100)])
    four_star_min = models.PositiveSmallIntegerField(_("four stars from"), default=80, validators=[IntRange(0, 100)])
    three_star_min = models.PositiveSmallIntegerField(_("three stars from"), default=70, validators=[IntRange(0, 100)])
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",))
    audit_fields = ["organization", "rankings", "five_star_min", "four_star_min", "three_star_min"]

    class Meta:
        verbose_name = _("index settings")
        verbose_name_plural = _("index settings")
        indexes = [models.Index(fields=["org_path"], name="index_scheme_path_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(five_star_min__lte=100, five_star_min__gt=F("four_star_min"),
                            four_star_min__gt=F("three_star_min")),
                name="index_stars_descending",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.organization_id}"

    def grades(self) -> list[tuple[int, int]]:
        """(lowest score, stars), highest first, as ``index.indicators.STARS``."""
        return [(self.five_star_min, 5), (self.four_star_min, 4), (self.three_star_min, 3)]


class IndexWeightsVersion(models.Model):
    scheme = models.ForeignKey(IndexScheme, on_delete=models.CASCADE, related_name="versions")
    org_path = models.CharField(max_length=255, editable=False)  # the scheme's, for the one-query lookup
    valid_from = models.DateField(_("valid from"), validators=[InWindow("any")])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",))
    audit_fields = ["scheme", "valid_from"]

    class Meta:
        verbose_name = _("index weights version")
        verbose_name_plural = _("index weights versions")
        ordering = ["scheme_id", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["scheme", "valid_from"], name="index_weights_version_once")]
        indexes = [models.Index(fields=["org_path", "valid_from"], name="index_weights_path_idx")]

    def __str__(self) -> str:
        return f"{self.scheme_id} ({self.valid_from})"


class IndexWeight(models.Model):
    version = models.ForeignKey(IndexWeightsVersion, on_delete=models.CASCADE, related_name="items")
    indicator = models.CharField(_("indicator"), max_length=40)
    percent = models.PositiveSmallIntegerField(_("weight (%)"), validators=[IntRange(0, 100)])

    class Meta:
        verbose_name = _("index weight")
        verbose_name_plural = _("index weights")
        constraints = [models.UniqueConstraint(fields=["version", "indicator"], name="index_weight_once")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.percent}%"


from tongxin.dashboard.display.models import WallDisplay  # noqa: E402  (the wall's display links)
from tongxin.dashboard.report.models import AnnualReport  # noqa: E402  (the report's rows, in its package)

__all__ = ["AnnualReport", "IndexScheme", "IndexWeight", "IndexWeightsVersion", "WallDisplay"]
