"""The OpenAPI schema's enums have names an integrator can read: ``MeetingKindEnum``, not ``KindC30Enum``.

drf-spectacular names a choice set after its field; when two choice sets share a field name ("kind",
"status") it appends three characters of a hash. ``ENUM_NAME_OVERRIDES`` in settings names each such set;
a new model whose choices collide fails here until it is named there too.
"""

from __future__ import annotations

import re
from unittest import mock

import pytest
from drf_spectacular import hooks
from drf_spectacular.generators import SchemaGenerator

# A name made of words followed by a capitalised three-character hash: Kind292Enum, KindC30Enum, Status4feEnum.
HASHED = re.compile(r"^(?:[A-Z][a-z]+)+[0-9A-F][0-9a-f]{2}Enum$")


def _schema_and_warnings() -> tuple[dict, list[str]]:
    messages: list[str] = []
    real_warn = hooks.warn

    def capture(message: str, *args, **kwargs):
        messages.append(message)
        return real_warn(message, *args, **kwargs)

    with mock.patch.object(hooks, "warn", capture):
        schema = SchemaGenerator().get_schema(request=None, public=True)
    return schema, messages


@pytest.mark.django_db
def test_no_enum_is_named_with_a_hash():
    schema, messages = _schema_and_warnings()
    names = [name for name in schema["components"]["schemas"] if name.endswith("Enum")]
    assert names, "the schema has enums"
    assert [name for name in names if HASHED.match(name)] == []
    assert [m for m in messages if "collision" in m or "multiple names" in m] == []
    for readable in ("MeetingKindEnum", "ChecklistKindEnum", "DuesKindEnum", "MeetingStatusEnum"):
        assert readable in names


def test_the_pattern_catches_the_old_names():
    """The check is not vacuous: the names drf-spectacular gave before the overrides match it, real words do not."""
    for old in ("Kind292Enum", "KindC30Enum", "KindDaaEnum", "Status155Enum", "Status4feEnum", "StatusB5eEnum"):
        assert HASHED.match(old), old
    for fine in ("GradeEnum", "MeetingKindEnum", "BlankEnum", "OrgKindEnum", "ReasonEnum", "StartedBySideEnum"):
        assert not HASHED.match(fine), fine


@pytest.mark.django_db
def test_the_schema_generates_without_a_warning(tmp_path):
    """``spectacular --validate --fail-on-warn``: no warning at all, e.g. two serializers of the same name (two
    ``SubmitSerializer`` made one ``SubmitRequest`` component, wrong for one of the two endpoints)."""
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "ReportSubmitRequest" in (tmp_path / "schema.yaml").read_text()
