"""Models every app uses: the audit trail, rule overrides, imports and notifications; and ``StoredFile``, the
abstract columns of an uploaded file kept in the database (meeting attachments, activity and venue photos)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongxin.core.crypto import EncryptedBinaryField, EncryptedJSONField
from tongxin.core.scoping import ScopedQuerySet, ScopeSpec


class ChangeLog(models.Model):
    """One row per create/update/delete made through a service. Personal data is stored masked."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")
        MOVE = "move", _("Moved")
        IMPORT = "import", _("Imported")

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
    scope = ScopeSpec(paths=("org_path",))

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
                old, new = _label_of(choices, old), _label_of(choices, new)
            rows.append((str(label), old, new))
        return rows


def _label_of(choices: dict[Any, Any], value: Any) -> Any:
    """A coded value's label; a list (a multiple choice recorded as one field: a rota's quarters) label by
    label; anything else as recorded."""
    if isinstance(value, list):
        return [_label_of(choices, item) for item in value]
    try:
        return choices.get(value, value)
    except TypeError:  # unhashable (a mapping): shown as recorded
        return value


class AccessLog(models.Model):
    """Who viewed or exported personal data in full, with the filter and the row count."""

    class Action(models.TextChoices):
        REVEAL = "reveal", _("Revealed")
        EXPORT = "export", _("Exported")
        # A lookup by ID number (recruitment, the roster form, a transfer in): counted per user and hour
        # (core.audit.record_id_lookup); the number itself is kept masked in ``filters``.
        LOOKUP = "lookup", _("Looked up by ID number")

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
    scope = ScopeSpec(paths=("org_path",))

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["actor", "action", "created_at"], name="accesslog_actor_action_idx")]

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


class ImportJob(models.Model):
    """One uploaded spreadsheet and what became of it: checked (dry run), then imported or not.

    The job belongs to the user who uploaded it: only they see it (the file holds personal data). The
    ChangeLog row written when it is imported is the audit entry (who, file name, counts).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be checked")
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        REFUSED = "refused", _("Refused")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    kind = models.CharField(_("kind"), max_length=32)
    file_name = models.CharField(_("file name"), max_length=255)
    # The file and its check report (which quotes cells, ID numbers among them) are personal data:
    # both are stored encrypted (tongxin.core.crypto), like the roster's ID numbers and phones.
    content = EncryptedBinaryField(_("file content"))
    # Choices made on the upload page: default organisation, column mapping, language of the messages.
    options = models.JSONField(_("options"), default=dict)
    org_path = models.CharField(_("organisation path"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    report = EncryptedJSONField(_("check report"), null=True, blank=True)
    result = models.JSONField(_("import result"), null=True, blank=True)
    error = models.TextField(_("reason refused"), blank=True)
    finished_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",))

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["actor", "created_at"], name="importjob_actor_idx")]

    def __str__(self) -> str:
        return self.file_name

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def kind_label(self) -> str:
        from tongxin.core.imports import SPECS  # noqa: PLC0415 - late: the import engine imports this module

        spec = SPECS.get(self.kind)
        return str(spec.label) if spec is not None else self.kind

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.CHECKING, self.Status.IMPORTING)


class NotificationQuerySet(models.QuerySet):
    """Notifications are per recipient: ``visible_to(user)`` is the user's own, whatever their roles."""

    def visible_to(self, user: Any, action: str = "view") -> NotificationQuerySet:
        if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
            return self.none()
        return self.filter(recipient_id=user.pk)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def not_about_pending(self) -> NotificationQuerySet:
        """Leave out the messages about work the pending registry counts (the navbar badge)."""
        return self.filter(about_pending=False)


class Notification(models.Model):
    """A message to one user: something happened, or something waits for them at ``url``.

    Written by ``tongxin.accounts.notify`` inside the caller's transaction. The text is stored in the
    deployment's language (settings.LANGUAGE_CODE), rendered when the notification is made. ``org_path``
    says where it happened (for display and filtering); it does not scope the row: only the recipient
    sees it.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
        db_index=False,  # both indexes below start with the recipient
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    text = models.TextField(_("message"))
    url = models.CharField(_("link"), max_length=500, blank=True)
    org_path = models.CharField(_("organisation path"), max_length=255, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # The message points at work the inbox's pending registry already counts (a transfer waiting for this
    # user's approval): the navbar badge counts that work once, not once more for the unread message.
    about_pending = models.BooleanField(_("about waiting work"), default=False)

    objects = NotificationQuerySet.as_manager()
    scope = ScopeSpec(records=("org_path",))  # where it happened, rewritten on a move; seen by the recipient

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The unread count of the navbar badge.
            models.Index(fields=["recipient", "read_at", "created_at"], name="notification_unread_idx"),
            # The inbox list, newest first, with keyset pages.
            models.Index(fields=["recipient", "created_at", "id"], name="notification_list_idx"),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class StoredFile(models.Model):
    """An uploaded photo or PDF kept in the database: its clean name, the type read from its content
    (``core.uploads.check_upload``), its size and bytes, who uploaded it and when. Abstract: each app's model adds
    what the file belongs to (a meeting, an activity, a venue) and is served by ``core.uploads.serve_upload``."""

    file_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    content = models.BinaryField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")  # fmt: skip
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.file_name
