"""The one exception type for errors a user can fix."""

from django.utils.functional import Promise


class DomainError(Exception):
    """A rule was broken. ``errors`` maps a field name (or ``"__all__"``) to messages."""

    def __init__(self, field: str | None = None, message: str | Promise = "", *, errors=None):
        self.errors: dict[str, list[str]] = {}
        if errors:
            for key, messages in errors.items():
                self.errors[key] = [str(m) for m in (messages if isinstance(messages, list) else [messages])]
        if message:
            self.errors.setdefault(field or "__all__", []).append(str(message))
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.errors.items()))

    @property
    def messages(self) -> list[str]:
        """Every message, field by field, for a page that shows them as one notice."""
        return [message for messages in self.errors.values() for message in messages]

    def add_to_form(self, form) -> None:
        for field, messages in self.errors.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
