from django.db import migrations

from tongxin.core.migration_ops import binary_collation


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [
        binary_collation("people_person", "org_path"),
        binary_collation("people_cadreposition", "org_path"),
        binary_collation("people_membership", "org_path"),
    ]
