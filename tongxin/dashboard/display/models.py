"""A display link of the wall display: an organisation's figures for one screen, without a session.

The secret token exists only in the creator's browser once (the page shows it at creation, in the link's
fragment) and on the screen; the row keeps its keyed hash (``core.crypto.keyed_hash``, the house's hash of a
secret looked up by value), so a copy of the database opens no screen.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongxin.core.scoping import ScopedQuerySet, ScopeSpec
from tongxin.orgs.models import Organization


class WallDisplay(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("organisation"))  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)
    label = models.CharField(_("label"), max_length=60)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",))  # the organisation's role holders; never a person's own
    audit_fields = ["organization", "label", "expires_at", "revoked_at"]  # never the token's hash

    class Meta:
        verbose_name = _("display link")
        verbose_name_plural = _("display links")
        indexes = [models.Index(fields=["org_path", "created_at"], name="wall_display_path_idx")]

    def __str__(self) -> str:
        return self.label
