"""Path columns in the C collation (subtree ranges, core.migration_ops.binary_collation)."""

from django.db import migrations

from tongxin.core.migration_ops import binary_collation


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial")]

    operations = [
        binary_collation("community_communityregistration", "community_path"),
        binary_collation("community_communityregistration", "org_path"),
        binary_collation("community_serviceneed", "community_path"),
        binary_collation("community_takeup", "community_path"),
        binary_collation("community_takeup", "org_path"),
        binary_collation("community_servicereport", "community_path"),
        binary_collation("community_servicereport", "org_path"),
    ]
