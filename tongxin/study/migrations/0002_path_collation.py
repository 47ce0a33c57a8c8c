from django.db import migrations

from tongxin.core.migration_ops import binary_collation


class Migration(migrations.Migration):
    dependencies = [("study", "0001_initial")]
    operations = [
        binary_collation(f"study_{table}", "org_path")
        for table in ("studycampaign", "studyperiod", "question", "attempt", "participation", "periodstats")
    ]
