from django.db import migrations

from tongxin.core.migration_ops import binary_collation


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [binary_collation("core_changelog", "org_path"), binary_collation("core_accesslog", "org_path")]
