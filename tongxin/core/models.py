"""Models every app uses: the audit trail and rule overrides."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongxin.core.scoping import ScopedQuerySet


class ChangeLog(models.Model):
    """One row per create/update/delete made through a service. Personal data is stored masked."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")
        MOVE = "move", _("Moved")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("actor")
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("object type"))
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    org_path = models.CharField(_("organisation path"), max_length=255, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "org_path"

    class Meta:
        verbose_name = _("change log entry")
        verbose_name_plural = _("change log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    def changed_fields(self) -> list[tuple[str, object, object]]:
        """(field label, old, new) for each changed field, coded values shown by their labels."""
        before, after = self.before or {}, self.after or {}
        model = self.content_type.model_class()
        rows = []
        for key in sorted(set(before) | set(after)):
            old, new = before.get(key), after.get(key)
            if old == new:
                continue
            label: object = key
            try:
                field = model._meta.get_field(key) if model else None
            except FieldDoesNotExist:
                field = None
            if field is not None:
                label = getattr(field, "verbose_name", key)
                choices = dict(getattr(field, "flatchoices", None) or [])
                old, new = choices.get(old, old), choices.get(new, new)
            rows.append((str(label), old, new))
        return rows


class AccessLog(models.Model):
    """Who viewed or exported personal data in full, with the filter and the row count."""

    class Action(models.TextChoices):
        REVEAL = "reveal", _("Revealed")
        EXPORT = "export", _("Exported")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("actor")
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("object type")
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    fields = models.CharField(_("fields"), max_length=200, blank=True)
    filters = models.JSONField(_("filters"), null=True, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    org_path = models.CharField(_("organisation path"), max_length=255, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "org_path"

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"


class RuleValue(models.Model):
    """A deployment's override of a configurable rule (defaults in tongxin.core.rules)."""

    key = models.CharField(_("rule"), max_length=100, unique=True)
    value = models.JSONField(_("value"))

    class Meta:
        verbose_name = _("rule value")
        verbose_name_plural = _("rule values")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
