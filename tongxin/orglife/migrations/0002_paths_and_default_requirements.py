from django.db import migrations

from tongxin.core.migration_ops import binary_collation


def seed_requirements(apps, schema_editor):
    """The required frequencies of DOMAIN.md (configurable: the district admin edits them afterwards)."""
    from tongxin.orglife.models import DEFAULT_REQUIREMENTS

    requirement = apps.get_model("orglife", "MeetingRequirement")
    for org_kind, meeting_kind, frequency in DEFAULT_REQUIREMENTS:
        requirement.objects.get_or_create(
            org_kind=org_kind, meeting_kind=str(meeting_kind), defaults={"frequency": str(frequency)}
        )


class Migration(migrations.Migration):
    dependencies = [("orglife", "0001_initial")]
    operations = [
        binary_collation("orglife_meeting", "org_path"),
        binary_collation("orglife_attendance", "org_path"),
        binary_collation("orglife_checklistitem", "org_path"),
        binary_collation("orglife_duty", "org_path"),
        migrations.RunPython(seed_requirements, migrations.RunPython.noop),
    ]
