from django.db import migrations

from tongxin.core.migration_ops import binary_collation


class Migration(migrations.Migration):
    dependencies = [("lifecycle", "0001_initial")]
    operations = [
        binary_collation("lifecycle_transfer", "from_path"),
        binary_collation("lifecycle_transfer", "to_path"),
        binary_collation("lifecycle_duespayment", "org_path"),
    ]
