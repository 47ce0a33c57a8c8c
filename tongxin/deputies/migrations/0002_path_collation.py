"""Path columns in the C collation (subtree ranges, core.migration_ops.binary_collation)."""

from django.db import migrations

from tongxin.core.migration_ops import binary_collation


class Migration(migrations.Migration):
    dependencies = [("deputies", "0001_initial")]

    operations = [
        binary_collation("deputies_congress", "org_path"),
        binary_collation("deputies_deputy", "org_path"),
        binary_collation("deputies_deputy", "congress_path"),
        binary_collation("deputies_receptionday", "org_path"),
        binary_collation("deputies_receptionday", "congress_path"),
        binary_collation("deputies_constituentrequest", "deputy_path"),
        binary_collation("deputies_constituentrequest", "congress_path"),
        binary_collation("deputies_constituentrequest", "assigned_path"),
    ]
