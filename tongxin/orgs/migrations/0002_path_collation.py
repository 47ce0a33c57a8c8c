from django.db import migrations

from tongxin.core.migration_ops import binary_collation


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [binary_collation("orgs_organization", "path")]
